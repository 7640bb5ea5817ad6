package faas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
)

// HTTPResponse is the standard response of an HTTP trigger. A handler may
// return one to control the status, headers and body; adapters encode it in
// the platform's envelope, in base64 where the envelope is JSON and the body
// is not text.
type HTTPResponse struct {
	// StatusCode is the HTTP status; zero means 200.
	StatusCode int
	// Header holds the response headers. Every value of a multi-value
	// header, and every Set-Cookie, is sent.
	Header http.Header
	// Body is the response body.
	Body []byte
}

// Content types of the responses made from plain results.
const (
	contentText   = "text/plain; charset=utf-8"
	contentBinary = "application/octet-stream"
	contentJSON   = "application/json; charset=utf-8"
)

// Respond turns what a handler returned into the HTTP response to send.
//
//   - An *HTTPResponse is sent as is; a zero StatusCode means 200.
//   - A string is 200 text/plain; a []byte is 200 application/octet-stream;
//     an io.Reader is read to the end and sent like a []byte.
//   - nil is 204 No Content.
//   - Any other value is encoded as JSON and sent as 200 application/json.
//     One that cannot be (a func, a channel, a cycle), or an io.Reader
//     that fails, is a 500, logged at ERROR with its error as an
//     invocation failure; the layers, which ran before the result was
//     encoded, saw a success.
//   - An error that is or wraps an *Error sends its status, headers and
//     message. Any other error is a 500 with a generic body; only in
//     development mode (see [WithDevelopment]) does the body carry the
//     error's text.
//
// The status set with [Context.SetStatus] replaces the 200 or 204 of a plain
// result, and applies to an *HTTPResponse without a status of its own. A
// status outside 200–999 is a bug in the handler: it is logged and answered
// with a 500. Headers set on the Context are sent with every response: they
// replace the default Content-Type of a plain result, while a header that an
// *HTTPResponse or *Error sets itself wins over them. Respond ends the
// invocation's response: later changes through the Context are ignored.
//
// The response's Header may be shared with other responses: read it, or
// Clone it to change it.
func Respond(ctx *Context, result any, err error) *HTTPResponse {
	resp, _ := respond(ctx, result, err, false)
	return resp
}

// RespondStream is Respond for adapters that can stream a response: when
// the result is an io.Reader, it returns the response's status and headers
// with an empty body, and the reader, unread, for the adapter to stream and
// then close if it is an io.Closer. For any other result the reader is nil
// and the response is Respond's.
func RespondStream(ctx *Context, result any, err error) (*HTTPResponse, io.Reader) {
	return respond(ctx, result, err, true)
}

func respond(ctx *Context, result any, err error, stream bool) (*HTTPResponse, io.Reader) {
	status, header, out := ctx.end()
	resp, body := build(ctx, out, status, header, result, err, stream)
	if !validStatus(resp.StatusCode) {
		ctx.Logger().Error("faas: the handler set an invalid HTTP status; answering 500", "status", resp.StatusCode)
		if c, ok := body.(io.Closer); ok {
			c.Close()
		}
		return errorResponse(ctx, header, fmt.Errorf("faas: invalid HTTP status %d", resp.StatusCode)), nil
	}
	return resp, body
}

// validStatus reports whether code can be a final HTTP status.
func validStatus(code int) bool { return 200 <= code && code <= 999 }

// build makes the response to result and err, in out unless it is nil.
func build(ctx *Context, out *HTTPResponse, status int, header http.Header, result any, err error, stream bool) (*HTTPResponse, io.Reader) {
	if err != nil {
		return errorResponse(ctx, header, err), nil
	}
	var body io.Reader
	var resp *HTTPResponse
	switch r := result.(type) {
	case *HTTPResponse:
		if r == nil {
			resp = fill(out, http.StatusNoContent, nil, nil)
			break
		}
		if r.StatusCode != 0 && len(header) == 0 {
			return r, nil
		}
		resp = fill(out, r.StatusCode, mergeHeader(header, r.Header), r.Body)
		if resp.StatusCode == 0 {
			resp.StatusCode = status
		}
		if resp.StatusCode == 0 {
			resp.StatusCode = http.StatusOK
		}
		return resp, nil
	case nil:
		resp = fill(out, http.StatusNoContent, nil, nil)
	case string:
		resp = plainResponse(out, contentText, []byte(r))
	case []byte:
		resp = plainResponse(out, contentBinary, r)
	case json.RawMessage:
		resp = plainResponse(out, contentJSON, r)
	case io.Reader:
		ct := contentBinary
		if typed, ok := r.(interface{ ContentType() string }); ok {
			ct = typed.ContentType()
		}
		if stream {
			resp, body = plainResponse(out, ct, nil), r
			break
		}
		data, rerr := io.ReadAll(r)
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		if rerr != nil {
			return resultFailed(ctx, header, fmt.Errorf("faas: reading the result: %w", rerr)), nil
		}
		resp = plainResponse(out, ct, data)
	default:
		data, merr := EncodeResult(r)
		if merr != nil {
			return resultFailed(ctx, header, merr), nil
		}
		resp = plainResponse(out, contentJSON, data)
	}
	if status != 0 {
		resp.StatusCode = status
	}
	// The Content-Type of a plain result is a default: what the handler set
	// on the Context wins.
	resp.Header = mergeHeader(resp.Header, header)
	return resp, body
}

