// Package gcf generates the deployment of an f.yml service on Google Cloud
// Run functions: one Cloud Run service per deployment unit, running the
// anyfaas binary with the gcf adapter, and a gcloud script that deploys the
// services and creates what delivers their events.
//
// # Files
//
//	<unit>.service.yaml   the unit's Cloud Run service, in the YAML that
//	                      gcloud run services replace takes (Knative's
//	                      serving.knative.dev/v1 Service, as the Cloud Run
//	                      Admin API v1 speaks it)
//	deploy.sh             a bash script of gcloud commands that deploys every
//	                      unit in the order of f.yml: its service, then its
//	                      Eventarc triggers and Cloud Scheduler jobs; each
//	                      command is given provider.project as --project,
//	                      if f.yml sets it, else gcloud's project is used
//
// # The service
//
// A unit is deployed as the service <service>-<unit>, or
// <service>-<stage>-<unit> when the provider sets a stage: lower case, '_'
// as '-', at most 63 characters. Its labels are anyfaas-service and
// anyfaas-unit, anyfaas-stage with a stage, and
// cloud.googleapis.com/location when provider.region is set; a unit with
// a description (spec.Unit.Settings) has the annotation
// run.googleapis.com/description. Its one container runs the unit's image,
// gen.Input.Artifact(unit): the OCI image whose entrypoint is /bootstrap,
// with the unit's manifest /faas.json beside it. The settings f.yml gives
// (spec.Unit.Settings) become:
//
//	memorySize     resources.limits.memory "<n>Mi", and over 4 GiB the
//	               resources.limits.cpu Cloud Run requires for it (2, 4,
//	               6 or 8; platforms.gcf may give more)
//	timeout        timeoutSeconds (Cloud Run takes at most 3600)
//	concurrency    containerConcurrency (at most 1000)
//	environment    env, with FUNCTION_TARGET or FAAS_PLATFORM below, and
//	               FAAS_STORAGE_FILTERS for storage events' filters
//	provider.role  serviceAccountName, the identity the service runs as
//
// and what f.yml leaves out is left to Cloud Run's defaults. A unit of one
// function gets FUNCTION_TARGET=<function>, which makes the binary choose
// the gcf adapter and route every invocation to that function (an HTTP
// request only if one of its routes matches it). A unit of
// several functions gets FAAS_PLATFORM=gcf instead: without FUNCTION_TARGET,
// faas.Start would take Cloud Run's K_SERVICE for a Knative host and serve
// the unit with the web adapter. A variable f.yml's environment sets wins
// over both. PORT, K_SERVICE, K_REVISION and K_CONFIGURATION are Cloud
// Run's to set; f.yml setting one is an error.
//
// The service has no HTTP probes: the gcf adapter serves no health paths,
// and it opens the port only once the App has started, which Cloud Run's
// default TCP startup probe waits for.
//
// # The platforms block
//
// platforms.gcf at the top of f.yml is merged into the root of every
// service document, then the platforms.gcf of each of the unit's functions,
// in the order of f.yml, with gen.MergeService: mappings merge key by key,
// and any other value, a list included, replaces what was generated,
// except spec.template.spec.containers, whose containers merge into the
// generated ones by index (their env by name), so that envFrom or
// volumeMounts add to the function's container (its image, limits and
// environment stay) rather than replace it. It is the place for what
// f.yml has no key for, such as
//
//	platforms:
//	  gcf:
//	    metadata:
//	      annotations:
//	        run.googleapis.com/invoker-iam-disabled: "true"   # a public service
//	    spec:
//	      template:
//	        metadata:
//	          annotations:
//	            autoscaling.knative.dev/maxScale: "10"
//
// deploy.sh deploys a service under the metadata.name the block gives, if
// it gives one; nothing else of deploy.sh comes from the block.
//
// # Events
//
// What deploy.sh creates for each event of a unit's functions:
//
//	http     nothing: the service serves every route of the unit at its URL
//	storage  an Eventarc trigger per event type, filtered on the type and
//	         the bucket, in the bucket's location (or the event's region)
//	message  the Pub/Sub topic if it does not exist, and an Eventarc trigger
//	         on google.cloud.pubsub.topic.v1.messagePublished with the topic
//	         as its transport
//	timer    a Cloud Scheduler HTTP job on gen.Schedule(timer, "gcf"), in
//	         time zone Etc/UTC, that posts to the service's URL with an OIDC
//	         token a structured-mode CloudEvent of type
//	         google.cloud.scheduler.job.v1.executed whose data holds the
//	         payload as customData, so that the function receives a
//	         *faas.TimerEvent with the payload; a timer with enable: false
//	         is created paused
//	log      an error: Eventarc delivers logs through Cloud Audit Logs
//	         triggers, whose serviceName and methodName f.yml cannot say
//
// Storage event names are read by StorageEventTypes. Eventarc filters
// Cloud Storage events on the bucket only, so a storage event's prefix and
// suffix filter is applied by the App instead: the service's environment
// holds faas.StorageFiltersEnv (see spec.Function.StorageFilters), and an
// event none of whose objects has the prefix and suffix is acknowledged
// without invoking the function, as the other platforms would not have
// sent it. A message
// event with a queue or tags, and a timer that Cloud Scheduler's cron
// cannot say are errors: Eventarc filters Pub/Sub messages not at all, and
// Pub/Sub has topics, not queues.
//
// A trigger or job is named <service>-<function>-<index of the event>
// (<service>-<stage>-<function>-<index> with a stage), or by the event's
// name, with the event type added when a storage event
// has several. The event's role, if it gives one, is the service account
// that the trigger or job invokes the service as; otherwise it is
// $INVOKER (see deploy.sh), which the script grants roles/run.invoker on
// every service with events. In a unit of several functions, each trigger
// and job delivers to the path /<function>, as functions-framework-go
// serves a function at /<name>, so that the unit can tell whose event it
// is. A function that also has a unit of its own (deployOrigin) has its
// events delivered there only, not to its group's unit too.
//
// # Errors
//
// What Cloud Run cannot express is a spec.Errors, every problem at its
// position in f.yml, with nothing generated; among them an architecture
// other than x86_64 (Cloud Run runs x86_64 images only), a provider.region
// it does not offer (a typo of one of Regions, or another platform's),
// and enable: false
// on a storage or message event, as an Eventarc trigger cannot be created
// disabled. A provider setting's error is reported once, at the provider,
// whatever the number of units.
package gcf

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

