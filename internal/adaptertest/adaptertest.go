// Package adaptertest holds what the adapters' tests share: the tests that
// every adapter which is an HTTP server taking CloudEvents (web, gcf)
// passes the same way — panics under load, the deadline of a handler that
// overruns — the stress tests' parts (Total, Spread, Numbered), and the
// timing check of an adapter's answer for a handler that overran its
// deadline (Late, RetryLate), the App whose start sets cookies and whose
// function overruns, for the adapters that log the cookies their
// platform's response cannot carry (CookiesAtStart, AnsweredLog),
// storage keys that URL encodings change (RawKeys), and the layer whose
// start fails once (FlakyStart). Only tests import it, so no binary links
// it.
package adaptertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
)

// RawKeys are object keys holding what URL encodings change: a space, a
// '+', a '%' alone and in an escape, letters beyond ASCII and reserved
// characters. An adapter that keeps its platform's storage key as the
// event carries it gives each back unchanged.
var RawKeys = []string{
	"red flower.jpg",
	"c++/a+b.txt",
	"100%.csv",
	"%2B%20.txt",
	"%E4%B8%AD.jpg",
	"中文/文件 1.jpg",
	"year=2025/10:47:07;x&y.log",
}

// Handler makes the adapter's http.Handler of an App.
type Handler func(*faas.App) http.Handler

// Check returns what is wrong with an answer of the adapter's own, or "".
type Check func(w *httptest.ResponseRecorder) string

func quiet() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

// cloudEvent returns a CloudEvent in binary mode with id and body.
func cloudEvent(id, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": id, "Ce-Source": "//t", "Ce-Type": "com.example.t", "Content-Type": "application/json"} {
		r.Header.Set(k, v)
	}
	return r
}

// PanicsUnderLoad runs 10 000 invocations (1 000 with -short), eight at
// once, half of them HTTP requests and half CloudEvents in binary mode, 1 %
// of them panicking: every panic must be a 500 that does not show it and
// that panicked accepts, every other invocation gets its own answer, and
// the handler keeps serving. Each runs with a deadline: the caller sets the
// environment that gives one (t.Setenv).
func PanicsUnderLoad(t *testing.T, handler Handler, panicked Check) {
	t.Helper()
	h := handler(Numbered(func(ctx *faas.Context, n int) error {
		if _, ok := ctx.Deadline(); !ok {
			return fmt.Errorf("invocation %d has no deadline", n)
		}
		return nil
	}))
	Spread(t, Total(), 8, func(n int) string {
		id := "req-" + strconv.Itoa(n)
		var r *http.Request
		if n%2 == 0 {
			r = httptest.NewRequest(http.MethodGet, "/"+strconv.Itoa(n), nil)
			r.Header.Set("X-Request-Id", id)
			r.Header.Set("Function-Execution-Id", id)
		} else {
			r = cloudEvent(id, fmt.Sprintf(`{"n":%d}`, n))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch {
		case n%100 == 0:
			if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), fmt.Sprintf("panic %d", n)) {
				return fmt.Sprintf("%d: the panic was answered %d %v %s", n, w.Code, w.Header(), w.Body)
			}
			if m := panicked(w); m != "" {
				return fmt.Sprintf("%d: the panic's answer: %s", n, m)
			}
		case w.Code != http.StatusOK || w.Body.String() != fmt.Sprintf(`{"n":%d}`, n):
			return fmt.Sprintf("%d: answered %d %s", n, w.Code, w.Body)
		}
		return ""
	})
}

