package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/spec"
)

// triggers is a project of one function per kind of trigger, each
// answering with what it saw of its event: thumb (oss), jpegs (oss, of
// .jpg keys), orders (an MNS
// queue), alerts (an MNS topic) and nightly (a timer with a payload)
// declare their triggers in its f.yml, hook declares storage in code and
// any declares none.
const triggers = "testdata/triggers"

func TestDeclaresTrigger(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: fc}
functions:
  thumb:
    handler: thumb
    events:
      - oss: {bucket: photos}
  jobs:
    handler: jobs
    events:
      - timer: {value: "@every 5m"}
      - mns: {queue: jobs}
      - cmq: {topic: jobs}
  api:
    handler: api
    events:
      - apigw: {path: /items}
  any:
    handler: any
`), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	// hook is a function the code declares with faas.On("storage").
	hook := &spec.Function{Name: "hook", Handler: "hook", Events: []*spec.Event{{Trigger: spec.TriggerStorage, Key: spec.TriggerStorage}}}
	tests := []struct {
		fn, trigger string
		want        string // the error, "" for none
	}{
		{"thumb", "http", "--trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml"},
		{"thumb", "timer", "--trigger timer: thumb declares no timer trigger; it declares oss (storage) in f.yml"},
		{"thumb", "storage", ""},
		{"jobs", "http", "--trigger http: jobs declares no http trigger; it declares timer, mns (message), cmq (message) in f.yml"},
		{"jobs", "message", ""},
		{"api", "http", ""}, // apigw is an http event
		{"api", "storage", "--trigger storage: api declares no storage trigger; it declares apigw (http) in f.yml"},
		{"any", "http", ""}, // no events: it takes any
		{"hook", "http", "--trigger http: hook declares no http trigger; it declares storage in its code"},
		{"hook", "storage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.trigger, func(t *testing.T) {
			fn := s.Function(tt.fn)
			if tt.fn == "hook" {
				fn = hook
			}
			got, code := "", exitOK
			if err := declaresTrigger(fn, tt.trigger, "testdata/f.yml"); err != nil {
				got, code = err.Error(), exitCode(err)
			}
			wantCode := exitOK
			if tt.want != "" {
				wantCode = exitUsage
			}
			if diff := cmp.Diff(struct {
				Err  string
				Code int
			}{tt.want, wantCode}, struct {
				Err  string
				Code int
			}{got, code}); diff != "" {
				t.Errorf("declaresTrigger(%s, %s) (-want +got):\n%s", tt.fn, tt.trigger, diff)
			}
		})
	}
}

// TestInvokeUndeclaredTrigger checks that invoke --trigger refuses a
// trigger the function does not declare: before building where f.yml
// gives the function's events, after reading the code where the code
// declares them; and that a function that declares none, or an event
// file, is sent what is asked. So are --set and --data refused before
// building where f.yml and the catalog decide the sample, and the code's
// functions and triggers after (a function f.yml does not name may be
// the code's, as hook is: exit 2, the command line naming none).
func TestInvokeUndeclaredTrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	dir := t.TempDir()
	eventFile := func(name string) string {
		b, err := catalog.Event(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".json")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	httpEvent, sqsEvent, ossEvent := eventFile("fc/http"), eventFile("aws/sqs"), eventFile("fc/oss")
	const onWeb = `the event is shaped like aws/sqs (SQS queue batch (event source mapping)), not the native event of web, which is a CloudEvent in the structured JSON format (an object with "specversion"), as Knative Eventing delivers it: give -p aws to emulate aws, or `
	type result struct {
		Code  int
		Error string // the line anyfaas: …
		Built bool
	}
	tests := []struct {
		name   string
		args   []string
		want   result
		stdout string // a substring of it
	}{
		{"storage only", []string{"-f", "thumb", "--trigger", "http"},
			result{exitUsage, "anyfaas: --trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml", false}, ""},
		{"storage only, on web", []string{"-f", "thumb", "--trigger", "http", "-p", "web"},
			result{exitUsage, "anyfaas: --trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml", false}, ""},
		{"timer only", []string{"-f", "nightly", "--trigger", "http", "-p", "aws"},
			result{exitUsage, "anyfaas: --trigger http: nightly declares no http trigger; it declares timer in f.yml", false}, ""},
		{"queue only", []string{"-f", "orders", "--trigger", "timer", "-p", "scf"},
			result{exitUsage, "anyfaas: --trigger timer: orders declares no timer trigger; it declares mns (message) in f.yml", false}, ""},
		{"a trigger of no sample", []string{"-f", "thumb", "--trigger", "nope"},
			result{exitUsage, `anyfaas: --trigger: catalog: fc has no "nope" events: not in the catalog; its triggers are http, timer, storage, message, log, cdn, tablestore`, false}, ""},
		{"declared in code", []string{"-f", "hook", "--trigger", "http"},
			result{exitUsage, "anyfaas: --trigger http: hook declares no http trigger; it declares storage in its code", true}, ""},
		{"declared in code, and asked", []string{"-f", "hook", "--trigger", "storage"}, result{exitOK, "", true}, `"trigger":"storage"`},
		{"no trigger declared", []string{"-f", "any", "--trigger", "http"}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
		{"an event file", []string{"-f", "thumb", "--event", httpEvent}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
		{"an event file and --trigger", []string{"-f", "thumb", "--event", httpEvent, "--trigger", "http"}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
		// Another platform's event, to a function that serves no
		// HTTP, is refused as dev refuses it: on web it would go as a
		// request that no route serves. Before building where f.yml
		// says what the function serves; where the code does, after.
		{"another platform's event", []string{"-f", "orders", "-p", "web", "--event", sqsEvent},
			result{exitUsage, "anyfaas: --event " + sqsEvent + ": " + onWeb + "give --trigger message instead of --event for a sample of web", false}, ""},
		{"another platform's event, to a function of the code", []string{"-f", "hook", "-p", "web", "--event", sqsEvent},
			result{exitUsage, "anyfaas: --event " + sqsEvent + ": " + onWeb + "leave --event out for the sample of its trigger on web", true}, ""},
		{"another platform's event, on aws", []string{"-f", "thumb", "-p", "aws", "--event", ossEvent},
			result{exitUsage, "anyfaas: --event " + ossEvent + ": the event is shaped like fc/oss (OSS event notification, ObjectCreated:PutObject), not the native event of aws, which is the event the platform delivers (anyfaas event list aws): give -p fc to emulate fc, or give --trigger storage instead of --event for a sample of aws", false}, ""},
		{"the platform's own event", []string{"-f", "thumb", "-p", "fc", "--event", ossEvent}, result{exitOK, "", true}, `"trigger":"storage"`},
		// What f.yml and the catalog decide of the event is checked
		// before building; what the code decides, after.
		{"--set of a key the sample does not take", []string{"-f", "thumb", "--set", "bogus=1"},
			result{exitUsage, `anyfaas: catalog: fc/oss: unknown override key "bogus": fc/oss takes bucket, key, size, or JSON pointers (keys starting with /)`, false}, ""},
		{"--set of a key the asked trigger's sample does not take", []string{"-f", "nightly", "-p", "aws", "--trigger", "timer", "--set", "bogus=1"},
			result{exitUsage, `anyfaas: catalog: aws/schedule: unknown override key "bogus": aws/schedule takes name, time, payload, or JSON pointers (keys starting with /)`, false}, ""},
		{"--set of a key --event's sample does not take", []string{"-f", "hook", "--event", "fc/oss", "--set", "bogus=1"},
			result{exitUsage, `anyfaas: catalog: fc/oss: unknown override key "bogus": fc/oss takes bucket, key, size, or JSON pointers (keys starting with /)`, false}, ""},
		{"--set without a value", []string{"-f", "thumb", "--set", "bogus"}, result{exitUsage, `anyfaas: --set "bogus": want key=value`, false}, ""},
		{"--set with an event file", []string{"-f", "thumb", "--event", httpEvent, "--set", "path=/x"},
			result{exitUsage, "anyfaas: --set and --data change catalog samples, not --event files", false}, ""},
		{"--set of a function of the code", []string{"-f", "hook", "--set", "bogus=1"},
			result{exitUsage, `anyfaas: catalog: fc/oss: unknown override key "bogus": fc/oss takes bucket, key, size, or JSON pointers (keys starting with /)`, true}, ""},
		{"a function neither f.yml nor the code has", []string{"-f", "nope"},
			result{exitUsage, "anyfaas: no function \"nope\": the functions are alerts, any, hook, jpegs, nightly, orders, thumb", true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", triggers}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			got := result{Code: code, Built: strings.Contains(stderr, "building ")}
			for line := range strings.Lines(stderr) {
				if strings.HasPrefix(line, "anyfaas: ") {
					got.Error = strings.TrimSpace(line)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("anyfaas %s (-want +got):\n%s\nstdout (want %q):\n%s\nstderr:\n%s", strings.Join(args, " "), diff, tt.stdout, stdout, stderr)
			}
		})
	}
}

// TestInvokeSample checks that the sample invoke sends of a trigger is the
// one the function's event of that trigger is delivered as, carrying what
// f.yml says of it (a bucket, a queue or topic, a timer's payload) in the
// platform's own fields, and that --set and --data have the last word.
func TestInvokeSample(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: fc}
functions:
  thumb: {handler: thumb, events: [oss: {bucket: photos, events: ["oss:ObjectCreated:*"]}]}
  s3arn: {handler: s3arn, events: [s3: {bucket: "arn:aws:s3:::photos"}]}
  cosdomain: {handler: cosdomain, events: [cos: {bucket: photos-1250000000.cos.ap-guangzhou.myqcloud.com}]}
  gs: {handler: gs, events: [storage: {bucket: "gs://photos"}]}
  orders: {handler: orders, events: [sqs: {queue: orders}]}
  alerts: {handler: alerts, events: [mns: {topic: alerts}]}
  topicarn: {handler: topicarn, events: [sns: {topic: "arn:aws:sns:us-east-1:123456789012:alerts"}]}
  clicks: {handler: clicks, events: [kafka: {topic: clicks}]}
  pubsub: {handler: pubsub, events: [message: {topic: projects/p/topics/alerts}]}
  nightly: {handler: nightly, events: [timer: {value: "0 3 * * *", payload: run-report}]}
  hourly: {handler: hourly, events: [timer: {value: "@every 1h"}]}
`), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	const storage, message, timer = spec.TriggerStorage, spec.TriggerMessage, spec.TriggerTimer
	tests := []struct {
		platform, fn, trigger string
		sets                  map[string]string
		data                  string
		sample                string
		want                  map[string]any // JSON pointer: value
	}{
		{"fc", "thumb", storage, nil, "", "fc/oss", map[string]any{
			"/events/0/oss/bucket/name": "photos", "/events/0/oss/bucket/arn": "acs:oss:cn-shanghai:123456789:photos"}},
		{"aws", "thumb", storage, nil, "", "aws/s3", map[string]any{
			"/Records/0/s3/bucket/name": "photos", "/Records/0/s3/bucket/arn": "arn:aws:s3:::photos"}},
		{"aws", "s3arn", storage, nil, "", "aws/s3", map[string]any{
			"/Records/0/s3/bucket/name": "photos", "/Records/0/s3/bucket/arn": "arn:aws:s3:::photos"}},
		{"scf", "thumb", storage, nil, "", "scf/cos", map[string]any{
			"/Records/0/cos/cosBucket/name": "photos", "/Records/0/cos/cosBucket/appid": "123456"}},
		{"scf", "cosdomain", storage, nil, "", "scf/cos", map[string]any{
			"/Records/0/cos/cosBucket/name": "photos", "/Records/0/cos/cosBucket/appid": "1250000000",
			"/Records/0/cos/cosObject/key": "/1250000000/photos/foobar.zip"}},
		{"gcf", "gs", storage, nil, "", "gcf/storage", map[string]any{
			"/data/bucket": "photos", "/source": "//storage.googleapis.com/projects/_/buckets/photos"}},
		{"web", "thumb", storage, nil, "", "web/storage", map[string]any{
			"/data/bucket": "photos", "/source": "//storage.googleapis.com/projects/_/buckets/photos"}},
		{"fc", "thumb", storage, map[string]string{"bucket": "other"}, "", "fc/oss", map[string]any{
			"/events/0/oss/bucket/name": "other"}},

		{"aws", "orders", message, nil, "", "aws/sqs", map[string]any{
			"/Records/0/eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:orders"}},
		{"aws", "topicarn", message, nil, "", "aws/sns", map[string]any{
			"/Records/0/Sns/TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"}},
		{"aws", "clicks", message, nil, "", "aws/kafka", map[string]any{
			"/records/clicks-0/0/topic": "clicks"}},
		{"fc", "orders", message, nil, "", "fc/mns-queue", map[string]any{
			"/subject": "acs:mns:cn-hangzhou:164901546557****:queues/orders"}},
		{"fc", "alerts", message, nil, "", "fc/mns-topic", map[string]any{"/TopicName": "alerts"}},
		{"scf", "alerts", message, nil, "", "scf/cmq", map[string]any{"/Records/0/CMQ/topicName": "alerts"}},
		{"scf", "clicks", message, nil, "", "scf/ckafka", map[string]any{"/Records/0/Ckafka/topic": "clicks"}},
		// SCF takes no queue: the sample is sent as it is.
		{"scf", "orders", message, nil, "", "scf/cmq", map[string]any{"/Records/0/CMQ/topicName": "testtopic"}},
		{"gcf", "pubsub", message, nil, "", "gcf/pubsub", map[string]any{
			"/source": "//pubsub.googleapis.com/projects/p/topics/alerts"}},
		{"web", "alerts", message, nil, "", "web/pubsub", map[string]any{
			"/source": "//pubsub.googleapis.com/projects/sample-project/topics/alerts"}},

		{"aws", "nightly", timer, nil, "", "aws/schedule", map[string]any{"/detail/payload": "run-report"}},
		{"fc", "nightly", timer, nil, "", "fc/timer", map[string]any{"/payload": "run-report"}},
		{"scf", "nightly", timer, nil, "", "scf/timer", map[string]any{"/Message": "run-report"}},
		{"gcf", "nightly", timer, nil, "", "gcf/scheduler", map[string]any{
			"/data/customData": base64.StdEncoding.EncodeToString([]byte("run-report"))}},
		{"web", "nightly", timer, nil, "", "web/ping", map[string]any{"/data": "run-report"}},
		{"fc", "nightly", timer, nil, "now", "fc/timer", map[string]any{"/payload": "now"}},
		{"fc", "nightly", timer, map[string]string{"payload": "set"}, "", "fc/timer", map[string]any{"/payload": "set"}},
		// A timer without a payload sends none, as deployed.
		{"fc", "hourly", timer, nil, "", "fc/timer", map[string]any{"/payload": ""}},
		{"aws", "hourly", timer, nil, "", "aws/schedule", map[string]any{"/detail": map[string]any{}}},
		{"scf", "hourly", timer, nil, "", "scf/timer", map[string]any{"/Message": ""}},
		{"gcf", "hourly", timer, nil, "", "gcf/scheduler", map[string]any{"/data": map[string]any{}}},
		{"web", "hourly", timer, nil, "", "web/ping", map[string]any{"/data": nil, "/datacontenttype": nil}},
		{"web", "hourly", timer, nil, "now", "web/ping", map[string]any{"/data": "now", "/datacontenttype": "text/plain"}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.platform+" "+tt.fn+" "+fmtSets(tt.sets)+tt.data), func(t *testing.T) {
			overrides := map[string]string{}
			for k, v := range tt.sets {
				overrides[k] = v
			}
			b, trigger, note, err := invokeEvent(tt.platform, "", tt.trigger, s.Function(tt.fn).EventOf(tt.trigger), "", tt.data, overrides)
			if err != nil {
				t.Fatal(err)
			}
			got := adaptertest.JSONValues(t, b, tt.want)
			sample, _, _ := strings.Cut(strings.TrimPrefix(note, "event: "), " ")
			if diff := cmp.Diff(tt.want, got); diff != "" || sample != tt.sample || trigger != tt.trigger {
				t.Errorf("sample %s, want %s; trigger %s, want %s; the event (-want +got):\n%s", sample, tt.sample, trigger, tt.trigger, diff)
			}
		})
	}
}

