package scf

import (
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

// decodeAPIGW decodes an API Gateway integration request (Tencent Cloud
// doc 583/12513, "API 网关触发器的集成请求事件消息结构"; scf-go-lib
// events/apigw.go):
//
//	{"httpMethod", "path", "headers": {k: v}, "queryString": {k: v},
//	 "body", "isBase64Encoded", "requestContext": {"sourceIp", ...},
//	 "pathParameters": {k: v}, ...}
//
// queryString holds the whole query. As scf-go-lib reads it, a value is a
// string, an array of strings for a repeated key, or a boolean for a key
// without a value ("?flag", which becomes flag=""). Where queryString is
// absent, queryStringParameters (the parameters configured on the API) is
// used. Header values may be arrays too. The body is base64 when
// isBase64Encoded is true. pathParameters, the API's configured path
// parameters, become the request's PathParams; the router adds its own.
func decodeAPIGW(m *members) (*faas.HTTPRequest, error) {
	const trig = faas.TriggerHTTP
	method, ok := jsonwire.String(m.httpMethod)
	if !ok {
		return nil, wrongType(trig, "httpMethod", m.httpMethod, "string")
	}
	if method == "" {
		return nil, decodeError(trig, "httpMethod", errors.New("is empty"))
	}
	path, ok := jsonwire.String(m.path)
	if !ok {
		return nil, wrongType(trig, "path", m.path, "string")
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	h, ok := header(m.headers)
	if !ok {
		single, multi, err := stringMap(trig, "headers", m.headers, false)
		if err != nil {
			return nil, err
		}
		h = envelope.Header(single, multi)
	}
	req := &faas.HTTPRequest{
		Method: strings.ToUpper(method),
		Path:   path,
		Header: h,
	}
	query, field := m.queryString, "queryString"
	if query == nil {
		query, field = m.queryStringParameters, "queryStringParameters"
	}
	var err error
	if req.Query, ok = queryValues(query); !ok {
		single, multi, err := stringMap(trig, field, query, true)
		if err != nil {
			return nil, err
		}
		req.Query = envelope.Query(single, multi)
	}
	body, err := optString(trig, "body", m.body)
	if err != nil {
		return nil, err
	}
	var b64 bool
	switch string(m.isBase64Encoded) {
	case "", "null", "false":
	case "true":
		b64 = true
	default:
		return nil, wrongType(trig, "isBase64Encoded", m.isBase64Encoded, "boolean")
	}
	if req.Body, err = envelope.DecodeBody(body, b64); err != nil {
		return nil, decodeError(trig, "body", fmt.Errorf("isBase64Encoded is true but the body is not base64: %w", err))
	}
	if req.SourceIP, err = sourceIP(m.requestContext); err != nil {
		return nil, err
	}
	params, _, err := stringMap(trig, "pathParameters", m.pathParameters, false)
	if err != nil {
		return nil, err
	}
	if len(params) > 0 {
		req.PathParams = params
	}
	req.Host = req.Header.Get("Host")
	return req, nil
}

// sourceIP returns requestContext.sourceIp.
func sourceIP(requestContext []byte) (string, error) {
	const trig = faas.TriggerHTTP
	if isNull(requestContext) {
		return "", nil
	}
	if requestContext[0] != '{' {
		return "", wrongType(trig, "requestContext", requestContext, "object")
	}
	return optString(trig, "requestContext.sourceIp", jsonwire.Member(requestContext, "sourceIp"))
}

// header is envelope.Header of stringMap of an event's headers in one
// pass, for the headers gateways send: strings, each name given once. It
// reports false for anything else (an array, a name given twice in any
// case), which the general path decodes.
func header(raw []byte) (http.Header, bool) {
	if isNull(raw) {
		return http.Header{}, true
	}
	if raw[0] != '{' {
		return nil, false
	}
	n := 0
	jsonwire.Members(raw, func(_, _ []byte) bool { n++; return true })
	h := make(http.Header, n)
	values := make([]string, n)
	ok := true
	jsonwire.Members(raw, func(k, v []byte) bool { // the walk in scan checked the syntax
		switch v[0] {
		case 'n':
			return true
		case '"':
		default:
			ok = false
			return false
		}
		key := envelope.HeaderKey(k)
		if _, dup := h[key]; dup {
			ok = false
			return false
		}
		values[0], _ = jsonwire.String(v)
		h[key] = values[:1:1]
		values = values[1:]
		return true
	})
	return h, ok
}

// queryValues is envelope.Query of stringMap(…, true) of an event's query
// parameters in one pass. It reports false for a value of the wrong type,
// which the general path reports.
func queryValues(raw []byte) (url.Values, bool) {
	if isNull(raw) {
		return url.Values{}, true
	}
	if raw[0] != '{' {
		return nil, false
	}
	q := url.Values{}
	ok := true
	jsonwire.Members(raw, func(k, v []byte) bool { // the walk in scan checked the syntax
		switch v[0] {
		case '"':
			s, _ := jsonwire.String(v)
			q[string(k)] = []string{s}
		case '[':
			var vs []string
			jsonwire.Array(v, func(e []byte) bool {
				var s string
				s, ok = jsonwire.String(e)
				vs = append(vs, s)
				return ok
			})
			q[string(k)] = vs
		case 't', 'f':
			q[string(k)] = []string{""}
		case 'n':
		default:
			ok = false
		}
		return ok
	})
	return q, ok
}

// stringMap decodes an object whose values are strings or arrays of
// strings (and, if bools is set, booleans, which stand for an empty
// value). Null values are left out; an absent or null object is nil.
func stringMap(trigger, field string, raw []byte, bools bool) (map[string]string, map[string][]string, error) {
	if isNull(raw) {
		return nil, nil, nil
	}
	if raw[0] != '{' {
		return nil, nil, wrongType(trigger, field, raw, "object")
	}
	var (
		single map[string]string
		multi  map[string][]string
		err    error
	)
	jsonwire.Object(raw, func(k string, v []byte) bool { // the walk in scan checked the syntax
		switch v[0] {
		case '"':
			if single == nil {
				single = make(map[string]string)
			}
			single[k], _ = jsonwire.String(v)
			delete(multi, k)
		case '[':
			var vs []string
			jsonwire.Array(v, func(e []byte) bool {
				s, ok := jsonwire.String(e)
				if !ok {
					err = wrongType(trigger, fmt.Sprintf("%s.%s[%d]", field, k, len(vs)), e, "string")
					return false
				}
				vs = append(vs, s)
				return true
			})
			if multi == nil {
				multi = make(map[string][]string)
			}
			multi[k] = vs
			delete(single, k)
		case 't', 'f':
			if !bools {
				err = wrongType(trigger, field+"."+k, v, "string or array of strings")
				break
			}
			if single == nil {
				single = make(map[string]string)
			}
			single[k] = ""
			delete(multi, k)
		case 'n':
		default:
			want := "string or array of strings"
			if bools {
				want = "string, array of strings or boolean"
			}
			err = wrongType(trigger, field+"."+k, v, want)
		}
		return err == nil
	})
	if err != nil {
		return nil, nil, err
	}
	return single, multi, nil
}

// appendAPIGWResponse appends resp as an API Gateway integration response
// (Tencent Cloud doc 583/12513, "API 网关触发器的集成响应返回数据结构"):
//
//	{"isBase64Encoded":false,"statusCode":200,"headers":{...},"body":"..."}
//
// The doc allows a header's value to be an array of strings ("key:[value,
// value]") to send the header several times, so every value of a
// multi-value header and every Set-Cookie is kept. Header names are in
// sorted order, so that the output is deterministic. A body that is not
// text is sent in base64.
func appendAPIGWResponse(dst []byte, resp *faas.HTTPResponse) []byte {
	b64 := envelope.BodyIsBase64(resp.Header, resp.Body)
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	dst = append(dst, `{"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, b64)
	dst = append(dst, `,"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, `,"headers":{`...)
	keys := make([]string, 0, len(resp.Header))
	for k, vs := range resp.Header {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonwire.AppendString(dst, k)
		dst = append(dst, ':')
		vs := resp.Header[k]
		if len(vs) == 1 {
			dst = jsonwire.AppendString(dst, vs[0])
			continue
		}
		dst = append(dst, '[')
		for j, v := range vs {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsonwire.AppendString(dst, v)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `},"body":`...)
	dst = envelope.AppendBody(dst, resp.Body, b64)
	return append(dst, '}')
}
