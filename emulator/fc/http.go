package fc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/envelope"
)

// ServeHTTP serves an HTTP request as FC's HTTP trigger does.
//
// In ModeRuntimeAPI (FC 3.0's built-in runtimes) the request becomes the
// HTTP trigger's JSON event,
//
//	{"version":"v1","rawPath","body","isBase64Encoded","headers","queryParameters",
//	 "requestContext":{"accountId","domainName","domainPrefix",
//	  "http":{"method","path","protocol","sourceIp","userAgent"},"requestId","time","timeEpoch"}}
//
// with repeated header and query values joined with commas and a body
// that is not text in base64, and the function's answer,
// {"statusCode","headers","isBase64Encoded","body"}, becomes the HTTP
// response. An answer without a statusCode (not that shape) is sent as it
// is, as a 200 application/json body. (FC's page describes the event and
// the answer; the fallback is the emulator's reading of it, as Lambda's
// function URLs do the same.)
//
// In ModeCustom the request goes to the custom runtime as it is, with
// FC's headers and x-fc-control-path: /http-invoke (and without any x-fc-*
// header the client sent), and the response streams back as it comes.
//
// Either way a failure (a function error outside an HTTP answer, a
// timeout, a process that died) is FC's error JSON with status 502 and
// X-Fc-Error-Type: UnhandledInvocationError; a request over 32 MB is 413;
// every response carries X-Fc-Request-Id. After Close, ServeHTTP answers
// 503.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.o.Mode == ModeCustom {
		e.serveCustom(w, r)
		return
	}
	e.serveTrigger(w, r)
}

// serveTrigger serves a request as FC 3.0's HTTP trigger of a built-in
// runtime.
func (e *Emulator) serveTrigger(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxPayloadBytes {
		rejectTooLarge(w, r.ContentLength)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayloadBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			rejectTooLarge(w, -1)
			return
		}
		writeFailure(w, http.StatusBadRequest, mustJSON(errorJSON{ErrorMessage: "reading the request body: " + err.Error()}))
		return
	}
	id := newRequestID()
	event := httpTriggerEvent(r, body, id, time.Now(), e.o.AccountID)
	if len(event) > MaxPayloadBytes {
		rejectTooLarge(w, int64(len(event)))
		return
	}
	in, err := e.begin(r.Context())
	if err != nil {
		e.refuse(w, r, err)
		return
	}
	res := e.invoke(r.Context(), in, id, event)
	w.Header().Set("X-Fc-Request-Id", id)
	if res.Error != nil {
		writeFailure(w, http.StatusBadGateway, res.Payload)
		return
	}
	writeTriggerResponse(w, r, res.Payload)
}

// refuse answers a request the emulator could not give to the function.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var serr *emulator.StartError
	switch {
	case errors.Is(err, emulator.ErrClosed):
		writeFailure(w, http.StatusServiceUnavailable, mustJSON(errorJSON{ErrorMessage: err.Error()}))
	case r.Context().Err() != nil:
		// The client went away.
	case errors.As(err, &serr):
		writeFailure(w, http.StatusBadGateway, mustJSON(errorJSON{ErrorMessage: serr.Error()}))
	default:
		writeFailure(w, http.StatusInternalServerError, mustJSON(errorJSON{ErrorMessage: err.Error()}))
	}
}

// writeFailure answers a failed invocation with FC's error JSON.
func writeFailure(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if code == http.StatusBadGateway {
		h.Set("X-Fc-Error-Type", ErrorTypeUnhandled)
	}
	w.WriteHeader(code)
	w.Write(body)
}