// The progress line names what f.yml gave the sample, and not what
// --data replaced.
func TestInvokeSampleNote(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: fc}
functions:
  nightly: {handler: nightly, events: [timer: {value: "0 3 * * *", payload: run-report}]}
`), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ data, want string }{
		{"", "event: fc/timer (from f.yml: payload=run-report)"},
		{"now", "event: fc/timer"},
	} {
		_, _, got, err := invokeEvent("fc", "", spec.TriggerTimer, s.Function("nightly").EventOf(spec.TriggerTimer), "", tt.data, map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("with --data %q: %q, want %q", tt.data, got, tt.want)
		}
	}
}

// A value whose ${env.NAME} is not set stays out of the sample, and the
// progress line says so.
func TestInvokeSampleNoteUnset(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: aws}
functions:
  thumb: {handler: thumb, events: [s3: {bucket: "${env.ANYFAAS_TEST_UNSET}", filter: {prefix: uploads/, suffix: .jpg}}]}
`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sets map[string]string
		want string
	}{
		{nil, "event: aws/s3 (from f.yml: key=uploads/sample.jpg; left as the sample has it, as its ${env.…} is not set: bucket: ${env.ANYFAAS_TEST_UNSET})"},
		{map[string]string{"key": "a.jpg"}, "event: aws/s3 (left as the sample has it, as its ${env.…} is not set: bucket: ${env.ANYFAAS_TEST_UNSET})"},
	} {
		overrides := maps.Clone(tt.sets)
		if overrides == nil {
			overrides = map[string]string{}
		}
		payload, _, note, err := invokeEvent("aws", "", spec.TriggerStorage, s.Function("thumb").EventOf(spec.TriggerStorage), "", "", overrides)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, note); diff != "" {
			t.Errorf("--set %v: progress (-want +got):\n%s", tt.sets, diff)
		}
		if bytes.Contains(payload, []byte("${env.")) {
			t.Errorf("--set %v: the sample holds the reference: %s", tt.sets, payload)
		}
	}
}

