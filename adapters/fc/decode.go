package fc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Trigger names of the RawEvents of sources with no standard shape.
const (
	triggerCDN        = "cdn"
	triggerTablestore = "tablestore"
)

// reply says how a decoded event's result is sent.
type reply int

const (
	replyJSON        reply = iota // the result as JSON (faas.EncodeResult)
	replyHTTPTrigger              // FC 3.0 HTTP trigger response JSON
	replyAPIGateway               // API Gateway response JSON
)

// decoded is an event decoded from a payload.
type decoded struct {
	event   any
	trigger string
	reply   reply
	// requestID is the id the event itself carries, if any.
	requestID string
}

// members holds the raw values of the top-level members of an event object
// that tell its shape, nil when absent. One walk over the object fills it.
type members struct {
	// FC 3.0 HTTP trigger; body and headers are shared with API Gateway,
	// body with the MNS STREAM format.
	rawPath, requestContext, body, isBase64Encoded, headers, queryParameters []byte
	// API Gateway
	httpMethod, path, pathParameters []byte
	// timer
	triggerTime, triggerName, payload []byte
	// OSS, CDN
	events []byte
	// MNS topic, JSON format
	topicName, message, messageID, publishTime []byte
	// MNS topic, STREAM format with attributes
	attrs []byte
	// CloudEvents of EventBridge-based triggers
	specversion []byte
	// SLS
	source, jobName []byte
	// Tablestore
	tsVersion, records []byte
	n                  int
}

func (m *members) set(k string, v []byte) {
	m.n++
	switch k {
	case "rawPath":
		m.rawPath = v
	case "requestContext":
		m.requestContext = v
	case "body":
		m.body = v
	case "isBase64Encoded":
		m.isBase64Encoded = v
	case "headers":
		m.headers = v
	case "queryParameters":
		m.queryParameters = v
	case "httpMethod":
		m.httpMethod = v
	case "path":
		m.path = v
	case "pathParameters":
		m.pathParameters = v
	case "triggerTime":
		m.triggerTime = v
	case "triggerName":
		m.triggerName = v
	case "payload":
		m.payload = v
	case "events":
		m.events = v
	case "TopicName":
		m.topicName = v
	case "Message":
		m.message = v
	case "MessageId":
		m.messageID = v
	case "PublishTime":
		m.publishTime = v
	case "attrs":
		m.attrs = v
	case "specversion":
		m.specversion = v
	case "source":
		m.source = v
	case "jobName":
		m.jobName = v
	case "Version":
		m.tsVersion = v
	case "Records":
		m.records = v
	}
}

// Shapes of event objects.
type shape int

const (
	shapeRaw shape = iota
	shapeHTTPTrigger
	shapeAPIGateway
	shapeTimer
	shapeEvents // OSS or CDN: {"events":[...]}
	shapeCloudEvent
	shapeMNSTopic
	shapeMNSStream
	shapeSLS
	shapeTablestore
)

// shape tells what an object is from the members seen so far. It also
// names the trigger of an object whose JSON turned out to be malformed.
func (m *members) shape() shape {
	switch {
	case m.rawPath != nil || (m.requestContext != nil && jsonwire.Member(m.requestContext, "http") != nil):
		return shapeHTTPTrigger
	case m.httpMethod != nil:
		return shapeAPIGateway
	case m.triggerTime != nil && m.triggerName != nil:
		return shapeTimer
	case m.events != nil:
		return shapeEvents
	case m.specversion != nil:
		return shapeCloudEvent
	case m.topicName != nil && m.message != nil:
		return shapeMNSTopic
	case m.attrs != nil && m.body != nil && m.n == 2:
		return shapeMNSStream
	case m.jobName != nil && m.source != nil && isKind(m.source, '{'):
		return shapeSLS
	case m.tsVersion != nil && m.records != nil:
		return shapeTablestore
	}
	return shapeRaw
}

// trigger names the trigger of a shape, for errors.
func (s shape) trigger(m *members) string {
	switch s {
	case shapeHTTPTrigger, shapeAPIGateway:
		return faas.TriggerHTTP
	case shapeTimer:
		return faas.TriggerTimer
	case shapeEvents:
		if eventSource(m.events) == "cdn" {
			return triggerCDN
		}
		return faas.TriggerStorage
	case shapeCloudEvent, shapeMNSTopic, shapeMNSStream:
		return faas.TriggerMessage
	case shapeSLS:
		return faas.TriggerLog
	case shapeTablestore:
		return triggerTablestore
	}
	return faas.TriggerRaw
}

