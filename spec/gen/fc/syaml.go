package fc

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// accountID is Serverless Devs' variable for the account of the access
// used, which the ARNs of event sources name.
const accountID = "${config('AccountID')}"

// fc3Methods are the methods of an fc3 HTTP trigger that allows all.
var fc3Methods = methodOrder

// sYAML writes s.yaml.
func (p *plan) sYAML() ([]byte, error) {
	s := p.s
	region := s.Provider.Region
	if region == "" {
		p.errs.Add(gen.ErrorAt(s, s.Provider.Pos, "provider.region", "missing: name the region to deploy to, such as cn-hangzhou (fc3 requires one)"))
	}
	resources := gen.Map()
	for _, up := range p.units {
		p.checkName("FC 3.0 function name", FunctionName(s, up.unit.Name), functionNameMade(s), maxFunctionName, up.pos, up.path)
		gen.Set(resources, up.unit.Name, gen.Map(
			"component", "fc3",
			"props", p.fc3Props(up, region),
		))
	}
	if d := p.domain; d != nil && p.hasRoutes() {
		key := "customDomain"
		for n := 2; gen.Get(resources, key) != nil; n++ {
			key = fmt.Sprintf("customDomain_%d", n)
		}
		gen.Set(resources, key, gen.Map(
			"component", "fc3-domain",
			"props", p.fc3Domain(d, region),
		))
	}
	doc := gen.Map(
		"edition", "3.0.0",
		"name", s.Service.Name,
		"access", cmp.Or(p.extraScalar("access"), "default"),
		"resources", resources,
	)
	if block := s.Platforms["fc"]; block != nil {
		gen.Merge(doc, without(block, "funcraft"))
	}
	return encode(doc)
}

// RootKeys are the keys Serverless Devs reads at the root of an s.yaml
// of edition 3.0.0 (its docs/zh/yaml.md, and @serverless-devs/parse-spec).
var RootKeys = []string{"edition", "name", "access", "vars", "template", "extend", "flow", "actions", "resources"}

// rootWarnings returns a warning for each key of the service's
// platforms.fc block, merged into the root of s.yaml, that is not one of
// RootKeys (nor funcraft, which goes to template.yml): Serverless Devs
// ignores it silently, and a function's setting there, such as role,
// sets nothing.
func rootWarnings(s *spec.Spec) spec.Errors {
	block := s.Platforms["fc"]
	if block == nil || block.Kind != yaml.MappingNode {
		return nil
	}
	var out spec.Errors
	for i := 0; i+1 < len(block.Content); i += 2 {
		k := block.Content[i]
		if slices.Contains(RootKeys, k.Value) || k.Value == "funcraft" {
			continue
		}
		props := "a function's platforms.fc block (merged into its props) or here under resources.<unit>.props." + k.Value
		where := "a function's setting goes in " + props
		if k.Value == "role" || k.Value == "region" {
			// Settings of the provider, which may name FC's alone.
			where = "give provider." + k.Value + ", for FC alone if need be (" + k.Value + ": {fc: …}), or put it in " + props
		}
		out = append(out, gen.ErrorAt(s, spec.Pos{Line: k.Line, Column: k.Column}, "platforms.fc."+k.Value,
			"Serverless Devs ignores %s at the root of s.yaml, where this block is merged (it reads only %s): %s",
			k.Value, strings.Join(RootKeys, ", "), where))
	}
	return out
}

func (p *plan) hasRoutes() bool {
	for _, up := range p.units {
		if len(up.routes) > 0 {
			return true
		}
	}
	return false
}

// fc3Props are a unit's props for the fc3 component.
func (p *plan) fc3Props(up *unitPlan, region string) *yaml.Node {
	s := p.s
	set := up.settings
	var initializer *yaml.Node
	if set.InitTimeout > 0 {
		initializer = gen.Map("handler", Initializer, "timeout", set.InitTimeout)
	}
	lifecycle := gen.Map("initializer", initializer,
		"preStop", gen.Map("handler", PreStop, "timeout", PreStopTimeout))
	var tracing *yaml.Node
	if n := s.Provider.Extra["tracingConfig"]; n != nil && n.Kind == yaml.MappingNode {
		tracing = clone(n)
	}
	props := gen.Map(
		"region", region,
		"functionName", FunctionName(s, up.unit.Name),
		"description", set.Description,
		"runtime", Runtime,
		"handler", Handler,
		"code", p.in.Artifact(up.unit.Name),
		"memorySize", set.MemorySize,
		"timeout", set.Timeout,
		"instanceConcurrency", set.Concurrency,
		"instanceLifecycleConfig", lifecycle,
		"environmentVariables", set.Environment,
		"role", s.Provider.Role,
		"internetAccess", clone(s.Provider.Extra["internetAccess"]),
		"vpcConfig", clone(s.Provider.Extra["vpcConfig"]),
		"logConfig", clone(s.Provider.Extra["logConfig"]),
		"nasConfig", clone(s.Provider.Extra["nasConfig"]),
		"tracingConfig", tracing,
		"layers", clone(s.Provider.Extra["layers"]),
		"asyncInvokeConfig", asyncInvokeConfig(s.Provider.Extra["asyncConfiguration"]),
		"triggers", p.fc3Triggers(up, region),
	)
	for _, f := range up.unit.Functions {
		if block := f.Platforms["fc"]; block != nil {
			gen.Merge(props, without(block, "funcraft"))
		}
	}
	return props
}

