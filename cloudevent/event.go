package cloudevent

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Event is an event in the CloudEvents 1.0 model. For an invocation by a
// CloudEvent it is what Context.Origin().Context holds on the gcf and web
// adapters; a legacy background event of Cloud Functions is converted
// into one by functions-framework-go's rules.
type Event struct {
	// ID, Source, SpecVersion and Type are the required attributes.
	ID          string
	Source      string
	SpecVersion string
	Type        string
	// Subject, Time, DataContentType and DataSchema are the optional
	// attributes; the zero value means absent.
	Subject         string
	Time            time.Time
	DataContentType string
	DataSchema      string
	// Data is the event data: the body in binary mode; in structured mode
	// the JSON text of the data member when the content type is JSON (or
	// absent), the string's contents when it is not, or the bytes that
	// data_base64 encodes. Nil means the event has no data.
	Data []byte
	// Extensions holds the extension attributes by name, each in its
	// canonical string form (a JSON number or boolean as its literal text).
	Extensions map[string]string
	// Header holds the headers of the HTTP request that delivered the
	// event, with the trace headers X-Cloud-Trace-Context and traceparent.
	// It is not part of the event's JSON form.
	Header http.Header
}

// Trigger is the trigger named in the errors of a CloudEvent whose envelope
// cannot be decoded, and of any CloudEvent with no standard shape and no
// better name.
const Trigger = "cloudevent"

// ErrUnsupportedMode is wrapped by the errors of requests in a CloudEvents
// content mode or format this package does not take (batched mode, event
// formats other than JSON); adapters answer them with 415.
var ErrUnsupportedMode = errors.New("is not supported")

// decodeError reports a CloudEvent that cannot be decoded. Its Platform is
// filled in by the exported entry points (see withPlatform).
func decodeError(trigger, field string, err error) *faas.DecodeError {
	return &faas.DecodeError{Trigger: trigger, Field: field, Err: err}
}

// withPlatform names the platform in a DecodeError that err is or wraps.
func withPlatform(platform string, err error) error {
	var derr *faas.DecodeError
	if errors.As(err, &derr) && derr.Platform == "" {
		derr.Platform = platform
	}
	return err
}

// decodeBinary reads a CloudEvent in the binary content mode of the
// CloudEvents HTTP binding: the attributes in ce-* headers, the data in the
// body.
func decodeBinary(h http.Header, body []byte) (*Event, error) {
	ce := &Event{DataContentType: h.Get("Content-Type"), Header: h}
	if len(body) > 0 {
		ce.Data = body
	}
	var (
		timeValue string
		badField  string // the first by name, so that the report is stable
		badErr    error
	)
	bad := func(field string, err error) {
		if badErr == nil || field < badField {
			badField, badErr = field, err
		}
	}
	for name, values := range h {
		if len(name) <= 3 || !strings.EqualFold(name[:3], "ce-") || len(values) == 0 {
			continue
		}
		attr := strings.ToLower(name[3:])
		v, err := headerValue(values[0])
		if err != nil {
			bad("ce-"+attr, err)
			continue
		}
		switch attr {
		case "id":
			ce.ID = v
		case "source":
			ce.Source = v
		case "specversion":
			ce.SpecVersion = v
		case "type":
			ce.Type = v
		case "subject":
			ce.Subject = v
		case "time":
			timeValue = v
		case "dataschema":
			ce.DataSchema = v
		case "datacontenttype":
			bad("ce-datacontenttype", errors.New("must not be present in binary mode: the Content-Type header carries the data content type"))
		default:
			if ce.Extensions == nil {
				ce.Extensions = make(map[string]string)
			}
			ce.Extensions[attr] = v
		}
	}
	if !utf8.ValidString(ce.DataContentType) {
		bad("Content-Type", errors.New("the value is not UTF-8"))
	}
	if err := ce.checkRequired("ce-"); err != nil {
		return nil, err
	}
	if badErr != nil {
		return nil, decodeError(Trigger, badField, badErr)
	}
	if timeValue != "" {
		t, err := parseTime(timeValue)
		if err != nil {
			return nil, decodeError(Trigger, "ce-time", err)
		}
		ce.Time = t
	}
	return ce, nil
}

