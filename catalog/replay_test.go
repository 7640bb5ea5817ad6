package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/adapters/web"
	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/golden"
)

// seen is what a handler saw of one invocation.
type seen struct {
	event   any
	trigger string
	native  []byte // ctx.Origin().Event
}

// replay delivers a native event of e's platform to that platform's
// adapter, in process, as the platform would, and returns what the
// handler saw.
func replay(e catalog.Entry, event []byte) (seen, error) {
	var s seen
	calls := 0
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, ev any) (any, error) {
		calls++
		s = seen{event: ev, trigger: ctx.Trigger(), native: ctx.Origin().Event}
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	switch e.Platform {
	case faas.PlatformAWS:
		_, err = aws.NewHandler(app).Invoke(ctx, event)
	case faas.PlatformFC:
		_, err = fc.NewHandler(app).Invoke(ctx, nil, event)
	case faas.PlatformSCF:
		_, err = scf.NewHandler(app).Invoke(ctx, nil, event)
	case faas.PlatformGCF, faas.PlatformWeb:
		h := web.Handler(app)
		if e.Platform == faas.PlatformGCF {
			h = gcf.Handler(app)
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(event))
		req.Header.Set("Content-Type", e.ContentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			err = fmt.Errorf("%d %s", rec.Code, rec.Body)
		}
	default:
		err = fmt.Errorf("no adapter for the platform %q", e.Platform)
	}
	if err == nil && calls != 1 {
		err = fmt.Errorf("the handler ran %d times", calls)
	}
	return s, err
}

// standardType names the type of standard event a trigger's events have.
func standardType(trigger string) string {
	switch trigger {
	case faas.TriggerHTTP:
		return "*faas.HTTPRequest"
	case faas.TriggerTimer:
		return "*faas.TimerEvent"
	case faas.TriggerStorage:
		return "*faas.StorageEvent"
	case faas.TriggerMessage:
		return "*faas.MessageEvent"
	}
	return "*faas.RawEvent"
}

