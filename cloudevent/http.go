package cloudevent

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anyfaas/faas"
)

// FromHTTP reads the CloudEvent an HTTP request carries, if it carries
// one: in structured mode (Content-Type application/cloudevents+json) or
// binary mode (a ce-specversion header). It reports false for a request
// that is not a CloudEvent. Batched mode and event formats other than JSON
// are errors wrapping ErrUnsupportedMode; a malformed event is a
// *faas.DecodeError of platform naming the attribute. The event's Header is
// h; its Data may share memory with body.
func FromHTTP(platform string, h http.Header, body []byte) (*Event, bool, error) {
	mt := mediaType(h.Get("Content-Type"))
	var (
		ce  *Event
		err error
	)
	switch {
	case strings.HasPrefix(mt, "application/cloudevents-batch"):
		err = decodeError(Trigger, "", fmt.Errorf("batched mode (%s) %w: send each event in binary or structured mode", mt, ErrUnsupportedMode))
	case mt == "application/cloudevents+json":
		ce, err = decodeStructured(body)
	case strings.HasPrefix(mt, "application/cloudevents"):
		err = decodeError(Trigger, "", fmt.Errorf("the event format %s %w: send application/cloudevents+json, or binary mode", mt, ErrUnsupportedMode))
	default:
		if _, ok := h["Ce-Specversion"]; !ok {
			return nil, false, nil
		}
		ce, err = decodeBinary(h, body)
	}
	if err != nil {
		return nil, true, withPlatform(platform, err)
	}
	ce.Header = h
	return ce, true, nil
}

// TriggerOf names the trigger of the standard event a CloudEvent of type
// ceType becomes.
func TriggerOf(ceType string) string {
	switch {
	case strings.HasPrefix(ceType, TypeStoragePrefix):
		return faas.TriggerStorage
	case ceType == TypePubsubPublished:
		return faas.TriggerMessage
	case ceType == TypeSchedulerJobRun, ceType == TypeKnativePing:
		return faas.TriggerTimer
	}
	return RawTrigger(ceType)
}

// PathFunction returns the function of app that an event delivered to
// path is for: name, for the path /name of one of its functions, else ""
// (the App then routes the event by its trigger). anyfaas's generated
// deployments deliver the events of a unit of several functions to
// /<function>, as functions-framework-go serves a function at /<name>.
func PathFunction(app *faas.App, path string) string {
	name, ok := strings.CutPrefix(path, "/")
	if !ok || name == "" || strings.Contains(name, "/") || !app.HasFunction(name) {
		return ""
	}
	return name
}

// mediaType returns the lower-case media type of a Content-Type.
func mediaType(contentType string) string {
	// What mime.ParseMediaType returns as the media type, whether or not
	// the parameters parse, without building their map.
	base, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(base))
}

// BinaryHeader returns the headers that carry e in the binary content mode
// of the CloudEvents HTTP binding, the mode in which Eventarc and Knative
// Eventing deliver events: each attribute that is set as a ce-* header,
// its value percent-encoded as the binding (3.1.3.2) says, and
// DataContentType as Content-Type. The body is e.Data.
func (e *Event) BinaryHeader() http.Header {
	h := make(http.Header)
	set := func(name, value string) {
		if value != "" {
			h.Set("ce-"+name, percentEncode(value))
		}
	}
	set("specversion", e.SpecVersion)
	set("id", e.ID)
	set("source", e.Source)
	set("type", e.Type)
	set("subject", e.Subject)
	set("dataschema", e.DataSchema)
	if !e.Time.IsZero() {
		set("time", e.Time.Format(time.RFC3339Nano))
	}
	for name, value := range e.Extensions {
		switch name {
		case "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data", "data_base64":
			continue // cannot be extensions
		}
		set(name, value)
	}
	if e.DataContentType != "" {
		h.Set("Content-Type", e.DataContentType)
	}
	return h
}

// percentEncode encodes v for a ce-* header: the bytes outside printable
// ASCII, space, double quote and percent as %XX, the rest as they are.
func percentEncode(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c > '~' || c == '"' || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