// TestInvokeStorageFilter invokes testdata/triggers's jpegs, whose storage
// event f.yml filters on .jpg, on each platform: with its sample, whose key
// passes, it runs; with a key that does not pass, it does not run, as
// deployed the event would not reach it (the platform's trigger filters
// on aws, fc and scf, the App on gcf and web), and the App says so on
// standard error rather than answering nothing silently.
func TestInvokeStorageFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	skipped := []string{"WARN", "no record of the storage event passes the function's storage filters", "notes.txt", "suffix:.jpg"}
	for _, platform := range faas.Platforms {
		for _, tt := range []struct {
			set  string
			runs bool
		}{
			{"", true},
			{"key=notes.txt", false},
		} {
			t.Run(platform+"/"+tt.set, func(t *testing.T) {
				args := []string{"invoke", triggers, "-f", "jpegs", "-p", platform}
				if tt.set != "" {
					args = append(args, "--set", tt.set)
				}
				code, stdout, stderr := anyfaas(t, args...)
				if code != exitOK {
					t.Fatalf("anyfaas %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
				}
				if ran := strings.Contains(stdout, `"key":"sample.jpg"`); ran != tt.runs {
					t.Errorf("anyfaas %s: ran %v, want %v; stdout:\n%s", strings.Join(args, " "), ran, tt.runs, stdout)
				}
				for _, want := range skipped {
					if !tt.runs && !strings.Contains(stderr, want) {
						t.Errorf("anyfaas %s: standard error lacks %q:\n%s", strings.Join(args, " "), want, stderr)
					}
				}
				if tt.runs && strings.Contains(stderr, skipped[1]) {
					t.Errorf("anyfaas %s: the event was skipped:\n%s", strings.Join(args, " "), stderr)
				}
			})
		}
	}
}

