package aws_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/golden"
)

// storageKey sends the fixture file with its object key replaced by wire,
// as the event carries it, and returns the Key of the record the function
// received, or the error the adapter reported.
func storageKey(t *testing.T, file, fixtureKey, wire string) (string, error) {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures/" + file)
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(fixtureKey)
	if !strings.Contains(string(b), string(quoted)) {
		t.Fatalf("%s has no key %s", file, quoted)
	}
	w, _ := json.Marshal(wire)
	payload := strings.Replace(string(b), string(quoted), string(w), 1)
	rec := &recorder{h: golden.Handler()}
	if _, err := aws.NewHandler(newApp(rec)).Invoke(lambdaContext(t), []byte(payload)); err != nil {
		return "", err
	}
	ev, ok := rec.event.(*faas.StorageEvent)
	if !ok || len(ev.Records) != 1 {
		t.Fatalf("the function received %#v, want a storage event of one record", rec.event)
	}
	return ev.Records[0].Key, nil
}

// An S3 event notification's key is form-encoded (AWS "Event message
// structure": "red flower.jpg" becomes "red+flower.jpg"); the record's Key
// is the key decoded.
func TestS3NotificationKey(t *testing.T) {
	tests := []struct {
		name, wire, key string
	}{
		{"a space as +", "red+flower.jpg", "red flower.jpg"},
		{"a space as %20", "Happy%20Face.jpg", "Happy Face.jpg"},
		{"a literal +", "c%2B%2B/notes+v1.txt", "c++/notes v1.txt"},
		{"a literal %", "100%25+done.csv", "100% done.csv"},
		{"an escaped %2B stays a literal", "%252B.txt", "%2B.txt"},
		{"non-ASCII", "%E4%B8%AD%E6%96%87/%E6%96%87%E4%BB%B6+1.jpg", "中文/文件 1.jpg"},
		{"reserved characters", "year%3D2025/10%3A47%3A07%3Bx%26y.log", "year=2025/10:47:07;x&y.log"},
		{"an encoded slash", "a%2Fb", "a/b"},
		{"plain", "photos/img.jpg", "photos/img.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := storageKey(t, "s3-object-created-put.json", "Happy%20Face.jpg", tt.wire)
			if err != nil || key != tt.key {
				t.Errorf("key %q: Key %q, %v; want %q", tt.wire, key, err, tt.key)
			}
		})
	}
	// S3 never sends a '%' unescaped: such a key is a DecodeError.
	if _, err := storageKey(t, "s3-object-created-put.json", "Happy%20Face.jpg", "100%.csv"); err == nil || !strings.Contains(err.Error(), "Records[0].s3.object.key") {
		t.Errorf("key 100%%.csv: %v, want a DecodeError naming Records[0].s3.object.key", err)
	}
}

// An S3 event delivered through EventBridge carries the key as it is (see
// decodeS3EventBridge for the evidence): the record's Key is
// detail.object.key unchanged, a '+' a plus and a '%' a percent.
func TestS3EventBridgeKey(t *testing.T) {
	for _, key := range append([]string{"IMG_m7fzo3.jpg", "test+b.png", "%2B++ %20.mp3"}, adaptertest.RawKeys...) {
		t.Run(key, func(t *testing.T) {
			for _, file := range []string{"s3-eventbridge-object-created.json", "s3-eventbridge-object-deleted.json"} {
				got, err := storageKey(t, file, "IMG_m7fzo3.jpg", key)
				if err != nil || got != key {
					t.Errorf("%s, key %q: Key %q, %v", file, key, got, err)
				}
			}
		})
	}
}
