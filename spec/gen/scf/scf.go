// Package scf generates the Tencent Cloud Serverless Framework spec of a
// spec: a serverless.yml instance of the scf component for each
// deployment unit, each in a directory named after its unit:
//
//	api/serverless.yml
//	nightly/serverless.yml
//
// A serverless.yml of the components format holds one instance, and the
// Tencent CLI deploys every instance below the directory it runs in when
// that directory has no serverless.yml of its own and its instances share
// app and stage (serverless/serverless-tencent, src/libs/utils/basic.js,
// runningTemplate and checkTemplateAppAndStage): `serverless deploy` in
// the output directory deploys every unit in one go. Every instance has
// app (the service's name), stage (provider.stage, when set), component
// scf and name (the unit's name):
//
//	app: shop
//	stage: prod
//	component: scf
//	name: api
//	inputs:
//	  src: {src: ./, exclude: [serverless.yml]}
//	  type: event
//	  name: shop-prod-api                 <service>-<unit>, or <service>-<stage>-<unit>
//	  runtime: Go1
//	  handler: main
//	  region, role, description, memorySize, timeout, initTimeout,
//	  environment.variables               only when the spec sets them
//	  events: [...]
//
// The CLI uploads src as a directory, zipping it itself and keeping the
// executable bit (@serverless/platform-client-china, src/instance.js);
// it cannot take a zip. So src is the unit's artifact without its .zip,
// CodeDir, which must hold the zip's files (main and faas.json): by
// default <unit>.zip gives <unit>/, the instance's own directory, whose
// serverless.yml is left out of the upload.
//
// Events map as follows. SCF's triggers are created disabled unless told
// otherwise (tencent-component-toolkit, src/modules/triggers), so every
// one says enable.
//
//	http, apigw  one apigw trigger per API Gateway service (serviceId of
//	             the event, else of the provider, else a new service), with
//	             one endpoint per path and method: SCF's endpoints take one
//	             method each, and a method they do not list (PATCH, OPTIONS)
//	             becomes ANY, which the router narrows. A function whose
//	             App answers CORS preflights (spec.Spec.AnswersPreflights:
//	             a layer that says it does) gets an ANY endpoint, for OPTIONS, on each
//	             of its paths without one or enableCORS (with which API
//	             Gateway answers them), once per path of a service units
//	             share, and none where another unit's route is ANY there
//	             (a service takes one endpoint per path and method). An
//	             endpoint's
//	             function.isIntegratedResponse is the event's
//	             integratedResponse, true unless it says false (the
//	             toolkit's default is false).
//	             serviceTimeout is the event's timeout, else the function's.
//	             Paths keep {id} (and :id becomes {id}), declared as path
//	             parameters; a final wildcard is cut, as API Gateway matches
//	             a plain path by prefix. A provider stage of release, test or
//	             prepub is the API's environment. A service the unit
//	             creates serves HTTPS alone (protocols [https], where the
//	             toolkit's default is HTTP alone), or the protocols its
//	             events' protocols key names (http, https); protocols on
//	             an event of an existing service is an error, as the
//	             component leaves that service's protocols as they are.
//	timer        cronExpression from gen.Schedule (seconds and year), enable,
//	             argument = payload
//	storage      cos, one trigger per event name: bucket (a name without a
//	             dot becomes <name>.cos.<region>.myqcloud.com), events
//	             (default cos:ObjectCreated:*; another platform's wildcard
//	             of creation or removal becomes COS's), filter prefix/suffix
//	message      cmq for a topic (tags become filterKey); kafka events are
//	             ckafka, the event's name being the CKafka instance (which
//	             names SCF's trigger) and topic the topic, without tags,
//	             batchSize its maxMsgNum (1 to 10000; it has no window).
//	             CMQ triggers subscribe to topics only: a queue is an error;
//	             they push one message at a time: a batch size is one.
//	log          cls, topicId = source
//
// An event's version (Midway's key; FC's Qualifier) is the qualifier of
// its timer, cos, cmq, ckafka or cls trigger, and of an HTTP event's
// endpoints (function.functionQualifier; the toolkit's default is
// $DEFAULT): routes that fall on one endpoint, or on an aggregated unit's
// one ANY endpoint, must give the same version. A kafka event's retryTime
// is its ckafka trigger's retry (the toolkit's default is 10000) and
// timeout its timeout (1 to 60 s). The other extra keys of events (role,
// region, interval, …; an HTTP event takes serviceId, timeout and version
// alone) have no place in SCF's triggers: Warnings names each at its key.
//
// The scf component shares an API Gateway service between instances only
// through its serviceId: without one, each instance creates a service on
// its first deploy and finds it again in its own state, by serviceName
// (tencent-scf src/utils.js, formatInputs). So split units with HTTP
// events get a service each, unless provider.serviceId (or an event's
// serviceId) names an existing one, which every unit then uses. A service
// of a unit's own is named, deterministically and apart from every other
// unit's, <service>_<stage>_<unit> with '-' and any other character the
// component refuses as '_' (cut, and with a hash of the name, when too
// long or shared: see apiServiceNames), and the unit's serverless.yml
// says in its header that the unit creates it.
//
// An aggregated unit gets one endpoint per route of its members, or, when
// they declare more than MaxRoutes routes (method and path pairs), one ANY
// endpoint on the unit's prefix per service; several routes that fall on
// one endpoint are integrated unless all of them say false. The functions
// of a deployOrigin group are deployed twice: their group takes their HTTP
// routes, their own units their other events (an event that reached both
// would run twice).
//
// The spec's platforms.scf block is merged into the root of every unit's
// serverless.yml, so that its inputs key reaches every function (namespace,
// vpcConfig, layers, …) and org, app or stage can be set; a function's
// block is merged into its unit's inputs, after the service's, the members
// of a group in the spec's order.
//
// What SCF cannot express is an error at the f.yml position: a region
// it does not offer (a typo of one of Regions, or another platform's),
// a COS bucket not named <name>-<appid>, an every
// timer no cron expression can say, a cron timer with both a day of month
// and a day of week (SCF's Quartz cron takes one of them; one whose days
// are both ? gets * for the day of month), an architecture other than
// x86_64, a memory size SCF does not offer, a timeout over 900 seconds, an
// initTimeout out of 3 to 300, an API timeout (an HTTP event's timeout)
// out of 1 to 1800, a function name it refuses, a queue, a storage event
// name that is not COS's, a kafka event without its instance or with tags,
// an environment variable SCF reserves (SCF_, QCLOUD_ and TENCENTCLOUD_
// names) or whose name breaks its rule ([a-zA-Z][a-zA-Z0-9_]{1,63}),
// an event other than HTTP of a web function (FunctionType "web"), which
// takes API Gateway triggers alone (Tencent's doc 583/40691).
// A provider setting's error is reported once, at the provider, whatever
// the number of units.
package scf

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// File is the name of each unit's generated spec, in a directory named
// after the unit.
const File = "serverless.yml"