// checkRequired reports the first required attribute that is missing, or
// a spec version other than 1.0; prefix is what the attributes' names
// carry ("ce-" in binary mode).
func (e *Event) checkRequired(prefix string) error {
	for _, a := range [...]struct{ name, value string }{
		{"specversion", e.SpecVersion}, {"id", e.ID}, {"source", e.Source}, {"type", e.Type},
	} {
		if a.value == "" {
			return decodeError(Trigger, prefix+a.name, errors.New("the required attribute is missing or empty"))
		}
	}
	if e.SpecVersion != "1.0" {
		return decodeError(Trigger, prefix+"specversion", fmt.Errorf("version %q is not supported: only 1.0 is", e.SpecVersion))
	}
	return nil
}

// headerValue decodes an attribute's header value as the CloudEvents HTTP
// binding (3.1.3.2) says: a double-quoted string is unquoted, then
// percent-encoding is decoded once, and the result must be UTF-8. A value
// with a '%' that starts no escape was not percent-encoded — the Go and
// Java CloudEvents SDKs send values as they are (cloudevents/sdk-go#1331) —
// and is taken as it is.
func headerValue(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(v)-1; i++ {
			if v[i] == '\\' && i+1 < len(v)-1 {
				i++
			}
			b.WriteByte(v[i])
		}
		v = b.String()
	}
	if strings.Contains(v, "%") {
		v = percentDecode(v)
	}
	if !utf8.ValidString(v) {
		return "", errors.New("the value is not UTF-8")
	}
	return v, nil
}

// percentDecode decodes every %XX of v, or returns v as it is if a '%'
// starts no escape.
func percentDecode(v string) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
			return v
		}
		b = append(b, unhex(v[i+1])<<4|unhex(v[i+2]))
		i += 2
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t, nil
}

// decodeStructured reads a CloudEvent in the JSON event format, the body of
// the structured content mode. Data and the other byte slices of the
// result may share memory with body.
func decodeStructured(body []byte) (*Event, error) {
	ce := &Event{}
	var (
		data, data64 []byte // raw members, nil if absent
		timeValue    string
		fieldErr     *faas.DecodeError
	)
	err := jsonwire.Object(body, func(key string, v []byte) bool {
		fail := func(err error) bool {
			fieldErr = decodeError(Trigger, key, err)
			return false
		}
		switch key {
		case "data":
			data = v
			return true
		case "data_base64":
			data64 = v
			return true
		}
		if isNull(v) {
			return true // a null attribute is an absent one
		}
		var dst *string
		switch key {
		case "id":
			dst = &ce.ID
		case "source":
			dst = &ce.Source
		case "specversion":
			dst = &ce.SpecVersion
		case "type":
			dst = &ce.Type
		case "subject":
			dst = &ce.Subject
		case "time":
			dst = &timeValue
		case "datacontenttype":
			dst = &ce.DataContentType
		case "dataschema":
			dst = &ce.DataSchema
		default:
			s, ok := extensionValue(v)
			if !ok {
				return fail(errors.New("an extension attribute must be a string, number or boolean"))
			}
			if ce.Extensions == nil {
				ce.Extensions = make(map[string]string)
			}
			ce.Extensions[key] = s
			return true
		}
		s, ok := jsonwire.String(v)
		if !ok {
			return fail(fmt.Errorf("want a string, not %s", jsonwire.Kind(v)))
		}
		*dst = s
		return true
	})
	switch {
	case errors.Is(err, jsonwire.ErrNotObject):
		return nil, decodeError(Trigger, "", errors.New("the body is not a JSON object"))
	case err != nil:
		return nil, decodeError(Trigger, "", fmt.Errorf("malformed JSON: %w", err))
	case fieldErr != nil:
		return nil, fieldErr
	}
	if err := ce.checkRequired(""); err != nil {
		return nil, err
	}
	if timeValue != "" {
		t, err := parseTime(timeValue)
		if err != nil {
			return nil, decodeError(Trigger, "time", err)
		}
		ce.Time = t
	}
	switch {
	case data != nil && data64 != nil:
		return nil, decodeError(Trigger, "data_base64", errors.New("data and data_base64 are both present"))
	case data64 != nil && !isNull(data64):
		s, ok := jsonwire.String(data64)
		if !ok {
			return nil, decodeError(Trigger, "data_base64", fmt.Errorf("want a base64 string, not %s", jsonwire.Kind(data64)))
		}
		b, err := DecodeBase64(s)
		if err != nil {
			return nil, decodeError(Trigger, "data_base64", err)
		}
		ce.Data = b
	case data != nil:
		if IsJSONContent(ce.DataContentType) {
			ce.Data = data // null included: an explicit null payload
		} else if s, ok := jsonwire.String(data); ok {
			ce.Data = []byte(s)
		} else if !isNull(data) {
			ce.Data = data
		}
	}
	return ce, nil
}

