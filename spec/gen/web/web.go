// Package web generates the deployment of an f.yml service on Knative: a
// Knative Service per deployment unit, running the anyfaas binary with the
// web adapter, and the Knative Eventing resources that deliver its events,
// for kubectl apply.
//
// # Files
//
//	<unit>.service.yaml     the unit's Knative Service (serving.knative.dev/v1)
//	<unit>.pingsource.yaml  the unit's timers: a PingSource
//	                        (sources.knative.dev/v1) each, one YAML
//	                        document apiece
//	<unit>.trigger.yaml     the unit's storage and message events: a
//	                        Trigger (eventing.knative.dev/v1) each, one YAML
//	                        document apiece
//
// A unit without timers has no pingsource file, one without storage or
// message events no trigger file. Every resource is left in the namespace
// kubectl applies it to.
//
// # The service
//
// A unit is deployed as the Knative Service <service>-<unit>, or
// <service>-<stage>-<unit> when the provider sets a stage: lower case, '_'
// as '-', at most 63 characters. Its labels are anyfaas-service and
// anyfaas-unit, and anyfaas-stage with a stage. The image is built for
// provider.architecture, x86_64 or arm64: the cluster's nodes say which
// it can run. Its one container runs the unit's image,
// gen.Input.Artifact(unit): the OCI image whose entrypoint is /bootstrap,
// with the unit's manifest /faas.json beside it. Knative sets K_SERVICE,
// which makes the binary choose the web adapter and listen on $PORT on
// every interface. The settings f.yml gives (spec.Unit.Settings) become:
//
//	memorySize   resources.limits.memory "<n>Mi"
//	timeout      timeoutSeconds
//	concurrency  containerConcurrency
//	environment  env, and FAAS_STORAGE_FILTERS for storage events' filters
//
// and what f.yml leaves out is left to Knative's defaults. The cluster's
// own limits are not errors, as a cluster sets them: a timeout over
// Knative's default max-revision-timeout-seconds, 600, is a warning
// (Warnings).
// PORT, K_SERVICE, K_REVISION and K_CONFIGURATION are Knative's to set;
// f.yml setting one is an error. The container's readiness and liveness
// probes are HTTP GETs of /health/readiness and /health/liveness, which the
// web adapter answers: readiness fails from the stop signal on, so that
// Knative sends an instance that is stopping no more requests.
//
// # The platforms block
//
// platforms.web at the top of f.yml is merged into the root of every
// Service document, then the platforms.web of each of the unit's
// functions, in the order of f.yml, with gen.MergeService: mappings merge
// key by key, and any other value, a list included, replaces what was
// generated, except spec.template.spec.containers, whose containers merge
// into the generated ones by index (their env by name), so that envFrom
// or volumeMounts add to the function's container rather than replace it.
// It is the place for what f.yml has no key for, such as a namespace, the
// autoscaling.knative.dev annotations of spec.template.metadata, or a
// serviceAccountName. PingSources and Triggers refer to the Service by the
// metadata.name the block gives, if it gives one, and are put in the
// metadata.namespace it gives (a Trigger's broker is in its namespace);
// nothing else of them comes from the block.
//
// # Events
//
//	http     nothing: the Service serves every route of the unit at its URL
//	timer    a PingSource on gen.Schedule(timer, "web"), time zone UTC,
//	         whose data is the payload (content type application/json when
//	         the payload is a JSON object or array, else text/plain, a
//	         JSON number or word included) and whose sink is the
//	         Service; a timer with enable: false has none, as a PingSource
//	         cannot be paused
//	storage  a Trigger per event type on the broker named default, filtered
//	         on the type Cloud Storage sends (see gcf.StorageEventTypes)
//	         and the source //storage.googleapis.com/projects/_/buckets/<bucket>,
//	         whose subscriber is the Service; its prefix and suffix are
//	         checked by the App (below)
//	message  a Trigger on the broker named default, filtered on the type
//	         google.cloud.pubsub.topic.v1.messagePublished and the source
//	         //pubsub.googleapis.com/<topic>, whose subscriber is the Service;
//	         the topic is given as projects/<project>/topics/<topic>, or by
//	         its name alone with the project as provider.project
//	log      an error
//
// Knative Eventing delivers a broker's CloudEvents to the subscribers of
// its Triggers, and the web adapter turns the CloudEvents Google's services
// send (by their type) into standard events, so a Trigger is how a unit
// subscribes to storage and message events on Knative. What feeds the
// broker with those events is the cluster's: an event source of the user's
// choosing that emits Google's CloudEvents types (Knative has no source of
// its own for Cloud Storage or Pub/Sub), or any producer posting them to
// the broker. Without one, the Triggers are valid and inert. Filtering on
// the source as well as the type keeps a unit to its bucket or topic, which
// is why a topic needs its project: Knative's Trigger filters match
// attributes exactly. For the same reason a Trigger cannot filter on an
// object's name, so a storage event's prefix and suffix filter is applied
// by the App instead: the Service's environment holds
// faas.StorageFiltersEnv (see spec.Function.StorageFilters), and an event
// none of whose objects has the prefix and suffix is acknowledged without
// invoking the function. A message event with a queue or tags is an error, as is a
// log event, for which there is no CloudEvents type or source to filter
// on. Such an event needs an event source and a Trigger of the
// user's own, next to what is generated here.
//
// A PingSource or Trigger is named <service>-<function>-<index of the
// event> (<service>-<stage>-<function>-<index> with a stage), or by the
// event's name, with the event type added when a storage
// event has several. In a unit of several functions, each delivers to the
// path /<function> of the Service, as functions-framework-go serves a
// function at /<name>, so that the unit can tell whose event it is. A
// function that also has a unit of its own (deployOrigin) has its events
// delivered there only, not to its group's unit too.
//
// # Errors
//
// What Knative cannot express is a spec.Errors, every problem at its
// position in f.yml, with nothing generated; among them enable: false on a
// storage or message event, as a Trigger cannot be created disabled. A
// provider setting's error is reported once, at the provider, whatever the
// number of units.
package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/gcf"
)

