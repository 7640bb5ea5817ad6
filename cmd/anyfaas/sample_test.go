package main

import (
	"fmt"
	"maps"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/spec"
)

// A sample carries what f.yml says of the event: a key its storage filter
// passes, and none of a value whose ${env.NAME} is not set (the sample
// keeps its own, and invoke says so); --set has the last word.
func TestSampleOf(t *testing.T) {
	// The sample of each case below: a value left out still picks the
	// sample of its source (an SQS queue's, not an SNS topic's).
	samples := map[string]string{
		"bucket": "aws/s3", "prefix and suffix": "aws/s3", "suffix": "fc/oss", "prefix from the environment": "gcf/storage",
		"--set key wins": "aws/s3", "bucket from an unset variable": "aws/s3", "bucket from a set variable": "aws/s3",
		"bucket and prefix from unset variables": "aws/s3", "queue from an unset variable": "aws/sqs",
		"queue from a set variable": "aws/sqs", "topic from an unset variable": "fc/mns-topic",
	}
	env := map[string]string{"BUCKET": "photos", "PREFIX": "in/", "QUEUE": "orders"}
	for _, tc := range []struct {
		name     string
		platform string
		event    string // the function's one event, in f.yml
		set      map[string]string
		want     map[string]string // the overrides
		applied  []string
		unset    []string
	}{
		{"bucket", "aws", `oss: {bucket: photos}`, nil,
			map[string]string{"bucket": "photos"}, []string{"bucket=photos"}, nil},
		{"prefix and suffix", "aws", `oss: {bucket: photos, filter: {prefix: uploads/, suffix: .jpg}}`, nil,
			map[string]string{"bucket": "photos", "key": "uploads/sample.jpg"}, []string{"bucket=photos", "key=uploads/sample.jpg"}, nil},
		{"suffix", "fc", `oss: {bucket: photos, filter: {suffix: .png}}`, nil,
			map[string]string{"bucket": "photos", "key": "sample.png"}, []string{"bucket=photos", "key=sample.png"}, nil},
		{"prefix from the environment", "gcf", `storage: {bucket: photos, filter: {prefix: "${env.PREFIX}"}}`, nil,
			map[string]string{"bucket": "photos", "key": "in/sample"}, []string{"bucket=photos", "key=in/sample"}, nil},
		{"--set key wins", "aws", `oss: {bucket: photos, filter: {prefix: uploads/, suffix: .jpg}}`, map[string]string{"key": "mine.txt"},
			map[string]string{"bucket": "photos", "key": "mine.txt"}, []string{"bucket=photos"}, nil},
		{"bucket from an unset variable", "aws", `oss: {bucket: "${env.NOPE}"}`, nil,
			map[string]string{}, nil, []string{"bucket: ${env.NOPE}"}},
		{"bucket from a set variable", "aws", `oss: {bucket: "${env.BUCKET}"}`, nil,
			map[string]string{"bucket": "photos"}, []string{"bucket=photos"}, nil},
		{"bucket and prefix from unset variables", "aws", `oss: {bucket: "b-${env.NOPE}", filter: {prefix: "${env.NOPE2}/", suffix: .jpg}}`, nil,
			map[string]string{"key": "sample.jpg"}, []string{"key=sample.jpg"}, []string{"bucket: b-${env.NOPE}", "filter.prefix: ${env.NOPE2}/"}},
		{"queue from an unset variable", "aws", `sqs: {queue: "${env.NOPE}"}`, nil,
			map[string]string{}, nil, []string{"queue: ${env.NOPE}"}},
		{"queue from a set variable", "aws", `sqs: {queue: "${env.QUEUE}"}`, nil,
			map[string]string{"queue": "orders"}, []string{"queue=orders"}, nil},
		{"topic from an unset variable", "fc", `mns: {topic: "${env.NOPE}"}`, nil,
			map[string]string{}, nil, []string{"topic: ${env.NOPE}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte("service: s\nprovider: {name: "+tc.platform+"}\nfunctions:\n  f:\n    handler: f\n    events:\n      - "+tc.event+"\n"),
				func(name string) string { return env[name] })
			if err != nil {
				t.Fatal(err)
			}
			e := s.Function("f").Events[0]
			entries, err := catalog.Find(tc.platform, e.Trigger)
			if err != nil {
				t.Fatal(err)
			}
			overrides := map[string]string{}
			for k, v := range tc.set {
				overrides[k] = v
			}
			entry, applied, unset := sampleOf(entries, e, "", overrides)
			if want := samples[tc.name]; entry.Name != want {
				t.Errorf("sample %s, want %s", entry.Name, want)
			}
			if diff := cmp.Diff(tc.want, overrides); diff != "" {
				t.Errorf("overrides (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.applied, applied); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.unset, unset); diff != "" {
				t.Errorf("unset (-want +got):\n%s", diff)
			}
			if _, err := catalog.Event(entry.Name, overrides); err != nil {
				t.Errorf("%s: %v", entry.Name, err)
			}
		})
	}
}

