package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

// TestPlannedArtifacts checks that package.artifact names the artifact of
// a service of one unit, whichever units are selected, and is otherwise
// not used, with a warning at its position: with several units (even
// when -f selects one) and on the image platforms.
func TestPlannedArtifacts(t *testing.T) {
	const one = "service: shop\nprovider: {name: aliyun}\npackage: {artifact: shop.zip}\nfunctions:\n  list: {handler: list}\n"
	const two = one + "  get: {handler: get}\n"
	const notUsed = `f.yml:3:21: package.artifact: "shop.zip" is not used: `
	tests := []struct {
		name, src, platform string
		selected            []string // the units selected; nil for all
		want                []string // the artifacts
		warning             string
	}{
		{"one unit", one, "fc", nil, []string{"shop.zip"}, ""},
		{"one unit on aws", one, "aws", nil, []string{"shop.zip"}, ""},
		{"one unit on scf", one, "scf", nil, []string{"shop"}, ""},
		{"one unit on gcf", one, "gcf", nil, []string{"list.tar"}, notUsed + "on gcf each unit's artifact is an OCI image, <unit>.tar"},
		{"two units", two, "fc", nil, []string{"list.zip", "get.zip"}, notUsed +
			"it names the artifact of a service deployed as one unit, and this one has 2, each in its own <unit>.zip; aggregate the functions into one unit (aggregation) for one artifact, or remove it"},
		{"one of two units selected", two, "fc", []string{"list"}, []string{"list.zip"}, notUsed +
			"it names the artifact of a service deployed as one unit, and this one has 2, each in its own <unit>.zip; aggregate the functions into one unit (aggregation) for one artifact, or remove it"},
		{"two functions aggregated", two + "aggregation:\n  api: {functions: [list, get]}\n", "fc", nil, []string{"shop.zip"}, ""},
		{"no artifact", "service: shop\nprovider: {name: aliyun}\nfunctions:\n  list: {handler: list}\n  get: {handler: get}\n", "fc", nil, []string{"list.zip", "get.zip"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte(tt.src), os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			units := s.Units()
			if tt.selected != nil {
				if units, err = selectUnits(units, tt.selected); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for _, a := range plannedArtifacts(s, tt.platform, units, "") {
				got = append(got, a.Artifact)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("artifacts (-want +got):\n%s", diff)
			}
			warning := ""
			if w := artifactWarning(s.ForPlatform(tt.platform, ""), tt.platform); w != nil {
				warning = w.Error()
			}
			if diff := cmp.Diff(tt.warning, warning); diff != "" {
				t.Errorf("warning (-want +got):\n%s", diff)
			}
		})
	}
}
