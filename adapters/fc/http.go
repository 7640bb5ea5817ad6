package fc

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

// decodeHTTPTrigger decodes FC 3.0's HTTP trigger event:
//
//	{"version":"v1","rawPath","body","isBase64Encoded","headers":{k:"v1,v2"},
//	 "queryParameters":{k:"v1,v2"},"requestContext":{"accountId","domainName",
//	 "domainPrefix","http":{"method","path","protocol","sourceIp","userAgent"},
//	 "requestId","time","timeEpoch"}}
func decodeHTTPTrigger(m *members) (decoded, error) {
	const trigger = faas.TriggerHTTP
	req := &faas.HTTPRequest{}
	var (
		path, domain, requestID string
		err                     error
	)
	err = object(m.requestContext, trigger, "requestContext", func(k, v []byte) error {
		var err error
		switch string(k) {
		case "http":
			err = object(v, trigger, "requestContext.http", func(k, v []byte) error {
				var err error
				switch string(k) {
				case "method":
					req.Method, err = str(v, trigger, "requestContext.http.method")
				case "path":
					path, err = str(v, trigger, "requestContext.http.path")
				case "sourceIp":
					req.SourceIP, err = str(v, trigger, "requestContext.http.sourceIp")
				}
				return err
			})
		case "domainName":
			domain, err = str(v, trigger, "requestContext.domainName")
		case "requestId":
			requestID, err = str(v, trigger, "requestContext.requestId")
		}
		return err
	})
	if err != nil {
		return decoded{}, err
	}
	if req.Method == "" {
		return decoded{}, decodeError(trigger, "requestContext.http.method", errors.New("is missing"))
	}
	req.Method = strings.ToUpper(req.Method)
	if path == "" {
		raw, err := str(m.rawPath, trigger, "rawPath")
		if err != nil {
			return decoded{}, err
		}
		if path, err = url.PathUnescape(raw); err != nil {
			return decoded{}, decodeError(trigger, "rawPath", err)
		}
	}
	req.Path = rootPath(path)
	if req.Header, err = header(m.headers, trigger, "headers"); err != nil {
		return decoded{}, err
	}
	if req.Query, err = query(m.queryParameters, trigger, "queryParameters"); err != nil {
		return decoded{}, err
	}
	if req.Body, err = body(m.body, m.isBase64Encoded, trigger); err != nil {
		return decoded{}, err
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		req.Host = domain
	}
	return decoded{event: req, trigger: trigger, reply: replyHTTPTrigger, requestID: requestID}, nil
}

// decodeAPIGateway decodes the event of Aliyun API Gateway:
//
//	{"path","httpMethod","headers":{},"queryParameters":{},"pathParameters":{},
//	 "body","isBase64Encoded"}
func decodeAPIGateway(m *members) (decoded, error) {
	const trigger = faas.TriggerHTTP
	req := &faas.HTTPRequest{}
	var err error
	if req.Method, err = str(m.httpMethod, trigger, "httpMethod"); err != nil {
		return decoded{}, err
	}
	if req.Method == "" {
		return decoded{}, decodeError(trigger, "httpMethod", errors.New("is missing"))
	}
	req.Method = strings.ToUpper(req.Method)
	path, err := str(m.path, trigger, "path")
	if err != nil {
		return decoded{}, err
	}
	req.Path = rootPath(path)
	if req.Header, err = header(m.headers, trigger, "headers"); err != nil {
		return decoded{}, err
	}
	if req.Query, err = query(m.queryParameters, trigger, "queryParameters"); err != nil {
		return decoded{}, err
	}
	err = stringMembers(m.pathParameters, trigger, "pathParameters", func(k []byte, v string) {
		if req.PathParams == nil {
			req.PathParams = make(map[string]string)
		}
		req.PathParams[string(k)] = v
	})
	if err != nil {
		return decoded{}, err
	}
	if req.Body, err = body(m.body, m.isBase64Encoded, trigger); err != nil {
		return decoded{}, err
	}
	req.Host = req.Header.Get("Host")
	req.SourceIP = envelope.ForwardedFor(req.Header)
	return decoded{event: req, trigger: trigger, reply: replyAPIGateway}, nil
}

func rootPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/" + p
	}
	return p
}