const platform = "web"

// The web adapter's health paths (adapters/web ReadinessPath and
// LivenessPath); the generator does not import the adapter, which would
// register it in the CLI.
const (
	readinessPath = "/health/readiness"
	livenessPath  = "/health/liveness"
)

// New returns the generator of Knative deployments.
func New() gen.Generator { return generator{} }

type generator struct{}

// maxRevisionTimeout is the longest timeoutSeconds Knative Serving takes
// by default: config-defaults' max-revision-timeout-seconds, 600 (Knative's
// "Configuring the Defaults ConfigMap"). Its webhook refuses a revision
// asking for more, unless the cluster raises it.
const maxRevisionTimeout = 600

// Warnings returns a warning for each timeout over Knative's default
// max-revision-timeout-seconds: a cluster that keeps the default refuses
// the Service; one that raises it takes it. And one for a
// custom.customDomain, which is not deployed (gen.DomainUndeployed), and
// one for each extra key of an event (role, version, …), which Knative's
// resources have no place for (eventKeys).
func (generator) Warnings(in *gen.Input) spec.Errors {
	units := in.Units
	if units == nil {
		units = in.Spec.Units()
	}
	var out gen.ErrorList
	for _, w := range gen.Timeouts(in.Spec, units, maxRevisionTimeout,
		"Knative refuses a revision timeoutSeconds of %d, over its max-revision-timeout-seconds, %d by default: raise that in the cluster's config-defaults ConfigMap, or give a shorter timeout") {
		out.Add(w)
	}
	if w := gen.DomainUndeployed(in.Spec, "Knative", domainHint); w != nil {
		out.Add(w)
	}
	for _, w := range gen.UnusedEventKeys(in.Spec, eventKeys) {
		out.Add(w)
	}
	return out.Sorted()
}

// domainHint is what to do on Knative for a custom.customDomain: a
// DomainMapping serves one Knative Service under a domain; the cluster's
// ingress routes paths to several.
const domainHint = "map it to a unit's Knative Service with a DomainMapping (serving.knative.dev/v1beta1, one Service a domain), " +
	"or route its paths to the units' Services with the cluster's ingress"

// Platform is "web".
func (generator) Platform() string { return platform }

// Generate returns each unit's files, unit by unit.
func (generator) Generate(in *gen.Input) ([]gen.File, error) {
	g := &generation{in: in, s: in.Spec, names: map[string]map[string]string{}}
	own := map[string]bool{} // functions deployed as a unit of their own
	for _, u := range in.Units {
		if u.Group == nil {
			for _, f := range u.Functions {
				own[f.Name] = true
			}
		}
	}
	var files []gen.File
	for _, u := range in.Units {
		files = append(files, g.unit(u, own)...)
	}
	if err := g.errs.Err(); err != nil {
		return nil, err
	}
	return files, nil
}

