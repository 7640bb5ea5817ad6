package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// v1Request is what the adapter reads of an API Gateway REST (v1), HTTP
// API payload 1.0 or ALB event.
type v1Request struct {
	// Version is "1.0" in HTTP API events, and absent from REST and ALB
	// ones.
	Version                         string              `json:"version"`
	HTTPMethod                      string              `json:"httpMethod"`
	Path                            string              `json:"path"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	Body                            string              `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
	RequestContext                  struct {
		Identity struct {
			SourceIP string `json:"sourceIp"`
		} `json:"identity"`
		DomainName string `json:"domainName"`
		Stage      string `json:"stage"`
	} `json:"requestContext"`
}

// v2Request is what the adapter reads of an HTTP API payload 2.0 or
// function URL event.
type v2Request struct {
	RawPath        string            `json:"rawPath"`
	RawQueryString string            `json:"rawQueryString"`
	Cookies        []string          `json:"cookies"`
	Headers        map[string]string `json:"headers"`
	PathParameters map[string]string `json:"pathParameters"`
	Body           string            `json:"body"`
	IsBase64       bool              `json:"isBase64Encoded"`
	RequestContext struct {
		DomainName string `json:"domainName"`
		Stage      string `json:"stage"`
		HTTP       struct {
			Method   string `json:"method"`
			Path     string `json:"path"`
			SourceIP string `json:"sourceIp"`
		} `json:"http"`
	} `json:"requestContext"`
}

func decodeV1(payload []byte) (any, error) {
	var r v1Request
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, jsonError(payload, err)
	}
	if r.HTTPMethod == "" {
		return nil, httpError("httpMethod", errors.New("is missing"))
	}
	body, err := envelope.DecodeBody(r.Body, r.IsBase64Encoded)
	if err != nil {
		return nil, httpError("body", fmt.Errorf("invalid base64: %w", err))
	}
	path := r.Path
	if r.Version == "1.0" {
		// An HTTP API's path holds a named stage, in either payload
		// format; a REST API's does not (requestContext.path does).
		path = withoutStage(path, r.RequestContext.Stage, r.RequestContext.DomainName)
	}
	req := &faas.HTTPRequest{
		Method:     r.HTTPMethod,
		Path:       rootPath(path),
		Query:      envelope.Query(r.QueryStringParameters, r.MultiValueQueryStringParameters),
		Header:     envelope.Header(r.Headers, r.MultiValueHeaders),
		Body:       body,
		PathParams: r.PathParameters,
		SourceIP:   r.RequestContext.Identity.SourceIP,
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		req.Host = r.RequestContext.DomainName
	}
	return req, nil
}

func decodeV2(payload []byte) (any, error) {
	var r v2Request
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, jsonError(payload, err)
	}
	if r.RequestContext.HTTP.Method == "" {
		return nil, httpError("requestContext.http.method", errors.New("is missing"))
	}
	body, err := envelope.DecodeBody(r.Body, r.IsBase64)
	if err != nil {
		return nil, httpError("body", fmt.Errorf("invalid base64: %w", err))
	}
	// A query the client mangled ("a=%zz") keeps the parameters that
	// parse, as net/http does; RawQuery holds it all.
	query, _ := url.ParseQuery(r.RawQueryString)
	path := r.RequestContext.HTTP.Path
	if r.RawPath != "" {
		if p, err := url.PathUnescape(r.RawPath); err == nil {
			path = p
		}
	}
	path = rootPath(withoutStage(path, r.RequestContext.Stage, r.RequestContext.DomainName))
	req := &faas.HTTPRequest{
		Method:     r.RequestContext.HTTP.Method,
		Path:       path,
		Query:      query,
		RawQuery:   r.RawQueryString,
		Header:     envelope.Header(r.Headers, nil),
		Body:       body,
		PathParams: r.PathParameters,
		SourceIP:   r.RequestContext.HTTP.SourceIP,
	}
	if len(r.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(r.Cookies, "; "))
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		req.Host = r.RequestContext.DomainName
	}
	return req, nil
}

// rootPath returns p with the leading slash every request path has, which
// an event that lacks its path (or a hand-written one) may not give.
func rootPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/" + p
	}
	return p
}

