package route

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		wantString string
		wantParams []string
	}{
		{"GET /items/{id}", "GET /items/{id}", []string{"id"}},
		{"get /items/{id}", "GET /items/{id}", []string{"id"}},
		{"/items", "ANY /items", nil},
		{"ANY /", "ANY /", nil},
		{"POST /items/", "POST /items", nil},
		{"DELETE  /a/:id/b", "DELETE /a/:id/b", []string{"id"}},
		{"/files/{path...}", "ANY /files/{path...}", []string{"path"}},
		{"/api/*", "ANY /api/*", []string{"*"}},
		{"/*", "ANY /*", []string{"*"}},
		{"OPTIONS /a/{x}/{y}", "OPTIONS /a/{x}/{y}", []string{"x", "y"}},
		// What a URL path may hold: sub-delims, ':' and '@', an escape,
		// letters beyond ASCII (the route matches the decoded path).
		{"/a(b)/c;d=e,f/g@h!", "ANY /a(b)/c;d=e,f/g@h!", nil},
		{"GET /a%20b/café", "GET /a%20b/café", nil},
		// A path alone with a space is no method and a path; routes match
		// the decoded path, where a space, a '?' or a '#' may be (%20, %3F,
		// %23).
		{"/a b", "ANY /a b", nil},
		{"GET /items/a b/{id}", "GET /items/a b/{id}", []string{"id"}},
		{"/a?b#c", "ANY /a?b#c", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
			if diff := cmp.Diff(tt.wantParams, p.Params()); diff != "" {
				t.Errorf("Params() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in         string
		wantOffset int
		wantIn     string // a fragment of the problem
	}{
		{"GOT /x", 0, `method "GOT" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY`},
		{"", 0, "missing path"},
		{"GET ", 4, "missing path"},
		{"GET items", 4, `must start with "/"`},
		{"GET /a/{id", 7, `closed by "}"`},
		{"/a/{id}x", 3, "whole segment"},
		{"/a/x{id}", 3, "whole segment"},
		{"/a/{rest...}/b", 3, "must be the last segment"},
		{"/*/b", 1, "must be the last segment"},
		{"/a/{id}/{id}", 8, `parameter "id" appears twice`},
		{"/a/{1x}", 3, "not a valid name"},
		{"/a/:", 3, "not a valid name"},
		{"/a//b", 3, "empty segment"},
		{"/a/{}", 3, "not a valid name"},
		{"/v1/{proxy+}", 4, `parameter "{proxy+}" is API Gateway's greedy form: write {proxy...} (or *)`},
		{"/v1/{a+b}", 4, "not a valid name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error = %v, want *Error", tt.in, err)
			}
			if perr.Offset != tt.wantOffset {
				t.Errorf("Offset = %d, want %d (%v)", perr.Offset, tt.wantOffset, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
		})
	}
}

// The patterns of the precedence test, each value its own pattern string.
var precedencePatterns = []string{
	"GET /items",
	"GET /items/new",
	"GET /items/{id}",
	"POST /items/{id}",
	"GET /items/{id}/tags/{tag}",
	"/items/{id}/files/{path...}",
	"GET /items/{rest...}",
	"ANY /api/*",
	"GET /api/v1/users/{id}",
	"GET /api/v1/users/me",
	"PUT /api/v1/{kind}/{id}",
	"/",
	"DELETE /a/{x}/c",
	"DELETE /{y}/b/c",
}

func TestLookupPrecedence(t *testing.T) {
	type result struct {
		Pattern string
		Params  map[string]string
	}
	tests := []struct {
		method, path string
		want         *result
	}{
		{"GET", "/items", &result{"GET /items", nil}},
		{"GET", "/items/", &result{"GET /items", nil}},
		{"GET", "/items/new", &result{"GET /items/new", nil}},
		{"GET", "/items/42", &result{"GET /items/{id}", map[string]string{"id": "42"}}},
		// POST matches no literal, so the parameter wins for POST.
		{"POST", "/items/new", &result{"POST /items/{id}", map[string]string{"id": "new"}}},
		{"HEAD", "/items/new", &result{"GET /items/new", nil}},
		{"GET", "/items/42/tags/red", &result{"GET /items/{id}/tags/{tag}", map[string]string{"id": "42", "tag": "red"}}},
		{"GET", "/items/42/tags", &result{"GET /items/{rest...}", map[string]string{"rest": "42/tags"}}},
		{"PATCH", "/items/42/files/a/b.txt", &result{"ANY /items/{id}/files/{path...}", map[string]string{"id": "42", "path": "a/b.txt"}}},
		{"PATCH", "/items/42/files", &result{"ANY /items/{id}/files/{path...}", map[string]string{"id": "42", "path": ""}}},
		{"GET", "/api", &result{"ANY /api/*", map[string]string{"*": ""}}},
		{"GET", "/api/v1/users/me", &result{"GET /api/v1/users/me", nil}},
		{"GET", "/api/v1/users/7", &result{"GET /api/v1/users/{id}", map[string]string{"id": "7"}}},
		{"PUT", "/api/v1/users/7", &result{"PUT /api/v1/{kind}/{id}", map[string]string{"kind": "users", "id": "7"}}},
		{"POST", "/api/v1/users/7", &result{"ANY /api/*", map[string]string{"*": "v1/users/7"}}},
		{"GET", "/", &result{"ANY /", nil}},
		{"GET", "", &result{"ANY /", nil}},
		// The leftmost differing segment decides: literal "a" beats {y}.
		{"DELETE", "/a/b/c", &result{"DELETE /a/{x}/c", map[string]string{"x": "b"}}},
		{"DELETE", "/z/b/c", &result{"DELETE /{y}/b/c", map[string]string{"y": "z"}}},
		{"POST", "/items", nil},
		{"GET", "/nothing/here", nil},
		{"GET", "/items//x", &result{"GET /items/{rest...}", map[string]string{"rest": "/x"}}},
	}

	orders := [][]string{precedencePatterns, reversed(precedencePatterns)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		p := append([]string(nil), precedencePatterns...)
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		orders = append(orders, p)
	}
	for oi, order := range orders {
		var tab Table[string]
		for _, s := range order {
			p, err := Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := tab.Add(p, s); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			p, v := tab.Lookup(tt.method, tt.path)
			var got *result
			if p != nil {
				if canon, _ := Parse(v); canon.String() != p.String() {
					t.Fatalf("value %q stored under pattern %q", v, p)
				}
				got = &result{p.String(), p.Extract(tt.path)}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order %d: Lookup(%s %s) mismatch (-want +got):\n%s", oi, tt.method, tt.path, diff)
			}
		}
	}
}

func TestAllowed(t *testing.T) {
	var tab Table[int]
	for i, s := range []string{"GET /items/{id}", "DELETE /items/{id}", "PUT /items/new", "POST /items", "/any/{x}"} {
		p, _ := Parse(s)
		if err := tab.Add(p, i); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path string
		want []string
	}{
		{"/items/new", []string{"DELETE", "GET", "HEAD", "PUT"}},
		{"/items/7", []string{"DELETE", "GET", "HEAD"}},
		{"/items", []string{"POST"}},
		{"/any/1", []string{"ANY"}},
		{"/none", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tab.Allowed(tt.path)); diff != "" {
			t.Errorf("Allowed(%q) mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestConflict(t *testing.T) {
	tests := []struct {
		a, b     string
		conflict bool
	}{
		{"GET /items/{id}", "GET /items/{name}", true},
		{"GET /items/{id}", "get /items/{id}/", true},
		{"/a/*", "ANY /a/{rest...}", true},
		{"GET /items/{id}", "POST /items/{id}", false},
		{"GET /items/{id}", "/items/{id}", false},
		{"GET /items/{id}", "GET /items/new", false},
		{"GET /items/{id}", "GET /items/{id}/x", false},
	}
	for _, tt := range tests {
		var tab Table[int]
		pa, _ := Parse(tt.a)
		pb, _ := Parse(tt.b)
		if err := tab.Add(pa, 1); err != nil {
			t.Fatal(err)
		}
		err := tab.Add(pb, 2)
		var cerr *ConflictError
		if got := errors.As(err, &cerr); got != tt.conflict {
			t.Errorf("Add(%q) after %q: error = %v, want conflict %v", tt.b, tt.a, err, tt.conflict)
			continue
		}
		if tt.conflict && (cerr.Existing != pa || cerr.New != pb) {
			t.Errorf("ConflictError names %v and %v, want %v and %v", cerr.New, cerr.Existing, pb, pa)
		}
	}
}

func reversed(s []string) []string {
	r := make([]string, len(s))
	for i, x := range s {
		r[len(s)-1-i] = x
	}
	return r
}

func FuzzParse(f *testing.F) {
	for _, s := range precedencePatterns {
		f.Add(s)
	}
	f.Add("GET /a/{id")
	f.Add("/a/:b/*")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		// A parsed pattern reparses to itself.
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", s, p, err)
		}
		if q.String() != p.String() {
			t.Fatalf("reparse of %q gives %q", p, q)
		}
	})
}

func FuzzLookup(f *testing.F) {
	var tab Table[string]
	for _, s := range precedencePatterns {
		p, _ := Parse(s)
		_ = tab.Add(p, s)
	}
	f.Add("GET", "/items/42/tags/red")
	f.Add("POST", "/api/v1/x//y/")
	f.Add("DELETE", "/a/b/c")
	f.Fuzz(func(t *testing.T, method, path string) {
		p, _ := tab.Lookup(method, path)
		if p == nil {
			return
		}
		// Every parameter of the match has a value.
		params := p.Extract(path)
		for _, name := range p.Params() {
			if _, ok := params[name]; !ok {
				t.Fatalf("%s %s matched %q but parameter %q has no value", method, path, p, name)
			}
		}
		// Allowed agrees with Lookup.
		if allowed := tab.Allowed(path); !slices.Contains(allowed, p.Method) {
			t.Fatalf("%s %s matched %q, but Allowed = %v", method, path, p, allowed)
		}
	})
}
