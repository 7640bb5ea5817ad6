package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

// The manifest of a unit of several functions of each trigger gives each
// trigger the source its platform's events carry, as the generators
// deploy it: timers the names of spec.Unit.TimerNames, messages their
// queue or topic, storage its bucket.
func TestManifestSources(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: jobs
provider: {name: aws}
functions:
  nightly:
    handler: nightly
  weekly:
    handler: weekly
    events:
      - timer: {value: '0 4 * * 1'}
      - timer: {value: '0 5 * * 1', payload: late}
  report:
    handler: report
    events:
      - timer: {name: weekly-timer-2, value: '0 6 * * *'}
  orders:
    handler: orders
    events:
      - sqs: {queue: orders-queue}
  audit:
    handler: audit
    events:
      - sns: {topic: order-events}
  thumbs:
    handler: thumbs
    events:
      - cos: {bucket: uploads-1250000000.cos.ap-guangzhou.myqcloud.com}
  alone:
    handler: alone
    events:
      - timer: {value: '0 7 * * *'}
aggregation:
  all:
    functions: [nightly, weekly, report, orders, audit, thumbs]
`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	code := faas.Description{Functions: []faas.FunctionInfo{
		{Name: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "0 3 * * *"}}},
		{Name: "weekly"}, {Name: "report"}, {Name: "orders"}, {Name: "audit"}, {Name: "thumbs"}, {Name: "alone"},
	}}
	merged, err := Merge(s, code)
	if err != nil {
		t.Fatal(err)
	}
	// sources lists, by unit, the source of each function's triggers.
	sources := func(platform string) map[string][]string {
		out := map[string][]string{}
		for _, u := range merged.Units() {
			for _, f := range u.Manifest(platform).Functions {
				for _, t := range f.Triggers {
					out[u.Name] = append(out[u.Name], f.Name+": "+t.Source)
				}
			}
		}
		return out
	}
	messages := []string{"orders: orders-queue", "audit: order-events"}
	tests := []struct {
		platform string
		want     map[string][]string
	}{
		{"aws", map[string][]string{
			"all": append([]string{"nightly: nightly-timer", "weekly: weekly-timer", "weekly: weekly-timer-3", "report: weekly-timer-2"},
				append(messages, "thumbs: uploads-1250000000.cos.ap-guangzhou.myqcloud.com")...),
			// One timer function: CloudFormation names its rule.
			"alone": {"alone: "},
		}},
		{"fc", map[string][]string{
			"all": append([]string{"nightly: nightly-timer", "weekly: weekly-timer", "weekly: weekly-timer-3", "report: weekly-timer-2"},
				append(messages, "thumbs: uploads-1250000000.cos.ap-guangzhou.myqcloud.com")...),
			"alone": {"alone: alone-timer"},
		}},
		{"scf", map[string][]string{
			// SCF numbers a name the spec gives too, past those before it.
			"all":   append([]string{"nightly: nightly-timer", "weekly: weekly-timer", "weekly: weekly-timer-2", "report: weekly-timer-2-2"}, append(messages, "thumbs: uploads-1250000000")...),
			"alone": {"alone: timer"},
		}},
		{"gcf", map[string][]string{
			"all":   append([]string{"nightly: ", "weekly: ", "weekly: ", "report: "}, append(messages, "thumbs: uploads-1250000000.cos.ap-guangzhou.myqcloud.com")...),
			"alone": {"alone: "},
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, sources(tt.platform)); diff != "" {
			t.Errorf("%s: sources mismatch (-want +got):\n%s", tt.platform, diff)
		}
	}
}

// A unit whose functions' events of one trigger the App could not tell
// apart is an error at the f.yml position of the later one, naming both
// and saying how to fix it; a unit of functions on their own sources, a
// function with two events of one source, and functions deployed on their
// own are not.
func TestIndistinctUnits(t *testing.T) {
	const head = "service: shop\nprovider: {name: aws}\nfunctions:\n"
	const all = "aggregation:\n  all: {functionsPattern: ['*']}\n"
	on := func(name, trigger string) faas.FunctionInfo {
		return faas.FunctionInfo{Name: name, Triggers: []faas.TriggerSpec{{Trigger: trigger}}}
	}
	tests := []struct {
		name, yaml string
		code       []faas.FunctionInfo
		want       string
	}{
		{"two consumers of one queue",
			head + "  a:\n    handler: a\n    events: [{sqs: {queue: orders}}]\n  b:\n    handler: b\n    events: [{sqs: {queue: 'arn:aws:sqs:us-east-1:1:orders'}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}},
			`f.yml:9:15: functions.b.events[0].sqs: functions a and b of unit "all" both declare the message trigger, and the App could not tell their events apart: both take message events of arn:aws:sqs:us-east-1:1:orders; give each its own queue or topic in f.yml (events: - mq: {topic: …}), or put them in separate units (aggregation)`},
		{"two faas.On(message) in code",
			head + "  a: {handler: a}\n  b: {handler: b}\n" + all,
			[]faas.FunctionInfo{on("a", "message"), on("b", "message")},
			`f.yml:5:3: functions.b: functions a and b of unit "all" both declare the message trigger, and the App could not tell their events apart: code: function a: faas.On("message") names no queue or topic, by which the App would route them; give each its own queue or topic in f.yml (events: - mq: {topic: …}), or put them in separate units (aggregation)`},
		{"one bound, one in code",
			head + "  a:\n    handler: a\n    events: [{s3: {bucket: up}}]\n  b: {handler: b}\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, on("b", "storage")},
			`f.yml:7:3: functions.b: functions a and b of unit "all" both declare the storage trigger, and the App could not tell their events apart: code: function b: faas.On("storage") names no bucket, by which the App would route them; give each its own bucket in f.yml (events: - storage: {bucket: …}), or put them in separate units (aggregation)`},
		{"two log functions, one the code's alone",
			head + "  a:\n    handler: a\n    events: [{log: {source: x}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, on("b", "log")},
			`f.yml:8:3: aggregation.all: functions a and b of unit "all" both declare the log trigger, and the App could not tell their events apart: log events carry nothing the App could route them by; deploy one of them on its own, or put them in separate units (aggregation)`},
		{"own sources, two timers, one queue twice in a function",
			head + "  a:\n    handler: a\n    events: [{sqs: {queue: q1}}, {sqs: {queue: q1}}]\n  b:\n    handler: b\n    events: [{sqs: {queue: q2}}]\n  c: {handler: c}\n  d: {handler: d}\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}, {Name: "c", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "0 3 * * *"}}}, {Name: "d", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "0 4 * * *"}}}},
			""},
		{"one bucket, overlapping prefixes",
			head + "  a:\n    handler: a\n    events: [{s3: {bucket: up, filter: {prefix: images/}}}]\n  b:\n    handler: b\n    events: [{s3: {bucket: 'arn:aws:s3:::up', filter: {prefix: images/thumbs/}}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}},
			`f.yml:9:15: functions.b.events[0].s3: functions a and b of unit "all" both declare the storage trigger, and the App could not tell their events apart: both take storage events of arn:aws:s3:::up; give each its own bucket in f.yml (events: - storage: {bucket: …}), or filters that select no object in common (filter: {prefix: …} with prefixes neither of which begins the other, or suffixes neither of which ends the other, or events of other operations), or put them in separate units (aggregation)`},
		{"one bucket, one filtered",
			head + "  a:\n    handler: a\n    events: [{s3: {bucket: up, filter: {prefix: images/}}}]\n  b:\n    handler: b\n    events: [{s3: {bucket: up}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}}, "f.yml:9:15: functions.b.events[0].s3: functions a and b of unit \"all\" both declare the storage trigger"},
		{"one bucket, overlapping suffixes",
			head + "  a:\n    handler: a\n    events: [{oss: {bucket: up, filter: {suffix: .jpg}}}]\n  b:\n    handler: b\n    events: [{oss: {bucket: up, filter: {suffix: thumb.jpg}}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}}, "f.yml:9:15: functions.b.events[0].oss: functions a and b of unit \"all\" both declare the storage trigger"},
		{"one bucket, creations of both",
			head + "  a:\n    handler: a\n    events: [{cos: {bucket: up-1250000000, events: ['cos:ObjectCreated:Put']}}]\n  b:\n    handler: b\n    events: [{cos: {bucket: up-1250000000, events: ['cos:ObjectCreated:*']}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}}, "f.yml:9:15: functions.b.events[0].cos: functions a and b of unit \"all\" both declare the storage trigger"},
		{"one bucket, disjoint prefixes, suffixes, operations",
			head + "  a:\n    handler: a\n    events: [{s3: {bucket: up, filter: {prefix: images/}}}]\n" +
				"  b:\n    handler: b\n    events: [{s3: {bucket: up, filter: {prefix: docs/}}}]\n" +
				"  c:\n    handler: c\n    events: [{s3: {bucket: logs, filter: {suffix: .gz}}}]\n" +
				"  d:\n    handler: d\n    events: [{s3: {bucket: logs, filter: {suffix: .json}}}]\n" +
				"  e:\n    handler: e\n    events: [{s3: {bucket: 'arn:aws:s3:::logs', events: ['s3:ObjectRemoved:*'], filter: {suffix: .gz}}}]\n" + all,
			[]faas.FunctionInfo{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}, {Name: "e"}}, ""},
		{"not aggregated", head + "  a: {handler: a}\n  b: {handler: b}\n",
			[]faas.FunctionInfo{on("a", "message"), on("b", "message")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// f.yml alone is checked as it is parsed, and with the
			// code's triggers as it is merged.
			s, err := Parse("f.yml", []byte(tt.yaml), nil)
			if err == nil {
				_, err = Merge(s, faas.Description{Functions: tt.code})
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want && (tt.want == "" || !strings.HasPrefix(got, tt.want)) {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The manifest gives the filter of a storage event whose bucket another
// function of the unit has events of (in any of the forms of a bucket),
// by which the App tells their events apart, and no other: the manifests
// of units that anyfaas deployed before stay as they were.
func TestManifestStorageFilters(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: media
provider: {name: aws}
functions:
  thumbnail:
    handler: thumbnail
    events:
      - storage: {bucket: uploads, filter: {prefix: images/, suffix: .jpg}}
  indexer:
    handler: indexer
    events:
      - s3: {bucket: 'arn:aws:s3:::uploads', events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], filter: {prefix: docs/}}
      - s3: {bucket: archive, filter: {prefix: docs/}}
aggregation:
  all: {functionsPattern: ['*']}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]faas.TriggerSpec
	for _, f := range s.Units()[0].Manifest(faas.PlatformAWS).Functions {
		got = append(got, f.Triggers)
	}
	want := [][]faas.TriggerSpec{
		{{Trigger: "storage", Source: "uploads", Prefix: "images/", Suffix: ".jpg", Ops: []string{faas.StorageCreated}}},
		{
			{Trigger: "storage", Source: "arn:aws:s3:::uploads", Prefix: "docs/", Ops: []string{faas.StorageCreated, faas.StorageRemoved}},
			{Trigger: "storage", Source: "archive"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifest triggers mismatch (-want +got):\n%s", diff)
	}
}