// TestSamples replays every entry's sample, as published, through its
// platform's adapter: the handler gets the standard event of the entry's
// trigger, which the golden files record.
func TestSamples(t *testing.T) {
	for _, e := range catalog.List() {
		t.Run(e.Name, func(t *testing.T) {
			b, err := catalog.Event(e.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := replay(e, b)
			if err != nil {
				t.Fatalf("replaying the sample: %v", err)
			}
			if s.trigger != e.Trigger {
				t.Errorf("trigger %q, want %q", s.trigger, e.Trigger)
			}
			if got, want := fmt.Sprintf("%T", s.event), standardType(e.Trigger); got != want {
				t.Errorf("event %s, want %s", got, want)
			}
			if raw, ok := s.event.(*faas.RawEvent); ok && raw.Trigger != e.Trigger {
				t.Errorf("RawEvent.Trigger %q, want %q", raw.Trigger, e.Trigger)
			}
			golden.Check(t, filepath.Join("testdata", "golden", e.Platform, e.Kind+".event.json"), golden.Event(s.event))
		})
	}
}

// A typical override of a key, and how it shows in the standard event.
type typical struct {
	value string
	check func(t *testing.T, e catalog.Entry, event any, value string)
}

// binary is a body that is not text: the events that carry bodies as
// text refuse it.
const binary = "\x00\x01\xfe\xff"

// typicals are the typical value of each semantic key. A key written
// "name.<name>" is tried as "name.X-Catalog".
var typicals = map[string][]typical{
	"method": {{"put", func(t *testing.T, _ catalog.Entry, ev any, _ string) {
		equal(t, "Method", httpReq(t, ev).Method, "PUT")
	}}},
	"path": {
		{"/orders/42", checkPath},
		{"/", checkPath},
		{"/files/a b/ü.txt", checkPath},
	},
	"query": {
		{"a=1&b=x%20y&a=2", func(t *testing.T, e catalog.Entry, ev any, _ string) {
			q := httpReq(t, ev).Query
			want := "1,2"
			if e.Name == "aws/alb" {
				want = "2" // a target group without multi-value headers sends the last value
			}
			equal(t, "Query[a]", strings.Join(q["a"], ","), want)
			equal(t, "Query[b]", q.Get("b"), "x y")
			equal(t, "len(Query)", len(q), 2)
		}},
		{"", func(t *testing.T, _ catalog.Entry, ev any, _ string) {
			equal(t, "len(Query)", len(httpReq(t, ev).Query), 0)
		}},
	},
	"header.<name>": {{"catalog-1", func(t *testing.T, _ catalog.Entry, ev any, v string) {
		equal(t, "Header[X-Catalog]", httpReq(t, ev).Header.Get("X-Catalog"), v)
	}}},
	"body": {
		{`{"hello":"wörld"}`, checkBody},
		{binary, checkBody},
	},
	"cookie": {{"a=1; b=2", func(t *testing.T, _ catalog.Entry, ev any, _ string) {
		req := httpReq(t, ev)
		for name, want := range map[string]string{"a": "1", "b": "2"} {
			if c := req.Cookie(name); c == nil || c.Value != want {
				t.Errorf("cookie %s = %v, want %s", name, c, want)
			}
		}
	}}},
	"name": {{"nightly-report", func(t *testing.T, _ catalog.Entry, ev any, v string) {
		if name := timer(t, ev).Name; !strings.HasSuffix(name, v) {
			t.Errorf("Name %q, want it to end in %q", name, v)
		}
	}}},
	"time": {{"2024-05-06T07:08:09Z", func(t *testing.T, _ catalog.Entry, ev any, v string) {
		want, _ := time.Parse(time.RFC3339, v)
		if got := timer(t, ev).Time; !got.Equal(want) {
			t.Errorf("Time %v, want %v", got, want)
		}
	}}},
	"payload": {
		{"run now", checkPayload},
		{`{"job":"report","n":1}`, checkPayload},
		{"", checkPayload}, // none
	},
	"bucket": {{"orders-archive", func(t *testing.T, e catalog.Entry, ev any, v string) {
		for _, r := range storage(t, ev).Records {
			// COS names a bucket <name>-<appid>: the adapter adds the appid.
			if r.Bucket != v && !(e.Platform == faas.PlatformSCF && strings.HasPrefix(r.Bucket, v+"-")) {
				t.Errorf("Bucket %q, want %q", r.Bucket, v)
			}
		}
	}}},
	"key": {{"2024/05/report 1+2.pdf", func(t *testing.T, _ catalog.Entry, ev any, v string) {
		for _, r := range storage(t, ev).Records {
			equal(t, "Key", r.Key, v)
		}
	}}},
	"size": {{"4096", func(t *testing.T, _ catalog.Entry, ev any, _ string) {
		for _, r := range storage(t, ev).Records {
			equal(t, "Size", r.Size, int64(4096))
		}
	}}},
	"topic":  {{"orders", checkSource}},
	"queue":  {{"orders", checkSource}},
	"stream": {{"orders", checkSource}},
	"project": {{"my-proj", func(t *testing.T, e catalog.Entry, ev any, v string) {
		var names []string
		switch ev := ev.(type) {
		case *faas.MessageEvent:
			for _, m := range ev.Records {
				names = append(names, m.Source)
			}
		case *faas.TimerEvent:
			names = append(names, ev.Name)
		}
		for _, n := range names {
			if strings.Contains(n, "projects/") && !strings.Contains(n, "projects/"+v+"/") {
				t.Errorf("%q is not of the project %s", n, v)
			}
		}
	}}},
	"attributes.<name>": {{"trace-7", func(t *testing.T, _ catalog.Entry, ev any, v string) {
		for _, m := range message(t, ev).Records {
			equal(t, "Attributes[X-Catalog]", m.Attributes["X-Catalog"], v)
		}
	}}},
}

// keyOf returns the override key a pattern of Entry.Keys stands for.
func keyOf(pattern string) string {
	name, _, ok := strings.Cut(pattern, ".")
	if !ok {
		return pattern
	}
	return name + ".X-Catalog"
}

func checkPath(t *testing.T, _ catalog.Entry, ev any, v string) {
	equal(t, "Path", httpReq(t, ev).Path, v)
}

func checkBody(t *testing.T, _ catalog.Entry, ev any, v string) {
	switch ev := ev.(type) {
	case *faas.HTTPRequest:
		equal(t, "Body", string(ev.Body), v)
	default:
		for _, m := range message(t, ev).Records {
			equal(t, "Body", string(m.Body), v)
		}
	}
}

func checkPayload(t *testing.T, _ catalog.Entry, ev any, v string) {
	equal(t, "Payload", timer(t, ev).Payload, v)
}

func checkSource(t *testing.T, _ catalog.Entry, ev any, v string) {
	for _, m := range message(t, ev).Records {
		if !strings.HasSuffix(m.Source, v) {
			t.Errorf("Source %q, want it to end in %q", m.Source, v)
		}
	}
}

func httpReq(t *testing.T, ev any) *faas.HTTPRequest {
	t.Helper()
	r, ok := ev.(*faas.HTTPRequest)
	if !ok {
		t.Fatalf("event %T, want *faas.HTTPRequest", ev)
	}
	return r
}

func timer(t *testing.T, ev any) *faas.TimerEvent {
	t.Helper()
	r, ok := ev.(*faas.TimerEvent)
	if !ok {
		t.Fatalf("event %T, want *faas.TimerEvent", ev)
	}
	return r
}

func storage(t *testing.T, ev any) *faas.StorageEvent {
	t.Helper()
	r, ok := ev.(*faas.StorageEvent)
	if !ok || len(r.Records) == 0 {
		t.Fatalf("event %T, want *faas.StorageEvent with records", ev)
	}
	return r
}

func message(t *testing.T, ev any) *faas.MessageEvent {
	t.Helper()
	r, ok := ev.(*faas.MessageEvent)
	if !ok || len(r.Records) == 0 {
		t.Fatalf("event %T, want *faas.MessageEvent with records", ev)
	}
	return r
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// TestOverrides sets each key of each entry to its typical values, one
// at a time, and replays the event through the adapter: it must still be
// a valid event of the entry's trigger, and show the value.
func TestOverrides(t *testing.T) {
	for _, e := range catalog.List() {
		for _, pattern := range e.Keys {
			tries, ok := typicals[pattern]
			if !ok {
				t.Errorf("%s: no typical value of the key %s", e.Name, pattern)
				continue
			}
			key := keyOf(pattern)
			for _, try := range tries {
				t.Run(fmt.Sprintf("%s/%s=%q", e.Name, key, try.value), func(t *testing.T) {
					b, err := catalog.Event(e.Name, map[string]string{key: try.value})
					if try.value == binary && e.Trigger != faas.TriggerHTTP && errors.Is(err, catalog.ErrInvalidValue) {
						t.Logf("refused, as %s carries text: %v", e.Name, err)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					s, err := replay(e, b)
					if err != nil {
						t.Fatalf("replaying:\n%s\n%v", b, err)
					}
					equal(t, "trigger", s.trigger, e.Trigger)
					try.check(t, e, s.event, try.value)
				})
			}
		}
	}
}

// TestAllOverrides sets every key of each entry at once: the overrides do
// not undo each other. The native events are golden files, which show
// where each platform carries each key.
func TestAllOverrides(t *testing.T) {
	for _, e := range catalog.List() {
		if len(e.Keys) == 0 {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			overrides := map[string]string{}
			for _, pattern := range e.Keys {
				overrides[keyOf(pattern)] = typicals[pattern][0].value
			}
			b, err := catalog.Event(e.Name, overrides)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", e.Platform, e.Kind+".set.json"), b)
			s, err := replay(e, b)
			if err != nil {
				t.Fatalf("replaying:\n%s\n%v", b, err)
			}
			equal(t, "trigger", s.trigger, e.Trigger)
			for _, pattern := range e.Keys {
				typicals[pattern][0].check(t, e, s.event, typicals[pattern][0].value)
			}
		})
	}
}

// TestPointerOverrides adds a member through a JSON pointer to every
// entry: the event stays one of its trigger, and carries the member.
func TestPointerOverrides(t *testing.T) {
	// Where a member can go without changing what the event is: events
	// told by their exact members take it in a map of attributes.
	at := map[string]string{
		"fc/mns-topic-stream": "/attrs/xcatalog",
		"gcf/pubsub-push":     "/message/attributes/xcatalog",
	}
	marked := regexp.MustCompile(`"xcatalog"\s*:\s*"marked"`)
	for _, e := range catalog.List() {
		t.Run(e.Name, func(t *testing.T) {
			b, err := catalog.Event(e.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := "/xcatalog"
			if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
				p = "/0/xcatalog"
			}
			if q, ok := at[e.Name]; ok {
				p = q
			}
			b, err = catalog.Event(e.Name, map[string]string{p: "marked"})
			if err != nil {
				t.Fatal(err)
			}
			s, err := replay(e, b)
			if err != nil {
				t.Fatalf("replaying:\n%s\n%v", b, err)
			}
			equal(t, "trigger", s.trigger, e.Trigger)
			native := s.native
			if raw, ok := s.event.(*faas.RawEvent); ok && native == nil {
				native = raw.JSON
			}
			if !marked.Match(native) {
				t.Errorf("the event the handler got does not carry the member:\n%s", native)
			}
		})
	}
}

// TestEveryTriggerHasAnEntry checks that the catalog covers the triggers
// each adapter documents, by platform.
func TestEveryTriggerHasAnEntry(t *testing.T) {
	want := map[string][]string{
		"aws": {"http", "timer", "storage", "message", "log", "raw", "websocket", "dynamodb", "eventbridge"},
		"fc":  {"http", "timer", "storage", "message", "log", "cdn", "tablestore"},
		"scf": {"http", "timer", "storage", "message", "log", "websocket", "mps"},
		"gcf": {"timer", "storage", "message", "log", "firestore", "firebase"},
		"web": {"timer", "storage", "message", "cloudevent"},
	}
	for platform, triggers := range want {
		for _, trigger := range triggers {
			if _, err := catalog.Find(platform, trigger); err != nil {
				t.Errorf("%s/%s: %v", platform, trigger, err)
			}
		}
	}
	var platforms []string
	for _, e := range catalog.List() {
		if !slices.Contains(platforms, e.Platform) {
			platforms = append(platforms, e.Platform)
		}
	}
	slices.Sort(platforms)
	if diff := cmp.Diff([]string{"aws", "fc", "gcf", "scf", "web"}, platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}

// What samples/SOURCES.md promises of the samples that are not plain
// copies, and of pointers.
func TestSourcesNotes(t *testing.T) {
	t.Run("scf/cls decodes", func(t *testing.T) {
		b, err := catalog.Event("scf/cls", nil)
		if err != nil {
			t.Fatal(err)
		}
		logs, err := scf.DecodeCLSLogs(b)
		if err != nil {
			t.Fatal(err)
		}
		if logs.TopicName != "testname" || len(logs.Records) != 2 {
			t.Errorf("logs %+v, want the documented topic testname and its two records", logs)
		}
	})
	t.Run("gcf/storage deleted", func(t *testing.T) {
		e, err := catalog.Lookup("gcf/storage")
		if err != nil {
			t.Fatal(err)
		}
		b, err := catalog.Event(e.Name, map[string]string{"/type": "google.cloud.storage.object.v1.deleted"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := replay(e, b)
		if err != nil {
			t.Fatal(err)
		}
		if op := storage(t, s.event).Records[0].Op; op != faas.StorageRemoved {
			t.Errorf("Op %q, want %q", op, faas.StorageRemoved)
		}
	})
}

// TestBucketForms sets a bucket as the platforms' deploy specs (and f.yml)
// name it, whole: an S3 ARN, a gs:// URL, a COS bucket with its appid or
// its domain. The event carries the bucket's parts where the platform
// puts them, and the adapter reads the bucket back.
func TestBucketForms(t *testing.T) {
	tests := []struct {
		entry, bucket string
		native        map[string]any // JSON pointer: value
		want          string         // StorageRecord.Bucket
	}{
		{"aws/s3", "photos", map[string]any{
			"/Records/0/s3/bucket/name": "photos", "/Records/0/s3/bucket/arn": "arn:aws:s3:::photos"}, "photos"},
		{"aws/s3", "arn:aws:s3:::photos", map[string]any{
			"/Records/0/s3/bucket/name": "photos", "/Records/0/s3/bucket/arn": "arn:aws:s3:::photos"}, "photos"},
		{"aws/s3", "arn:aws-cn:s3:::photos", map[string]any{
			"/Records/0/s3/bucket/name": "photos", "/Records/0/s3/bucket/arn": "arn:aws-cn:s3:::photos"}, "photos"},
		{"aws/eventbridge-s3", "arn:aws:s3:::photos", map[string]any{
			"/detail/bucket/name": "photos", "/resources/0": "arn:aws:s3:::photos"}, "photos"},
		{"gcf/storage", "gs://photos", map[string]any{
			"/data/bucket": "photos", "/source": "//storage.googleapis.com/projects/_/buckets/photos"}, "photos"},
		{"gcf/storage-legacy", "gs://photos", map[string]any{
			"/data/bucket": "photos", "/context/resource/name": "projects/_/buckets/photos/objects/folder/Test.cs"}, "photos"},
		{"web/storage", "gs://photos", map[string]any{"/data/bucket": "photos"}, "photos"},
		{"fc/oss", "photos", map[string]any{
			"/events/0/oss/bucket/name": "photos", "/events/0/oss/bucket/arn": "acs:oss:cn-shanghai:123456789:photos"}, "photos"},
		// COS: the sample's appid is 123456, its region bj.
		{"scf/cos", "photos", map[string]any{
			"/Records/0/cos/cosBucket/name": "photos", "/Records/0/cos/cosBucket/appid": "123456",
			"/Records/0/cos/cosObject/key": "/123456/photos/foobar.zip",
			"/Records/0/cos/cosObject/url": "http://photos-123456.cosbj.myqcloud.com/foobar.zip"}, "photos-123456"},
		{"scf/cos", "photos-1250000000", map[string]any{
			"/Records/0/cos/cosBucket/name": "photos", "/Records/0/cos/cosBucket/appid": "1250000000",
			"/Records/0/cos/cosObject/key": "/1250000000/photos/foobar.zip",
			"/Records/0/cos/cosObject/url": "http://photos-1250000000.cosbj.myqcloud.com/foobar.zip"}, "photos-1250000000"},
		{"scf/cos", "photos-1250000000.cos.ap-guangzhou.myqcloud.com", map[string]any{
			"/Records/0/cos/cosBucket/name": "photos", "/Records/0/cos/cosBucket/appid": "1250000000",
			"/Records/0/cos/cosObject/key": "/1250000000/photos/foobar.zip",
			"/Records/0/cos/cosObject/url": "http://photos-1250000000.cosbj.myqcloud.com/foobar.zip"}, "photos-1250000000"},
		{"scf/cos", "ritchiechen-cos-test-123456", map[string]any{
			"/Records/0/cos/cosBucket/name": "ritchiechen-cos-test", "/Records/0/cos/cosBucket/appid": "123456"}, "ritchiechen-cos-test-123456"},
	}
	for _, tt := range tests {
		t.Run(tt.entry+" "+tt.bucket, func(t *testing.T) {
			e, err := catalog.Lookup(tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			b, err := catalog.Event(tt.entry, map[string]string{"bucket": tt.bucket})
			if err != nil {
				t.Fatal(err)
			}
			got := adaptertest.JSONValues(t, b, tt.native)
			if diff := cmp.Diff(tt.native, got); diff != "" {
				t.Errorf("the event (-want +got):\n%s", diff)
			}
			s, err := replay(e, b)
			if err != nil {
				t.Fatalf("replaying the event: %v", err)
			}
			for _, r := range storage(t, s.event).Records {
				equal(t, "Bucket", r.Bucket, tt.want)
			}
		})
	}
}
