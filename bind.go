package faas

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas/internal/jsonwire"
)

// Bind decodes the invocation's payload into v, which must be a non-nil
// pointer.
//
// For an HTTP trigger the payload is the request body, decoded by its
// Content-Type: JSON (application/json, any +json type, or no type with a
// body that starts like a JSON object or array, or is JSON), or a form (application/x-www-form-urlencoded
// or multipart/form-data; a "form" whose body starts with '{' or '[' is
// JSON, as curl -d sends it). A form fills a struct's fields by their `form`
// tag, else their `json` tag, else their name, case-insensitively; or a
// map[string]string, map[string][]string or url.Values. A []byte field takes
// a multipart file part of its name, or else the value's bytes.
//
// For other triggers the payload is the native event as JSON, so a handler
// can bind it to the platform's own event type.
//
// A payload that cannot be decoded gives an *Error with status 400 (415 for
// an unsupported content type) whose message says what is wrong and where;
// returned as is, it becomes the response.
func (c *Context) Bind(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("faas: Bind needs a non-nil pointer, not %T", v)
	}
	if c.req == nil {
		raw := c.inv.Origin.Event
		if raw == nil {
			if e, ok := c.inv.Event.(*RawEvent); ok {
				raw = e.JSON
			}
		}
		if raw == nil {
			return fmt.Errorf("faas: Bind: the %s event has no JSON payload to bind", c.inv.Trigger)
		}
		return bindJSON(raw, v, c.inv.Trigger+" event")
	}
	body := c.req.Body
	ct := c.req.Header.Get("Content-Type")
	mediaType, params, isJSON, err := contentType(ct)
	if err != nil {
		return &Error{StatusCode: http.StatusBadRequest, Message: fmt.Sprintf("invalid Content-Type %q: %v", ct, err), Err: err}
	}
	switch {
	case isJSON:
		return bindJSON(body, v, "JSON body")
	case mediaType == "application/x-www-form-urlencoded" && looksLikeJSON(body):
		// curl -d, and some gateways, label JSON as a form; a real form
		// body cannot start with an unescaped '{' or '['.
		return bindJSON(body, v, "JSON body")
	case mediaType == "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return &Error{StatusCode: http.StatusBadRequest, Message: fmt.Sprintf("invalid form body: %v", err), Err: err}
		}
		return bindForm(values, nil, rv)
	case mediaType == "multipart/form-data":
		return bindMultipart(body, params["boundary"], rv)
	case mediaType == "" && (looksLikeJSON(body) || json.Valid(body)):
		// An object or array that is not valid JSON is reported where it
		// breaks; a bare value (null, "text", 42) binds if it is JSON.
		return bindJSON(body, v, "JSON body")
	case mediaType == "" && len(bytes.TrimSpace(body)) == 0:
		return &Error{StatusCode: http.StatusBadRequest, Message: "empty request body: expected JSON or a form"}
	}
	of := fmt.Sprintf("of type %q", ct)
	if ct == "" {
		of = "with no Content-Type that is not JSON"
	}
	return &Error{
		StatusCode: http.StatusUnsupportedMediaType,
		Message:    "cannot bind a body " + of + ": expected application/json, application/x-www-form-urlencoded or multipart/form-data",
	}
}

// contentType parses the Content-Type ct of a request body as Bind and
// Typed read it: its media type, in lower case ("" for an empty ct), its
// parameters, and whether it is JSON's, application/json or a +json type.
// The common literal values of application/json are known without
// parsing (and without parameters). A malformed ct is an error, and not
// JSON.
func contentType(ct string) (mediaType string, params map[string]string, isJSON bool, err error) {
	switch ct {
	case "":
		return "", nil, false, nil
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8":
		return "application/json", nil, true, nil
	}
	mediaType, params, err = mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, false, err // Bind's message names ct
	}
	return mediaType, params, mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"), nil
}

func looksLikeJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// bindJSON decodes data into v, reporting the offset of a syntax or type
// error. what names the payload in messages.
func bindJSON(data []byte, v any, what string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &Error{StatusCode: http.StatusBadRequest, Message: "empty " + what}
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		msg     string
	)
	switch {
	case errors.As(err, &syntax):
		msg = fmt.Sprintf("invalid %s at offset %d: %s", what, syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typeErr):
		field := jsonwire.TypeErrorField(data, typeErr)
		if field == "" {
			field = "(top level)"
		}
		msg = fmt.Sprintf("invalid %s at offset %d: field %s: cannot use %s as %s", what, typeErr.Offset, field, typeErr.Value, typeErr.Type)
	default:
		msg = fmt.Sprintf("invalid %s: %s", what, strings.TrimPrefix(err.Error(), "json: "))
	}
	return &Error{StatusCode: http.StatusBadRequest, Message: msg, Err: err}
}

