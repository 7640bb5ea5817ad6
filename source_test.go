package faas_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// sourcedApp is an App serving the unit of a manifest whose functions
// declare the same triggers in pairs, told apart by their sources, as
// anyfaas writes them from f.yml (spec.Unit.Sources), each function's
// source a prefix or suffix of its pair's, so that a match must be whole.
func sourcedApp(t *testing.T) *faas.App {
	t.Helper()
	fn := func(name string, triggers ...faas.TriggerSpec) faas.ManifestFunction {
		return faas.ManifestFunction{Name: name, Handler: "h", Triggers: triggers}
	}
	timer := func(src string) faas.TriggerSpec {
		return faas.TriggerSpec{Trigger: faas.TriggerTimer, Schedule: "0 3 * * *", Source: src}
	}
	on := func(trigger, src string) faas.TriggerSpec { return faas.TriggerSpec{Trigger: trigger, Source: src} }
	app, _ := newTestApp(t, faas.WithManifest(&faas.Manifest{Unit: "all", Functions: []faas.ManifestFunction{
		fn("api", faas.TriggerSpec{Trigger: faas.TriggerHTTP, Route: "GET /x"}),
		fn("weekly", timer("weekly-timer")),
		fn("nightly", timer("nightly-timer"), timer("nightly-timer-2")),
		fn("named", timer("SampleRule")),
		fn("orders", on(faas.TriggerMessage, "orders")),
		fn("ordersDLQ", on(faas.TriggerMessage, "orders-dlq")),
		fn("byARN", on(faas.TriggerMessage, "arn:aws:sqs:us-east-1:123456789012:audit")),
		fn("events", on(faas.TriggerMessage, "order-events")),
		fn("uploads", on(faas.TriggerStorage, "uploads")),
		fn("thumbs", on(faas.TriggerStorage, "uploads-thumbs")),
		fn("cos", on(faas.TriggerStorage, "ritchiechen-cos-test")),
	}}))
	app.Func("h", func(ctx *faas.Context, _ any) (any, error) { return ctx.FunctionName(), nil })
	return app
}

// Functions of one unit that declare the same trigger get the events of
// their own timer, queue, topic or bucket, which each platform's events
// name in their own form.
func TestRouteBySource(t *testing.T) {
	at := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	storage := func(bucket string) *faas.StorageEvent {
		return faastest.NewStorageEvent(faas.StorageCreated, bucket, "in/a.jpg", 1)
	}
	tests := []struct {
		name    string
		event   any
		wantFn  string
		wantErr string
	}{
		{"fc or scf timer", faastest.NewTimerEvent("nightly-timer", at, ""), "nightly", ""},
		{"second timer of a function", faastest.NewTimerEvent("nightly-timer-2", at, ""), "nightly", ""},
		{"timer after another of its prefix", faastest.NewTimerEvent("weekly-timer", at, ""), "weekly", ""},
		{"EventBridge rule ARN", faastest.NewTimerEvent("arn:aws:events:us-east-1:123456789012:rule/SampleRule", at, ""), "named", ""},
		{"EventBridge rule on a bus", faastest.NewTimerEvent("arn:aws:events:us-east-1:123456789012:rule/bus/SampleRule", at, ""), "named", ""},
		{"legacy: timer named as its function", faastest.NewTimerEvent("weekly", at, ""), "weekly", ""},
		{"SQS ARN", faastest.NewMessageEvent("arn:aws:sqs:us-west-2:123456789012:orders-dlq", "a", "b"), "ordersDLQ", ""},
		{"SNS topic ARN", faastest.NewMessageEvent("arn:aws:sns:us-east-1:123456789012:order-events", "a"), "events", ""},
		{"MNS queue, CMQ or Kafka topic by name", faastest.NewMessageEvent("orders", "a"), "orders", ""},
		{"declared by ARN, event by name", faastest.NewMessageEvent("audit", "a"), "byARN", ""},
		{"declared by ARN, event by ARN", faastest.NewMessageEvent("arn:aws:sqs:us-east-1:123456789012:audit", "a"), "byARN", ""},
		{"S3 or OSS bucket", storage("uploads-thumbs"), "thumbs", ""},
		{"COS bucket with APPID", storage("ritchiechen-cos-test-123456"), "cos", ""},
		{"unknown timer", faastest.NewTimerEvent("arn:aws:events:us-east-1:123456789012:rule/orders-AllFunctionNightlyTimer-1R2S3T4U5V6W", at, ""), "",
			`functions weekly, nightly, named all declare the timer trigger, and not one alone declares the event's source "arn:aws:events:us-east-1:123456789012:rule/orders-AllFunctionNightlyTimer-1R2S3T4U5V6W"`},
		{"queue of another region's name only in part", faastest.NewMessageEvent("arn:aws:sqs:us-west-2:123456789012:xorders", "a"), "",
			`not one alone declares the event's source "arn:aws:sqs:us-west-2:123456789012:xorders"`},
		{"declared by ARN, event of another region's ARN", faastest.NewMessageEvent("arn:aws:sqs:us-west-2:123456789012:audit", "a"), "", `declares the event's source "arn:aws:sqs:us-west-2:123456789012:audit"`},
		{"bucket with a suffix that is no APPID", storage("uploads-eu"), "", `declares the event's source "uploads-eu"`},
		{"queue with what would be a COS APPID", faastest.NewMessageEvent("orders-2", "a"), "", `declares the event's source "orders-2"`},
		{"timer numbered", faastest.NewTimerEvent("weekly-timer-2", at, ""), "", `declares the event's source "weekly-timer-2"`},
		{"empty batch", &faas.MessageEvent{}, "", "functions orders, ordersDLQ, byARN, events all declare the message trigger; the invoker must name one"},
	}
	app := sourcedApp(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, app, tt.event)
			if tt.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", res.Err, tt.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Value != tt.wantFn || res.Function != tt.wantFn {
				t.Errorf("served by %v (ctx.FunctionName() %q), want %s", res.Value, res.Function, tt.wantFn)
			}
		})
	}
}

// Two functions that declare one source, as only a manifest written by
// hand can, leave the invoker to name one, rather than one of them taking
// the other's events; one that declares the event's source exactly wins
// over those whose source only names it.
func TestRouteBySourceTwice(t *testing.T) {
	app, _ := newTestApp(t, faas.WithManifest(&faas.Manifest{Unit: "u", Functions: []faas.ManifestFunction{
		{Name: "a", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerMessage, Source: "q"}}},
		{Name: "b", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerMessage, Source: "arn:aws:sqs:us-east-1:1:q"}}},
		{Name: "c", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerMessage, Source: "arn:aws:sqs:us-east-1:1:q"}}},
	}}))
	app.Func("h", func(ctx *faas.Context, _ any) (any, error) { return ctx.FunctionName(), nil })
	for _, src := range []string{"arn:aws:sqs:us-east-1:1:q"} {
		res := faastest.Invoke(t, app, faastest.NewMessageEvent(src, "x"))
		if want := `functions a, b, c all declare the message trigger, and not one alone declares the event's source "` + src + `"`; res.Err == nil || !strings.Contains(res.Err.Error(), want) {
			t.Errorf("error = %v, want it to contain %q", res.Err, want)
		}
	}
	// Of a declared source that is the event's and another that names
	// it, the first wins.
	if res := faastest.Invoke(t, app, faastest.NewMessageEvent("q", "x")); res.Err != nil || res.Value != "a" {
		t.Errorf("an event from q: %v, %v, want a", res.Value, res.Err)
	}
}
