package aws

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// platformName names AWS in errors.
const platformName = "AWS SAM"

// Event types of SAM and the kinds of API.
const (
	httpAPI = "HttpApi" // an http event: API Gateway HTTP API
	restAPI = "Api"     // an apigw event: API Gateway REST API
)

// events returns the Events of a unit's function, whose logical id is
// fnID.
func (t *template) events(u *spec.Unit, fnID string) *yaml.Node {
	out := gen.Map()
	used := map[string]bool{}
	add := func(base string, event *yaml.Node) string {
		id := base
		for n := 2; used[id]; n++ {
			id = base + itoa(n)
		}
		used[id] = true
		gen.Set(out, id, event)
		return id
	}
	t.httpEvents(u, func(base string, event *yaml.Node) { add(base, event) })
	ids := eventIDs(u)
	timerNames := u.TimerNames(faas.PlatformAWS)
	for _, f := range u.Functions {
		if u.Group != nil && u.Group.DeployOrigin {
			break // the members' own units take their other events
		}
		prefix := ""
		if u.Group != nil {
			prefix = camel(f.Name)
		}
		for i, e := range f.Events {
			path := f.EventPath(i)
			base := func(kind, of string) string {
				if id, ok := ids[e]; ok {
					return id
				}
				return prefix + kind + camel(lastPart(of))
			}
			switch {
			case e.Timer != nil:
				if ev := t.schedule(e, path, timerNames[e]); ev != nil {
					id := add(base("Timer", ""), ev)
					t.rules = append(t.rules, rule{pos: e.Pos, path: path, name: e.Name, id: fnID + id})
				}
			case e.Storage != nil:
				if ev := t.s3(e, path); ev != nil {
					add(base("S3", e.Storage.Bucket), ev)
				}
			case e.Message != nil:
				kind, ev := t.message(e, path)
				if ev != nil {
					add(base(kind, e.Message.Topic+e.Message.Queue), ev)
				}
			case e.Log != nil:
				if e.Log.Disabled {
					t.errs.Add(gen.DisabledTrigger(t.s, e, path, platformName, "CloudWatch Logs event"))
					continue
				}
				add(base("Logs", e.Log.Source), gen.Map("Type", "CloudWatchLogs", "Properties", gen.Map(
					"LogGroupName", e.Log.Source,
					"FilterPattern", gen.Str(""),
				)))
			}
		}
	}
	return out
}

// httpRoute is a route of an API.
type httpRoute struct {
	api, method, path string
	// preflight is set on an OPTIONS route added for CORS preflights
	// (gen.HTTPMethods), which another route of its API and path that
	// takes OPTIONS makes needless.
	preflight bool
}

// scanHTTP notes which kinds of API an event asks CORS of, and the API
// Gateway paths, by API, that the units' HTTP events route OPTIONS on
// (declaring OPTIONS or every method), where an OPTIONS route added for
// preflights would take it from them.
func (t *template) scanHTTP(units []*spec.Unit) {
	t.options = map[httpRoute]bool{}
	for _, u := range units {
		for _, f := range u.Functions {
			for _, e := range f.Events {
				if e.HTTP == nil {
					continue
				}
				if e.HTTP.CORS {
					if apiOf(e) == httpAPI {
						t.httpCORS = true
					} else {
						t.restCORS = true
					}
				}
				if len(e.HTTP.Methods) > 0 && !slices.Contains(e.HTTP.Methods, "OPTIONS") && !slices.Contains(e.HTTP.Methods, route.Any) {
					continue
				}
				for _, p := range gatewayPaths(e.HTTP.Path) {
					t.options[httpRoute{api: apiOf(e), path: p}] = true
				}
			}
		}
	}
}

// apiOf returns the kind of API of an HTTP event.
func apiOf(e *spec.Event) string {
	if e.Key == "apigw" {
		return restAPI
	}
	return httpAPI
}