// generation is one run of Generate.
type generation struct {
	in   *gen.Input
	s    *spec.Spec
	errs gen.ErrorList
	// names maps, by kind, the names given so far to where f.yml declares
	// what they name.
	names map[string]map[string]string
}

func (g *generation) fail(pos spec.Pos, path, format string, args ...any) {
	g.errs.Add(gen.ErrorAt(g.s, pos, path, format, args...))
}

// claim records a resource's name, reporting one already given.
func (g *generation) claim(kind, name string, pos spec.Pos, path, hint string) {
	if g.names[kind] == nil {
		g.names[kind] = map[string]string{}
	}
	if other, dup := g.names[kind][name]; dup {
		g.fail(pos, path, "the %s name %q is also %s's%s", kind, name, other, hint)
		return
	}
	g.names[kind][name] = path
}

// unit generates a unit's files.
func (g *generation) unit(u *spec.Unit, own map[string]bool) []gen.File {
	pos, path := unitWhere(u)
	name, err := resourceName(gen.DeployName(g.s, u.Name))
	if err != nil {
		g.fail(pos, path, "the Knative Service name %s %v", nameForm(g.s, "unit"), err)
	} else {
		g.claim("Knative Service", name, pos, path, "")
	}
	set := u.Settings(g.s.Provider)
	if v := spec.StorageFiltersEnv(gen.Delivered(u, own)); v != "" {
		set.Environment[faas.StorageFiltersEnv] = v
	}
	for _, env := range reservedEnv {
		if _, ok := set.Environment[env]; ok {
			pos, path := gen.EnvPos(g.s, u, env)
			g.fail(pos, path, "Knative sets %s itself and refuses a Service that sets it", env)
		}
	}
	doc := g.service(u, name, set)
	gen.MergeService(doc, g.s.Platforms[platform])
	for _, f := range u.Functions {
		gen.MergeService(doc, f.Platforms[platform])
	}
	// What a platforms block says of the Service's name and namespace
	// holds for the resources that refer to it.
	svc := &target{}
	if n := gen.Get(gen.Get(doc, "metadata"), "name"); n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
		name = n.Value
	}
	if n := gen.Get(gen.Get(doc, "metadata"), "namespace"); n != nil && n.Kind == yaml.ScalarNode {
		svc.namespace = n.Value
	}
	svc.ref = gen.Map("apiVersion", "serving.knative.dev/v1", "kind", "Service", "name", name)

	var pings, triggers []*yaml.Node
	for _, f := range u.Functions {
		if u.Group != nil && own[f.Name] {
			continue // delivered to the function's own unit
		}
		uri := ""
		if len(u.Functions) > 1 {
			uri = "/" + f.Name
		}
		for i, e := range f.Events {
			where := f.EventPath(i)
			switch {
			case e.Timer != nil:
				if p := g.pingSource(u, f, i, e, where, svc, uri); p != nil {
					pings = append(pings, p)
				}
			case e.Storage != nil, e.Message != nil:
				triggers = append(triggers, g.triggers(u, f, i, e, where, svc, uri)...)
			case e.Log != nil:
				g.fail(e.Pos, where, "Knative Eventing has no source of log entries, and a log event says no CloudEvents type or source to filter on: deploy an event source that sends the entries to a broker, and subscribe the Service to them with a Trigger of your own")
			}
		}
	}

	files := []gen.File{{Name: u.Name + ".service.yaml", Data: g.encode(pos, path, doc)}}
	if len(pings) > 0 {
		files = append(files, gen.File{Name: u.Name + ".pingsource.yaml", Data: g.encode(pos, path, pings...)})
	}
	if len(triggers) > 0 {
		files = append(files, gen.File{Name: u.Name + ".trigger.yaml", Data: g.encode(pos, path, triggers...)})
	}
	return files
}

// target is the Service that a unit's PingSources and Triggers deliver to.
type target struct {
	ref       *yaml.Node // a reference to it
	namespace string     // its namespace, if the platforms block gives one
}

// encode writes documents as one YAML stream, beginning with gen.Header.
func (g *generation) encode(pos spec.Pos, path string, docs ...*yaml.Node) []byte {
	var out bytes.Buffer
	for i, doc := range docs {
		var header []string
		if i == 0 {
			header = []string{gen.Header}
		} else {
			out.WriteString("---\n")
		}
		data, err := gen.Encode(doc, header...)
		if err != nil {
			g.fail(pos, path, "%v", err) // not expected: the documents are built of nodes
		}
		out.Write(data)
	}
	return out.Bytes()
}

