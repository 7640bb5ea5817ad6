package aws

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/anyfaas/faas"
)

// FuzzStorageKey checks the two S3 key forms over any key: a notification
// carries the key form-encoded as S3 encodes it ("red flower.jpg" as
// "red+flower.jpg", a '+' as %2B, slashes as they are) and decodeS3 gives
// the key back, byte for byte; an EventBridge event carries it raw, and
// decodeS3EventBridge keeps it as it is.
func FuzzStorageKey(f *testing.F) {
	for _, k := range []string{"", "red flower.jpg", "c++/a b.txt", "100%.csv", "%2B%20", "中文/文件.jpg", "a\x00b", "\xff/x"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		wire := strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
		n, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
			"eventName": "ObjectCreated:Put", "eventTime": "1970-01-01T00:00:00.123Z",
			"s3": map[string]any{"object": map[string]any{"key": wire}},
		}}})
		ev, err := decodeS3(n)
		if err != nil {
			t.Fatalf("key %q sent as %q: %v", key, wire, err)
		}
		if got := ev.(*faas.StorageEvent).Records[0].Key; got != key {
			t.Fatalf("key %q sent as %q: Key %q", key, wire, got)
		}

		if !utf8.ValidString(key) {
			return // JSON cannot carry it raw
		}
		b, _ := json.Marshal(map[string]any{"detail-type": "Object Created", "time": "2023-03-08T17:50:14Z",
			"detail": map[string]any{"object": map[string]any{"key": key}}})
		ev, err = decodeS3EventBridge(b)
		if err != nil {
			t.Fatalf("EventBridge key %q: %v", key, err)
		}
		if got := ev.(*faas.StorageEvent).Records[0].Key; got != key {
			t.Fatalf("EventBridge key %q: Key %q", key, got)
		}
	})
}
