package scf

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anyfaas/faas/emulator"
)

// apigwRequest is API Gateway's integration request event (Tencent Cloud
// doc 583/12513, "Event message structures of integration request for API
// Gateway trigger"; the sample of shared/fixtures/tencent-scf/apigateway.json).
type apigwRequest struct {
	RequestContext        apigwContext      `json:"requestContext"`
	Headers               map[string]any    `json:"headers"`
	Body                  string            `json:"body"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	PathParameters        map[string]string `json:"pathParameters"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	HeaderParameters      map[string]string `json:"headerParameters"`
	StageVariables        map[string]string `json:"stageVariables"`
	Path                  string            `json:"path"`
	QueryString           map[string]any    `json:"queryString"`
	HTTPMethod            string            `json:"httpMethod"`
}

// apigwContext is the event's requestContext.
type apigwContext struct {
	ServiceID  string            `json:"serviceId"`
	Path       string            `json:"path"`
	HTTPMethod string            `json:"httpMethod"`
	RequestID  string            `json:"requestId"`
	Identity   map[string]string `json:"identity"`
	SourceIP   string            `json:"sourceIp"`
	Stage      string            `json:"stage"`
}

// The API the emulated gateway serves: one service, released, whose API
// takes every path and method.
const (
	apigwServiceID = "service-emulator"
	apigwStage     = "release"
)

// invalidResponse is API Gateway's answer to a function result that is not
// an integration response (doc 583/12513; status 403 in doc 583/35311).
const invalidResponse = `{"errno":403,"error":"Invalid scf response format. please check your scf response format."}`

// serveAPIGateway is API Gateway in front of an event function, with
// integration request and integration response.
func (e *Emulator) serveAPIGateway(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		// One byte over the limit is enough to know the event is over it:
		// the rest is not read.
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
		if err != nil {
			http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		body = b
	}
	if len(body) > MaxPayloadBytes {
		size := fmt.Sprintf("more than %d bytes", MaxPayloadBytes)
		if r.ContentLength > 0 {
			size = fmt.Sprintf("%d bytes", r.ContentLength)
		}
		eventTooLarge(w, fmt.Sprintf("the request body is %s, more than the %d an event of a synchronous invocation takes", size, MaxPayloadBytes))
		return
	}
	event, err := json.Marshal(apigwEvent(r, body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if len(event) > MaxPayloadBytes {
		eventTooLarge(w, fmt.Sprintf("the event is %d bytes, more than the %d a synchronous invocation takes", len(event), MaxPayloadBytes))
		return
	}
	res, err := e.Invoke(r.Context(), event)
	switch {
	case errors.Is(err, emulator.ErrClosed):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	case err != nil:
		if r.Context().Err() == nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
		return // the client left
	case res.Error != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		w.Write(res.Payload)
		return
	}
	status, header, respBody, ok := integrationResponse(res.Payload)
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, invalidResponse)
		return
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(respBody)
	}
}

// eventTooLarge answers a request whose event would be over
// MaxPayloadBytes as the web function's proxy answers one over its
// limits: 413 with SCF's error envelope of RequestTooLarge (status 406,
// doc 583/35311); the function is not invoked.
func eventTooLarge(w http.ResponseWriter, msg string) {
	f := &failure{status: statusRequestTooLarge, typ: "RequestTooLarge", msg: msg}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	w.Write(f.envelope(newRequestID()))
}

// apigwEvent returns the integration request event of r, whose body is
// body. Header and query values that come more than once are arrays; a
// query key without a value is true, as scf-go-lib's events/apigw.go reads
// it. A body that is not UTF-8 travels in base64, with isBase64Encoded. The
// emulated API configures no parameters, so pathParameters,
// queryStringParameters and headerParameters are empty.
func apigwEvent(r *http.Request, body []byte) *apigwRequest {
	ev := &apigwRequest{
		RequestContext: apigwContext{
			ServiceID:  apigwServiceID,
			Path:       r.URL.Path,
			HTTPMethod: r.Method,
			RequestID:  newRequestID(),
			Identity:   map[string]string{},
			SourceIP:   r.RemoteAddr,
			Stage:      apigwStage,
		},
		Headers:               map[string]any{},
		PathParameters:        map[string]string{},
		QueryStringParameters: map[string]string{},
		HeaderParameters:      map[string]string{},
		StageVariables:        map[string]string{"stage": apigwStage},
		Path:                  r.URL.Path,
		QueryString:           queryString(r.URL.RawQuery),
		HTTPMethod:            r.Method,
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ev.RequestContext.SourceIP = host
	}
	if ev.Path == "" {
		ev.Path, ev.RequestContext.Path = "/", "/"
	}
	if r.Host != "" {
		ev.Headers["Host"] = r.Host
	}
	for k, vs := range r.Header {
		switch len(vs) {
		case 0:
		case 1:
			ev.Headers[k] = vs[0]
		default:
			ev.Headers[k] = vs
		}
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// queryString returns the event's queryString of a raw query.
func queryString(raw string) map[string]any {
	single := map[string]any{}
	multi := map[string][]string{}
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, hasValue := strings.Cut(kv, "=")
		k = unescape(k)
		v = unescape(v)
		if vs, ok := multi[k]; ok {
			multi[k] = append(vs, v)
			continue
		}
		if prev, ok := single[k]; ok {
			s, _ := prev.(string) // a key without a value is "" among others
			multi[k] = []string{s, v}
			delete(single, k)
			continue
		}
		if hasValue {
			single[k] = v
		} else {
			single[k] = true
		}
	}
	for k, vs := range multi {
		single[k] = vs
	}
	return single
}

// unescape decodes a query component, or returns it as it is.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// integrationResponse decodes API Gateway's integration response (doc
// 583/12513): {"isBase64Encoded", "statusCode", "headers", "body"}, where a
// header's value is a string or an array of strings, each sent. ok is
// false for anything else.
func integrationResponse(payload []byte) (status int, header http.Header, body []byte, ok bool) {
	var r struct {
		IsBase64Encoded bool                       `json:"isBase64Encoded"`
		StatusCode      json.RawMessage            `json:"statusCode"`
		Headers         map[string]json.RawMessage `json:"headers"`
		Body            *string                    `json:"body"`
	}
	if err := json.Unmarshal(payload, &r); err != nil {
		return 0, nil, nil, false
	}
	status, err := strconv.Atoi(string(r.StatusCode))
	if err != nil || status < 100 || status > 999 {
		return 0, nil, nil, false
	}
	header = http.Header{}
	for k, raw := range r.Headers {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			header.Add(k, one)
			continue
		}
		var many []string
		if json.Unmarshal(raw, &many) != nil {
			return 0, nil, nil, false
		}
		for _, v := range many {
			header.Add(k, v)
		}
	}
	if r.Body != nil {
		body = []byte(*r.Body)
		if r.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(*r.Body); err != nil {
				return 0, nil, nil, false
			}
		}
	}
	return status, header, body, true
}
