package faas

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// A Close that arrives while the App is starting wins: the App does not
// serve afterwards.
func TestCloseDuringStart(t *testing.T) {
	app := New(WithLogger(slog.New(slog.DiscardHandler)))
	closeDone := make(chan error, 1)
	app.Use(Layer{Name: "l", FunctionStart: func(context.Context) error {
		go func() { closeDone <- app.Close(context.Background()) }()
		for !app.closed.Load() { // Close has begun and waits for the start
			runtime.Gosched()
		}
		return nil
	}})
	app.Func("a", HandlerFunc(func(*Context, any) (any, error) { return "served", nil }))
	if err := app.Start(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Start = %v, want ErrClosed", err)
	}
	if err := <-closeDone; err != nil {
		t.Fatal(err)
	}
	ctx := app.NewContext(context.Background(), Invocation{Event: &TimerEvent{}})
	if v, err := app.Invoke(ctx, &TimerEvent{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, %v; want ErrClosed", v, err)
	}
}

// The App's default logger masks the credentials of the values that carry
// them as a matter of course, in JSON and in development's text, and
// leaves the rest of them and other values as they are.
func TestDefaultLoggerMasks(t *testing.T) {
	const secret = "s3cr3t-value"
	req := httptest.NewRequest("GET", "https://api.example.com/items?token="+secret+"&page=2", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Accept", "application/json")
	for _, dev := range []bool{false, true} {
		var buf bytes.Buffer
		log := defaultLogger(&buf, dev)
		log.Info("request",
			"header", req.Header,
			"query", req.URL.Query(),
			"url", req.URL,
			"request", req,
			slog.Group("nested", "cookie", &http.Cookie{Name: "session", Value: secret}),
			"error", errors.New("plain"))
		out := buf.String()
		if strings.Contains(out, secret) {
			t.Errorf("dev %v: the secret is in the line: %s", dev, out)
		}
		for _, want := range []string{"application/json", "page", "api.example.com", "session", "plain", "[REDACTED]"} {
			if !strings.Contains(out, want) {
				t.Errorf("dev %v: %q is not in the line: %s", dev, want, out)
			}
		}
	}
}

// Routing an event by its source allocates nothing, nor does telling
// apart by their filters the functions of a bucket's storage events,
// whose sources may name the bucket in several forms.
func TestRouteBySourceAllocs(t *testing.T) {
	var messages []*function
	for _, src := range []string{"orders", "orders-dlq", "arn:aws:sqs:us-east-1:123456789012:audit", "events"} {
		messages = append(messages, &function{name: src, triggers: []TriggerSpec{{Trigger: TriggerMessage, Source: src}}})
	}
	storage := []*function{
		{name: "thumbnail", triggers: []TriggerSpec{{Trigger: TriggerStorage, Source: "uploads", Prefix: "images/"}}},
		{name: "indexer", triggers: []TriggerSpec{{Trigger: TriggerStorage, Source: "uploads", Prefix: "docs/", Ops: []string{StorageCreated}}}},
		{name: "archiver", triggers: []TriggerSpec{{Trigger: TriggerStorage, Source: "arn:aws:s3:::uploads", Prefix: "old/"}}},
	}
	tests := []struct {
		name       string
		candidates []*function
		trigger    string
		event      any
		want       *function
	}{
		{"message", messages, TriggerMessage, &MessageEvent{Records: []Message{{Source: "arn:aws:sqs:us-west-2:123456789012:events"}}}, messages[3]},
		{"storage", storage, TriggerStorage, &StorageEvent{Records: []StorageRecord{{Bucket: "uploads-1250000000", Key: "docs/a.pdf", Op: StorageCreated}}}, storage[1]},
		// The one exact source's filter does not select the record; the
		// bucket's other form's does.
		{"storage, another form", storage, TriggerStorage, &StorageEvent{Records: []StorageRecord{{Bucket: "uploads", Key: "old/a.pdf", Op: StorageCreated}}}, storage[2]},
	}
	for _, tt := range tests {
		var got *function
		allocs := testing.AllocsPerRun(100, func() {
			got = bySource(tt.candidates, tt.trigger, eventSource(tt.event), firstRecord(tt.event))
		})
		if got != tt.want || allocs != 0 {
			t.Errorf("%s: bySource = %v with %v allocations, want %s with none", tt.name, got, allocs, tt.want.name)
		}
	}
}
