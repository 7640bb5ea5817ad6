package adapters_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/scf"
)

// In a unit of several functions of one trigger, each platform's real
// events reach the function whose manifest trigger names their source, in
// the form the platform gives it: an EventBridge rule's ARN or the
// constant Input anyfaas's SAM template gives a timer, an SQS queue's or
// SNS topic's ARN, an S3 bucket; an FC timer's triggerName, an OSS
// bucket, an MNS queue's subject or topic's name; an SCF timer's
// TriggerName, a COS bucket with its APPID, a CMQ topic. The fixtures are
// the platforms' own samples (testdata/fixtures); each unit also has a
// function of the same trigger whose source is the sample's with a
// prefix or suffix, which must not take the event, and is registered
// first.
func TestRouteFixturesBySource(t *testing.T) {
	tests := []struct {
		platform, fixture string
		trigger, source   string
	}{
		{"aws", "aws/testdata/fixtures/eventbridge-scheduled-event.json", faas.TriggerTimer, "SampleRule"},
		{"aws", "", faas.TriggerTimer, "nightly-timer"}, // the SAM template's Input: see input below
		{"aws", "aws/testdata/fixtures/sqs.json", faas.TriggerMessage, "SQSQueue"},
		{"aws", "aws/testdata/fixtures/sns.json", faas.TriggerMessage, "EXAMPLE"},
		{"aws", "aws/testdata/fixtures/s3-object-created-put.json", faas.TriggerStorage, "sourcebucket"},
		{"fc", "fc/testdata/fixtures/timer.json", faas.TriggerTimer, "timer-trigger"},
		{"fc", "fc/testdata/fixtures/oss-object-created.json", faas.TriggerStorage, "testbucket"},
		{"fc", "fc/testdata/fixtures/mns-queue.json", faas.TriggerMessage, "zeus"},
		{"fc", "fc/testdata/fixtures/mns-topic-json.json", faas.TriggerMessage, "test-topic"},
		{"scf", "scf/testdata/fixtures/timer.json", faas.TriggerTimer, "EveryDay"},
		{"scf", "scf/testdata/fixtures/cos-object-created.json", faas.TriggerStorage, "ritchiechen-cos-test"},
		{"scf", "scf/testdata/fixtures/cmq-topic.json", faas.TriggerMessage, "testtopic"},
	}
	// input is the Input spec/gen/aws gives a timer named nightly-timer in
	// a unit of several timer functions.
	const input = `{"source":"aws.events","detail-type":"Scheduled Event","resources":["nightly-timer"],"detail":{}}`
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.trigger+"/"+tt.source, func(t *testing.T) {
			payload := []byte(input)
			if tt.fixture != "" {
				var err error
				if payload, err = os.ReadFile(tt.fixture); err != nil {
					t.Fatal(err)
				}
			}
			spec := func(src string) []faas.TriggerSpec {
				t := faas.TriggerSpec{Trigger: tt.trigger, Source: src}
				if tt.trigger == faas.TriggerTimer {
					t.Schedule = "0 3 * * *"
				}
				return []faas.TriggerSpec{t}
			}
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithManifest(&faas.Manifest{Unit: "all", Functions: []faas.ManifestFunction{
				{Name: "api", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerHTTP, Route: "GET /x"}}},
				{Name: "suffixed", Handler: "h", Triggers: spec(tt.source + "-2")},
				{Name: "prefixed", Handler: "h", Triggers: spec("x" + tt.source)},
				{Name: "it", Handler: "h", Triggers: spec(tt.source)},
			}}))
			served := ""
			app.Func("h", func(ctx *faas.Context, _ any) (any, error) {
				served = ctx.FunctionName()
				return nil, nil
			})
			var err error
			switch tt.platform {
			case "aws":
				_, err = aws.NewHandler(app).Invoke(lambdaCtx(t), payload)
			case "fc":
				_, err = fc.NewHandler(app).Invoke(ctx, &fc.Context{RequestID: "r"}, payload)
			case "scf":
				_, err = scf.NewHandler(app).Invoke(ctx, &scf.Context{RequestID: "r"}, payload)
			}
			if err != nil {
				t.Fatal(err)
			}
			if served != "it" {
				t.Errorf("served by %q, want it", served)
			}
		})
	}
}