// asyncInvokeConfig maps Midway's asyncConfiguration ({destination:
// {onSuccess, onFailure}, statefulInvocation, maxAsync…}) to fc3's.
func asyncInvokeConfig(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := gen.Map()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch {
		case k == "destination" && v.Kind == yaml.MappingNode:
			dc := gen.Map()
			for j := 0; j+1 < len(v.Content); j += 2 {
				gen.Set(dc, v.Content[j].Value, gen.Map("destination", clone(v.Content[j+1])))
			}
			gen.Set(out, "destinationConfig", dc)
		case k == "statefulInvocation":
			gen.Set(out, "asyncTask", clone(v))
		default:
			gen.Set(out, k, clone(v))
		}
	}
	return out
}

func (p *plan) fc3Triggers(up *unitPlan, region string) *yaml.Node {
	out := gen.Seq()
	if h := up.http; h != nil {
		out.Content = append(out.Content, gen.Map(
			"triggerName", h.name,
			"triggerType", "http",
			"invocationRole", h.role,
			"qualifier", h.qualifier,
			"triggerConfig", gen.Map(
				"authType", p.authType(false),
				"methods", h.methodsOr(fc3Methods),
			),
		))
	}
	fn := FunctionName(p.s, up.unit.Name)
	for _, t := range up.triggers {
		var typ, arn string
		var config *yaml.Node
		e := t.ev
		switch t.kind {
		case kindTimer:
			typ = "timer"
			config = gen.Map("cronExpression", t.cron, "enable", e.Timer.Enable, "payload", e.Timer.Payload)
		case kindOSS:
			typ = "oss"
			arn = fmt.Sprintf("acs:oss:%s:%s:%s", region, accountID, e.Storage.Bucket)
			config = gen.Map(
				"events", t.ossEvents,
				"filter", gen.Map("key", gen.Map("prefix", gen.Str(e.Storage.Prefix), "suffix", gen.Str(e.Storage.Suffix))),
			)
		case kindTopic:
			typ = "mns_topic"
			arn = fmt.Sprintf("acs:mns:%s:%s:/topics/%s", t.region, accountID, e.Message.Topic)
			config = gen.Map(
				"notifyContentFormat", "JSON",
				"notifyStrategy", cmp.Or(e.Message.Strategy, "BACKOFF_RETRY"),
				"filterTag", e.Message.Tags,
			)
		case kindQueue:
			// FC 3.0 reads an MNS queue through EventBridge; event mode
			// hands the function one CloudEvent per message (devsapp/fc3
			// __tests__/complete-props.yaml; FC API SourceMNSParameters).
			// With batchSize, an event stream pushes batches of them,
			// an array (devsapp/fc3 docs: runOptions.batchWindow; FC's
			// "Advanced features of triggers"); eventSchema CloudEvents
			// keeps the shape the fc adapter reads.
			typ = "eventbridge"
			filter := fmt.Sprintf(`{"source":["MNS-%s-%s"]}`, fn, t.name)
			var sink, run *yaml.Node
			if m := e.Message; m.BatchSize > 0 {
				filter = "{}"
				sink = gen.Map("deliveryOption", gen.Map("mode", "event-streaming", "eventSchema", "CloudEvents"))
				run = gen.Map("mode", "event-streaming", "batchWindow", gen.Map(
					"CountBasedWindow", m.BatchSize,
					"TimeBasedWindow", gen.Int(m.BatchWindow),
				))
			}
			config = gen.Map(
				"triggerEnable", !e.Message.Disabled,
				"asyncInvocationType", false,
				"eventRuleFilterPattern", filter,
				"eventSinkConfig", sink,
				"runOptions", run,
				"eventSourceConfig", gen.Map(
					"eventSourceType", "MNS",
					"eventSourceParameters", gen.Map("sourceMNSParameters", gen.Map(
						"RegionId", t.region,
						"QueueName", e.Message.Queue,
					)),
				),
			)
		case kindLog:
			typ = "log"
			arn = fmt.Sprintf("acs:log:%s:%s:project/%s", region, accountID, e.Log.Project)
			config = gen.Map(
				"sourceConfig", gen.Map("logstore", e.Log.Source),
				"jobConfig", gen.Map("maxRetryTime", gen.Int(t.retry), "triggerInterval", gen.Int(t.interval)),
				"logConfig", gen.Map("project", e.Log.Project, "logstore", e.Log.Log),
				"enable", !e.Log.Disabled,
			)
		}
		out.Content = append(out.Content, gen.Map(
			"triggerName", t.name,
			"triggerType", typ,
			"sourceArn", arn,
			"invocationRole", t.role,
			"qualifier", t.qualifier,
			"triggerConfig", config,
		))
	}
	return out
}

