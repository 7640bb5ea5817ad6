package faas_test

import (
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		wantPlatform string
		wantReason   string
		wantDetected bool
	}{
		{"nothing", nil, "web", "no platform was detected", false},
		{"override", map[string]string{"FAAS_PLATFORM": "scf", "AWS_LAMBDA_RUNTIME_API": "x"}, "scf", "FAAS_PLATFORM is set", true},
		{"lambda", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "K_SERVICE": "x"}, "aws", "AWS_LAMBDA_RUNTIME_API is set", true},
		{"fc runtime api", map[string]string{"FC_RUNTIME_API": "x", "FC_CUSTOM_LISTEN_PORT": "9000"}, "fc", "FC_RUNTIME_API is set", true},
		{"scf custom runtime", map[string]string{"SCF_RUNTIME_API": "x", "_LAMBDA_SERVER_PORT": "1"}, "scf", "SCF_RUNTIME_API is set", true},
		{"scf go runtime", map[string]string{"_LAMBDA_SERVER_PORT": "28902", "SCF_FUNCTIONNAME": "f"}, "scf", "_LAMBDA_SERVER_PORT and the SCF environment are set", true},
		{"scf go runtime by runenv", map[string]string{"_LAMBDA_SERVER_PORT": "28902", "TENCENTCLOUD_RUNENV": "SCF"}, "scf", "_LAMBDA_SERVER_PORT and the SCF environment are set", true},
		{"lambda go1.x", map[string]string{"_LAMBDA_SERVER_PORT": "28902"}, "aws", "_LAMBDA_SERVER_PORT is set (Lambda go1.x)", true},
		{"fc 3 custom runtime", map[string]string{"FC_CUSTOM_LISTEN_PORT": "9000"}, "fc", "FC_CUSTOM_LISTEN_PORT is set", true},
		{"fc 2 custom runtime", map[string]string{"FC_SERVER_PORT": "9000"}, "fc", "FC_SERVER_PORT is set", true},
		{"scf web function", map[string]string{"TENCENTCLOUD_RUNENV": "SCF", "K_SERVICE": "x"}, "scf", "the SCF environment is set", true},
		{"cloud run functions", map[string]string{"FUNCTION_TARGET": "hello", "K_SERVICE": "hello"}, "gcf", "FUNCTION_TARGET is set", true},
		{"knative", map[string]string{"K_SERVICE": "hello"}, "web", "K_SERVICE is set", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, reason, detected, err := faas.Detect(func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			got := []any{p, reason, detected}
			want := []any{tt.wantPlatform, tt.wantReason, tt.wantDetected}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	_, _, _, err := faas.Detect(func(k string) string { return map[string]string{"FAAS_PLATFORM": "azure"}[k] })
	if err == nil || err.Error() != `faas: FAAS_PLATFORM="azure" is not one of aws, fc, scf, gcf, web` {
		t.Errorf("unknown FAAS_PLATFORM: %v", err)
	}
}

// This test binary links no adapter, so Start says how to link one.
func TestStartWithoutAdapter(t *testing.T) {
	t.Setenv("FAAS_PLATFORM", "aws")
	err := faas.Start(faas.HandlerFunc(echo("x")))
	want := `faas: platform aws (FAAS_PLATFORM is set) has no adapter linked into this binary (linked: none); import _ "github.com/anyfaas/faas/adapters"`
	if err == nil || err.Error() != want {
		t.Errorf("Start = %v, want %s", err, want)
	}
	// Without FAAS_PLATFORM, the platform the manifest names wins over
	// the environment.
	t.Setenv("FAAS_PLATFORM", "")
	t.Setenv("K_SERVICE", "svc")
	app := faas.New(faas.WithManifest(&faas.Manifest{Platform: "gcf"}))
	app.Func("f", echo("x"))
	want = `faas: platform gcf (the manifest names it) has no adapter linked into this binary (linked: none); import _ "github.com/anyfaas/faas/adapters"`
	if err := faas.Start(app); err == nil || err.Error() != want {
		t.Errorf("Start with a manifest = %v, want %s", err, want)
	}
	t.Setenv("FAAS_PLATFORM", "nowhere")
	if err := faas.Start(faas.New()); err == nil || !strings.Contains(err.Error(), `FAAS_PLATFORM="nowhere"`) {
		t.Errorf("Start with a bad FAAS_PLATFORM = %v", err)
	}
}