func fmtSets(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + "=" + m[k] + " ")
	}
	return b.String()
}

// TestInvokeTriggers invokes each function of testdata/triggers on each
// platform with the sample of its trigger: what the function saw of its
// event, which it answers, is in testdata/invoke/<platform>-<function>.json
// (go test -run TestInvokeTriggers -update rewrites them).
func TestInvokeTriggers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	for _, platform := range []string{"aws", "fc", "scf", "gcf", "web"} {
		for _, fn := range []string{"thumb", "orders", "alerts", "nightly"} {
			t.Run(platform+"/"+fn, func(t *testing.T) {
				args := []string{"invoke", triggers, "-f", fn, "-p", platform}
				code, stdout, stderr := anyfaas(t, args...)
				if code != exitOK {
					t.Fatalf("anyfaas %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
				}
				var out bytes.Buffer
				if err := json.Indent(&out, []byte(strings.TrimSpace(stdout)), "", "  "); err != nil {
					t.Fatalf("%v:\n%s", err, stdout)
				}
				out.WriteByte('\n')
				golden.Check(t, filepath.Join("testdata", "invoke", platform+"-"+fn+".json"), out.Bytes())
			})
		}
	}
}

// TestInvokeMakesEventOnce checks that invoke makes the event it sends
// once where f.yml and the catalog decide it: the sample it checks before
// building is the one it sends, with the same fresh ids (catalog.FreshIDs),
// not a second one made after building. Where the code gives the
// function's trigger (hook, without --trigger), it is made once, after.
func TestInvokeMakesEventOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	calls := 0
	defer func(old func(string) string) { newID = old }(newID)
	newID = func(form string) string { calls++; return catalog.NewID(form) }
	for _, args := range [][]string{
		{"-f", "orders", "-p", "aws"},
		{"-f", "thumb", "-p", "aws", "--trigger", "storage"},
		{"-f", "nightly", "-p", "web"},
		{"-f", "hook", "-p", "aws", "--event", "aws/sqs"},
		{"-f", "hook", "-p", "aws"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			calls = 0
			args := append([]string{"invoke", triggers}, args...)
			code, _, stderr := anyfaas(t, args...)
			if code != exitOK {
				t.Fatalf("anyfaas %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
			}
			_, rest, ok := strings.Cut(stderr, "event: ")
			if !ok {
				t.Fatalf("no event: line in\n%s", stderr)
			}
			sample, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0]), " ")
			got := calls
			calls = 0
			if err := catalog.FreshIDs(sample, map[string]string{}, newID); err != nil {
				t.Fatal(err)
			}
			if calls == 0 {
				t.Fatalf("%s carries no ids: the test notices nothing", sample)
			}
			if got != calls {
				t.Errorf("invoke made %d ids, %d makings of %s (%d each), want one", got, got/calls, sample, calls)
			}
		})
	}
}

