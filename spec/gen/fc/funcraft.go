package fc

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// funcraftMethods are the methods of an FC 2.0 HTTP trigger (funcraft's
// schema): no PATCH, no OPTIONS.
var funcraftMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD"}

// logicalID is what funcraft takes as a resource's name.
var logicalID = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z.0-9_-]{0,127}$`)

// funcraft writes template.yml.
func (p *plan) funcraft() ([]byte, error) {
	s := p.s
	made := "<service>"
	if s.Provider.Stage != "" {
		made = "<service>-<stage>"
	}
	p.checkName("FC 2.0 service name", ServiceName(s), made, maxServiceName, gen.ProviderPos(s, "stage"), "provider.stage")
	svc := gen.Map(
		"Type", "Aliyun::Serverless::Service",
		"Properties", p.serviceProperties(),
	)
	for _, up := range p.units {
		name := up.unit.Name
		if strings.HasPrefix(name, "Type") || strings.HasPrefix(name, "Properties") {
			p.errs.Add(gen.ErrorAt(s, up.pos, up.path, "funcraft cannot name a function %q: a name beginning with Type or Properties is a key of its service", name))
		}
		gen.Set(svc, name, p.funcraftFunction(up))
	}
	resources := gen.Map(ServiceName(s), svc)
	if d := p.domain; d != nil && p.hasRoutes() {
		key, props := d.name, gen.Map()
		if d.name == "" || !logicalID.MatchString(d.name) {
			key = ServiceName(s) + "_domain"
			gen.Set(props, "DomainName", gen.Str(cmp.Or(d.name, "Auto")))
		}
		routes := gen.Map()
		for _, up := range p.units {
			for _, r := range up.routes {
				gen.Set(routes, r.path, gen.Map(
					"ServiceName", ServiceName(s),
					"FunctionName", up.unit.Name,
					"Qualifier", r.qualifier,
				))
			}
		}
		gen.Set(props, "Protocol", gen.Str("HTTP"))
		gen.Set(props, "RouteConfig", gen.Map("Routes", routes))
		gen.Set(resources, key, gen.Map("Type", "Aliyun::Serverless::CustomDomain", "Properties", props))
	}
	doc := gen.Map(
		"ROSTemplateFormatVersion", "2015-09-01",
		"Transform", "Aliyun::Serverless-2018-04-03",
		"Resources", resources,
	)
	if block := s.Platforms["fc"]; block != nil {
		gen.Merge(doc, gen.Get(block, "funcraft"))
	}
	return encode(doc)
}

// serviceProperties are the Service's Properties: the service's
// description and the provider's settings.
func (p *plan) serviceProperties() *yaml.Node {
	s := p.s
	x := s.Provider.Extra
	var tracing *yaml.Node
	if n := x["tracingConfig"]; n != nil && n.Kind == yaml.ScalarNode {
		tracing = clone(n)
	}
	return gen.Map(
		"Description", s.Service.Description,
		"Role", s.Provider.Role,
		"Policies", upperKeys(x["policies"]),
		"InternetAccess", clone(x["internetAccess"]),
		"VpcConfig", upperKeys(x["vpcConfig"]),
		"LogConfig", upperKeys(x["logConfig"]),
		"NasConfig", upperKeys(x["nasConfig"]),
		"TracingConfig", tracing,
	)
}

// funcraftFunction is a unit's Aliyun::Serverless::Function.
func (p *plan) funcraftFunction(up *unitPlan) *yaml.Node {
	s := p.s
	set := up.settings
	// A memory size FC 3.0 does not take either is checkSettings' error.
	p.checkSetting(up, "memorySize", func(s spec.Settings) int { return s.MemorySize }, func(m int) bool { return !fc3Memory(m) || funcraftMemory(m) },
		"FC 2.0 (template.yml) takes memory of 128 to 3072 MB in steps of 64 MB, or 4096, 8192, 16384 or 32768, not %d")
	p.checkSetting(up, "concurrency", func(s spec.Settings) int { return s.Concurrency }, func(c int) bool { return c <= 100 },
		"FC 2.0 (template.yml) takes an instance concurrency of 1 to 100, not %d")
	var initializer string
	if set.InitTimeout > 0 {
		initializer = Initializer
	}
	props := gen.Map(
		"Handler", Handler,
		"Runtime", FuncraftRuntime,
		"CodeUri", p.in.Artifact(up.unit.Name),
		"Description", set.Description,
		"MemorySize", set.MemorySize,
		"Timeout", set.Timeout,
		"InstanceConcurrency", set.Concurrency,
		"Initializer", initializer,
		"InitializationTimeout", set.InitTimeout,
		"InstanceLifecycleConfig", gen.Map("PreStop", gen.Map("Handler", PreStop, "Timeout", PreStopTimeout)),
		"EnvironmentVariables", set.Environment,
		"Layers", clone(s.Provider.Extra["layers"]),
		"AsyncConfiguration", upperKeys(s.Provider.Extra["asyncConfiguration"]),
	)
	events := gen.Map()
	if h := up.http; h != nil {
		for _, ref := range h.events {
			for _, m := range ref.ev.HTTP.Methods {
				if !slices.Contains(funcraftMethods, m) {
					ref.failAt(p, "method", "FC 2.0 (template.yml) takes the HTTP methods %s, not %s", strings.Join(funcraftMethods, ", "), m)
				}
			}
		}
		for _, ref := range h.preflight {
			ref.fail(p, "function %s has a layer that answers CORS preflights (as layers/cors does), which need OPTIONS on HTTP trigger %s, which FC 2.0 (template.yml) does not take: deploy with s.yaml (FC 3.0), or leave that layer out", ref.fn.Name, h.name)
		}
		if len(up.triggers) > 0 {
			t := up.triggers[0]
			t.fail(p, "FC 2.0 (template.yml) cannot give a function with an HTTP trigger other triggers, and unit %q has both: deploy with s.yaml (FC 3.0), or move this event to a function of another unit", up.unit.Name)
		}
		gen.Set(events, h.name, gen.Map(
			"Type", "HTTP",
			"Properties", gen.Map(
				"AuthType", p.authType(true),
				"Methods", h.methodsOr(funcraftMethods),
				"InvocationRole", h.role,
				"Qualifier", h.qualifier,
			),
		))
	}
	for _, t := range up.triggers {
		e := t.ev
		var typ string
		var props *yaml.Node
		switch t.kind {
		case kindTimer:
			typ = "Timer"
			props = gen.Map("CronExpression", t.cron, "Enable", e.Timer.Enable, "Payload", e.Timer.Payload)
		case kindOSS:
			typ = "OSS"
			props = gen.Map(
				"BucketName", e.Storage.Bucket,
				"Events", t.ossEvents,
				"Filter", gen.Map("Key", gen.Map("Prefix", gen.Str(e.Storage.Prefix), "Suffix", gen.Str(e.Storage.Suffix))),
			)
		case kindTopic:
			typ = "MNSTopic"
			props = gen.Map(
				"TopicName", e.Message.Topic,
				"Region", t.region,
				"NotifyContentFormat", "JSON",
				"NotifyStrategy", cmp.Or(e.Message.Strategy, "BACKOFF_RETRY"),
				"FilterTag", e.Message.Tags,
			)
		case kindQueue:
			t.fail(p, "FC 2.0 (template.yml) has no MNS queue trigger: deploy with s.yaml (FC 3.0), or subscribe the queue to a topic")
			continue
		case kindLog:
			typ = "Log"
			props = gen.Map(
				"SourceConfig", gen.Map("Logstore", e.Log.Source),
				"JobConfig", gen.Map("MaxRetryTime", gen.Int(t.retry), "TriggerInterval", gen.Int(t.interval)),
				"LogConfig", gen.Map("Project", e.Log.Project, "Logstore", e.Log.Log),
				"Enable", !e.Log.Disabled,
			)
		}
		for _, kv := range [][2]string{{"InvocationRole", t.role}, {"Qualifier", t.qualifier}} {
			if kv[1] != "" {
				gen.Set(props, kv[0], gen.Str(kv[1]))
			}
		}
		gen.Set(events, t.name, gen.Map("Type", typ, "Properties", props))
	}
	fn := gen.Map(
		"Type", "Aliyun::Serverless::Function",
		"Properties", props,
		"Events", events,
	)
	for _, f := range up.unit.Functions {
		if block := f.Platforms["fc"]; block != nil {
			gen.Merge(fn, gen.Get(block, "funcraft"))
		}
	}
	return fn
}

// upperKeys copies a provider setting for funcraft, upper-casing the first
// letter of every key, as Midway does; the scalar auto is written Auto.
func upperKeys(n *yaml.Node) *yaml.Node {
	n = clone(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Value == "auto" {
		n.Value = "Auto"
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				c.Value = upperFirst(c.Value)
				continue
			}
			walk(c)
		}
	}
	walk(n)
	return n
}
