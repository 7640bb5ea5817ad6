package faastest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// TestDeployed: the App serves as f.yml deploys it, its names, routes,
// layers and timeouts, not as the code alone declares.
func TestDeployed(t *testing.T) {
	const fyml = `service: shop
provider: {name: aws, timeout: 30}
functions:
  greet:
    handler: hello
    timeout: 3
    layers: [audit]
    events: [{http: {path: /hi, method: get}}]
  list:
    handler: list
`
	path := filepath.Join(t.TempDir(), "f.yml")
	if err := os.WriteFile(path, []byte(fyml), 0o644); err != nil {
		t.Fatal(err)
	}
	app := faas.New()
	app.Define(faas.Layer{Name: "audit", BeforeInvoke: func(ctx *faas.Context, _ any) error {
		ctx.SetHeader("X-Audited", "yes")
		return nil
	}})
	type seen struct {
		Function string
		Within   time.Duration // how far off the deadline is, rounded up to seconds
	}
	answer := func(ctx *faas.Context, _ any) (any, error) {
		d, _ := ctx.Deadline()
		return seen{ctx.FunctionName(), time.Until(d).Round(time.Second)}, nil
	}
	app.Func("hello", answer, faas.HTTP("GET /hello"))
	app.Func("list", answer, faas.HTTP("GET /items"))
	faastest.Deployed(t, app, path)
	faastest.Start(t, app)

	tests := []struct {
		target  string
		status  int
		audited string
		seen    seen
	}{
		{"/hi", 200, "yes", seen{"greet", 3 * time.Second}}, // f.yml's route, layer and timeout
		{"/hello", 404, "", seen{}},                         // the code's route, which f.yml replaces
		{"/items", 200, "", seen{"list", 30 * time.Second}}, // the code's route; the provider's timeout
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", tt.target, ""), faastest.WithTimeout(time.Minute))
		if res.Response.StatusCode != tt.status || res.Response.Header.Get("X-Audited") != tt.audited {
			t.Errorf("GET %s: %d, X-Audited %q; want %d, %q", tt.target, res.Response.StatusCode, res.Response.Header.Get("X-Audited"), tt.status, tt.audited)
		}
		if tt.status != 200 {
			continue
		}
		if diff := cmp.Diff(tt.seen, res.Value); diff != "" {
			t.Errorf("GET %s: the handler saw (-want +got):\n%s", tt.target, diff)
		}
	}
}

// TestDeployedStorageFilters: a function sees the records of a storage
// event that f.yml's filters pass, and none that they do not, on aws too,
// where S3 filters before the function is invoked.
func TestDeployedStorageFilters(t *testing.T) {
	const fyml = `service: shop
provider: {name: aws}
functions:
  thumb:
    handler: thumb
    events: [{s3: {bucket: photos, filter: {prefix: up/, suffix: .jpg}}}]
`
	path := filepath.Join(t.TempDir(), "f.yml")
	if err := os.WriteFile(path, []byte(fyml), 0o644); err != nil {
		t.Fatal(err)
	}
	app := faas.New()
	app.Func("thumb", func(_ *faas.Context, event any) (any, error) {
		var keys []string
		for _, r := range event.(*faas.StorageEvent).Records {
			keys = append(keys, r.Key)
		}
		return keys, nil
	})
	faastest.Deployed(t, app, path)
	faastest.Start(t, app)

	event := func(keys ...string) *faas.StorageEvent {
		ev := &faas.StorageEvent{}
		for _, k := range keys {
			ev.Records = append(ev.Records, faas.StorageRecord{Op: faas.StorageCreated, Bucket: "photos", Key: k})
		}
		return ev
	}
	for _, tt := range []struct {
		name string
		keys []string
		want any // the keys the function saw; nil when it did not run
	}{
		{"passes", []string{"up/a.jpg"}, []string{"up/a.jpg"}},
		{"wrong suffix", []string{"up/a.png"}, nil},
		{"wrong prefix", []string{"down/a.jpg"}, nil},
		{"some pass", []string{"down/a.jpg", "up/b.jpg", "up/c.txt"}, []string{"up/b.jpg"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, app, event(tt.keys...), faastest.WithFunction("thumb"))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if diff := cmp.Diff(tt.want, res.Value); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeployedErrors: a spec that does not fit the code fails the test,
// saying where.
func TestDeployedErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.yml")
	if err := os.WriteFile(path, []byte("service: shop\nprovider: {name: aws}\nfunctions:\n  greet:\n    handler: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := faas.New()
	app.Func("hello", func(*faas.Context, any) (any, error) { return nil, nil })
	ft := &fatalT{TB: t}
	func() {
		defer func() { recover() }() // fatalT's Fatalf stops as t.Fatalf does
		faastest.Deployed(ft, app, path)
	}()
	if want := path + `:5:14: functions.greet.handler: the code registers no function "nope" (it registers hello)`; !strings.Contains(ft.msg, want) {
		t.Errorf("Deployed failed with %q, want it to say %q", ft.msg, want)
	}
}

// fatalT records what Fatalf says and stops there.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}