// timers is a project of one unit of two timer functions.
const timers = "testdata/timers"

// In a unit of two timer functions, each function's timer reaches it on
// aws, fc and scf: invoke's sample carries the name the deployed trigger
// has (spec.Unit.TimerNames), and an event as the platform sends it, with
// that name, goes to its function whatever -f names.
func TestInvokeAggregatedTimers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/timers")
	}
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The events of the weekly timer as each platform delivers it.
	events := map[string]string{
		// The constant Input of the SAM template's Schedule event.
		"aws": file("aws.json", `{"source":"aws.events","detail-type":"Scheduled Event","resources":["weekly-timer"],"detail":{}}`),
		"fc":  file("fc.json", `{"triggerTime":"2026-11-23T04:00:00Z","triggerName":"weekly-timer","payload":""}`),
		"scf": file("scf.json", `{"Type":"Timer","TriggerName":"weekly-timer","Time":"2026-11-23T04:00:00Z","Message":""}`),
	}
	tests := []struct {
		platform, fn, event string
		want                string
	}{
		{"aws", "nightly", "", `"fn":"nightly","timer":"arn:aws:events:us-east-1:123456789012:rule/nightly-timer"`},
		{"aws", "weekly", "", `"fn":"weekly","timer":"arn:aws:events:us-east-1:123456789012:rule/weekly-timer"`},
		{"aws", "nightly", events["aws"], `"fn":"weekly","timer":"weekly-timer"`},
		{"fc", "nightly", "", `"fn":"nightly","timer":"nightly-timer"`},
		{"fc", "weekly", "", `"fn":"weekly","timer":"weekly-timer"`},
		{"fc", "nightly", events["fc"], `"fn":"weekly","timer":"weekly-timer"`},
		{"scf", "nightly", "", `"fn":"nightly","timer":"nightly-timer"`},
		{"scf", "weekly", "", `"fn":"weekly","timer":"weekly-timer"`},
		{"scf", "nightly", events["scf"], `"fn":"weekly","timer":"weekly-timer"`},
	}
	for _, tt := range tests {
		name := tt.platform + "/" + tt.fn
		if tt.event != "" {
			name += "/event"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{"invoke", timers, "-f", tt.fn, "-p", tt.platform}
			if tt.event != "" {
				args = append(args, "--event", tt.event)
			}
			code, stdout, stderr := anyfaas(t, args...)
			if code != exitOK || !strings.Contains(stdout, tt.want) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %q):\n%s\nstderr:\n%s",
					strings.Join(args, " "), code, exitOK, tt.want, stdout, stderr)
			}
		})
	}
}

