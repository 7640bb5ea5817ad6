package gen_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/aws"
	"github.com/anyfaas/faas/spec/gen/fc"
	"github.com/anyfaas/faas/spec/gen/gcf"
	"github.com/anyfaas/faas/spec/gen/scf"
	"github.com/anyfaas/faas/spec/gen/web"
)

// extraKeys are the keys f.yml takes on every event that only some
// platforms deploy (spec's eventExtra).
var extraKeys = []string{"role", "version", "serviceId", "timeout", "region", "retryTime", "interval"}

// except returns extraKeys but used, as events[i].key paths.
func except(i int, used ...string) []string {
	var out []string
	for _, k := range extraKeys {
		if !slices.Contains(used, k) {
			out = append(out, fmt.Sprintf("events[%d].%s", i, k))
		}
	}
	return out
}

// TestUnusedEventKeys checks, for every platform, that each extra key of
// an event that its generator does not deploy for the event's trigger is
// a warning at the key, naming the platform, and that the keys it deploys
// are not.
func TestUnusedEventKeys(t *testing.T) {
	const all = "role: r, version: v, serviceId: id, timeout: 5, region: r1, retryTime: 1, interval: 2"
	src := `service: s
provider: {name: aws}
functions:
  f:
    handler: f
    events:
      - http: {path: /f, ` + all + `}
      - apigw: {path: /g, ` + all + `}
      - timer: {value: "0 * * * *", ` + all + `}
      - os: {bucket: b, ` + all + `}
      - mq: {queue: q, ` + all + `}
      - mq: {topic: t, ` + all + `}
      - kafka: {name: ckafka-a, topic: k, ` + all + `}
      - log: {source: s, project: p, log: l, ` + all + `}
`
	s, err := spec.Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		g    gen.Generator
		want [][]string // by event, the paths of the keys warned of
		// first is the first warning of the first event.
		first string
	}{
		{aws.New(), [][]string{except(0), except(1), except(2), except(3), except(4), except(5), except(6), except(7)},
			"f.yml:7:32: functions.f.events[0].http.role: SAM's HttpApi event has no role: it is not deployed on AWS; the function runs as its execution role, provider.role"},
		{fc.New(), [][]string{
			except(0, "role", "version"), except(1, "role", "version"), except(2, "role", "version"), except(3, "role", "version"),
			except(4, "role", "version", "region"), except(5, "role", "version", "region"), except(6, "role", "version", "region"),
			except(7, "role", "version", "retryTime", "interval"),
		}, "f.yml:7:58: functions.f.events[0].http.serviceId: FC's http trigger has no serviceId: it is not deployed on FC; it takes role, version"},
		{gcf.New(), [][]string{
			except(0), except(1), except(2, "role"), except(3, "role", "region"),
			except(4, "role", "region"), except(5, "role", "region"), except(6, "role", "region"), except(7),
		}, "f.yml:7:32: functions.f.events[0].http.role: an HTTP event (the Cloud Run service's own URL) has no role: it is not deployed on Cloud Run; the service runs as provider.role"},
		{scf.New(), [][]string{
			except(0, "serviceId", "timeout", "version"), except(1, "serviceId", "timeout", "version"), except(2, "version"), except(3, "version"),
			except(4, "version"), except(5, "version"), except(6, "version", "retryTime", "timeout"), except(7, "version"),
		}, "f.yml:7:32: functions.f.events[0].http.role: SCF's apigw trigger has no role: it is not deployed on SCF; it takes serviceId, timeout, version"},
		{web.New(), [][]string{except(0), except(1), except(2), except(3), except(4), except(5), except(6), except(7)},
			"f.yml:7:32: functions.f.events[0].http.role: an HTTP event (the Knative Service's own route) has no role: it is not deployed on Knative; give the Service a serviceAccountName in platforms.web"},
	}
	for _, tt := range tests {
		t.Run(tt.g.Platform(), func(t *testing.T) {
			ps := s.ForPlatform(tt.g.Platform(), "")
			got := make([][]string, len(tt.want))
			first := ""
			for _, w := range tt.g.(gen.Warner).Warnings(&gen.Input{Spec: ps, Units: ps.Units()}) {
				var i int
				var key, rest string
				if _, err := fmt.Sscanf(w.Path, "functions.f.events[%d]", &i); err != nil {
					continue // not an event's key
				}
				_, rest, _ = strings.Cut(w.Path, "].")
				_, key, _ = strings.Cut(rest, ".")
				if !slices.Contains(extraKeys, key) {
					continue
				}
				if w.Line != 7+i {
					t.Errorf("%v: at line %d, want %d", w, w.Line, 7+i)
				}
				if !strings.Contains(w.Problem, "it is not deployed on ") {
					t.Errorf("%v: does not say it is not deployed", w)
				}
				if first == "" {
					first = w.Error()
				}
				got[i] = append(got[i], fmt.Sprintf("events[%d].%s", i, key))
			}
			for i := range got {
				slices.Sort(got[i])
				slices.Sort(tt.want[i])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("keys warned of (-want +got):\n%s", diff)
			}
			if first != tt.first {
				t.Errorf("first warning:\n got %s\nwant %s", first, tt.first)
			}
		})
	}
}
