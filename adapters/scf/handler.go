package scf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Limits of SCF's synchronous invocations (Tencent Cloud docs 583/11637,
// "限制说明", and 583/40688 for web functions): an event of at most 6 MB,
// and a response of at most 6 MB. The platform itself limits asynchronous
// invocations (COS, CLS and the like) to 128 KB.
const (
	MaxPayloadBytes  = 6 << 20
	MaxResponseBytes = 6 << 20
)

// Handler serves a faas.Handler to SCF: it decodes SCF's native events
// into standard events, invokes the App, and encodes the result as SCF
// expects it. Invoke handles one event, as the Go runtime and the custom
// runtime deliver them; ServeHTTP is a web function, and an image
// function's event endpoint. A Handler is safe for concurrent use.
type Handler struct {
	// EventInvoke makes ServeHTTP take a POST to EventInvokePath as an
	// image function's event invocation. It is off by default, as for a
	// web function that path is a route like any other, which a client
	// could otherwise use to send the function events of its choosing.
	// Start sets it when EnvEventInvoke is "1".
	EventInvoke bool

	app *faas.App
}

// NewHandler returns a Handler serving h. If h is not an *faas.App it is
// served as an App of one function.
func NewHandler(h faas.Handler) *Handler {
	return &Handler{app: faas.AsApp(h)}
}

// Invoke handles one event invocation in process: payload is the event as
// SCF delivers it, fctx SCF's context of the invocation (nil means an empty
// one), and ctx the parent of the invocation's context: give it SCF's
// deadline. When ctx has no deadline and fctx.TimeLimitInMs is set, the
// deadline is that long from now.
//
// The event is decoded by its shape:
//
//   - an API Gateway integration request (httpMethod, path, headers or
//     requestContext) is a *faas.HTTPRequest, and the result is the API
//     Gateway integration response {"isBase64Encoded", "statusCode",
//     "headers", "body"}; handler errors are HTTP error responses in it;
//   - an API Gateway WebSocket event (a "websocket" member) is a
//     *faas.RawEvent of trigger "websocket" whose Kind is its action
//     ("connecting", "data send", "closing", ...);
//   - a timer event (Type "Timer") is a *faas.TimerEvent;
//   - a COS event (Records of "cos") is a *faas.StorageEvent;
//   - a CMQ topic or CKafka event (Records of "CMQ" or "Ckafka") is a
//     *faas.MessageEvent;
//   - a CLS event ("clslogs") is a *faas.RawEvent of trigger "log" and Kind
//     "cls" (see DecodeCLSLogs);
//   - an MPS event (EventType and its …Event member) is a *faas.RawEvent of
//     trigger "mps" whose Kind is the EventType;
//   - anything else is a *faas.RawEvent of trigger "raw".
//
// For all but HTTP the result is JSON (faas.EncodeResult) and an error is
// returned as is, for the caller to report in SCF's error envelope. An
// event that cannot be decoded is a *faas.DecodeError naming the trigger
// and the field; an event or response over 6 MB is a *faas.LimitError.
func (h *Handler) Invoke(ctx context.Context, fctx *Context, payload []byte) ([]byte, error) {
	if h == nil || h.app == nil {
		return nil, errNoApp
	}
	if fctx == nil {
		fctx = &Context{}
	}
	if len(payload) > MaxPayloadBytes {
		m, _ := scan(payload) // what it saw, to name the trigger
		return nil, &faas.LimitError{Platform: faas.PlatformSCF, Trigger: m.guess().trigger(), What: "event",
			Size: len(payload), Limit: MaxPayloadBytes}
	}
	event, k, err := decode(payload)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); !ok && fctx.TimeLimitInMs > 0 {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(fctx.TimeLimitInMs)*time.Millisecond)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	var origin []byte
	if len(payload) > 0 {
		origin = payload
	}
	c := h.app.NewContext(ctx, faas.Invocation{
		Platform:  faas.PlatformSCF,
		RequestID: fctx.RequestID,
		Event:     event,
		Origin:    faas.Origin{Event: origin, Context: fctx},
	})
	result, err := deadline.Invoke(h.app, c, event)
	if k == kindHTTP {
		resp := faas.Respond(c, result, err)
		out := appendAPIGWResponse(make([]byte, 0, len(resp.Body)*4/3+512), resp)
		if len(out) > MaxResponseBytes {
			return nil, &faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "response",
				Size: len(out), Limit: MaxResponseBytes}
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := faas.EncodeResult(result)
	if err != nil {
		return nil, err
	}
	if len(out) > MaxResponseBytes {
		return nil, &faas.LimitError{Platform: faas.PlatformSCF, Trigger: k.trigger(), What: "response",
			Size: len(out), Limit: MaxResponseBytes}
	}
	return out, nil
}