// header builds request headers from an object of strings. The values of
// the headers share backing arrays, as net/textproto's do.
func header(raw []byte, trigger, field string) (http.Header, error) {
	n := 0
	jsonwire.Members(raw, func(_, _ []byte) bool { n++; return true })
	h := make(http.Header, n)
	var values []string
	err := stringMembers(raw, trigger, field, func(k []byte, v string) {
		key := envelope.HeaderKey(k)
		if vs, ok := h[key]; ok {
			h[key] = append(vs, v)
			return
		}
		if len(values) == 0 {
			values = make([]string, max(n, 1))
		}
		values[0] = v
		h[key] = values[:1:1]
		values = values[1:]
	})
	return h, err
}

// query builds query parameters from an object of strings.
func query(raw []byte, trigger, field string) (url.Values, error) {
	q := make(url.Values)
	err := stringMembers(raw, trigger, field, func(k []byte, v string) { q[string(k)] = append(q[string(k)], v) })
	return q, err
}

func body(raw, isBase64 []byte, trigger string) ([]byte, error) {
	s, err := str(raw, trigger, "body")
	if err != nil {
		return nil, err
	}
	b64, err := boolean(isBase64, trigger, "isBase64Encoded")
	if err != nil {
		return nil, err
	}
	b, err := envelope.DecodeBody(s, b64)
	if err != nil {
		return nil, decodeError(trigger, "body", fmt.Errorf("invalid base64: %w", err))
	}
	return b, nil
}

// appendHTTPTriggerResponse appends FC 3.0's HTTP trigger response:
// {"statusCode","headers","isBase64Encoded","body"}, the field order of
// fc-runtime-go-sdk's events.HTTPTriggerResponse.
func appendHTTPTriggerResponse(dst []byte, resp *faas.HTTPResponse) []byte {
	dst = append(dst, `{"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(status(resp)), 10)
	dst = append(dst, `,"headers":`...)
	// fc-runtime-go-sdk types these headers as strings, and no source says
	// FC accepts more: one Set-Cookie goes out (the handler logs the rest).
	dst = appendHeaders(dst, resp.Header)
	b64 := envelope.BodyIsBase64(resp.Header, resp.Body)
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, b64)
	dst = append(dst, `,"body":`...)
	dst = envelope.AppendBody(dst, resp.Body, b64)
	return append(dst, '}')
}

// appendAPIGatewayResponse appends API Gateway's response:
// {"isBase64Encoded","statusCode","headers","body"}.
func appendAPIGatewayResponse(dst []byte, resp *faas.HTTPResponse) []byte {
	b64 := envelope.BodyIsBase64(resp.Header, resp.Body)
	dst = append(dst, `{"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, b64)
	dst = append(dst, `,"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(status(resp)), 10)
	dst = append(dst, `,"headers":`...)
	dst = appendHeaders(dst, resp.Header)
	dst = append(dst, `,"body":`...)
	dst = envelope.AppendBody(dst, resp.Body, b64)
	return append(dst, '}')
}

func status(resp *faas.HTTPResponse) int {
	if resp.StatusCode == 0 {
		return http.StatusOK
	}
	return resp.StatusCode
}

// appendHeaders appends the headers as a JSON object with lower-case keys in
// sorted order and string values, the values of a multi-value header joined
// with ", ". Set-Cookie is never joined (RFC 6265): only the first is sent.
func appendHeaders(dst []byte, h http.Header) []byte {
	type field struct {
		key    string
		values []string
	}
	fields := make([]field, 0, len(h))
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		k = strings.ToLower(k)
		if i := slices.IndexFunc(fields, func(f field) bool { return f.key == k }); i >= 0 {
			fields[i].values = append(slices.Clip(fields[i].values), vs...)
			continue
		}
		fields = append(fields, field{k, vs})
	}
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonwire.AppendString(dst, f.key)
		dst = append(dst, ':')
		switch vs := f.values; {
		case len(vs) == 1:
			dst = jsonwire.AppendString(dst, vs[0])
		case f.key == "set-cookie":
			dst = jsonwire.AppendString(dst, vs[0])
		default:
			dst = jsonwire.AppendString(dst, strings.Join(vs, ", "))
		}
	}
	return append(dst, '}')
}
