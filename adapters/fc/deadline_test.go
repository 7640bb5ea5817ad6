package fc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/deadline"
)

// overrunner is a function that records its deadline and overruns it,
// returning only when its context is done.
type overrunner struct {
	deadlines chan time.Time
	returned  chan struct{}
}

func newOverrunner() *overrunner {
	return &overrunner{deadlines: make(chan time.Time, 8), returned: make(chan struct{}, 8)}
}

func (o *overrunner) app() *faas.App {
	return newApp(func(ctx *faas.Context, _ any) (any, error) {
		defer func() { o.returned <- struct{}{} }()
		d, _ := ctx.Deadline()
		o.deadlines <- d
		<-ctx.Done()
		return "late", ctx.Err()
	})
}

// On the runtime API the handler's deadline is x-fc-function-deadline, to
// the millisecond; a handler that overruns it is answered for with FC's
// error JSON, errorType TimeoutError, before the deadline, and its
// goroutine ends with the invocation.
func TestDeadlineRuntimeAPI(t *testing.T) {
	ignore := []goleak.Option{goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker)}
	t.Cleanup(func() { goleak.VerifyNone(t, ignore...) }) // after the fake API's server is closed
	const timeout = time.Second
	f, api := newFakeAPI(t)
	o := newOverrunner()
	stop := serve(t, api, o.app())
	adaptertest.RetryLate(t, func() string {
		begin := time.Now()
		d := time.UnixMilli(begin.Add(timeout).UnixMilli())
		f.push("req-1", `{"a":1}`, map[string]string{"x-fc-function-deadline": strconv.FormatInt(d.UnixMilli(), 10), "x-fc-function-timeout": "1"})
		r := f.result()
		answered := time.Now()
		if got := <-o.deadlines; !got.Equal(d) {
			t.Errorf("the handler's deadline is %v, want FC's %v", got, d)
		}
		var report struct{ ErrorMessage, ErrorType string }
		if r.kind != "error" || json.Unmarshal(r.body, &report) != nil || report.ErrorType != "TimeoutError" {
			t.Errorf("posted to %s: %s; want FC's error JSON of type TimeoutError", r.kind, r.body)
		}
		<-o.returned
		return adaptertest.Late(begin, answered, d.Sub(begin))
	})
	if err := stop(); err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// A custom runtime's handler has FC's deadline: x-fc-function-deadline,
// or x-fc-function-timeout seconds after the request arrived. A handler
// that overruns it is answered for before it: an event with 404,
// x-fc-status: 404 and a TimeoutError; an HTTP request with a 504.
func TestDeadlineCustomRuntime(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	o := newOverrunner()
	h := fc.NewHandler(o.app())

	t.Run("deadline header", func(t *testing.T) {
		adaptertest.RetryLate(t, func() string {
			begin := time.Now()
			d := time.UnixMilli(begin.Add(time.Second).UnixMilli())
			r := httptest.NewRequest(http.MethodPost, "/invoke", strings.NewReader(`{}`))
			r.Header.Set("X-Fc-Control-Path", "/invoke")
			r.Header.Set("X-Fc-Function-Deadline", strconv.FormatInt(d.UnixMilli(), 10))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			answered := time.Now()
			if got := <-o.deadlines; !got.Equal(d) {
				t.Errorf("the handler's deadline is %v, want FC's %v", got, d)
			}
			var report struct{ ErrorType string }
			if w.Code != http.StatusNotFound || w.Header().Get("X-Fc-Status") != "404" || json.Unmarshal(w.Body.Bytes(), &report) != nil || report.ErrorType != "TimeoutError" {
				t.Errorf("answered %d %v %s; want FC's failure with a TimeoutError", w.Code, w.Header(), w.Body)
			}
			<-o.returned
			return adaptertest.Late(begin, answered, d.Sub(begin))
		})
	})
	t.Run("timeout header", func(t *testing.T) {
		adaptertest.RetryLate(t, func() string {
			r := httptest.NewRequest(http.MethodGet, "/slow", nil)
			r.Header.Set("X-Fc-Control-Path", "/http-invoke")
			r.Header.Set("X-Fc-Function-Timeout", "1")
			w := httptest.NewRecorder()
			begin := time.Now()
			h.ServeHTTP(w, r)
			answered := time.Now()
			got := <-o.deadlines
			if got.Before(begin.Add(time.Second)) || got.After(answered.Add(time.Second)) {
				t.Errorf("the handler's deadline is %v after the request, want 1s after it arrived", got.Sub(begin))
			}
			if w.Code != http.StatusGatewayTimeout || w.Header().Get("X-Fc-Status") != "404" {
				t.Errorf("answered %d %v %s; want a 504 reported to FC", w.Code, w.Header(), w.Body)
			}
			<-o.returned
			return adaptertest.Late(begin, answered, time.Second)
		})
	})
}

// FC's HTTP trigger response carries one Set-Cookie; the adapter logs the
// others' loss. After a timeout answer it logs it with the logger of an
// invocation the App routes to no function, with the invocation's request
// id, not with the Context's, which reads
// what the App, still starting and routing on the handler's goroutine,
// writes with nothing to order it before the adapter's line (the race
// detector's report, before deadline.Logger). The cookies here are set by
// the App's start, which the first invocation makes, before it routes.
func TestDeadlineCookieWarning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	var log adaptertest.Log
	returned := make(chan struct{}, 1)
	h := fc.NewHandler(adaptertest.CookiesAtStart(&log, returned))
	fcctx := &fc.Context{RequestID: "req-1", Deadline: time.Now().Add(300 * time.Millisecond)}
	out, err := h.Invoke(context.Background(), fcctx, readFile(t, "testdata/fixtures/http-trigger-fc3.json"))
	<-returned // the adapter's context is done once it has answered
	if err != nil || decodeResponse(t, out).StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("Invoke = %s, %v; want a 504", out, err)
	}
	adaptertest.AnsweredLog(t, &log, "carry one Set-Cookie", "req-1")
}
