package devserver_test

import (
	"net/http"
	"testing"

	"github.com/anyfaas/faas/internal/devserver"
	"github.com/google/go-cmp/cmp"
)

// A user's event goes with its binary-mode headers, or, a structured
// CloudEvent, with the Content-Type that has it delivered as it is.
func TestDeliveryHeader(t *testing.T) {
	structured := `{"specversion":"1.0","id":"1","source":"/s","type":"t"}`
	tests := []struct {
		name   string
		header http.Header
		event  string
		want   http.Header
	}{
		{"binary", http.Header{"Ce-Specversion": {"1.0"}, "Ce-Type": {"t"}, "Content-Type": {"application/json"}, "Accept": {"*/*"}}, `{"a":1}`,
			http.Header{"Ce-Specversion": {"1.0"}, "Ce-Type": {"t"}, "Content-Type": {"application/json"}}},
		{"structured", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, structured,
			http.Header{"Content-Type": {"application/cloudevents+json"}}},
		{"legacy", http.Header{"Content-Type": {"application/json"}}, `{"context":{"eventId":"1"},"data":{}}`, nil},
		{"ce headers without specversion", http.Header{"Ce-Type": {"t"}}, `{"a":1}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, devserver.DeliveryHeader(tt.header, []byte(tt.event))); diff != "" {
				t.Errorf("DeliveryHeader mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
