package gcf

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/schematest"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// parse parses an f.yml of a test.
func parse(t *testing.T, src string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatalf("parsing the spec: %v", err)
	}
	return s
}

// input is the generator's input for s, with an image for each unit.
func input(s *spec.Spec) *gen.Input {
	in := &gen.Input{Spec: s, Units: s.Units(), Artifacts: map[string]string{}}
	for _, u := range in.Units {
		in.Artifacts[u.Name] = "us-docker.pkg.dev/shop-prod/anyfaas/" + strings.ToLower(u.Name) + ":v1"
	}
	return in
}

// render joins generated files into one text, each after a line naming it.
func render(files []gen.File) []byte {
	var b bytes.Buffer
	for _, f := range files {
		b.WriteString("-- " + f.Name + " --\n")
		b.Write(f.Data)
	}
	return b.Bytes()
}

var cases = []struct {
	name, spec string
}{
	{"http", `
service: shop
provider:
  name: gcp
functions:
  list:
    handler: listItems
    events:
      - http: {path: /items, method: get}
      - http: {path: '/items/{id}'}
`},
	{"timer", `
service: shop
provider: {name: gcp, region: europe-west1}
functions:
  nightly:
    handler: nightly
    events:
      - timer: {type: cron, value: '0 3 * * 1-5', payload: '{"full":true}'}
      - timer: {value: '@every 15m', enable: false}
      - timer: {type: every, value: 2h, payload: "it's"}
`},
	{"storage", `
service: shop
provider: {name: gcp, region: us-central1, role: runner@shop-prod.iam.gserviceaccount.com}
functions:
  thumbnail:
    handler: thumbnail
    events:
      - oss: {bucket: photos, events: ['oss:ObjectCreated:*', deleted], filter: {prefix: up/, suffix: .jpg}}
      - storage:
          bucket: gs://archive
          name: archive-writes
          region: us
          role: archiver@shop-prod.iam.gserviceaccount.com
  inbox:
    handler: inbox
    events:
      - cos: {bucket: photos, events: [created], filter: {prefix: in/}}
      - storage: {bucket: photos, events: [deleted, archived]}
`},
	{"message", `
service: shop
provider: {name: gcp, region: us-central1}
functions:
  on_order:
    handler: orders
    events:
      - mq: {topic: orders}
  audit:
    handler: audit
    events:
      - message: {topic: orders}
      - message: {topic: projects/shop-prod/topics/refunds}
`},
	{"project", `
service: shop
provider: {name: gcp, region: us-central1, project: shop-prod}
functions:
  api:
    handler: api
    events: [{http: {path: /items, method: get}}]
  jobs:
    handler: jobs
    events:
      - timer: {value: '@every 1h', payload: sweep}
      - storage: {bucket: photos}
      - mq: {topic: orders}
      - mq: {topic: projects/shared-prod/topics/refunds}
`},
	{"aggregated", `
service: shop
provider: {name: gcp, region: us-central1, memorySize: 256}
functions:
  list:
    handler: list
    events: [{http: {path: /api/items, method: get}}]
  get:
    handler: get
    memorySize: 512
    timeout: 10
    events: [{http: {path: '/api/items/{id}', method: get}}]
  nightly:
    handler: nightly
    timeout: 300
    events: [{timer: {value: '@every 24h', payload: rebuild}}]
  upload:
    handler: upload
    events: [{storage: {bucket: photos, filter: {suffix: .png}}}, {http: {path: /upload, method: post}}]
aggregation:
  api:
    functions: [list, get, nightly]
  files:
    deployOrigin: true
    functions: [upload]
`},
	{"platforms", `
service: shop
provider: {name: gcp, region: us-central1}
platforms:
  gcf:
    metadata:
      annotations:
        run.googleapis.com/invoker-iam-disabled: "true"
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/maxScale: "10"
functions:
  hello:
    handler: hello
    events: [{http: {path: /hello}}]
    platforms:
      gcf:
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/maxScale: "3"
            spec:
              serviceAccountName: hello@shop-prod.iam.gserviceaccount.com
  tick:
    handler: tick
    events: [{timer: {value: '*/5 * * * *'}}]
    platforms:
      gcf:
        metadata: {name: ticker}
      web: {ignored: true}
`},
	{"containers", `
service: shop
provider: {name: gcp, region: us-central1, memorySize: 512, environment: {MODE: prod, DB: dev-db}}
platforms:
  gcf:
    spec:
      template:
        spec:
          containers:
            - env:
                - name: DB
                  valueFrom: {secretKeyRef: {name: shop-db, key: latest}}
                - {name: EXTRA, value: "1"}
functions:
  api:
    handler: api
    events: [{http: {path: /api/:id, method: get}}]
    platforms:
      gcf:
        spec:
          template:
            spec:
              containers:
                - volumeMounts: [{name: cache, mountPath: /cache}]
                  resources: {limits: {cpu: "2"}}
                - name: sidecar
                  image: us-docker.pkg.dev/shop-prod/anyfaas/proxy:1
              volumes: [{name: cache, emptyDir: {medium: Memory}}]
`},
	{"stage", `
service: shop
provider: {name: gcp, region: us-central1, stage: prod}
functions:
  list:
    handler: listItems
    events:
      - http: {path: /items, method: get}
  nightly:
    handler: nightly
    events:
      - timer: {value: '0 3 * * 5-7'}
      - mq: {topic: orders}
`},
	{"memory", `
service: shop
provider: {name: gcp, region: us-central1, memorySize: 16384}
functions:
  render: {handler: render, events: [{http: {path: /render}}]}
  thumb: {handler: thumb, memorySize: 4096, events: [{http: {path: /thumb}}]}
`},
	{"settings", `
service: shop
provider:
  name: gcp
  region: asia-northeast1
  role: runner@shop-prod.iam.gserviceaccount.com
  memorySize: 256
  timeout: 30
  concurrency: 80
  environment: {MODE: prod, LOG_LEVEL: info}
functions:
  report:
    handler: report
    description: "Monthly report: the sums"
    memorySize: 1024
    timeout: 900
    environment: {LOG_LEVEL: debug, EMPTY: ""}
    events: [{http: {path: /report, method: post}}]
`},
}

