package fc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
)

// flakyApp returns an App whose layer's FunctionStart fails the first
// time ("no database") and records the instance-wide hooks in p.
func flakyApp(p *phases) *faas.App {
	var calls atomic.Int32
	l := p.layer()
	l.FunctionStart = func(context.Context) error {
		p.add("FunctionStart")
		if calls.Add(1) == 1 {
			return errors.New("no database")
		}
		return nil
	}
	return newApp(func(*faas.Context, any) (any, error) { return "ok", nil }, l)
}

// outcome is what FC got from the function for one request.
type outcome struct {
	OK   bool
	Body string // the result, or the error report's errorMessage
}

// A start that fails, lazily on the first event or in FC's initializer,
// fails that request with the start's error and closes what it started;
// the next request starts the App again and is served, in both of FC's
// ways of running a binary. Before, the instance answered every later
// request with the first error until FC recycled it.
func TestStartRetried(t *testing.T) {
	start := []string{"RuntimeStart", "FunctionStart"}
	failed := []string{"RuntimeStart", "FunctionStart", "Close"}
	const startErr = `faas: start: FunctionStart hook "record": no database`
	tests := []struct {
		name  string
		steps []string // "event" or "initialize"
		want  []outcome
		hooks [][]string
	}{
		{
			name:  "first event",
			steps: []string{"event", "event"},
			want:  []outcome{{false, startErr}, {true, `"ok"`}},
			hooks: [][]string{failed, start},
		},
		{
			name:  "initializer",
			steps: []string{"initialize", "initialize", "event"},
			want:  []outcome{{false, startErr}, {true, ""}, {true, `"ok"`}},
			hooks: [][]string{failed, start, nil},
		},
	}
	modes := []struct {
		name string
		send func(t *testing.T, p *phases) func(step string) outcome
	}{
		{"runtime API", runtimeAPISender},
		{"custom runtime", customSender},
	}
	for _, m := range modes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				var p phases
				send := m.send(t, &p)
				for i, step := range tt.steps {
					got := send(step)
					if diff := cmp.Diff(tt.want[i], got); diff != "" {
						t.Errorf("%s %d (-want +got):\n%s", step, i+1, diff)
					}
					if diff := cmp.Diff(tt.hooks[i], p.take()); diff != "" {
						t.Errorf("%s %d: hooks (-want +got):\n%s", step, i+1, diff)
					}
				}
			})
		}
	}
}

// runtimeAPISender serves a flaky App on a fake runtime API and sends
// each step as an invocation: x-fc-function-type 1 for "initialize".
func runtimeAPISender(t *testing.T, p *phases) func(string) outcome {
	f, api := newFakeAPI(t)
	serve(t, api, flakyApp(p))
	n := 0
	return func(step string) outcome {
		n++
		typ := "0"
		if step == "initialize" {
			typ = "1"
		}
		f.push("req-"+strconv.Itoa(n), `{}`, map[string]string{"x-fc-function-type": typ})
		r := f.result()
		if r.kind == "error" {
			return outcome{false, decodeReport(t, r.body).ErrorMessage}
		}
		return outcome{r.kind == "response", string(r.body)}
	}
}

// customSender serves a flaky App with the custom runtime contract and
// sends each step as FC does: POST with x-fc-control-path /invoke or
// /initialize. A failure is a status other than 200 with x-fc-status 404.
func customSender(t *testing.T, p *phases) func(string) outcome {
	srv := httptest.NewServer(fc.NewHandler(flakyApp(p)))
	t.Cleanup(srv.Close)
	return func(step string) outcome {
		path := "/invoke"
		if step == "initialize" {
			path = "/initialize"
		}
		res, _ := do(t, srv, http.MethodPost, path, map[string]string{
			"X-Fc-Request-Id": "req", "X-Fc-Function-Timeout": "30", "X-Fc-Control-Path": path,
		}, []byte(`{}`))
		if res.Status != http.StatusOK || res.FCStatus == "404" {
			if !strings.HasPrefix(res.Body, "{") {
				t.Fatalf("%s: %d %s", step, res.Status, res.Body)
			}
			return outcome{false, decodeReport(t, []byte(res.Body)).ErrorMessage}
		}
		return outcome{true, res.Body}
	}
}
