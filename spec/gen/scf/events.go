package scf

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// endpointMethods are the methods an API Gateway endpoint of the scf
// component takes (docs/configure.md, endpoints.method).
var endpointMethods = []string{"ANY", "GET", "HEAD", "POST", "PUT", "DELETE"}

// cosEvents are the COS event names the scf component allows.
var cosEvents = []string{
	"cos:ObjectCreated:*", "cos:ObjectCreated:Put", "cos:ObjectCreated:Post", "cos:ObjectCreated:Copy",
	"cos:ObjectCreated:CompleteMultipartUpload", "cos:ObjectCreated:Origin", "cos:ObjectCreated:Replication",
	"cos:ObjectRemove:*", "cos:ObjectRemove:Delete", "cos:ObjectRemove:DeleteMarkerCreated",
	"cos:ObjectRestore:Post", "cos:ObjectRestore:Completed",
}

// apiEnvironments are the API Gateway environments a stage can name.
var apiEnvironments = []string{"release", "test", "prepub"}

// events returns the events of a unit's instance, and the header lines
// that say what its apigw events create.
func (g *generation) events(u *spec.Unit, set spec.Settings) (*yaml.Node, []string) {
	out := gen.Seq()
	apis, header := g.apis(u, set)
	out.Content = append(out.Content, apis...)
	timerNames := u.TimerNames(faas.PlatformSCF)
	web := FunctionType(g.s, u) == "web"
	for _, f := range u.Functions {
		if u.Group != nil && u.Group.DeployOrigin {
			break // the members' own units take their other events
		}
		for i, e := range f.Events {
			epath := f.EventPath(i)
			if web && e.HTTP == nil {
				// SCF's doc 583/40691: HTTP-triggered (web) functions
				// only support API Gateway triggers.
				g.fail(e.Pos, epath, "a web function (platforms.scf type: web) takes API Gateway triggers alone, the HTTP events: SCF refuses a %s trigger on it; give the event to an event function (a unit without type: web)", e.Key)
				continue
			}
			switch {
			case e.Timer != nil:
				expr, err := gen.Schedule(e.Timer, "scf")
				if err != nil {
					g.fail(e.KeyPos("value"), epath+".value", "%v", err)
					continue
				}
				// Named as the unit's manifest says, which the App
				// matches the events' TriggerName against.
				out.Content = append(out.Content, trigger("timer",
					"name", timerNames[e],
					"qualifier", qualifier(e),
					"cronExpression", expr,
					"enable", e.Timer.Enable,
					"argument", e.Timer.Payload,
				))
			case e.Storage != nil:
				g.checkBucket(e, epath)
				for _, ev := range g.cosEvents(e, epath) {
					out.Content = append(out.Content, trigger("cos",
						"qualifier", qualifier(e),
						"bucket", g.bucket(e.Storage.Bucket),
						"events", ev,
						"filter", gen.Map("prefix", e.Storage.Prefix, "suffix", e.Storage.Suffix),
						"enable", !e.Storage.Disabled,
					))
				}
			case e.Message != nil:
				if t := g.message(e, epath); t != nil {
					out.Content = append(out.Content, t)
				}
			case e.Log != nil:
				out.Content = append(out.Content, trigger("cls", "qualifier", qualifier(e), "topicId", e.Log.Source, "enable", !e.Log.Disabled))
			}
		}
	}
	return out, header
}

// trigger returns an event of type typ with parameters, as gen.Map takes
// them.
func trigger(typ string, parameters ...any) *yaml.Node {
	return gen.Map(typ, gen.Map("parameters", gen.Map(parameters...)))
}

// endpoint is an API Gateway endpoint of a unit.
type endpoint struct {
	path, method string
	params       []string
	cors         bool
	timeout      int
	integrated   bool
	// qualifier is the version or alias of the function the endpoint
	// invokes, its events' version (function.functionQualifier), "" for
	// the component's default, $DEFAULT; at and where are the f.yml
	// position and path of the event that gave it.
	qualifier string
	at        spec.Pos
	where     string
}

