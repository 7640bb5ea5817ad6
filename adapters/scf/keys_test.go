package scf_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/internal/golden"
)

// A COS event's cosObject.key is "/<appid>/<bucket>/<key>": the record's
// Key is the key without that prefix, and otherwise as it comes, a '+' a
// plus, a '%' a percent, an escape not undone. The prefix is documented
// (Tencent "COS Trigger"); that the rest is not URL-encoded is today's
// behaviour, not a verified fact (see decodeCOS).
func TestCOSKey(t *testing.T) {
	b, err := os.ReadFile("testdata/fixtures/cos-object-created.json")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "/123456/ritchiechen-cos-test/"
	fixture := string(b)
	tests := []struct{ wire, key string }{
		{prefix + "foobar.zip", "foobar.zip"},
		{prefix + "dir/red flower.jpg", "dir/red flower.jpg"},
		{prefix + "c++/a+b.txt", "c++/a+b.txt"},
		{prefix + "100%.csv", "100%.csv"},
		{prefix + "%E4%B8%AD.jpg", "%E4%B8%AD.jpg"},
		{prefix + "中文/文件 1.jpg", "中文/文件 1.jpg"},
		{prefix + "123456/ritchiechen-cos-test/x", "123456/ritchiechen-cos-test/x"},
		// A key without the prefix loses its leading slash only.
		{"/other-bucket/x y.txt", "other-bucket/x y.txt"},
		{"plain.txt", "plain.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			w, _ := json.Marshal(tt.wire)
			payload := strings.Replace(fixture, `"`+prefix+`foobar.zip"`, string(w), 1)
			var rec seen
			app := quiet()
			app.Func("conformance", rec.wrap(golden.Handler()))
			if _, err := scf.NewHandler(app).Invoke(context.Background(), testContext(), []byte(payload)); err != nil {
				t.Fatal(err)
			}
			ev, ok := rec.last(t).(*faas.StorageEvent)
			if !ok || len(ev.Records) != 1 || ev.Records[0].Key != tt.key || ev.Records[0].Bucket != "ritchiechen-cos-test-123456" {
				t.Errorf("key %q: the function received %#v, want Key %q", tt.wire, rec.last(t), tt.key)
			}
		})
	}
}
