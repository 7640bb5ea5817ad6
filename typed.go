package faas

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// Typed adapts a function with a typed event and result to a HandlerFunc.
// The event is converted to In once per invocation, taking the user's data
// rather than the platform's envelope:
//
//   - if the standard event already is an In (such as *HTTPRequest or
//     *MessageEvent), it is passed as is;
//   - HTTP: the body is decoded as [Context.Bind] does; an empty body
//     leaves In's zero value;
//   - messages: each message body is JSON decoded into In. A slice In
//     takes the whole batch, one element per message; any other In takes a
//     batch of exactly one message;
//   - timers: a payload configured on the trigger is decoded into In (a
//     string In takes it as is); without one, the native event's JSON is;
//   - anything else: the native event's JSON is decoded into In, so In may
//     be the platform's own event type, or the payload of a direct
//     invocation.
//
// Data that cannot be decoded is an *Error with status 400 that says where
// it breaks, and fn is not called. A nil pointer result is nil, so an HTTP
// trigger answers 204.
func Typed[In, Out any](fn func(ctx *Context, in In) (Out, error)) HandlerFunc {
	inType := reflect.TypeFor[In]()
	return func(ctx *Context, event any) (any, error) {
		in, ok := event.(In)
		if !ok {
			if err := decodeTyped(ctx, event, &in, inType); err != nil {
				var ferr *Error
				if !errors.As(err, &ferr) {
					err = &Error{StatusCode: http.StatusBadRequest, Message: err.Error(), Err: err}
				}
				return nil, err
			}
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		if v := reflect.ValueOf(&out).Elem(); v.Kind() == reflect.Pointer && v.IsNil() {
			return nil, nil
		}
		return out, nil
	}
}

// decodeTyped decodes the data of event into *dst, of type t.
func decodeTyped[In any](ctx *Context, event any, dst *In, t reflect.Type) error {
	target := any(dst)
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		*dst = p.Interface().(In)
		target = *dst
	}
	switch e := event.(type) {
	case *HTTPRequest:
		if len(e.Body) == 0 {
			return nil
		}
		return ctx.Bind(target)
	case *MessageEvent:
		if t.Kind() == reflect.Slice && t != reflect.TypeFor[[]byte]() {
			s := reflect.MakeSlice(t, len(e.Records), len(e.Records))
			for i, m := range e.Records {
				if err := bindJSON(m.Body, s.Index(i).Addr().Interface(), fmt.Sprintf("body of message %d", i)); err != nil {
					return err
				}
			}
			reflect.ValueOf(dst).Elem().Set(s)
			return nil
		}
		if len(e.Records) != 1 {
			return fmt.Errorf("a batch of %d messages cannot be decoded into %s: take a slice of it", len(e.Records), t)
		}
		return bindJSON(e.Records[0].Body, target, "message body")
	case *TimerEvent:
		if e.Payload != "" {
			if s, ok := target.(*string); ok && !json.Valid([]byte(e.Payload)) {
				*s = e.Payload
				return nil
			}
			return bindJSON([]byte(e.Payload), target, "timer payload")
		}
	}
	return ctx.Bind(target)
}