// plainResponse is the 200 response, in out unless it is nil, of a plain
// result of the given content type.
func plainResponse(out *HTTPResponse, contentType string, body []byte) *HTTPResponse {
	// A switch, not a map: comparing with the three constants costs less
	// than hashing the content type.
	var h http.Header
	switch contentType {
	case contentJSON:
		h = headerJSON
	case contentText:
		h = headerText
	case contentBinary:
		h = headerBinary
	}
	if h != nil {
		return fill(out, http.StatusOK, h, body)
	}
	// One allocation for the response and its header's value.
	p := &struct {
		resp HTTPResponse
		ct   [1]string
	}{ct: [1]string{contentType}}
	p.resp = HTTPResponse{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": p.ct[:]},
		Body:       body,
	}
	return &p.resp
}

// fill sets out to the response of status, header and body and returns it,
// or a new response if out is nil.
func fill(out *HTTPResponse, status int, header http.Header, body []byte) *HTTPResponse {
	if out == nil {
		return &HTTPResponse{StatusCode: status, Header: header, Body: body}
	}
	*out = HTTPResponse{StatusCode: status, Header: header, Body: body}
	return out
}

// The headers of the responses made from plain results,
// shared by them all (a small map costs more than the rest of a response
// to make): they are never changed.
var (
	headerText   = http.Header{"Content-Type": {contentText}}
	headerBinary = http.Header{"Content-Type": {contentBinary}}
	headerJSON   = http.Header{"Content-Type": {contentJSON}}
)

// mergeHeader returns base overlaid with top: a key in top replaces the
// same key in base. It returns one of them when the other is empty, and
// otherwise a new map, never changing either.
func mergeHeader(base, top http.Header) http.Header {
	if len(base) == 0 {
		return top
	}
	if len(top) == 0 {
		return base
	}
	h := maps.Clone(base)
	maps.Copy(h, top)
	return h
}

// errorBody is the JSON body of an error response.
type errorBody struct {
	Error  string `json:"error"`
	Detail string `json:"detail,omitempty"`
}

// resultFailed is the 500 answering a result that cannot be sent, such as
// one that cannot be encoded as JSON, logged at ERROR with err: the
// invocation and its layers ended before the result was encoded, and saw
// no failure, so neither the App nor a layer with LogsFailures logged one.
func resultFailed(ctx *Context, ctxHeader http.Header, err error) *HTTPResponse {
	ctx.Logger().Error("invocation failed", "error", err)
	return errorResponse(ctx, ctxHeader, err)
}

func errorResponse(ctx *Context, ctxHeader http.Header, err error) *HTTPResponse {
	var (
		ferr *Error
		body errorBody
		resp = &HTTPResponse{}
	)
	if errors.As(err, &ferr) && ferr != nil && validStatus(ferr.status()) {
		resp.StatusCode = ferr.status()
		body.Error = ferr.message()
		if ferr.Err != nil && resp.StatusCode >= 500 && ctx.app != nil && ctx.app.dev {
			// The cause of a server error, such as the panic a recovery
			// layer answers for, as the App's own 500 shows it.
			body.Detail = ferr.Err.Error()
		}
		resp.Header = mergeHeader(ctxHeader, ferr.Header)
	} else {
		resp.StatusCode = http.StatusInternalServerError
		body.Error = http.StatusText(http.StatusInternalServerError)
		if ctx.app != nil && ctx.app.dev {
			body.Detail = err.Error()
		}
		resp.Header = mergeHeader(ctxHeader, nil)
	}
	resp.Header = mergeHeader(resp.Header, http.Header{"Content-Type": {contentJSON}})
	resp.Body, _ = EncodeResult(body) // errorBody always encodes
	return resp
}

// EncodeResult encodes a handler's result as JSON, the way adapters send the
// results of non-HTTP triggers: nil is null, a json.RawMessage is sent as is,
// and HTML characters are not escaped.
func EncodeResult(result any) ([]byte, error) {
	// json.Marshal costs less than an Encoder, whose output is copied out
	// of a buffer of ours, but escapes <, > and & for HTML: a result whose
	// JSON holds such an escape, or any \u00XX, is encoded again without
	// (a MarshalJSON method of the result then runs twice).
	b, err := json.Marshal(result)
	if err != nil {
		return nil, fmt.Errorf("faas: encoding the result as JSON: %w", err)
	}
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b, nil
	}
	e := resultEncoders.Get().(*resultEncoder)
	defer e.release()
	if err := e.enc.Encode(result); err != nil {
		return nil, fmt.Errorf("faas: encoding the result as JSON: %w", err)
	}
	return bytes.Clone(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))), nil
}

// resultEncoder is a JSON encoder and its buffer, kept for the next
// result: an invocation then allocates only the bytes it returns.
type resultEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var resultEncoders = sync.Pool{New: func() any {
	e := new(resultEncoder)
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// release returns e to the pool, unless a large result grew its buffer.
func (e *resultEncoder) release() {
	if e.buf.Cap() > 64<<10 {
		return
	}
	e.buf.Reset()
	resultEncoders.Put(e)
}
