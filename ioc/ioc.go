// Package ioc is the dependency container an App resolves function
// constructors from. It is a thin layer over go.uber.org/dig: constructors
// are provided by type, and a function is called with its parameters built
// from them, once.
package ioc

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.uber.org/dig"
)

// Container holds constructors and the values built from them. A nil
// *Container holds nothing: Call succeeds only for functions without
// parameters. It is safe for concurrent use; calls run one at a time, so
// that a constructor an App gave up waiting for (its hook timeout) cannot
// race the constructors of the App's next start.
type Container struct {
	mu  sync.Mutex
	dig *dig.Container
	// constructors are those provided, in order, for Check's dry run
	// and Replace.
	constructors []any
	// invoked is set once Call has asked dig for values, after which
	// Replace is refused: what was built stays built.
	invoked bool
}

// New returns an empty container.
func New() *Container {
	// No dig.RecoverFromPanics: a constructor's panic unwinds to the
	// caller's recover, which records the stack at the panic.
	return &Container{dig: dig.New()}
}

// Provide adds a constructor: a function whose results are the values it
// builds, optionally followed by an error. Its parameters are built from the
// container when a value is first needed. Providing the same type twice, or a
// constructor that closes a dependency cycle, is an error.
func (c *Container) Provide(constructor any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.dig.Provide(constructor); err != nil {
		return &Error{msg: err.Error(), err: err}
	}
	c.constructors = append(c.constructors, constructor)
	return nil
}

// Replace puts constructor in the place of the constructors provided
// earlier that build the types it builds, so that they are never called:
// a test swaps a service (one that opens a database, say) for a fake
// without building the real one. Every type a replaced constructor builds
// must be one constructor builds too. It is an error when constructor is
// not a function, when no constructor of its types was provided, or once
// Call has built values.
//
// The types compared are the constructors' result types: one returning
// a dig.Out struct builds that struct type, not the types of its fields,
// so only a constructor returning the same struct type replaces it, and
// one returning a field's type alone is refused as replacing nothing.
func (c *Container) Replace(constructor any) error {
	t := reflect.TypeOf(constructor)
	if t == nil || t.Kind() != reflect.Func {
		return &Error{msg: fmt.Sprintf("ioc: Replace: %v is not a function", t)}
	}
	builds := results(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.invoked {
		return &Error{msg: fmt.Sprintf("ioc: cannot replace the constructor of %s: the container has built values; replace before the first Call", typeList(builds))}
	}
	var list []any
	replaced := false
	for _, old := range c.constructors {
		olds := results(reflect.TypeOf(old))
		if !slices.ContainsFunc(olds, func(r reflect.Type) bool { return slices.Contains(builds, r) }) {
			list = append(list, old)
			continue
		}
		for _, r := range olds {
			if !slices.Contains(builds, r) {
				return &Error{msg: fmt.Sprintf("ioc: cannot replace %s: it builds %s too, which %s does not", funcName(old), r, t)}
			}
		}
		if !replaced {
			list = append(list, constructor)
			replaced = true
		}
	}
	if !replaced {
		return &Error{msg: fmt.Sprintf("ioc: cannot replace the constructor of %s: none was provided", typeList(builds))}
	}
	d := dig.New()
	for _, ctor := range list {
		if err := d.Provide(ctor); err != nil {
			return &Error{msg: err.Error(), err: err}
		}
	}
	c.dig, c.constructors = d, list
	return nil
}

// results returns the types a constructor of type t builds: its results
// but a last error.
func results(t reflect.Type) []reflect.Type {
	var out []reflect.Type
	for i := range t.NumOut() {
		if r := t.Out(i); i < t.NumOut()-1 || r != reflect.TypeFor[error]() {
			out = append(out, r)
		}
	}
	return out
}

// typeList names types, comma-separated.
func typeList(types []reflect.Type) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.String()
	}
	return strings.Join(names, ", ")
}

