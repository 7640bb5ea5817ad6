package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
)

// Merge returns the spec with the functions and triggers the code declares
// (a faas.Description, as a binary prints it with FAAS_DESCRIBE=1) merged
// in, f.yml winning: a function of f.yml with events keeps them; one
// without takes its handler's triggers from the code; a function the code
// registers and no f.yml function names is added under its own name with
// its code's triggers. A handler the code does not register is an error
// at its position. The spec itself is not changed.
func Merge(s *Spec, code faas.Description) (*Spec, error) {
	out := *s
	out.Functions = nil
	registered := map[string]faas.FunctionInfo{}
	var names []string
	for _, f := range code.Functions {
		registered[f.Name] = f
		names = append(names, f.Name)
	}
	used := map[string]bool{}
	var errs Errors
	for _, f := range s.Functions {
		info, ok := registered[f.Handler]
		if !ok {
			errs = append(errs, &Error{File: s.File, Line: f.Pos.Line, Column: f.Pos.Column, Path: "functions." + f.Name + ".handler",
				Problem: fmt.Sprintf("the code registers no function %q (it registers %s)", f.Handler, strings.Join(names, ", "))})
			continue
		}
		used[f.Handler] = true
		merged := *f
		if len(f.Events) == 0 {
			events, err := codeEvents(info)
			if err != nil {
				errs = append(errs, &Error{File: s.File, Line: f.Pos.Line, Column: f.Pos.Column, Path: "functions." + f.Name, Problem: err.Error()})
			}
			merged.Events = events
		}
		out.Functions = append(out.Functions, &merged)
	}
	for _, info := range code.Functions {
		if used[info.Name] || out.Function(info.Name) != nil {
			continue
		}
		events, err := codeEvents(info)
		if err != nil {
			errs = append(errs, &Error{File: s.File, Path: "code function " + info.Name, Problem: err.Error()})
		}
		out.Functions = append(out.Functions, &Function{Name: info.Name, Handler: info.Name, Events: events, Layers: slices.Clone(info.Layers)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &out, nil
}

// codeEvents turns the triggers a function declares in code into events.
func codeEvents(info faas.FunctionInfo) ([]*Event, error) {
	var events []*Event
	for _, t := range info.Triggers {
		e := &Event{Trigger: t.Trigger, Key: t.Trigger}
		switch t.Trigger {
		case TriggerHTTP:
			p, err := route.Parse(t.Route)
			if err != nil {
				return nil, err
			}
			e.HTTP = &HTTPEvent{Path: p.Path}
			if p.Method != route.Any {
				e.HTTP.Methods = []string{p.Method}
			}
		case TriggerTimer:
			e.Timer = &TimerEvent{Type: "cron", Value: t.Schedule, Enable: true}
			if d, ok := strings.CutPrefix(t.Schedule, "@every "); ok {
				e.Timer.Type, e.Timer.Value = "every", strings.TrimSpace(d)
			}
			var err error
			if e.Timer.Type == "every" {
				_, err = everyDuration(e.Timer.Value)
			} else {
				e.Timer.Value, err = checkCron(e.Timer.Value)
			}
			if err != nil {
				return nil, fmt.Errorf("timer %q declared in code: %v", t.Schedule, err)
			}
		default:
			// A trigger declared with faas.On: the platform's binding is
			// f.yml's to give.
		}
		events = append(events, e)
	}
	return events, nil
}

// Manifest returns the manifest packaged with the unit for platform: its
// functions, under their f.yml names, with their triggers and layers.
func (u *Unit) Manifest(platform string) *faas.Manifest {
	m := &faas.Manifest{Unit: u.Name, Platform: platform}
	for _, f := range u.Functions {
		mf := faas.ManifestFunction{Name: f.Name, Handler: f.Handler, Layers: f.Layers}
		mf.Triggers = []faas.TriggerSpec{}
		for _, e := range f.Events {
			switch {
			case e.HTTP != nil:
				methods := e.HTTP.Methods
				if len(methods) == 0 {
					methods = []string{route.Any}
				}
				for _, m := range methods {
					mf.Triggers = append(mf.Triggers, faas.TriggerSpec{Trigger: faas.TriggerHTTP, Route: m + " " + e.HTTP.Path})
				}
			case e.Timer != nil:
				sched := e.Timer.Value
				if e.Timer.Type == "every" {
					sched = "@every " + sched
				}
				mf.Triggers = append(mf.Triggers, faas.TriggerSpec{Trigger: faas.TriggerTimer, Schedule: sched})
			default:
				mf.Triggers = append(mf.Triggers, faas.TriggerSpec{Trigger: e.Trigger})
			}
		}
		m.Functions = append(m.Functions, mf)
	}
	return m
}
