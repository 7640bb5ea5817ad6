// Package aws generates the AWS SAM template (template.yaml) of a spec:
// one AWS::Serverless::Function per deployment unit, with its events.
//
// Every unit runs the same binary, packaged as a zip holding bootstrap
// (the executable) and faas.json (the unit's manifest), on the OS-only
// runtime:
//
//	Resources:
//	  ApiFunction:
//	    Type: AWS::Serverless::Function
//	    Properties:
//	      FunctionName: shop-api            <service>-<unit>, or <service>-<stage>-<unit>
//	      CodeUri: api.zip                  the unit's artifact
//	      Runtime: provided.al2023
//	      Handler: bootstrap
//	      Architectures: [x86_64]           provider.architecture (x86_64 or arm64)
//	      MemorySize, Timeout, Role, Description, Environment.Variables
//	                                        only when the spec sets them
//	      LoggingConfig: {LogFormat: JSON}  the App and layers/logging log JSON
//
// A function whose function URL streams (FunctionUrlConfig.InvokeMode
// RESPONSE_STREAM in its platforms.aws block) gets
// FAAS_AWS_RESPONSE_STREAM=1 in its environment, which puts the adapter
// in the streaming mode such a URL needs.
//
// A template with HTTP events has Outputs with the URL of each API SAM
// makes of them: HttpApiUrl (ServerlessHttpApi) and RestApiUrl
// (ServerlessRestApi, stage Prod).
//
// A unit's logical id is its name in CamelCase, letters and digits only,
// and "Function"; two units whose names give the same CamelCase (get-item
// and get_item) both take the FNV-32a hash of their name before
// "Function", so an id does not depend on the order of the units. A named
// event's id is its name in CamelCase (after its function's in a group),
// with the name's hash too where that is empty or shared, and cut with
// the hash where it is long.
//
// Events map as follows:
//
//	http     HttpApi (HTTP API, payload format 2.0)
//	apigw    Api (REST API)
//	timer    Schedule: gen.Schedule's cron() or rate(), Enabled from enable,
//	         and a payload as an Input in the scheduled event's shape, with
//	         the payload as detail.payload, for the aws adapter to read
//	         (an Input replaces the event EventBridge would send); in a
//	         unit where several functions declare timers, an unnamed
//	         timer gets an Input too, with its name in the unit's
//	         manifest (spec.Unit.TimerNames) as resources[0], by which
//	         the App routes it (see template.schedule for why not a Name)
//	storage  S3, on a bucket resource of the same template (SAM requires it),
//	         AWS::S3::Bucket named as f.yml says, one per bucket, which the
//	         stack creates and owns (Warnings says so) and keeps when it is
//	         deleted (DeletionPolicy and UpdateReplacePolicy Retain); events
//	         default to s3:ObjectCreated:*, other platforms' wildcard names
//	         (oss:ObjectCreated:*, cos:ObjectRemove:*) become S3's
//	message  SQS for a queue, SNS for a topic, MSK for a kafka event (its
//	         name is the cluster's ARN); a name becomes an ARN of the
//	         stack's partition, region and account; Enabled from enable
//	         for SQS and MSK; SQS with FunctionResponseTypes
//	         [ReportBatchItemFailures], which a *faas.BatchError uses;
//	         batchSize and maximumBatchingWindow become SQS's and MSK's
//	         BatchSize and MaximumBatchingWindowInSeconds, within
//	         Lambda's limits (a batch of 1 to 10000, of at most 10 from a
//	         FIFO queue, *.fifo, which takes no window; above 10 from
//	         another queue only with a window; a window of at most 300
//	         seconds); SNS, which has no batches, refuses them
//	log      CloudWatchLogs on the log group named by source
//
// An HTTP event gives one event per method (none is ANY), named after them
// (GetItemsId; RestGetItemsId for a REST API). A path keeps its
// parameters ({id}, and :id becomes {id}); a final wildcard ({rest...} or
// *) becomes a greedy parameter ({rest+}, {proxy+} for *), with a second
// event on the path before it, which the wildcard also matches. An
// aggregated unit gets one event per route of its members, or, when they
// declare more than MaxRoutes routes (method and path pairs), a catch-all
// on the unit's prefix (/api/items and /api/items/{proxy+}, method ANY)
// for each kind of API they use: every event is an API route and a
// statement of the function's resource policy, which Lambda caps in size.
// A cors event turns on CORS for all APIs of its kind (Globals). A
// function whose App answers CORS preflights (spec.Spec.AnswersPreflights:
// a layer that says it does, for every function or the function's own, in
// a unit of its own or aggregated) gets an OPTIONS event on each
// of its paths that no event routes OPTIONS on (OPTIONS, or ANY), once per
// API and path whatever the number of units serving it, for API Gateway
// forwards only the methods it is told; none on an API whose CORS a cors
// event turned on, since API Gateway answers preflights there. The
// functions of a deployOrigin group are deployed twice: their group takes
// their HTTP routes (one API cannot send a route to two functions), their
// own units their other events (an event that reached both would run
// twice).
//
// The spec's platforms.aws block is merged into the root of the template
// (Globals, Outputs, more Resources); a function's platforms.aws block is
// merged into its unit's function resource: resource attributes
// (Properties, Metadata, DependsOn, Condition, …) at the resource, any
// other key into Properties, so that {Tracing: Active} does what it says.
// The blocks of a group's members are merged in the spec's order.
//
// What AWS cannot express is an error at the f.yml position: a
// provider.region Lambda does not offer (a typo of one of Regions, or a
// name not of their shape), a timer with both a day of month and a day of week, a storage event name that is not
// S3's, a memory size or timeout out of Lambda's range, a function name
// over 64 characters, an environment variable Lambda reserves (the
// developer guide's list: _HANDLER, AWS_REGION, AWS_LAMBDA_FUNCTION_NAME,
// …; TZ is a function's to set) or whose name breaks its rule
// ([a-zA-Z][a-zA-Z0-9_]+), a service or stage that makes no CloudFormation
// stack name (StackName: [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters,
// so a service name with '_' is an error, not renamed), enable: false on
// an S3, SNS or CloudWatch Logs event (SAM's have no Enabled: remove the
// event instead), and tags on a message event (SQS, SNS and MSK events do
// not filter by MNS tags), a timer's name that EventBridge refuses as a
// rule name (1 to 64 letters, digits, '.', '-' or '_'), two timers whose
// EventBridge rules would have one name, or one logical id (SAM names a
// timer's rule after its function's logical id and the event's: AFunction
// and XFunctionTimer, AFunctionXFunction and Timer). A provider setting's
// error is reported once, at the provider, whatever the number of units.
package aws

