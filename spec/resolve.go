package spec

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
)

// Unit is a deployment unit: one deployed function of the platform, the
// built binary serving one or more of the spec's functions.
type Unit struct {
	// Name is what the unit is deployed as: the aggregation group's name,
	// or the function's (its UnitName if it has one).
	Name string
	// Functions are the functions the unit serves, in the spec's order.
	Functions []*Function
	// Group is the aggregation group of an aggregated unit, nil for a
	// function deployed on its own.
	Group *Aggregation
	// Prefix is, for an aggregated unit with HTTP routes, the route a
	// gateway sends to it: the members' common path prefix and /*, as
	// Midway computes it ("/*" when they have none in common).
	Prefix string
}

// Units resolves the spec's functions and aggregation groups into
// deployment units: each group is one unit; each function no group
// claims, or whose group says deployOrigin, is one of its own.
func (s *Spec) Units() []*Unit {
	units, _ := s.resolve()
	return units
}

// Settings returns what the unit's platform function is given: the
// provider's defaults overridden by its function's, or for a group the
// largest memory, timeout and concurrency of its members and all of their
// environments (Parse and Merge refuse a group whose members would see a
// variable differently). Its EnvPos gives the key of the setting that
// wins for each variable.
//
// A group's members keep their own timeouts (theirs, or the provider's):
// those shorter than the unit's are in its environment as
// faas.FunctionTimeoutsEnv, such as "api=3s,report=10s", by which the App
// holds each of them to its own (faas.WithFunctionTimeouts). A member
// that neither it nor the provider gives a timeout has the unit's.
func (u *Unit) Settings(p Provider) Settings {
	out := p.Function
	out.Environment = map[string]string{}
	out.envPos = map[string]Pos{}
	out.keyPos = nil // the unit's settings merge several
	for k, v := range p.Function.Environment {
		out.Environment[k] = v
	}
	maps.Copy(out.envPos, p.Function.envPos)
	for _, f := range u.Functions {
		if u.Group == nil {
			if f.Runtime != "" {
				out.Runtime = f.Runtime
			}
			if f.Description != "" {
				out.Description = f.Description
			}
		}
		out.MemorySize = max(out.MemorySize, f.MemorySize)
		out.Timeout = max(out.Timeout, f.Timeout)
		out.InitTimeout = max(out.InitTimeout, f.InitTimeout)
		out.Concurrency = max(out.Concurrency, f.Concurrency)
		for k, v := range f.Environment {
			out.Environment[k] = v
			if pos, ok := f.envPos[k]; ok {
				out.envPos[k] = pos
			} else {
				delete(out.envPos, k)
			}
		}
	}
	if u.Group != nil {
		if v := u.functionTimeouts(p, out.Timeout); v != "" {
			out.Environment[faas.FunctionTimeoutsEnv] = v
			delete(out.envPos, faas.FunctionTimeoutsEnv)
		}
	}
	if u.Group == nil && len(u.Functions) == 1 {
		f := u.Functions[0]
		if f.MemorySize != 0 {
			out.MemorySize = f.MemorySize
		}
		if f.Timeout != 0 {
			out.Timeout = f.Timeout
		}
	}
	return out
}

// functionTimeouts returns the value of faas.FunctionTimeoutsEnv for
// group unit u, whose timeout is unit: the name and timeout of each member
// whose own timeout (or else the provider's) is shorter, or "" if none is.
func (u *Unit) functionTimeouts(p Provider, unit int) string {
	var pairs []string
	for _, f := range u.Functions {
		if own := cmp.Or(f.Timeout, p.Function.Timeout); own > 0 && own < unit {
			pairs = append(pairs, fmt.Sprintf("%s=%ds", f.Name, own))
		}
	}
	return strings.Join(pairs, ",")
}

// member is a function a group holds, and where the group names it.
type member struct {
	f  *Function
	at itemPos
}