// withoutStage returns the path of an HTTP API request without the named
// stage that leads it. Called at its default endpoint, an HTTP API passes
// the path with the stage ("/prod/items" for the stage prod), while a
// function sees its routes without it, as on every other platform; the
// stage $default, function URLs and custom domains, whose paths carry no
// stage, are left alone.
func withoutStage(path, stage, domain string) string {
	if stage == "" || stage == "$default" || !strings.Contains(domain, ".execute-api.") {
		return path
	}
	rest, ok := strings.CutPrefix(path, "/"+stage)
	switch {
	case !ok:
		return path
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return path
}

// decodeALB decodes an ALB event. ALB passes query parameters as the
// client sent them, percent-encoded; they are decoded here. The source IP
// is the client's, from X-Forwarded-For.
func decodeALB(payload []byte) (any, error) {
	v, err := decodeV1(payload)
	if err != nil {
		return nil, err
	}
	req := v.(*faas.HTTPRequest)
	decoded := make(url.Values, len(req.Query))
	var raw []string
	for k, vs := range req.Query {
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		for _, v := range vs {
			raw = append(raw, k+"="+v)
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			decoded[dk] = append(decoded[dk], v)
		}
	}
	slices.Sort(raw)
	req.Query, req.RawQuery = decoded, strings.Join(raw, "&")
	// ALB appends the address it saw to X-Forwarded-For: the last entry is
	// the client's, whatever the client sent before it.
	if xff := req.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		last := xff[len(xff)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		req.SourceIP = strings.TrimSpace(last)
	}
	return req, nil
}

// jsonError turns an encoding/json error into a DecodeError naming the
// field, for an event already classified as HTTP.
func jsonError(payload []byte, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return httpError(jsonwire.TypeErrorField(payload, typeErr), fmt.Errorf("want %s, not a JSON %s (at offset %d)", jsonKind(typeErr.Type), typeErr.Value, typeErr.Offset))
	}
	return httpError("", err)
}

func httpError(field string, err error) error {
	return &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: faas.TriggerHTTP, Field: field, Err: err}
}

// encodeV1 writes the response of API Gateway REST, HTTP API payload 1.0
// and WebSocket routes: every header with all its values under
// multiValueHeaders.
func encodeV1(resp *faas.HTTPResponse) []byte {
	body, b64 := envelope.EncodeBody(resp.Header, resp.Body)
	out := make([]byte, 0, 128+len(body))
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(resp.StatusCode), 10)
	if len(resp.Header) > 0 {
		out = append(out, `,"multiValueHeaders":`...)
		out = appendMultiHeader(out, resp.Header)
	}
	return appendBody(out, body, b64)
}

// encodeV2 writes the response of HTTP API payload 2.0 and function URLs:
// headers joined with commas, and each Set-Cookie under cookies.
func encodeV2(resp *faas.HTTPResponse) []byte {
	if out, ok := appendV2Fast(make([]byte, 0, 160+len(resp.Body)*4/3), resp); ok {
		return out
	}
	return encodeV2General(resp)
}

// encodeV2General is encodeV2 for any header names.
func encodeV2General(resp *faas.HTTPResponse) []byte {
	body, b64 := envelope.EncodeBody(resp.Header, resp.Body)
	out := make([]byte, 0, 128+len(body))
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(resp.StatusCode), 10)
	if h := envelope.JoinHeader(resp.Header); len(h) > 0 {
		out = append(out, `,"headers":`...)
		out = appendSingleHeader(out, h)
	}
	if cookies := resp.Header.Values("Set-Cookie"); len(cookies) > 0 {
		out = append(out, `,"cookies":[`...)
		for i, c := range cookies {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsonwire.AppendString(out, c)
		}
		out = append(out, ']')
	}
	return appendBody(out, body, b64)
}

// encodeALB writes an ALB response: with multi-value headers when the
// target group has them on, else one value per header. Without
// multi-value headers ALB can carry only one Set-Cookie: the first is sent
// (and Handler.invoke logs the loss).
func encodeALB(resp *faas.HTTPResponse, multiValue bool) []byte {
	body, b64 := envelope.EncodeBody(resp.Header, resp.Body)
	out := make([]byte, 0, 160+len(body))
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(resp.StatusCode), 10)
	out = append(out, `,"statusDescription":`...)
	out = jsonwire.AppendString(out, statusText(resp.StatusCode))
	if len(resp.Header) > 0 {
		if multiValue {
			out = append(out, `,"multiValueHeaders":`...)
			out = appendMultiHeader(out, resp.Header)
		} else {
			h := envelope.JoinHeader(resp.Header)
			if cookies := resp.Header.Values("Set-Cookie"); len(cookies) > 0 {
				h["set-cookie"] = cookies[0]
			}
			out = append(out, `,"headers":`...)
			out = appendSingleHeader(out, h)
		}
	}
	return appendBody(out, body, b64)
}

func appendBody(out []byte, body string, b64 bool) []byte {
	out = append(out, `,"body":`...)
	out = jsonwire.AppendString(out, body)
	if b64 {
		out = append(out, `,"isBase64Encoded":true}`...)
	} else {
		out = append(out, `,"isBase64Encoded":false}`...)
	}
	return out
}

func appendMultiHeader(out []byte, h http.Header) []byte {
	out = append(out, '{')
	for i, k := range sortedKeys(h) {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonwire.AppendString(out, k)
		out = append(out, ':', '[')
		for j, v := range h[k] {
			if j > 0 {
				out = append(out, ',')
			}
			out = jsonwire.AppendString(out, v)
		}
		out = append(out, ']')
	}
	return append(out, '}')
}

func appendSingleHeader(out []byte, h map[string]string) []byte {
	out = append(out, '{')
	for i, k := range sortedKeys(h) {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonwire.AppendString(out, k)
		out = append(out, ':')
		out = jsonwire.AppendString(out, h[k])
	}
	return append(out, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func itoa(n int) string { return strconv.Itoa(n) }