// httpEvents adds the unit's HTTP events: one per method and path of its
// routes, or a catch-all on its prefix for a group with more than
// MaxRoutes routes.
func (t *template) httpEvents(u *spec.Unit, add func(string, *yaml.Node)) {
	var declared []httpRoute
	apis := map[string]bool{}
	for _, f := range u.Functions {
		if u.Group == nil && t.grouped[f.Name] {
			break // its deployOrigin group takes its routes
		}
		for _, e := range f.Events {
			if e.HTTP == nil {
				continue
			}
			api := apiOf(e)
			apis[api] = true
			methods, preflight := gen.HTTPMethods(t.s, u, f, e, true)
			if len(methods) == 0 {
				methods = []string{route.Any}
			}
			for i, m := range methods {
				declared = append(declared, httpRoute{api, m, e.HTTP.Path, preflight && i == len(methods)-1})
			}
		}
	}
	seen := map[httpRoute]bool{}
	emit := func(r httpRoute) {
		for _, p := range gatewayPaths(r.path) {
			gr := httpRoute{api: r.api, method: r.method, path: p}
			if seen[gr] {
				continue
			}
			seen[gr] = true
			if r.preflight {
				// None where API Gateway's CORS answers preflights (for
				// a REST API, SAM's mock OPTIONS), and one per API and
				// path, of whichever unit comes first: every unit runs
				// the same code.
				if r.api == httpAPI && t.httpCORS || r.api == restAPI && t.restCORS {
					continue
				}
				at := httpRoute{api: r.api, path: p}
				if t.options[at] {
					continue
				}
				t.options[at] = true
			}
			t.apis[r.api] = true
			props := gen.Map("Path", p, "Method", r.method)
			if r.api == httpAPI {
				gen.Set(props, "PayloadFormatVersion", gen.Str(httpAPIPayloadVersion))
			}
			id := routeID(r.method, p)
			if r.api == restAPI {
				id = "Rest" + id // apart from an HTTP API's route of the same method and path
			}
			add(id, gen.Map("Type", r.api, "Properties", props))
		}
	}
	if u.Group != nil && len(declared) > MaxRoutes {
		for _, api := range []string{httpAPI, restAPI} {
			if apis[api] {
				emit(httpRoute{api: api, method: route.Any, path: u.Prefix})
			}
		}
		return
	}
	for _, r := range declared {
		emit(r)
	}
}

// gatewayPaths returns the API Gateway paths of a route's path: the path
// with {id} parameters (from {id} or :id), or, for a path ending in a
// wildcard, the path before it and that path with a greedy parameter
// ({rest+} for {rest...}, {proxy+} for *), since the wildcard also matches
// nothing.
func gatewayPaths(p string) []string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if p == "/" || len(segs) == 0 || segs[0] == "" {
		return []string{"/"}
	}
	var out []string
	for i, seg := range segs {
		greedy := ""
		switch {
		case seg == "*":
			greedy = "proxy"
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}"):
			greedy = strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "...}")
		case strings.HasPrefix(seg, ":"):
			out = append(out, "{"+seg[1:]+"}")
			continue
		default:
			out = append(out, seg)
			continue
		}
		if i == len(segs)-1 {
			base := "/" + strings.Join(out, "/")
			return []string{base, strings.TrimSuffix(base, "/") + "/{" + greedy + "+}"}
		}
	}
	return []string{"/" + strings.Join(out, "/")}
}

// routeID is an event's id from its method and API Gateway path, such as
// GetItemsId for GET /items/{id}.
func routeID(method, path string) string {
	id := camel(strings.ToLower(method))
	if path == "/" {
		return id + "Root"
	}
	return id + camel(path)
}

// schedule returns a timer's Schedule event, or nil after reporting a
// schedule AWS cannot take. name is the timer's name in the unit's
// manifest (spec.Unit.TimerNames), which the App routes its events by in
// a unit of several timer functions: the event's own name is its rule's
// Name, which a scheduled event carries in its rule's ARN (resources[0],
// arn:aws:events:…:rule/NAME); another name goes in a constant Input in
// the scheduled event's shape, resources [name] (see scheduleInput).
//
// Why not a rule Name for every timer: EventBridge takes one rule of a
// name per account, region and event bus, so a fixed one (orders-nightly)
// would collide between two stacks of the service (two stages, two
// copies), and one made of the stack's name (${AWS::StackName}-…) could
// pass the 64 characters a rule's name may have, and would tie the
// manifest, written before the deploy, to a stack name the deploy may
// change. The name CloudFormation gives an unnamed rule (stack, logical
// id, a random suffix, parts cut short to fit) cannot be matched
// reliably either. The constant Input costs the scheduled event's time
// and id, which the App then has not (TimerEvent.Time is when the
// function received it, seconds later at most).
func (t *template) schedule(e *spec.Event, path, name string) *yaml.Node {
	expr, err := gen.Schedule(e.Timer, "aws")
	if err != nil {
		t.fail(e.KeyPos("value"), path+".value", "%v", err)
		return nil
	}
	if e.Name != "" && !ruleNameRE.MatchString(e.Name) {
		t.fail(e.KeyPos("name"), path+".name", "the EventBridge rule name %q must be 1 to 64 letters, digits, '.', '-' or '_'%s", e.Name, ruleNameProblem(e.Name))
		return nil
	}
	return gen.Map("Type", "Schedule", "Properties", gen.Map(
		"Schedule", expr,
		"Name", e.Name,
		"Input", scheduleInput(cmp.Or(e.Name, name), e.Timer.Payload, e.Name == "" && name != ""),
		"Enabled", e.Timer.Enable,
	))
}