// service is the endpoints of one API Gateway service.
type service struct {
	id        string
	endpoints []*endpoint
	// protocols are those the HTTP events ask for (spec.HTTPEvent's
	// Protocols), of a service the unit creates.
	protocols []string
}

// defaultProtocols are the protocols of a service a unit creates when
// none of its HTTP events names any: HTTPS only, as AWS's API Gateway
// serves, where the toolkit's default would be HTTP only
// (tencent-component-toolkit, src/modules/apigw/utils.ts,
// getProtocolString).
var defaultProtocols = []string{"https"}

// serviceID returns the API Gateway service an HTTP event's endpoints go
// to: the event's serviceId, else the provider's; "" for one the unit
// creates.
func (g *generation) serviceID(e *spec.Event) string {
	if id := scalar(e.Extra["serviceId"]); id != "" {
		return id
	}
	return scalar(g.s.Provider.Extra["serviceId"])
}

// scanShared notes, in g.preflights, the paths of services units share on
// which a unit's route becomes an ANY endpoint (a method the endpoints do
// not list, or every method), which takes a preflight too: an ANY
// endpoint for preflights there would be a second one.
func (g *generation) scanShared(units []*spec.Unit) {
	for _, u := range units {
		for _, f := range u.Functions {
			if u.Group == nil && g.grouped[f.Name] {
				break
			}
			for _, e := range f.Events {
				if e.HTTP == nil {
					continue
				}
				id := g.serviceID(e)
				if id == "" {
					continue
				}
				takesAny := len(e.HTTP.Methods) == 0
				for _, m := range e.HTTP.Methods {
					takesAny = takesAny || !slices.Contains(endpointMethods, m)
				}
				if takesAny {
					p, _ := apiPath(e.HTTP.Path)
					g.preflights[id+" "+p] = true
				}
			}
		}
	}
}

