package recovery_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/layers/recovery"
	"github.com/google/go-cmp/cmp"
)

var errSentinel = errors.New("sentinel")

// inner is a middleware-only layer that panics when the path asks it to:
// a panic no layer boundary of the App catches before this layer.
var inner = faas.Layer{Name: "inner", Middleware: func(next faas.Handler) faas.Handler {
	return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
		if ctx.Request() != nil && ctx.Request().Path == "/middleware" {
			panic("in the middleware")
		}
		return next.Invoke(ctx, event)
	})
}}

func TestRecovery(t *testing.T) {
	handlers := map[string]faas.HandlerFunc{
		"/string":     func(*faas.Context, any) (any, error) { panic("boom") },
		"/error":      func(*faas.Context, any) (any, error) { panic(errSentinel) },
		"/middleware": func(*faas.Context, any) (any, error) { return "unreached", nil },
		"/fails":      func(*faas.Context, any) (any, error) { return nil, faas.Errorf(409, "taken") },
		"/ok":         func(*faas.Context, any) (any, error) { return "fine", nil },
	}
	tests := []struct {
		path       string
		opts       []recovery.Option
		wantStatus int
		wantBody   string
		wantPanics []string // the values OnPanic saw
		wantIs     error
		noCause    bool // the answer does not wrap the *faas.PanicError
	}{
		{path: "/string", wantStatus: 500, wantBody: `{"error":"internal error (request test-request-1)"}`, wantPanics: []string{"boom"}},
		{path: "/error", wantStatus: 500, wantBody: `{"error":"internal error (request test-request-1)"}`, wantPanics: []string{"sentinel"}, wantIs: errSentinel},
		{path: "/middleware", wantStatus: 500, wantBody: `{"error":"internal error (request test-request-1)"}`, wantPanics: []string{"in the middleware"}},
		{path: "/fails", wantStatus: 409, wantBody: `{"error":"taken"}`},
		{path: "/ok", wantStatus: 200, wantBody: "fine"},
		{path: "/string", opts: []recovery.Option{recovery.WithAnswer(func(_ *faas.Context, p *faas.PanicError) error { return p })},
			wantStatus: 500, wantBody: `{"error":"Internal Server Error"}`, wantPanics: []string{"boom"}},
		{path: "/string", opts: []recovery.Option{recovery.WithAnswer(func(*faas.Context, *faas.PanicError) error {
			return faas.Errorf(503, "try again")
		})}, wantStatus: 503, wantBody: `{"error":"try again"}`, wantPanics: []string{"boom"}, noCause: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var panics []string
			opts := append([]recovery.Option{recovery.OnPanic(func(_ *faas.Context, p *faas.PanicError) {
				if !strings.Contains(string(p.Stack), "goroutine") {
					t.Errorf("OnPanic got no stack")
				}
				panics = append(panics, strings.TrimPrefix(p.Error(), "panic: "))
			})}, tt.opts...)
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(false))
			app.Use(recovery.New(opts...), inner)
			for path, h := range handlers {
				app.Func(strings.TrimPrefix(path, "/"), h, faas.HTTP("GET "+path))
			}
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", tt.path, ""))
			got := struct {
				Status int
				Body   string
				Panics []string
			}{res.Response.StatusCode, res.Body(), panics}
			want := struct {
				Status int
				Body   string
				Panics []string
			}{tt.wantStatus, tt.wantBody, tt.wantPanics}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			var perr *faas.PanicError
			if want := tt.wantPanics != nil && !tt.noCause; errors.As(res.Err, &perr) != want {
				t.Errorf("error %v: a *faas.PanicError found: %v, want %v", res.Err, !want, want)
			}
			if tt.wantIs != nil && !errors.Is(res.Err, tt.wantIs) {
				t.Errorf("error %v is not %v", res.Err, tt.wantIs)
			}
		})
	}
}

// For another trigger the answer is the error the adapter reports; an
// OnPanic that panics does not stop it.
func TestEventPanic(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(recovery.New(recovery.OnPanic(func(*faas.Context, *faas.PanicError) { panic("the reporter is broken") })))
	app.Func("tick", func(*faas.Context, any) (any, error) { panic("boom") }, faas.Timer("@every 1m"))
	res := faastest.Invoke(t, app, &faas.TimerEvent{Name: "tick"}, faastest.WithRequestID("r-9"))
	var ferr *faas.Error
	if !errors.As(res.Err, &ferr) || ferr.StatusCode != 500 || ferr.Message != "internal error (request r-9)" {
		t.Fatalf("error = %#v, want the default answer", res.Err)
	}
}