// invoke labels a failure by what happened: an event the function's host
// refused with a 4xx is rejected, not a crash.
func TestDescribeFailure(t *testing.T) {
	tests := []struct {
		fe   emulator.FunctionError
		want string
	}{
		{emulator.FunctionError{Type: "415 Unsupported Media Type", Message: "gcf: batched mode is not supported"},
			"rejected the event (415 Unsupported Media Type): gcf: batched mode is not supported"},
		{emulator.FunctionError{Type: "400 Bad Request", Message: "invalid event"}, "rejected the event (400 Bad Request): invalid event"},
		{emulator.FunctionError{Type: "crash", Message: "A panic occurred"}, "crash: A panic occurred"},
		{emulator.FunctionError{Type: "502 Bad Gateway", Message: "EOF"}, "502 Bad Gateway: EOF"},
		{emulator.FunctionError{Type: "404 Not Here", Message: "x"}, "404 Not Here: x"},
		{emulator.FunctionError{Type: "Runtime.ExitError", Message: "exit status 2"}, "Runtime.ExitError: exit status 2"},
	}
	for _, tt := range tests {
		if got := describeFailure(&tt.fe); got != tt.want {
			t.Errorf("describeFailure(%+v) = %q, want %q", tt.fe, got, tt.want)
		}
	}
}

