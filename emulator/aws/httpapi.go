package aws

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anyfaas/faas/emulator"
)

// httpAPIMaxBody is the largest request body an HTTP API takes (API
// Gateway quotas: 10 MB payload).
const httpAPIMaxBody = 10 << 20

// maxPrelude bounds the JSON prelude of a streamed HTTP response.
const maxPrelude = 1 << 20

// ServeHTTP passes r to the function as an API Gateway HTTP API does with
// a Lambda proxy integration, payload format 2.0, on its $default route
// and stage, and writes the function's answer back as the HTTP API does.
//
// The event has rawPath, rawQueryString, cookies (from the Cookie
// headers), headers (lower-cased, repeated ones joined with commas, plus
// host, content-length and the x-forwarded-* headers API Gateway adds),
// queryStringParameters (repeated ones joined with commas), requestContext
// (http.method, path, protocol, sourceIp and userAgent, requestId,
// routeKey and stage "$default", time and timeEpoch) and the body, in
// base64 with isBase64Encoded unless its Content-Type is text/*,
// application/json, application/xml or application/javascript.
//
// The answer, per "Lambda function response format" of the HTTP API
// developer guide: a JSON object with a statusCode gives the status, its
// headers, multiValueHeaders and cookies (each a Set-Cookie header), and
// its body, base64-decoded if isBase64Encoded; any other valid JSON (a
// string, an object without statusCode…) is a 200 application/json
// response whose body is the JSON, or the string's text. A function error,
// or an answer that is neither, is a 500 {"message":"Internal Server
// Error"}. A streamed response (content type
// application/vnd.awslambda.http-integration-response, as aws-lambda-go
// sends a LambdaFunctionURLStreamingResponse) is relayed as a function URL
// in RESPONSE_STREAM mode relays it: the prelude's status, headers and
// cookies, then the body as it comes.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, httpAPIMaxBody+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > httpAPIMaxBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	reqID := newAPIRequestID()
	traceID := newTraceID(now)
	event := newHTTPAPIEvent(r, body, now, reqID, traceID)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(event); err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Apigw-Requestid", reqID)

	inv, err := e.start(r.Context(), bytes.TrimSuffix(buf.Bytes(), []byte("\n")), call{traceID: traceID, streaming: true})
	if err != nil {
		switch {
		case errors.Is(err, ErrRequestTooLarge):
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		case errors.Is(err, emulator.ErrClosed):
			writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		case r.Context().Err() != nil: // the client went away
		default:
			e.logf("%v", err)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		}
		return
	}
	defer inv.detach()
	select {
	case rs := <-inv.stream:
		relay(w, rs)
	case <-inv.done:
		writeHTTPAPIResponse(w, &inv.result)
	case <-r.Context().Done():
	}
}

