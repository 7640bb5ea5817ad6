package faas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// Typed adapts a function with a typed event and result to a HandlerFunc.
// The event is converted to In once per invocation, taking the user's data
// rather than the platform's envelope:
//
//   - if the standard event already is an In (such as *HTTPRequest or
//     *MessageEvent), it is passed as is;
//   - HTTP: the body is decoded as [Context.Bind] does; an empty body
//     leaves In's zero value. Whatever its Content-Type, a []byte In takes
//     the body as it is and a string In takes it as text (but a JSON
//     string labelled JSON, which it takes decoded: "hi" is hi), as a
//     webhook that checks the body's signature needs; a json.RawMessage
//     takes it as it is when it is JSON;
//   - messages: each message body is JSON decoded into In (an In of
//     Message or *Message takes the message as is, a []byte its body as
//     it is). A slice In (but a []byte or json.RawMessage) takes the
//     whole batch, one element per message, in one call. Any other In
//     takes one message: fn is called once per message of the batch, in
//     order, as a Lambda user's SQS handler expects; see below;
//   - timers: a payload configured on the trigger is decoded into In (a
//     string In takes it as is); without one, the native event's JSON is;
//   - anything else: the native event's JSON is decoded into In, so In may
//     be the platform's own event type, or the payload of a direct
//     invocation.
//
// Data that cannot be decoded is an *Error with status 400 that says where
// it breaks, and fn is not called. A nil pointer result is nil, so an HTTP
// trigger answers 204.
//
// A batch of one message gives fn's result and error as they are. A batch
// of several, taken one message at a time, gives the []Out of fn's
// results, in order, when every message succeeds; otherwise a *BatchError
// naming each message that failed (a body that cannot be decoded, or
// fn's error), so that where the platform takes a partial batch response
// (Lambda's SQS and Kinesis events) only those are retried, and elsewhere
// the batch fails as a whole. Once the invocation's context is done, the
// messages not yet begun fail with its error. In a batch whose order
// counts (an SQS FIFO queue's, whose source ends in ".fifo", or a Kinesis
// stream's), the messages after the first that fails are not handed to
// fn and fail too, as the platform delivers them again after it. A panic
// in fn fails the whole batch, as in any handler.
func Typed[In, Out any](fn func(ctx *Context, in In) (Out, error)) HandlerFunc {
	inType := reflect.TypeFor[In]()
	perMessage := !takesBatch(inType)
	return func(ctx *Context, event any) (any, error) {
		in, ok := event.(In)
		if e, batch := event.(*MessageEvent); !ok && batch && perMessage && len(e.Records) != 1 {
			return eachMessage(ctx, e, fn, inType)
		}
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
	target := decodeTarget(dst, t)
	switch e := event.(type) {
	case *HTTPRequest:
		if len(e.Body) == 0 || rawBodyIn(e, target) {
			return nil
		}
		return ctx.Bind(target)
	case *MessageEvent:
		if takesBatch(t) {
			s := reflect.MakeSlice(t, len(e.Records), len(e.Records))
			for i, m := range e.Records {
				if err := bindJSON(m.Body, s.Index(i).Addr().Interface(), fmt.Sprintf("body of message %d", i)); err != nil {
					return err
				}
			}
			reflect.ValueOf(dst).Elem().Set(s)
			return nil
		}
		return messageIn(&e.Records[0], dst, target)
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

// rawBodyIn sets target to the body of req when it takes the body
// undecoded, whatever its Content-Type: a *[]byte as it is, a *string as
// text (but a JSON string labelled JSON, which it takes decoded), a
// *json.RawMessage as it is if it is JSON. It reports whether it did.
func rawBodyIn(req *HTTPRequest, target any) bool {
	body := req.Body
	switch t := target.(type) {
	case *[]byte:
		*t = body
	case *string:
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '"' && jsonLabelled(req.Header.Get("Content-Type")) {
			if json.Unmarshal(trimmed, t) == nil {
				return true
			}
		}
		*t = string(body)
	case *json.RawMessage:
		if !json.Valid(body) {
			return false
		}
		*t = body
	default:
		return false
	}
	return true
}

// jsonLabelled reports whether the Content-Type ct is JSON's, as Bind
// reads it (contentType): a malformed one is not.
func jsonLabelled(ct string) bool {
	_, _, isJSON, _ := contentType(ct)
	return isJSON
}

// decodeTarget returns the value to decode into for *dst, of type t: dst,
// or, for a pointer type, a new value *dst is set to point to.
func decodeTarget[In any](dst *In, t reflect.Type) any {
	if t.Kind() != reflect.Pointer {
		return dst
	}
	*dst = reflect.New(t.Elem()).Interface().(In)
	return *dst
}

// takesBatch reports whether an In of type t takes a batch of messages
// whole: a slice, other than of bytes (a []byte or json.RawMessage takes
// one message's body).
func takesBatch(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

// messageIn sets *dst, of which target is the value to decode into, to the
// message m: m itself for an In of Message or *Message, its body as it is
// for a []byte, else its body decoded (a json.RawMessage takes it if it
// is JSON).
func messageIn[In any](m *Message, dst *In, target any) error {
	switch d := any(dst).(type) {
	case *Message:
		*d = *m
		return nil
	case **Message:
		*d = m
		return nil
	case *[]byte:
		*d = m.Body
		return nil
	}
	return bindJSON(m.Body, target, "message body")
}

// eachMessage calls fn for each message of e, in order, as Typed says.
func eachMessage[In, Out any](ctx *Context, e *MessageEvent, fn func(*Context, In) (Out, error), inType reflect.Type) (any, error) {
	outs := make([]Out, 0, len(e.Records))
	var berr BatchError
	for i := range e.Records {
		m := &e.Records[i]
		if err := context.Cause(ctx); err != nil {
			berr.Add(m.ID, fmt.Errorf("not handled: %w", err))
			continue
		}
		if len(berr.Failures) > 0 && inOrder(m) {
			berr.Add(m.ID, fmt.Errorf("not handled: message %s before it failed, and the batch's order counts", berr.Failures[0].ID))
			continue
		}
		var in In
		if err := messageIn(m, &in, decodeTarget(&in, inType)); err != nil {
			berr.Add(m.ID, err)
			continue
		}
		out, err := fn(ctx, in)
		if err != nil {
			berr.Add(m.ID, err)
			continue
		}
		outs = append(outs, out)
	}
	if err := berr.Err(); err != nil {
		return nil, err
	}
	return outs, nil
}

// inOrder reports whether m comes from a source that delivers in order and
// retries a batch from its first failed message on: an SQS FIFO queue or
// a Kinesis stream, named by their ARNs.
func inOrder(m *Message) bool {
	return strings.HasSuffix(m.Source, ".fifo") || strings.Contains(m.Source, ":kinesis:")
}
