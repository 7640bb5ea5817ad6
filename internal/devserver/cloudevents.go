package devserver

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/anyfaas/faas"
)

// contentStructured is the Content-Type of a CloudEvent in structured
// mode, JSON format.
const contentStructured = "application/cloudevents+json"

// BinaryHeader returns the headers of h that carry a CloudEvent in the
// binary content mode of the CloudEvents HTTP binding, its ce-* headers
// and Content-Type, or nil if h carries none (no ce-specversion). Eventarc
// delivers events to Cloud Run in binary mode, and Knative Eventing does
// by default.
func BinaryHeader(h http.Header) http.Header {
	if h.Get("Ce-Specversion") == "" {
		return nil
	}
	out := make(http.Header)
	for k, vs := range h {
		if len(k) > 3 && strings.EqualFold(k[:3], "ce-") {
			out[http.CanonicalHeaderKey(k)] = vs
		}
	}
	if ct := h.Get("Content-Type"); ct != "" {
		out.Set("Content-Type", ct)
	}
	return out
}

// DeliveryHeader returns the headers with which the emulator is to
// deliver event, a user's own (not a sample of the catalog), given with
// the headers h: its binary-mode headers (BinaryHeader), or for a
// CloudEvent in the structured format, a Content-Type that has it
// delivered as it is, in structured mode, rather than in binary mode as
// the platform would deliver it; else nil.
func DeliveryHeader(h http.Header, event []byte) http.Header {
	if b := BinaryHeader(h); b != nil {
		return b
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(event, &m) == nil {
		if _, ok := m["specversion"]; ok {
			return http.Header{"Content-Type": {contentStructured}}
		}
	}
	return nil
}

// DeliversBinary reports whether the emulator of platform delivers
// CloudEvents in binary mode: those that deliver events over HTTP.
func DeliversBinary(platform string) bool {
	return platform == faas.PlatformGCF || platform == faas.PlatformWeb
}
