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
// its code's triggers. AppLayers takes the layers the code uses for every
// function, and PreflightLayers those of its layers that answer CORS
// preflights (from a description of Version 1 or later). The spec itself
// is not changed.
//
// The merged spec is checked as Parse checks a spec: a route declared
// twice (in f.yml, in code, or in both), the aggregation groups and the
// units they make, against the merged functions and triggers. A handler
// the code does not register, or a layer a function names that the code
// does not define (app.Define), is an error too, and so is each of the
// code's problems (faas.App.Check), under the path "code". An error about
// what the code declares names it, as code: function list:
// faas.HTTP("GET /items").
func Merge(s *Spec, code faas.Description) (*Spec, error) {
	out := *s
	out.Functions = nil
	out.Warnings = slices.Clone(s.Warnings)
	out.AppLayers = slices.Clone(code.Use)
	out.PreflightLayers = nil
	if code.Version >= 1 {
		// The code says which layers answer preflights, none included.
		out.PreflightLayers = append([]string{}, code.Preflights...)
	}
	registered := map[string]faas.FunctionInfo{}
	var names []string
	for _, f := range code.Functions {
		registered[f.Name] = f
		names = append(names, f.Name)
	}
	used := map[string]bool{}
	var errs Errors
	// What would stop the App starting, found without running it
	// (App.Check): a registration refused, a constructor's parameter that
	// nothing provides.
	for _, p := range code.Problems {
		errs = append(errs, &Error{Path: "code", Problem: p})
	}
	for _, f := range s.Functions {
		info, ok := registered[f.Handler]
		if !ok {
			pos := f.handlerPos
			if pos == (Pos{}) {
				pos = f.Pos
			}
			errs = append(errs, s.errorAt(pos, "functions."+f.Name+".handler",
				"the code registers no function %q%s (it registers %s)", f.Handler, suggestHandler(f.Handler, names), strings.Join(names, ", ")))
			continue
		}
		used[f.Handler] = true
		merged := *f
		merged.codeLayers = slices.Clone(info.Layers)
		if len(f.Events) == 0 {
			events, err := codeEvents(info, f.Name)
			if err != nil {
				errs = append(errs, err)
			}
			merged.Events = events
		} else {
			out.Warnings = append(out.Warnings, s.droppedParams(f, info)...)
		}
		errs = append(errs, s.checkLayers(f, code.Layers)...)
		out.Functions = append(out.Functions, &merged)
	}
	for _, info := range code.Functions {
		if used[info.Name] || out.Function(info.Name) != nil {
			continue
		}
		events, err := codeEvents(info, info.Name)
		if err != nil {
			errs = append(errs, err)
		}
		// The function's own layers (faas.WithLayers) stay the code's:
		// Layers names those f.yml selects, which the code must define.
		out.Functions = append(out.Functions, &Function{Name: info.Name, Handler: info.Name, Events: events, codeLayers: slices.Clone(info.Layers), fromCode: true})
	}
	if len(errs) == 0 {
		errs = append(errs, out.check()...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &out, nil
}

// checkLayers reports each layer f names in f.yml that the code, which
// defines layers, does not define.
func (s *Spec) checkLayers(f *Function, defined []string) []*Error {
	var errs []*Error
	for i, name := range f.Layers {
		if slices.Contains(defined, name) {
			continue
		}
		pos, path := f.Pos, fmt.Sprintf("functions.%s.layers[%d]", f.Name, i)
		if i < len(f.layerPos) {
			pos = f.layerPos[i]
		}
		known := "it defines none"
		if len(defined) > 0 {
			known = "it defines " + strings.Join(defined, ", ")
		}
		errs = append(errs, s.errorAt(pos, path, "the code defines no layer %q (%s): define it with app.Define", name, known))
	}
	return errs
}

// codeEvents turns the triggers a function declares in code into events,
// for the function f.yml names name.
func codeEvents(info faas.FunctionInfo, name string) ([]*Event, *Error) {
	var events []*Event
	for _, t := range info.Triggers {
		e := &Event{Trigger: t.Trigger, Key: t.Trigger, code: codeName(info, name, t)}
		fail := func(format string, args ...any) *Error {
			return &Error{Path: "code: " + e.code, Problem: fmt.Sprintf(format, args...)}
		}
		switch t.Trigger {
		case TriggerHTTP:
			p, err := route.Parse(t.Route)
			if err != nil {
				return nil, fail("%v", err)
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
				return nil, fail("%v", err)
			}
		default:
			// A trigger declared with faas.On: the platform's binding is
			// f.yml's to give.
		}
		events = append(events, e)
	}
	return events, nil
}

// suggestHandler is Suggest for handler h, which the code does not
// register, trying too, for Midway's file.export form (get.handler), the
// part of h before its first '.'.
func suggestHandler(h string, names []string) string {
	if hint := Suggest(h, names); hint != "" {
		return hint
	}
	if file, _, ok := strings.Cut(h, "."); ok {
		return Suggest(file, names)
	}
	return ""
}

// droppedParams warns of each HTTP event of f, a function whose events
// f.yml gives in place of the code's triggers, whose path leaves out a
// parameter of the routes the code registers its handler with: a path
// parameter renamed in f.yml, {id} to {sku}, leaves the handler's
// ctx.Param("id") empty, with nothing failing. A path whose parameters
// are all the code's, and hold every one of one of the code's routes, is
// not warned of: the handler serves that route, and so takes a request
// without the others (/items for GET /items beside GET /items/{id}).
func (s *Spec) droppedParams(f *Function, info faas.FunctionInfo) []*Error {
	var params, routes []string // the code's routes' parameters, and routes
	var sets [][]string         // each of the code's routes' parameters
	for _, t := range info.Triggers {
		if t.Trigger != TriggerHTTP {
			continue
		}
		p, err := route.Parse(t.Route)
		if err != nil {
			continue
		}
		sets = append(sets, p.Params())
		if len(p.Params()) == 0 {
			continue
		}
		routes = append(routes, p.String())
		for _, n := range p.Params() {
			if !slices.Contains(params, n) {
				params = append(params, n)
			}
		}
	}
	if len(params) == 0 {
		return nil
	}
	var warnings []*Error
	for i, e := range f.Events {
		if e.HTTP == nil {
			continue
		}
		p, err := route.Parse(e.HTTP.Path)
		if err != nil {
			continue // Parse reported it
		}
		has := func(n string) bool { return slices.Contains(p.Params(), n) }
		renamed := slices.ContainsFunc(p.Params(), func(n string) bool { return !slices.Contains(params, n) })
		if !renamed && slices.ContainsFunc(sets, func(set []string) bool { return !slices.ContainsFunc(set, func(n string) bool { return !has(n) }) }) {
			continue // as one of the code's routes
		}
		var missing []string
		for _, n := range params {
			if !has(n) {
				missing = append(missing, "{"+n+"}")
			}
		}
		if len(missing) > 0 {
			warnings = append(warnings, s.errorAt(e.KeyPos("path"), f.EventPath(i)+".path",
				"%s has no %s, which the handler's route in the code has (%s): ctx.Param returns \"\" for it on this route",
				e.HTTP.Path, strings.Join(missing, " or "), strings.Join(routes, ", ")))
		}
	}
	return warnings
}

// EventPath returns the key path by which errors name f's event i:
// functions.NAME.events[I].KEY for an event f.yml declares, and for one
// the code declares, which has no place in f.yml, "code: " and what
// declares it, such as code: function list: faas.HTTP("GET /x").
func (f *Function) EventPath(i int) string {
	e := f.Events[i]
	if e.code != "" {
		return "code: " + e.code
	}
	return fmt.Sprintf("functions.%s.events[%d].%s", f.Name, i, e.Key)
}

// FromCode reports whether f is a function the code registers and f.yml
// does not name, which Merge adds under its own name.
func (f *Function) FromCode() bool { return f.fromCode }

// codeName names a trigger the code declares, for errors: the function
// that declares it (and the f.yml function that takes it, if named
// otherwise, and where the code registers it, if known), and the option,
// such as function list (main.go:12): faas.HTTP("GET /x").
func codeName(info faas.FunctionInfo, name string, t faas.TriggerSpec) string {
	fn := "function " + info.Name
	var notes []string
	if name != info.Name {
		notes = append(notes, "functions."+name)
	}
	if info.Source != "" {
		notes = append(notes, info.Source)
	}
	if len(notes) > 0 {
		fn += " (" + strings.Join(notes, ", ") + ")"
	}
	switch t.Trigger {
	case TriggerHTTP:
		return fmt.Sprintf("%s: faas.HTTP(%q)", fn, t.Route)
	case TriggerTimer:
		return fmt.Sprintf("%s: faas.Timer(%q)", fn, t.Schedule)
	}
	return fmt.Sprintf("%s: faas.On(%q)", fn, t.Trigger)
}

// Manifest returns the manifest packaged with the unit for platform: its
// functions, under their f.yml names, with their triggers and layers, and
// the source of each trigger other than HTTP that has one (see
// Unit.Sources), by which the App tells apart the events of functions
// that declare the same trigger; and, of a storage event whose bucket
// another function of the unit has events of too, its filter (prefix,
// suffix, and the faas.StorageRecord.Op of its event names), by which the
// App tells apart the events of one bucket.
func (u *Unit) Manifest(platform string) *faas.Manifest {
	m := &faas.Manifest{Unit: u.Name, Platform: platform}
	sources, shared := u.Sources(platform), u.sharedBuckets()
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
				mf.Triggers = append(mf.Triggers, faas.TriggerSpec{Trigger: faas.TriggerTimer, Schedule: sched, Source: sources[e]})
			default:
				t := faas.TriggerSpec{Trigger: e.Trigger, Source: sources[e]}
				if shared[e] {
					t.Prefix, t.Suffix, t.Ops = e.Storage.Prefix, e.Storage.Suffix, recordOps(e.Storage.Events)
				}
				mf.Triggers = append(mf.Triggers, t)
			}
		}
		m.Functions = append(m.Functions, mf)
	}
	return m
}