// service builds the unit's Knative Service.
func (g *generation) service(u *spec.Unit, name string, set spec.Settings) *yaml.Node {
	names := make([]string, 0, len(set.Environment))
	for k := range set.Environment {
		names = append(names, k)
	}
	slices.Sort(names)
	env := gen.Seq()
	for _, k := range names {
		env.Content = append(env.Content, gen.Map("name", k, "value", set.Environment[k]))
	}
	var memory string
	if set.MemorySize > 0 {
		memory = strconv.Itoa(set.MemorySize) + "Mi"
	}
	container := gen.Map(
		"image", g.in.Artifact(u.Name),
		"env", env,
		"resources", gen.Map("limits", gen.Map("memory", memory)),
		"readinessProbe", gen.Map("httpGet", gen.Map("path", readinessPath)),
		"livenessProbe", gen.Map("httpGet", gen.Map("path", livenessPath)),
	)
	return gen.Map(
		"apiVersion", "serving.knative.dev/v1",
		"kind", "Service",
		"metadata", gen.Map("name", name, "labels", g.labels(u, nil)),
		"spec", gen.Map("template", gen.Map("spec", gen.Map(
			"containerConcurrency", set.Concurrency,
			"timeoutSeconds", set.Timeout,
			"containers", gen.Seq(container),
		))),
	)
}

// labels are the labels of the unit's resources, and of its function f's.
func (g *generation) labels(u *spec.Unit, f *spec.Function) map[string]string {
	l := map[string]string{
		"anyfaas-service": labelValue(g.s.Service.Name),
		"anyfaas-unit":    labelValue(u.Name),
	}
	if g.s.Provider.Stage != "" {
		l["anyfaas-stage"] = labelValue(g.s.Provider.Stage)
	}
	if f != nil {
		l["anyfaas-function"] = labelValue(f.Name)
	}
	return l
}

// pingSource builds a timer's PingSource, or nil for a disabled timer.
func (g *generation) pingSource(u *spec.Unit, f *spec.Function, i int, e *spec.Event, where string, svc *target, uri string) *yaml.Node {
	schedule, err := gen.Schedule(e.Timer, platform)
	if err != nil {
		g.fail(e.KeyPos("value"), where+".value", "Knative PingSource: %v", err)
	}
	names := g.eventNames(e, f, i, where, "PingSource", []string{""})
	if !e.Timer.Enable {
		return nil
	}
	return gen.Map(
		"apiVersion", "sources.knative.dev/v1",
		"kind", "PingSource",
		"metadata", gen.Map("name", names[0], "namespace", svc.namespace, "labels", g.labels(u, f)),
		"spec", gen.Map(
			"schedule", schedule,
			"timezone", "UTC",
			"contentType", payloadType(e.Timer.Payload),
			"data", e.Timer.Payload,
			"sink", gen.Map("ref", svc.ref, "uri", uri),
		),
	)
}

// payloadType is the content type of a timer's payload: application/json
// for a JSON object or array, text/plain for any other text (a number or
// a word is JSON too, but not what a payload of JSON means), "" for none.
func payloadType(payload string) string {
	if payload == "" {
		return ""
	}
	if t := strings.TrimSpace(payload); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		return "application/json"
	}
	return "text/plain"
}

var topicName = regexp.MustCompile(`^projects/[^/]+/topics/[^/]+$`)