// decode decodes a payload into a standard event. An event that claims a
// known shape but cannot be decoded is a *faas.DecodeError.
func decode(payload []byte) (decoded, error) {
	i := skipSpace(payload)
	if i == len(payload) {
		return rawEvent(faas.TriggerRaw, "", nil), nil
	}
	switch payload[i] {
	case '{':
		return decodeObject(payload)
	case '[':
		return decodeArray(payload)
	case '"':
		if !jsonwire.Valid(payload) {
			return decoded{}, decodeError(faas.TriggerRaw, "", errors.New("malformed JSON: unterminated or invalid string"))
		}
	}
	if jsonwire.Valid(payload) {
		return rawEvent(faas.TriggerRaw, "", payload), nil
	}
	// Not JSON at all: text or binary.
	return rawEvent(faas.TriggerRaw, "", nil), nil
}

func decodeObject(payload []byte) (decoded, error) {
	var (
		m    members
		last = skipSpace(payload) + 1 // where the member after the last one seen starts
	)
	err := jsonwire.Members(payload, func(k, v []byte) bool {
		m.set(string(k), v)
		last = end(payload, v)
		return true
	})
	if err != nil {
		// Name the member where the JSON broke, and take it into account
		// to tell the trigger.
		key, rest, ok := brokenMember(payload, last)
		if ok {
			m.set(key, rest)
		}
		return decoded{}, decodeError(m.shape().trigger(&m), key, fmt.Errorf("malformed JSON: %w", err))
	}
	switch m.shape() {
	case shapeHTTPTrigger:
		return decodeHTTPTrigger(&m)
	case shapeAPIGateway:
		return decodeAPIGateway(&m)
	case shapeTimer:
		return decodeTimer(&m)
	case shapeEvents:
		return decodeEvents(payload, &m)
	case shapeCloudEvent:
		return decodeCloudEvents(payload, [][]byte{payload}, false)
	case shapeMNSTopic:
		return decodeMNSTopic(payload, &m)
	case shapeMNSStream:
		return decodeMNSStream(&m)
	case shapeSLS:
		return rawEvent(faas.TriggerLog, "", payload), nil
	case shapeTablestore:
		return rawEvent(triggerTablestore, "", payload), nil
	}
	return rawEvent(faas.TriggerRaw, "", payload), nil
}

// decodeArray decodes the batches of message triggers: EventBridge-based
// triggers deliver arrays of CloudEvents (or of their JSON texts), the
// self-managed Apache RocketMQ and MQTT triggers arrays of their own.
func decodeArray(payload []byte) (decoded, error) {
	var (
		elems [][]byte
		last  = skipSpace(payload) + 1
	)
	err := jsonwire.Array(payload, func(v []byte) bool {
		elems = append(elems, v)
		last = end(payload, v)
		return true
	})
	if err != nil {
		// The first element, cut short if it is where the JSON broke,
		// tells the trigger.
		first := payload[last:]
		if len(elems) > 0 {
			first = elems[0]
		} else {
			first = first[skipSpace(first):]
		}
		trigger := faas.TriggerRaw
		if batchShape(first) != batchNone {
			trigger = faas.TriggerMessage
		}
		return decoded{}, decodeError(trigger, index("", len(elems)), fmt.Errorf("malformed JSON: %w", err))
	}
	if len(elems) == 0 {
		return rawEvent(faas.TriggerRaw, "", payload), nil
	}
	switch batchShape(elems[0]) {
	case batchCloudEvents:
		return decodeCloudEvents(payload, elems, true)
	case batchCloudEventTexts:
		return decodeCloudEventTexts(payload, elems)
	case batchRocketMQ:
		return decodeRocketMQBatch(elems)
	case batchMQTT:
		return decodeMQTTBatch(elems)
	}
	return rawEvent(faas.TriggerRaw, "", payload), nil
}

// end returns the offset in data just past v, a slice of data.
func end(data, v []byte) int { return cap(data) - cap(v) + len(v) }

// brokenMember reads the key of the object member that starts at or after
// offset i of data, in JSON that breaks there, and the rest of data after
// the key's colon.
func brokenMember(data []byte, i int) (key string, rest []byte, ok bool) {
	for i < len(data) && (data[i] == ',' || data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	if i >= len(data) || data[i] != '"' {
		return "", nil, false
	}
	j := i + 1
	for ; j < len(data) && data[j] != '"'; j++ {
		if data[j] == '\\' {
			j++
		}
	}
	if j >= len(data) {
		return "", nil, false
	}
	key, ok = jsonwire.String(data[i : j+1])
	if !ok {
		return "", nil, false
	}
	rest = data[j+1:]
	rest = rest[skipSpace(rest):]
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	}
	return key, rest[skipSpace(rest):], true
}

type batch int

const (
	batchNone batch = iota
	batchCloudEvents
	batchCloudEventTexts
	batchRocketMQ
	batchMQTT
)