// Memory over 4 GiB needs more than Cloud Run's one CPU.
func TestMinCPU(t *testing.T) {
	tests := []struct {
		memory int
		want   string
	}{
		{0, ""}, {512, ""}, {4096, ""},
		{4097, "2"}, {8192, "2"},
		{8193, "4"}, {16384, "4"},
		{16385, "6"}, {24576, "6"},
		{24577, "8"}, {32768, "8"},
	}
	for _, tt := range tests {
		if got := minCPU(tt.memory); got != tt.want {
			t.Errorf("minCPU(%d) = %q, want %q", tt.memory, got, tt.want)
		}
	}
}

func TestGenerate(t *testing.T) {
	schema := schematest.Schema(t, schematest.Dir+"/knative/service.yaml", "/spec/versions/0/schema/openAPIV3Schema")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, err := New().Generate(input(parse(t, c.spec)))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", c.name+".golden"), render(files))
			for _, f := range files {
				if strings.HasSuffix(f.Name, ".service.yaml") {
					schematest.Validate(t, schema, f.Data)
				}
			}
			if last := files[len(files)-1]; last.Name != ScriptFile {
				t.Errorf("the last file is %s, not %s", last.Name, ScriptFile)
			}
		})
	}
}

// TestScriptSyntax has bash parse every deploy.sh.
func TestScriptSyntax(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	for _, c := range cases {
		files, err := New().Generate(input(parse(t, c.spec)))
		if err != nil {
			t.Fatal(err)
		}
		script := files[len(files)-1].Data
		if !bytes.HasPrefix(script, []byte("#!/usr/bin/env bash\n")) || !bytes.Contains(script, []byte("\nset -euo pipefail\n")) {
			t.Errorf("%s: deploy.sh does not start with the shebang and set -euo pipefail", c.name)
		}
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = bytes.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", c.name, err, out)
		}
	}
}

