package adapters_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
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

// In a unit of two functions with storage triggers on one bucket, each
// platform's real storage event reaches the function whose trigger's
// filter (the manifest's prefix, suffix and operations, as anyfaas writes
// them for such a unit) selects its first record; where both filters or
// neither do, the App routes it to neither, and the invoker must name
// one. The fixtures are the platforms' own samples: an S3 object
// Happy Face.jpg created in sourcebucket, an OSS image/a.jpg created in
// testbucket, a COS foobar.zip created in ritchiechen-cos-test-123456.
func TestRouteFixturesByStorageFilter(t *testing.T) {
	type filter struct {
		prefix, suffix string
		ops            []string
	}
	tests := []struct {
		name, platform, fixture, bucket string
		it, other                       filter
		want                            string // "" for none
	}{
		{"s3 suffix", "aws", "aws/testdata/fixtures/s3-object-created-put.json", "sourcebucket", filter{suffix: ".jpg"}, filter{suffix: ".png"}, "it"},
		{"s3 op", "aws", "aws/testdata/fixtures/s3-object-created-put.json", "sourcebucket", filter{ops: []string{faas.StorageCreated}}, filter{ops: []string{faas.StorageRemoved}}, "it"},
		{"s3 both", "aws", "aws/testdata/fixtures/s3-object-created-put.json", "sourcebucket", filter{suffix: ".jpg"}, filter{prefix: "Happy"}, ""},
		{"s3 neither", "aws", "aws/testdata/fixtures/s3-object-created-put.json", "sourcebucket", filter{suffix: ".gif"}, filter{suffix: ".png"}, ""},
		{"oss prefix", "fc", "fc/testdata/fixtures/oss-object-created.json", "testbucket", filter{prefix: "image/"}, filter{prefix: "video/"}, "it"},
		{"oss neither", "fc", "fc/testdata/fixtures/oss-object-created.json", "testbucket", filter{prefix: "docs/"}, filter{prefix: "video/"}, ""},
		{"cos suffix", "scf", "scf/testdata/fixtures/cos-object-created.json", "ritchiechen-cos-test", filter{suffix: ".zip"}, filter{suffix: ".tar"}, "it"},
		{"cos both", "scf", "scf/testdata/fixtures/cos-object-created.json", "ritchiechen-cos-test", filter{suffix: ".zip"}, filter{}, ""},
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := os.ReadFile(tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			spec := func(f filter) []faas.TriggerSpec {
				return []faas.TriggerSpec{{Trigger: faas.TriggerStorage, Source: tt.bucket, Prefix: f.prefix, Suffix: f.suffix, Ops: f.ops}}
			}
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithManifest(&faas.Manifest{Unit: "all", Functions: []faas.ManifestFunction{
				{Name: "api", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerHTTP, Route: "GET /x"}}},
				{Name: "other", Handler: "h", Triggers: spec(tt.other)},
				{Name: "it", Handler: "h", Triggers: spec(tt.it)},
			}}))
			served := ""
			app.Func("h", func(ctx *faas.Context, _ any) (any, error) {
				served = ctx.FunctionName()
				return nil, nil
			})
			switch tt.platform {
			case "aws":
				_, err = aws.NewHandler(app).Invoke(lambdaCtx(t), payload)
			case "fc":
				_, err = fc.NewHandler(app).Invoke(ctx, &fc.Context{RequestID: "r"}, payload)
			case "scf":
				_, err = scf.NewHandler(app).Invoke(ctx, &scf.Context{RequestID: "r"}, payload)
			}
			if tt.want == "" {
				// The aws adapter gives Lambda the error's message.
				if err == nil || !strings.Contains(err.Error(), "the invoker must name one") || served != "" {
					t.Errorf("served by %q, error %v; want none, and that the invoker must name one", served, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if served != tt.want {
				t.Errorf("served by %q, want %s", served, tt.want)
			}
		})
	}
}
