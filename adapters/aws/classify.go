package aws

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// kind is an event source, told by the event's shape.
type kind uint8

const (
	kindRaw kind = iota
	kindV1
	kindV2
	kindALB
	kindWebSocket
	kindSQS
	kindSNS
	kindS3
	kindKinesis
	kindSchedule
	kindS3EventBridge
	kindKafka
	kindActiveMQ
	kindRabbitMQ
	kindNamed // a known source of no standard shape: a RawEvent named for it
)

// source is a classified event: its kind, how to decode it, and for HTTP,
// how to encode the response.
type source struct {
	kind    kind
	trigger string // for kindNamed and kindWebSocket
	rawKind string // RawEvent.Kind
	// requestID is the platform's id in the event, if any, as raw JSON:
	// the id is made only when the invocation's context has none.
	requestID []byte

	// multiValue: an ALB target group with multi-value headers on.
	multiValue bool
	// functionURL: an HTTP request through a function URL, which can
	// stream its response.
	functionURL bool
	// respond encodes an HTTP response; nil for other triggers.
	respond func(resp *faas.HTTPResponse) []byte
	// v2 are the members of an HTTP API 2.0 request, for decoding it
	// without a second pass.
	v2 v2Members
}

// id returns the platform's id in the event, or "".
func (s *source) id() string {
	id, _ := jsonwire.String(s.requestID)
	return id
}

// probe holds the top-level members that tell sources apart.
type probe struct {
	version, httpMethod, source, detailType, eventSource []byte
	requestContext, records, kafkaRecords                []byte
	triggerSource, awslogs, requestType, stackID         []byte
	methodArn, routeArn, multiValueHeaders               []byte
	rmq, mqMessages, deliveryStream, alarmData           []byte
	configRule, batchTasks, objectContext, secretStep    []byte
	routeKey                                             []byte

	v2 v2Members
}

// classify tells the source of an event from its top-level members, without
// decoding it.
func classify(payload []byte) (source, error) { return classifyPrefix(payload, false) }

// guessTrigger names the trigger of a payload too large to decode, from
// the top-level members in its first 64 KB.
func guessTrigger(payload []byte) string {
	if len(payload) > 64<<10 {
		payload = payload[:64<<10]
	}
	src, _ := classifyPrefix(payload, true)
	return src.triggerName()
}

// triggerName returns the trigger of events of the source.
func (s source) triggerName() string {
	switch s.kind {
	case kindV1, kindV2, kindALB:
		return faas.TriggerHTTP
	case kindSQS, kindSNS, kindKinesis, kindKafka, kindActiveMQ, kindRabbitMQ:
		return faas.TriggerMessage
	case kindS3, kindS3EventBridge:
		return faas.TriggerStorage
	case kindSchedule:
		return faas.TriggerTimer
	case kindWebSocket, kindNamed:
		return s.trigger
	}
	return faas.TriggerRaw
}

// classifyPrefix is classify, or with partial set, classify of a payload
// cut short: the members before the cut decide.
func classifyPrefix(payload []byte, partial bool) (source, error) {
	p := probe{v2: v2Members{ok: true}}
	err := jsonwire.Members(payload, func(key, v []byte) bool {
		p.v2.top(key, v)
		switch string(key) {
		case "version":
			p.version = v
		case "httpMethod":
			p.httpMethod = v
		case "routeKey":
			p.routeKey = v
		case "requestContext":
			p.requestContext = v
		case "multiValueHeaders":
			p.multiValueHeaders = v
		case "Records":
			p.records = v
		case "records":
			p.kafkaRecords = v
		case "source":
			p.source = v
		case "detail-type":
			p.detailType = v
		case "eventSource":
			p.eventSource = v
		case "triggerSource":
			p.triggerSource = v
		case "awslogs":
			p.awslogs = v
		case "RequestType":
			p.requestType = v
		case "StackId":
			p.stackID = v
		case "methodArn":
			p.methodArn = v
		case "routeArn":
			p.routeArn = v
		case "rmqMessagesByQueue":
			p.rmq = v
		case "messages":
			p.mqMessages = v
		case "deliveryStreamArn":
			p.deliveryStream = v
		case "alarmData":
			p.alarmData = v
		case "configRuleName":
			p.configRule = v
		case "tasks":
			p.batchTasks = v
		case "getObjectContext":
			p.objectContext = v
		case "Step":
			p.secretStep = v
		}
		return true
	})
	if partial {
		return p.sourceOf(), nil
	}
	switch {
	case errors.Is(err, jsonwire.ErrNotObject):
		if !jsonwire.Valid(payload) {
			return source{}, &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: faas.TriggerRaw, Err: errors.New("the payload is not valid JSON")}
		}
		return source{kind: kindRaw}, nil // a direct invocation with a non-object payload
	case err != nil:
		return source{}, &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: faas.TriggerRaw, Err: errInvalidJSON(err)}
	}
	return p.sourceOf(), nil
}

// str is the string raw holds, or "".
func str(raw []byte) string { s, _ := jsonwire.String(raw); return s }

func errInvalidJSON(err error) error {
	return errors.New("invalid JSON: " + err.Error())
}