// apis returns the unit's apigw events: one per API Gateway service its
// HTTP events name, and header lines saying which service it creates.
func (g *generation) apis(u *spec.Unit, set spec.Settings) ([]*yaml.Node, []string) {
	var services []*service
	byID := map[string]*service{}
	routes := 0
	for _, f := range u.Functions {
		if u.Group == nil && g.grouped[f.Name] {
			break // its deployOrigin group takes its routes
		}
		for i, e := range f.Events {
			if e.HTTP == nil {
				continue
			}
			epath := f.EventPath(i)
			id := g.serviceID(e)
			svc := byID[id]
			if svc == nil {
				svc = &service{id: id}
				byID[id] = svc
				services = append(services, svc)
			}
			if ps := e.HTTP.Protocols; ps != nil {
				if id != "" {
					g.fail(e.KeyPos("protocols"), epath+".protocols", "protocols apply to the API Gateway service a unit creates; the existing service %s keeps its own: set its protocols in API Gateway, or leave protocols out", id)
				}
				for _, p := range ps {
					if !slices.Contains(svc.protocols, p) {
						svc.protocols = append(svc.protocols, p)
					}
				}
			}
			timeout := set.Timeout
			if n := e.Extra["timeout"]; n != nil {
				v, err := spec.WholeNumber(n)
				switch {
				case err != nil:
					g.fail(spec.Pos{Line: n.Line, Column: n.Column}, epath+".timeout", "the API's timeout in seconds: %v", err)
				case v < 1:
					g.fail(spec.Pos{Line: n.Line, Column: n.Column}, epath+".timeout", "want the API's timeout in whole seconds, at least 1, not %d", v)
				case v > maxServiceTimeout:
					g.fail(spec.Pos{Line: n.Line, Column: n.Column}, epath+".timeout", "API Gateway takes a serviceTimeout of 1 to %d seconds, not %d", maxServiceTimeout, v)
				}
				timeout = v
			}
			methods, preflight := gen.HTTPMethods(g.s, u, f, e, true)
			if len(methods) == 0 {
				methods = []string{route.Any}
			}
			p, params := apiPath(e.HTTP.Path)
			for i, m := range methods {
				if preflight && i == len(methods)-1 && id != "" {
					// One ANY endpoint for preflights per path of a
					// shared service, of whichever unit comes first:
					// every unit runs the same code.
					at := id + " " + p
					if g.preflights[at] {
						continue
					}
					g.preflights[at] = true
				}
				routes++
				if !slices.Contains(endpointMethods, m) {
					m = route.Any
				}
				ep := &endpoint{
					path: p, method: m, params: params, cors: e.HTTP.CORS, timeout: timeout,
					integrated: e.HTTP.IntegratedResponse == nil || *e.HTTP.IntegratedResponse,
					qualifier:  scalar(e.Extra["version"]), at: e.KeyPos("version"), where: epath,
				}
				if cur := svc.add(ep); cur != nil {
					g.fail(ep.at, epath+".version", "the API Gateway endpoint %s %s invokes one version of the function: %s, not %s as %s's: give both routes the same version",
						m, p, versionText(ep.qualifier), versionText(cur.qualifier), cur.where)
				}
			}
		}
	}
	if u.Group != nil && routes > MaxRoutes {
		for _, svc := range services {
			all := *svc.endpoints[0]
			all.method = route.Any
			all.path, all.params = apiPath(u.Prefix)
			for _, ep := range svc.endpoints[1:] {
				if !all.merge(ep) {
					g.fail(ep.at, ep.where+".version", "an aggregated unit of more than %d routes gets one API Gateway endpoint, ANY %s, which invokes one version of the function: %s, not %s as %s's: give its HTTP events the same version",
						MaxRoutes, all.path, versionText(ep.qualifier), versionText(all.qualifier), all.where)
				}
			}
			svc.endpoints = []*endpoint{&all}
		}
	}
	env := ""
	if slices.Contains(apiEnvironments, g.s.Provider.Stage) {
		env = g.s.Provider.Stage
	}
	var out []*yaml.Node
	var header []string
	for _, svc := range services {
		eps := gen.Seq()
		for _, ep := range svc.endpoints {
			eps.Content = append(eps.Content, ep.node())
		}
		name := ""
		if len(services) > 1 {
			name = svc.id // several apigw events need names of their own
		}
		serviceName := ""
		var protocols []string
		if svc.id == "" {
			protocols = defaultProtocols
			if svc.protocols != nil {
				protocols = slices.Sorted(slices.Values(svc.protocols)) // http before https
			}
			// A service of its own: the component creates it on the first
			// deploy and finds it again, by this name, in the instance's
			// state; another instance never shares it.
			serviceName = g.apiNames[u.Name]
			header = append(header,
				"API Gateway: this unit creates a service of its own, "+serviceName+". Units share one",
				"only where provider.serviceId (or an HTTP event's serviceId) names an existing service.")
		}
		out = append(out, gen.Map("apigw", gen.Map(
			"name", name,
			"parameters", gen.Map(
				"serviceId", svc.id,
				"serviceName", serviceName,
				"protocols", protocols,
				"environment", env,
				"endpoints", eps,
			),
		)))
	}
	return out, header
}

// maxAPIName is the longest API Gateway service name the scf component
// takes (its serviceName regex, ^[a-zA-Z][a-zA-Z0-9(_)]{0,48}[a-zA-Z0-9]?$,
// allows 50, the last a letter or digit; 49 may end in '_').
const maxAPIName = 49

