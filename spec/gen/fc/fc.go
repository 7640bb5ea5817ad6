// Package fc writes the deploy specs of Aliyun Function Compute (FC): the
// Serverless Devs s.yaml (edition 3.0.0) for the fc3 component, which
// deploys to FC 3.0, and the legacy funcraft template.yml (ROS
// 2015-09-01, Transform Aliyun::Serverless-2018-04-03), which deploys to
// FC 2.0.
//
// # Units and functions
//
// Each deployment unit is one FC function. In s.yaml it is the resource
// named after the unit, component fc3, whose function is named
// <service>-<unit>, or <service>-<stage>-<unit> when the provider sets a
// stage (FC 3.0 has no services, so the service name and the stage keep
// the functions of two services, or two stages, apart): FunctionName. In
// template.yml it is the Aliyun::Serverless::Function named after the
// unit, inside the Aliyun::Serverless::Service named <service>, or
// <service>-<stage>: ServiceName. The go1 runtime runs x86_64 executables
// only, so provider.architecture arm64 is an error.
//
// The code is the unit's artifact (gen.Input.Artifact), a zip holding the
// executable main and its manifest faas.json. In s.yaml the runtime is
// go1 and the handler main, whatever provider.runtime says (it names the
// runtime of other languages' functions in Midway's specs). funcraft does
// not know go1, so template.yml uses runtime custom, in which FC 2.0 runs
// the file bootstrap of the code: the zip must hold one that starts main
// (the adapter serves FC's custom runtime contract when FC_RUNTIME_API is
// unset).
//
// Memory, timeout, instance concurrency, initialization timeout,
// description and environment come from spec.Unit.Settings; a value the
// spec does not set is left out, so FC's own default applies. initTimeout
// also configures FC's initializer (handler "initialize"), which the
// adapter answers by starting the App's functions. One thing is always
// configured: FC's preStop hook (handler "preStop", 10 seconds), which the
// adapter answers by running the App's Close hooks, so that FC lets them
// run before it stops an instance, as emulator/fc and anyfaas dev do; the
// keys a platforms block gives instanceLifecycleConfig.preStop (in
// template.yml, the function's InstanceLifecycleConfig.PreStop) win.
// FC 3.0 has no preFreeze hook (its InstanceLifecycleConfig holds
// initializer and preStop); FC 2.0's, which runs the App's Freeze hooks,
// is billed as an invocation before every freeze, and so is configured in
// template.yml only by a function's platforms.fc.funcraft block
// (Properties.InstanceLifecycleConfig.PreFreeze).
//
// FC 3.0 honours instanceConcurrency on custom runtimes only (devsapp/fc3
// __tests__/complete-props.yaml); go1 instances run one invocation at a
// time.
//
// provider.role, and Midway's FC keys in provider (vpcConfig, logConfig,
// nasConfig, internetAccess, tracingConfig, layers, asyncConfiguration,
// policies, authType, access), go to their fc3 props, and in
// template.yml to the Service (the function for layers and
// asyncConfiguration), with their keys upper-camel-cased as Midway does
// and "auto" written Auto. tracingConfig goes to s.yaml when it is a
// mapping (fc3's {type, params}) and to template.yml when it is Enable or
// Disable; policies only to template.yml (fc3 takes a role).
//
// # Triggers
//
//	f.yml event              s.yaml (fc3)                      template.yml (funcraft)
//	http, apigw              one http trigger per unit         one HTTP event per unit
//	timer                    timer                             Timer
//	storage (oss, cos, …)    oss                               OSS
//	message with a topic     mns_topic                         MNSTopic
//	message with a queue     eventbridge, event source MNS     an error: FC 2.0 has none
//	log                      log                               Log
//
// FC gives a function one HTTP trigger, so a unit's HTTP events become one
// trigger whose methods are the union of theirs (an event without methods
// allows all); its auth type is anonymous unless provider.authType says
// otherwise. A unit whose App answers CORS preflights for a function
// (spec.Spec.AnswersPreflights: a layer that says it does) gets OPTIONS among its
// trigger's methods and its custom domain routes' for the function's
// paths, also for an event with cors: true (FC has no CORS setting of its
// own to answer them); FC 2.0's HTTP trigger takes no OPTIONS, so template.yml cannot
// be written for it. Timer expressions come from gen.Schedule: six fields with
// seconds, or @every; FC evaluates them in UTC. A cron whose days are both
// ? gets * for the day of month. An OSS trigger listens to
// oss:ObjectCreated:* unless the event names its events. An MNS topic
// trigger gets JSON notifications with the event's strategy, or
// BACKOFF_RETRY, and filters by its tags; an MNS queue trigger
// (EventBridge) cannot filter by tags, and is created disabled by enable:
// false (triggerEnable); with batchSize (and maximumBatchingWindow, in
// seconds) it is an event stream that pushes batches of CloudEvents
// (runOptions.batchWindow), within FC's limits (1 to 10000 messages, at
// most 15 seconds), and an MNS topic trigger, which pushes one message at
// a time, refuses them. OSS and MNS topic triggers have no enable switch,
// so enable: false on them is an error, in both files. A log trigger
// reads the source logstore of project and writes its own logs to log,
// retrying retryTime times (1) every interval seconds (30), Midway's
// defaults.
// Event keys role and version become the trigger's invocation role and
// qualifier; fc3 finds the default role of OSS, log and MNS triggers
// itself. A trigger is named by its event's name; otherwise the HTTP
// trigger is http and the others <function>-<kind> (timer, oss, mns,
// mns-queue, log), numbered from 2 when a unit has several.
//
// In s.yaml the ARN of an event source uses ${config('AccountID')}, which
// Serverless Devs fills in with the account of the access used.
//
// # Custom domain
//
// custom.customDomain.domainName (auto for FC's own test domain; false or
// unset for none) routes the HTTP paths of every unit to its function: in
// s.yaml a resource customDomain of the fc3-domain component, after the
// functions; in template.yml an Aliyun::Serverless::CustomDomain. FC
// matches a route's path exactly, or as a prefix when it ends in /*, so an
// aggregated unit gets its Prefix, and a function each of its paths with
// everything from the first parameter on turned into /* (/items/{id}
// becomes /items/*). A path ending in a wildcard also gets the path
// without it, which FC's /* does not match. Two units served at one FC
// path is an error, unless one is a group holding the other (deployOrigin),
// which then keeps the path.
//
// # Pass-through
//
// The service's platforms.fc block is merged verbatim into the root of
// s.yaml, where it can set access, vars, flow or actions, or any prop of
// a resource (resources.<unit>.props.cpu); its key funcraft, if any, is
// merged into the root of template.yml instead. Any other key of it not
// in RootKeys is a warning (Warnings). A function's platforms.fc
// is merged into the props of each unit serving it (for a group, each
// member's block, in order), and its key funcraft into the unit's
// Aliyun::Serverless::Function (Properties, Events).
//
// # Errors
//
// What FC cannot express is an error at the f.yml position of its cause,
// and all of them come back together as a spec.Errors: an s.yaml without
// provider.region, a provider.region FC does not offer (a typo of one of
// Regions, or a name not of their shape), a provider vpcConfig, logConfig or nasConfig without
// the keys FC requires, an architecture other than x86_64, a timer
// gen.Schedule cannot translate, enable: false on an OSS or MNS topic
// trigger, tags on an MNS queue, batching on an MNS topic or beyond FC's
// limits, a kafka
// event (declare it under platforms.fc), a log event without project or
// log, a trigger name FC refuses or a unit uses twice, memory, timeout or
// concurrency FC does not offer (initTimeout too: at most 300 seconds,
// FC's limit on the initializer), a route two units claim, a stage FC's
// names cannot hold or a function name (s.yaml) or service name
// (template.yml) it makes too long (FC 3.0 function names: letters,
// digits, '_' and '-', not starting with a digit or '-', at most 64;
// FC 2.0 service names the same, at most 128), and for template.yml
// what FC 2.0 lacks (MNS queues, PATCH and OPTIONS, the OPTIONS of a
// function whose App answers CORS preflights, an HTTP function with other
// triggers).
//
// Sources: devsapp/fc3 src/schema.json, src/interface/*.ts and its
// __tests__ s.yaml files; devsapp/fc3-domain; Serverless-Devs docs/zh/yaml.md;
// alibaba/funcraft's rosSchema and validate schemas; FC's documentation of
// triggers, custom domains and the EventBridge MNS source; Midway's FC spec
// builder as summarised in the project's notes.
package fc

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// Names of the files the generator writes.
const (
	// SYAML is the Serverless Devs spec for the fc3 component.
	SYAML = "s.yaml"
	// TemplateYML is the funcraft (fun) template.
	TemplateYML = "template.yml"
)

