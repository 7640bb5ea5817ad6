package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder builds hooks that record the calls made to them.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) record(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.calls
	r.calls = nil
	return calls
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// hook returns a hook named name whose phases record themselves and fail
// as fails says: "error", "panic" or "block" per phase.
func (r *recorder) hook(name string, fails map[Phase]string) Hook {
	step := func(p Phase) func(context.Context) error {
		return func(ctx context.Context) error {
			r.record(name + "." + p.String())
			switch fails[p] {
			case "error":
				return errors.New("boom")
			case "panic":
				panic("kaboom")
			case "block":
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}
	}
	return Hook{Name: name, RuntimeStart: step(RuntimeStart), FunctionStart: step(FunctionStart), Freeze: step(Freeze), Close: step(Close), End: step(End)}
}

func TestSequence(t *testing.T) {
	tests := []struct {
		name      string
		fails     map[string]map[Phase]string
		wantCalls []string
		wantErr   string // a fragment of Run's error; "" for none
	}{
		{
			name: "all succeed",
			wantCalls: []string{
				"a.RuntimeStart", "b.RuntimeStart", "c.RuntimeStart",
				"a.FunctionStart", "b.FunctionStart", "c.FunctionStart",
				"c.Close", "b.Close", "a.Close", "c.End", "b.End", "a.End",
			},
		},
		{
			name:  "runtime start fails: only what started closes",
			fails: map[string]map[Phase]string{"b": {RuntimeStart: "error"}},
			wantCalls: []string{
				"a.RuntimeStart", "b.RuntimeStart",
				"a.Close", "a.End",
			},
			wantErr: `RuntimeStart hook "b": boom`,
		},
		{
			name:  "function start fails: everything that started closes",
			fails: map[string]map[Phase]string{"b": {FunctionStart: "error"}},
			wantCalls: []string{
				"a.RuntimeStart", "b.RuntimeStart", "c.RuntimeStart",
				"a.FunctionStart", "b.FunctionStart",
				"c.Close", "b.Close", "a.Close", "c.End", "b.End", "a.End",
			},
			wantErr: `FunctionStart hook "b": boom`,
		},
		{
			name:  "start panics",
			fails: map[string]map[Phase]string{"a": {RuntimeStart: "panic"}},
			wantCalls: []string{
				"a.RuntimeStart",
			},
			wantErr: `RuntimeStart hook "a": panic: kaboom`,
		},
		{
			name:  "start times out: the hook may still hold resources, so it closes",
			fails: map[string]map[Phase]string{"b": {RuntimeStart: "block"}},
			wantCalls: []string{
				"a.RuntimeStart", "b.RuntimeStart",
				"b.Close", "a.Close", "b.End", "a.End",
			},
			wantErr: `RuntimeStart hook "b": timed out after 20ms`,
		},
		{
			name: "close failures do not stop the others",
			fails: map[string]map[Phase]string{
				"c": {Close: "error"}, "b": {Close: "panic"}, "a": {End: "block"},
			},
			wantCalls: []string{
				"a.RuntimeStart", "b.RuntimeStart", "c.RuntimeStart",
				"a.FunctionStart", "b.FunctionStart", "c.FunctionStart",
				"c.Close", "b.Close", "a.Close", "c.End", "b.End", "a.End",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			s := &Sequence{Timeout: 20 * time.Millisecond}
			for _, name := range []string{"a", "b", "c"} {
				s.Append(r.hook(name, tt.fails[name]))
			}
			err := s.Run(t.Context(), FunctionStart)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Run: %v", err)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run error = %v, want %q", err, tt.wantErr)
				}
				if again := s.Run(t.Context(), FunctionStart); again != err {
					t.Errorf("second Run = %v, want the first error again", again)
				}
			}
			s.Stop(t.Context())
			if diff := cmp.Diff(tt.wantCalls, r.got()); diff != "" {
				t.Errorf("calls mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSequenceStopErrors(t *testing.T) {
	var r recorder
	s := &Sequence{Timeout: 20 * time.Millisecond}
	s.Append(r.hook("a", map[Phase]string{End: "block"}), r.hook("b", map[Phase]string{Close: "panic"}), r.hook("c", map[Phase]string{Close: "error"}))
	if err := s.Run(t.Context(), FunctionStart); err != nil {
		t.Fatal(err)
	}
	err := s.Stop(t.Context())
	for _, want := range []string{`Close hook "c": boom`, `Close hook "b": panic: kaboom`, `End hook "a": timed out after 20ms`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Stop error %v does not contain %q", err, want)
		}
	}
	var perr *PanicError
	if !errors.As(err, &perr) || !bytes.Contains(perr.Stack, []byte("lifecycle")) {
		t.Errorf("Stop error does not carry a *PanicError with a stack: %v", err)
	}
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Stop error does not wrap ErrTimeout: %v", err)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Errorf("second Stop = %v, want nil", err)
	}
	if err := s.Run(t.Context(), RuntimeStart); err == nil {
		t.Error("Run after Stop succeeded")
	}
}

func TestSequencePhasesSeparately(t *testing.T) {
	var r recorder
	s := &Sequence{}
	s.Append(r.hook("a", nil))
	if err := s.Run(t.Context(), RuntimeStart); err != nil {
		t.Fatal(err)
	}
	s.Append(r.hook("late", nil)) // joins after RuntimeStart: counts as started
	if err := s.Run(t.Context(), RuntimeStart); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(t.Context(), FunctionStart); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(t.Context(), Close); err == nil {
		t.Error("Run(Close) succeeded")
	}
	s.Stop(t.Context())
	want := []string{"a.RuntimeStart", "a.FunctionStart", "late.FunctionStart", "late.Close", "a.Close", "late.End", "a.End"}
	if diff := cmp.Diff(want, r.got()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

func TestSequenceLogsDurations(t *testing.T) {
	var buf bytes.Buffer
	s := &Sequence{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	var r recorder
	s.Append(r.hook("db", nil), r.hook("broken", map[Phase]string{Close: "panic"}))
	s.Run(t.Context(), FunctionStart)
	s.Stop(t.Context())
	out := buf.String()
	for _, p := range []Phase{RuntimeStart, FunctionStart, Close, End} {
		for _, want := range []string{
			fmt.Sprintf(`level=DEBUG msg="phase done" phase=%s hooks=2 duration=`, p),
			fmt.Sprintf(`level=DEBUG msg="hook done" phase=%s hook=db duration=`, p),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
	}
	if !strings.Contains(out, `level=ERROR msg="hook failed" phase=Close hook=broken`) || !strings.Contains(out, "stack=") {
		t.Errorf("the panicking hook is not logged with its stack:\n%s", out)
	}
}

func TestCall(t *testing.T) {
	// The hooks that overrun return only once the test ends: one that
	// returned as its context ended would race that end, and either
	// answer would be right.
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name    string
		timeout time.Duration
		fn      func(context.Context) error
		want    string
	}{
		{"ok", time.Second, func(context.Context) error { return nil }, ""},
		{"error", time.Second, func(context.Context) error { return errors.New("x") }, "x"},
		{"panic", time.Second, func(context.Context) error { panic(errors.New("p")) }, "panic: p"},
		{"panic without timeout", 0, func(context.Context) error { panic("p") }, "panic: p"},
		{"timeout", 5 * time.Millisecond, func(context.Context) error { <-release; return nil }, "timed out after 5ms"},
	}
	for _, tt := range tests {
		err := Call(t.Context(), tt.timeout, tt.fn)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: Call = %q, want %q", tt.name, got, tt.want)
		}
	}
	// A parent that ends first is reported as such, not as a timeout.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Call(ctx, time.Second, func(context.Context) error { <-release; return nil }); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Call with a cancelled parent = %v, want context.Canceled", err)
	}
	short, cancel2 := context.WithTimeout(t.Context(), 5*time.Millisecond)
	defer cancel2()
	err := Call(short, time.Hour, func(context.Context) error { <-release; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) || strings.Contains(err.Error(), "1h") {
		t.Errorf("Call with a parent deadline before the timeout = %v", err)
	}
	// With no timeout, a hook that never returns is still abandoned when the
	// parent ends.
	if err := Call(ctx, 0, func(context.Context) error { <-release; return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Call without a timeout and a cancelled parent = %v", err)
	}
	// A panic value that is an error can be unwrapped.
	sentinel := errors.New("sentinel")
	if err := Call(t.Context(), 0, func(context.Context) error { panic(sentinel) }); !errors.Is(err, sentinel) {
		t.Errorf("panic(error) does not unwrap to it: %v", err)
	}
}

func TestPhaseString(t *testing.T) {
	got := []string{}
	for p := RuntimeStart; p <= End+1; p++ {
		got = append(got, p.String())
	}
	want := []string{"RuntimeStart", "FunctionStart", "BeforeInvoke", "Invoke", "AfterInvoke", "Freeze", "Close", "End", "Phase(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestSequenceFreeze(t *testing.T) {
	var r recorder
	s := &Sequence{Timeout: 20 * time.Millisecond}
	if err := s.Freeze(t.Context()); err != nil {
		t.Fatalf("Freeze before the start: %v", err)
	}
	s.Append(r.hook("a", map[Phase]string{Freeze: "error"}), r.hook("b", nil), r.hook("c", map[Phase]string{RuntimeStart: "error"}))
	s.Run(t.Context(), FunctionStart)
	r.take()
	err := s.Freeze(t.Context())
	if err == nil || !strings.Contains(err.Error(), `Freeze hook "a": boom`) {
		t.Errorf("Freeze = %v", err)
	}
	if diff := cmp.Diff([]string{"b.Freeze", "a.Freeze"}, r.take()); diff != "" {
		t.Errorf("freeze calls mismatch (-want +got):\n%s", diff)
	}
	s.Stop(t.Context())
	r.take()
	if err := s.Freeze(t.Context()); err != nil || len(r.take()) != 0 {
		t.Errorf("Freeze after Stop ran hooks or failed: %v", err)
	}
}

// Reset lets a Sequence whose start failed, once stopped, run again from
// RuntimeStart with the same hooks; it refuses while hooks that started
// are still open.
func TestSequenceReset(t *testing.T) {
	var r recorder
	var s Sequence
	s.Append(r.hook("a", nil), r.hook("b", map[Phase]string{FunctionStart: "error"}))
	if err := s.Run(context.Background(), FunctionStart); err == nil {
		t.Fatal("Run succeeded; want b's failure")
	}
	if err := s.Reset(); err == nil {
		t.Error("Reset before Stop succeeded")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Fatalf("Reset after Stop: %v", err)
	}
	if got := s.Timings(); len(got) != 0 {
		t.Errorf("timings after Reset: %v", got)
	}
	r.take()
	// A run after Reset that fails at once closes nothing of the first
	// run's.
	s.hooks[0] = r.hook("a", map[Phase]string{RuntimeStart: "error"})
	if err := s.Run(context.Background(), FunctionStart); err == nil {
		t.Fatal("Run succeeded; want a's failure")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.RuntimeStart"}, r.take()); diff != "" {
		t.Errorf("a run that failed at once (-want +got):\n%s", diff)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	s.hooks[0], s.hooks[1] = r.hook("a", nil), r.hook("b", nil)
	if err := s.Run(context.Background(), FunctionStart); err != nil {
		t.Fatalf("Run after Reset: %v", err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.RuntimeStart", "b.RuntimeStart", "a.FunctionStart", "b.FunctionStart",
		"b.Close", "a.Close", "b.End", "a.End",
	}
	if diff := cmp.Diff(want, r.take()); diff != "" {
		t.Errorf("the run after Reset (-want +got):\n%s", diff)
	}
}

// messages is a slog.Handler that sends each record's message on a
// channel.
type messages chan string

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	m <- r.Message
	return nil
}
func (m messages) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m messages) WithGroup(string) slog.Handler      { return m }

// TestSequenceOverrun: a hook whose RuntimeStart overran its timeout and
// still runs is not called again until it returns: its Close waits for
// it, and a retried RuntimeStart is not run beside it.
func TestSequenceOverrun(t *testing.T) {
	t.Run("Close waits for the start", func(t *testing.T) {
		release, closed := make(chan struct{}), make(chan bool, 1)
		startDone := false
		var mu sync.Mutex
		msgs := make(messages, 100)
		s := &Sequence{Timeout: time.Millisecond, Logger: slog.New(msgs)}
		s.Append(Hook{
			Name: "pool",
			RuntimeStart: func(context.Context) error {
				<-release // it ignores its context, and overruns
				mu.Lock()
				startDone = true
				mu.Unlock()
				return nil
			},
			Close: func(context.Context) error {
				mu.Lock()
				closed <- startDone
				mu.Unlock()
				return nil
			},
		})
		if err := s.Run(t.Context(), RuntimeStart); !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run = %v; want a timeout", err)
		}
		s.Timeout = time.Hour // the wait for the start is bounded by it
		stopped := make(chan error, 1)
		go func() { stopped <- s.Stop(t.Context()) }()
		for waiting := false; !waiting; {
			select {
			case m := <-msgs:
				waiting = strings.HasPrefix(m, "waiting for the hook's earlier call")
			case done := <-closed:
				t.Fatalf("Close ran while RuntimeStart still ran (it had returned: %v)", done)
			}
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if done := <-closed; !done {
			t.Error("Close ran before RuntimeStart returned")
		}
	})
	t.Run("no second start beside the first", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		var mu sync.Mutex
		starts, closes := 0, 0
		s := &Sequence{Timeout: time.Millisecond}
		s.Append(Hook{Name: "pool", RuntimeStart: func(context.Context) error {
			mu.Lock()
			starts++
			mu.Unlock()
			<-release
			return nil
		}, Close: func(context.Context) error {
			mu.Lock()
			closes++
			mu.Unlock()
			return nil
		}})
		if err := s.Run(t.Context(), RuntimeStart); !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run = %v; want a timeout", err)
		}
		if err := s.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		err := s.Run(t.Context(), RuntimeStart)
		var herr *HookError
		if !errors.As(err, &herr) || herr.Hook != "pool" || !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "earlier call") {
			t.Errorf("the retried Run = %v; want pool's wait for its earlier call to time out", err)
		}
		// The first start may yet hold what Close releases: the retried
		// start's Stop closes it again.
		if err := s.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if starts != 1 {
			t.Errorf("RuntimeStart ran %d times; want once, not again beside the first", starts)
		}
		if closes != 2 {
			t.Errorf("Close ran %d times; want twice, once after each start that still ran", closes)
		}
	})
	t.Run("no second start beside the first when Close overran too", func(t *testing.T) {
		release, closeRelease, closeDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
		defer close(release)
		var mu sync.Mutex
		starts := 0
		s := &Sequence{Timeout: time.Millisecond}
		s.Append(Hook{
			Name: "pool",
			RuntimeStart: func(context.Context) error {
				mu.Lock()
				starts++
				mu.Unlock()
				<-release
				return nil
			},
			Close: func(context.Context) error {
				defer close(closeDone)
				<-closeRelease // it overruns too, and returns before the start
				return nil
			},
		})
		if err := s.Run(t.Context(), RuntimeStart); !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run = %v; want a timeout", err)
		}
		s.Stop(t.Context()) // Close waits for the start in vain, then overruns
		close(closeRelease)
		<-closeDone
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		if err := s.Run(t.Context(), RuntimeStart); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "earlier call") {
			t.Errorf("the retried Run = %v; want pool's wait for its earlier start to time out", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if starts != 1 {
			t.Errorf("RuntimeStart ran %d times; want once, not again beside the first", starts)
		}
	})
}