func (p *probe) sourceOf() source {
	named := func(trigger, k string) source { return source{kind: kindNamed, trigger: trigger, rawKind: k} }
	switch {
	// Authorizer inputs look like HTTP requests; they name the ARN they
	// guard.
	case p.methodArn != nil || p.routeArn != nil:
		return named("authorizer", str(p.version))
	case p.requestContext != nil:
		if s, ok := p.httpSource(); ok {
			return s
		}
	case p.records != nil:
		return p.recordsSource()
	case p.source != nil && p.detailType != nil:
		src, dt := str(p.source), str(p.detailType)
		switch {
		case dt == "Scheduled Event" && src == "aws.events":
			return source{kind: kindSchedule}
		case src == "aws.s3" && (dt == "Object Created" || dt == "Object Deleted"):
			return source{kind: kindS3EventBridge}
		}
		return named("eventbridge", dt)
	case p.eventSource != nil:
		switch es := str(p.eventSource); {
		case (es == "aws:kafka" || es == "SelfManagedKafka") && p.kafkaRecords != nil:
			return source{kind: kindKafka}
		case es == "aws:mq" && p.mqMessages != nil:
			return source{kind: kindActiveMQ}
		case es == "aws:rmq" && p.rmq != nil:
			return source{kind: kindRabbitMQ}
		}
	case p.awslogs != nil:
		return named(faas.TriggerLog, "")
	case p.triggerSource != nil:
		return named("cognito", str(p.triggerSource))
	case p.requestType != nil && p.stackID != nil:
		return named("cloudformation", str(p.requestType))
	case p.deliveryStream != nil && p.kafkaRecords != nil:
		return named("firehose", "")
	case p.alarmData != nil:
		return named("cloudwatch-alarm", "")
	case p.configRule != nil:
		return named("config", "")
	case p.batchTasks != nil:
		return named("s3-batch", "")
	case p.objectContext != nil:
		return named("s3-object-lambda", "")
	case p.secretStep != nil:
		return named("secretsmanager", str(p.secretStep))
	}
	return source{kind: kindRaw}
}

// httpSource tells the HTTP sources apart by their request context.
func (p *probe) httpSource() (source, bool) {
	var rc struct{ http, elb, connectionID, requestID, routeKey, domain []byte }
	if jsonwire.Members(p.requestContext, func(key, v []byte) bool {
		p.v2.rc(key, v)
		switch string(key) {
		case "http":
			rc.http = v
		case "elb":
			rc.elb = v
		case "connectionId":
			rc.connectionID = v
		case "requestId":
			rc.requestID = v
		case "routeKey":
			rc.routeKey = v
		case "domainName":
			rc.domain = v
		}
		return true
	}) != nil {
		// Not an object: an API Gateway event's decoder says so, naming
		// the member, rather than the event passing for a raw one.
		switch {
		case rawIs(p.version, "2.0"):
			return source{kind: kindV2, respond: encodeV2}, true // v2 not done: decodeV2
		case p.httpMethod != nil:
			return source{kind: kindV1, respond: encodeV1}, true
		}
		return source{}, false
	}
	id := rc.requestID
	url := rawContains(rc.domain, ".lambda-url.")
	switch {
	case rc.elb != nil:
		mv := p.multiValueHeaders != nil && !bytes.Equal(p.multiValueHeaders, []byte("null"))
		s := source{kind: kindALB, multiValue: mv}
		s.respond = func(resp *faas.HTTPResponse) []byte { return encodeALB(resp, mv) }
		return s, true
	case rc.connectionID != nil:
		return source{kind: kindWebSocket, trigger: "websocket", rawKind: str(rc.routeKey), requestID: id}, true
	case rc.http != nil && (rawIs(p.version, "2.0") || url):
		p.v2.done()
		return source{kind: kindV2, requestID: id, respond: encodeV2, functionURL: url, v2: p.v2}, true
	case p.httpMethod != nil:
		return source{kind: kindV1, requestID: id, respond: encodeV1}, true
	}
	return source{}, false
}

// recordsSource tells the sources of a Records batch apart by the first
// record; a source of no standard shape is named for its service.
func (p *probe) recordsSource() source {
	var es string
	jsonwire.Array(p.records, func(rec []byte) bool {
		es = str(jsonwire.Member(rec, "eventSource"))
		if es == "" {
			es = str(jsonwire.Member(rec, "EventSource"))
		}
		return false
	})
	switch es {
	case "aws:sqs":
		return source{kind: kindSQS}
	case "aws:sns":
		return source{kind: kindSNS}
	case "aws:s3":
		return source{kind: kindS3}
	case "aws:kinesis":
		return source{kind: kindKinesis}
	case "", "aws:": // no source to name the trigger for
		return source{kind: kindRaw}
	}
	return source{kind: kindNamed, trigger: strings.TrimPrefix(es, "aws:")}
}

// decode decodes the event of a classified payload.
func (s source) decode(payload []byte) (any, error) {
	switch s.kind {
	case kindV1:
		return decodeV1(payload)
	case kindV2:
		if req, ok := decodeV2Fast(&s.v2); ok {
			return req, nil
		}
		return decodeV2(payload)
	case kindALB:
		return decodeALB(payload)
	case kindSQS:
		return decodeSQS(payload)
	case kindSNS:
		return decodeSNS(payload)
	case kindS3:
		return decodeS3(payload)
	case kindKinesis:
		return decodeKinesis(payload)
	case kindSchedule:
		return decodeSchedule(payload)
	case kindS3EventBridge:
		return decodeS3EventBridge(payload)
	case kindKafka:
		return decodeKafka(payload)
	case kindActiveMQ:
		return decodeActiveMQ(payload)
	case kindRabbitMQ:
		return decodeRabbitMQ(payload)
	case kindWebSocket, kindNamed:
		return &faas.RawEvent{Trigger: s.trigger, Kind: s.rawKind, JSON: payload}, nil
	}
	return &faas.RawEvent{Trigger: faas.TriggerRaw, JSON: payload}, nil
}

// statusText returns an ALB status description, such as "200 OK".
func statusText(code int) string {
	t := http.StatusText(code)
	if t == "" {
		t = "Status"
	}
	return itoa(code) + " " + t
}