func bindMultipart(body []byte, boundary string, rv reflect.Value) error {
	if boundary == "" {
		return &Error{StatusCode: http.StatusBadRequest, Message: "multipart/form-data body without a boundary parameter"}
	}
	values := url.Values{}
	files := map[string][]byte{}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return &Error{StatusCode: http.StatusBadRequest, Message: fmt.Sprintf("invalid multipart body: %v", err), Err: err}
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return &Error{StatusCode: http.StatusBadRequest, Message: fmt.Sprintf("invalid multipart part %q: %v", part.FormName(), err), Err: err}
		}
		if part.FileName() != "" {
			files[part.FormName()] = data
		} else {
			values.Add(part.FormName(), string(data))
		}
	}
	return bindForm(values, files, rv)
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
	bytesType           = reflect.TypeFor[[]byte]()
)

// bindForm fills the value rv points to from form values and file parts.
func bindForm(values url.Values, files map[string][]byte, rv reflect.Value) error {
	target := rv.Elem()
	switch target.Kind() {
	case reflect.Map:
		t := target.Type()
		if t.Key().Kind() != reflect.String {
			break
		}
		if target.IsNil() {
			target.Set(reflect.MakeMap(t))
		}
		switch t.Elem() {
		case reflect.TypeFor[string]():
			for k, vs := range values {
				target.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), reflect.ValueOf(vs[0]))
			}
			return nil
		case reflect.TypeFor[[]string]():
			for k, vs := range values {
				target.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), reflect.ValueOf(vs))
			}
			return nil
		}
	case reflect.Struct:
		return bindStruct(values, files, target)
	}
	return fmt.Errorf("faas: Bind: cannot bind a form into %s: use a struct, map[string]string or url.Values", rv.Type())
}

func bindStruct(values url.Values, files map[string][]byte, target reflect.Value) error {
	t := target.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := fieldName(f)
		if name == "-" {
			continue
		}
		fv := target.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("form") == "" {
			if err := bindStruct(values, files, fv); err != nil {
				return err
			}
			continue
		}
		if f.Type == bytesType {
			if data, ok := lookupFold(files, name); ok {
				fv.SetBytes(data)
				continue
			}
		}
		vs, ok := lookupFold(values, name)
		if !ok || len(vs) == 0 {
			continue
		}
		if err := setField(fv, vs); err != nil {
			return &Error{StatusCode: http.StatusBadRequest, Message: fmt.Sprintf("form field %q: %v", name, err), Err: err}
		}
	}
	return nil
}

func fieldName(f reflect.StructField) string {
	for _, key := range []string{"form", "json"} {
		if tag, ok := f.Tag.Lookup(key); ok {
			if name, _, _ := strings.Cut(tag, ","); name != "" {
				return name
			}
		}
	}
	return f.Name
}

func lookupFold[V any](m map[string]V, name string) (V, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

// setField sets fv from form values: a slice takes them all, anything else
// the first.
func setField(fv reflect.Value, vs []string) error {
	if fv.Type() == bytesType {
		fv.SetBytes([]byte(vs[0]))
		return nil
	}
	if fv.Kind() == reflect.Slice && !fv.Addr().Type().Implements(textUnmarshalerType) {
		s := reflect.MakeSlice(fv.Type(), len(vs), len(vs))
		for i, v := range vs {
			if err := setScalar(s.Index(i), v); err != nil {
				return err
			}
		}
		fv.Set(s)
		return nil
	}
	return setScalar(fv, vs[0])
}

func setScalar(fv reflect.Value, s string) error {
	if fv.Kind() == reflect.Pointer {
		p := reflect.New(fv.Type().Elem())
		if err := setScalar(p.Elem(), s); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	}
	if fv.Type() == timeType {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("%q is not an RFC 3339 time", s)
		}
		fv.Set(reflect.ValueOf(tm))
		return nil
	}
	if fv.Addr().Type().Implements(textUnmarshalerType) {
		return fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", s)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a valid %s", s, fv.Type())
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a valid %s", s, fv.Type())
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a valid %s", s, fv.Type())
		}
		fv.SetFloat(n)
	default:
		return fmt.Errorf("cannot bind a form value into %s", fv.Type())
	}
	return nil
}
