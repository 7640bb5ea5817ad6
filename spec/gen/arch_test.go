package gen_test

import (
	"testing"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/aws"
	"github.com/anyfaas/faas/spec/gen/fc"
	"github.com/anyfaas/faas/spec/gen/gcf"
	"github.com/anyfaas/faas/spec/gen/scf"
	"github.com/anyfaas/faas/spec/gen/web"
)

// The CLI generates with s.ForPlatform(platform, arch). Lambda and Knative
// run arm64; FC, SCF and Cloud Run functions run x86_64 executables only,
// and say so at provider.architecture.
func TestArchitecture(t *testing.T) {
	const src = "service: shop\nprovider: {name: aws, region: {fc: cn-hangzhou}}\nfunctions:\n  api: {handler: api}\n"
	s, err := spec.Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		g    gen.Generator
		want string // the error for arm64; "" for none
	}{
		{aws.New(), ""},
		{web.New(), ""},
		{fc.New(), "f.yml:2:11: provider.architecture: FC's go1 runtime runs x86_64 executables only, not arm64: build for x86_64 for this platform"},
		{scf.New(), "f.yml:2:11: provider.architecture: SCF's Go1 runtime runs x86_64 executables only, not arm64: build for x86_64 for this platform"},
		{gcf.New(), "f.yml:2:11: provider.architecture: Cloud Run runs x86_64 executables only, not arm64: build for x86_64 for this platform"},
	}
	for _, tt := range tests {
		t.Run(tt.g.Platform(), func(t *testing.T) {
			for _, arch := range []string{"", "x86_64", "arm64"} {
				ps := s.ForPlatform(tt.g.Platform(), arch)
				_, err := tt.g.Generate(&gen.Input{Spec: ps, Units: ps.Units()})
				want := tt.want
				if arch != "arm64" {
					want = ""
				}
				got := ""
				if err != nil {
					got = err.Error()
				}
				if got != want {
					t.Errorf("arch %q: error %q, want %q", arch, got, want)
				}
			}
		})
	}
}