// funcName returns the name of function fn, as a stack trace shows it.
func funcName(fn any) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return reflect.TypeOf(fn).String()
}

// Call calls fn with every parameter built from the container and returns
// fn's results. A parameter that no constructor provides is an error naming
// its type.
func (c *Container) Call(fn any) ([]reflect.Value, error) {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("ioc: %s is not a function", t)
	}
	if t.NumIn() == 0 {
		return v.Call(nil), nil
	}
	if c == nil {
		return nil, nothingProvided(t)
	}
	var out []reflect.Value
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invoked = true
	if err := c.dig.Invoke(stub(v, &out)); err != nil {
		return nil, &Error{msg: trimStubFrame(err.Error()), err: err}
	}
	return out, nil
}

// Check reports what Call would report of fn's parameters, without
// calling fn or any constructor: a parameter that no constructor provides,
// directly or through the constructors that build it, and a dependency
// cycle. It is an error of Call that a program can find before it runs
// anything, as anyfaas validate --code does.
func (c *Container) Check(fn any) error {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func {
		return fmt.Errorf("ioc: %s is not a function", t)
	}
	if t.NumIn() == 0 {
		return nil
	}
	if c == nil {
		return nothingProvided(t)
	}
	// A container of the same constructors in which dig calls nothing,
	// returning zero values, and so only resolves the graph. Provide
	// took them without a cycle, so the dry one verifies the graph once,
	// when it is invoked, not (as dig does by default) after each
	// constructor, which walks the whole graph each time.
	c.mu.Lock()
	constructors := c.constructors
	c.mu.Unlock()
	dry := dig.New(dig.DryRun(true), dig.DeferAcyclicVerification())
	for _, ctor := range constructors {
		if err := dry.Provide(ctor); err != nil {
			return &Error{msg: err.Error(), err: err}
		}
	}
	var out []reflect.Value
	if err := dry.Invoke(stub(v, &out)); err != nil {
		return &Error{msg: trimStubFrame(err.Error()), err: err}
	}
	return nil
}

// nothingProvided is the error of a function of type t with parameters,
// called with no container.
func nothingProvided(t reflect.Type) error {
	types := make([]string, t.NumIn())
	for i := range types {
		types[i] = t.In(i).String()
	}
	return &Error{msg: fmt.Sprintf("missing type: %s (nothing is provided to the container)", strings.Join(types, ", "))}
}

// stub returns a function of v's parameters and no results, for dig to
// invoke, that calls v and keeps its results in out: dig takes a function
// whose results are an error at most.
func stub(v reflect.Value, out *[]reflect.Value) any {
	t := v.Type()
	in := make([]reflect.Type, t.NumIn())
	for i := range in {
		in[i] = t.In(i)
	}
	return reflect.MakeFunc(reflect.FuncOf(in, nil, t.IsVariadic()), func(args []reflect.Value) []reflect.Value {
		if t.IsVariadic() {
			*out = v.CallSlice(args)
		} else {
			*out = v.Call(args)
		}
		return nil
	}).Interface()
}

// trimStubFrame removes the start of dig's message that names the reflect
// stub Call invokes through, which means nothing to a reader: what the
// regular expression `^(could not build arguments for|missing dependencies
// for) function "reflect"\.makeFuncStub \([^)]*\): ` matches. (The package
// does without regexp, which would add to every binary.)
func trimStubFrame(msg string) string {
	for _, lead := range []string{"could not build arguments for", "missing dependencies for"} {
		rest, ok := strings.CutPrefix(msg, lead+` function "reflect".makeFuncStub (`)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, ')'); i >= 0 && strings.HasPrefix(rest[i:], "): ") {
			return rest[i+len("): "):]
		}
		return msg
	}
	return msg
}

// Error reports a constructor that cannot be provided or a dependency that
// cannot be built.
type Error struct {
	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns dig's error, if any.
func (e *Error) Unwrap() error { return e.err }