// apiServiceNames returns the name of the API Gateway service each unit
// creates when no serviceId names one to use: <service>_<stage>_<unit>
// with every character the component's regex refuses ('-' among them) as
// '_'. A name that is too long, or that another unit's name maps to too
// (get-item and get_item), is cut to 40 characters and takes '_' and the
// FNV-32a hash of the unit's deployed name, so that no two units of the
// spec share a name, whatever their order.
func apiServiceNames(s *spec.Spec, units []*spec.Unit) map[string]string {
	mapped := map[string]string{}
	count := map[string]int{}
	for _, u := range units {
		n := strings.Map(func(r rune) rune {
			if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
				return r
			}
			return '_'
		}, strings.ReplaceAll(gen.DeployName(s, u.Name), "-", "_"))
		mapped[u.Name] = n
		count[n]++
	}
	out := make(map[string]string, len(units))
	for _, u := range units {
		n := mapped[u.Name]
		if len(n) > maxAPIName || count[n] > 1 {
			h := fnv.New32a()
			h.Write([]byte(gen.DeployName(s, u.Name)))
			n = fmt.Sprintf("%s_%08x", n[:min(len(n), 40)], h.Sum32())
		}
		out[u.Name] = n
	}
	return out
}

// add adds an endpoint to a service, merging it into one of the same path
// and method; it returns that endpoint if it invokes another version of
// the function (see merge), else nil.
func (s *service) add(ep *endpoint) *endpoint {
	for _, cur := range s.endpoints {
		if cur.path == ep.path && cur.method == ep.method {
			if !cur.merge(ep) {
				return cur
			}
			return nil
		}
	}
	s.endpoints = append(s.endpoints, ep)
	return nil
}

// merge merges the settings of a route that falls on the same endpoint:
// CORS if any asks, the longest timeout, integrated unless all say not.
// It reports false if o invokes another version of the function
// (qualifier), which one endpoint cannot.
func (ep *endpoint) merge(o *endpoint) bool {
	ep.cors = ep.cors || o.cors
	ep.timeout = max(ep.timeout, o.timeout)
	ep.integrated = ep.integrated || o.integrated
	return ep.qualifier == o.qualifier
}

// versionText names an endpoint's qualifier in an error: version "2", or
// the default version for none.
func versionText(q string) string {
	if q == "" {
		return "the default version ($DEFAULT)"
	}
	return fmt.Sprintf("version %q", q)
}

func (ep *endpoint) node() *yaml.Node {
	var params []any
	for _, p := range ep.params {
		params = append(params, gen.Map("name", p, "position", "PATH", "required", true, "type", "string"))
	}
	var cors any
	if ep.cors {
		cors = true
	}
	return gen.Map(
		"path", ep.path,
		"method", ep.method,
		"enableCORS", cors,
		"serviceTimeout", ep.timeout,
		"param", gen.Seq(params...),
		"function", gen.Map("isIntegratedResponse", ep.integrated, "functionQualifier", ep.qualifier),
	)
}

// apiPath returns the API Gateway path of a route's path and its path
// parameters: {id} and :id are {id}; a final wildcard is cut, as API
// Gateway matches a plain path by its prefix.
func apiPath(p string) (string, []string) {
	var segs, params []string
	for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
		switch {
		case seg == "" || seg == "*" || strings.HasSuffix(seg, "...}"):
			continue // only the last segment can be a wildcard
		case strings.HasPrefix(seg, ":"):
			params = append(params, seg[1:])
			seg = "{" + seg[1:] + "}"
		case strings.HasPrefix(seg, "{"):
			params = append(params, strings.Trim(seg, "{}"))
		}
		segs = append(segs, seg)
	}
	return "/" + strings.Join(segs, "/"), params
}

// cosEvents returns the COS event names of a storage event: COS's as
// written, the standard event's Op (created, removed) or another
// platform's wildcard of creation or removal as COS's,
// and cos:ObjectCreated:* when it names none.
func (g *generation) cosEvents(e *spec.Event, epath string) []string {
	names := e.Storage.Events
	if len(names) == 0 {
		names = []string{"cos:ObjectCreated:*"}
	}
	var out []string
	for _, n := range names {
		ev := n
		if !strings.HasPrefix(n, "cos:") {
			switch kind := gen.StorageWildcard(n); kind {
			case gen.StorageCreated:
				ev = "cos:ObjectCreated:*"
			case gen.StorageRemoved:
				ev = "cos:ObjectRemove:*"
			}
		}
		if !slices.Contains(cosEvents, ev) {
			g.fail(e.KeyPos("events"), epath+".events", "%q is not a COS event, such as cos:ObjectCreated:* or cos:ObjectRemove:Delete (or created, removed)", n)
			return nil
		}
		if !slices.Contains(out, ev) {
			out = append(out, ev)
		}
	}
	return out
}

