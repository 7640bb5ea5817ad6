package route

import (
	"fmt"
	"slices"
)

// Table maps patterns to values of type V and finds the value for a request.
// Add every pattern before the first Lookup; after that the table may be
// read from many goroutines at once.
type Table[V any] struct {
	root node[V]
	n    int
}

type node[V any] struct {
	lit     map[string]*node[V]
	param   *node[V]
	wild    *node[V] // its entries match any remainder
	entries []entry[V]
}

type entry[V any] struct {
	pattern *Pattern
	value   V
}

// ConflictError reports a pattern that matches exactly the requests another
// pattern in the table already matches.
type ConflictError struct {
	// New is the pattern being added; Existing is the one it conflicts with.
	New, Existing *Pattern
	// ExistingValue is the value Existing was added with.
	ExistingValue any
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("route %q conflicts with %q: both match the same requests", e.New, e.Existing)
}

// Len returns the number of patterns in the table.
func (t *Table[V]) Len() int { return t.n }

// Add adds p with value v. It returns a *ConflictError if the table already
// holds a pattern with the same method and the same shape (parameters in the
// same places, whatever their names).
func (t *Table[V]) Add(p *Pattern, v V) error {
	n := &t.root
	for _, s := range p.segs {
		switch s.kind {
		case literal:
			if n.lit == nil {
				n.lit = make(map[string]*node[V])
			}
			c := n.lit[s.text]
			if c == nil {
				c = new(node[V])
				n.lit[s.text] = c
			}
			n = c
		case param:
			if n.param == nil {
				n.param = new(node[V])
			}
			n = n.param
		case wildcard:
			if n.wild == nil {
				n.wild = new(node[V])
			}
			n = n.wild
		}
	}
	for _, e := range n.entries {
		if e.pattern.Method == p.Method {
			return &ConflictError{New: p, Existing: e.pattern, ExistingValue: e.value}
		}
	}
	n.entries = append(n.entries, entry[V]{p, v})
	t.n++
	return nil
}

// Lookup finds the most specific pattern that matches method and path and
// returns it with its value. It returns a nil pattern if none matches; then
// Allowed tells whether the path matches with another method.
func (t *Table[V]) Lookup(method, path string) (*Pattern, V) {
	if e := t.root.lookup(method, trimPath(path)); e != nil {
		return e.pattern, e.value
	}
	var zero V
	return nil, zero
}

func (n *node[V]) lookup(method, rest string) *entry[V] {
	if rest == "" {
		if e := n.pick(method); e != nil {
			return e
		}
		if n.wild != nil {
			return n.wild.pick(method)
		}
		return nil
	}
	seg, tail := nextSegment(rest)
	if c := n.lit[seg]; c != nil {
		if e := c.lookup(method, tail); e != nil {
			return e
		}
	}
	if n.param != nil && seg != "" {
		if e := n.param.lookup(method, tail); e != nil {
			return e
		}
	}
	if n.wild != nil {
		return n.wild.pick(method)
	}
	return nil
}

// pick returns the entry for method: an exact match, GET for HEAD, or Any.
func (n *node[V]) pick(method string) *entry[V] {
	var anyEntry, getEntry *entry[V]
	for i := range n.entries {
		e := &n.entries[i]
		switch e.pattern.Method {
		case method:
			return e
		case Any:
			anyEntry = e
		case "GET":
			getEntry = e
		}
	}
	if method == "HEAD" && getEntry != nil {
		return getEntry
	}
	return anyEntry
}

// Allowed returns the sorted methods of the patterns that match path, with
// HEAD added where GET is allowed, or nil if none does. A pattern that
// matches any method contributes Any.
func (t *Table[V]) Allowed(path string) []string {
	var methods []string
	t.root.allowed(trimPath(path), &methods)
	if slices.Contains(methods, "GET") && !slices.Contains(methods, "HEAD") {
		methods = append(methods, "HEAD")
	}
	slices.Sort(methods)
	return slices.Compact(methods)
}

func (n *node[V]) allowed(rest string, methods *[]string) {
	add := func(m *node[V]) {
		for _, e := range m.entries {
			*methods = append(*methods, e.pattern.Method)
		}
	}
	if n.wild != nil {
		add(n.wild)
	}
	if rest == "" {
		add(n)
		return
	}
	seg, tail := nextSegment(rest)
	if c := n.lit[seg]; c != nil {
		c.allowed(tail, methods)
	}
	if n.param != nil && seg != "" {
		n.param.allowed(tail, methods)
	}
}