// fixtureHeaders returns -H flags of the headers a real binary-mode
// fixture of the gcf adapter was delivered with, and the fixture's path.
func fixtureHeaders(t *testing.T, name string) (flags []string, file string) {
	t.Helper()
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata")
	b, err := os.ReadFile(filepath.Join(dir, "binary-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]map[string][]string
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	if all[name] == nil {
		t.Fatalf("no headers for %s", name)
	}
	for _, k := range slices.Sorted(maps.Keys(all[name])) {
		flags = append(flags, "-H", k+": "+all[name][k][0])
	}
	return flags, filepath.Join(dir, "fixtures", name)
}

// invoke -H ce-… --event FILE sends a CloudEvent in binary mode, as
// Eventarc delivers to Cloud Run: the file is its data, JSON or not, the
// headers its attributes.
func TestInvokeBinaryMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	storageH, storage := fixtureHeaders(t, "storage-object-data-binary-body.json")
	schedulerH, scheduler := fixtureHeaders(t, "scheduler-job-executed-binary-body.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of it
		stderr string // a substring of it
	}{
		{"storage on gcf", append([]string{"-f", "thumb", "-p", "gcf", "--event", storage}, storageH...), exitOK,
			`"records":[{"bucket":"sample-bucket","key":"folder/Test.cs","op":"created"}],"trigger":"storage"`, ""},
		{"scheduler on gcf", append([]string{"-f", "nightly", "-p", "gcf", "--event", scheduler}, schedulerH...), exitOK,
			`"name":"projects/test-project/locations/us-central1/jobs/nightly","payload":"my base64 data","trigger":"timer"`, ""},
		{"storage on web", append([]string{"-f", "thumb", "-p", "web", "--event", storage}, storageH...), exitOK,
			`"trigger":"storage"`, ""},
		{"ce-specversion and ce-id left out", []string{"-f", "thumb", "-p", "gcf", "--event", storage,
			"-H", "ce-type: google.cloud.storage.object.v1.finalized", "-H", "ce-source: //storage.googleapis.com/projects/_/buckets/photos"}, exitOK,
			`"records":[{"bucket":"sample-bucket","key":"folder/Test.cs","op":"created"}]`, ""},
		{"on aws", append([]string{"-f", "thumb", "-p", "aws", "--event", storage}, storageH...), exitUsage,
			"", "anyfaas: -H ce-…: a CloudEvent in binary mode is delivered by gcf and web, not aws"},
		{"no ce-source", []string{"-f", "thumb", "-p", "gcf", "--event", storage, "-H", "ce-type: t"}, exitUsage,
			"", "anyfaas: -H ce-…: a CloudEvent needs ce-type and ce-source"},
		{"no event file", []string{"-f", "thumb", "-p", "gcf", "-H", "ce-type: t", "-H", "ce-source: s"}, exitUsage,
			"", "whose data --event FILE (or - for standard input) gives"},
		{"not a header", []string{"-f", "thumb", "-p", "gcf", "--event", storage, "-H", "ce-type"}, exitUsage,
			"", `anyfaas: -H "ce-type": want 'Name: value'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", triggers}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s", strings.Join(args, " "), code, tt.code, tt.stdout, stdout, tt.stderr, stderr)
			}
		})
	}
}