// rule is the EventBridge rule SAM makes of a timer event.
type rule struct {
	// pos and path are where f.yml declares the event.
	pos  spec.Pos
	path string
	// name is the rule's Name, the event's; "" lets CloudFormation name
	// it after the stack and its logical id.
	name string
	// id is its logical id: SAM's, its function's logical id and then the
	// event's.
	id string
}

// where names where f.yml declares the rule's timer, for an error about
// another.
func (r rule) where(s *spec.Spec) string {
	if r.pos.Line == 0 {
		return r.path
	}
	return fmt.Sprintf("%s:%d:%d (%s)", s.File, r.pos.Line, r.pos.Column, r.path)
}

// checkRules reports each timer whose EventBridge rule would take the
// Name or the logical id of another timer's rule, at the later of the two
// in the file, naming the earlier: EventBridge takes one rule of a name
// (on the default event bus, where SAM puts a schedule), and
// CloudFormation one resource of a logical id, so the stack could not be
// created.
func (t *template) checkRules() {
	rules := slices.Clone(t.rules)
	slices.SortStableFunc(rules, func(a, b rule) int {
		return cmp.Or(cmp.Compare(a.pos.Line, b.pos.Line), cmp.Compare(a.pos.Column, b.pos.Column))
	})
	byName, byID := map[string]rule{}, map[string]rule{}
	for _, r := range rules {
		if r.name != "" {
			if first, ok := byName[r.name]; ok {
				t.fail(r.pos, r.path+".name", "the EventBridge rule name %q is also that of the timer at %s: EventBridge takes one rule of a name; rename one", r.name, first.where(t.s))
				continue
			}
			byName[r.name] = r
		}
		if first, ok := byID[r.id]; ok {
			t.fail(r.pos, r.path, "SAM would give this timer's EventBridge rule the logical id %s (its function's logical id and the event's), as it does the timer's at %s: rename one of the events (name) or functions", r.id, first.where(t.s))
			continue
		}
		byID[r.id] = r
	}
}

// ruleNameRE is EventBridge's rule for a rule's Name (PutRule's Name).
var ruleNameRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

// ruleNameProblem says what breaks the rule name rule in name.
func ruleNameProblem(name string) string {
	if bad := gen.Offending(name, func(_ int, r rune) bool { return isAlnum(r) || r == '.' || r == '-' || r == '_' }); bad != "" {
		return ": it has " + bad
	}
	return fmt.Sprintf(": it has %d characters", len(name))
}

// scheduleInput is the Input of a Schedule event with a payload, or that
// a router needs to find the timer by name (routed), or "" for none. A
// rule with an Input sends it instead of the scheduled event, so it is
// the scheduled event's shape, with name as its resource and the payload
// as detail.payload, which the aws adapter reads as a timer event (see
// adapters/aws decodeSchedule).
func scheduleInput(name, payload string, routed bool) string {
	if payload == "" && !routed {
		return ""
	}
	in := struct {
		Source     string   `json:"source"`
		DetailType string   `json:"detail-type"`
		Resources  []string `json:"resources,omitempty"`
		Detail     struct {
			Payload string `json:"payload,omitempty"`
		} `json:"detail"`
	}{Source: "aws.events", DetailType: "Scheduled Event"}
	if name != "" {
		in.Resources = []string{name}
	}
	in.Detail.Payload = payload
	b, _ := json.Marshal(in) // strings always encode
	return string(b)
}

