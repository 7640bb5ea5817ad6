package layers_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// deps returns the packages pkgs depend on, built with tags.
func deps(t *testing.T, tags string, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-tags", tags, "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %v: %v\n%s", pkgs, err, out)
	}
	return strings.Fields(string(out))
}

func has(pkgs []string, prefix string) []string {
	var found []string
	for _, p := range pkgs {
		if strings.HasPrefix(p, prefix) {
			found = append(found, p)
		}
	}
	return found
}

// A layer's dependencies are linked only into the binaries that import it:
// the core, the adapters and a service that uses no layer link no
// OpenTelemetry package on any platform; the standard-library layers link
// none either; tracing and metrics link OpenTelemetry's API but not its
// SDK; no layer links an adapter.
func TestLayersLinkOnlyWhatTheyUse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const otel = "go.opentelemetry.io/"
	for _, tags := range []string{"", "faas_aws,lambda.norpc", "faas_fc", "faas_scf", "faas_gcf", "faas_web"} {
		if found := has(deps(t, tags, "..", "../examples/hello", "../adapters/...", "../lifecycle", "../cloudevent"), otel); found != nil {
			t.Errorf("with tags %q, the core, an adapter or examples/hello links %v", tags, found)
		}
	}
	for _, layer := range []string{"logging", "recovery", "timeout", "cors"} {
		d := deps(t, "", "./"+layer)
		if found := has(d, otel); found != nil {
			t.Errorf("layers/%s links %v", layer, found)
		}
		if found := has(d, "github.com/anyfaas/faas/adapters"); found != nil {
			t.Errorf("layers/%s links %v", layer, found)
		}
		for _, p := range d {
			if !strings.Contains(strings.Split(p, "/")[0], ".") || strings.HasPrefix(p, "github.com/anyfaas/faas") {
				continue // the standard library, or this module
			}
			if !slices.Contains(coreDeps(t), p) {
				t.Errorf("layers/%s links %s, which the core does not", layer, p)
			}
		}
	}
	for _, layer := range []string{"tracing", "metrics"} {
		d := deps(t, "", "./"+layer)
		if has(d, otel+"otel") == nil {
			t.Errorf("layers/%s does not link OpenTelemetry", layer)
		}
		if found := has(d, otel+"otel/sdk"); found != nil {
			t.Errorf("layers/%s links the SDK: %v", layer, found)
		}
		if found := has(d, "github.com/anyfaas/faas/adapters"); found != nil {
			t.Errorf("layers/%s links %v", layer, found)
		}
	}
}

var core []string

// coreDeps returns the packages the root package depends on.
func coreDeps(t *testing.T) []string {
	if core == nil {
		core = deps(t, "", "..")
	}
	return core
}