// TestScriptRun runs a deploy.sh with a gcloud that records its arguments,
// to see that every argument reaches gcloud as f.yml meant it, however
// odd; Cloud Run would refuse some of these names, but the script must not
// run any of them.
func TestScriptRun(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	s := parse(t, `
service: shop
provider: {name: gcp, region: us-central1}
functions:
  odd:
    handler: odd
    events:
      - timer: {value: '0 0 * * *', payload: "it's \"$HOME\" $(id) `+"`id`"+`"}
      - storage: {bucket: "ph'otos\n$(touch pwned)", events: [finalized, deleted]}
      - mq: {topic: "t; touch pwned"}
  even:
    handler: even
    events: [{storage: {bucket: b, region: eu}}]
aggregation:
  all:
    functions: [odd, even]
platforms:
  gcf:
    metadata: {name: "it's $(touch pwned)"}
`)
	files, err := New().Generate(input(s))
	if err != nil {
		t.Fatal(err)
	}
	// The fake gcloud records the arguments of each command, one a line.
	// Lookups answer as gcloud would; describe fails, as it does for what
	// does not exist.
	fake := `#!/usr/bin/env bash
case "$*" in
  "config get-value project") echo p; exit 0 ;;
  "projects describe p --format=value(projectNumber)") echo 42; exit 0 ;;
  "run services describe "*"--format=value(status.url)") echo https://all.run.app; exit 0 ;;
  "storage buckets describe "*"--format=value(location)") echo US-EAST1; exit 0 ;;
  "storage service-agent --project=p") echo service-42@gs-project-accounts.iam.gserviceaccount.com; exit 0 ;;
  *" describe "*) exit 1 ;;
esac
echo "gcloud" >> "$LOG"
for a in "$@"; do printf '  [%s]\n' "$a" >> "$LOG"; done
`
	dir, got := runScript(t, bash, files, fake)
	for _, d := range []string{dir, filepath.Join(dir, "bin")} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("the script ran a command that f.yml holds as data")
		}
	}
	golden.Check(t, filepath.Join("testdata", "run.golden"), got)
}

// TestScriptProject runs the deploy.sh of a spec with provider.project
// with a gcloud that records its commands: each is given the project with
// --project, and gcloud's configured project is never asked for.
func TestScriptProject(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	i := slices.IndexFunc(cases, func(c struct{ name, spec string }) bool { return c.name == "project" })
	if i < 0 {
		t.Fatal("no case project")
	}
	files, err := New().Generate(input(parse(t, cases[i].spec)))
	if err != nil {
		t.Fatal(err)
	}
	// Every command is recorded, on a line; describe fails, as it does
	// for what does not exist, except the lookups the script makes.
	fake := `#!/usr/bin/env bash
echo "$*" >> "$LOG"
case "$*" in
  "projects describe "*) echo 42; exit 0 ;;
  "run services describe "*|"storage buckets describe "*|"storage service-agent "*) echo x; exit 0 ;;
  *" describe "*) exit 1 ;;
esac
`
	_, data := runScript(t, bash, files, fake)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 10 {
		t.Fatalf("deploy.sh ran %d gcloud commands, want the service's, its bindings, the job's, the topics' and the triggers':\n%s", len(lines), data)
	}
	for _, l := range lines {
		// The default service account's lookup and the project's
		// grants name the project as their argument.
		if !strings.Contains(l, " --project=shop-prod") && !strings.HasPrefix(l, "projects describe shop-prod ") &&
			!strings.HasPrefix(l, "projects add-iam-policy-binding shop-prod ") {
			t.Errorf("gcloud %s: no --project=shop-prod", l)
		}
	}
}

