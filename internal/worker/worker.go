// Package worker runs jobs on pooled goroutines for a caller that waits
// for a job only so long: when it stops waiting, the job is left running
// and its outcome, once it comes, is dropped.
//
// The adapters answer for a handler that overruns the platform's deadline
// this way (internal/deadline), and an App for a function that overruns a
// timeout of its own (faas.WithFunctionTimeouts). Both give the caller the
// job's outcome when it returns in time, and when it does not, leave it
// running: its late result is closed, if it is an io.Closer, and the drop
// logged. A panic the job does not recover, and a runtime.Goexit, are its
// outcome's error, a *lifecycle.PanicError, logged with its stack.
package worker

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/anyfaas/faas/lifecycle"
)

// A Job is work to run on a worker goroutine.
type Job interface {
	// Run does the work and returns its outcome.
	Run() (any, error)
	// Logger returns the logger for what is logged about the job once Run
	// has ended: a panic, a runtime.Goexit, a dropped outcome. It is called
	// on the worker's goroutine, after Run.
	Logger() *slog.Logger
}

// Outcome is what a job returned.
type Outcome struct {
	Result any
	Err    error
}

// ErrGoexit is the error, wrapped in a *lifecycle.PanicError, of a job
// that called runtime.Goexit.
var ErrGoexit = errors.New("faas: the function called runtime.Goexit")

// IdleWorker is the function in which a worker waits for its next job: the
// top of its goroutine's stack, for a goroutine leak check
// (goleak.IgnoreTopFunction) to leave out. A worker running a job has the
// job's frames on top.
const IdleWorker = "github.com/anyfaas/faas/internal/worker.(*worker[...]).loop"

// maxIdle bounds the workers a Pool keeps waiting for a job: as many as
// ran at the same time, up to it. A worker finishing when as many wait
// ends.
const maxIdle = 256

// A Pool keeps the workers that run jobs of type J. Its zero value is
// ready to use.
//
// Workers are kept and reused rather than started per job: a goroutine
// starts with a small stack, which grows by doubling as a job deepens it,
// each growth copying every frame on it; a reused worker keeps the stack
// its jobs grew. Starting a goroutine, growing its stack, and making its
// channel and timer cost about 2.5 µs an invocation; handing one to a
// waiting worker, a fraction of that (bench/'s BenchmarkDeadline). A Pool
// is generic over the job so that a job is handed over as a value:
// wrapping it in a func or an interface would allocate it.
type Pool[J Job] struct {
	mu sync.Mutex
	// idle holds the workers waiting for a job, the most recently used
	// last, whose stack is the likeliest to be grown.
	idle []*worker[J]
}

// Do runs j on a worker and returns its outcome, with ok true, if it
// returns within wait and before stop (which may be nil) is closed.
// Otherwise ok is false and j is left running; when it returns, its
// outcome is dropped (a result that is an io.Closer closed) and the drop
// logged with j's Logger.
func (p *Pool[J]) Do(j J, wait time.Duration, stop <-chan struct{}) (o Outcome, ok bool) {
	w := p.take()
	w.start(j)
	w.timer.Reset(wait)
	select {
	case <-w.done:
		w.timer.Stop()
		return w.release(), true
	case <-w.timer.C:
	case <-stop:
		w.timer.Stop() // and, since Go 1.23, no value left in its channel
	}
	w.mu.Lock()
	if w.finished {
		w.mu.Unlock()
		<-w.done
		return w.release(), true
	}
	w.abandoned = true
	w.mu.Unlock()
	return Outcome{}, false
}

// A worker is a goroutine that runs jobs, one at a time, for Do, which
// waits for its outcome or for its time to run out, whichever comes first.
type worker[J Job] struct {
	pool  *Pool[J]
	jobs  chan J        // the next job to run
	done  chan struct{} // receives once a job has finished, unless abandoned
	timer *time.Timer   // Do's, reused: stopped while the worker is idle

	mu        sync.Mutex
	finished  bool // the job has returned its outcome
	abandoned bool // Do stopped waiting for it: its outcome is dropped
	outcome   Outcome
	gone      bool // its goroutine ended (runtime.Goexit); set before done
}

// take returns a waiting worker, or starts one.
func (p *Pool[J]) take() *worker[J] {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return w
	}
	p.mu.Unlock()
	w := &worker[J]{pool: p, jobs: make(chan J), done: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	w.timer.Stop()
	go w.loop()
	return w
}

// park puts w back with the waiting workers, and reports whether it was
// kept.
func (w *worker[J]) park() bool {
	p := w.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= maxIdle {
		return false
	}
	p.idle = append(p.idle, w)
	return true
}

// start hands w a job to run.
func (w *worker[J]) start(j J) {
	w.finished, w.abandoned, w.outcome = false, false, Outcome{}
	w.jobs <- j
}

// release returns the outcome of the job w finished, and puts w back with
// the waiting workers. When it is not kept, its goroutine ends.
func (w *worker[J]) release() Outcome {
	o := w.outcome
	w.outcome = Outcome{}
	if w.gone || !w.park() {
		close(w.jobs)
	}
	return o
}

// loop runs w's jobs until w is no longer kept.
func (w *worker[J]) loop() {
	for j := range w.jobs {
		if !w.run(j) {
			return
		}
	}
}

// run runs j and hands over its outcome, and reports whether w goes on
// with another job. A job calling runtime.Goexit ends w's goroutine once
// run's deferred call has handed over ErrGoexit.
func (w *worker[J]) run(j J) (more bool) {
	returned := false
	defer func() {
		if !returned {
			// Not put back with the waiting workers; the stack has the
			// frames of Goexit's caller.
			w.gone = true
			w.finish(j, Outcome{Err: recovered(j, ErrGoexit)})
		}
	}()
	o := invoke(j)
	returned = true
	return w.finish(j, o)
}

// finish hands over o, the outcome of j: to Do, unless it has stopped
// waiting for it; then o is dropped and w put back with the waiting
// workers. It reports whether w goes on with another job.
func (w *worker[J]) finish(j J, o Outcome) bool {
	w.mu.Lock()
	if w.abandoned {
		w.mu.Unlock()
		dropped(j, o)
		return !w.gone && w.park()
	}
	w.finished, w.outcome = true, o
	w.mu.Unlock()
	w.done <- struct{}{}
	return true
}

// invoke is j.Run, with a panic turned into its outcome's error, since it
// runs on a goroutine of its own.
func invoke[J Job](j J) (o Outcome) {
	defer func() {
		if v := recover(); v != nil {
			o = Outcome{Err: recovered(j, v)}
		}
	}()
	o.Result, o.Err = j.Run()
	return o
}

// recovered returns the *lifecycle.PanicError of j's panic with value v,
// and logs it with its stack, as an App logs the panics it recovers.
func recovered[J Job](j J, v any) error {
	perr := lifecycle.Recovered(v)
	j.Logger().Error("panic", "error", perr, "stack", string(perr.Stack))
	return perr
}

// dropped disposes of the outcome of a job that returned after Do stopped
// waiting for it.
func dropped[J Job](j J, o Outcome) {
	if c, ok := o.Result.(io.Closer); ok {
		c.Close()
	}
	j.Logger().Warn("faas: the function returned after its deadline; its result is dropped", "error", o.Err)
}
