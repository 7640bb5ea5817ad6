package faastest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/adapters/web"
	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/faastest"
	"github.com/google/go-cmp/cmp"
)

// deliver runs a native event through the platform's adapter in process
// and returns the standard event the function got.
func deliver(t *testing.T, platform string, event []byte) any {
	t.Helper()
	var got any
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(_ *faas.Context, ev any) (any, error) { got = ev; return nil, nil })
	var err error
	switch platform {
	case faas.PlatformAWS:
		_, err = aws.NewHandler(app).Invoke(context.Background(), event)
	case faas.PlatformFC:
		_, err = fc.NewHandler(app).Invoke(context.Background(), nil, event)
	case faas.PlatformSCF:
		_, err = scf.NewHandler(app).Invoke(context.Background(), nil, event)
	default:
		h := web.Handler(app)
		if platform == faas.PlatformGCF {
			h = gcf.Handler(app)
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(event))
		req.Header.Set("Content-Type", "application/cloudevents+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			err = fmt.Errorf("%d %s", rec.Code, rec.Body)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", platform, err, event)
	}
	return got
}

func TestEvent(t *testing.T) {
	tests := []struct {
		platform, trigger string
		overrides         map[string]string
		want              any // what the function gets, in part
		got               func(ev any) any
	}{
		{"aws", "http", map[string]string{"method": "POST", "path": "/orders", "body": `{"n":1}`},
			[]string{"POST", "/orders", `{"n":1}`},
			func(ev any) any { r := ev.(*faas.HTTPRequest); return []string{r.Method, r.Path, string(r.Body)} }},
		{"fc", "http", map[string]string{"path": "/a b", "query": "x=1"},
			[]string{"/a b", "1"},
			func(ev any) any { r := ev.(*faas.HTTPRequest); return []string{r.Path, r.Query.Get("x")} }},
		{"scf", "timer", map[string]string{"payload": "go"}, "go",
			func(ev any) any { return ev.(*faas.TimerEvent).Payload }},
		{"aws", "storage", map[string]string{"bucket": "b", "key": "k.txt"}, []string{"b", "k.txt"},
			func(ev any) any { r := ev.(*faas.StorageEvent).Records[0]; return []string{r.Bucket, r.Key} }},
		{"gcf", "message", map[string]string{"body": "hi", "attributes.a": "1"}, []string{"hi", "1"},
			func(ev any) any {
				m := ev.(*faas.MessageEvent).Records[0]
				return []string{string(m.Body), m.Attributes["a"]}
			}},
		{"web", "timer", nil, `{"message": "Hello world!"}`,
			func(ev any) any { return ev.(*faas.TimerEvent).Payload }},
		{"aws", "dynamodb", nil, "dynamodb",
			func(ev any) any { return ev.(*faas.RawEvent).Trigger }},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.trigger, func(t *testing.T) {
			b, err := faastest.Event(tt.platform, tt.trigger, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.got(deliver(t, tt.platform, b))); diff != "" {
				t.Errorf("the function got (-want +got):\n%s", diff)
			}
			entries, err := catalog.Find(tt.platform, tt.trigger)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := catalog.Event(entries[0].Name, tt.overrides); !bytes.Equal(b, want) {
				t.Errorf("not the event of %s", entries[0].Name)
			}
		})
	}
}

func TestEventErrors(t *testing.T) {
	tests := []struct {
		platform, trigger string
		overrides         map[string]string
		want              error
	}{
		{"lambda", "http", nil, catalog.ErrNotFound},
		{"gcf", "http", nil, catalog.ErrNotFound},
		{"aws", "cron", nil, catalog.ErrNotFound},
		{"aws", "http", map[string]string{"url": "/x"}, catalog.ErrUnknownKey},
		{"aws", "http", map[string]string{"path": "x"}, catalog.ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.platform, "/", tt.trigger, tt.overrides), func(t *testing.T) {
			b, err := faastest.Event(tt.platform, tt.trigger, tt.overrides)
			if !errors.Is(err, tt.want) || b != nil {
				t.Errorf("Event = %d bytes, %v; want an error wrapping %v", len(b), err, tt.want)
			}
		})
	}
}

// A test of a function as Lambda runs it, on a real SQS event with the
// body the test needs.
func ExampleEvent() {
	event, err := faastest.Event("aws", "message", map[string]string{"body": `{"order":42}`, "queue": "orders"})
	if err != nil {
		fmt.Println(err)
		return
	}
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("orders", func(ctx *faas.Context, ev any) (any, error) {
		m := ev.(*faas.MessageEvent).Records[0]
		fmt.Printf("%s got %s from %s\n", ctx.Trigger(), m.Body, m.Source)
		return nil, nil
	})
	if _, err := aws.NewHandler(app).Invoke(context.Background(), event); err != nil {
		fmt.Println(err)
	}
	// Output:
	// message got {"order":42} from arn:aws:sqs:us-west-2:123456789012:orders
}