// Total is how many invocations a stress test runs: 10 000, or 1 000
// with -short.
func Total() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// Spread runs check(n) for every n in [0, total) on workers goroutines,
// worker w taking n = w, w+workers, …, and reports the first failures
// check describes (it returns "" for none).
func Spread(t *testing.T, total, workers int, check func(n int) string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for w := range workers {
		wg.Go(func() {
			for n := w; n < total; n += workers {
				if msg := check(n); msg != "" {
					select {
					case errs <- msg:
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// Numbered returns an App of one function that answers {"n":n} for the
// invocation numbered n (the HTTP path /n, or a JSON event's "n", or its
// "data"'s as a structured CloudEvent has it), fails unless its request id
// is "req-n" and each of checks passes, and panics for every n that is a
// multiple of 100: 1 % of the invocations.
func Numbered(checks ...func(ctx *faas.Context, n int) error) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(false))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		var n int
		switch e := event.(type) {
		case *faas.HTTPRequest:
			n, _ = strconv.Atoi(strings.TrimPrefix(e.Path, "/"))
		case *faas.RawEvent:
			var in struct {
				N    int
				Data struct{ N int }
			}
			json.Unmarshal(e.JSON, &in)
			n = max(in.N, in.Data.N)
		}
		if want := "req-" + strconv.Itoa(n); ctx.RequestID() != want {
			return nil, fmt.Errorf("invocation %d runs as %s", n, ctx.RequestID())
		}
		for _, check := range checks {
			if err := check(ctx, n); err != nil {
				return nil, err
			}
		}
		if n%100 == 0 {
			panic(fmt.Sprintf("panic %d", n))
		}
		return map[string]int{"n": n}, nil
	})
	return app
}

// Deadline checks that a handler's deadline is timeout after its request
// arrived (the caller sets the environment that says so, t.Setenv), that
// a handler that overruns it is answered for shortly before it, with a
// body saying it timed out that httpTimedOut (an HTTP request) or
// eventTimedOut (a CloudEvent) accepts, that its context is done when the
// request is answered, and that nothing is left running.
func Deadline(t *testing.T, handler Handler, timeout time.Duration, httpTimedOut, eventTimedOut Check) {
	t.Helper()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	deadlines, returned := make(chan time.Time, 1), make(chan struct{}, 1)
	h := handler(Overrunning(deadlines, returned))
	for _, tc := range []struct {
		name     string
		req      func() *http.Request
		timedOut Check
	}{
		{"http", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, httpTimedOut},
		{"cloudevent", func() *http.Request { return cloudEvent("1", `{}`) }, eventTimedOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			RetryLate(t, func() string {
				w := httptest.NewRecorder()
				sent := time.Now()
				h.ServeHTTP(w, tc.req())
				answered := time.Now()
				if got := <-deadlines; got.Before(sent.Add(timeout)) || got.After(answered.Add(timeout)) {
					t.Errorf("the handler's deadline is %v after the request was sent, want %v after it arrived", got.Sub(sent), timeout)
				}
				if !strings.Contains(w.Body.String(), "timed out") {
					t.Errorf("answered %d %s, want it to say it timed out", w.Code, w.Body)
				} else if msg := tc.timedOut(w); msg != "" {
					t.Errorf("answered %d %v %s: %s", w.Code, w.Header(), w.Body, msg)
				}
				<-returned
				return Late(sent, answered, timeout)
			})
		})
	}
}

// Status is a Check that the answer has status code and, if google is not
// "", the X-Google-Status header google (functions-framework-go's).
func Status(code int, google string) Check {
	return func(w *httptest.ResponseRecorder) string {
		if w.Code != code || w.Header().Get("X-Google-Status") != google {
			return fmt.Sprintf("want %d with X-Google-Status %q", code, google)
		}
		return ""
	}
}

// Late says how an answer at answered to an invocation that began at
// begin with timeout came too late or too early, or "": it is due after
// the reserve the adapter keeps (deadline.Reserve), before the deadline.
func Late(begin, answered time.Time, timeout time.Duration) string {
	d := begin.Add(timeout)
	if !answered.Before(d) || answered.Before(d.Add(-deadline.Reserve(timeout)-50*time.Millisecond)) {
		return fmt.Sprintf("answered %v after the start, want shortly before the deadline %v", answered.Sub(begin), timeout)
	}
	return ""
}

// Overrunning returns an App of one function that sends its deadline to
// deadlines and overruns it, returning, after a send to returned, only
// when its context is done.
func Overrunning(deadlines chan<- time.Time, returned chan<- struct{}) *faas.App {
	app := quiet()
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		defer func() { returned <- struct{}{} }()
		d, _ := ctx.Deadline()
		deadlines <- d
		<-ctx.Done()
		return "late", ctx.Err()
	})
	return app
}

// RetryLate runs try, which says what is wrong with the time of the
// adapter's answer for a handler that overran its deadline, up to three
// times: a test machine too busy to run the adapter's timer on time makes
// it late once in a while; three times in a row is a failure, reported,
// and RetryLate returns false.
func RetryLate(t *testing.T, try func() string) bool {
	t.Helper()
	for attempt := 1; ; attempt++ {
		msg := try()
		if msg == "" {
			return true
		}
		if attempt == 3 {
			t.Error(msg)
			return false
		}
		t.Logf("attempt %d: %s", attempt, msg)
	}
}