// TestSampleFreshIDs checks that the samples invoke and dev send carry new
// ids each time, as a platform gives each invocation and message its own,
// unless --set (or dev's request) gives them.
func TestSampleFreshIDs(t *testing.T) {
	n := 0
	defer func(old func(string) string) { newID = old }(newID)
	newID = func(string) string { n++; return fmt.Sprintf("id-%d", n) }
	tests := []struct {
		platform, trigger string
		sets              map[string]string
		want              [2]map[string]any // of two events in a row
	}{
		{"web", "message", nil, [2]map[string]any{
			{"/id": "id-1", "/data/message/messageId": "id-1"},
			{"/id": "id-2", "/data/message/messageId": "id-2"}}},
		{"aws", "message", nil, [2]map[string]any{{"/Records/0/messageId": "id-1"}, {"/Records/0/messageId": "id-2"}}},
		{"gcf", "storage", nil, [2]map[string]any{{"/id": "id-1"}, {"/id": "id-2"}}},
		{"web", "timer", nil, [2]map[string]any{{"/id": "id-1"}, {"/id": "id-2"}}},
		{"web", "message", map[string]string{"/id": "mine"}, [2]map[string]any{
			{"/id": "mine", "/data/message/messageId": "mine"},
			{"/id": "mine", "/data/message/messageId": "mine"}}},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.trigger+fmtSets(tt.sets), func(t *testing.T) {
			for _, send := range []struct {
				name string
				make func(overrides map[string]string) ([]byte, error)
			}{
				{"invoke", func(o map[string]string) ([]byte, error) {
					b, _, _, err := invokeEvent(tt.platform, "", tt.trigger, nil, "", "", o)
					return b, err
				}},
				{"dev", func(o map[string]string) ([]byte, error) { return sampleEvent(tt.platform, tt.trigger, nil, "", o) }},
			} {
				n = 0
				for i, want := range tt.want {
					o := map[string]string{}
					maps.Copy(o, tt.sets)
					b, err := send.make(o)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, adaptertest.JSONValues(t, b, want)); diff != "" {
						t.Errorf("%s, event %d (-want +got):\n%s", send.name, i+1, diff)
					}
				}
			}
		})
	}
}

// TestSampleProject checks that a sample that names a Google Cloud project
// names provider.project, as the deployed Knative Trigger or Eventarc
// trigger that matches the event does; a topic given as
// projects/<p>/topics/<t> keeps its own.
func TestSampleProject(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: web, project: my-proj}
functions:
  alerts: {handler: alerts, events: [message: {topic: alerts}]}
  other: {handler: other, events: [message: {topic: projects/other/topics/t}]}
  nightly: {handler: nightly, events: [timer: {value: "0 3 * * *"}]}
`), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		platform, fn, trigger string
		want                  map[string]any
	}{
		{"web", "alerts", "message", map[string]any{
			"/source":            "//pubsub.googleapis.com/projects/my-proj/topics/alerts",
			"/data/subscription": "projects/my-proj/subscriptions/sample-subscription"}},
		{"gcf", "alerts", "message", map[string]any{"/source": "//pubsub.googleapis.com/projects/my-proj/topics/alerts"}},
		{"web", "other", "message", map[string]any{"/source": "//pubsub.googleapis.com/projects/other/topics/t"}},
		{"web", "", "message", map[string]any{"/source": "//pubsub.googleapis.com/projects/my-proj/topics/gcf-test"}},
		{"gcf", "nightly", "timer", map[string]any{
			"/source": "//cloudscheduler.googleapis.com/projects/my-proj/locations/us-central1/jobs/nightly"}},
	}
	for _, tt := range tests {
		t.Run(tt.platform+" "+tt.fn, func(t *testing.T) {
			var declared *spec.Event
			if tt.fn != "" {
				declared = s.Function(tt.fn).EventOf(tt.trigger)
			}
			b, _, _, err := invokeEvent(tt.platform, "", tt.trigger, declared, s.Provider.Project, "", map[string]string{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, adaptertest.JSONValues(t, b, tt.want)); diff != "" {
				t.Errorf("invoke (-want +got):\n%s", diff)
			}
			b, err = sampleEvent(tt.platform, tt.trigger, declared, s.Provider.Project, map[string]string{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, adaptertest.JSONValues(t, b, tt.want)); diff != "" {
				t.Errorf("dev (-want +got):\n%s", diff)
			}
		})
	}
}