// resolve builds the units and reports the aggregation problems.
func (s *Spec) resolve() ([]*Unit, []*Error) {
	var errs []*Error
	fail := func(pos Pos, path, format string, args ...any) {
		errs = append(errs, s.errorAt(pos, path, format, args...))
	}
	claimed := map[string]*Aggregation{}
	var units []*Unit
	prefixes := map[string]*Aggregation{}
	for _, g := range s.Aggregation {
		path := "aggregation." + g.Name
		var members []member
		if len(g.Functions) > 0 {
			for i, name := range g.Functions {
				at := itemPos{g.Pos, path + ".functions"}
				if i < len(g.functionPos) {
					at = g.functionPos[i]
				}
				f := s.Function(name)
				if f == nil {
					fail(at.Pos, at.path, "no function is named %q", name)
					continue
				}
				members = append(members, member{f, at})
			}
		} else {
			// As in Midway, patterns pass over a function an earlier
			// group holds, so that a specific group first and a
			// catch-all '*' after it split the functions between them.
			var held []string
			for _, f := range s.Functions {
				if !matchAll(g.Patterns, f.Name) {
					continue
				}
				if other := claimed[f.Name]; other != nil {
					held = append(held, fmt.Sprintf("%s (group %s)", f.Name, other.Name))
					continue
				}
				members = append(members, member{f, itemPos{g.Pos, path}})
			}
			if len(members) == 0 {
				at := g.patternsPos
				if at.Line == 0 {
					at = itemPos{g.Pos, path + ".functionsPattern"}
				}
				if len(held) > 0 {
					fail(at.Pos, at.path, "the patterns %s match only functions earlier groups hold: %s", strings.Join(g.Patterns, ", "), strings.Join(held, ", "))
				} else {
					fail(at.Pos, at.path, "the patterns %s match no function", strings.Join(g.Patterns, ", "))
				}
			}
		}
		u := &Unit{Name: g.Name, Group: g}
		for _, m := range members {
			switch other := claimed[m.f.Name]; {
			case other == g:
				fail(m.at.Pos, m.at.path, "function %q is listed twice", m.f.Name)
				continue
			case other != nil:
				fail(m.at.Pos, m.at.path, "function %q is already in group %q (%s): a function belongs to one group", m.f.Name, other.Name, s.at(other.Pos))
				continue
			}
			claimed[m.f.Name] = g
			u.Functions = append(u.Functions, m.f)
		}
		if prefix, ok := commonPrefix(u.Functions); ok {
			u.Prefix = prefix
			if other := prefixes[prefix]; other != nil {
				fail(g.Pos, path, "group %q routes %s, as group %q does (%s): a gateway could not tell them apart", g.Name, prefix, other.Name, s.at(other.Pos))
			}
			prefixes[prefix] = g
		}
		units = append(units, u)
	}
	for _, f := range s.Functions {
		if g := claimed[f.Name]; g == nil || g.DeployOrigin {
			units = append(units, &Unit{Name: cmp.Or(f.UnitName, f.Name), Functions: []*Function{f}})
		}
	}
	// Keep the spec's order of functions within each group.
	for _, u := range units {
		slices.SortStableFunc(u.Functions, func(a, b *Function) int {
			return slices.Index(s.Functions, a) - slices.Index(s.Functions, b)
		})
	}
	for _, u := range units {
		if u.Group != nil {
			errs = append(errs, s.envConflicts(u)...)
			errs = append(errs, s.indistinct(u)...)
		}
	}
	errs = append(errs, s.unitCollisions(units, claimed)...)
	return units, errs
}

// errorAt is an Error at pos in the spec file; at no position (zero pos)
// and with a path that names code (see Event.code), one about what the
// code declares.
func (s *Spec) errorAt(pos Pos, path, format string, args ...any) *Error {
	e := &Error{File: s.File, Line: pos.Line, Column: pos.Column, Path: path, Problem: fmt.Sprintf(format, args...)}
	if pos.Line == 0 && strings.HasPrefix(path, "code: ") {
		e.File = ""
	}
	return e
}

// at formats a position in the spec file for an error's text.
func (s *Spec) at(pos Pos) string {
	return fmt.Sprintf("%s:%d:%d", s.File, pos.Line, pos.Column)
}