// extensionValue returns the canonical string form of an extension
// attribute's JSON value.
func extensionValue(v []byte) (string, bool) {
	switch v[0] {
	case '"':
		return jsonwire.String(v)
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(v), true
	}
	return "", false
}

// IsJSONContent reports whether data of this content type is JSON: an
// absent content type, */json or */*+json, as the JSON event format says.
func IsJSONContent(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	_, sub, _ := strings.Cut(mt, "/")
	return sub == "json" || strings.HasSuffix(sub, "+json")
}

// DecodeBase64 decodes standard base64, padded or not, and the URL-safe
// alphabet, which proto3's JSON mapping of bytes accepts too.
func DecodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		return b, nil
	}
	for _, enc := range [...]*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err2 := enc.DecodeString(s); err2 == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("invalid base64: %w", err)
}

func isNull(v []byte) bool { return string(v) == "null" }

// MarshalJSON encodes the event in the CloudEvents JSON format: the
// attributes that are set, the extensions in the order of their names, and
// the data as a JSON value when the content type is JSON (or absent) and
// the data is valid JSON (without the white space around it), as a string
// when the content type is text other than JSON and the data UTF-8, and as
// data_base64 otherwise. Header is left out.
func (e *Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256+len(e.Data)*4/3)
	b = append(b, '{')
	first := true
	member := func(name, value string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonwire.AppendString(b, name)
		b = append(b, ':')
		b = jsonwire.AppendString(b, value)
	}
	member("specversion", e.SpecVersion)
	member("id", e.ID)
	member("source", e.Source)
	member("type", e.Type)
	for _, a := range [...]struct{ name, value string }{
		{"subject", e.Subject}, {"datacontenttype", e.DataContentType}, {"dataschema", e.DataSchema},
	} {
		if a.value != "" {
			member(a.name, a.value)
		}
	}
	if !e.Time.IsZero() {
		member("time", e.Time.Format(time.RFC3339Nano))
	}
	names := make([]string, 0, len(e.Extensions))
	for name := range e.Extensions {
		switch name {
		case "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data", "data_base64":
			continue // cannot be extensions
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		member(name, e.Extensions[name])
	}
	if e.Data != nil {
		isJSON := IsJSONContent(e.DataContentType)
		switch {
		case isJSON && jsonwire.Valid(e.Data):
			b = append(b, `,"data":`...)
			b = append(b, bytes.TrimSpace(e.Data)...)
		case !isJSON && envelope.IsText(e.DataContentType) && utf8.Valid(e.Data):
			member("data", string(e.Data))
		default:
			member("data_base64", base64.StdEncoding.EncodeToString(e.Data))
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON decodes an event in the CloudEvents JSON format. An event
// that is malformed, lacks a required attribute or has a spec version
// other than 1.0 is a *faas.DecodeError naming the attribute, with no
// platform.
func (e *Event) UnmarshalJSON(b []byte) error {
	ce, err := decodeStructured(slices.Clone(b))
	if err != nil {
		return err
	}
	*e = *ce
	return nil
}
