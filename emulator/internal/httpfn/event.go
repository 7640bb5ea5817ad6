package httpfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anyfaas/faas/emulator"
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
