// Package spec reads f.yml, the one file that describes a service of
// anyfaas functions and how it is deployed: it parses and validates it,
// and resolves its functions and aggregation groups into deployment units,
// from which package gen writes each platform's own deploy spec.
//
// The format follows Midway FaaS's f.yml where it can: service, provider,
// functions with their handler and events, aggregation, layers, package
// and custom. Events are one-key objects:
//
//	http (alias apigw)                    an HTTP route: path and method
//	timer                                 a schedule: type cron or every, value
//	storage (aliases os, oss, cos, s3)    object changes in a bucket
//	message (aliases mq, mns, cmq, sqs, sns, kafka)   a queue or topic; batchSize
//	                                      and maximumBatchingWindow (seconds)
//	                                      where the platform batches
//	log                                   a log subscription
//
// A platforms block, at the service or a function, holds each platform's
// own settings, merged verbatim into what is generated for it. ${env.NAME}
// in a value is replaced by that environment variable; one that is unset
// stays as written, and Spec.Unresolved lists it.
//
// Every error names the file, line and column, and the path of the key:
//
//	f.yml:12:9: functions.api.events[0].http.method: "GOT" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY
package spec

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Files are the names a spec may have, in the order Find looks for them.
var Files = []string{"f.yml", "f.yaml", "serverless.yml", "serverless.yaml"}

// Spec is a parsed and validated f.yml.
type Spec struct {
	// File is the path the spec was read from.
	File string
	// Service names the service and describes it.
	Service Service
	// Provider holds the target platform and the defaults of every
	// function.
	Provider Provider
	// Functions are the functions, in the order of the file.
	Functions []*Function
	// Aggregation groups are in the order of the file.
	Aggregation []*Aggregation
	// Layers are the layers the spec declares, by name.
	Layers map[string]*Layer
	// Package says what to build and what to put in the artifact.
	Package Package
	// Custom holds free-form settings, such as custom.customDomain.
	Custom *yaml.Node
	// Platforms holds, by platform name, settings merged verbatim into the
	// root of what is generated for that platform.
	Platforms map[string]*yaml.Node
	// Plugins are passed through to the platforms that know them.
	Plugins []string
	// Unresolved lists each ${env.NAME} whose variable is not set, which
	// stays as written, in the order of the file, so that a caller can
	// warn about it.
	Unresolved []EnvRef
	// FromEnv lists each ${env.NAME} set in the environment that gives an
	// environment value (provider.environment.KEY, a function's or a
	// group's), in the order of the file: its value is written in plain
	// text into every generated deploy spec, which a caller warns about.
	FromEnv []EnvRef
	// AppLayers names the layers the code applies to every function
	// (App.Use), as its binary describes them; Merge sets it.
	AppLayers []string
	// PreflightLayers names the code's layers that answer CORS preflights
	// themselves (faas.Layer.AnswersPreflights), whatever their names, as
	// its binary describes them; Merge sets it, empty but not nil when
	// none does. Nil, for a spec not merged with the code or code built
	// with a faas whose description does not say (faas.Description
	// Version 0), takes a layer named CORSLayer for one that does, as
	// before (see [Spec.AnswersPreflights]).
	PreflightLayers []string
	// Warnings are what Parse and Merge found that does not stop a
	// deploy but is most likely a mistake, such as a group's
	// functionsPattern that its functions list overrides (Parse) or an
	// f.yml route that leaves out a path parameter the code's handler
	// reads (Merge), for a caller to report. A merged spec holds its
	// spec's warnings first, then Merge's.
	Warnings []*Error
}

// CORSLayer is the name of package layers/cors's layer, which is taken
// for a layer that answers CORS preflights when the code does not say
// which do (a nil [Spec.PreflightLayers]).
const CORSLayer = "cors"

// AnswersPreflights reports whether the App of unit u answers the CORS
// preflights (OPTIONS with Origin and Access-Control-Request-Method) of
// f's HTTP paths, so that a gateway, which forwards only the methods it
// is told, should route OPTIONS on them to u: when a layer that answers
// them (one of PreflightLayers) applies to every function (App.Use), or
// to f (f.yml's layers, or faas.WithLayers in the code). An App of one
// function takes every request; one of several routes a preflight to the
// function that serves the method it asks about, for that function's own
// layers to answer. An App built with a faas that does not describe its
// layers' deeds (nil PreflightLayers) routes no OPTIONS to a function of
// several that does not declare it: then f's own layer counts only when u
// serves f alone.
func (s *Spec) AnswersPreflights(u *Unit, f *Function) bool {
	if slices.ContainsFunc(s.AppLayers, s.answersPreflights) {
		return true
	}
	if !slices.ContainsFunc(f.Layers, s.answersPreflights) && !slices.ContainsFunc(f.codeLayers, s.answersPreflights) {
		return false
	}
	return len(u.Functions) == 1 || s.PreflightLayers != nil
}