// unitCollisions reports units that would deploy under one name: a group
// named as a function deployed on its own (one no group holds, or one
// whose group says deployOrigin), or two functions whose name keys say
// the same.
func (s *Spec) unitCollisions(units []*Unit, claimed map[string]*Aggregation) []*Error {
	// place says where a unit is declared: its position and key path,
	// what it is, and where, as an error names them.
	place := func(u *Unit) (pos Pos, path, what, where string) {
		if g := u.Group; g != nil {
			return g.Pos, "aggregation." + g.Name, fmt.Sprintf("group %q", g.Name), s.at(g.Pos)
		}
		f := u.Functions[0]
		pos, path, what, where = f.Pos, "functions."+f.Name, fmt.Sprintf("function %q", f.Name), s.at(f.Pos)
		switch {
		case f.UnitName != "":
			pos, path, where = f.namePos, path+".name", s.at(f.namePos)+", its name key"
		case f.Pos.Line == 0:
			path, where = "code: function "+f.Name, "registered in code"
		}
		if g := claimed[f.Name]; g != nil {
			where += fmt.Sprintf(", which group %q deploys on its own too (deployOrigin)", g.Name)
		} else {
			where += ", which no group holds"
		}
		return pos, path, what, where
	}
	var errs []*Error
	byName := map[string]*Unit{}
	for _, u := range units {
		other := byName[u.Name]
		if other == nil {
			byName[u.Name] = u
			continue
		}
		// Report at the group, if one is; else at the later function.
		here, there := u, other
		if other.Group != nil {
			here, there = other, u
		}
		pos, path, what, _ := place(here)
		_, _, otherWhat, otherWhere := place(there)
		errs = append(errs, s.errorAt(pos, path, "%s would deploy as %q, as %s does (%s): rename one", what, u.Name, otherWhat, otherWhere))
	}
	return errs
}

// envConflicts reports the variables the functions of group unit u would
// see differently from what they set: two members setting one to
// different values, or a member setting one that another takes from the
// provider's environment.
func (s *Spec) envConflicts(u *Unit) []*Error {
	type setting struct {
		value string
		f     *Function
	}
	var errs []*Error
	set := map[string]setting{}
	for _, f := range u.Functions {
		for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
			v := f.Environment[k]
			prev, ok := set[k]
			if !ok {
				set[k] = setting{v, f}
				continue
			}
			if prev.value != v {
				errs = append(errs, s.errorAt(f.envPos[k], "functions."+f.Name+".environment."+k,
					"group %q deploys functions %s and %s as one unit, but %s sets %s to %q (%s) and %s to %q: give both one value, or deploy them apart",
					u.Name, prev.f.Name, f.Name, prev.f.Name, k, prev.value, s.at(prev.f.envPos[k]), f.Name, v))
			}
		}
	}
	provider := s.Provider.Function
	for _, k := range slices.Sorted(maps.Keys(provider.Environment)) {
		st, ok := set[k]
		if !ok || st.value == provider.Environment[k] {
			continue
		}
		for _, f := range u.Functions {
			if _, sets := f.Environment[k]; !sets {
				errs = append(errs, s.errorAt(st.f.envPos[k], "functions."+st.f.Name+".environment."+k,
					"group %q deploys functions %s and %s as one unit, but %s sets %s to %q and %s takes %q from provider.environment (%s): give both one value, or deploy them apart",
					u.Name, st.f.Name, f.Name, st.f.Name, k, st.value, f.Name, provider.Environment[k], s.at(provider.envPos[k])))
				break
			}
		}
	}
	return errs
}

// matchAll reports whether name matches the patterns: at least one that
// does not start with "!" (or none is given) and none of those that do.
func matchAll(patterns []string, name string) bool {
	positive, matched := false, false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if m, _ := filepath.Match(neg, name); m {
				return false
			}
			continue
		}
		positive = true
		if m, _ := filepath.Match(p, name); m {
			matched = true
		}
	}
	return matched || !positive
}