// ossEventNames are the events an OSS trigger takes, as fc3's schema
// lists them.
var ossEventNames = []string{
	"oss:ObjectCreated:*", "oss:ObjectCreated:AppendObject", "oss:ObjectCreated:CompleteMultipartUpload",
	"oss:ObjectCreated:CopyObject", "oss:ObjectCreated:InitiateMultipartUpload", "oss:ObjectCreated:PostObject",
	"oss:ObjectCreated:PutObject", "oss:ObjectCreated:PutSymlink", "oss:ObjectCreated:UploadPart",
	"oss:ObjectCreated:UploadPartCopy", "oss:ObjectModified:UpdateObjectMeta",
	"oss:ObjectRemoved:AbortMultipartUpload", "oss:ObjectRemoved:DeleteObject", "oss:ObjectRemoved:DeleteObjects",
}

// ossRemoved are the OSS events of every removal: OSS has no
// oss:ObjectRemoved:* to subscribe to.
var ossRemoved = []string{"oss:ObjectRemoved:DeleteObject", "oss:ObjectRemoved:DeleteObjects", "oss:ObjectRemoved:AbortMultipartUpload"}

// ossEvents returns a storage event's OSS events, object creation by
// default: OSS's as written, and the standard event's Op (created,
// removed) or another platform's wildcard of every creation or removal
// (s3:ObjectCreated:*, cos:ObjectRemove:*) as OSS's. bad is the first
// name that is none of these.
func ossEvents(s *spec.StorageEvent) (events []string, bad string) {
	if len(s.Events) == 0 {
		return []string{"oss:ObjectCreated:*"}, ""
	}
	for _, name := range s.Events {
		var these []string
		switch kind := gen.StorageWildcard(name); {
		case slices.Contains(ossEventNames, name):
			these = []string{name}
		case kind == gen.StorageCreated:
			these = []string{"oss:ObjectCreated:*"}
		case kind == gen.StorageRemoved:
			these = ossRemoved
		default:
			return nil, name
		}
		for _, ev := range these {
			if !slices.Contains(events, ev) {
				events = append(events, ev)
			}
		}
	}
	return events, ""
}

// authType is the HTTP trigger's auth type, from provider.authType:
// anonymous by default; upper case for funcraft.
func (p *plan) authType(funcraft bool) string {
	a := strings.ToLower(cmp.Or(p.extraScalar("authType"), "anonymous"))
	ok := a == "anonymous" || a == "function" || a == "jwt" && !funcraft
	if !ok {
		want := "anonymous, function or jwt (with its authConfig under platforms.fc)"
		if funcraft {
			want = "anonymous or function in template.yml"
		}
		n := p.s.Provider.Extra["authType"]
		p.errs.Add(gen.ErrorAt(p.s, pos(n), "provider.authType", "FC's HTTP trigger takes the auth type %s, not %q", want, n.Value))
		return "anonymous"
	}
	if funcraft {
		return strings.ToUpper(a)
	}
	return a
}

// fc3Domain is the fc3-domain component's props.
func (p *plan) fc3Domain(d *domain, region string) *yaml.Node {
	routes := gen.Seq()
	for _, up := range p.units {
		for _, r := range up.routes {
			routes.Content = append(routes.Content, gen.Map(
				"path", r.path,
				"functionName", FunctionName(p.s, up.unit.Name),
				"methods", r.methods,
				"qualifier", r.qualifier,
			))
		}
	}
	return gen.Map(
		"region", region,
		"domainName", cmp.Or(d.name, "auto"),
		"protocol", "HTTP",
		"routeConfig", gen.Map("routes", routes),
	)
}

// extraScalar returns a provider extra key's scalar value.
func (p *plan) extraScalar(key string) string {
	n := p.s.Provider.Extra[key]
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.errs.Add(gen.ErrorAt(p.s, pos(n), "provider."+key, "want a string"))
		return ""
	}
	return n.Value
}

// clone copies a node, as gen.Merge copies what it merges; nil and empty
// collections give nil.
func clone(n *yaml.Node) *yaml.Node {
	if gen.Value(n) == nil {
		return nil
	}
	dst := gen.Map()
	gen.Merge(dst, gen.Map("v", n))
	return gen.Get(dst, "v")
}

// without returns mapping n without key, sharing its nodes.
func without(n *yaml.Node, key string) *yaml.Node {
	out := &yaml.Node{Kind: n.Kind, Tag: n.Tag}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != key {
			out.Content = append(out.Content, n.Content[i], n.Content[i+1])
		}
	}
	return out
}

// encode writes a generated document.
func encode(doc *yaml.Node) ([]byte, error) {
	return gen.Encode(doc, gen.Header)
}