// The code each function runs, by convention of the packager: the zip
// holds the executable main beside its manifest.
const (
	// Runtime is the FC 3.0 runtime of every function in s.yaml.
	Runtime = "go1"
	// FuncraftRuntime is the runtime of every function in template.yml:
	// funcraft does not know go1, and FC 2.0's custom runtime runs the
	// code's bootstrap.
	FuncraftRuntime = "custom"
	// Handler is the handler of every function.
	Handler = "main"
	// Initializer is the handler of FC's initializer, configured when the
	// spec sets initTimeout.
	Initializer = "initialize"
	// PreStop is the handler of FC's preStop hook, configured for every
	// function, so that FC lets the App's Close hooks (a layer's flush of
	// its metrics or spans, a pool's close) run before it stops an
	// instance, as emulator/fc does: adapters/fc tells the hook by
	// x-fc-function-type 2, or by GET /pre-stop, whatever its handler.
	PreStop = "preStop"
	// PreStopTimeout is the preStop hook's timeout in seconds: the time
	// adapters/fc gives the Close hooks after a stop signal
	// (fc.ShutdownTimeout). FC allows up to 90.
	PreStopTimeout = 10
)

// regionShape is the shape of Aliyun's region names: cn-<city> in the
// Chinese mainland and Hong Kong, such as cn-hangzhou, and
// <area>-<direction>-<number> elsewhere, such as ap-southeast-1 (and the
// industry clouds', such as cn-shanghai-finance-1). Tencent's
// ap-guangzhou and Google's us-central1 have neither shape.
var regionShape = regexp.MustCompile(`^(cn-[a-z]+(-[a-z]+-[0-9]+)?|[a-z]{2}-[a-z]+-[0-9]+)$`)