var (
	// bucketRE is a COS bucket's name: lower case letters, digits and
	// '-', then '-' and the APPID of the account, all digits
	// (photos-1250000000).
	bucketRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-[0-9]+$`)
	// bucketDomainRE is a bucket's domain: <bucket>.cos.<region>.myqcloud.com.
	bucketDomainRE = regexp.MustCompile(`^([^.]*)\.cos\.([^.]*)\.myqcloud\.com$`)
)

// checkBucket reports a storage event's bucket that COS cannot have: a
// name without its APPID, or a domain other than a bucket's in a region
// SCF offers.
func (g *generation) checkBucket(e *spec.Event, epath string) {
	b, pos := e.Storage.Bucket, e.KeyPos("bucket")
	if strings.Contains(b, ".") {
		m := bucketDomainRE.FindStringSubmatch(b)
		if m == nil {
			g.fail(pos, epath+".bucket", "%q is not a COS bucket's domain, <name>-<appid>.cos.<region>.myqcloud.com: give the bucket as photos-1250000000, or its domain as photos-1250000000.cos.ap-guangzhou.myqcloud.com", b)
			return
		}
		if hint, ok := gen.RegionHint(m[2], Regions, regionShape); !ok {
			g.fail(pos, epath+".bucket", "the bucket's domain %q names region %q, which SCF does not offer%s", b, m[2], hint)
		}
		b = m[1]
	}
	if !bucketRE.MatchString(b) {
		g.fail(pos, epath+".bucket", "COS names a bucket <name>-<appid>: lower case letters, digits and '-', then '-' and the account's APPID, all digits, such as photos-1250000000, not %q", b)
	}
}

// bucket returns a bucket as SCF names it: <name>-<appid>.cos.<region>.
// myqcloud.com, completed from the provider's region when the spec gives
// only the bucket's name.
func (g *generation) bucket(b string) string {
	if strings.Contains(b, ".") || g.s.Provider.Region == "" {
		return b
	}
	return b + ".cos." + g.s.Provider.Region + ".myqcloud.com"
}

// maxKafkaBatch is the most messages a ckafka trigger hands the function
// at once: its maxMsgNum (the scf component's serverless.component.yml).
const maxKafkaBatch = 10000

// message returns a message event's cmq or ckafka trigger, or nil after
// reporting what SCF cannot take.
func (g *generation) message(e *spec.Event, epath string) *yaml.Node {
	m := e.Message
	switch {
	case e.Key == "kafka":
		if m.Topic == "" {
			g.fail(e.Pos, epath, "a kafka event names a topic, not a queue")
			return nil
		}
		if m.Tags != "" {
			g.fail(e.KeyPos("tags"), epath+".tags", "SCF's ckafka trigger cannot filter messages by tags: leave them out and check the messages in the function")
			return nil
		}
		if e.Name == "" {
			g.fail(e.KeyPos("name"), epath+".name", "SCF's ckafka trigger needs the CKafka instance (ckafka-…) as the event's name")
			return nil
		}
		if m.BatchWindow > 0 {
			g.fail(e.KeyPos("maximumBatchingWindow"), epath+".maximumBatchingWindow", "SCF's ckafka trigger has no batching window: leave maximumBatchingWindow out (batchSize sets its maxMsgNum)")
			return nil
		}
		if m.BatchSize > maxKafkaBatch {
			g.fail(e.KeyPos("batchSize"), epath+".batchSize", "SCF's ckafka trigger takes a batch (maxMsgNum) of 1 to %d messages, not %d", maxKafkaBatch, m.BatchSize)
			return nil
		}
		retry, ok := g.eventNumber(e, epath, "retryTime", 0, -1, "SCF's ckafka trigger takes a retry count (retry) of 0 or more")
		if !ok {
			return nil
		}
		timeout, ok := g.eventNumber(e, epath, "timeout", 1, maxKafkaTimeout, fmt.Sprintf("SCF's ckafka trigger waits 1 to %d seconds (timeout) for a batch", maxKafkaTimeout))
		if !ok {
			return nil
		}
		return trigger("ckafka", "qualifier", qualifier(e), "name", e.Name, "topic", m.Topic, "maxMsgNum", m.BatchSize,
			"retry", retry, "timeout", timeout, "enable", !m.Disabled)
	case m.Queue != "":
		g.fail(e.KeyPos("queue"), epath+".queue", "SCF's CMQ trigger subscribes to a topic; a queue cannot trigger a function: give the CMQ topic that feeds the queue as topic (or, for CKafka, a kafka event)")
		return nil
	case gen.BatchKey(m) != "":
		key := gen.BatchKey(m)
		g.fail(e.KeyPos(key), epath+"."+key, "SCF's CMQ trigger invokes the function once per message: it has no batch size or batching window; leave %s out", key)
		return nil
	}
	var tags []string
	for _, t := range strings.Split(m.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	filterType := 0
	if len(tags) > 0 {
		filterType = 1 // by tag
	}
	return trigger("cmq", "qualifier", qualifier(e), "name", m.Topic, "enable", !m.Disabled, "filterType", filterType, "filterKey", tags)
}

// maxKafkaTimeout is the longest a ckafka trigger waits for a batch, in
// seconds: its timeout (the scf component's docs/configure.md, "最大 60
// 秒").
const maxKafkaTimeout = 60

// eventNumber returns an event's extra key as a whole number from least
// to most (most < 0: no most), and whether it is one; nil when the event
// does not give it (the trigger's own default then holds). what says
// what the platform takes.
func (g *generation) eventNumber(e *spec.Event, epath, key string, least, most int, what string) (any, bool) {
	n := e.Extra[key]
	if n == nil {
		return nil, true
	}
	v, err := spec.WholeNumber(n)
	pos := spec.Pos{Line: n.Line, Column: n.Column}
	switch {
	case err != nil:
		g.fail(pos, epath+"."+key, "%s: %v", what, err)
		return nil, false
	case v < least || most >= 0 && v > most:
		g.fail(pos, epath+"."+key, "%s, not %d", what, v)
		return nil, false
	}
	return v, true
}

// qualifier returns the version or alias of the function an event's
// trigger invokes: the event's version (Midway's key, FC's Qualifier),
// else nil, for the component's default, $DEFAULT.
func qualifier(e *spec.Event) any {
	if v := scalar(e.Extra["version"]); v != "" {
		return v
	}
	return nil
}

// eventKeys are the extra keys of events (spec.Event.Extra) the
// generator deploys, by trigger: Warnings warns of the others.
var eventKeys = gen.EventKeys{
	Platform: "SCF",
	Used: map[string][]string{
		spec.TriggerHTTP: {"serviceId", "timeout", "version"},
		"kafka":          {"version", "retryTime", "timeout"},
		"":               {"version"}, // timer, storage, cmq, log
	},
	Trigger: func(e *spec.Event) string { return "SCF's " + triggerName(e) + " trigger" },
}

// triggerName is the name of the SCF trigger an event becomes.
func triggerName(e *spec.Event) string {
	switch {
	case e.HTTP != nil:
		return "apigw"
	case e.Timer != nil:
		return "timer"
	case e.Storage != nil:
		return "cos"
	case e.Key == "kafka":
		return "ckafka"
	case e.Message != nil:
		return "cmq"
	case e.Log != nil:
		return "cls"
	}
	return e.Key
}

// scalar returns the value of a scalar node, or "".
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}