// errNoApp is the error of a Handler that NewHandler did not make.
var errNoApp = errors.New("scf: the Handler serves nothing: make it with NewHandler")

// kind is a shape of SCF event.
type kind uint8

const (
	kindRaw kind = iota
	kindHTTP
	kindWebSocket
	kindTimer
	kindCOS
	kindCMQ
	kindCKafka
	kindCLS
	kindMPS
)

// trigger returns the trigger name of the events of kind k.
func (k kind) trigger() string {
	switch k {
	case kindHTTP:
		return faas.TriggerHTTP
	case kindWebSocket:
		return triggerWebSocket
	case kindTimer:
		return faas.TriggerTimer
	case kindCOS:
		return faas.TriggerStorage
	case kindCMQ, kindCKafka:
		return faas.TriggerMessage
	case kindCLS:
		return faas.TriggerLog
	case kindMPS:
		return triggerMPS
	}
	return faas.TriggerRaw
}

// Trigger names of the SCF sources that have no standard event.
const (
	triggerWebSocket = "websocket"
	triggerMPS       = "mps"
)

// members holds the raw values of the top-level members of an event that
// tell SCF's event shapes apart and that the decoders read. One walk over
// the event fills it; the decoders then read only these values.
type members struct {
	// API Gateway (scf-go-lib events/apigw.go; Tencent Cloud doc 583/12513).
	httpMethod, path, headers, queryString, queryStringParameters []byte
	body, isBase64Encoded, requestContext, pathParameters         []byte
	// COS, CMQ, CKafka.
	records []byte
	// Timer (scf-go-lib events/timer.go).
	typ, triggerName, time, message []byte
	// CLS, API Gateway WebSocket, MPS.
	clslogs, websocket, eventType []byte
	eventKeys                     []string // keys ending in "Event", for MPS
}

// scan walks the top-level object of an event. On malformed JSON it
// returns the members it saw before the error, and the error.
func scan(payload []byte) (members, error) {
	var m members
	err := jsonwire.Members(payload, func(key, v []byte) bool {
		switch string(key) {
		case "httpMethod":
			m.httpMethod = v
		case "path":
			m.path = v
		case "headers":
			m.headers = v
		case "queryString":
			m.queryString = v
		case "queryStringParameters":
			m.queryStringParameters = v
		case "body":
			m.body = v
		case "isBase64Encoded":
			m.isBase64Encoded = v
		case "requestContext":
			m.requestContext = v
		case "pathParameters":
			m.pathParameters = v
		case "Records":
			m.records = v
		case "Type":
			m.typ = v
		case "TriggerName":
			m.triggerName = v
		case "Time":
			m.time = v
		case "Message":
			m.message = v
		case "clslogs":
			m.clslogs = v
		case "websocket":
			m.websocket = v
		case "EventType":
			m.eventType = v
		default:
			if len(key) > len("Event") && string(key[len(key)-len("Event"):]) == "Event" {
				m.eventKeys = append(m.eventKeys, string(key))
			}
		}
		return true
	})
	return m, err
}

// kind tells the event's shape from its members.
func (m *members) kind() kind {
	switch {
	case m.websocket != nil:
		return kindWebSocket
	case m.httpMethod != nil && m.path != nil && (m.headers != nil || m.requestContext != nil):
		return kindHTTP
	case m.records != nil:
		return recordsKind(m.records)
	case isString(m.typ, "Timer"):
		return kindTimer
	case m.clslogs != nil:
		return kindCLS
	case m.eventType != nil:
		if t, ok := jsonwire.String(m.eventType); ok && t != "" {
			for _, k := range m.eventKeys {
				if k == t+"Event" {
					return kindMPS
				}
			}
		}
	}
	return kindRaw
}