// Regions are the regions Function Compute 3.0 offers: Alibaba Cloud's
// "Supported regions" and "Endpoints" pages of Function Compute
// (help.aliyun.com/en/functioncompute/regions,
// alibabacloud.com/help/en/functioncompute/fc-3-0/developer-reference/fc-endpoints),
// without Australia (Sydney), ap-southeast-2, where the service has ended.
// A provider.region of another is an error, unless it has the shape of
// one (gen.Region).
var Regions = []string{
	"cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou",
	"cn-huhehaote", "cn-wulanchabu", "cn-shenzhen", "cn-chengdu", "cn-hongkong",
	"ap-southeast-1", "ap-southeast-3", "ap-southeast-5", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2",
	"eu-central-1", "eu-west-1", "us-east-1", "us-west-1",
}

// Generator writes FC's deploy specs. Its zero value, which New returns,
// writes both files.
type Generator struct {
	// Files names the files to write, SYAML and TemplateYML; nil means
	// both. Only what the named files cannot express is an error.
	Files []string
}

// New returns the generator of both s.yaml and template.yml.
func New() gen.Generator { return Generator{} }

// Warnings returns the warning for a region FC may not have: one
// that differs from a region it offers in its digits alone (see
// gen.RegionWarning); and, when g writes s.yaml, one for each key of the
// service's platforms.fc block that Serverless Devs does not read at the
// root of s.yaml, where the block is merged (see rootWarnings); and one
// for each extra key of an event (timeout, serviceId, …) its trigger has
// no place for (eventKeys).
func (g Generator) Warnings(in *gen.Input) spec.Errors {
	var out gen.ErrorList
	if w := gen.RegionWarning(in.Spec, "FC", Regions, regionShape); w != nil {
		out.Add(w)
	}
	if g.Files == nil || slices.Contains(g.Files, SYAML) {
		for _, w := range rootWarnings(in.Spec) {
			out.Add(w)
		}
	}
	for _, w := range gen.UnusedEventKeys(in.Spec, eventKeys) {
		out.Add(w)
	}
	return out.Sorted()
}

// Platform returns "fc".
func (Generator) Platform() string { return "fc" }

// FunctionName returns the FC 3.0 name of a unit's function:
// <service>-<unit>, or <service>-<stage>-<unit> when the provider sets a
// stage.
func FunctionName(s *spec.Spec, unit string) string { return gen.DeployName(s, unit) }

