package fc_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/golden"
)

// An OSS event's oss.object.key reaches the record's Key as it is: a '+'
// stays a plus, a '%' a percent, and an escape is not undone. This pins
// today's behaviour, not a verified fact: whether OSS URL-encodes the key
// is not established (see ossRecord).
func TestOSSKey(t *testing.T) {
	fixture := string(readFile(t, "testdata/fixtures/oss-object-created.json"))
	for _, key := range append([]string{"image/a.jpg"}, adaptertest.RawKeys...) {
		t.Run(key, func(t *testing.T) {
			w, _ := json.Marshal(key)
			payload := strings.Replace(fixture, `"image/a.jpg"`, string(w), 1)
			var s seen
			h := fc.NewHandler(newApp(s.record(golden.Handler())))
			if _, err := h.Invoke(t.Context(), nil, []byte(payload)); err != nil {
				t.Fatal(err)
			}
			ev, ok := s.event.(*faas.StorageEvent)
			if !ok || len(ev.Records) != 1 || ev.Records[0].Key != key {
				t.Errorf("key %q: the function received %#v", key, s.event)
			}
		})
	}
}
