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
