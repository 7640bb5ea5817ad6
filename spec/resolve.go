package spec

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/anyfaas/faas/route"
)

// Unit is a deployment unit: one deployed function of the platform, the
// built binary serving one or more of the spec's functions.
type Unit struct {
	// Name is what the unit is deployed as: the function's name, or the
	// aggregation group's.
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
// environments.
func (u *Unit) Settings(p Provider) Settings {
	out := p.Function
	out.Environment = map[string]string{}
	for k, v := range p.Function.Environment {
		out.Environment[k] = v
	}
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

// resolve builds the units and reports the aggregation problems.
func (s *Spec) resolve() ([]*Unit, []*Error) {
	var errs []*Error
	fail := func(pos Pos, path, format string, args ...any) {
		errs = append(errs, &Error{File: s.File, Line: pos.Line, Column: pos.Column, Path: path, Problem: fmt.Sprintf(format, args...)})
	}
	claimed := map[string]*Aggregation{}
	var units []*Unit
	prefixes := map[string]*Aggregation{}
	for _, g := range s.Aggregation {
		path := "aggregation." + g.Name
		var members []*Function
		if len(g.Functions) > 0 {
			for _, name := range g.Functions {
				f := s.Function(name)
				if f == nil {
					fail(g.Pos, path+".functions", "no function is named %q", name)
					continue
				}
				members = append(members, f)
			}
		} else {
			for _, f := range s.Functions {
				if matchAll(g.Patterns, f.Name) {
					members = append(members, f)
				}
			}
			if len(members) == 0 {
				fail(g.Pos, path+".functionsPattern", "the patterns %s match no function", strings.Join(g.Patterns, ", "))
			}
		}
		u := &Unit{Name: g.Name, Group: g}
		for _, f := range members {
			if other := claimed[f.Name]; other != nil {
				fail(g.Pos, path, "function %q is already in group %q (%s:%d:%d): a function belongs to one group", f.Name, other.Name, s.File, other.Pos.Line, other.Pos.Column)
				continue
			}
			claimed[f.Name] = g
			u.Functions = append(u.Functions, f)
		}
		if s.Function(g.Name) != nil && !slices.ContainsFunc(u.Functions, func(f *Function) bool { return f.Name == g.Name }) {
			fail(g.Pos, path, "group %q has the name of a function it does not hold: units would collide", g.Name)
		}
		if prefix, ok := commonPrefix(u.Functions); ok {
			u.Prefix = prefix
			if other := prefixes[prefix]; other != nil {
				fail(g.Pos, path, "group %q routes %s, as group %q does (%s:%d:%d): a gateway could not tell them apart", g.Name, prefix, other.Name, s.File, other.Pos.Line, other.Pos.Column)
			}
			prefixes[prefix] = g
		}
		units = append(units, u)
	}
	for _, f := range s.Functions {
		if g := claimed[f.Name]; g == nil || g.DeployOrigin {
			units = append(units, &Unit{Name: f.Name, Functions: []*Function{f}})
		}
	}
	// Keep the spec's order of functions within each group.
	for _, u := range units {
		slices.SortStableFunc(u.Functions, func(a, b *Function) int {
			return slices.Index(s.Functions, a) - slices.Index(s.Functions, b)
		})
	}
	return units, errs
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
	top := func(path, format string, args ...any) {
		p.errs = append(p.errs, &Error{File: p.file, Path: path, Problem: fmt.Sprintf(format, args...)})
	}
	switch {
	case s.Service.Name == "":
		top("service", "missing: name the service")
	case !serviceName.MatchString(s.Service.Name):
		top("service", "service name %q must start with a letter and hold at most 63 letters, digits, '-' or '_'", s.Service.Name)
	}
	if s.Provider.Platform == "" {
		top("provider.name", "missing: name the platform, one of %s", strings.Join(Platforms, ", "))
	}
	if len(s.Functions) == 0 {
		top("functions", "missing: declare at least one function")
	}
	p.checkRoutes(s)
	_, errs := s.resolve()
	p.errs = append(p.errs, errs...)
}

// routeRef is where an HTTP route is declared.
type routeRef struct {
	fn   *Function
	idx  int
	pos  Pos
	path string
}

func (p *parser) checkRoutes(s *Spec) {
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
			ref := routeRef{f, i, e.Pos, fmt.Sprintf("functions.%s.events[%d].%s", f.Name, i, e.Key)}
			for _, m := range methods {
				pat, err := route.Parse(m + " " + e.HTTP.Path)
				if err != nil {
					continue // reported where the path was read
				}
				if err := table.Add(pat, ref); err != nil {
					var cerr *route.ConflictError
					if errors.As(err, &cerr) {
						other := cerr.ExistingValue.(routeRef)
						p.errs = append(p.errs, &Error{
							File: p.file, Line: e.Pos.Line, Column: e.Pos.Column, Path: ref.path,
							Problem: fmt.Sprintf("route %s is declared twice: also at %s:%d:%d (%s)", pat, p.file, other.pos.Line, other.pos.Column, other.path),
						})
					}
				}
			}
		}
	}
}