// rejectTooLarge answers a request over FC's 32 MB limit, which FC refuses
// before running the function; size is -1 when unknown.
func rejectTooLarge(w http.ResponseWriter, size int64) {
	msg := fmt.Sprintf("the request is over FC's limit of %d bytes", MaxPayloadBytes)
	if size >= 0 {
		msg = fmt.Sprintf("the request is %d bytes, over FC's limit of %d bytes", size, MaxPayloadBytes)
	}
	body := mustJSON(struct {
		ErrorCode    string
		ErrorMessage string
	}{"PayloadTooLarge", msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	w.Write(body)
}

// triggerEvent is FC 3.0's HTTP trigger event.
type triggerEvent struct {
	Version         string            `json:"version"`
	RawPath         string            `json:"rawPath"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Headers         map[string]string `json:"headers"`
	QueryParameters map[string]string `json:"queryParameters"`
	RequestContext  triggerContext    `json:"requestContext"`
}

type triggerContext struct {
	AccountID    string      `json:"accountId"`
	DomainName   string      `json:"domainName"`
	DomainPrefix string      `json:"domainPrefix"`
	HTTP         triggerHTTP `json:"http"`
	RequestID    string      `json:"requestId"`
	Time         string      `json:"time"`
	TimeEpoch    string      `json:"timeEpoch"`
}

type triggerHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// httpTriggerEvent builds the HTTP trigger's event of r, whose body is
// body, as FC's page "Use an HTTP trigger to invoke a function" shows it:
// headers with canonical names (FC canonicalises them as Go's net/http
// does) and their values joined with commas, without the x-fc-* headers
// a client may not send; query parameters likewise; rawPath URL-encoded
// and requestContext.http.path decoded; the body as text when it is valid
// UTF-8 of a text (or unnamed) content type, in base64 otherwise; time in
// RFC 3339 seconds and timeEpoch in milliseconds, as strings.
func httpTriggerEvent(r *http.Request, body []byte, requestID string, now time.Time, accountID string) []byte {
	headers := make(map[string]string, len(r.Header))
	for k, vs := range r.Header {
		if isFCHeader(k) {
			continue
		}
		headers[http.CanonicalHeaderKey(k)] = strings.Join(vs, ",")
	}
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	s, b64 := envelope.EncodeBody(r.Header, body)
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix := ""
	if _, err := netip.ParseAddr(host); err != nil {
		prefix, _, _ = strings.Cut(host, ".")
	}
	ev := triggerEvent{
		Version:         "v1",
		RawPath:         r.URL.EscapedPath(),
		Body:            s,
		IsBase64Encoded: b64,
		Headers:         headers,
		QueryParameters: query,
		RequestContext: triggerContext{
			AccountID:    accountID,
			DomainName:   r.Host,
			DomainPrefix: prefix,
			HTTP: triggerHTTP{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  peerIP(r.RemoteAddr),
				UserAgent: r.UserAgent(),
			},
			RequestID: requestID,
			Time:      now.UTC().Format("2006-01-02T15:04:05Z"),
			TimeEpoch: strconv.FormatInt(now.UnixMilli(), 10),
		},
	}
	return mustJSON(ev)
}

// triggerResponse is the answer of a function to an HTTP trigger's event.
type triggerResponse struct {
	StatusCode      *int                       `json:"statusCode"`
	Headers         map[string]json.RawMessage `json:"headers"`
	IsBase64Encoded bool                       `json:"isBase64Encoded"`
	Body            *string                    `json:"body"`
}

// writeTriggerResponse writes the HTTP response of a function's answer to
// an HTTP trigger's event. Header values are strings (fc-runtime-go-sdk
// types them so); an array of strings is taken as several values.
func writeTriggerResponse(w http.ResponseWriter, r *http.Request, payload []byte) {
	var tr triggerResponse
	if err := json.Unmarshal(payload, &tr); err != nil || tr.StatusCode == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(payload)
		}
		return
	}
	code := *tr.StatusCode
	if code < 100 || code > 599 {
		writeFailure(w, http.StatusBadGateway, mustJSON(errorJSON{ErrorMessage: fmt.Sprintf("the function answered with the invalid statusCode %d", code), ErrorType: ErrorTypeUnhandled}))
		return
	}
	var body []byte
	if tr.Body != nil {
		var err error
		if body, err = envelope.DecodeBody(*tr.Body, tr.IsBase64Encoded); err != nil {
			writeFailure(w, http.StatusBadGateway, mustJSON(errorJSON{ErrorMessage: "the function's body is not valid base64: " + err.Error(), ErrorType: ErrorTypeUnhandled}))
			return
		}
	}
	h := w.Header()
	keys := make([]string, 0, len(tr.Headers))
	for k := range tr.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		raw := tr.Headers[k]
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			h.Add(ck, one)
		case json.Unmarshal(raw, &many) == nil:
			for _, v := range many {
				h.Add(ck, v)
			}
		}
	}
	if code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// peerIP returns the host of a network address.
func peerIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// mustJSON encodes v, which cannot fail for the emulator's own types,
// without escaping HTML characters.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"errorMessage":"fc emulator: encoding JSON failed"}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