// commonPrefix returns the route a gateway sends to a group: the literal
// segments its members' HTTP paths share, cut before the first parameter,
// and /*. It reports false when no member has an HTTP route.
func commonPrefix(fns []*Function) (string, bool) {
	var common []string
	seen := false
	for _, f := range fns {
		for _, e := range f.Events {
			if e.HTTP == nil {
				continue
			}
			var segs []string
			for _, seg := range strings.Split(strings.Trim(e.HTTP.Path, "/"), "/") {
				if seg == "" || strings.ContainsAny(seg, "{}:*") {
					break
				}
				segs = append(segs, seg)
			}
			if !seen {
				common, seen = segs, true
				continue
			}
			n := 0
			for n < len(common) && n < len(segs) && common[n] == segs[n] {
				n++
			}
			common = common[:n]
		}
	}
	if !seen {
		return "", false
	}
	if len(common) == 0 {
		return "/*", true
	}
	return "/" + strings.Join(common, "/") + "/*", true
}

var serviceName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,62}$`)

// validate checks what no single key can: required keys, routes declared
// twice, and the aggregation groups.
func (p *parser) validate(s *Spec) {
	// A missing key is reported at the key above it that holds it, if
	// f.yml has that key, or else at the start of the document.
	top := func(path, format string, args ...any) {
		var n *yaml.Node
		if p.root != nil && p.root.Kind == yaml.MappingNode {
			n = p.root
		}
		if k := mappingKey(p.root, strings.SplitN(path, ".", 2)[0]); k != nil {
			n = k
		}
		p.fail(n, path, format, args...)
	}
	switch {
	case s.Service.Name == "":
		top("service", "missing: name the service")
	case !serviceName.MatchString(s.Service.Name):
		// At the name: the value of service, or of service.name.
		p.fail(p.serviceName, "service", "service name %q must start with a letter and hold at most 63 letters, digits, '-' or '_'", s.Service.Name)
	}
	if s.Provider.Platform == "" {
		top("provider.name", "missing: name the platform, one of %s", strings.Join(Platforms, ", "))
	}
	if len(s.Functions) == 0 {
		top("functions", "missing: declare at least one function")
	}
	p.errs = append(p.errs, s.check()...)
}

// check runs the checks that look across functions: routes declared
// twice, the aggregation groups, and the units they make. Parse runs them
// on what f.yml declares, Merge on what it merges.
func (s *Spec) check() []*Error {
	errs := s.checkRoutes()
	_, uerrs := s.resolve()
	return append(errs, uerrs...)
}

// routeRef is where an HTTP route is declared.
type routeRef struct {
	pos  Pos
	path string
}

// describe names where the route is declared, for an error about another.
func (r routeRef) describe(s *Spec) string {
	if r.pos.Line == 0 {
		return "also by the " + r.path
	}
	return fmt.Sprintf("also at %s (%s)", s.at(r.pos), r.path)
}

// checkRoutes reports an HTTP route declared twice, in f.yml or in code.
func (s *Spec) checkRoutes() []*Error {
	var errs []*Error
	var table route.Table[routeRef]
	for _, f := range s.Functions {
		for i, e := range f.Events {
			if e.HTTP == nil {
				continue
			}
			methods := e.HTTP.Methods
			if len(methods) == 0 {
				methods = []string{route.Any}
			}
			ref := routeRef{e.Pos, f.EventPath(i)}
			for _, m := range methods {
				pat, err := route.Parse(m + " " + e.HTTP.Path)
				if err != nil {
					// Parse refuses such a path where it reads it; one that
					// gets here would make a manifest the App refuses.
					errs = append(errs, s.errorAt(ref.pos, ref.path, "%v: the App would refuse it at start", err))
					continue
				}
				if err := table.Add(pat, ref); err != nil {
					var cerr *route.ConflictError
					if errors.As(err, &cerr) {
						other := cerr.ExistingValue.(routeRef)
						errs = append(errs, s.errorAt(ref.pos, ref.path, "route %s is declared twice: %s", pat, other.describe(s)))
					}
				}
			}
		}
	}
	return errs
}
