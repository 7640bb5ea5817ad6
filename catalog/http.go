package catalog

import (
	"encoding/base64"
	"net/textproto"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The mappings of HTTP events.

var httpKeys = []string{keyMethod, keyPath, keyQuery, keyHeader, keyBody}

// awsHTTPv2 maps API Gateway HTTP API payload 2.0 and function URL events:
// rawPath and requestContext.http.path carry the path, with the stage in
// front at an execute-api endpoint of a named stage; rawQueryString the
// query, and queryStringParameters its values joined with commas; headers
// are lower-case, with cookies apart.
var awsHTTPv2 = &mapping{
	trigger: "http",
	keys:    append(httpKeys[:len(httpKeys):len(httpKeys)], keyCookie),
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			if err := d.setString(ptr("requestContext", "http", "method"), o.value); err != nil {
				return err
			}
			return v2Route(d)
		case keyPath:
			raw := escapePath(o.value)
			stage, _ := d.str(ptr("requestContext", "stage"))
			domain, _ := d.str(ptr("requestContext", "domainName"))
			if stage != "" && stage != "$default" && strings.Contains(domain, ".execute-api.") {
				raw = "/" + stage + raw
			}
			if err := d.setString(ptr("rawPath"), raw); err != nil {
				return err
			}
			if err := d.setString(ptr("requestContext", "http", "path"), raw); err != nil {
				return err
			}
			return v2Route(d)
		case keyQuery:
			q, _ := parseQuery(o.value) // check parsed it
			if err := d.setString(ptr("rawQueryString"), o.value); err != nil {
				return err
			}
			if len(q.keys) == 0 {
				return d.remove(ptr("queryStringParameters"))
			}
			return d.setJSON(ptr("queryStringParameters"), q.joined())
		case keyHeader:
			if strings.EqualFold(o.arg, "Cookie") {
				return setCookies(d, o.value)
			}
			return setHeader(d, ptr("headers"), nil, o.arg, o.value, strings.ToLower)
		case keyCookie:
			return setCookies(d, o.value)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

// v2Route keeps a route key other than $default true to the request: a
// route that the method and path no longer match becomes the route of
// exactly them, with no path parameters; one they match gives the path
// parameters.
func v2Route(d *doc) error {
	key, ok := d.str(ptr("routeKey"))
	if !ok || key == "$default" {
		return nil
	}
	method, _ := d.str(ptr("requestContext", "http", "method"))
	raw, _ := d.str(ptr("rawPath"))
	p, err := url.PathUnescape(raw)
	if err != nil {
		p = raw
	}
	stage, _ := d.str(ptr("requestContext", "stage"))
	if rest, ok := strings.CutPrefix(p, "/"+stage); ok && stage != "" && stage != "$default" {
		p = rest
		if p == "" {
			p = "/"
		}
	}
	routeMethod, tmpl, _ := strings.Cut(key, " ")
	params, match := route(tmpl, p)
	if !match || (routeMethod != "ANY" && routeMethod != method) {
		key, params = method+" "+p, nil
	}
	for _, at := range []pointer{ptr("routeKey"), ptr("requestContext", "routeKey")} {
		if d.has(at) {
			if err := d.setString(at, key); err != nil {
				return err
			}
		}
	}
	if len(params) == 0 {
		return d.remove(ptr("pathParameters"))
	}
	return d.setJSON(ptr("pathParameters"), params)
}

func setCookies(d *doc, value string) error {
	var cookies []string
	for c := range strings.SplitSeq(value, ";") {
		if c = strings.TrimSpace(c); c != "" {
			cookies = append(cookies, c)
		}
	}
	if len(cookies) == 0 {
		return d.remove(ptr("cookies"))
	}
	return d.setJSON(ptr("cookies"), cookies)
}

// awsHTTPv1 maps API Gateway REST API (and HTTP API payload 1.0) events:
// path and requestContext.path carry the path (the latter with the stage,
// where the sample has it), resource and pathParameters follow the route;
// the query is in queryStringParameters (last values) and
// multiValueQueryStringParameters, headers in headers and
// multiValueHeaders.
var awsHTTPv1 = &mapping{
	trigger: "http",
	keys:    httpKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			return setAll(d, o.value, ptr("httpMethod"), ptr("requestContext", "httpMethod"))
		case keyPath:
			old, _ := d.str(ptr("path"))
			if err := d.setString(ptr("path"), o.value); err != nil {
				return err
			}
			if rc, ok := d.str(ptr("requestContext", "path")); ok {
				prefix, ok := strings.CutSuffix(rc, old)
				if !ok {
					prefix = ""
				}
				if err := d.setString(ptr("requestContext", "path"), strings.TrimSuffix(prefix, "/")+o.value); err != nil {
					return err
				}
			}
			tmpl, ok := d.str(ptr("resource"))
			if !ok {
				return nil
			}
			params, match := route(tmpl, o.value)
			if !match {
				if err := setAll(d, o.value, ptr("resource"), ptr("requestContext", "resourcePath")); err != nil {
					return err
				}
			}
			if len(params) == 0 {
				return d.setRaw(ptr("pathParameters"), []byte("null"))
			}
			return d.setJSON(ptr("pathParameters"), params)
		case keyQuery:
			q, _ := parseQuery(o.value)
			if len(q.keys) == 0 {
				if err := d.setRaw(ptr("queryStringParameters"), []byte("null")); err != nil {
					return err
				}
				return d.setRaw(ptr("multiValueQueryStringParameters"), []byte("null"))
			}
			if err := d.setJSON(ptr("queryStringParameters"), q.last()); err != nil {
				return err
			}
			return d.setJSON(ptr("multiValueQueryStringParameters"), q.multi())
		case keyHeader:
			return setHeader(d, ptr("headers"), ptr("multiValueHeaders"), o.arg, o.value, same)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

// awsALB maps Application Load Balancer events, which pass the query as
// the client sent it, percent-encoded, and lower-case header names.
var awsALB = &mapping{
	trigger: "http",
	keys:    httpKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			return d.setString(ptr("httpMethod"), o.value)
		case keyPath:
			return d.setString(ptr("path"), o.value)
		case keyQuery:
			q, _ := parseQuery(o.value)
			single, multi := make(object, len(q.rawKeys)), make(object, len(q.rawKeys))
			for i, k := range q.rawKeys {
				vs := q.raw[k]
				single[i], multi[i] = field{k, vs[len(vs)-1]}, field{k, vs}
			}
			// A target group with multi-value headers on sends only the
			// multi-value members.
			hasMulti := d.has(ptr("multiValueQueryStringParameters"))
			if hasMulti {
				if err := d.setJSON(ptr("multiValueQueryStringParameters"), multi); err != nil {
					return err
				}
			}
			if hasMulti && !d.has(ptr("queryStringParameters")) {
				return nil
			}
			return d.setJSON(ptr("queryStringParameters"), single)
		case keyHeader:
			return setHeader(d, ptr("headers"), ptr("multiValueHeaders"), o.arg, o.value, strings.ToLower)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

// fcHTTP maps FC 3.0 HTTP trigger events: rawPath is URL-encoded and
// requestContext.http.path decoded; repeated query parameters and headers
// are joined with commas; header names are canonical.
var fcHTTP = &mapping{
	trigger: "http",
	keys:    httpKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			return d.setString(ptr("requestContext", "http", "method"), o.value)
		case keyPath:
			if err := d.setString(ptr("rawPath"), escapePath(o.value)); err != nil {
				return err
			}
			return d.setString(ptr("requestContext", "http", "path"), o.value)
		case keyQuery:
			q, _ := parseQuery(o.value)
			return d.setJSON(ptr("queryParameters"), q.joined())
		case keyHeader:
			return setHeader(d, ptr("headers"), nil, o.arg, o.value, textproto.CanonicalMIMEHeaderKey)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

// fcAPIGateway maps Aliyun API Gateway events. The path parameters are the
// API's, which the event does not name: a new path clears them.
var fcAPIGateway = &mapping{
	trigger: "http",
	keys:    httpKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			return d.setString(ptr("httpMethod"), o.value)
		case keyPath:
			if err := d.setString(ptr("path"), o.value); err != nil {
				return err
			}
			if d.has(ptr("pathParameters")) {
				return d.setRaw(ptr("pathParameters"), []byte("{}"))
			}
			return nil
		case keyQuery:
			q, _ := parseQuery(o.value)
			return d.setJSON(ptr("queryParameters"), q.joined())
		case keyHeader:
			return setHeader(d, ptr("headers"), nil, o.arg, o.value, textproto.CanonicalMIMEHeaderKey)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

// scfAPIGateway maps Tencent API Gateway integration requests: the API's
// path template is requestContext.path; queryString holds the whole query,
// a repeated parameter as an array, and queryStringParameters the last
// values.
var scfAPIGateway = &mapping{
	trigger: "http",
	keys:    httpKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyMethod:
			if err := d.setString(ptr("httpMethod"), o.value); err != nil {
				return err
			}
			if m, ok := d.str(ptr("requestContext", "httpMethod")); ok && m != "ANY" {
				return d.setString(ptr("requestContext", "httpMethod"), o.value)
			}
			return nil
		case keyPath:
			if err := d.setString(ptr("path"), o.value); err != nil {
				return err
			}
			tmpl, ok := d.str(ptr("requestContext", "path"))
			if !ok {
				return nil
			}
			params, match := route(tmpl, o.value)
			if !match {
				if err := d.setString(ptr("requestContext", "path"), o.value); err != nil {
					return err
				}
			}
			if params == nil {
				params = object{}
			}
			return d.setJSON(ptr("pathParameters"), params)
		case keyQuery:
			q, _ := parseQuery(o.value)
			whole := make(object, len(q.keys))
			for i, k := range q.keys {
				if vs := q.values[k]; len(vs) == 1 {
					whole[i] = field{k, vs[0]}
				} else {
					whole[i] = field{k, vs}
				}
			}
			if err := d.setJSON(ptr("queryString"), whole); err != nil {
				return err
			}
			if d.has(ptr("queryStringParameters")) {
				return d.setJSON(ptr("queryStringParameters"), q.last())
			}
			return nil
		case keyHeader:
			return setHeader(d, ptr("headers"), nil, o.arg, o.value, textproto.CanonicalMIMEHeaderKey)
		case keyBody:
			return setBody(d, ptr("body"), ptr("isBase64Encoded"), o.value)
		}
		return nil
	},
}

func same(s string) string { return s }

// setAll sets the string at each pointer that exists; the first must.
func setAll(d *doc, s string, at ...pointer) error {
	for i, p := range at {
		if i > 0 && !d.has(p) {
			continue
		}
		if err := d.setString(p, s); err != nil {
			return err
		}
	}
	return nil
}

// setBody sets an HTTP body: text as it is, with the base64 flag false
// where the event has one; other bytes in base64, with the flag true.
func setBody(d *doc, body, flag pointer, value string) error {
	if utf8.ValidString(value) {
		if err := d.setString(body, value); err != nil {
			return err
		}
		if d.has(flag) {
			return d.setRaw(flag, []byte("false"))
		}
		return nil
	}
	if err := d.setString(body, base64.StdEncoding.EncodeToString([]byte(value))); err != nil {
		return err
	}
	return d.setRaw(flag, []byte("true"))
}

// setHeader sets the header name in the object of single values and, if
// the event has one, of multiple values: a header of the name in any case
// is replaced, keeping its case; a new one is named by caseOf(name). An
// empty value removes the header.
func setHeader(d *doc, single, multi pointer, name, value string, caseOf func(string) string) error {
	for _, obj := range []struct {
		at    pointer
		multi bool
	}{{single, false}, {multi, true}} {
		if obj.at == nil {
			continue
		}
		n := d.get(obj.at)
		if obj.multi && (n == nil || n.kind != '{') {
			continue
		}
		key := caseOf(name)
		for _, k := range d.keys(obj.at) {
			if strings.EqualFold(k, name) {
				key = k
			}
		}
		var v any = value
		if obj.multi {
			v = []string{value}
		}
		var err error
		switch at := obj.at.at(key); {
		case value == "":
			err = d.remove(at)
		case n == nil || n.kind != '{':
			err = d.setJSON(obj.at, object{{key, v}})
		default:
			err = d.setJSON(at, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// route matches a decoded path against a route template such as
// "/items/{id}" or "/{proxy+}", returning the path parameters.
func route(tmpl, path string) (object, bool) {
	ts := strings.Split(strings.TrimPrefix(tmpl, "/"), "/")
	ps := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var params object
	for i, t := range ts {
		name, isParam := strings.CutPrefix(t, "{")
		name, closed := strings.CutSuffix(name, "}")
		if !isParam || !closed {
			if i >= len(ps) || ps[i] != t {
				return nil, false
			}
			continue
		}
		if greedy, ok := strings.CutSuffix(name, "+"); ok && i == len(ts)-1 {
			rest := strings.Join(ps[min(i, len(ps)):], "/")
			if rest == "" {
				return nil, false
			}
			return append(params, field{greedy, rest}), true
		}
		if i >= len(ps) || ps[i] == "" {
			return nil, false
		}
		params = append(params, field{name, ps[i]})
	}
	return params, len(ps) == len(ts)
}

// escapePath returns a decoded path in its URL-encoded form.
func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }
