package ioc

import (
	"errors"
	"strings"
	"testing"
)

type (
	config struct{ name string }
	store  struct{ cfg *config }
	absent struct{}
)

func TestCall(t *testing.T) {
	c := New()
	if err := c.Provide(func() *config { return &config{name: "prod"} }); err != nil {
		t.Fatal(err)
	}
	if err := c.Provide(func(cfg *config) (*store, error) { return &store{cfg}, nil }); err != nil {
		t.Fatal(err)
	}
	out, err := c.Call(func(s *store, cfgs ...*config) (string, int) { return s.cfg.name, len(cfgs) })
	if err != nil {
		t.Fatal(err)
	}
	if out[0].String() != "prod" || out[1].Int() != 0 {
		t.Errorf("results %v", out)
	}
}

func TestCallErrors(t *testing.T) {
	var none *Container
	if out, err := none.Call(func() int { return 7 }); err != nil || out[0].Int() != 7 {
		t.Errorf("a nil container cannot call a function without parameters: %v", err)
	}
	tests := []struct {
		name string
		c    *Container
		fn   any
		want string
	}{
		{"nil container", nil, func(*config, *store) {}, "missing type: *ioc.config, *ioc.store (nothing is provided to the container)"},
		{"missing", New(), func(*absent) {}, "missing type: *ioc.absent"},
		{"not a function", New(), 3, "ioc: int is not a function"},
	}
	for _, tt := range tests {
		_, err := tt.c.Call(tt.fn)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Call error = %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "makeFuncStub") {
			t.Errorf("%s: the message names the reflect stub: %v", tt.name, err)
		}
	}
}

func TestIndirectMissingNamesTheChain(t *testing.T) {
	c := New()
	c.Provide(func(*absent) *config { return nil })
	_, err := c.Call(func(*config) {})
	if err == nil || !strings.HasPrefix(err.Error(), "failed to build *ioc.config: missing dependencies for function") ||
		!strings.HasSuffix(err.Error(), "missing type: *ioc.absent") {
		t.Errorf("error = %v", err)
	}
	var ierr *Error
	if !errors.As(err, &ierr) || ierr.Unwrap() == nil {
		t.Errorf("error does not carry dig's: %#v", err)
	}
}

func TestProvideErrors(t *testing.T) {
	c := New()
	c.Provide(func() *config { return nil })
	err := c.Provide(func() *config { return nil })
	if err == nil || !strings.Contains(err.Error(), "already provided") {
		t.Errorf("providing a type twice: %v", err)
	}
	if err := c.Provide(42); err == nil {
		t.Error("providing a non-function succeeded")
	}
}

// TestCheck: Check finds what Call would fail on, and calls nothing.
func TestCheck(t *testing.T) {
	called := 0
	c := New()
	if err := c.Provide(func() *config { called++; return &config{} }); err != nil {
		t.Fatal(err)
	}
	if err := c.Provide(func(*absent) *store { called++; return nil }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *Container
		fn   any
		want string // "" for no error; else the error's end
	}{
		{"no parameters", nil, func() int { called++; return 7 }, ""},
		{"provided", c, func(*config) { called++ }, ""},
		{"variadic", c, func(*config, ...*config) { called++ }, ""},
		{"missing", c, func(*config, *absent) { called++ }, "missing type: *ioc.absent"},
		{"missing through a constructor", c, func(*store) { called++ }, "missing type: *ioc.absent"},
		{"nil container", nil, func(*config) { called++ }, "missing type: *ioc.config (nothing is provided to the container)"},
		{"not a function", c, 3, "ioc: int is not a function"},
	}
	for _, tt := range tests {
		called = 0
		err := tt.c.Check(tt.fn)
		if called != 0 {
			t.Errorf("%s: Check called a function or constructor %d times", tt.name, called)
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Check = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.want)):
			t.Errorf("%s: Check = %v, want an error ending %q", tt.name, err, tt.want)
		}
		if err != nil && tt.fn != 3 {
			if _, callErr := tt.c.Call(tt.fn); callErr == nil || callErr.Error() != err.Error() {
				t.Errorf("%s: Check says %q, Call %v", tt.name, err, callErr)
			}
		}
	}
}

// Replace puts a constructor in the place of those of its types, which
// are never called; what it cannot replace is an error.
func TestReplace(t *testing.T) {
	var realCalls int
	prod := func() *config { realCalls++; return &config{name: "prod"} }
	prodAndStore := func() (*config, *store) { realCalls++; return &config{name: "prod"}, &store{} }
	tests := []struct {
		name             string
		provide, replace any
		callFirst        bool
		want             string // the config's name a Call then gets
		err              string // a substring of Replace's error
	}{
		{"a service", prod, func() *config { return &config{name: "fake"} }, false, "fake", ""},
		{"with an error result", prod, func() (*config, error) { return &config{name: "fake"}, nil }, false, "fake", ""},
		{"two types at once", prodAndStore, func() (*store, *config) { return &store{}, &config{name: "fake"} }, false, "fake", ""},
		{"after Call", prod, func() *config { return &config{name: "fake"} }, true, "prod", "the container has built values"},
		{"a type nothing provides", prod, func() *absent { return nil }, false, "prod", "cannot replace the constructor of *ioc.absent: none was provided"},
		{"not a function", prod, 7, false, "prod", "ioc: Replace: int is not a function"},
		{"one of two types", prodAndStore, func() *config { return &config{name: "fake"} }, false, "prod", "it builds *ioc.store too, which func() *ioc.config does not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			realCalls = 0
			c := New()
			if err := c.Provide(tt.provide); err != nil {
				t.Fatal(err)
			}
			name := func(cfg *config) string { return cfg.name }
			if tt.callFirst {
				if _, err := c.Call(name); err != nil {
					t.Fatal(err)
				}
			}
			err := c.Replace(tt.replace)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Replace = %v, want an error with %q", err, tt.err)
			}
			out, err := c.Call(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := out[0].String(); got != tt.want {
				t.Errorf("Call after Replace gave %q, want %q", got, tt.want)
			}
			if ran, want := realCalls > 0, tt.want == "prod"; ran != want {
				t.Errorf("the replaced constructor ran %d times", realCalls)
			}
		})
	}
}