const platform = "gcf"

// ScriptFile is the name of the gcloud script among the generated files.
const ScriptFile = "deploy.sh"

// Cloud Run's limits on a service's settings.
const (
	maxTimeout     = 3600  // seconds
	maxConcurrency = 1000  // requests at once in an instance
	maxMemory      = 32768 // MiB
)

// New returns the generator of Cloud Run functions deployments.
func New() gen.Generator { return generator{} }

// Warnings returns the warning for a region Cloud Run functions may not have: one
// that differs from a region it offers in its digits alone (see
// gen.RegionWarning); for a custom.customDomain, which is not deployed
// (gen.DomainUndeployed); and for each extra key of an event (version,
// timeout, …) that Cloud Run has no place for (eventKeys).
func (generator) Warnings(in *gen.Input) spec.Errors {
	var out gen.ErrorList
	if w := gen.RegionWarning(in.Spec, "Cloud Run functions", Regions, regionShape); w != nil {
		out.Add(w)
	}
	if w := gen.DomainUndeployed(in.Spec, "Cloud Run functions", domainHint); w != nil {
		out.Add(w)
	}
	for _, w := range gen.UnusedEventKeys(in.Spec, eventKeys) {
		out.Add(w)
	}
	return out.Sorted()
}

// domainHint is what to do on Cloud Run for a custom.customDomain: a
// domain mapping serves one service (gcloud beta run domain-mappings, a
// preview in some regions only); a load balancer routes paths to several.
const domainHint = "map it to a unit's service with gcloud beta run domain-mappings create --service=<service> --domain=<domain> " +
	"(one service a domain, in the regions that offer it), or route its paths to the units' services with a global external " +
	"Application Load Balancer and serverless NEGs"

