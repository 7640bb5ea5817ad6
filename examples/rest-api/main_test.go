package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
)

var clock = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

// invoke sends a native event to one unit of a platform and returns the
// native answer.
type invoke func(ctx context.Context, payload []byte) ([]byte, error)

// deployment is the service deployed on one platform: each unit serving
// its functions, the way f.yml resolved them, in front of one store (a
// database, shared by every unit).
type deployment struct {
	platform string
	routes   route.Table[invoke]
	timer    invoke
}

func deploy(t *testing.T, file, platform string) *deployment {
	t.Helper()
	s, err := spec.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	store := NewMemoryStore(clock)
	quiet := faas.WithLogger(slog.New(slog.DiscardHandler))
	code := newApp(func() Store { return store }).Describe()
	s, err = spec.Merge(s, code)
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{platform: platform}
	for _, u := range s.Units() {
		m := u.Manifest(platform)
		app := newApp(func() Store { return store }, quiet, faas.WithManifest(m))
		var h invoke
		switch platform {
		case "aws":
			h = aws.NewHandler(app).Invoke
		case "fc":
			fh := fc.NewHandler(app)
			h = func(ctx context.Context, p []byte) ([]byte, error) {
				return fh.Invoke(ctx, &fc.Context{RequestID: "r"}, p)
			}
		case "scf":
			sh := scf.NewHandler(app)
			h = func(ctx context.Context, p []byte) ([]byte, error) {
				return sh.Invoke(ctx, &scf.Context{RequestID: "r"}, p)
			}
		}
		for _, f := range m.Functions {
			for _, tr := range f.Triggers {
				switch tr.Trigger {
				case faas.TriggerHTTP:
					p, err := route.Parse(tr.Route)
					if err != nil {
						t.Fatal(err)
					}
					if err := d.routes.Add(p, h); err != nil {
						t.Fatalf("the gateway of %s: %v", u.Name, err)
					}
				case faas.TriggerTimer:
					d.timer = h
				}
			}
		}
	}
	return d
}

// response is what a client gets, whatever the platform.
type response struct {
	Status int
	Body   string
}

func (d *deployment) do(t *testing.T, method, path, body string) response {
	t.Helper()
	_, h := d.routes.Lookup(method, path)
	if h == nil {
		return response{Status: 404, Body: "(no route at the gateway)"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "r"})
	out, err := h(ctx, nativeRequest(d.platform, method, path, body))
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, d.platform, err)
	}
	var r struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
		Base64     bool   `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %s", d.platform, out)
	}
	if r.Base64 {
		b, _ := base64.StdEncoding.DecodeString(r.Body)
		r.Body = string(b)
	}
	return response{r.StatusCode, r.Body}
}

// nativeRequest is an HTTP request as the platform's gateway hands it to a
// function.
func nativeRequest(platform, method, path, body string) []byte {
	u, _ := url.Parse(path)
	headers := map[string]string{"Content-Type": "application/json", "Host": "api.example.com"}
	var ev map[string]any
	switch platform {
	case "aws":
		ev = map[string]any{"version": "2.0", "routeKey": "$default", "rawPath": u.Path, "rawQueryString": u.RawQuery,
			"headers": headers, "body": body, "isBase64Encoded": false,
			"requestContext": map[string]any{"http": map[string]any{"method": method, "path": u.Path, "sourceIp": "192.0.2.1"}}}
	case "fc":
		ev = map[string]any{"version": "v1", "rawPath": u.Path, "body": body, "isBase64Encoded": false, "headers": headers,
			"queryParameters": map[string]string{},
			"requestContext":  map[string]any{"http": map[string]any{"method": method, "path": u.Path, "sourceIp": "192.0.2.1"}}}
	case "scf":
		ev = map[string]any{"httpMethod": method, "path": u.Path, "headers": headers, "body": body, "queryString": map[string]any{},
			"requestContext": map[string]any{"httpMethod": method, "path": u.Path, "sourceIp": "192.0.2.1"}}
	}
	b, _ := json.Marshal(ev)
	return b
}

// nativeTimer is a scheduled invocation as the platform sends it.
func nativeTimer(t *testing.T, platform string) []byte {
	path := map[string]string{
		"aws": "../../adapters/aws/testdata/fixtures/eventbridge-scheduled-event.json",
		"fc":  "../../adapters/fc/testdata/fixtures/timer.json",
		"scf": "../../adapters/scf/testdata/fixtures/timer.json",
	}[platform]
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same requests get the same answers from both forms of the service,
// split and aggregated, on AWS, FC and SCF.
func TestSplitAndAggregated(t *testing.T) {
	at := clock().Format(time.RFC3339)
	steps := []struct {
		method, path, body string
		want               response
	}{
		{"POST", "/items", `{"title":"tea"}`, response{201, `{"id":"1","title":"tea","done":false,"updated":"` + at + `"}`}},
		{"POST", "/items", `{"title":"cake"}`, response{201, `{"id":"2","title":"cake","done":false,"updated":"` + at + `"}`}},
		{"GET", "/items/1", "", response{200, `{"id":"1","title":"tea","done":false,"updated":"` + at + `"}`}},
		{"PUT", "/items/1", `{"title":"tea","done":true}`, response{200, `{"id":"1","title":"tea","done":true,"updated":"` + at + `"}`}},
		{"GET", "/items", "", response{200, `[{"id":"1","title":"tea","done":true,"updated":"` + at + `"},{"id":"2","title":"cake","done":false,"updated":"` + at + `"}]`}},
		{"DELETE", "/items/2", "", response{204, ""}},
		{"GET", "/items/2", "", response{404, `{"error":"no item 2"}`}},
		{"POST", "/items", `{"done":true}`, response{400, `{"error":"an item needs a title"}`}},
		{"POST", "/items", `{"title":`, response{400, `{"error":"invalid JSON body at offset 9: unexpected end of JSON input"}`}},
		{"PATCH", "/items/1", "{}", response{404, "(no route at the gateway)"}},
	}
	for _, file := range []string{"f.yml", "f.aggregated.yml"} {
		for _, platform := range []string{"aws", "fc", "scf"} {
			t.Run(file+"/"+platform, func(t *testing.T) {
				d := deploy(t, file, platform)
				for _, st := range steps {
					got := d.do(t, st.method, st.path, st.body)
					if diff := cmp.Diff(st.want, got); diff != "" {
						t.Errorf("%s %s mismatch (-want +got):\n%s", st.method, st.path, diff)
					}
				}
				if d.timer == nil {
					t.Fatal("no unit serves the timer")
				}
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"})
				out, err := d.timer(ctx, nativeTimer(t, platform))
				if err != nil || !strings.Contains(string(out), `"purged":`) {
					t.Errorf("timer: %s %v", out, err)
				}
			})
		}
	}
}

// f.yml deploys six units, f.aggregated.yml two.
func TestUnits(t *testing.T) {
	for file, want := range map[string][]string{
		"f.yml":            {"list", "get", "create", "update", "delete", "purge"},
		"f.aggregated.yml": {"api", "purge"},
	} {
		s, err := spec.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range s.Units() {
			got = append(got, u.Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s units mismatch (-want +got):\n%s", file, diff)
		}
	}
}
