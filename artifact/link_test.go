package artifact_test

import (
	"os/exec"
	"strings"
	"testing"
)

// No function binary links this package, nor the CA bundle it embeds:
// they are the CLI's. A binary for any platform links the root package,
// its adapters, lifecycle, ioc, route and cloudevent only.
func TestFunctionBinariesLinkNoArtifact(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list for each platform")
	}
	for _, tags := range []string{"", "faas_aws,lambda.norpc", "faas_fc", "faas_scf", "faas_gcf", "faas_web"} {
		out, err := exec.Command("go", "list", "-tags", tags, "-deps", "..", "../examples/...", "../adapters/...", "../lifecycle/...", "../ioc/...", "../route/...", "../cloudevent/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %q: %v\n%s", tags, err, out)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if pkg == "github.com/anyfaas/faas/artifact" || strings.HasPrefix(pkg, "golang.org/x/crypto/x509roots") {
				t.Errorf("with tags %q, a function binary links %s", tags, pkg)
			}
		}
	}
}