// guess tells the shape of an event from the members seen before its
// JSON broke off: as kind does, but an httpMethod or a requestContext is
// enough for HTTP.
func (m *members) guess() kind {
	if m.websocket == nil && (m.httpMethod != nil || m.requestContext != nil) {
		return kindHTTP
	}
	return m.kind()
}

// recordsKind tells a batch event's source from its first record.
func recordsKind(records []byte) kind {
	k := kindRaw
	jsonwire.Array(records, func(rec []byte) bool {
		jsonwire.Object(rec, func(key string, _ []byte) bool {
			switch key {
			case "cos":
				k = kindCOS
			case "CMQ":
				k = kindCMQ
			case "Ckafka":
				k = kindCKafka
			default:
				return true
			}
			return false
		})
		return false
	})
	return k
}

// isString reports whether raw is the JSON string s.
func isString(raw []byte, s string) bool {
	v, ok := jsonwire.String(raw)
	return ok && v == s
}

// isNull reports whether a member is absent or null.
func isNull(raw []byte) bool { return raw == nil || string(raw) == "null" }

// decode decodes an event into its standard event.
func decode(payload []byte) (any, kind, error) {
	if len(bytes.TrimSpace(payload)) == 0 {
		return &faas.RawEvent{Trigger: faas.TriggerRaw}, kindRaw, nil
	}
	m, err := scan(payload)
	if errors.Is(err, jsonwire.ErrNotObject) {
		if !jsonwire.Valid(payload) {
			err = errMalformed
			var v json.RawMessage // only for its error's detail
			if uerr := json.Unmarshal(payload, &v); uerr != nil {
				err = fmt.Errorf("%w: %w", errMalformed, uerr)
			}
			return nil, kindRaw, decodeError(faas.TriggerRaw, "", err)
		}
		return &faas.RawEvent{Trigger: faas.TriggerRaw, JSON: payload}, kindRaw, nil
	}
	if err != nil {
		k := m.guess()
		return nil, k, decodeError(k.trigger(), "", fmt.Errorf("%w: %w", errMalformed, err))
	}
	k := m.kind()
	var event any
	switch k {
	case kindHTTP:
		event, err = decodeAPIGW(&m)
	case kindWebSocket:
		event, err = decodeWebSocket(&m, payload)
	case kindTimer:
		event, err = decodeTimer(&m)
	case kindCOS:
		event, err = decodeCOS(m.records)
	case kindCMQ:
		event, err = decodeCMQ(m.records)
	case kindCKafka:
		event, err = decodeCKafka(m.records)
	case kindCLS:
		event, err = decodeCLS(&m, payload)
	case kindMPS:
		t, _ := jsonwire.String(m.eventType)
		event = &faas.RawEvent{Trigger: triggerMPS, Kind: t, JSON: payload}
	default:
		event = &faas.RawEvent{Trigger: faas.TriggerRaw, JSON: payload}
	}
	if err != nil {
		return nil, k, err
	}
	return event, k, nil
}

// errMalformed is wrapped by the error of an event that is not JSON.
var errMalformed = errors.New("malformed JSON")

// optString returns the string a member holds, or "" if it is absent or
// null.
func optString(trigger, field string, raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	s, ok := jsonwire.String(raw)
	if !ok {
		return "", wrongType(trigger, field, raw, "string")
	}
	return s, nil
}

// eachRecord calls fn with the index and raw value of each element of a
// batch event's Records array.
func eachRecord(trigger string, records []byte, fn func(i int, rec []byte) error) error {
	if len(records) == 0 || records[0] != '[' {
		return wrongType(trigger, "Records", records, "array")
	}
	i := 0
	var err error
	jsonwire.Array(records, func(rec []byte) bool { // the walk in scan checked the syntax
		if len(rec) == 0 || rec[0] != '{' {
			err = wrongType(trigger, fmt.Sprintf("Records[%d]", i), rec, "object")
		} else {
			err = fn(i, rec)
		}
		i++
		return err == nil
	})
	return err
}
