package web

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// A Cloud Storage CloudEvent's data.name is the object's name as it is,
// not URL-encoded (see cloudevent.Standard): the record's Key is the name
// unchanged, a '+' a plus and a '%' a percent.
func TestStorageKey(t *testing.T) {
	b, err := os.ReadFile("../gcf/testdata/fixtures/storage-object-finalized-cloudevent.json")
	if err != nil {
		t.Fatal(err)
	}
	const name = `"name": "folder/Test.cs"`
	if strings.Count(string(b), name) != 1 {
		t.Fatalf("the sample has not one %s", name)
	}
	for _, key := range append([]string{"folder/Test.cs", "Screenshot 2025-03-13 at 9.21.22 PM.png"}, adaptertest.RawKeys...) {
		t.Run(key, func(t *testing.T) {
			w, _ := json.Marshal(key)
			body := strings.Replace(string(b), name, `"name": `+string(w), 1)
			var got any
			app := quiet()
			app.Func("upload", func(_ *faas.Context, event any) (any, error) { got = event; return nil, nil }, faas.On(faas.TriggerStorage))
			req := httptest.NewRequest("POST", "/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/cloudevents+json")
			rec := httptest.NewRecorder()
			newHandler(app).ServeHTTP(rec, req)
			ev, ok := got.(*faas.StorageEvent)
			if !ok || len(ev.Records) != 1 {
				t.Fatalf("name %q: the function received a %T; response %d", key, got, rec.Code)
			}
			if ev.Records[0].Key != key {
				t.Errorf("name %q: Key %q", key, ev.Records[0].Key)
			}
		})
	}
}