// answersPreflights reports whether the code's layer of that name answers
// CORS preflights: whether it is one of PreflightLayers, or, when the
// code does not say, whether it is named CORSLayer.
func (s *Spec) answersPreflights(layer string) bool {
	if s.PreflightLayers == nil {
		return layer == CORSLayer
	}
	return slices.Contains(s.PreflightLayers, layer)
}

// EnvRef is an ${env.NAME} reference in the spec.
type EnvRef struct {
	// Name is the environment variable's name.
	Name string
	// Path is the key path of the value that holds the reference.
	Path string
	// Pos is where the reference is: its "$".
	Pos Pos
}

// Function returns the function named name, or nil.
func (s *Spec) Function(name string) *Function {
	for _, f := range s.Functions {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// EventOf returns f's first event of trigger, or nil.
func (f *Function) EventOf(trigger string) *Event {
	for _, e := range f.Events {
		if e.Trigger == trigger {
			return e
		}
	}
	return nil
}

// CheckTrigger returns an error if f declares triggers and trigger is not
// one of them, naming those it declares: as file (the spec file) writes
// them, or as its code declares them. A function that declares none takes
// any trigger.
func (f *Function) CheckTrigger(trigger, file string) error {
	var declared []string
	where := "in its code"
	for _, e := range f.Events {
		if e.Trigger == trigger {
			return nil
		}
		name := e.Trigger
		if e.Pos != (Pos{}) {
			where = "in " + filepath.Base(file)
			if e.Key != e.Trigger {
				name = e.Key + " (" + e.Trigger + ")"
			}
		}
		if !slices.Contains(declared, name) {
			declared = append(declared, name)
		}
	}
	if len(declared) == 0 {
		return nil
	}
	return fmt.Errorf("%s declares no %s trigger; it declares %s %s", f.Name, trigger, strings.Join(declared, ", "), where)
}

// Pos is a position in the spec file.
type Pos struct {
	Line, Column int
}

// Service names the service.
type Service struct {
	Name        string
	Description string
}

// Provider holds the target platform and the defaults of every function.
type Provider struct {
	// Name is the platform, as written (aws, aliyun, fc, tencent, scf, gcp,
	// gcf, web, knative); Platform is its canonical name (aws, fc, scf,
	// gcf, web).
	Name     string
	Platform string
	Function Settings
	// Region is the region to deploy to; Regions, when f.yml gives one
	// per platform ({aws: us-east-1, fc: cn-hangzhou}), the region of each
	// platform. ForPlatform resolves them.
	Region  string
	Regions map[string]string
	Stage   string
	// Architecture is x86_64 (the default) or arm64.
	Architecture string
	// Role is what the functions run as: an IAM role's ARN on aws, a
	// RAM role's ARN on fc, a CAM role's name on scf, a service account's
	// email on gcf and web. Roles, when f.yml gives one per platform
	// ({fc: acs:ram::…, gcf: …@….iam.gserviceaccount.com}), is the role
	// of each platform. ForPlatform resolves them.
	Role  string
	Roles map[string]string
	// Project is the Google Cloud project, on gcf and web: the Knative
	// generator names a Pub/Sub topic f.yml gives by name alone
	// projects/<Project>/topics/<topic>, and gcf's deploy.sh gives it to
	// every gcloud command as --project.
	Project string
	// Pos is where the provider's settings are, for an error about one
	// that is missing.
	Pos Pos
	// KeyPos is where each key of the provider block has its value, for
	// an error about that setting.
	KeyPos map[string]Pos
	// Extra holds the provider settings that only some platforms read,
	// such as vpcConfig or logConfig for FC, by their f.yml key.
	Extra map[string]*yaml.Node
	// regionPos is where each of Regions is, rolePos each of Roles.
	regionPos, rolePos map[string]Pos
}

// Settings are what a function may set and the provider sets for all.
type Settings struct {
	Runtime     string
	MemorySize  int // MB; 0 means the platform's default
	Timeout     int // seconds; 0 means the platform's default
	InitTimeout int // seconds
	Concurrency int // invocations at once in an instance, where the platform allows
	Environment map[string]string
	Description string
	// envPos is where f.yml sets each of Environment: the position of
	// its key.
	envPos map[string]Pos
	// keyPos is where f.yml gives each of these settings its value, by
	// key (memorySize, timeout, …).
	keyPos map[string]Pos
}

// KeyPos returns where f.yml gives the setting key (memorySize, timeout,
// runtime, …) of these settings its value, for an error about that
// setting. It reports false for a key f.yml does not set there, and for
// the settings of a unit (Unit.Settings), which merge several.
func (s Settings) KeyPos(key string) (Pos, bool) {
	p, ok := s.keyPos[key]
	return p, ok
}

// EnvPos returns where f.yml sets the environment variable name of these
// settings: the position of its key under environment. It reports false
// for a variable f.yml does not set there, such as one a Settings built
// in code holds.
func (s Settings) EnvPos(name string) (Pos, bool) {
	p, ok := s.envPos[name]
	return p, ok
}

// Function is one function of the service.
type Function struct {
	// Name is the function's key in f.yml: the name aggregation groups,
	// the manifest and errors use, and its unit's name unless UnitName
	// says otherwise.
	Name string
	// UnitName, from the function's name key (Midway's name, which
	// renames the deployed function), names the unit the function is
	// deployed as when it is one of its own; empty means Name.
	UnitName string
	// Handler names the function as the code registers it with app.Func.
	Handler string
	// Stage, from the function's stage key (Midway's), is the function's
	// stage where the platform has one, such as SCF's API Gateway stage;
	// empty means Provider.Stage.
	Stage string
	Settings
	// Events are the function's triggers, in the order of the file.
	Events []*Event
	// Layers names the layers that apply to the function, in order.
	Layers []string
	// Platforms holds, by platform name, settings merged verbatim into the
	// function's part of what is generated for that platform.
	Platforms map[string]*yaml.Node
	Pos       Pos
	// namePos is where UnitName is set; handlerPos where Handler is;
	// layerPos where each of Layers is named.
	namePos    Pos
	handlerPos Pos
	layerPos   []Pos
	// codeLayers name the function's own layers in the code
	// (faas.WithLayers), as Merge finds them.
	codeLayers []string
	// fromCode is whether Merge added the function from the code alone.
	fromCode bool
}

// Trigger names of events, as in package faas.
const (
	TriggerHTTP    = "http"
	TriggerTimer   = "timer"
	TriggerStorage = "storage"
	TriggerMessage = "message"
	TriggerLog     = "log"
)

// Event is one trigger of a function. Exactly one of the pointers is set,
// the one of Trigger.
type Event struct {
	// Trigger is the canonical trigger name; Key is the key as written
	// (apigw, oss, mns, …).
	Trigger string
	Key     string
	// Name is the trigger's name on the platform, if the spec gives one.
	Name    string
	HTTP    *HTTPEvent
	Timer   *TimerEvent
	Storage *StorageEvent
	Message *MessageEvent
	Log     *LogEvent
	// Extra holds the keys of the event that only some platforms read.
	Extra map[string]*yaml.Node
	// Pos is where f.yml declares the event; zero for one the code
	// declares.
	Pos Pos
	// code names, for an event the code declares, the function and the
	// option that declare it, such as function list: faas.HTTP("GET /x").
	code string
	// keyPos is where each key of the event has its value.
	keyPos map[string]Pos
	// unresolved holds the key paths below the event whose value holds
	// an ${env.NAME} that is not set.
	unresolved map[string]bool
}

// Unresolved reports whether f.yml gives key, a key path below the event
// such as "bucket" or "filter.prefix", a value holding an ${env.NAME}
// whose variable is not set, which stays as written (see
// Spec.Unresolved).
func (e *Event) Unresolved(key string) bool { return e.unresolved[key] }

// KeyPos returns where f.yml gives the event's key its value, for an
// error about that setting, such as a batch size the platform cannot
// take; for a key it does not give (or an event the code declares), the
// event's own position.
func (e *Event) KeyPos(key string) Pos {
	if p, ok := e.keyPos[key]; ok {
		return p
	}
	return e.Pos
}

// HTTPEvent is an HTTP route.
type HTTPEvent struct {
	// Path is the route's path, in the syntax of package route.
	Path string
	// Methods are upper case; empty means every method.
	Methods []string
	// CORS turns the platform's CORS handling on, where it has one.
	CORS bool
	// IntegratedResponse is SCF's API Gateway integration response; nil
	// means the default, which is on.
	IntegratedResponse *bool
	// Protocols are the schemes, "http" and "https" (lower case, each
	// once), of the API Gateway service SCF creates for the route; nil
	// means the default, which is HTTPS only.
	Protocols []string
}

// TimerEvent is a schedule.
type TimerEvent struct {
	// Type is "cron" or "every".
	Type string
	// Value is a five-field cron expression (minute hour day-of-month
	// month day-of-week), or for every a duration such as "5m".
	Value string
	// Payload is handed to the function with each tick.
	Payload string
	// Enable is false for a timer created disabled.
	Enable bool
}

// StorageEvent is a bucket's object changes.
type StorageEvent struct {
	Bucket string
	// Events are the platform's event names; empty means object
	// creation.
	Events []string
	Prefix string
	Suffix string
	// Disabled is set for a trigger created disabled (enable: false).
	Disabled bool
}

// MessageEvent is a queue or a topic.
type MessageEvent struct {
	Topic string
	Queue string
	// Tags filter messages where the platform can.
	Tags string
	// Strategy is the retry strategy where the platform has one.
	Strategy string
	// Disabled is set for a trigger created disabled (enable: false).
	Disabled bool
	// BatchSize (batchSize) is the most messages one invocation takes;
	// 0 means the platform's default. BatchWindow (maximumBatchingWindow)
	// is how many seconds the platform may wait to fill a batch; 0 means
	// none. Each generator checks them against its platform's limits: a
	// platform that hands the function one message at a time (SNS, an MNS
	// topic, CMQ, Pub/Sub) refuses them.
	BatchSize   int
	BatchWindow int
}

// LogEvent is a log subscription.
type LogEvent struct {
	// Source is the log store (or log group) the function reads.
	Source string
	// Project is the log project, on FC.
	Project string
	// Log is where the function's own logs go, on FC.
	Log string
	// Disabled is set for a trigger created disabled (enable: false).
	Disabled bool
}

// Aggregation is a group of functions deployed as one unit.
type Aggregation struct {
	Name string
	// DeployOrigin deploys the grouped functions on their own too.
	DeployOrigin bool
	// Functions lists functions by name; Patterns selects them by glob,
	// "!" excluding.
	Functions []string
	Patterns  []string
	Pos       Pos
	// functionPos is where each of Functions is named; patternsPos where
	// Patterns are.
	functionPos []itemPos
	patternsPos itemPos
}

// itemPos is where a value is, and its key path.
type itemPos struct {
	Pos
	path string
}

// Layer is a layer the spec names: a layer the code registers under that
// name, selected for the functions that list it.
type Layer struct {
	Name string
	// Path is kept for Midway compatibility; Go layers are code.
	Path string
	Pos  Pos
}

// Package says what to build and what to put in the artifact.
type Package struct {
	// Main is the main package to build; "." if unset.
	Main    string
	Include []string
	Exclude []string
	// Artifact is the file name of the artifact of a service deployed as
	// one unit (Midway's one zip for the service); a service of several
	// units has an artifact per unit, named after it, and Artifact does
	// not apply. ArtifactPos is where f.yml gives it.
	Artifact    string
	ArtifactPos Pos
}

// ForPlatform returns the spec as a generator for platform sees it: a copy
// whose Provider.Region and Provider.Role are that platform's (from
// Regions and Roles, else Region and Role), with their positions as
// Provider.KeyPos["region"] and ["role"], and whose Provider.Architecture
// is arch (x86_64 or arm64) if arch is set. A platform a per-platform
// mapping does not name has none.
func (s *Spec) ForPlatform(platform, arch string) *Spec {
	out := *s
	out.Provider.KeyPos = maps.Clone(s.Provider.KeyPos)
	if out.Provider.KeyPos == nil {
		out.Provider.KeyPos = map[string]Pos{}
	}
	if r, ok := s.Provider.Regions[platform]; ok {
		out.Provider.Region = r
		out.Provider.KeyPos["region"] = s.Provider.regionPos[platform]
	}
	if r, ok := s.Provider.Roles[platform]; ok {
		out.Provider.Role = r
		out.Provider.KeyPos["role"] = s.Provider.rolePos[platform]
	}
	if arch != "" {
		out.Provider.Architecture = arch
	}
	return &out
}