import (
	"cmp"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// File is the name of the generated template.
const File = "template.yaml"

// Runtime and Handler are those of every function: the OS-only runtime,
// running the executable named bootstrap at the root of the zip.
const (
	Runtime = "provided.al2023"
	Handler = "bootstrap"
)

// MaxRoutes is the number of routes an aggregated unit may declare and
// still get one event per route; past it, the unit gets a catch-all on its
// prefix.
const MaxRoutes = 20

// Lambda's limits that the generator checks, and names of SAM.
const (
	minMemory, maxMemory  = 128, 10240 // MB
	maxTimeout            = 900        // s
	maxFunctionName       = 64
	functionType          = "AWS::Serverless::Function"
	bucketType            = "AWS::S3::Bucket"
	templateFormatVersion = "2010-09-09"
	serverlessTransform   = "AWS::Serverless-2016-10-31"
	httpAPIPayloadVersion = "2.0"
	defaultS3Event        = "s3:ObjectCreated:*"
)

// New returns the generator of AWS SAM templates.
func New() gen.Generator { return generator{} }

type generator struct{}

// Platform returns "aws".
func (generator) Platform() string { return "aws" }

// Generate returns template.yaml, or spec.Errors naming what AWS cannot
// express.
func (generator) Generate(in *gen.Input) ([]gen.File, error) {
	t := &template{in: in, s: in.Spec, buckets: map[string]bool{}, apis: map[string]bool{}}
	if err := gen.Region(t.s, "Lambda", Regions, regionShape); err != nil {
		t.errs.Add(err)
	}
	units := in.Units
	if units == nil {
		units = in.Spec.Units()
	}
	t.grouped = servedByGroup(units)
	t.scanHTTP(units)
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.Name
	}
	ids := logicalIDs(names, "Function")
	resources := gen.Map()
	for _, u := range units {
		gen.Set(resources, ids[u.Name], t.function(u, ids[u.Name]))
	}
	t.checkRules()
	bucketNames := sortedKeys(t.buckets)
	bucketIDs := logicalIDs(bucketNames, "Bucket")
	for _, b := range bucketNames {
		// Retain: the bucket, which SAM makes the stack's, outlives the
		// stack, objects and all (CloudFormation would fail to delete a
		// bucket that holds objects anyway, and leave the stack half
		// deleted).
		gen.Set(resources, bucketIDs[b], gen.Map("Type", bucketType,
			"DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain",
			"Properties", gen.Map("BucketName", b)))
	}
	t.resolveBucketRefs(bucketIDs)
	t.checkStackName()
	if err := t.errs.Err(); err != nil {
		return nil, err
	}
	desc := t.s.Service.Description
	if desc == "" {
		desc = t.s.Service.Name
	}
	var globals *yaml.Node
	if t.httpCORS || t.restCORS {
		globals = gen.Map()
		if t.httpCORS {
			gen.Set(globals, "HttpApi", gen.Map("CorsConfiguration", true))
		}
		if t.restCORS {
			gen.Set(globals, "Api", gen.Map("Cors", "'*'"))
		}
	}
	doc := gen.Map(
		"AWSTemplateFormatVersion", templateFormatVersion,
		"Transform", serverlessTransform,
		"Description", desc,
		"Globals", globals,
		"Resources", resources,
		"Outputs", t.outputs(resources),
	)
	gen.Merge(doc, t.s.Platforms["aws"])
	data, err := gen.Encode(doc, gen.Header)
	if err != nil {
		return nil, err
	}
	return []gen.File{{Name: File, Data: data}}, nil
}

