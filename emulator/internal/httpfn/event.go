package httpfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Content types of the events Post delivers.
const (
	// ContentStructured is the CloudEvents structured mode, JSON format.
	ContentStructured = "application/cloudevents+json"
	// ContentBatch is the CloudEvents batched mode.
	ContentBatch = "application/cloudevents-batch+json"
	// ContentJSON is anything else: a legacy background event, a Pub/Sub
	// push body.
	ContentJSON = "application/json"
	// ContentBinary is the data of a structured CloudEvent given as
	// data_base64 with no datacontenttype, delivered in binary mode.
	ContentBinary = "application/octet-stream"
)

// Event tells how to deliver a native event given as JSON: a CloudEvent in
// the structured JSON format (it has specversion) is sent in structured
// mode, a JSON array in batched mode, and any other JSON object — a legacy
// Cloud Functions background event {"context","data"}, a Pub/Sub push body
// — as application/json. id is the CloudEvent's id, or the legacy event's
// eventId, or "". Anything but a JSON object or array is an error.
func Event(event []byte) (contentType, id string, err error) {
	trimmed := bytes.TrimLeft(event, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if !json.Valid(trimmed) {
			return "", "", errors.New("the event is not valid JSON")
		}
		return ContentBatch, "", nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(event, &m); err != nil || m == nil {
		return "", "", errors.New("the event is not a JSON object: give a CloudEvent in the structured JSON format")
	}
	str := func(raw json.RawMessage) string {
		var s string
		json.Unmarshal(raw, &s)
		return s
	}
	if _, ok := m["specversion"]; ok {
		return ContentStructured, str(m["id"]), nil
	}
	if raw, ok := m["context"]; ok {
		var c struct {
			EventID string `json:"eventId"`
		}
		json.Unmarshal(raw, &c)
		return ContentJSON, c.EventID, nil
	}
	return ContentJSON, str(m["eventId"]), nil
}

// Delivery is an event as it is posted to the function.
type Delivery struct {
	// ContentType is the request's Content-Type.
	ContentType string
	// Header holds the ce-* headers of a CloudEvent in binary mode, or is
	// nil.
	Header http.Header
	// Body is the request's body.
	Body []byte
	// ID is the CloudEvent's id, or the legacy event's eventId, or "".
	ID string
}

// Deliver tells how to post event, which came with header (see
// emulator.WithHeader), as Eventarc and Knative Eventing deliver events:
//
//   - header has ce-specversion: in binary mode, as given: the event is
//     the body, whatever it holds, with header's ce-* headers and its
//     Content-Type (application/json if it has none);
//   - header's Content-Type is a CloudEvents type (structured, batched):
//     as given, with that Content-Type;
//   - otherwise as Event says, but for a CloudEvent in the structured JSON
//     format, which is sent in binary mode, as the platforms send events
//     (one that does not decode is sent as it is, for the function to
//     refuse), with its datacontenttype: without one, application/json
//     for its data member, which the JSON event format implies is JSON,
//     and application/octet-stream for its data_base64 member, whose
//     decoded bytes are the body.
//
// header's keys are matched in any case, as a map built by assignment
// (h["ce-specversion"] = ...) may hold them.
func Deliver(event []byte, header http.Header) (Delivery, error) {
	if _, ok := headerValue(header, "Ce-Specversion"); ok {
		ct, _ := headerValue(header, "Content-Type")
		d := Delivery{ContentType: ct, Header: make(http.Header), Body: event}
		if d.ContentType == "" {
			d.ContentType = ContentJSON
		}
		for k, vs := range header {
			if len(k) > 3 && strings.EqualFold(k[:3], "ce-") {
				d.Header[http.CanonicalHeaderKey(k)] = vs
			}
		}
		d.ID = d.Header.Get("Ce-Id")
		return d, nil
	}
	if ct, _ := headerValue(header, "Content-Type"); strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/cloudevents") {
		_, id, _ := Event(event)
		return Delivery{ContentType: ct, Body: event, ID: id}, nil
	}
	contentType, id, err := Event(event)
	if err != nil {
		return Delivery{}, err
	}
	if contentType == ContentStructured {
		var ce cloudevent.Event
		if err := ce.UnmarshalJSON(event); err == nil {
			d := Delivery{ContentType: ce.DataContentType, Header: ce.BinaryHeader(), Body: ce.Data, ID: id}
			d.Header.Del("Content-Type")
			if d.ContentType == "" {
				d.ContentType = ContentJSON
				if data64 := jsonwire.Member(event, "data_base64"); data64 != nil && string(data64) != "null" {
					d.ContentType = ContentBinary
				}
			}
			return d, nil
		}
	}
	return Delivery{ContentType: contentType, Body: event, ID: id}, nil
}

// headerValue returns the first value of h's header key, whose key may be
// in any case, and whether h has it.
func headerValue(h http.Header, key string) (string, bool) {
	if vs, ok := h[key]; ok { // the canonical key, without a scan
		return firstValue(vs), true
	}
	for k, vs := range h {
		if strings.EqualFold(k, key) {
			return firstValue(vs), true
		}
	}
	return "", false
}

// firstValue returns vs[0], or "" if vs is empty.
func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// Result makes the emulator's Result of a Response: Payload is the body,
// and Error is set when the host answered for the function (Type "timeout"
// or "crash"), when errType is not "" (the platform's own report, such as
// Cloud Run functions' X-Google-Status), or when the status is 400 or more
// (Type "<status> <text>", such as "404 Not Found"). The Message is the
// body, trimmed.
func (h *Host) Result(r *Response, requestID, errType string) *emulator.Result {
	res := &emulator.Result{
		RequestID:   requestID,
		Payload:     r.Body,
		Duration:    r.Duration,
		Billed:      Billed(r.Duration),
		MaxMemoryMB: h.MaxMemoryMB(),
	}
	if errType == "" {
		switch r.Failure {
		case Timeout:
			errType = "timeout"
		case Unavailable:
			errType = "crash"
		}
	}
	if errType == "" && r.Status >= 400 {
		errType = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	}
	if errType != "" {
		res.Error = &emulator.FunctionError{Type: errType, Message: strings.TrimSpace(string(r.Body))}
	}
	return res
}

// BillingUnit is the granularity of Billed: Cloud Run bills instance time
// "rounded up to the nearest 100 millisecond"
// (https://cloud.google.com/run/pricing).
const BillingUnit = 100 * time.Millisecond

// Billed rounds d up to BillingUnit.
func Billed(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return (d + BillingUnit - 1) / BillingUnit * BillingUnit
}