// batchShape tells a batch's shape from its first element.
func batchShape(first []byte) batch {
	if s, ok := jsonwire.String(first); ok {
		b := []byte(s)
		if isKind(b, '{') && jsonwire.Member(b, "specversion") != nil {
			return batchCloudEventTexts
		}
		return batchNone
	}
	if !isKind(first, '{') {
		return batchNone
	}
	var specversion, msgID, topic, props, body bool
	jsonwire.Members(first, func(k, _ []byte) bool {
		switch string(k) {
		case "specversion":
			specversion = true
		case "msgId":
			msgID = true
		case "topic":
			topic = true
		case "props":
			props = true
		case "body":
			body = true
		}
		return true
	})
	switch {
	case specversion:
		return batchCloudEvents
	case msgID && topic:
		return batchRocketMQ
	case props && body:
		return batchMQTT
	}
	return batchNone
}

func rawEvent(trigger, kind string, js []byte) decoded {
	return decoded{event: &faas.RawEvent{Trigger: trigger, Kind: kind, JSON: js}, trigger: trigger}
}

// decodeError reports an event of the trigger that cannot be decoded,
// because of field (a path such as "requestContext.http.method"; empty for
// the whole event).
func decodeError(trigger, field string, err error) *faas.DecodeError {
	return &faas.DecodeError{Platform: faas.PlatformFC, Trigger: trigger, Field: field, Err: err}
}

// jsonError turns an error of encoding/json decoding data, the value at
// prefix, into a DecodeError naming the field, with its indexes and keys.
func jsonError(trigger, prefix string, data []byte, err error) *faas.DecodeError {
	var (
		terr *json.UnmarshalTypeError
		serr *json.SyntaxError
	)
	switch {
	case errors.As(err, &terr):
		return decodeError(trigger, joinField(prefix, jsonwire.TypeErrorField(data, terr)), fmt.Errorf("want a %s, got %s", terr.Type, terr.Value))
	case errors.As(err, &serr):
		return decodeError(trigger, prefix, fmt.Errorf("malformed JSON: %w", err))
	}
	return decodeError(trigger, prefix, err)
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

func index(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

func isKind(raw []byte, first byte) bool {
	i := skipSpace(raw)
	return i < len(raw) && raw[i] == first
}

func isNull(raw []byte) bool { return raw == nil || string(raw) == "null" }

func skipSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// str returns the string raw holds; null or absent is "".
func str(raw []byte, trigger, field string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	s, ok := jsonwire.String(raw)
	if !ok {
		return "", decodeError(trigger, field, fmt.Errorf("want a string, got %s", jsonwire.Kind(raw)))
	}
	return s, nil
}

// boolean returns the boolean raw holds; null or absent is false. The
// strings "true" and "false" are accepted too.
func boolean(raw []byte, trigger, field string) (bool, error) {
	switch string(raw) {
	case "", "null", "false", `"false"`:
		return false, nil
	case "true", `"true"`:
		return true, nil
	}
	return false, decodeError(trigger, field, fmt.Errorf("want a boolean, got %s", jsonwire.Kind(raw)))
}

// object calls fn for each member of the object raw holds; null or absent
// is an empty object. fn's error stops the walk and is returned. The key
// is valid only during the call (see jsonwire.Members).
func object(raw []byte, trigger, field string, fn func(k, v []byte) error) error {
	if isNull(raw) {
		return nil
	}
	var ferr error
	err := jsonwire.Members(raw, func(k, v []byte) bool {
		ferr = fn(k, v)
		return ferr == nil
	})
	if ferr != nil {
		return ferr
	}
	if err != nil {
		return decodeError(trigger, field, fmt.Errorf("want an object, got %s", jsonwire.Kind(raw)))
	}
	return nil
}

// stringMembers calls fn for each member of an object of strings. The key
// is valid only during the call.
func stringMembers(raw []byte, trigger, field string, fn func(k []byte, v string)) error {
	return object(raw, trigger, field, func(k, v []byte) error {
		if isNull(v) {
			fn(k, "")
			return nil
		}
		s, ok := jsonwire.String(v)
		if !ok {
			_, err := str(v, trigger, field+"."+string(k))
			return err
		}
		fn(k, s)
		return nil
	})
}

// text returns a value as message text: a string's contents, or the JSON
// of any other value; nil for null.
func text(raw []byte) []byte {
	if isNull(raw) {
		return nil
	}
	if s, ok := jsonwire.String(raw); ok {
		return []byte(s)
	}
	return raw
}

// attributes adds the members of a JSON object to attrs as strings: a
// string as is, any other value as its JSON. It returns attrs, made if nil
// and needed.
func attributes(attrs map[string]string, raw []byte, trigger, field string) (map[string]string, error) {
	err := object(raw, trigger, field, func(k, v []byte) error {
		if attrs == nil {
			attrs = make(map[string]string)
		}
		attrs[string(k)] = string(text(v))
		return nil
	})
	return attrs, err
}
