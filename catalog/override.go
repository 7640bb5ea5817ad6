package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// An override is one key=value of Event's overrides, checked: key is as
// given, name and arg its parts ("header" and "X-Trace" for
// "header.X-Trace"), and value the value in the form the mappings take.
type override struct {
	key, name, arg, value string
}

// Override keys. A key that takes an argument is written "name.<arg>" in
// Entry.Keys.
const (
	keyMethod     = "method"
	keyPath       = "path"
	keyQuery      = "query"
	keyHeader     = "header"
	keyBody       = "body"
	keyCookie     = "cookie"
	keyName       = "name"
	keyTime       = "time"
	keyPayload    = "payload"
	keyBucket     = "bucket"
	keyKey        = "key"
	keySize       = "size"
	keyTopic      = "topic"
	keyQueue      = "queue"
	keyStream     = "stream"
	keyAttributes = "attributes"
	keyProject    = "project"
)

// argKeys are the keys that take an argument after a dot.
var argKeys = []string{keyHeader, keyAttributes}

// keyPattern returns how Entry.Keys writes a key.
func keyPattern(name string) string {
	if slices.Contains(argKeys, name) {
		return name + ".<name>"
	}
	return name
}

// parseKey splits a key into its name and argument.
func parseKey(key string) (name, arg string, hasArg bool) {
	name, arg, hasArg = strings.Cut(key, ".")
	return name, arg, hasArg
}

// check parses and checks an override against the keys an entry takes,
// returning the value in normal form.
func check(e *sample, key, value string) (override, error) {
	name, arg, hasArg := parseKey(key)
	o := override{key: key, name: name, arg: arg, value: value}
	if !slices.Contains(e.mapping.keys, name) || hasArg != slices.Contains(argKeys, name) {
		return o, fmt.Errorf("%w %q: %s takes %s", ErrUnknownKey, key, e.Name, e.keyList())
	}
	bad := func(format string, args ...any) (override, error) {
		return o, fmt.Errorf("%w: %s=%q: %s", ErrInvalidValue, key, value, fmt.Sprintf(format, args...))
	}
	switch name {
	case keyMethod:
		if !isToken(value) {
			return bad("a method is a token, such as GET or POST")
		}
		o.value = strings.ToUpper(value)
	case keyPath:
		switch {
		case !strings.HasPrefix(value, "/"):
			return bad("a path starts with /")
		case strings.ContainsAny(value, "?#"):
			return bad("a path holds no query or fragment: give the query as query=…")
		case !utf8.ValidString(value) || hasControl(value):
			return bad("a path is UTF-8 text without control characters")
		}
	case keyQuery:
		o.value = strings.TrimPrefix(value, "?")
		if _, err := parseQuery(o.value); err != nil {
			return bad("%v", err)
		}
	case keyHeader:
		if !isToken(arg) {
			return bad("%q is not a header name", arg)
		}
		if hasControl(value) || !utf8.ValidString(value) {
			return bad("a header value is text without control characters")
		}
	case keyCookie:
		if hasControl(value) || !utf8.ValidString(value) {
			return bad("cookies are text without control characters, such as a=1; b=2")
		}
	case keyTime:
		if _, err := time.Parse(time.RFC3339Nano, value); err != nil {
			return bad("a time is in RFC 3339 form, such as 2024-01-02T03:04:05Z")
		}
	case keySize:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return bad("a size is a number of bytes")
		}
		o.value = strconv.FormatInt(n, 10)
	case keyName, keyBucket, keyKey, keyTopic, keyQueue, keyStream:
		if value == "" {
			return bad("the %s must not be empty", name)
		}
		if !utf8.ValidString(value) {
			return bad("the %s must be UTF-8 text", name)
		}
	case keyProject:
		if value == "" || strings.ContainsAny(value, "/ ") || !utf8.ValidString(value) {
			return bad("a project is a Google Cloud project id, such as my-project")
		}
	case keyAttributes:
		if arg == "" {
			return bad("name the attribute: attributes.<name>")
		}
		if !utf8.ValidString(arg) || !utf8.ValidString(value) {
			return bad("attributes are UTF-8 text")
		}
	case keyPayload:
		if !utf8.ValidString(value) {
			return bad("a payload is UTF-8 text")
		}
	}
	return o, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2), the form
// of methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) >= 0
}

// A query is a parsed query string: the parameters in the order they first
// appear, each with its values, decoded (values) and as sent (raw).
type query struct {
	keys, rawKeys []string
	values        map[string][]string
	raw           map[string][]string
}

// parseQuery parses a query string such as "a=1&b=x%20y&a=2".
func parseQuery(s string) (query, error) {
	q := query{values: map[string][]string{}, raw: map[string][]string{}}
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		if strings.Contains(part, ";") {
			return q, errors.New("a query separates its parameters with &, not ;")
		}
		rk, rv, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(rk)
		if err != nil {
			return q, fmt.Errorf("the parameter %q is not URL-encoded: %w", rk, err)
		}
		v, err := url.QueryUnescape(rv)
		if err != nil {
			return q, fmt.Errorf("the value %q is not URL-encoded: %w", rv, err)
		}
		if _, ok := q.values[k]; !ok {
			q.keys = append(q.keys, k)
		}
		if _, ok := q.raw[rk]; !ok {
			q.rawKeys = append(q.rawKeys, rk)
		}
		q.values[k] = append(q.values[k], v)
		q.raw[rk] = append(q.raw[rk], rv)
	}
	return q, nil
}

// joined returns each parameter's values joined with commas, as the
// platforms that take one string per parameter send them.
func (q query) joined() object {
	o := make(object, len(q.keys))
	for i, k := range q.keys {
		o[i] = field{k, strings.Join(q.values[k], ",")}
	}
	return o
}

// last returns each parameter's last value, as API Gateway REST APIs send
// queryStringParameters.
func (q query) last() object {
	o := make(object, len(q.keys))
	for i, k := range q.keys {
		vs := q.values[k]
		o[i] = field{k, vs[len(vs)-1]}
	}
	return o
}

// multi returns each parameter's values.
func (q query) multi() object {
	o := make(object, len(q.keys))
	for i, k := range q.keys {
		o[i] = field{k, q.values[k]}
	}
	return o
}

// applyPointer sets the value a JSON pointer key points to: the value as
// JSON if it is JSON, else as a string.
func applyPointer(d *doc, key, value string) error {
	p, err := parsePointer(key)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidValue, key, err)
	}
	if json.Valid([]byte(value)) {
		err = d.setRaw(p, []byte(value))
	} else {
		err = d.setString(p, value)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidValue, key, err)
	}
	return nil
}