// httpAPIEvent is the payload format 2.0 event.
type httpAPIEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        httpAPIContext    `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type httpAPIContext struct {
	AccountID    string      `json:"accountId"`
	APIID        string      `json:"apiId"`
	DomainName   string      `json:"domainName"`
	DomainPrefix string      `json:"domainPrefix"`
	HTTP         httpAPIHTTP `json:"http"`
	RequestID    string      `json:"requestId"`
	RouteKey     string      `json:"routeKey"`
	Stage        string      `json:"stage"`
	Time         string      `json:"time"`
	TimeEpoch    int64       `json:"timeEpoch"`
}

type httpAPIHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func newHTTPAPIEvent(r *http.Request, body []byte, now time.Time, reqID, traceID string) *httpAPIEvent {
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	hostname, port := r.Host, ""
	if h, p, err := net.SplitHostPort(r.Host); err == nil {
		hostname, port = h, p
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port = p
		}
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[proto]
	}

	ev := &httpAPIEvent{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Headers:        make(map[string]string, len(r.Header)+5),
		RequestContext: httpAPIContext{
			AccountID:    account,
			APIID:        "local",
			DomainName:   hostname,
			DomainPrefix: strings.SplitN(hostname, ".", 2)[0],
			HTTP: httpAPIHTTP{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			RequestID: reqID,
			RouteKey:  "$default",
			Stage:     "$default",
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
		},
	}
	for k, vs := range r.Header {
		k = strings.ToLower(k)
		if k == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[k] = strings.Join(vs, ",")
	}
	ev.Headers["host"] = r.Host
	if len(body) > 0 {
		ev.Headers["content-length"] = strconv.Itoa(len(body))
	}
	if xff := ev.Headers["x-forwarded-for"]; xff != "" {
		ev.Headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		ev.Headers["x-forwarded-for"] = sourceIP
	}
	ev.Headers["x-forwarded-port"] = port
	ev.Headers["x-forwarded-proto"] = proto
	if _, ok := ev.Headers["x-amzn-trace-id"]; !ok {
		root, _, _ := strings.Cut(traceID, ";")
		ev.Headers["x-amzn-trace-id"] = root
	}

	if q, _ := url.ParseQuery(r.URL.RawQuery); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(body) > 0 {
		if isHTTPAPIText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isHTTPAPIText reports whether an HTTP API passes a request body of this
// content type as text: text/*, application/json, application/xml and
// application/javascript only. Everything else, a missing Content-Type and
// forms included, arrives base64-encoded (observed on AWS and recorded in
// ministackorg/ministack#766; the developer guide lists no types).
func isHTTPAPIText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

// httpResponse is an HTTP response made of a function's answer.
type httpResponse struct {
	status int
	header http.Header
	body   []byte
}

// writeHTTPAPIResponse writes a buffered answer as an HTTP API does.
func writeHTTPAPIResponse(w http.ResponseWriter, res *emulator.Result) {
	if res.Error != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	resp, err := parseHTTPAPIResponse(res.Payload)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no sniffing: the function set none
	}
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// parseHTTPAPIResponse reads a payload format 2.0 answer.
func parseHTTPAPIResponse(payload []byte) (*httpResponse, error) {
	p := bytes.TrimSpace(payload)
	if !json.Valid(p) {
		return nil, errors.New("the answer is not JSON")
	}
	if p[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(p, &m); err != nil {
			return nil, err
		}
		if _, ok := m["statusCode"]; ok {
			return parseProxyResponse(m)
		}
	}
	resp := &httpResponse{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: p}
	if p[0] == '"' {
		var s string
		json.Unmarshal(p, &s)
		resp.body = []byte(s)
	}
	return resp, nil
}

// parseProxyResponse reads {"statusCode", "headers", "multiValueHeaders",
// "cookies", "body", "isBase64Encoded"}. Where headers and
// multiValueHeaders name the same header, multiValueHeaders win, as API
// Gateway merges them for REST APIs.
func parseProxyResponse(m map[string]json.RawMessage) (*httpResponse, error) {
	resp := &httpResponse{header: http.Header{}}
	if err := json.Unmarshal(m["statusCode"], &resp.status); err != nil {
		return nil, fmt.Errorf("statusCode: %w", err)
	}
	if resp.status < 100 || resp.status > 599 {
		return nil, fmt.Errorf("statusCode %d", resp.status)
	}
	if raw := m["headers"]; !isNull(raw) {
		var hs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, fmt.Errorf("headers: %w", err)
		}
		for k, v := range hs {
			s, ok := scalarText(v)
			if !ok {
				return nil, fmt.Errorf("header %s is not a scalar", k)
			}
			if !isNull(v) {
				resp.header.Set(k, s)
			}
		}
	}
	if raw := m["multiValueHeaders"]; !isNull(raw) {
		var mh map[string][]string
		if err := json.Unmarshal(raw, &mh); err != nil {
			return nil, fmt.Errorf("multiValueHeaders: %w", err)
		}
		for k, vs := range mh {
			resp.header.Del(k)
			for _, v := range vs {
				resp.header.Add(k, v)
			}
		}
	}
	if raw := m["cookies"]; !isNull(raw) {
		var cookies []string
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return nil, fmt.Errorf("cookies: %w", err)
		}
		for _, c := range cookies {
			resp.header.Add("Set-Cookie", c)
		}
	}
	if raw := m["body"]; !isNull(raw) {
		if raw[0] == '"' {
			var s string
			json.Unmarshal(raw, &s)
			resp.body = []byte(s)
		} else {
			resp.body = raw
		}
	}
	if raw := m["isBase64Encoded"]; !isNull(raw) {
		var b64 bool
		if err := json.Unmarshal(raw, &b64); err != nil {
			return nil, fmt.Errorf("isBase64Encoded: %w", err)
		}
		if b64 {
			b, err := base64.StdEncoding.DecodeString(string(resp.body))
			if err != nil {
				return nil, fmt.Errorf("body: %w", err)
			}
			resp.body = b
		}
	}
	return resp, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// scalarText is a header value: a string's text, a number or boolean as
// written.
func scalarText(v json.RawMessage) (string, bool) {
	switch {
	case isNull(v):
		return "", true
	case v[0] == '"':
		var s string
		json.Unmarshal(v, &s)
		return s, true
	case v[0] == '{' || v[0] == '[':
		return "", false
	}
	return string(v), true
}

// relay writes a streamed HTTP response: the JSON prelude, eight NUL bytes,
// then the body, which it copies as it arrives. It reads the runtime's
// body to its end even when the client has gone, and closes rs.done.
func relay(w http.ResponseWriter, rs *responseStream) {
	defer close(rs.done)
	br := bufio.NewReaderSize(rs.body, 32<<10)
	prelude, err := readPrelude(br)
	var p struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
	}
	if err == nil {
		err = json.Unmarshal(prelude, &p)
	}
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		_, rs.err = io.Copy(io.Discard, br)
		return
	}
	if p.StatusCode == 0 {
		p.StatusCode = http.StatusOK
	}
	h := w.Header()
	for k, v := range p.Headers {
		h.Set(k, v)
	}
	for _, c := range p.Cookies {
		h.Add("Set-Cookie", c)
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
	w.WriteHeader(p.StatusCode)
	rc := http.NewResponseController(w)
	rc.Flush()
	buf := make([]byte, 32<<10)
	gone := false
	for {
		n, err := br.Read(buf)
		if n > 0 && !gone {
			if _, werr := w.Write(buf[:n]); werr != nil {
				gone = true // keep reading: the runtime must finish its POST
			} else {
				rc.Flush()
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			rs.err = err
			return
		}
	}
}

// readPrelude reads the JSON prelude of a streamed HTTP response and the
// eight NUL bytes after it. JSON text holds no NUL byte, so the first one
// ends it.
func readPrelude(br *bufio.Reader) ([]byte, error) {
	var p []byte
	for {
		chunk, err := br.ReadSlice(0)
		p = append(p, chunk...)
		if len(p) > maxPrelude {
			return nil, errors.New("the prelude is too long")
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the prelude: %w", err)
		}
		break
	}
	var rest [7]byte
	if _, err := io.ReadFull(br, rest[:]); err != nil {
		return nil, fmt.Errorf("reading the prelude's delimiter: %w", err)
	}
	if rest != [7]byte{} {
		return nil, errors.New("the prelude does not end with eight NUL bytes")
	}
	return p[:len(p)-1], nil
}

// writeMessage writes an API Gateway error response.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// newAPIRequestID returns an id of the shape API Gateway gives requests
// ("LV7fzho-PHcEJPw=").
func newAPIRequestID() string {
	b := make([]byte, 11)
	rand.Read(b)
	return base64.URLEncoding.EncodeToString(b)
}