// Component is the Serverless Framework component every instance uses.
const Component = "scf"

// Runtime and Handler are those of every function: Go1, running the
// executable named main at the root of the code.
const (
	Runtime = "Go1"
	Handler = "main"
)

// MaxRoutes is the number of routes an aggregated unit may declare and
// still get one API Gateway endpoint per route; past it, the unit gets
// one endpoint on its prefix.
const MaxRoutes = 20

// SCF's limits on a function's settings, in seconds: the scf component
// declares the least timeout and initTimeout; SCF's documentation gives
// the most (tencent-scf docs/configure.md).
const (
	maxTimeout                     = 900
	minInitTimeout, maxInitTimeout = 3, 300
	maxServiceTimeout              = 1800 // an API Gateway endpoint's
)

// regionShape is the shape of Tencent Cloud's region names, such as
// ap-guangzhou and na-siliconvalley: no digits, unlike AWS's and Google's.
var regionShape = regexp.MustCompile(`^[a-z]+-[a-z]+$`)

// Regions are the regions SCF offers (Tencent Cloud's region list, as the
// SCF API's Region parameter takes them); a provider.region of another
// is an error, unless it has the shape of one (gen.Region).
var Regions = []string{
	"ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-nanjing",
	"ap-hongkong", "ap-singapore", "ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-seoul", "ap-tokyo",
	"na-siliconvalley", "na-ashburn", "eu-frankfurt", "sa-saopaulo",
}