// runScript writes files, a generation's, into a new directory, and runs
// its deploy.sh with bash from that directory's bin, which holds fake as
// gcloud, with $LOG naming a file for fake to record into. It returns the
// directory and what fake recorded.
func runScript(t *testing.T, bash string, files []gen.File, fake string) (dir string, log []byte) {
	t.Helper()
	dir = t.TempDir()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "gcloud"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "log")
	cmd := exec.Command(bash, filepath.Join(dir, ScriptFile))
	cmd.Dir = bin // the script finds its files wherever it is run from
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "LOG="+logFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy.sh: %v\n%s", err, out)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	return dir, log
}

func TestQuote(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"--flag=a,b:c/d@e%f+g.h", "--flag=a,b:c/d@e%f+g.h"},
		{"", "''"},
		{"two words", "'two words'"},
		{"it's", `'it'\''s'`},
		{"$HOME `id` $(id) \\ \" * ? [a] ~ {a,b} ; & | < > ! #", `'$HOME ` + "`id`" + ` $(id) \ " * ? [a] ~ {a,b} ; & | < > ! #'`},
		{"line\nbreak", "'line\nbreak'"},
		{"~user", "'~user'"},
	}
	for _, tt := range tests {
		got := quote(tt.in)
		if got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		out, err := exec.Command(bash, "-c", "printf %s "+got).Output()
		if err != nil {
			t.Errorf("bash -c printf %%s %s: %v", got, err)
			continue
		}
		if string(out) != tt.in {
			t.Errorf("bash reads %s as %q, want %q", got, out, tt.in)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range cases {
		s := parse(t, c.spec)
		first, err := New().Generate(input(s))
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			again, err := New().Generate(input(parse(t, c.spec)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(render(first), render(again)); diff != "" {
				t.Fatalf("%s: a second run differs (-first +again):\n%s", c.name, diff)
			}
		}
	}
}

// TestInputUnchanged checks that generating leaves the spec as it was,
// platforms blocks included, so that other generators may read it after.
func TestInputUnchanged(t *testing.T) {
	var src string
	for _, c := range cases {
		if c.name == "platforms" {
			src = c.spec
		}
	}
	s := parse(t, src)
	if _, err := New().Generate(input(s)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(render(mustGenerate(t, parse(t, src))), render(mustGenerate(t, s))); diff != "" {
		t.Errorf("a spec generated from before generates differently (-fresh +used):\n%s", diff)
	}
}

func mustGenerate(t *testing.T, s *spec.Spec) []gen.File {
	t.Helper()
	files, err := New().Generate(input(s))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"events", `
service: shop
provider: {name: gcp, region: us-central1}
functions:
  f:
    handler: f
    events:
      - timer: {value: '@every 7m'}
      - oss: {bucket: b, filter: {prefix: in/}}
      - storage: {bucket: b, events: ['oss:ObjectCreated:Put']}
      - mq: {queue: jobs}
      - mq: {topic: t, tags: urgent}
      - log: {source: app}
      - storage: {bucket: b, region: Europe West, role: not-an-email}
      - mq: {topic: t, batchSize: 10}
`, []string{
			"f.yml:8:24: functions.f.events[0].timer.value: Cloud Scheduler: gcf has no every schedule, and every 7m0s is not a cron expression: use a period that divides an hour or a day, or type cron",
			`f.yml:10:38: functions.f.events[2].storage.events: Cloud Storage has no event "oss:ObjectCreated:Put": use finalized, deleted, archived or metadataUpdated (or the google.cloud.storage.object.v1 types, or created, removed, or another platform's wildcard such as oss:ObjectCreated:*)`,
			"f.yml:11:21: functions.f.events[3].mq.queue: Pub/Sub has topics, not queues: give the topic",
			"f.yml:12:30: functions.f.events[4].mq.tags: Eventarc cannot filter Pub/Sub messages by tags: leave them out and check the attributes in the function",
			"f.yml:13:9: functions.f.events[5].log: Eventarc delivers log entries through Cloud Audit Logs triggers, which filter on a serviceName and methodName that a log event cannot say: create the trigger with gcloud eventarc triggers create, or route the logs to a Pub/Sub topic with a log sink and give the function a message event",
			`f.yml:14:38: functions.f.events[6].storage.region: "Europe West" is not a Google Cloud location, such as us-central1`,
			`f.yml:14:57: functions.f.events[6].storage.role: "not-an-email" is not a service account's email, such as fn@project.iam.gserviceaccount.com`,
			"f.yml:15:35: functions.f.events[7].mq.batchSize: Eventarc pushes one Pub/Sub message per request: it has no batch size or batching window; leave batchSize out",
		}},
		{"each member's own settings, which its group's unit hides", `
service: shop
provider: {name: gcp, region: us-central1}
functions:
  a: {handler: a, memorySize: 40000, timeout: 3700}
  b: {handler: b, memorySize: 50000, timeout: 3800}
aggregation:
  g: {functions: [a, b]}
`, []string{
			"f.yml:5:31: functions.a.memorySize: 40000 is too large: Cloud Run gives an instance at most 32768 MiB of memory",
			"f.yml:5:47: functions.a.timeout: 3700 is too large: Cloud Run waits at most 3600 seconds for a response",
			"f.yml:6:31: functions.b.memorySize: 50000 is too large: Cloud Run gives an instance at most 32768 MiB of memory",
			"f.yml:6:47: functions.b.timeout: 3800 is too large: Cloud Run waits at most 3600 seconds for a response",
		}},
		{"settings", `
service: shop
provider: {name: gcp, region: us-centrl1, role: runner, concurrency: 2000, environment: {PORT: "9000"}}
functions:
  f:
    handler: f
    timeout: 4000
    memorySize: 65536
    environment: {K_SERVICE: x}
  g: {handler: g}
`, []string{
			`f.yml:3:31: provider.region: Cloud Run functions has no region "us-centrl1" (did you mean "us-central1"?)`,
			`f.yml:3:49: provider.role: "runner" is not a service account's email, such as fn@project.iam.gserviceaccount.com (for a role of another platform, give each its own: role: {fc: acs:ram::…, gcf: fn@project.iam.gserviceaccount.com})`,
			"f.yml:3:70: provider.concurrency: 2000 is too large: Cloud Run sends an instance at most 1000 requests at once",
			"f.yml:3:90: provider.environment.PORT: Cloud Run sets PORT itself and refuses a service that sets it",
			"f.yml:7:14: functions.f.timeout: 4000 is too large: Cloud Run waits at most 3600 seconds for a response",
			"f.yml:8:17: functions.f.memorySize: 65536 is too large: Cloud Run gives an instance at most 32768 MiB of memory",
			"f.yml:9:19: functions.f.environment.K_SERVICE: Cloud Run sets K_SERVICE itself and refuses a service that sets it",
		}},
		{"arm64 and disabled triggers", `
service: shop
provider: {name: gcp, region: us-central1, architecture: arm64}
functions:
  f:
    handler: f
    events:
      - storage: {bucket: b, enable: false}
      - mq: {topic: t, enable: false}
      - timer: {value: '0 * * * *', enable: false}
`, []string{
			"f.yml:3:58: provider.architecture: Cloud Run runs x86_64 executables only, not arm64: build for x86_64 for this platform",
			"f.yml:8:38: functions.f.events[0].storage.enable: Cloud Run cannot deploy a disabled Eventarc trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
			"f.yml:9:32: functions.f.events[1].mq.enable: Cloud Run cannot deploy a disabled Eventarc trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
		}},
		{"names", `
service: a-service-with-a-name-long-enough-to-matter
provider: {name: gcp, region: us-central1}
functions:
  getUser: {handler: a}
  getuser: {handler: b}
  a_function_whose_name_is_just_too_long_for_cloud_run: {handler: c}
  t:
    handler: t
    events:
      - timer: {value: '0 * * * *', name: Nightly_}
      - timer: {value: '0 * * * *', name: nightly}
      - timer: {value: '0 * * * *', name: nightly}
`, []string{
			`f.yml:6:3: functions.getuser: the Cloud Run service name "a-service-with-a-name-long-enough-to-matter-getuser" is also functions.getUser's`,
			`f.yml:7:3: functions.a_function_whose_name_is_just_too_long_for_cloud_run: the Cloud Run service name <service>-<unit> "a-service-with-a-name-long-enough-to-matter-a-function-whose-name-is-just-too-long-for-cloud-run" is longer than 63 characters`,
			`f.yml:11:43: functions.t.events[0].timer.name: the Cloud Scheduler job name "nightly-" must start with a letter, hold only letters, digits and '-', and not end with '-'`,
			`f.yml:13:9: functions.t.events[2].timer: the Cloud Scheduler job name "nightly" is also functions.t.events[1].timer's: give the event a name of its own`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := New().Generate(input(parse(t, tt.spec)))
			if files != nil {
				t.Errorf("files generated despite errors: %s", render(files))
			}
			var errs spec.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v (%T) is not a spec.Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStorageEventTypes(t *testing.T) {
	const (
		fin = "google.cloud.storage.object.v1.finalized"
		del = "google.cloud.storage.object.v1.deleted"
		arc = "google.cloud.storage.object.v1.archived"
		upd = "google.cloud.storage.object.v1.metadataUpdated"
	)
	tests := []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{nil, []string{fin}, false},
		{[]string{fin, del, arc, upd}, []string{fin, del, arc, upd}, false},
		{[]string{"finalized", "Deleted", "archived", "metadataupdated"}, []string{fin, del, arc, upd}, false},
		{[]string{"google.storage.object.finalize", "google.storage.object.delete", "google.storage.object.archive", "google.storage.object.metadataUpdate"}, []string{fin, del, arc, upd}, false},
		{[]string{"created", "removed"}, []string{fin, del}, false},
		{[]string{"oss:ObjectCreated:*", "s3:ObjectCreated:*", "cos:ObjectRemove:*", "s3:ObjectRemoved:*"}, []string{fin, del}, false},
		{[]string{"oss:ObjectCreated:PutObject"}, nil, true},
		{[]string{"finalized", "written"}, nil, true},
	}
	for _, tt := range tests {
		got, err := StorageEventTypes(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("StorageEventTypes(%q) error = %v, want an error: %v", tt.in, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("StorageEventTypes(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// A custom domain, which Cloud Run functions' files do not deploy, is a
// warning at its domainName, with what to do instead.
func TestDomainWarning(t *testing.T) {
	tests := []struct{ custom, want string }{
		{"custom:\n  customDomain: {domainName: api.example.com}\n", "f.yml:6:30: custom.customDomain.domainName: the custom domain api.example.com is not deployed on Cloud Run functions " +
			"(only FC's specs declare one): the HTTP functions are served at the URLs Cloud Run functions gives them; " + domainHint},
		{"custom:\n  customDomain: false\n", ""},
		{"", ""},
	}
	for _, tt := range tests {
		s := parse(t, "service: s\nprovider: {name: gcf, region: us-east1}\nfunctions:\n  f: {handler: f, events: [{http: {path: /f}}]}\n"+tt.custom)
		in := input(s)
		if _, err := New().Generate(in); err != nil {
			t.Fatal(err)
		}
		got := ""
		if w := New().(gen.Warner).Warnings(in); w != nil {
			got = w.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: warning (-want +got):\n%s", tt.custom, diff)
		}
	}
}
