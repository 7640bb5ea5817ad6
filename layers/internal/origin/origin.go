// Package origin reads, for the built-in layers, what an invocation's
// platform delivered with it: the request or platform headers that carry
// trace context, fields of the platform's own context, and whether the
// invocation failed. It reads the adapters' context types by their
// exported fields, without importing the adapters, so that a layer links
// no adapter into a binary.
package origin

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/anyfaas/faas"
)

// Header returns the headers the invocation came with: the HTTP request's
// for an HTTP trigger; else those of the platform's own context when it
// holds headers (the *http.Request of a plain HTTP host, the request that
// delivered a CloudEvent, FC's x-fc-* headers); else nil.
func Header(ctx *faas.Context) http.Header {
	if r := ctx.Request(); r != nil && r.Header != nil {
		return r.Header
	}
	return PlatformHeader(ctx)
}

// PlatformHeader returns the headers of the platform's own context, when
// it holds headers: the *http.Request of a plain HTTP host, the request
// that delivered a CloudEvent, FC's x-fc-* headers; else nil.
func PlatformHeader(ctx *faas.Context) http.Header {
	switch o := ctx.Origin().Context.(type) {
	case nil:
		return nil
	case *http.Request:
		return o.Header
	default:
		h, _ := field(o, "Header").(http.Header)
		return h
	}
}

// String returns the exported string field name of the struct v points to,
// or "" if it has none: SCF's context's TraceID, say.
func String(v any, name string) string {
	s, _ := field(v, name).(string)
	return s
}

var fieldIndex sync.Map // fieldKey → []int, nil if absent

type fieldKey struct {
	t    reflect.Type
	name string
}

// field returns the exported field name of the struct v points to, or nil.
// The field's index is found once per type.
func field(v any, name string) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	rv = rv.Elem()
	key := fieldKey{rv.Type(), name}
	idx, ok := fieldIndex.Load(key)
	if !ok {
		var found []int
		if f, ok := rv.Type().FieldByName(name); ok && f.IsExported() {
			found = f.Index
		}
		idx, _ = fieldIndex.LoadOrStore(key, found)
	}
	if idx.([]int) == nil {
		return nil
	}
	return rv.FieldByIndex(idx.([]int)).Interface()
}

// Status returns the HTTP status an invocation's outcome is answered
// with, as far as the outcome says: an error's (500 unless an *faas.Error
// carries another), or an *faas.HTTPResponse's own; 0 when the status is
// the one the handler set on the Context, or a default.
func Status(result any, err error) int {
	if err != nil {
		var ferr *faas.Error
		if errors.As(err, &ferr) && ferr != nil && ferr.StatusCode >= 200 && ferr.StatusCode <= 999 {
			return ferr.StatusCode
		}
		return http.StatusInternalServerError
	}
	if r, ok := result.(*faas.HTTPResponse); ok && r != nil {
		return r.StatusCode
	}
	return 0
}

// Failed reports whether the invocation of ctx failed: it returned an HTTP
// response with a 5xx status, or an error, unless the invocation is an
// HTTP request and the error a client error (an *faas.Error with a 4xx
// status is then the handler's answer). An error of any other trigger is
// a failure whatever its status: the platform retries or redelivers the
// event.
func Failed(ctx *faas.Context, result any, err error) bool {
	if err != nil && ctx.Trigger() != faas.TriggerHTTP {
		return true
	}
	return Status(result, err) >= http.StatusInternalServerError
}

// Trace returns the trace context the headers carry, for log correlation:
// from a W3C traceparent (version-traceid-spanid-flags), else from Google
// Cloud's X-Cloud-Trace-Context (TRACE_ID/SPAN_ID;o=OPTIONS, the span id
// in decimal; https://cloud.google.com/trace/docs/trace-context). The ids
// are lower-case hex; empty when the headers carry none.
func Trace(h http.Header) (traceID, spanID string, sampled bool) {
	if parts := strings.Split(h.Get("Traceparent"), "-"); len(parts) >= 4 &&
		isHex(parts[1], 32) && isHex(parts[2], 16) && len(parts[3]) == 2 {
		if flags, err := strconv.ParseUint(parts[3], 16, 8); err == nil {
			return strings.ToLower(parts[1]), strings.ToLower(parts[2]), flags&1 == 1
		}
	}
	v := h.Get("X-Cloud-Trace-Context")
	trace, rest, _ := strings.Cut(v, "/")
	trace, opts, _ := strings.Cut(trace, ";")
	if !isHex(trace, 32) {
		return "", "", false
	}
	if rest != "" {
		var span string
		span, opts, _ = strings.Cut(rest, ";")
		if n, err := strconv.ParseUint(span, 10, 64); err == nil && n != 0 {
			spanID = fmt.Sprintf("%016x", n)
		}
	}
	return strings.ToLower(trace), spanID, opts == "o=1"
}

// isHex reports whether s is n hex digits, not all zero.
func isHex(s string, n int) bool {
	if len(s) != n || strings.Trim(s, "0") == "" {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// SemconvTrigger names a trigger as the OpenTelemetry semantic
// conventions' faas.trigger attribute does.
func SemconvTrigger(t string) string {
	switch t {
	case faas.TriggerHTTP:
		return "http"
	case faas.TriggerMessage:
		return "pubsub"
	case faas.TriggerStorage:
		return "datasource"
	case faas.TriggerTimer:
		return "timer"
	}
	return "other"
}
