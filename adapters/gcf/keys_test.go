package gcf_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// A Cloud Storage event's data.name is the object's name as it is, not
// URL-encoded (a real finalized event: "name": "Screenshot 2025-03-13 at
// 9.21.22 PM.png", its selfLink and mediaLink encoded; see
// cloudevent.Standard): the record's Key is the name unchanged, in a
// CloudEvent as in a legacy event.
func TestStorageKey(t *testing.T) {
	for fixture, contentType := range map[string]string{
		"storage-object-finalized-cloudevent.json": "application/cloudevents+json",
		"storage-object-finalize-legacy.json":      "application/json",
	} {
		b, err := os.ReadFile("testdata/fixtures/" + fixture)
		if err != nil {
			t.Fatal(err)
		}
		const name = `"name": "folder/Test.cs"`
		if strings.Count(string(b), name) != 1 {
			t.Fatalf("%s has not one %s", fixture, name)
		}
		for _, key := range append([]string{"folder/Test.cs", "Screenshot 2025-03-13 at 9.21.22 PM.png"}, adaptertest.RawKeys...) {
			t.Run(fixture+"/"+key, func(t *testing.T) {
				w, _ := json.Marshal(key)
				body := strings.Replace(string(b), name, `"name": `+string(w), 1)
				var s seen
				rec := serve(gcf.Handler(conformanceApp(&s)), http.MethodPost, "/", http.Header{"Content-Type": {contentType}}, []byte(body))
				ev, ok := s.event.(*faas.StorageEvent)
				if !ok || len(ev.Records) != 1 {
					t.Fatalf("name %q: the function received a %T; response %d", key, s.event, rec.Code)
				}
				if got := ev.Records[0].Key; got != key {
					t.Errorf("name %q: Key %q", key, got)
				}
			})
		}
	}
}
