package devserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas/catalog"
)

// An event of another platform's shape, sent to the invoke endpoint, is
// named with its platform; one of the platform's own, or of no known
// shape, is not.
func TestForeignEvent(t *testing.T) {
	sample := func(name string) []byte {
		b, err := catalog.Event(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		platform string
		event    []byte
		want     string // the entry found, "" for none
	}{
		{"web", sample("aws/sqs"), "aws/sqs"},
		{"web", sample("aws/s3"), "aws/s3"},
		{"gcf", sample("fc/oss"), "fc/oss"},
		{"aws", sample("scf/cmq"), "scf/cmq"},
		{"aws", sample("aws/sqs"), ""},
		{"fc", sample("fc/mns-queue"), ""},
		{"web", sample("web/pubsub"), ""},
		{"gcf", sample("web/pubsub"), ""}, // a CloudEvent on both
		{"web", []byte(`{"orderId":"7","action":"ship"}`), ""},
		{"web", []byte(`[1,2]`), ""},
	}
	for _, tt := range tests {
		e, ok := foreignEvent(tt.platform, tt.event)
		if got := map[bool]string{true: e.Name}[ok]; got != tt.want {
			t.Errorf("foreignEvent(%s, %.40s…) = %q, want %q", tt.platform, tt.event, got, tt.want)
		}
	}
	// No sample is foreign on its own platform, and a structured
	// CloudEvent of any source is web's and gcf's.
	for _, e := range catalog.List() {
		b := sample(e.Name)
		if f, ok := foreignEvent(e.Platform, b); ok {
			t.Errorf("%s is foreign on %s, shaped like %s", e.Name, e.Platform, f.Name)
		}
		if e.ContentType != "application/cloudevents+json" {
			continue
		}
		for _, p := range []string{"web", "gcf"} {
			if f, ok := foreignEvent(p, b); ok {
				t.Errorf("the CloudEvent %s is foreign on %s, shaped like %s", e.Name, p, f.Name)
			}
		}
	}
	err := CheckNative("web", sample("aws/sqs"))
	if err == nil {
		t.Fatal("CheckNative(web, aws/sqs) = nil")
	}
	msg := err.Error()
	for _, want := range []string{"shaped like aws/sqs", "not the native event of web", `"specversion"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
}

// FuzzForeignEvent: any body, of any platform, is told foreign or not
// without a panic, and a foreign one's entry is of another platform.
func FuzzForeignEvent(f *testing.F) {
	for _, name := range []string{"aws/sqs", "fc/oss", "scf/cmq", "web/pubsub"} {
		b, err := catalog.Event(name, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"a":{"b":[{"c":1}]}}`)
	f.Add(`[{}]`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, platform := range []string{"aws", "fc", "scf", "gcf", "web"} {
			if e, ok := foreignEvent(platform, []byte(body)); ok && e.Platform == platform {
				t.Errorf("foreignEvent(%s, %q) = %s, one of its own", platform, body, e.Name)
			}
		}
	})
}

// An event file is told by its shape: an API Gateway request is http, a
// batch of queue messages message, a payload of no known shape nothing.
func TestNativeTrigger(t *testing.T) {
	tests := []struct{ platform, file, want string }{
		{"aws", "aws/apigw-http-api-payload-v2.json", "http"},
		{"aws", "aws/apigw-rest-v1-proxy.json", "http"},
		{"aws", "aws/sqs.json", "message"},
		{"fc", "aliyun-fc/http-trigger-fc3.json", "http"},
		{"fc", "aliyun-fc/oss-object-created.json", "storage"},
		{"scf", "tencent-scf/apigateway.json", "http"},
		{"scf", "tencent-scf/timer.json", "timer"},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := NativeTrigger(tt.platform, b); got != tt.want {
			t.Errorf("NativeTrigger(%s, %s) = %q, want %q", tt.platform, tt.file, got, tt.want)
		}
	}
	if got := NativeTrigger("aws", []byte(`{"orderId":"7"}`)); got != "" {
		t.Errorf("NativeTrigger of a direct payload = %q, want none", got)
	}
}
