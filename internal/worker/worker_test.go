package worker

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/anyfaas/faas/lifecycle"
)

// records is a slog.Handler that sends the message of every record it
// handles to its channel.
type records chan string

func (r records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	r <- rec.Message
	return nil
}
func (r records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r records) WithGroup(string) slog.Handler      { return r }

// testJob runs run, and logs into log.
type testJob struct {
	run func() (any, error)
	log *slog.Logger
}

func (j testJob) Run() (any, error)    { return j.run() }
func (j testJob) Logger() *slog.Logger { return j.log }

// closer is a result that records being closed.
type closer chan struct{}

func (c closer) Close() error { close(c); return nil }

const dropMessage = "faas: the function returned after its deadline; its result is dropped"

// Do gives the outcome of a job that returns in its time, a panic's and a
// runtime.Goexit's as a logged *lifecycle.PanicError; it leaves a job
// that does not running, and drops its outcome when it returns: closed
// and logged. Idle workers wait in IdleWorker.
func TestDo(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(IdleWorker))
	errTeapot := errors.New("teapot")
	tests := []struct {
		name  string
		run   func(release <-chan struct{}, late closer) (any, error)
		wait  time.Duration
		stop  bool // whether stop is closed before Do
		ok    bool
		want  any    // the outcome's result
		err   error  // what its error is (errors.Is), if anything
		panic string // what its PanicError's stack contains, if one is wanted
		logs  []string
		// closed is whether the late result is closed before the drop is
		// logged.
		closed bool
	}{
		{name: "returns in time", wait: time.Hour, ok: true, want: "done",
			run: func(<-chan struct{}, closer) (any, error) { return "done", nil }},
		{name: "fails in time", wait: time.Hour, ok: true, err: errTeapot,
			run: func(<-chan struct{}, closer) (any, error) { return nil, errTeapot }},
		{name: "panics", wait: time.Hour, ok: true, panic: "TestDo.func", logs: []string{"panic"},
			run: func(<-chan struct{}, closer) (any, error) { panic("boom") }},
		{name: "calls runtime.Goexit", wait: time.Hour, ok: true, err: ErrGoexit, panic: "TestDo.func", logs: []string{"panic"},
			run: func(<-chan struct{}, closer) (any, error) { runtime.Goexit(); return nil, nil }},
		{name: "overruns its time", wait: time.Millisecond, logs: []string{dropMessage}, closed: true,
			run: func(release <-chan struct{}, late closer) (any, error) { <-release; return late, nil }},
		{name: "stopped", wait: time.Hour, stop: true, logs: []string{dropMessage}, closed: true,
			run: func(release <-chan struct{}, late closer) (any, error) { <-release; return late, nil }},
		{name: "stopped, Goexit after", wait: time.Hour, stop: true, logs: []string{"panic", dropMessage},
			run: func(release <-chan struct{}, late closer) (any, error) { <-release; runtime.Goexit(); return nil, nil }},
	}
	var p Pool[testJob]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := make(records, 2)
			release, late, stop := make(chan struct{}), make(closer), make(chan struct{})
			if tt.stop {
				close(stop)
			}
			j := testJob{run: func() (any, error) { return tt.run(release, late) }, log: slog.New(logs)}
			o, ok := p.Do(j, tt.wait, stop)
			close(release)
			var perr *lifecycle.PanicError
			switch {
			case ok != tt.ok || o.Result != tt.want:
				t.Errorf("Do = %v, %v; want %v, %v", o, ok, tt.want, tt.ok)
			case tt.err != nil && !errors.Is(o.Err, tt.err):
				t.Errorf("Do's error = %v, want %v", o.Err, tt.err)
			case tt.panic != "" && (!errors.As(o.Err, &perr) || !strings.Contains(string(perr.Stack), tt.panic)):
				t.Errorf("Do's error = %v, want a PanicError whose stack has %s", o.Err, tt.panic)
			case tt.panic == "" && tt.err == nil && o.Err != nil:
				t.Errorf("Do's error = %v, want none", o.Err)
			}
			// The records of a dropped outcome come when the job returns,
			// after Do: wait for them, so long.
			var got []string
			for range tt.logs {
				select {
				case m := <-logs:
					got = append(got, m)
				case <-time.After(5 * time.Second):
				}
			}
			if diff := cmp.Diff(tt.logs, got); diff != "" {
				t.Errorf("logged (-want +got):\n%s", diff)
			}
			if tt.closed {
				select {
				case <-late:
				default:
					t.Error("the late result was not closed")
				}
			}
		})
	}
}

// A worker that has run a job waits in IdleWorker for the next, and runs
// it; one whose job called runtime.Goexit is not reused.
func TestReuse(t *testing.T) {
	var p Pool[testJob]
	quick := testJob{run: func() (any, error) { return "done", nil }, log: slog.New(slog.DiscardHandler)}
	exits := testJob{run: func() (any, error) { runtime.Goexit(); return nil, nil }, log: slog.New(slog.DiscardHandler)}
	before := goleak.IgnoreCurrent()
	p.Do(quick, time.Hour, nil)
	if len(p.idle) != 1 {
		t.Fatalf("%d idle workers after a job, want 1", len(p.idle))
	}
	w := p.idle[0]
	if err := goleak.Find(before); err == nil || !strings.Contains(err.Error(), IdleWorker+"(") {
		t.Errorf("the idle worker does not wait in %s:\n%v", IdleWorker, err)
	}
	if o, ok := p.Do(quick, time.Hour, nil); !ok || o.Result != "done" || len(p.idle) != 1 || p.idle[0] != w {
		t.Errorf("the next job: %v, %v, %d idle workers; want done on the same worker", o, ok, len(p.idle))
	}
	p.Do(exits, time.Hour, nil)
	if len(p.idle) != 0 {
		t.Errorf("%d idle workers after runtime.Goexit, want 0", len(p.idle))
	}
}

// BenchmarkDo measures handing a job to a worker: as a value, as Pool
// does, against wrapping the same job in a closure, which allocates it.
func BenchmarkDo(b *testing.B) {
	log := slog.New(slog.DiscardHandler)
	run := func(inv *invocation, event any) (any, error) { return event, nil }
	b.Run("job=value", func(b *testing.B) {
		var p Pool[valueJob]
		b.ReportAllocs()
		for b.Loop() {
			p.Do(valueJob{run, &invocation{}, "e", log}, time.Hour, nil)
		}
	})
	b.Run("job=closure", func(b *testing.B) {
		var p Pool[testJob]
		b.ReportAllocs()
		for b.Loop() {
			doClosure(&p, run, &invocation{}, "e", log)
		}
	})
}

// doClosure runs run(inv, event) on a worker of p, wrapped in a closure,
// as Run would with a Pool of funcs.
func doClosure(p *Pool[testJob], run func(*invocation, any) (any, error), inv *invocation, event any, log *slog.Logger) {
	p.Do(testJob{run: func() (any, error) { return run(inv, event) }, log: log}, time.Hour, nil)
}

// invocation stands for what an invocation makes of its own, as a
// *faas.Context.
type invocation struct{ n int }

// valueJob is a job as the callers of Pool make them: what it runs on, as
// values.
type valueJob struct {
	run   func(*invocation, any) (any, error)
	inv   *invocation
	event any
	log   *slog.Logger
}

func (j valueJob) Run() (any, error)    { return j.run(j.inv, j.event) }
func (j valueJob) Logger() *slog.Logger { return j.log }