// functionNameMade says how FunctionName makes a name, for an error.
func functionNameMade(s *spec.Spec) string {
	if s.Provider.Stage != "" {
		return "<service>-<stage>-<unit>"
	}
	return "<service>-<unit>"
}

// ServiceName returns the name of the FC 2.0 service that template.yml
// declares: <service>, or <service>-<stage> when the provider sets a
// stage, so that the stages of a service are services apart (its
// functions are named after their units).
func ServiceName(s *spec.Spec) string {
	if s.Provider.Stage != "" {
		return s.Service.Name + "-" + s.Provider.Stage
	}
	return s.Service.Name
}

// Generate returns s.yaml and template.yml, or those g.Files names, in
// that order. The error is a spec.Errors.
func (g Generator) Generate(in *gen.Input) ([]gen.File, error) {
	files := g.Files
	if files == nil {
		files = []string{SYAML, TemplateYML}
	}
	for _, f := range files {
		if f != SYAML && f != TemplateYML {
			return nil, fmt.Errorf("fc: no file %q to generate: want %s or %s", f, SYAML, TemplateYML)
		}
	}
	units := in.Units
	if units == nil {
		units = in.Spec.Units()
	}
	p := newPlan(in, units)
	var out []gen.File
	if slices.Contains(files, SYAML) {
		data, err := p.sYAML()
		if err != nil {
			return nil, err
		}
		out = append(out, gen.File{Name: SYAML, Data: data})
	}
	if slices.Contains(files, TemplateYML) {
		data, err := p.funcraft()
		if err != nil {
			return nil, err
		}
		out = append(out, gen.File{Name: TemplateYML, Data: data})
	}
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// plan is what both files are written from: the units with their
// settings, triggers and routes, checked once.
type plan struct {
	in    *gen.Input
	s     *spec.Spec
	units []*unitPlan
	// domain is custom.customDomain, nil for none.
	domain *domain
	errs   gen.ErrorList
}

// unitPlan is one unit as an FC function.
type unitPlan struct {
	unit     *spec.Unit
	settings spec.Settings
	// pos and path locate the unit in f.yml: its group, or its function.
	pos  spec.Pos
	path string
	// http is the unit's one HTTP trigger, nil if it has no HTTP event.
	http *httpTrigger
	// triggers are the other events, in order.
	triggers []*trigger
	routes   []*route
}

// eventRef is an event of a unit's function.
type eventRef struct {
	fn   *spec.Function
	ev   *spec.Event
	path string // functions.<fn>.events[i].<key>
}

func (r eventRef) fail(p *plan, format string, args ...any) {
	p.errs.Add(gen.ErrorAt(p.s, r.ev.Pos, r.path, format, args...))
}

// failAt reports a problem with the event's key, at its value.
func (r eventRef) failAt(p *plan, key, format string, args ...any) {
	p.errs.Add(gen.ErrorAt(p.s, r.ev.KeyPos(key), r.path+"."+key, format, args...))
}

// httpTrigger is a unit's HTTP events as one trigger.
type httpTrigger struct {
	name string
	// methods is the union of the events' methods in route.Methods order;
	// nil allows every method.
	methods         []string
	role, qualifier string
	events          []eventRef
	// preflight are the events that the trigger takes OPTIONS for, for
	// CORS preflights (gen.HTTPMethods), not declaring it.
	preflight []eventRef
}

// Trigger kinds other than HTTP.
const (
	kindTimer = "timer"
	kindOSS   = "oss"
	kindTopic = "mns"
	kindQueue = "mns-queue"
	kindLog   = "log"
)

// trigger is an event other than HTTP.
type trigger struct {
	eventRef
	kind            string
	name            string
	role, qualifier string
	// cron is a timer's expression.
	cron string
	// region is an MNS topic's or queue's.
	region string
	// retry and interval are a log trigger's job settings.
	retry, interval int
	// ossEvents are a storage event's OSS event names.
	ossEvents []string
}

// methodOrder is the order methods are written in.
var methodOrder = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

func newPlan(in *gen.Input, units []*spec.Unit) *plan {
	p := &plan{in: in, s: in.Spec}
	if err := gen.X86Only(p.s, gen.X86OnlyRuntime("fc")); err != nil {
		p.errs.Add(err)
	}
	if err := gen.Region(p.s, "FC", Regions, regionShape); err != nil {
		p.errs.Add(err)
	}
	p.checkExtras()
	for _, u := range units {
		p.units = append(p.units, p.unit(u))
	}
	p.domain = p.readDomain()
	if p.domain != nil {
		p.route()
	}
	return p
}

func (p *plan) unit(u *spec.Unit) *unitPlan {
	up := &unitPlan{unit: u, settings: u.Settings(p.s.Provider)}
	if u.Group != nil {
		up.pos, up.path = u.Group.Pos, "aggregation."+u.Group.Name
	} else if len(u.Functions) > 0 {
		up.pos, up.path = u.Functions[0].Pos, "functions."+u.Functions[0].Name
	}
	p.checkSettings(up)
	taken := map[string]bool{}
	// Names the spec gives come first; defaults avoid them.
	for _, f := range u.Functions {
		for i, e := range f.Events {
			if e.Name == "" || e.HTTP != nil {
				continue
			}
			ref := eventRef{f, e, f.EventPath(i)}
			switch {
			case !triggerName(e.Name):
				ref.failAt(p, "name", "trigger name %q must start with a letter or '_' and hold at most 128 letters, digits, '-' or '_'", e.Name)
			case taken[e.Name]:
				ref.failAt(p, "name", "trigger name %q is used twice in unit %q: FC names a function's triggers apart", e.Name, u.Name)
			}
			taken[e.Name] = true
		}
	}
	timerNames := u.TimerNames(faas.PlatformFC)
	for _, name := range timerNames {
		taken[name] = true
	}
	for _, f := range u.Functions {
		for i, e := range f.Events {
			ref := eventRef{f, e, f.EventPath(i)}
			if e.HTTP != nil {
				p.addHTTP(up, ref)
				continue
			}
			if u.Group != nil && u.Group.DeployOrigin {
				// The members' own units take their other events: a
				// timer, a bucket's or a queue's trigger on both would
				// deliver each event twice.
				continue
			}
			if t := p.trigger(ref); t != nil {
				switch {
				case t.name != "":
				case t.kind == kindTimer:
					// As the unit's manifest names it, for the App to
					// match the events' triggerName against.
					t.name = timerNames[e]
				default:
					t.name = uniqueName(f.Name+"-"+t.kind, taken)
				}
				up.triggers = append(up.triggers, t)
			}
		}
	}
	if up.http != nil && up.http.name == "" {
		up.http.name = uniqueName("http", taken)
	}
	return up
}

// triggerName reports whether FC takes name as a trigger's.
func triggerName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
		case i > 0 && (r == '-' || '0' <= r && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// uniqueName returns base, or base-2, base-3, … whichever is free, and
// takes it.
func uniqueName(base string, taken map[string]bool) string {
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	taken[name] = true
	return name
}

func (p *plan) addHTTP(up *unitPlan, ref eventRef) {
	h := up.http
	if h == nil {
		h = &httpTrigger{methods: []string{}}
		up.http = h
	}
	if h.name == "" && ref.ev.Name != "" {
		if triggerName(ref.ev.Name) {
			h.name = ref.ev.Name
		} else {
			ref.failAt(p, "name", "trigger name %q must start with a letter or '_' and hold at most 128 letters, digits, '-' or '_'", ref.ev.Name)
		}
	}
	h.events = append(h.events, ref)
	ms := p.methods(up, ref)
	if len(ms) > len(ref.ev.HTTP.Methods) {
		h.preflight = append(h.preflight, ref)
	}
	switch {
	case h.methods == nil:
	case len(ms) == 0:
		h.methods = nil // every method
	default:
		for _, m := range ms {
			if !slices.Contains(h.methods, m) {
				h.methods = append(h.methods, m)
			}
		}
		sortMethods(h.methods)
	}
	p.sameForUnit(ref, "role", &h.role)
	p.sameForUnit(ref, "version", &h.qualifier)
}

// methods returns the methods a unit's HTTP event routes to its function:
// the event's, and OPTIONS for CORS preflights (gen.HTTPMethods); nil for
// every method.
func (p *plan) methods(up *unitPlan, ref eventRef) []string {
	ms, _ := gen.HTTPMethods(p.s, up.unit, ref.fn, ref.ev, false)
	return ms
}

// sameForUnit sets *v to the event's extra key, which every HTTP event of
// a unit must give alike, as they share one trigger.
func (p *plan) sameForUnit(ref eventRef, key string, v *string) {
	n := ref.ev.Extra[key]
	if n == nil {
		return
	}
	s := p.extraString(ref, key)
	switch {
	case *v == "":
		*v = s
	case s != *v:
		p.errs.Add(gen.ErrorAt(p.s, pos(n), ref.path+"."+key, "%s %q differs from %q of another HTTP event of the unit: FC gives a function one HTTP trigger", key, s, *v))
	}
}

// extraString reads an event's extra key as a string.
func (p *plan) extraString(ref eventRef, key string) string {
	n := ref.ev.Extra[key]
	if n == nil {
		return ""
	}
	if n.Kind != yamlScalar {
		p.errs.Add(gen.ErrorAt(p.s, pos(n), ref.path+"."+key, "want a string"))
		return ""
	}
	return n.Value
}

// extraInt reads an event's extra key as a whole number, as spec reads
// its own (spec.WholeNumber), or def.
func (p *plan) extraInt(ref eventRef, key string, def int) int {
	n := ref.ev.Extra[key]
	if n == nil {
		return def
	}
	v, err := spec.WholeNumber(n)
	switch {
	case err != nil:
		p.errs.Add(gen.ErrorAt(p.s, pos(n), ref.path+"."+key, "%v", err))
		return def
	case v < 0:
		p.errs.Add(gen.ErrorAt(p.s, pos(n), ref.path+"."+key, "want a positive number, not %d", v))
		return def
	}
	return v
}

// trigger plans an event other than HTTP, or reports why FC cannot take it.
func (p *plan) trigger(ref eventRef) *trigger {
	e := ref.ev
	t := &trigger{eventRef: ref, name: e.Name}
	t.role = p.extraString(ref, "role")
	t.qualifier = p.extraString(ref, "version")
	switch {
	case e.Timer != nil:
		t.kind = kindTimer
		cron, err := gen.Schedule(e.Timer, "fc")
		if err != nil {
			ref.failAt(p, "value", "FC cannot schedule this timer: %v", err)
			return nil
		}
		t.cron = cron
	case e.Storage != nil:
		t.kind = kindOSS
		if e.Storage.Disabled {
			p.errs.Add(gen.DisabledTrigger(p.s, e, ref.path, "FC", "OSS trigger"))
			return nil
		}
		events, bad := ossEvents(e.Storage)
		if bad != "" {
			ref.failAt(p, "events", "%q is not an OSS event, such as oss:ObjectCreated:* or oss:ObjectRemoved:DeleteObject (or created, removed)", bad)
			return nil
		}
		t.ossEvents = events
	case e.Message != nil:
		if e.Key == "kafka" {
			ref.fail(p, "an FC Kafka trigger needs the instance and consumer group f.yml does not give: declare it under platforms.fc (an eventbridge trigger with source Kafka)")
			return nil
		}
		t.kind = kindTopic
		if e.Message.Queue != "" {
			t.kind = kindQueue
		}
		switch {
		case t.kind == kindTopic && e.Message.Disabled:
			p.errs.Add(gen.DisabledTrigger(p.s, e, ref.path, "FC", "MNS topic trigger"))
			return nil
		case t.kind == kindQueue && e.Message.Tags != "":
			ref.failAt(p, "tags", "FC reads an MNS queue through EventBridge, which cannot filter messages by tags: leave them out and check the messages in the function")
			return nil
		case !p.batching(ref, t.kind):
			return nil
		}
		t.region = cmp.Or(p.extraString(ref, "region"), p.s.Provider.Region)
	case e.Log != nil:
		t.kind = kindLog
		if e.Log.Project == "" {
			ref.fail(p, "missing project: an FC log trigger reads a logstore of a Log Service project")
			return nil
		}
		if e.Log.Log == "" {
			ref.fail(p, "missing log: an FC log trigger writes its own logs to a logstore of the project, which must not be the source")
			return nil
		}
		t.retry = p.extraInt(ref, "retryTime", 1)
		t.interval = p.extraInt(ref, "interval", 30)
	default:
		ref.fail(p, "FC has no trigger for %s events", e.Trigger)
		return nil
	}
	return t
}

// Limits of batch push, for triggers read through EventBridge (FC's
// "Advanced features of triggers": Batch Push Messages 1 to 10000, Batch
// Push Interval 0 to 15 seconds).
const (
	maxBatch       = 10000
	maxBatchWindow = 15
)

// batching checks a message event's batchSize and maximumBatchingWindow,
// and reports whether FC can take them: an MNS queue trigger (batch push,
// an EventBridge event stream) within its limits, with a batch size for a
// window; an MNS topic trigger pushes one message at a time.
func (p *plan) batching(ref eventRef, kind string) bool {
	m := ref.ev.Message
	key := gen.BatchKey(m)
	if key == "" {
		return true
	}
	fail := func(key, format string, args ...any) bool {
		ref.failAt(p, key, format, args...)
		return false
	}
	switch {
	case kind == kindTopic:
		return fail(key, "an FC MNS topic trigger invokes the function once per message: it has no batch size or batching window; leave %s out, or subscribe an MNS queue to the topic and read the queue in batches", key)
	case m.BatchSize > maxBatch:
		return fail("batchSize", "FC pushes a batch of 1 to %d messages, not %d", maxBatch, m.BatchSize)
	case m.BatchWindow > maxBatchWindow:
		return fail("maximumBatchingWindow", "FC pushes a batch after at most %d seconds, not %d", maxBatchWindow, m.BatchWindow)
	case m.BatchSize == 0:
		return fail("maximumBatchingWindow", "FC's batch push takes a batch size with its window: set batchSize, 1 to %d", maxBatch)
	}
	return true
}

// requiredKeys are the keys FC requires of provider settings given as
// mappings (fc3's schema; funcraft's agrees).
var requiredKeys = []struct {
	key  string
	keys []string
}{
	{"vpcConfig", []string{"vpcId", "vSwitchIds", "securityGroupId"}},
	{"logConfig", []string{"project", "logstore"}},
	{"nasConfig", []string{"userId", "groupId", "mountPoints"}},
}

// checkExtras reports the provider's FC settings FC cannot take: a
// mapping without a key FC requires, a string other than auto, an
// internetAccess that is not true or false.
func (p *plan) checkExtras() {
	x := p.s.Provider.Extra
	for _, r := range requiredKeys {
		n := x[r.key]
		switch {
		case n == nil:
		case n.Kind == yaml.ScalarNode && n.Value == "auto":
		case n.Kind == yaml.MappingNode:
			var missing []string
			for _, k := range r.keys {
				if gen.Get(n, k) == nil {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				p.errs.Add(gen.ErrorAt(p.s, pos(n), "provider."+r.key, "missing %s: FC takes %s with %s, or auto", strings.Join(missing, ", "), r.key, strings.Join(r.keys, ", ")))
			}
		default:
			p.errs.Add(gen.ErrorAt(p.s, pos(n), "provider."+r.key, "want a mapping of %s, or auto", strings.Join(r.keys, ", ")))
		}
	}
	if n := x["internetAccess"]; n != nil && (n.Kind != yaml.ScalarNode || n.Tag != "!!bool") {
		p.errs.Add(gen.ErrorAt(p.s, pos(n), "provider.internetAccess", "want true or false"))
	}
}

// checkSettings reports the unit's settings FC cannot take.
func (p *plan) checkSettings(up *unitPlan) {
	p.checkSetting(up, "memorySize", func(s spec.Settings) int { return s.MemorySize }, fc3Memory,
		"FC takes memory of 128 to 32768 MB in steps of 64 MB, not %d")
	p.checkSetting(up, "timeout", func(s spec.Settings) int { return s.Timeout }, func(t int) bool { return t <= 86400 },
		"FC takes a timeout of at most 86400 seconds, not %d")
	p.checkSetting(up, "initTimeout", func(s spec.Settings) int { return s.InitTimeout }, func(t int) bool { return t <= 300 },
		"FC takes an initTimeout of at most 300 seconds, not %d")
	p.checkSetting(up, "concurrency", func(s spec.Settings) int { return s.Concurrency }, func(c int) bool { return c <= 200 },
		"FC takes an instance concurrency of 1 to 200, not %d")
}

// checkSetting reports each value of a unit's setting key (gen.SettingValues:
// the unit's, and each member function's own) that ok refuses, at the key
// that gives it: the function's, or the provider's. format takes the value.
func (p *plan) checkSetting(up *unitPlan, key string, get func(spec.Settings) int, ok func(int) bool, format string) {
	for _, v := range gen.SettingValues(p.s, up.unit, key, get(up.settings), get) {
		if !ok(v.Value) {
			p.errs.Add(gen.ErrorAt(p.s, v.Pos, v.Path, format, v.Value))
		}
	}
}

// nameRE is FC's rule for the names anyfaas makes: FC 3.0's function
// name, and FC 2.0's service name (funcraft's resource name, without the
// '.' the service API refuses): letters, digits, '_' and '-', not
// starting with a digit or '-'.
var nameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]*$`)

// The lengths of those names: FC 3.0's functionName, and FC 2.0's
// serviceName and funcraft's resource name.
const (
	maxFunctionName = 64
	maxServiceName  = 128
)

// checkName reports a name FC refuses: what it names (such as "FC 3.0
// function name"), the name, how it is made (such as
// <service>-<stage>-<unit>) and its longest; pos and path locate what
// made it too long. A stage that holds a character a name cannot is
// reported once, at provider.stage, which made it.
func (p *plan) checkName(what, name, made string, longest int, pos spec.Pos, path string) {
	const rule = "letters, digits, '_' or '-', not starting with a digit or '-'"
	stage := p.s.Provider.Stage
	if bad := offending(stage); bad != "" {
		// One error for both files: the same words dedupe.
		p.errs.Add(gen.ErrorAt(p.s, gen.ProviderPos(p.s, "stage"), "provider.stage",
			"the stage %q is part of FC's function names (s.yaml) and service name (template.yml), which hold letters, digits, '_' and '-' only: it has %s", stage, bad))
		return
	}
	switch {
	case !nameRE.MatchString(name):
		p.errs.Add(gen.ErrorAt(p.s, pos, path, "the %s %q (%s) must be 1 to %d %s", what, name, made, longest, rule))
	case len(name) > longest:
		p.errs.Add(gen.ErrorAt(p.s, pos, path, "the %s %q (%s) must be 1 to %d %s: it has %d characters", what, name, made, longest, rule, len(name)))
	}
}

// offending lists, quoted, the characters of s a name cannot hold.
func offending(s string) string {
	return gen.Offending(s, func(_ int, r rune) bool {
		return r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	})
}

// fc3Memory reports whether FC 3.0 offers m MB of memory.
func fc3Memory(m int) bool { return m >= 128 && m <= 32768 && m%64 == 0 }

// funcraftMemory are the memory sizes FC 2.0 offers (funcraft's schema).
func funcraftMemory(m int) bool {
	return m%64 == 0 && m >= 128 && m <= 3072 || m == 4096 || m == 8192 || m == 16384 || m == 32768
}

// methodsOr returns the HTTP trigger's methods, or all when it allows
// every method.
func (h *httpTrigger) methodsOr(all []string) []string {
	if h.methods == nil {
		return all
	}
	return h.methods
}

// upperFirst upper-cases the first letter of s.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// eventKeys are the extra keys of events (spec.Event.Extra) FC's triggers
// deploy: every trigger's role (invocationRole) and version (qualifier);
// a message event's region (its MNS topic's or queue's), a log event's
// retryTime and interval (its jobConfig). Warnings warns of the others.
var eventKeys = gen.EventKeys{
	Platform: "FC",
	Used: map[string][]string{
		spec.TriggerMessage: {"role", "version", "region"},
		spec.TriggerLog:     {"role", "version", "retryTime", "interval"},
		"":                  {"role", "version"}, // http, timer, storage
	},
	Trigger: func(e *spec.Event) string {
		switch {
		case e.HTTP != nil:
			return "FC's http trigger"
		case e.Timer != nil:
			return "FC's timer trigger"
		case e.Storage != nil:
			return "FC's oss trigger"
		case e.Key == "kafka":
			return "a kafka event"
		case e.Message != nil && e.Message.Queue != "":
			return "FC's MNS queue trigger"
		case e.Message != nil:
			return "FC's mns_topic trigger"
		}
		return "FC's log trigger"
	},
	Instead: map[string]string{
		"timeout":   "the function's timeout is the function's or the provider's timeout",
		"region":    "the trigger's source is in the region of the service, provider.region",
		"retryTime": "FC retries an asynchronous invocation as provider.asyncConfiguration's maxAsyncRetryAttempts says",
	},
}