// Log is a logger's output, one JSON record a line, safe for concurrent
// use.
type Log struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.WriteString(string(p))
}

// Records returns the records whose message contains msg.
func (l *Log) Records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.buf.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m, _ := r["msg"].(string); strings.Contains(m, msg) {
			out = append(out, r)
		}
	}
	return out
}

// CookiesAtStart returns an App of one function, logging to log, whose
// start, made by its first invocation, sets two cookies on that
// invocation's Context (a FunctionStart hook reaches it with
// faas.FromContext), and whose function overruns its deadline, returning,
// after a send to returned, only when its context is done. Its global
// layer's Logger hook makes loggers that add via=app and the request id
// under request_id; the function's own layer's, which the App sets in the
// Context as it routes, loggers that add via=function.
//
// An adapter that answers for it with a timeout error logs that the
// cookies are more than its platform's response carries, after the
// cookies were set but with nothing to order the App's start and routing,
// on the handler's goroutine, before its log line: that line must not
// read what they write (see deadline.Logger).
func CookiesAtStart(log *Log, returned chan<- struct{}) *faas.App {
	logger := slog.New(slog.NewJSONHandler(log, nil))
	app := faas.New(faas.WithLogger(logger))
	app.Use(faas.Layer{
		Name: "cookies at start",
		FunctionStart: func(ctx context.Context) error {
			if c, ok := faas.FromContext(ctx); ok {
				c.SetCookie(&http.Cookie{Name: "a", Value: "1"})
				c.SetCookie(&http.Cookie{Name: "b", Value: "2"})
			}
			return nil
		},
		Logger: func(ctx *faas.Context) *slog.Logger {
			return logger.With("via", "app", "request_id", ctx.RequestID())
		},
	})
	own := faas.Layer{Name: "own", Logger: func(*faas.Context) *slog.Logger { return logger.With("via", "function") }}
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		defer func() { returned <- struct{}{} }()
		<-ctx.Done()
		return "late", ctx.Err()
	}, faas.WithLayers(own))
	return app
}

// AnsweredLog checks the adapter's line about dropped cookies in log, which
// names msg, after a timeout answer for the invocation with request id id:
// there is one, made as the App makes the logger of an invocation it
// routes to no function (by its global layer's Logger hook, via=app, with
// the invocation's request id), not with the Logger hook of the layers
// that routing picks (via=function), nor naming the function.
func AnsweredLog(t *testing.T, log *Log, msg, id string) {
	t.Helper()
	recs := log.Records(t, msg)
	if len(recs) != 1 {
		t.Fatalf("%d log records name %q, want 1", len(recs), msg)
	}
	r := recs[0]
	if r["request_id"] != id || r["via"] != "app" || r["function"] != nil {
		t.Errorf("logged %v; want the global layer's logger (via app) with request_id %q, not the routed function's (via function, function)", r, id)
	}
}

// JSONAt returns the value a JSON pointer of object members and array
// indexes (/Records/0/s3, no ~ escapes) points to in v, a decoded JSON
// document, or nil.
func JSONAt(v any, pointer string) any {
	for _, part := range strings.Split(pointer, "/")[1:] {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// JSONValues decodes the JSON document b and returns, by pointer, the
// value each key of want points to in it (see JSONAt), to compare with
// want.
func JSONValues(t testing.TB, b []byte, want map[string]any) map[string]any {
	t.Helper()
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for p := range want {
		got[p] = JSONAt(doc, p)
	}
	return got
}

// FlakyStartError is the error with which an App using FlakyStart fails
// its first start.
const FlakyStartError = `faas: start: FunctionStart hook "db": no database`

// FlakyStart returns the layer "db", whose FunctionStart fails the first
// time it runs, with "no database", and succeeds after, and whose Close
// counts its calls in closed: for the tests of a start that fails and is
// retried on the next invocation.
func FlakyStart(closed *atomic.Int32) faas.Layer {
	var calls atomic.Int32
	return faas.Layer{
		Name: "db",
		FunctionStart: func(context.Context) error {
			if calls.Add(1) == 1 {
				return errors.New("no database")
			}
			return nil
		},
		Close: func(context.Context) error { closed.Add(1); return nil },
	}
}
