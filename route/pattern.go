// Package route parses HTTP route patterns and matches requests against a
// table of them.
//
// A pattern is an optional method and a path, in the syntax of net/http's
// ServeMux:
//
//	GET /items/{id}
//	POST /items
//	/files/{path...}
//	ANY /api/*
//
// A path segment is a literal, a parameter ({name}, or :name as in Midway's
// f.yml), or, as the last segment only, a wildcard that matches the rest of
// the path ({name...}, or * whose value is named "*"). A wildcard also
// matches nothing, so /api/* matches /api. A pattern without a method, or
// with ANY, matches every method; a GET pattern also matches HEAD.
//
// Matching ignores a trailing slash. When several patterns match a path, the
// one whose first differing segment is more specific wins — a literal beats a
// parameter, which beats a wildcard — whatever the order they were added in;
// a pattern naming the request's method beats one that matches any method.
package route

import (
	"fmt"
	"strings"
)

// Methods lists the method names a pattern may start with. ANY matches every
// method.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

// Any is the method of a pattern that matches every method.
const Any = "ANY"

type segKind uint8

const (
	literal segKind = iota
	param
	wildcard
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter's name
}

// Pattern is a parsed route pattern.
type Pattern struct {
	// Method is the upper-case method, or Any.
	Method string
	// Path is the path as written, without a trailing slash.
	Path string
	segs []segment
}

// String returns the pattern in canonical form, such as "GET /items/{id}".
func (p *Pattern) String() string { return p.Method + " " + p.Path }

// Params returns the names of the pattern's parameters, in order.
func (p *Pattern) Params() []string {
	var names []string
	for _, s := range p.segs {
		if s.kind != literal {
			names = append(names, s.text)
		}
	}
	return names
}

// Error reports a malformed pattern.
type Error struct {
	// Pattern is the text that was parsed.
	Pattern string
	// Offset is the byte offset in Pattern where the problem is.
	Offset int
	// Problem says what is wrong.
	Problem string
}

func (e *Error) Error() string {
	return fmt.Sprintf("route %q: %s (at offset %d)", e.Pattern, e.Problem, e.Offset)
}

// Parse parses a pattern such as "GET /items/{id}". The method is optional
// and case-insensitive; a pattern that starts with "/" is a path alone.
// The path is matched against a request's decoded path, so it may hold
// what a URL path holds only escaped, such as a space (for "/a%20b").
func Parse(s string) (*Pattern, error) {
	fail := func(off int, format string, args ...any) (*Pattern, error) {
		return nil, &Error{Pattern: s, Offset: off, Problem: fmt.Sprintf(format, args...)}
	}
	rest, off := s, 0
	method := Any
	// A method comes before the first space, unless the pattern is a path
	// alone.
	if i := strings.IndexAny(rest, " \t"); i >= 0 && !strings.HasPrefix(rest, "/") {
		m := strings.ToUpper(rest[:i])
		if !isMethod(m) {
			return fail(0, "method %q is not one of %s", rest[:i], strings.Join(Methods, ", "))
		}
		method = m
		j := i
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
			j++
		}
		rest, off = rest[j:], j
	}
	if rest == "" {
		return fail(off, "missing path")
	}
	if rest[0] != '/' {
		return fail(off, "path must start with \"/\"")
	}
	p := &Pattern{Method: method}
	path := strings.TrimSuffix(rest, "/")
	if path == "" {
		p.Path = "/"
		return p, nil
	}
	p.Path = path
	seen := map[string]bool{}
	pos := off + 1 // offset of the current segment
	parts := strings.Split(path[1:], "/")
	for i, text := range parts {
		last := i == len(parts)-1
		seg, perr := parseSegment(text)
		if perr != "" {
			return fail(pos, "%s", perr)
		}
		if seg.kind == wildcard && !last {
			return fail(pos, "wildcard %q must be the last segment", text)
		}
		if seg.kind != literal {
			if seen[seg.text] {
				return fail(pos, "parameter %q appears twice", seg.text)
			}
			seen[seg.text] = true
		}
		if text == "" {
			return fail(pos, "empty segment")
		}
		p.segs = append(p.segs, seg)
		pos += len(text) + 1
	}
	return p, nil
}

func parseSegment(text string) (segment, string) {
	switch {
	case text == "*":
		return segment{wildcard, "*"}, ""
	case strings.HasPrefix(text, ":"):
		name := text[1:]
		if !isName(name) {
			return segment{}, fmt.Sprintf("parameter %q is not a valid name", text)
		}
		return segment{param, name}, ""
	case strings.HasPrefix(text, "{"):
		if !strings.HasSuffix(text, "}") {
			return segment{}, fmt.Sprintf("segment %q: a parameter must be a whole segment, closed by \"}\"", text)
		}
		name := text[1 : len(text)-1]
		kind := param
		if n, ok := strings.CutSuffix(name, "..."); ok {
			name, kind = n, wildcard
		}
		if greedy, ok := strings.CutSuffix(name, "+"); ok && kind == param && isName(greedy) {
			// API Gateway's greedy path variable, which a wildcard
			// deploys as on AWS.
			return segment{}, fmt.Sprintf("parameter %q is API Gateway's greedy form: write {%s...} (or *), which matches the rest of the path on every platform and is deployed on AWS as %s", text, greedy, text)
		}
		if !isName(name) {
			return segment{}, fmt.Sprintf("parameter %q is not a valid name", text)
		}
		return segment{kind, name}, ""
	case strings.ContainsAny(text, "{}*"):
		return segment{}, fmt.Sprintf("segment %q: a parameter or wildcard must be a whole segment", text)
	}
	return segment{literal, text}, ""
}

func isMethod(m string) bool {
	for _, x := range Methods {
		if m == x {
			return true
		}
	}
	return false
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || (i > 0 && '0' <= r && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// Extract returns the values of p's parameters in path, which p must match.
// It returns nil if p has no parameters.
func (p *Pattern) Extract(path string) map[string]string {
	var params map[string]string
	rest := trimPath(path)
	for _, s := range p.segs {
		if s.kind == wildcard {
			if params == nil {
				params = make(map[string]string, 2)
			}
			params[s.text] = rest
			break
		}
		seg, tail := nextSegment(rest)
		if s.kind == param {
			if params == nil {
				params = make(map[string]string, 2)
			}
			params[s.text] = seg
		}
		rest = tail
	}
	return params
}

// trimPath drops the leading slash and one trailing slash.
func trimPath(path string) string {
	if len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	if len(path) > 0 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	return path
}

// nextSegment splits off the first segment of a trimmed path.
func nextSegment(rest string) (seg, tail string) {
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i+1:]
	}
	return rest, ""
}