// s3 returns a storage event's S3 event, on the bucket resource the
// template declares for it.
func (t *template) s3(e *spec.Event, path string) *yaml.Node {
	if e.Storage.Disabled {
		t.errs.Add(gen.DisabledTrigger(t.s, e, path, platformName, "S3 event"))
		return nil
	}
	var events []string
	for _, name := range defaultTo(e.Storage.Events, defaultS3Event) {
		ev, ok := s3EventName(name)
		if !ok {
			t.fail(e.KeyPos("events"), path+".events", "%q is not an S3 event, such as s3:ObjectCreated:* or s3:ObjectRemoved:Delete (or created, removed)", name)
			return nil
		}
		if !slices.Contains(events, ev) {
			events = append(events, ev)
		}
	}
	bucket := bucketName(e.Storage.Bucket)
	t.buckets[bucket] = true
	ref := gen.Str("")
	t.bucketRefs = append(t.bucketRefs, bucketRef{ref, bucket})
	var rules []any
	if e.Storage.Prefix != "" {
		rules = append(rules, gen.Map("Name", "prefix", "Value", e.Storage.Prefix))
	}
	if e.Storage.Suffix != "" {
		rules = append(rules, gen.Map("Name", "suffix", "Value", e.Storage.Suffix))
	}
	return gen.Map("Type", "S3", "Properties", gen.Map(
		"Bucket", gen.Map("Ref", ref),
		"Events", events,
		"Filter", gen.Map("S3Key", gen.Map("Rules", gen.Seq(rules...))),
	))
}

// bucketName returns the name of a bucket f.yml gives by name or by ARN.
func bucketName(bucket string) string {
	if i := strings.Index(bucket, ":::"); strings.HasPrefix(bucket, "arn:") && i >= 0 {
		return bucket[i+3:]
	}
	return bucket
}

// s3EventName returns the S3 name of a storage event: an s3: name as is,
// and another platform's wildcard of creation or removal as S3's.
func s3EventName(name string) (string, bool) {
	if strings.HasPrefix(name, "s3:") {
		return name, true
	}
	switch kind := gen.StorageWildcard(name); kind {
	case gen.StorageCreated:
		return "s3:ObjectCreated:*", true
	case gen.StorageRemoved:
		return "s3:ObjectRemoved:*", true
	}
	return "", false
}

// message returns a message event's kind (for its id) and its SQS, SNS or
// MSK event.
func (t *template) message(e *spec.Event, path string) (string, *yaml.Node) {
	m := e.Message
	if m.Tags != "" {
		t.fail(e.KeyPos("tags"), path+".tags", "SQS, SNS and MSK events cannot filter messages by tags: leave them out, and filter in the function (or with a FilterPolicy or FilterCriteria under platforms.aws)")
		return "", nil
	}
	if !t.batching(e, path) {
		return "", nil
	}
	switch {
	case e.Key == "kafka":
		if m.Topic == "" {
			t.fail(e.Pos, path, "a kafka event names a topic, not a queue")
			return "", nil
		}
		if !strings.HasPrefix(e.Name, "arn:") {
			t.fail(e.KeyPos("name"), path+".name", "an MSK event needs the cluster's ARN as the event's name, not %q", e.Name)
			return "", nil
		}
		return "Kafka", gen.Map("Type", "MSK", "Properties", gen.Map(
			"Stream", e.Name,
			"Topics", []string{m.Topic},
			"StartingPosition", "LATEST",
			"Enabled", !m.Disabled,
			"BatchSize", m.BatchSize,
			"MaximumBatchingWindowInSeconds", m.BatchWindow,
		))
	case m.Queue != "":
		// ReportBatchItemFailures: a handler's *faas.BatchError retries
		// the failed messages only (adapters/aws).
		return "Sqs", gen.Map("Type", "SQS", "Properties", gen.Map("Queue", arn("sqs", m.Queue), "Enabled", !m.Disabled,
			"BatchSize", m.BatchSize,
			"MaximumBatchingWindowInSeconds", m.BatchWindow,
			"FunctionResponseTypes", []string{"ReportBatchItemFailures"}))
	default:
		if m.Disabled {
			t.errs.Add(gen.DisabledTrigger(t.s, e, path, platformName, "SNS event"))
			return "", nil
		}
		return "Sns", gen.Map("Type", "SNS", "Properties", gen.Map("Topic", arn("sns", m.Topic)))
	}
}

// Limits of a Lambda event source mapping's batching (Lambda's "Lambda
// parameters for Amazon SQS event source mappings" and
// CreateEventSourceMapping): up to 10000 records a batch (10 from an SQS
// FIFO queue, which has no batching window), more than 10 from a standard
// queue only with a window of at least a second, and a window of at most
// 300 seconds.
const (
	maxBatch       = 10000
	maxFIFOBatch   = 10
	maxUnwindowed  = 10
	maxBatchWindow = 300
)

