package adapters_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A binary built for one platform links only that platform's adapter: the
// symbol table holds no other adapter's package, and the build info no
// module only another adapter needs. The default build links them all.
func TestPlatformBuildsLinkOneAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary per platform")
	}
	platforms := []string{"aws", "fc", "gcf", "scf", "web"}
	dir := t.TempDir()
	build := func(tags string) (adapters []string, modules string) {
		t.Helper()
		bin := filepath.Join(dir, "hello-"+strings.ReplaceAll(tags, ",", "-"))
		args := []string{"build", "-trimpath", "-o", bin}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		cmd := exec.Command("go", append(args, "../examples/hello")...)
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build -tags %q: %v\n%s", tags, err, out)
		}
		nm, err := exec.Command("go", "tool", "nm", bin).Output()
		if err != nil {
			t.Fatalf("go tool nm: %v", err)
		}
		seen := map[string]bool{}
		for _, m := range adapterSym.FindAllStringSubmatch(string(nm), -1) {
			seen[m[1]] = true
		}
		for p := range seen {
			adapters = append(adapters, p)
		}
		slices.Sort(adapters)
		info, err := exec.Command("go", "version", "-m", bin).Output()
		if err != nil {
			t.Fatalf("go version -m: %v", err)
		}
		return adapters, string(info)
	}

	got, _ := build("")
	if !slices.Equal(got, platforms) {
		t.Errorf("the default build links adapters %v, want all of %v", got, platforms)
	}
	for _, p := range platforms {
		tags := "faas_" + p
		if p == "aws" {
			tags += ",lambda.norpc"
		}
		got, modules := build(tags)
		if !slices.Equal(got, []string{p}) {
			t.Errorf("-tags %s links adapters %v, want only %s", tags, got, p)
		}
		if hasLambda := strings.Contains(modules, "github.com/aws/aws-lambda-go"); hasLambda != (p == "aws") {
			t.Errorf("-tags %s: aws-lambda-go linked: %v", tags, hasLambda)
		}
		if strings.Contains(modules, "github.com/go-chi/chi") {
			t.Errorf("-tags %s links chi, a test-only dependency", tags)
		}
	}
}

// adapterSym matches a symbol of an adapter package.
var adapterSym = regexp.MustCompile(`github\.com/anyfaas/faas/adapters/(aws|fc|gcf|scf|web)\.`)
