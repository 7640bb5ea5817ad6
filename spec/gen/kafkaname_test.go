package gen_test

import (
	"strings"
	"testing"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/gcf"
	"github.com/anyfaas/faas/spec/gen/web"
)

// A kafka event's name is its CKafka instance, as SCF takes it: on gcf and
// web, two functions reading two topics of one instance get resources
// named after themselves, not after the instance, which would collide.
func TestKafkaInstanceName(t *testing.T) {
	tests := []struct {
		provider, kind string
		generator      gen.Generator
	}{
		{"gcf, region: us-east1, project: p", "Eventarc trigger", gcf.New()},
		{"knative, project: p", "Knative Trigger", web.New()},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte(`
service: shop
provider: {name: `+tt.provider+`}
functions:
  consume: {handler: consume, events: [{kafka: {name: ckafka-abc123, topic: orders}}]}
  audit: {handler: audit, events: [{kafka: {name: ckafka-abc123, topic: audit}}]}
`), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			in := &gen.Input{Spec: s, Units: s.Units(), Artifacts: map[string]string{}}
			for _, u := range in.Units {
				in.Artifacts[u.Name] = "registry.example.com/shop/" + u.Name + ":v1"
			}
			files, err := tt.generator.Generate(in)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			var b strings.Builder
			for _, f := range files {
				b.WriteString("-- " + f.Name + " --\n")
				b.Write(f.Data)
			}
			all := b.String()
			for _, want := range []string{"shop-consume-0", "shop-audit-0"} {
				if !strings.Contains(all, want) {
					t.Errorf("no %s named %s in\n%s", tt.kind, want, all)
				}
			}
			if strings.Contains(all, "name: ckafka-abc123") {
				t.Errorf("a resource is named after the CKafka instance:\n%s", all)
			}
		})
	}
}