// triggers builds the Triggers of a storage or message event.
func (g *generation) triggers(u *spec.Unit, f *spec.Function, i int, e *spec.Event, where string, svc *target, uri string) []*yaml.Node {
	var types []string
	var source string
	if st := e.Storage; st != nil {
		if st.Disabled {
			g.errs.Add(gen.DisabledTrigger(g.s, e, where, "Knative", "Trigger"))
		}
		var err error
		if types, err = gcf.StorageEventTypes(st.Events); err != nil {
			g.fail(e.KeyPos("events"), where+".events", "%v", err)
		}
		source = "//storage.googleapis.com/projects/_/buckets/" + strings.TrimPrefix(st.Bucket, "gs://")
	} else {
		m := e.Message
		if m.Disabled {
			g.errs.Add(gen.DisabledTrigger(g.s, e, where, "Knative", "Trigger"))
		}
		topic := m.Topic
		if project := g.s.Provider.Project; project != "" && topic != "" && !strings.Contains(topic, "/") {
			topic = "projects/" + project + "/topics/" + topic
		}
		switch {
		case m.Queue != "":
			g.fail(e.KeyPos("queue"), where+".queue", "Knative delivers Pub/Sub messages, which come from topics, not queues: give a topic instead (its name with provider.project, or projects/<project>/topics/<topic>)")
		case m.Tags != "":
			g.fail(e.KeyPos("tags"), where+".tags", "a Knative Trigger cannot filter Pub/Sub messages by tags: leave them out and check the attributes in the function")
		case gen.BatchKey(m) != "":
			key := gen.BatchKey(m)
			g.fail(e.KeyPos(key), where+"."+key, "a Knative Trigger delivers one event per request: it has no batch size or batching window; leave %s out", key)
		case !topicName.MatchString(topic) && g.s.Provider.Project == "" && !strings.Contains(topic, "/"):
			g.fail(e.KeyPos("topic"), where+".topic", "a Knative Trigger matches the topic in the event's source, //pubsub.googleapis.com/projects/<project>/topics/<topic>, exactly: set the project as provider.project, or give the topic as projects/<project>/topics/<topic>, not %q", m.Topic)
		case !topicName.MatchString(topic):
			g.fail(e.KeyPos("topic"), where+".topic", "a Knative Trigger matches the topic in the event's source, //pubsub.googleapis.com/projects/<project>/topics/<topic>, exactly: give the topic as its name (with provider.project) or as projects/<project>/topics/<topic>, not %q", m.Topic)
		}
		types, source = []string{cloudevent.TypePubsubPublished}, "//pubsub.googleapis.com/"+topic
	}
	suffixes := []string{""}
	if len(types) > 1 {
		suffixes = nil
		for _, t := range types {
			suffixes = append(suffixes, strings.ToLower(t[strings.LastIndex(t, ".")+1:]))
		}
	}
	names := g.eventNames(e, f, i, where, "Trigger", suffixes)
	var out []*yaml.Node
	for j, t := range types {
		out = append(out, gen.Map(
			"apiVersion", "eventing.knative.dev/v1",
			"kind", "Trigger",
			"metadata", gen.Map("name", names[j], "namespace", svc.namespace, "labels", g.labels(u, f)),
			"spec", gen.Map(
				"broker", "default",
				"filter", gen.Map("attributes", gen.Map("type", t, "source", source)),
				"subscriber", gen.Map("ref", svc.ref, "uri", uri),
			),
		))
	}
	return out
}

// eventNames names the resources of one event, one per suffix ("" for none).
func (g *generation) eventNames(e *spec.Event, f *spec.Function, i int, where, kind string, suffixes []string) []string {
	// A kafka event's name is its CKafka instance, as SCF takes it, not
	// a name for the resource.
	named := e.Name != "" && e.Key != "kafka"
	var out []string
	for _, suffix := range suffixes {
		parts := []string{gen.DeployName(g.s, f.Name), strconv.Itoa(i)}
		if named {
			parts = []string{e.Name}
		}
		if suffix != "" {
			parts = append(parts, suffix)
		}
		name, err := resourceName(parts...)
		switch {
		case err != nil && named:
			g.fail(e.KeyPos("name"), where+".name", "the %s name %v", kind, err)
		case err != nil:
			g.fail(e.Pos, where, "the %s name %s-<index> %v: give the event a shorter name", kind, nameForm(g.s, "function"), err)
		default:
			g.claim(kind, name, e.Pos, where, ": give the event a name of its own")
		}
		out = append(out, name)
	}
	return out
}

// eventKeys says that the Knative resources deploy none of the extra
// keys of events (spec.Event.Extra): Warnings warns of each, with what to
// use instead where Knative has it.
var eventKeys = gen.EventKeys{
	Platform: "Knative",
	Trigger: func(e *spec.Event) string {
		switch {
		case e.HTTP != nil:
			return "an HTTP event (the Knative Service's own route)"
		case e.Timer != nil:
			return "a PingSource"
		case e.Storage != nil, e.Message != nil:
			return "a Knative Trigger"
		}
		return "a " + e.Key + " event"
	},
	Instead: map[string]string{
		"role":      "give the Service a serviceAccountName in platforms.web",
		"version":   "the Service sends requests to its revisions as its spec.traffic says, in platforms.web",
		"timeout":   "the Service's timeoutSeconds is the function's or the provider's timeout",
		"region":    "the resources run in the cluster kubectl applies them to",
		"retryTime": "Knative Eventing retries a delivery as the broker's spec.delivery.retry says",
	},
}
