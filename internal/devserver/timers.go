package devserver

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/spec"
)

// nextTick is when a timer fires next; tests make it sooner.
var nextTick = spec.Next

// startTimers fires every enabled timer of the generation's functions on
// its schedule, until the generation closes.
func (gen *generation) startTimers(ctx context.Context, s *Server) {
	ctx, gen.stopTimers = context.WithCancel(ctx)
	for fn, run := range gen.byFunction {
		f := gen.spec.Function(fn)
		if f == nil {
			continue
		}
		for _, e := range f.Events {
			if e.Timer == nil || !e.Timer.Enable {
				continue
			}
			// The sample carries the timer's deployed name, by which the
			// unit's App routes it, as the platform's events do.
			name := cmp.Or(gen.spec.EventSource(s.cfg.Platform, e), fn)
			gen.timers.Go(func() { s.runTimer(ctx, run, fn, name, e, gen.spec.Provider.Project) })
		}
	}
}

// runTimer fires one timer of function fn, deployed under name, until
// ctx is done; project is provider.project.
// It says when the timer fires first, so that one waiting for it knows
// how long.
func (s *Server) runTimer(ctx context.Context, run *unitRun, fn, name string, e *spec.Event, project string) {
	for first := true; ; first = false {
		next, err := nextTick(e.Timer, time.Now())
		if err != nil {
			fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s: %v\n", fn, err)
			return
		}
		if first {
			fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s (%s %s) fires first at %s, in %s\n",
				fn, e.Timer.Type, e.Timer.Value, next.Format(time.TimeOnly), time.Until(next).Round(time.Second))
		}
		wait := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
		s.fireTimer(ctx, run, fn, name, e, project)
	}
}

// fireTimer invokes fn with the platform's timer event named name; e is
// the timer, whose payload Config.Event puts in the event, as it does for
// a timer invoked by hand, and project provider.project.
func (s *Server) fireTimer(ctx context.Context, run *unitRun, fn, name string, e *spec.Event, project string) {
	overrides := map[string]string{}
	TimerDefaults(overrides, name, time.Now())
	event, err := s.cfg.Event(s.cfg.Platform, "timer", e, project, overrides)
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s: %v\n", fn, err)
		return
	}
	res, err := run.emu.Invoke(emulator.WithFunction(ctx, fn), event)
	switch {
	case err != nil:
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s: %v\n", fn, err)
	case res.Error != nil:
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s fired: %s (%d ms)\n", fn, res.Error, res.Duration.Milliseconds())
	default:
		fmt.Fprintf(s.cfg.Log, "anyfaas dev: timer of %s fired: ok (%d ms)\n", fn, res.Duration.Milliseconds())
	}
}