type generator struct{}

// Platform is "gcf".
func (generator) Platform() string { return platform }

// Generate returns the units' service YAML files and deploy.sh, last.
func (generator) Generate(in *gen.Input) ([]gen.File, error) {
	g := &generation{in: in, s: in.Spec, services: map[string]string{}, resources: map[string]string{}}
	if err := gen.X86Only(g.s, gen.X86OnlyRuntime("gcf")); err != nil {
		g.errs.Add(err)
	}
	g.checkProvider()
	own := map[string]bool{} // functions deployed as a unit of their own
	for _, u := range in.Units {
		if u.Group == nil {
			for _, f := range u.Functions {
				own[f.Name] = true
			}
		}
	}
	var (
		files []gen.File
		units []*unitPlan
	)
	for _, u := range in.Units {
		p, data := g.unit(u, own)
		units = append(units, p)
		files = append(files, gen.File{Name: p.file, Data: data})
	}
	if err := g.errs.Err(); err != nil {
		return nil, err
	}
	files = append(files, gen.File{Name: ScriptFile, Data: g.script(units)})
	return files, nil
}

// generation is one run of Generate.
type generation struct {
	in   *gen.Input
	s    *spec.Spec
	errs gen.ErrorList
	// services and resources map the names given so far to where f.yml
	// declares what they name.
	services, resources map[string]string
}

func (g *generation) fail(pos spec.Pos, path, format string, args ...any) {
	g.errs.Add(gen.ErrorAt(g.s, pos, path, format, args...))
}

// unitPlan is what deploy.sh deploys for a unit.
type unitPlan struct {
	unit    *spec.Unit
	file    string // the service YAML
	service string // the Cloud Run service's name
	routes  []string
	events  []*eventPlan
}

// eventPlan is an Eventarc trigger or a Cloud Scheduler job.
type eventPlan struct {
	fn      *spec.Function
	trigger string // spec.TriggerTimer, TriggerStorage or TriggerMessage
	where   string // the event's key path in f.yml
	name    string // the trigger's or job's name
	// ceType is a trigger's event type; the other fields say what the
	// event gives.
	ceType   string
	bucket   string
	topic    string
	schedule string
	payload  string
	paused   bool
	location string // the trigger's location, if the event gives one
	account  string // the service account to invoke as, if the event gives one
}

// regionShape is the shape of Google Cloud's region names, such as
// us-central1 and europe-west10: a continent, a direction and a number.
var regionShape = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)

// Regions are the regions Cloud Run functions offers (the Cloud Run
// functions locations page); a provider.region of another is an error,
// unless it has the shape of one (gen.Region).
var Regions = []string{
	"africa-south1",
	"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "asia-southeast3",
	"australia-southeast1", "australia-southeast2",
	"europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
	"europe-west8", "europe-west9", "europe-west10", "europe-west12",
	"me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
	"us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
	"us-west1", "us-west2", "us-west3", "us-west4",
}

