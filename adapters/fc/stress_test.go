package fc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/deadline"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
)

// loadAPI is FC's runtime API under load: it answers at most concurrency
// polls of next whose invocations have not been answered, as FC does with
// an instance concurrency, hands out total invocations, and checks that
// each answer comes back under the id of the invocation it answers.
type loadAPI struct {
	total      int
	panicEvery int // the invocations n%panicEvery == 0 panic; 0 for none
	slots      chan struct{}
	next       atomic.Int64 // the next invocation's number
	stop       chan struct{}

	mu       sync.Mutex
	answered map[int]string // n → "response" or "error"
	errs     []string
	done     chan struct{} // closed when every invocation is answered
}

func newLoadAPI(total, concurrency, panicEvery int) *loadAPI {
	return &loadAPI{
		total: total, panicEvery: panicEvery,
		slots:    make(chan struct{}, concurrency),
		stop:     make(chan struct{}),
		answered: make(map[int]string, total),
		done:     make(chan struct{}),
	}
}

func (a *loadAPI) fail(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) < 20 {
		a.errs = append(a.errs, fmt.Sprintf(format, args...))
	}
}

func (a *loadAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, apiPrefix)
	if r.Method == http.MethodGet && rest == "next" {
		select {
		case a.slots <- struct{}{}:
		case <-a.stop:
			return
		case <-r.Context().Done():
			return
		}
		n := int(a.next.Add(1) - 1)
		if n >= a.total {
			<-a.slots
			select { // nothing more to hand out: hold the poll, as FC does
			case <-a.stop:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("X-Fc-Request-Id", "req-"+strconv.Itoa(n))
		w.Header().Set("X-Fc-Function-Deadline", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		w.Header().Set("X-Fc-Function-Timeout", "60")
		fmt.Fprintf(w, `{"n":%d}`, n)
		return
	}
	id, kind, ok := strings.Cut(rest, "/")
	n, err := strconv.Atoi(strings.TrimPrefix(id, "req-"))
	if r.Method != http.MethodPost || !ok || err != nil || (kind != "response" && kind != "error") {
		a.fail("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	panicked := a.panicEvery > 0 && n%a.panicEvery == 0
	switch {
	case panicked && kind == "error":
		var report struct{ ErrorMessage, ErrorType string }
		if json.Unmarshal(body, &report) != nil || report.ErrorType != "PanicError" || !strings.Contains(report.ErrorMessage, fmt.Sprintf("panic %d", n)) {
			a.fail("%s: the panic's report is %s", id, body)
		}
	case !panicked && kind == "response":
		if want := fmt.Sprintf(`{"id":"req-%d","n":%d}`, n, n); string(body) != want {
			a.fail("%s: answered with %s, want %s", id, body, want)
		}
	default:
		a.fail("%s: posted to %s: %s", id, kind, body)
	}
	a.mu.Lock()
	if prev, dup := a.answered[n]; dup {
		a.errs = append(a.errs, fmt.Sprintf("%s answered twice (%s, then %s)", id, prev, kind))
	}
	a.answered[n] = kind
	if len(a.answered) == a.total {
		close(a.done)
	}
	a.mu.Unlock()
	<-a.slots
}

// invokeLoad runs fc.Serve against a loadAPI until it has answered every
// invocation, stops it, and checks that nothing it started is left.
func invokeLoad(t *testing.T, total, concurrency, panicEvery int) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	api := newLoadAPI(total, concurrency, panicEvery)
	srv := httptest.NewServer(api)
	defer srv.Close()

	var inFlight, peak, arrived atomic.Int64
	// The first invocations wait until concurrency of them have arrived:
	// they run at once, which only the instance's concurrency allows.
	together := make(chan struct{})
	app := newApp(func(ctx *faas.Context, event any) (any, error) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
		}
		var in struct{ N int }
		if err := json.Unmarshal(event.(*faas.RawEvent).JSON, &in); err != nil {
			return nil, err
		}
		if ctx.RequestID() != "req-"+strconv.Itoa(in.N) {
			return nil, fmt.Errorf("invocation %d runs with the id %s", in.N, ctx.RequestID())
		}
		if in.N < concurrency {
			if arrived.Add(1) == int64(concurrency) {
				close(together)
			}
			select {
			case <-together:
			case <-time.After(time.Minute):
				return nil, fmt.Errorf("invocation %d: %d invocations ran at once, want %d", in.N, arrived.Load(), concurrency)
			}
		}
		time.Sleep(time.Duration(in.N%4) * 250 * time.Microsecond) // some take longer than others
		if panicEvery > 0 && in.N%panicEvery == 0 {
			panic(fmt.Sprintf("panic %d", in.N))
		}
		return map[string]any{"id": ctx.RequestID(), "n": in.N}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- fc.Serve(ctx, strings.TrimPrefix(srv.URL, "http://"), app) }()

	select {
	case <-api.done:
	case <-time.After(2 * time.Minute):
		api.mu.Lock()
		t.Errorf("%d of %d invocations answered", len(api.answered), total)
		api.mu.Unlock()
	}
	cancel()
	close(api.stop)
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if err := app.Close(context.Background()); err != nil {
		t.Errorf("Close = %v", err)
	}
	api.mu.Lock()
	for _, e := range api.errs {
		t.Error(e)
	}
	api.mu.Unlock()
	if p := peak.Load(); p != int64(concurrency) {
		t.Errorf("at most %d invocations ran at once, want %d", p, concurrency)
	}
	t.Logf("%d invocations, up to %d at once", total, peak.Load())
	srv.Close()
}

// With an instance concurrency of 100, 10 000 invocations, 1 % of which
// panic: each is answered once, under its own id, with its own result, a
// panic with FC's error JSON of errorType PanicError; the loop keeps
// serving, and nothing it started is left running once it has stopped.
func TestConcurrentInvocations(t *testing.T) {
	invokeLoad(t, adaptertest.Total(), 100, 100)
}

// The custom runtime under the same load, in process: 1 % of 10 000
// invocations panic, eight at once, half of them events and half HTTP
// requests; every panic is a failure FC sees (x-fc-status: 404) whose
// answer does not show it, every other invocation gets its own answer.
func TestCustomRuntimePanicsUnderLoad(t *testing.T) {
	h := fc.NewHandler(adaptertest.Numbered())
	adaptertest.Spread(t, adaptertest.Total(), 8, func(n int) string {
		var r *http.Request
		if n%2 == 0 {
			r = httptest.NewRequest(http.MethodPost, "/invoke", strings.NewReader(fmt.Sprintf(`{"n":%d}`, n)))
			r.Header.Set("X-Fc-Control-Path", "/invoke")
		} else {
			r = httptest.NewRequest(http.MethodGet, "/"+strconv.Itoa(n), nil)
			r.Header.Set("X-Fc-Control-Path", "/http-invoke")
		}
		r.Header.Set("X-Fc-Request-Id", "req-"+strconv.Itoa(n))
		r.Header.Set("X-Fc-Function-Timeout", "60")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch {
		case n%100 == 0 && (w.Header().Get("X-Fc-Status") != "404" || w.Code < 400 || strings.Contains(w.Body.String(), "panic") != (n%2 == 0)):
			// An event's error JSON names the panic; an HTTP response
			// never shows it.
			return fmt.Sprintf("%d: the panic was answered %d %v %s", n, w.Code, w.Header(), w.Body)
		case n%100 != 0 && (w.Code != http.StatusOK || w.Body.String() != fmt.Sprintf(`{"n":%d}`, n)):
			return fmt.Sprintf("%d: answered %d %s", n, w.Code, w.Body)
		}
		return ""
	})
}
