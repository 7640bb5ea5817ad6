package gcf_test

import (
	"net/http"
	"testing"

	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/cloudevent"
)

// Legacy events become the CloudEvents functions-framework-go makes of
// them: its type table, the service from the resource or the type, the
// resource split into source and subject, the Firebase Auth subject from
// the uid, and the Realtime Database location from the domain.
func TestLegacyCloudEvent(t *testing.T) {
	tests := []struct {
		name, body                  string
		wantType, wantSource, wantS string
	}{
		{"firebase auth", `{"eventId":"1","eventType":"providers/firebase.auth/eventTypes/user.create","resource":"projects/my-project-id","data":{"uid":"u1"}}`,
			"google.firebase.auth.user.v1.created", "//firebaseauth.googleapis.com/projects/my-project-id", "users/u1"},
		{"realtime database in a region", `{"eventId":"1","eventType":"providers/google.firebase.database/eventTypes/ref.write","resource":"projects/_/instances/db/refs/a/b","domain":"europe-west1.firebasedatabase.app","data":{"delta":1}}`,
			"google.firebase.database.ref.v1.written", "//firebasedatabase.googleapis.com/projects/_/locations/europe-west1/instances/db", "refs/a/b"},
		{"realtime database in us-central1", `{"eventId":"1","eventType":"providers/google.firebase.database/eventTypes/ref.delete","resource":"projects/_/instances/db/refs/a","domain":"firebaseio.com","data":{}}`,
			"google.firebase.database.ref.v1.deleted", "//firebasedatabase.googleapis.com/projects/_/locations/us-central1/instances/db", "refs/a"},
		{"analytics", `{"eventId":"1","eventType":"providers/google.firebase.analytics/eventTypes/event.log","resource":"projects/p/events/purchase","data":{}}`,
			"google.firebase.analytics.log.v1.written", "//firebase.googleapis.com/projects/p", "events/purchase"},
		{"gen1 storage object.change", `{"eventId":"1","eventType":"providers/cloud.storage/eventTypes/object.change","resource":"projects/_/buckets/b/objects/o","data":{"bucket":"b","name":"o"}}`,
			"google.cloud.storage.object.v1.finalized", "//storage.googleapis.com/projects/_/buckets/b", "objects/o"},
		{"resource its pattern does not match", `{"context":{"eventId":"1","eventType":"google.storage.object.archive","resource":{"service":"storage.googleapis.com","name":"buckets/b"}},"data":{"bucket":"b","name":"o"}}`,
			"google.cloud.storage.object.v1.archived", "//storage.googleapis.com/buckets/b", ""},
		{"unknown type", `{"eventId":"1","eventType":"providers/x/eventTypes/y","resource":"r","data":{}}`,
			"providers/x/eventTypes/y", "r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			rec := serve(gcf.Handler(conformanceApp(&s)), http.MethodPost, "/", http.Header{"Content-Type": {"application/json"}}, []byte(tt.body))
			ce, ok := s.origin.Context.(*cloudevent.Event)
			if !ok {
				t.Fatalf("Origin.Context is %T; response %d %s", s.origin.Context, rec.Code, rec.Body)
			}
			got := [3]string{ce.Type, ce.Source, ce.Subject}
			if want := [3]string{tt.wantType, tt.wantSource, tt.wantS}; got != want {
				t.Errorf("type, source, subject = %q, want %q", got, want)
			}
		})
	}
}