// batching checks a message event's batchSize and maximumBatchingWindow
// against its event source's limits, and reports whether they fit.
func (t *template) batching(e *spec.Event, path string) bool {
	m := e.Message
	key := gen.BatchKey(m)
	if key == "" {
		return true
	}
	fifo := m.Queue != "" && strings.HasSuffix(m.Queue, ".fifo")
	switch {
	case e.Key != "kafka" && m.Queue == "":
		t.fail(e.KeyPos(key), path+"."+key, "SNS invokes the function once per message: an SNS event has no batch size or batching window; leave %s out, or subscribe an SQS queue to the topic and read the queue in batches", key)
	case fifo && m.BatchSize > maxFIFOBatch:
		t.fail(e.KeyPos("batchSize"), path+".batchSize", "an SQS FIFO queue (%s) takes a batch size of 1 to %d, not %d", m.Queue, maxFIFOBatch, m.BatchSize)
	case fifo && m.BatchWindow > 0:
		t.fail(e.KeyPos("maximumBatchingWindow"), path+".maximumBatchingWindow", "an SQS FIFO queue (%s) has no batching window: leave maximumBatchingWindow out", m.Queue)
	case m.BatchSize > maxBatch:
		t.fail(e.KeyPos("batchSize"), path+".batchSize", "Lambda takes a batch size of 1 to %d, not %d", maxBatch, m.BatchSize)
	case m.BatchWindow > maxBatchWindow:
		t.fail(e.KeyPos("maximumBatchingWindow"), path+".maximumBatchingWindow", "Lambda takes a batching window of 0 to %d seconds, not %d", maxBatchWindow, m.BatchWindow)
	case m.Queue != "" && m.BatchSize > maxUnwindowed && m.BatchWindow == 0:
		t.fail(e.KeyPos("batchSize"), path+".batchSize", "a batch size over %d (%d) from an SQS queue needs a batching window: set maximumBatchingWindow, 1 to %d seconds", maxUnwindowed, m.BatchSize, maxBatchWindow)
	default:
		return true
	}
	return false
}

// arn returns the ARN of a queue or topic: as written when it is one, else
// the name's ARN in the stack's partition, region and account.
func arn(service, name string) *yaml.Node {
	if strings.HasPrefix(name, "arn:") {
		return gen.Str(name)
	}
	return gen.Map("Fn::Sub", "arn:${AWS::Partition}:"+service+":${AWS::Region}:${AWS::AccountId}:"+name)
}

// lastPart returns what follows the last ':' of an ARN, or s.
func lastPart(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func defaultTo(list []string, def string) []string {
	if len(list) == 0 {
		return []string{def}
	}
	return list
}

// eventKeys says that SAM's events deploy none of the extra keys of
// events (spec.Event.Extra): Warnings warns of each, with what to use
// instead where AWS has it.
var eventKeys = gen.EventKeys{
	Platform: "AWS",
	Trigger:  func(e *spec.Event) string { return "SAM's " + eventType(e) + " event" },
	Instead: map[string]string{
		"role":    "the function runs as its execution role, provider.role",
		"version": "for events to invoke an alias, set AutoPublishAlias in the function's platforms.aws",
		"timeout": "the function's timeout is the function's or the provider's timeout",
		"region":  "the stack deploys its functions and events in provider.region",
		"retryTime": "Lambda retries what it invokes asynchronously (S3, SNS, Schedule, CloudWatchLogs) as EventInvokeConfig.MaximumRetryAttempts " +
			"(0 to 2) in the function's platforms.aws says, an SQS message as its queue's redrive policy says",
		"interval": "a message event waits for a batch as long as its maximumBatchingWindow says",
	},
}

// eventType is the type of the SAM event an event becomes.
func eventType(e *spec.Event) string {
	switch {
	case e.HTTP != nil:
		return apiOf(e)
	case e.Timer != nil:
		return "Schedule"
	case e.Storage != nil:
		return "S3"
	case e.Key == "kafka":
		return "MSK"
	case e.Message != nil && e.Message.Queue != "":
		return "SQS"
	case e.Message != nil:
		return "SNS"
	case e.Log != nil:
		return "CloudWatchLogs"
	}
	return e.Key
}