var (
	regionPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	accountPattern = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$`)
)

// checkProvider checks what deploy.sh writes of the provider unquoted.
func (g *generation) checkProvider() {
	p := g.s.Provider
	if err := gen.Region(g.s, "Cloud Run functions", Regions, regionShape); err != nil {
		g.errs.Add(err)
	}
	if p.Role != "" && !accountPattern.MatchString(p.Role) {
		hint := ""
		if p.Roles == nil {
			// One role for every platform: another's, most likely.
			hint = " (for a role of another platform, give each its own: role: {fc: acs:ram::…, gcf: fn@project.iam.gserviceaccount.com})"
		}
		g.fail(gen.ProviderPos(g.s, "role"), "provider.role", "%q is not a service account's email, such as fn@project.iam.gserviceaccount.com%s", p.Role, hint)
	}
}

// unit builds the unit's service document and plans its events.
func (g *generation) unit(u *spec.Unit, own map[string]bool) (*unitPlan, []byte) {
	pos, path := unitWhere(u)
	name, err := resourceName(gen.DeployName(g.s, u.Name))
	if err != nil {
		g.fail(pos, path, "the Cloud Run service name %s %v", nameForm(g.s, "unit"), err)
	} else if other, dup := g.services[name]; dup {
		g.fail(pos, path, "the Cloud Run service name %q is also %s's", name, other)
	} else {
		g.services[name] = path
	}

	set := u.Settings(g.s.Provider)
	if v := spec.StorageFiltersEnv(gen.Delivered(u, own)); v != "" {
		set.Environment[faas.StorageFiltersEnv] = v
	}
	g.checkSettings(u, set)
	doc := g.service(u, name, set)
	gen.MergeService(doc, g.s.Platforms[platform])
	for _, f := range u.Functions {
		gen.MergeService(doc, f.Platforms[platform])
	}
	if n := gen.Get(gen.Get(doc, "metadata"), "name"); n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
		name = n.Value // renamed by a platforms block
	}
	data, err := gen.Encode(doc, gen.Header)
	if err != nil {
		g.fail(pos, path, "%v", err) // not expected: the document is built of nodes
	}

	p := &unitPlan{unit: u, file: u.Name + ".service.yaml", service: name}
	for _, f := range u.Functions {
		for i, e := range f.Events {
			where := f.EventPath(i)
			if e.HTTP != nil {
				p.routes = append(p.routes, route(e.HTTP))
				continue
			}
			if u.Group != nil && own[f.Name] {
				continue // delivered to the function's own unit
			}
			p.events = append(p.events, g.event(f, i, e, where)...)
		}
	}
	return p, data
}

// route is an HTTP event as a comment shows it.
func route(h *spec.HTTPEvent) string {
	methods := "ANY"
	if len(h.Methods) > 0 {
		methods = strings.Join(h.Methods, ",")
	}
	return methods + " " + h.Path
}

// checkSettings reports the settings Cloud Run cannot take: the unit's,
// and its member functions' own (gen.SettingValues).
func (g *generation) checkSettings(u *spec.Unit, set spec.Settings) {
	limits := []struct {
		key  string
		max  int
		get  func(spec.Settings) int
		what string
	}{
		{"memorySize", maxMemory, func(s spec.Settings) int { return s.MemorySize }, "Cloud Run gives an instance at most %d MiB of memory"},
		{"timeout", maxTimeout, func(s spec.Settings) int { return s.Timeout }, "Cloud Run waits at most %d seconds for a response"},
		{"concurrency", maxConcurrency, func(s spec.Settings) int { return s.Concurrency }, "Cloud Run sends an instance at most %d requests at once"},
	}
	for _, l := range limits {
		for _, v := range gen.SettingValues(g.s, u, l.key, l.get(set), l.get) {
			if v.Value > l.max {
				g.fail(v.Pos, v.Path, "%d is too large: "+l.what, v.Value, l.max)
			}
		}
	}
	for _, name := range reservedEnv {
		if _, ok := set.Environment[name]; ok {
			pos, path := gen.EnvPos(g.s, u, name)
			g.fail(pos, path, "Cloud Run sets %s itself and refuses a service that sets it", name)
		}
	}
}

// service builds the unit's Cloud Run service.
func (g *generation) service(u *spec.Unit, name string, set spec.Settings) *yaml.Node {
	env := map[string]string{}
	if len(u.Functions) == 1 {
		env["FUNCTION_TARGET"] = u.Functions[0].Name
	} else {
		env["FAAS_PLATFORM"] = platform
	}
	for k, v := range set.Environment {
		env[k] = v
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	slices.Sort(names)
	envSeq := gen.Seq()
	for _, k := range names {
		envSeq.Content = append(envSeq.Content, gen.Map("name", k, "value", env[k]))
	}

	labels := map[string]string{
		"anyfaas-service": labelValue(g.s.Service.Name),
		"anyfaas-unit":    labelValue(u.Name),
	}
	if g.s.Provider.Stage != "" {
		labels["anyfaas-stage"] = labelValue(g.s.Provider.Stage)
	}
	if g.s.Provider.Region != "" {
		labels["cloud.googleapis.com/location"] = g.s.Provider.Region
	}
	var annotations map[string]string
	if set.Description != "" {
		annotations = map[string]string{"run.googleapis.com/description": set.Description}
	}
	var memory string
	if set.MemorySize > 0 {
		memory = strconv.Itoa(set.MemorySize) + "Mi"
	}
	container := gen.Map(
		"image", g.in.Artifact(u.Name),
		"env", envSeq,
		"resources", gen.Map("limits", gen.Map("cpu", minCPU(set.MemorySize), "memory", memory)),
	)
	return gen.Map(
		"apiVersion", "serving.knative.dev/v1",
		"kind", "Service",
		"metadata", gen.Map("name", name, "labels", labels, "annotations", annotations),
		"spec", gen.Map("template", gen.Map("spec", gen.Map(
			"serviceAccountName", g.s.Provider.Role,
			"containerConcurrency", set.Concurrency,
			"timeoutSeconds", set.Timeout,
			"containers", gen.Seq(container),
		))),
	)
}

// minCPU returns the CPUs Cloud Run requires for memory MiB, when more
// than its default of 1: 2 above 4 GiB, 4 above 8 GiB, 6 above 16 GiB,
// 8 above 24 GiB (Cloud Run's "Required minimum CPUs"); "" for 1.
func minCPU(memory int) string {
	const gib = 1024
	switch {
	case memory > 24*gib:
		return "8"
	case memory > 16*gib:
		return "6"
	case memory > 8*gib:
		return "4"
	case memory > 4*gib:
		return "2"
	}
	return ""
}

// event plans what delivers a non-HTTP event, or reports why Cloud Run
// cannot have it.
func (g *generation) event(f *spec.Function, i int, e *spec.Event, where string) []*eventPlan {
	base := &eventPlan{fn: f, trigger: e.Trigger, where: where}
	if n := e.Extra["region"]; n != nil {
		if base.location = n.Value; !regionPattern.MatchString(base.location) {
			g.fail(spec.Pos{Line: n.Line, Column: n.Column}, where+".region", "%q is not a Google Cloud location, such as us-central1", n.Value)
		}
	}
	if n := e.Extra["role"]; n != nil {
		if base.account = n.Value; !accountPattern.MatchString(base.account) {
			g.fail(spec.Pos{Line: n.Line, Column: n.Column}, where+".role", "%q is not a service account's email, such as fn@project.iam.gserviceaccount.com", n.Value)
		}
	}
	var plans []*eventPlan
	switch {
	case e.Timer != nil:
		schedule, err := gen.Schedule(e.Timer, platform)
		if err != nil {
			g.fail(e.KeyPos("value"), where+".value", "Cloud Scheduler: %v", err)
		}
		p := *base
		p.schedule, p.payload, p.paused = schedule, e.Timer.Payload, !e.Timer.Enable
		plans = append(plans, &p)
	case e.Storage != nil:
		st := e.Storage
		if st.Disabled {
			g.errs.Add(gen.DisabledTrigger(g.s, e, where, "Cloud Run", "Eventarc trigger"))
		}
		types, err := StorageEventTypes(st.Events)
		if err != nil {
			g.fail(e.KeyPos("events"), where+".events", "%v", err)
		}
		for _, t := range types {
			p := *base
			p.ceType, p.bucket = t, bucketName(st.Bucket)
			plans = append(plans, &p)
		}
	case e.Message != nil:
		m := e.Message
		if m.Disabled {
			g.errs.Add(gen.DisabledTrigger(g.s, e, where, "Cloud Run", "Eventarc trigger"))
		}
		switch {
		case m.Queue != "":
			g.fail(e.KeyPos("queue"), where+".queue", "Pub/Sub has topics, not queues: give the topic")
		case m.Tags != "":
			g.fail(e.KeyPos("tags"), where+".tags", "Eventarc cannot filter Pub/Sub messages by tags: leave them out and check the attributes in the function")
		case gen.BatchKey(m) != "":
			key := gen.BatchKey(m)
			g.fail(e.KeyPos(key), where+"."+key, "Eventarc pushes one Pub/Sub message per request: it has no batch size or batching window; leave %s out", key)
		}
		p := *base
		p.ceType, p.topic = cloudevent.TypePubsubPublished, m.Topic
		plans = append(plans, &p)
	case e.Log != nil:
		g.fail(e.Pos, where, "Eventarc delivers log entries through Cloud Audit Logs triggers, which filter on a serviceName and methodName that a log event cannot say: create the trigger with gcloud eventarc triggers create, or route the logs to a Pub/Sub topic with a log sink and give the function a message event")
		return nil
	}
	g.name(plans, e, i, where)
	return plans
}

// name names an event's triggers or job.
func (g *generation) name(plans []*eventPlan, e *spec.Event, index int, where string) {
	if len(plans) == 0 {
		return
	}
	what := "Eventarc trigger"
	if e.Timer != nil {
		what = "Cloud Scheduler job"
	}
	// A kafka event's name is its CKafka instance, as SCF takes it, not
	// a name for the resource.
	named := e.Name != "" && e.Key != "kafka"
	for _, p := range plans {
		parts := []string{gen.DeployName(g.s, p.fn.Name), strconv.Itoa(index)}
		if named {
			parts = []string{e.Name}
		}
		if len(plans) > 1 {
			parts = append(parts, strings.ToLower(shortType(p.ceType)))
		}
		name, err := resourceName(parts...)
		switch {
		case err != nil && named:
			g.fail(e.KeyPos("name"), where+".name", "the %s name %v", what, err)
		case err != nil:
			g.fail(e.Pos, where, "the %s name %s-<index> %v: give the event a shorter name", what, nameForm(g.s, "function"), err)
		default:
			if other, dup := g.resources[name]; dup {
				g.fail(e.Pos, where, "the %s name %q is also %s's: give the event a name of its own", what, name, other)
			}
			g.resources[name] = where
		}
		p.name = name
	}
}

// eventKeys are the extra keys of events (spec.Event.Extra) the
// generator deploys: an event's role is the service account its Cloud
// Scheduler job or Eventarc trigger invokes the service as, a storage or
// message event's region its Eventarc trigger's location. Warnings warns
// of the others.
var eventKeys = gen.EventKeys{
	Platform: "Cloud Run",
	Used: map[string][]string{
		spec.TriggerHTTP:    nil,
		spec.TriggerTimer:   {"role"},
		spec.TriggerStorage: {"role", "region"},
		spec.TriggerMessage: {"role", "region"},
		spec.TriggerLog:     nil,
	},
	Trigger: func(e *spec.Event) string {
		switch {
		case e.HTTP != nil:
			return "an HTTP event (the Cloud Run service's own URL)"
		case e.Timer != nil:
			return "a Cloud Scheduler job"
		case e.Storage != nil, e.Message != nil:
			return "an Eventarc trigger"
		}
		return "a " + e.Key + " event"
	},
	Instead: map[string]string{
		"role":    "the service runs as provider.role",
		"version": "the service sends requests to its revisions as its spec.traffic says, in platforms.gcf",
		"timeout": "the service's timeoutSeconds is the function's or the provider's timeout",
		"region":  "the service and its Cloud Scheduler jobs are deployed in deploy.sh's REGION, provider.region",
	},
}