// The time API Gateway waits for a Lambda function's response: an HTTP
// API's integration timeout, 30 seconds, cannot be raised; a REST API's,
// 29 seconds by default, can only for a regional or private API, by a
// quota increase ("Quotas for configuring and running an HTTP API" and
// "Amazon API Gateway quotas" in the API Gateway developer guide).
var (
	httpAPIFront = gen.FrontEnd{Name: "API Gateway's HTTP APIs", Max: 30}
	restAPIFront = gen.FrontEnd{Name: "API Gateway's REST APIs", Max: 29,
		Hint: "a regional or private REST API can wait longer after a quota increase"}
)

// Warnings returns, in the order of the file, the warning for a region
// Lambda may not have (see gen.RegionWarning); one for each timeout of an
// HTTP function longer than API Gateway waits for it: SAM deploys it, and
// the function's other events (a queue's, a timer's) get the whole
// timeout, but its HTTP requests end at the gateway's; and one for each
// storage event, whose bucket the stack creates and owns (bucketWarnings);
// and one for a custom.customDomain, which is not deployed
// (gen.DomainUndeployed); and one for each extra key of an event (role,
// version, timeout, …), which SAM's events have no place for
// (gen.UnusedEventKeys).
func (generator) Warnings(in *gen.Input) spec.Errors {
	units := in.Units
	if units == nil {
		units = in.Spec.Units()
	}
	var warnings spec.Errors
	if w := gen.RegionWarning(in.Spec, "Lambda", Regions, regionShape); w != nil {
		warnings = append(warnings, w)
	}
	warnings = append(warnings, gen.HTTPTimeouts(in.Spec, units, func(e *spec.Event) *gen.FrontEnd {
		if apiOf(e) == restAPI {
			return &restAPIFront
		}
		return &httpAPIFront
	})...)
	warnings = append(warnings, bucketWarnings(in.Spec, units)...)
	warnings = append(warnings, gen.UnusedEventKeys(in.Spec, eventKeys)...)
	if w := gen.DomainUndeployed(in.Spec, "API Gateway", domainHint); w != nil {
		warnings = append(warnings, w)
	}
	slices.SortStableFunc(warnings, func(a, b *spec.Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return warnings
}

// domainHint is what to do on AWS for a custom.customDomain: API Gateway
// serves one with a certificate of ACM, which the template cannot invent.
const domainHint = "give the API a custom domain name with its ACM certificate and an API mapping (API Gateway's " +
	"custom domain names)"

// bucketWarnings returns a warning for each storage event of units: SAM's
// S3 event takes only a bucket of the same template, so the template
// declares the bucket f.yml names, and the stack creates and owns it.
func bucketWarnings(s *spec.Spec, units []*spec.Unit) spec.Errors {
	var out spec.Errors
	for _, u := range units {
		if u.Group != nil && u.Group.DeployOrigin {
			continue // the members' own units take their storage events
		}
		for _, f := range u.Functions {
			for i, e := range f.Events {
				if e.Storage == nil || e.Storage.Disabled {
					continue
				}
				out = append(out, gen.ErrorAt(s, e.Pos, f.EventPath(i),
					"SAM creates the S3 bucket %q for function %s's storage event and the stack owns it (SAM's S3 event takes only a bucket of its own template): "+
						"if the bucket exists, the deploy fails; deleting the stack leaves the bucket (DeletionPolicy: Retain). "+
						"For a bucket that exists, see the README's \"Storage events on AWS\"",
					bucketName(e.Storage.Bucket), f.Name))
			}
		}
	}
	return out
}

// outputs returns the template's Outputs: the URL of each API that SAM
// makes of the HTTP events (its implicit ServerlessHttpApi, whose stage
// is $default, and ServerlessRestApi, whose stage is Prod), and of each
// function URL a function's platforms.aws block, or the Globals of the
// service's, gives it (FunctionUrlConfig, of which SAM makes the
// AWS::Lambda::Url <function>Url); or nil when there is none.
func (t *template) outputs(resources *yaml.Node) *yaml.Node {
	out := gen.Map()
	for i := 0; resources != nil && i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if typ := gen.Get(res, "Type"); typ == nil || typ.Value != functionType ||
			gen.Get(gen.Get(res, "Properties"), "FunctionUrlConfig") == nil && t.globalURL() == nil {
			continue
		}
		gen.Set(out, id+"Url", gen.Map(
			"Description", "The function URL of "+id,
			"Value", gen.Map("Fn::GetAtt", id+"Url.FunctionUrl")))
	}
	if t.apis[httpAPI] {
		gen.Set(out, "HttpApiUrl", gen.Map(
			"Description", "The URL of the HTTP API (API Gateway) of the functions' http events",
			"Value", gen.Map("Fn::Sub", "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/")))
	}
	if t.apis[restAPI] {
		gen.Set(out, "RestApiUrl", gen.Map(
			"Description", "The URL of the REST API (API Gateway) of the functions' apigw events, stage Prod",
			"Value", gen.Map("Fn::Sub", "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/")))
	}
	return out
}

// template is the state of one generation.
type template struct {
	in   *gen.Input
	s    *spec.Spec
	errs gen.ErrorList
	// buckets are the S3 buckets the events name; bucketRefs are the
	// Ref nodes to point at their resources once every bucket is known.
	buckets    map[string]bool
	bucketRefs []bucketRef
	// httpCORS and restCORS are set when an event of that kind asks for
	// CORS.
	httpCORS, restCORS bool
	// grouped names the functions whose HTTP routes a deployOrigin group
	// serves.
	grouped map[string]bool
	// rules are the EventBridge rules of the timers, for checkRules.
	rules []rule
	// apis holds the kinds of API (httpAPI, restAPI) that an event of
	// the template routes to, for Outputs.
	apis map[string]bool
	// options holds the API Gateway paths, by API (method unset), on
	// which a route takes OPTIONS.
	options map[httpRoute]bool
}

type bucketRef struct {
	node   *yaml.Node // the value of Ref
	bucket string
}

func (t *template) fail(pos spec.Pos, path, format string, args ...any) {
	t.errs.Add(gen.ErrorAt(t.s, pos, path, format, args...))
}

func (t *template) resolveBucketRefs(ids map[string]string) {
	for _, r := range t.bucketRefs {
		r.node.Value = ids[r.bucket]
	}
}

// resourceAttributes are the keys of a function's platforms block that
// belong to the resource, not to its Properties.
var resourceAttributes = map[string]bool{
	"Type": true, "Properties": true, "Metadata": true, "DependsOn": true, "Condition": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "UpdatePolicy": true, "CreationPolicy": true,
	"Connectors": true, "IgnoreGlobals": true,
}

// function returns the function resource of a unit, whose logical id is
// id.
func (t *template) function(u *spec.Unit, id string) *yaml.Node {
	set := u.Settings(t.s.Provider)
	pos, path := unitPos(u)
	name := functionName(t.s, u)
	if len(name) > maxFunctionName || !validFunctionName(name) {
		t.fail(pos, path, "the Lambda function name %q must be 1 to %d letters, digits, '-' or '_' (it is <service>-<stage>-<unit>)", name, maxFunctionName)
	}
	for _, m := range gen.SettingValues(t.s, u, "memorySize", set.MemorySize, func(s spec.Settings) int { return s.MemorySize }) {
		if m.Value < minMemory || m.Value > maxMemory {
			t.fail(m.Pos, m.Path, "Lambda takes a memory size of %d to %d MB, not %d", minMemory, maxMemory, m.Value)
		}
	}
	for _, to := range gen.SettingValues(t.s, u, "timeout", set.Timeout, func(s spec.Settings) int { return s.Timeout }) {
		if to.Value > maxTimeout {
			t.fail(to.Pos, to.Path, "Lambda takes a timeout of at most %d seconds, not %d", maxTimeout, to.Value)
		}
	}
	t.checkEnvironment(u, set.Environment)
	props := gen.Map(
		"FunctionName", name,
		"Description", set.Description,
		"CodeUri", t.in.Artifact(u.Name),
		"Runtime", Runtime,
		"Handler", Handler,
		"Architectures", []string{t.s.Provider.Architecture},
		"MemorySize", set.MemorySize,
		"Timeout", set.Timeout,
		"Role", t.s.Provider.Role,
		"Environment", gen.Map("Variables", set.Environment),
		// JSON: the App's logger and the logging layer's write JSON
		// lines, which Lambda then takes as they are, with their level
		// for its log-level filtering; its own lines (START, REPORT)
		// are JSON too.
		"LoggingConfig", gen.Map("LogFormat", "JSON"),
		"Events", t.events(u, id),
	)
	res := gen.Map("Type", functionType, "Properties", props)
	for _, f := range u.Functions {
		block := f.Platforms["aws"]
		if block == nil || block.Kind != yaml.MappingNode {
			continue
		}
		top, inner := gen.Map(), gen.Map()
		for i := 0; i+1 < len(block.Content); i += 2 {
			dst := inner
			if resourceAttributes[block.Content[i].Value] {
				dst = top
			}
			dst.Content = append(dst.Content, block.Content[i], block.Content[i+1])
		}
		gen.Merge(res, top)
		if p := gen.Get(res, "Properties"); p != nil {
			gen.Merge(p, inner)
		}
	}
	streamMode(gen.Get(res, "Properties"), t.globalURL())
	return res
}

// globalURL returns the FunctionUrlConfig of the Globals in the service's
// platforms.aws block, which SAM merges into every function's (its
// globals plugin takes FunctionUrlConfig, though SAM's published schema
// does not list it), or nil.
func (t *template) globalURL() *yaml.Node {
	return gen.Get(gen.Get(gen.Get(t.s.Platforms["aws"], "Globals"), "Function"), "FunctionUrlConfig")
}

// StreamEnv is the environment variable that puts the aws adapter in
// streaming mode (adapters/aws), which a function URL whose invoke mode is
// RESPONSE_STREAM needs: a buffered answer to such a URL reaches the
// client as the envelope's JSON, not as the HTTP response it describes.
const StreamEnv = "FAAS_AWS_RESPONSE_STREAM"

// streamMode sets StreamEnv in the environment of a function (props, its
// Properties once the platforms blocks are merged) whose function URL
// streams: the InvokeMode of its FunctionUrlConfig, or else of global,
// the Globals' that SAM merges into it, is RESPONSE_STREAM.
func streamMode(props, global *yaml.Node) {
	mode := gen.Get(gen.Get(props, "FunctionUrlConfig"), "InvokeMode")
	if mode == nil {
		mode = gen.Get(global, "InvokeMode")
	}
	if mode == nil || mode.Kind != yaml.ScalarNode || mode.Value != "RESPONSE_STREAM" {
		return
	}
	env := gen.Get(props, "Environment")
	if env == nil {
		env = gen.Map()
		gen.Set(props, "Environment", env)
	}
	vars := gen.Get(env, "Variables")
	if vars == nil {
		vars = gen.Map()
		gen.Set(env, "Variables", vars)
	}
	if vars.Kind == yaml.MappingNode && gen.Get(vars, StreamEnv) == nil {
		gen.Set(vars, StreamEnv, gen.Str("1"))
	}
}

// functionName is the deployed name of a unit: <service>-<unit>, with the
// stage between them when the provider sets one.
func functionName(s *spec.Spec, u *spec.Unit) string { return gen.DeployName(s, u.Name) }

func validFunctionName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r == '-' || r == '_' || isAlnum(r)) {
			return false
		}
	}
	return true
}

// servedByGroup returns the functions of deployOrigin groups, which are
// deployed twice: in their group, which takes their HTTP routes (one API
// cannot send a route to two functions), and on their own, which takes
// their other events (an event that reached both would run twice).
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
