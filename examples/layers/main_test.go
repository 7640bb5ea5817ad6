package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/spec"
	"github.com/google/go-cmp/cmp"
)

// unit is one deployment unit of f.yml: its own process on the platform,
// so its own App and its own instance of the config layer.
type unit struct {
	app    *faas.App
	config *ConfigLayer
	audit  *bytes.Buffer
	logs   *bytes.Buffer
}

// deploy returns the units f.yml makes for platform, by function.
func deploy(t *testing.T, platform string) map[string]*unit {
	t.Helper()
	s, err := spec.Load("f.yml")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = spec.Merge(s, newApp(&ConfigLayer{}, &bytes.Buffer{}).Describe()); err != nil {
		t.Fatal(err)
	}
	units := map[string]*unit{}
	for _, su := range s.Units() {
		u := &unit{audit: &bytes.Buffer{}, logs: &bytes.Buffer{}}
		u.config = &ConfigLayer{Audit: u.audit}
		u.app = newApp(u.config, u.logs, faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithManifest(su.Manifest(platform)))
		for _, f := range su.Functions {
			units[f.Name] = u
		}
	}
	return units
}

// Through faastest: f.yml gives hello and report the config layer, which
// loaded the configuration once per instance before they started, and
// ping none; the audit trail is written when the instance closes.
func TestLayersPerFunction(t *testing.T) {
	units := deploy(t, faas.PlatformWeb)
	tests := []struct {
		function, target string
		wantStatus       int
		wantBody         string
	}{
		{"hello", "/hello?name=Ada&lang=fr", 200, `{"message":"bonjour, Ada"}`},
		{"hello", "/hello", 200, `{"message":"hello, world"}`},
		{"report", "/report", 200, `{"greeting":"hello","languages":3}`},
		{"ping", "/ping", 200, "pong"},
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, units[tt.function].app, faastest.NewHTTPRequest("GET", tt.target, ""))
		got := struct {
			Status int
			Body   string
		}{res.Response.StatusCode, res.Body()}
		if diff := cmp.Diff(struct {
			Status int
			Body   string
		}{tt.wantStatus, tt.wantBody}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.target, diff)
		}
	}
	if units["ping"].config.config != nil {
		t.Error("ping's unit loaded the configuration, which f.yml does not select for it")
	}
	for _, name := range []string{"hello", "report", "ping"} {
		if err := units[name].app.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{
		"hello":  "audit: test test-request-1 hello: ok\naudit: test test-request-1 hello: ok\n",
		"report": "audit: test test-request-1 report: ok\n",
		"ping":   "",
	}
	for name, w := range want {
		if got := units[name].audit.String(); got != w {
			t.Errorf("%s's audit after Close = %q, want %q", name, got, w)
		}
	}
	if !strings.Contains(units["hello"].logs.String(), `"msg":"greeting"`) {
		t.Errorf("no greeting logged: %s", units["hello"].logs)
	}
}

// answer decodes an HTTP trigger's native response.
func answer(t *testing.T, payload []byte) (int, string) {
	t.Helper()
	var r struct {
		StatusCode      int    `json:"statusCode"`
		Body            string `json:"body"`
		IsBase64Encoded bool   `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(payload, &r); err != nil {
		t.Fatalf("%v: %s", err, payload)
	}
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		r.Body = string(b)
	}
	return r.StatusCode, r.Body
}

// The same code and layers through two platforms' adapters in process:
// each platform's native HTTP event, its log shape, and the timeout layer
// only where f.yml selects it.
func TestPlatforms(t *testing.T) {
	type call func(ctx context.Context, u *unit, payload []byte) ([]byte, error)
	platforms := map[string]call{
		faas.PlatformAWS: func(ctx context.Context, u *unit, p []byte) ([]byte, error) {
			return aws.NewHandler(u.app).Invoke(ctx, p)
		},
		faas.PlatformFC: func(ctx context.Context, u *unit, p []byte) ([]byte, error) {
			return fc.NewHandler(u.app).Invoke(ctx, &fc.Context{RequestID: "fc-req-1"}, p)
		},
	}
	for platform, invoke := range platforms {
		t.Run(platform, func(t *testing.T) {
			units := deploy(t, platform)
			event := func(path, query string) []byte {
				b, err := faastest.Event(platform, faas.TriggerHTTP, map[string]string{"method": "GET", "path": path, "query": query})
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			out, err := invoke(context.Background(), units["hello"], event("/hello", "name=Ada&lang=de"))
			if err != nil {
				t.Fatal(err)
			}
			if status, body := answer(t, out); status != 200 || body != `{"message":"hallo, Ada"}` {
				t.Errorf("hello: %d %s", status, body)
			}
			// With 100 ms left, report's timeout layer (margin 200 ms)
			// answers at once; hello, which f.yml gives no timeout layer,
			// runs.
			short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			out, err = invoke(short, units["report"], event("/report", ""))
			if err != nil {
				t.Fatal(err)
			}
			if status, body := answer(t, out); status != 504 {
				t.Errorf("report near its deadline: %d %s, want 504", status, body)
			}
			out, err = invoke(short, units["hello"], event("/hello", ""))
			if err != nil {
				t.Fatal(err)
			}
			if status, _ := answer(t, out); status != 200 {
				t.Errorf("hello near its deadline: %d, want 200", status)
			}
			// The platform's log shape.
			logs := units["hello"].logs.String()
			switch platform {
			case faas.PlatformAWS:
				if !strings.Contains(logs, `"level":"INFO","message":"greeting"`) {
					t.Errorf("aws logs are not in Lambda's JSON shape:\n%s", logs)
				}
			case faas.PlatformFC:
				if !strings.Contains(logs, " fc-req-1 [INFO] {\"message\":\"greeting\"") {
					t.Errorf("fc logs are not in FC's shape:\n%s", logs)
				}
			}
			// FC's pre-freeze (Freeze) writes the audit trail out.
			if err := units["hello"].app.Freeze(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := units["hello"].audit.String(); strings.Count(got, "audit: "+platform+" ") != 2 {
				t.Errorf("hello's audit after Freeze:\n%s", got)
			}
		})
	}
}

// A function f.yml gives no config layer says so, rather than failing
// obscurely.
func TestNoConfigLayer(t *testing.T) {
	app := newApp(&ConfigLayer{}, &bytes.Buffer{}, faas.WithLogger(slog.New(slog.DiscardHandler)))
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/hello", ""))
	if res.Response.StatusCode != 500 || !strings.Contains(res.Body(), "select it in f.yml") {
		t.Errorf("%d %s", res.Response.StatusCode, res.Body())
	}
}
