package fc

import (
	"cmp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

const yamlScalar = yaml.ScalarNode

// domain is custom.customDomain.
type domain struct {
	// name is the domain name; empty for FC's auto domain.
	name string
}

// route is a path of the custom domain and the unit it leads to.
type route struct {
	path string
	// methods are the methods routed; nil routes all.
	methods   []string
	qualifier string
	unit      *unitPlan
}

func pos(n *yaml.Node) spec.Pos { return spec.Pos{Line: n.Line, Column: n.Column} }

// readDomain reads custom.customDomain: domainName is a name, auto, or
// false (none), as in Midway.
func (p *plan) readDomain() *domain {
	cd := gen.Get(p.s.Custom, "customDomain")
	if cd == nil || cd.Kind == yaml.ScalarNode && (cd.Tag == "!!null" || strings.EqualFold(cd.Value, "false")) {
		return nil
	}
	if cd.Kind != yaml.MappingNode {
		p.errs.Add(gen.ErrorAt(p.s, pos(cd), "custom.customDomain", "want {domainName: <name> | auto} or false"))
		return nil
	}
	dn := gen.Get(cd, "domainName")
	switch {
	case dn == nil || dn.Kind == yaml.ScalarNode && (dn.Tag == "!!null" || dn.Value == "" || strings.EqualFold(dn.Value, "false")):
		return nil
	case dn.Kind != yaml.ScalarNode:
		p.errs.Add(gen.ErrorAt(p.s, pos(dn), "custom.customDomain.domainName", "want a domain name, or auto"))
		return nil
	case strings.EqualFold(dn.Value, "auto"):
		return &domain{}
	}
	return &domain{name: dn.Value}
}

// route gives each unit's HTTP paths their FC routes, and reports a path
// two units claim.
func (p *plan) route() {
	owner := map[string]*route{}
	add := func(up *unitPlan, path string, methods []string, qualifier string, at spec.Pos, atPath string) {
		if r := owner[path]; r != nil {
			if r.unit == up {
				r.methods = unionMethods(r.methods, methods)
				return
			}
			if holds(r.unit.unit, up.unit) {
				return // the group serves it; the function stays reachable by its own trigger
			}
			p.errs.Add(gen.ErrorAt(p.s, at, atPath, "the custom domain routes %s to one function whatever the method, and both unit %q and unit %q serve it: aggregate them into one unit", path, r.unit.unit.Name, up.unit.Name))
			return
		}
		if methods != nil {
			methods = slices.Clone(methods)
			sortMethods(methods)
		}
		r := &route{path: path, methods: methods, qualifier: qualifier, unit: up}
		owner[path] = r
		up.routes = append(up.routes, r)
	}
	for _, up := range p.units {
		h := up.http
		if h == nil {
			continue
		}
		if up.unit.Group != nil && up.unit.Prefix != "" {
			add(up, up.unit.Prefix, h.methods, h.qualifier, up.pos, up.path)
			base := strings.TrimSuffix(up.unit.Prefix, "/*")
			for _, ref := range h.events {
				for _, rp := range RoutePaths(ref.ev.HTTP.Path) {
					if !covered(base, rp) {
						add(up, rp, p.methods(up, ref), h.qualifier, ref.ev.Pos, ref.path)
					}
				}
			}
			continue
		}
		for _, ref := range h.events {
			for _, rp := range RoutePaths(ref.ev.HTTP.Path) {
				add(up, rp, p.methods(up, ref), h.qualifier, ref.ev.Pos, ref.path)
			}
		}
	}
}

// holds reports whether group unit g holds the one function of unit u.
func holds(g, u *spec.Unit) bool {
	if g.Group == nil || u.Group != nil || len(u.Functions) != 1 {
		return false
	}
	for _, f := range g.Functions {
		if f == u.Functions[0] {
			return true
		}
	}
	return false
}

// covered reports whether FC's prefix route base/* matches path.
func covered(base, path string) bool { return strings.HasPrefix(path, base+"/") }

// unionMethods joins two routes' methods; nil (all) wins.
func unionMethods(a, b []string) []string {
	if a == nil || len(b) == 0 {
		return nil
	}
	out := slices.Clone(a)
	for _, m := range b {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	sortMethods(out)
	return out
}

// RoutePaths returns the paths of FC's custom-domain routes that send an
// f.yml HTTP path to its function. FC matches a path exactly, or by prefix
// when it ends in /* (which does not match the prefix itself); it has no
// parameters. So the path is cut before its first parameter or wildcard
// and /* added: /items/{id} gives /items/*; a path ending in a wildcard
// (/files/{p...}, /api/*) also gives the path without it, which the
// wildcard matches too; a literal path is routed as it is, without a
// trailing slash.
func RoutePaths(path string) []string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var lit []string
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		wild := seg == "*" || strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}")
		param := strings.HasPrefix(seg, "{") || strings.HasPrefix(seg, ":")
		if !wild && !param {
			lit = append(lit, seg)
			continue
		}
		prefix := "/" + strings.Join(lit, "/")
		if len(lit) == 0 {
			prefix = ""
		}
		if wild && i == len(segs)-1 {
			return []string{prefix + "/*", cmp.Or(prefix, "/")}
		}
		return []string{prefix + "/*"}
	}
	return []string{"/" + strings.Join(lit, "/")}
}

// sortMethods sorts methods in the order they are written in.
func sortMethods(ms []string) {
	slices.SortFunc(ms, func(a, b string) int { return methodIndex(a) - methodIndex(b) })
}

func methodIndex(m string) int {
	if i := slices.Index(methodOrder, m); i >= 0 {
		return i
	}
	return len(methodOrder)
}
