package faas

import (
	"reflect"
)

// Typed adapts a function with a typed event and result to a HandlerFunc.
// The event is converted to In once per invocation:
//
//   - if the standard event already is an In (such as *HTTPRequest or
//     *TimerEvent), it is passed as is;
//   - for an HTTP trigger, the body is decoded into In as [Context.Bind]
//     does; an empty body leaves In's zero value;
//   - for any other trigger, the native event's JSON is decoded into In, so
//     In may be the platform's own event type, or the payload of a direct
//     invocation.
//
// A payload that cannot be decoded is an *Error with status 400 that says
// where it breaks; fn is not called.
func Typed[In, Out any](fn func(ctx *Context, in In) (Out, error)) HandlerFunc {
	inType := reflect.TypeFor[In]()
	return func(ctx *Context, event any) (any, error) {
		in, ok := event.(In)
		if !ok {
			target := any(&in)
			if inType.Kind() == reflect.Pointer {
				p := reflect.New(inType.Elem())
				in = p.Interface().(In)
				target = in
			}
			if req := ctx.Request(); req == nil || len(req.Body) > 0 {
				if err := ctx.Bind(target); err != nil {
					return nil, err
				}
			}
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}
