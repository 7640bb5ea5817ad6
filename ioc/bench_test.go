package ioc

import (
	"reflect"
	"testing"
)

// chain provides n constructors to c, each of its own type: the first
// takes nothing, each other the previous one's result. It returns the
// last one's type.
func chain(tb testing.TB, c *Container, n int) reflect.Type {
	tb.Helper()
	var prev reflect.Type
	for i := range n {
		// [i]byte is a type of its own for each i.
		typ := reflect.ArrayOf(i, reflect.TypeFor[byte]())
		var in []reflect.Type
		if prev != nil {
			in = []reflect.Type{prev}
		}
		ctor := reflect.MakeFunc(reflect.FuncOf(in, []reflect.Type{typ}, false), func([]reflect.Value) []reflect.Value {
			return []reflect.Value{reflect.Zero(typ)}
		})
		if err := c.Provide(ctor.Interface()); err != nil {
			tb.Fatal(err)
		}
		prev = typ
	}
	return prev
}

// BenchmarkCheck checks a function that needs the last of 1000
// constructors, each built from the one before, as App.Check does for
// each function of an App.
func BenchmarkCheck(b *testing.B) {
	c := New()
	last := chain(b, c, 1000)
	fn := reflect.MakeFunc(reflect.FuncOf([]reflect.Type{last}, nil, false), func([]reflect.Value) []reflect.Value { return nil }).Interface()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Check(fn); err != nil {
			b.Fatal(err)
		}
	}
}