// functionNameRE is SCF's rule for a function's name, the scf component's
// regex without its redundant class member: a letter first, a letter or
// digit last, 2 to 60 characters.
var functionNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$`)

// Path returns the path of a unit's serverless.yml, relative to the output
// directory.
func Path(unit string) string { return unit + "/" + File }

// CodeDir returns the directory the CLI uploads for a unit whose artifact
// is artifact: the artifact's path without .zip. The packager leaves the
// zip's files there.
func CodeDir(artifact string) string { return strings.TrimSuffix(artifact, ".zip") }

// New returns the generator of Tencent serverless.yml files.
func New() gen.Generator { return generator{} }

// Warnings returns the warning for a region SCF may not have: one
// that differs from a region it offers in its digits alone (see
// gen.RegionWarning); and for a custom.customDomain, which is not
// deployed (gen.DomainUndeployed).
func (generator) Warnings(in *gen.Input) spec.Errors {
	var out gen.ErrorList
	if w := gen.RegionWarning(in.Spec, "SCF", Regions, regionShape); w != nil {
		out.Add(w)
	}
	if w := gen.DomainUndeployed(in.Spec, "API Gateway", domainHint); w != nil {
		out.Add(w)
	}
	for _, w := range gen.UnusedEventKeys(in.Spec, eventKeys) {
		out.Add(w)
	}
	return out.Sorted()
}

// domainHint is what to do on SCF for a custom.customDomain: API
// Gateway binds one, with its SSL certificate, to the service.
const domainHint = "bind it, with its SSL certificate, to the API Gateway service of the units' HTTP endpoints " +
	"(API Gateway's custom domains)"

type generator struct{}

// Platform returns "scf".
func (generator) Platform() string { return "scf" }

// Generate returns a serverless.yml per unit, sorted by path, or
// spec.Errors naming what SCF cannot express.
func (generator) Generate(in *gen.Input) ([]gen.File, error) {
	g := &generation{in: in, s: in.Spec, preflights: map[string]bool{}}
	if err := gen.X86Only(g.s, gen.X86OnlyRuntime("scf")); err != nil {
		g.errs.Add(err)
	}
	if err := gen.Region(g.s, "SCF", Regions, regionShape); err != nil {
		g.errs.Add(err)
	}
	units := in.Units
	if units == nil {
		units = in.Spec.Units()
	}
	g.grouped = servedByGroup(units)
	g.apiNames = apiServiceNames(g.s, units)
	g.scanShared(units)
	var files []gen.File
	for _, u := range units {
		doc, header := g.instance(u)
		data, err := gen.Encode(doc, header...)
		if err != nil {
			return nil, err
		}
		files = append(files, gen.File{Name: Path(u.Name), Data: data})
	}
	if err := g.errs.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b gen.File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// generation is the state of one generation.
type generation struct {
	in   *gen.Input
	s    *spec.Spec
	errs gen.ErrorList
	// grouped names the functions whose HTTP routes a deployOrigin group
	// serves.
	grouped map[string]bool
	// apiNames are the names of the API Gateway services the units create,
	// by unit (see apiServiceNames).
	apiNames map[string]string
	// preflights holds the paths, as "<serviceId> <path>", on which a
	// unit got an ANY endpoint for CORS preflights in a service units
	// share, or on which a route of a unit (PATCH, OPTIONS, every
	// method) makes one ANY already, so that no other unit adds one for
	// preflights: API Gateway takes one endpoint per path and method in
	// a service.
	preflights map[string]bool
}

func (g *generation) fail(pos spec.Pos, path, format string, args ...any) {
	g.errs.Add(gen.ErrorAt(g.s, pos, path, format, args...))
}

// FunctionType is the SCF function type of unit u, as its serverless.yml
// says: "event", unless a platforms.scf block sets it, at the service
// (inputs.type) or at one of the unit's functions (type, the last one
// winning, as the blocks merge in that order). A "web" function's files
// need scf_bootstrap (artifact.ScfBootstrapFile); an event function's do
// not.
func FunctionType(s *spec.Spec, u *spec.Unit) string {
	t := "event"
	scalar := func(n *yaml.Node) {
		if n != nil && n.Kind == yaml.ScalarNode {
			t = n.Value
		}
	}
	scalar(gen.Get(gen.Get(s.Platforms["scf"], "inputs"), "type"))
	for _, f := range u.Functions {
		scalar(gen.Get(f.Platforms["scf"], "type"))
	}
	return t
}

// instance returns a unit's serverless.yml and the header comment lines
// of its file.
func (g *generation) instance(u *spec.Unit) (*yaml.Node, []string) {
	p := g.s.Provider
	set := u.Settings(p)
	pos, upath := unitPos(u)
	name := functionName(g.s, u)
	if !functionNameRE.MatchString(name) {
		g.fail(pos, upath, "the SCF function name %q must be 2 to 60 letters, digits, '-' or '_', from a letter to a letter or digit (it is <service>-<stage>-<unit>)", name)
	}
	g.checkSettings(u, set)
	g.checkEnvironment(u, set.Environment)
	events, header := g.events(u, set)
	inputs := gen.Map(
		"src", g.src(u),
		"type", "event",
		"name", name,
		"description", set.Description,
		"region", p.Region,
		"runtime", Runtime,
		"handler", Handler,
		"role", p.Role,
		"memorySize", set.MemorySize,
		"timeout", set.Timeout,
		"initTimeout", set.InitTimeout,
		"environment", gen.Map("variables", set.Environment),
		"events", events,
	)
	doc := gen.Map(
		"app", g.s.Service.Name,
		"stage", p.Stage,
		"component", Component,
		"name", u.Name,
		"inputs", inputs,
	)
	gen.Merge(doc, g.s.Platforms["scf"])
	if in := gen.Get(doc, "inputs"); in != nil {
		for _, f := range u.Functions {
			gen.Merge(in, f.Platforms["scf"])
		}
	}
	return doc, append([]string{gen.Header}, header...)
}

// checkSettings reports the unit's settings SCF does not take, and its
// member functions' own (gen.SettingValues).
func (g *generation) checkSettings(u *spec.Unit, set spec.Settings) {
	type limit struct {
		key  string
		get  func(spec.Settings) int
		ok   func(int) bool
		what string
	}
	for _, l := range []limit{
		{"memorySize", func(s spec.Settings) int { return s.MemorySize }, validMemory,
			"SCF offers a memory size of 64 MB or a multiple of 128 MB up to 3072, not %d"},
		{"timeout", func(s spec.Settings) int { return s.Timeout }, func(t int) bool { return t <= maxTimeout },
			"SCF takes a timeout of at most 900 seconds, not %d (an async function, asyncRunEnable, may run longer: give its timeout under platforms.scf)"},
		{"initTimeout", func(s spec.Settings) int { return s.InitTimeout }, func(t int) bool { return t >= minInitTimeout && t <= maxInitTimeout },
			"SCF takes an initTimeout of 3 to 300 seconds, not %d"},
	} {
		for _, v := range gen.SettingValues(g.s, u, l.key, l.get(set), l.get) {
			if !l.ok(v.Value) {
				g.fail(v.Pos, v.Path, l.what, v.Value)
			}
		}
	}
}

// envNameRE is SCF's rule for an environment variable's name: a letter,
// then letters, digits or '_', 2 to 64 in all (SCF's "Environment
// Variables" guide).
var envNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{1,63}$`)

// reservedEnvPrefixes begin the names of the environment variables SCF
// reserves and refuses in a function's configuration (SCF_RUNTIME,
// QCLOUD_APPID, TENCENTCLOUD_SECRETID, …).
var reservedEnvPrefixes = []string{"SCF_", "QCLOUD_", "TENCENTCLOUD_"}

// checkEnvironment reports the environment variables of a unit SCF
// refuses: a reserved one, or a name that breaks its rule.
func (g *generation) checkEnvironment(u *spec.Unit, env map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(env)) {
		if i := slices.IndexFunc(reservedEnvPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }); i >= 0 {
			pos, path := gen.EnvPos(g.s, u, name)
			g.fail(pos, path, "SCF reserves the environment variables beginning with %s and refuses a function that sets one", reservedEnvPrefixes[i])
			continue
		}
		if !envNameRE.MatchString(name) {
			pos, path := gen.EnvPos(g.s, u, name)
			g.fail(pos, path, "SCF takes an environment variable name of a letter and 1 to 63 more letters, digits or '_' ([a-zA-Z][a-zA-Z0-9_]{1,63}), not %q", name)
		}
	}
}

// src is the code the CLI uploads for a unit, relative to the unit's
// directory: CodeDir of its artifact.
func (g *generation) src(u *spec.Unit) *yaml.Node {
	dir := path.Clean(strings.ReplaceAll(CodeDir(g.in.Artifact(u.Name)), `\`, "/"))
	switch {
	case dir == u.Name:
		return gen.Map("src", "./", "exclude", []string{File})
	case path.IsAbs(dir):
		return gen.Str(dir)
	case strings.HasPrefix(dir, u.Name+"/"):
		return gen.Str("./" + strings.TrimPrefix(dir, u.Name+"/"))
	}
	return gen.Str("../" + dir)
}

// functionName is the deployed name of a unit: <service>-<unit>, with the
// stage between them when the provider sets one.
func functionName(s *spec.Spec, u *spec.Unit) string { return gen.DeployName(s, u.Name) }

// validMemory reports whether SCF offers a memory size: 64 MB, or 128 MB
// to 3072 MB in steps of 128 (the scf component's allow list).
func validMemory(mb int) bool {
	return mb == 64 || mb >= 128 && mb <= 3072 && mb%128 == 0
}

// servedByGroup returns the functions of deployOrigin groups, which are
// deployed twice: in their group, which takes their HTTP routes, and on
// their own, which takes their other events (an event that reached both
// would run twice).
func servedByGroup(units []*spec.Unit) map[string]bool {
	out := map[string]bool{}
	for _, u := range units {
		if u.Group != nil && u.Group.DeployOrigin {
			for _, f := range u.Functions {
				out[f.Name] = true
			}
		}
	}
	return out
}

// unitPos is where a unit is declared in f.yml, and its key path.
func unitPos(u *spec.Unit) (spec.Pos, string) {
	if u.Group != nil {
		return u.Group.Pos, "aggregation." + u.Group.Name
	}
	f := u.Functions[0]
	return f.Pos, "functions." + f.Name
}
