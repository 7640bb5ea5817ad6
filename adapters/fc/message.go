package fc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// decodeMNSTopic decodes an MNS topic notification in the JSON format:
// {"TopicOwner","Message","Subscriber","PublishTime":<epoch ms>,
// "SubscriptionName","MessageMD5","TopicName","MessageId"}. Members beyond
// these, such as message attributes, become Attributes.
func decodeMNSTopic(payload []byte, m *members) (decoded, error) {
	const trigger = faas.TriggerMessage
	var (
		msg faas.Message
		err error
	)
	if msg.ID, err = str(m.messageID, trigger, "MessageId"); err != nil {
		return decoded{}, err
	}
	if msg.Source, err = str(m.topicName, trigger, "TopicName"); err != nil {
		return decoded{}, err
	}
	body, err := str(m.message, trigger, "Message")
	if err != nil {
		return decoded{}, err
	}
	msg.Body = []byte(body)
	if msg.Time, err = epochOrTime(m.publishTime, trigger, "PublishTime"); err != nil {
		return decoded{}, err
	}
	err = object(payload, trigger, "", func(k, v []byte) error {
		switch string(k) {
		case "TopicOwner", "Message", "Subscriber", "PublishTime", "SubscriptionName", "MessageMD5", "TopicName", "MessageId":
			return nil
		}
		if msg.Attributes == nil {
			msg.Attributes = make(map[string]string)
		}
		msg.Attributes[string(k)] = string(text(v))
		return nil
	})
	if err != nil {
		return decoded{}, err
	}
	return messages(msg), nil
}

// epochOrTime reads a time given in epoch milliseconds, or as an RFC 3339
// string.
func epochOrTime(raw []byte, trigger, field string) (time.Time, error) {
	if isNull(raw) {
		return time.Time{}, nil
	}
	if s, ok := jsonwire.String(raw); ok {
		return parseTime(s, trigger, field)
	}
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, decodeError(trigger, field, fmt.Errorf("want epoch milliseconds, got %s", jsonwire.Kind(raw)))
	}
	return time.UnixMilli(ms).UTC(), nil
}

// decodeMNSStream decodes an MNS topic notification in the STREAM format
// with message attributes: {"body":"…","attrs":{…}}.
func decodeMNSStream(m *members) (decoded, error) {
	const trigger = faas.TriggerMessage
	var (
		msg faas.Message
		err error
	)
	msg.Body = text(m.body)
	if msg.Attributes, err = attributes(nil, m.attrs, trigger, "attrs"); err != nil {
		return decoded{}, err
	}
	return messages(msg), nil
}

func messages(msgs ...faas.Message) decoded {
	return decoded{event: &faas.MessageEvent{Records: msgs}, trigger: faas.TriggerMessage}
}

// cloudEvent is an event of an EventBridge-based trigger: MNS queue,
// RocketMQ, Kafka, RabbitMQ (fc-runtime-go-sdk events/mns-queue.go,
// rocketmq.go, kafka-eventbridge.go; FC "formats of event for different
// triggers").
type cloudEvent struct {
	ID      string          `json:"id"`
	Source  string          `json:"source"`
	Type    string          `json:"type"`
	Subject string          `json:"subject"`
	Time    string          `json:"time"`
	Data    json.RawMessage `json:"data"`
}

// CloudEvent types of the message triggers, by prefix.
const (
	typeMNSQueue = "mns:Queue:"
	typeRocketMQ = "mq:Topic:"
	typeKafka    = "alikafka:"
	typeRabbitMQ = "amqp:Queue:"
)

func isMessageType(t string) bool {
	for _, p := range []string{typeMNSQueue, typeRocketMQ, typeKafka, typeRabbitMQ} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// decodeCloudEvents decodes one CloudEvent (batch false) or an array of
// them. An event of a type that is no message trigger's is a RawEvent of
// trigger "raw" with the type as Kind.
func decodeCloudEvents(payload []byte, elems [][]byte, batch bool) (decoded, error) {
	const trigger = faas.TriggerMessage
	msgs := make([]faas.Message, 0, len(elems))
	first := "" // the batch's type
	for i, raw := range elems {
		field := ""
		if batch {
			field = index("", i)
		}
		var ce cloudEvent
		if err := json.Unmarshal(raw, &ce); err != nil {
			return decoded{}, jsonError(trigger, field, raw, err)
		}
		if !isMessageType(ce.Type) {
			if i == 0 {
				return rawEvent(faas.TriggerRaw, ce.Type, payload), nil
			}
			return decoded{}, decodeError(trigger, joinField(field, "type"), fmt.Errorf("%q in a batch of %q events", ce.Type, first))
		}
		if i == 0 {
			first = ce.Type
		}
		msg, err := cloudEventMessage(&ce, field)
		if err != nil {
			return decoded{}, err
		}
		msgs = append(msgs, msg)
	}
	for i := range msgs {
		if len(msgs[i].Attributes) == 0 {
			msgs[i].Attributes = nil
		}
	}
	return messages(msgs...), nil
}

// decodeCloudEventTexts decodes an array of CloudEvents each sent as a JSON
// string, as the Kafka trigger through EventBridge delivers them.
func decodeCloudEventTexts(payload []byte, elems [][]byte) (decoded, error) {
	objs := make([][]byte, len(elems))
	for i, e := range elems {
		s, ok := jsonwire.String(e)
		if !ok {
			return decoded{}, decodeError(faas.TriggerMessage, index("", i), fmt.Errorf("want a string holding an event, got %s", jsonwire.Kind(e)))
		}
		objs[i] = []byte(s)
	}
	return decodeCloudEvents(payload, objs, true)
}

// cloudEventMessage maps the data of a message trigger's CloudEvent.
func cloudEventMessage(ce *cloudEvent, field string) (faas.Message, error) {
	const trigger = faas.TriggerMessage
	msg := faas.Message{ID: ce.ID, Attributes: map[string]string{}}
	var err error
	if msg.Time, err = parseTime(ce.Time, trigger, joinField(field, "time")); err != nil {
		return msg, err
	}
	dataField := joinField(field, "data")
	switch {
	case strings.HasPrefix(ce.Type, typeMNSQueue):
		var d struct {
			MessageID   string          `json:"messageId"`
			MessageBody json.RawMessage `json:"messageBody"`
		}
		if err := unmarshalData(ce.Data, &d, dataField); err != nil {
			return msg, err
		}
		msg.ID = firstNonEmpty(d.MessageID, ce.ID)
		msg.Source = firstNonEmpty(afterLast(ce.Subject, "queues/"), ce.Source)
		msg.Body = text(d.MessageBody)
	case strings.HasPrefix(ce.Type, typeRocketMQ):
		var d struct {
			Topic            string          `json:"topic"`
			SystemProperties json.RawMessage `json:"systemProperties"`
			UserProperties   json.RawMessage `json:"userProperties"`
			Body             json.RawMessage `json:"body"`
		}
		if err := unmarshalData(ce.Data, &d, dataField); err != nil {
			return msg, err
		}
		msg.Source = d.Topic
		msg.Body = text(d.Body)
		if msg.Attributes, err = attributes(msg.Attributes, d.SystemProperties, trigger, dataField+".systemProperties"); err != nil {
			return msg, err
		}
		if msg.Attributes, err = attributes(msg.Attributes, d.UserProperties, trigger, dataField+".userProperties"); err != nil {
			return msg, err
		}
	case strings.HasPrefix(ce.Type, typeKafka):
		var d struct {
			Topic     string          `json:"topic"`
			Partition json.Number     `json:"partition"`
			Offset    json.Number     `json:"offset"`
			Key       json.RawMessage `json:"key"`
			Value     json.RawMessage `json:"value"`
		}
		if err := unmarshalData(ce.Data, &d, dataField); err != nil {
			return msg, err
		}
		msg.Source = d.Topic
		msg.Body = text(d.Value)
		for k, v := range map[string]string{"partition": string(d.Partition), "offset": string(d.Offset), "key": string(text(d.Key))} {
			if v != "" {
				msg.Attributes[k] = v
			}
		}
	case strings.HasPrefix(ce.Type, typeRabbitMQ):
		var d struct {
			Envelope struct {
				Exchange   string `json:"exchange"`
				RoutingKey string `json:"routingKey"`
			} `json:"envelope"`
			Body  json.RawMessage `json:"body"`
			Props json.RawMessage `json:"props"`
		}
		if err := unmarshalData(ce.Data, &d, dataField); err != nil {
			return msg, err
		}
		msg.Source = firstNonEmpty(afterLast(ce.Subject, "/queues/"), d.Envelope.RoutingKey)
		msg.Body = text(d.Body)
		if msg.Attributes, err = attributes(msg.Attributes, d.Props, trigger, dataField+".props"); err != nil {
			return msg, err
		}
		msg.ID = firstNonEmpty(msg.Attributes["messageId"], ce.ID)
		if d.Envelope.RoutingKey != "" {
			msg.Attributes["routingKey"] = d.Envelope.RoutingKey
		}
		if d.Envelope.Exchange != "" {
			msg.Attributes["exchange"] = d.Envelope.Exchange
		}
	}
	return msg, nil
}

func unmarshalData(data json.RawMessage, v any, field string) error {
	if isNull(data) {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(faas.TriggerMessage, field, data, err)
	}
	return nil
}

// rocketMQMessage is one message of the self-managed Apache RocketMQ
// trigger's batch.
type rocketMQMessage struct {
	MsgID            string          `json:"msgId"`
	Topic            string          `json:"topic"`
	SystemProperties json.RawMessage `json:"systemProperties"`
	UserProperties   json.RawMessage `json:"userProperties"`
	Body             json.RawMessage `json:"body"`
}

func decodeRocketMQBatch(elems [][]byte) (decoded, error) {
	const trigger = faas.TriggerMessage
	msgs := make([]faas.Message, len(elems))
	for i, raw := range elems {
		field := index("", i)
		var rm rocketMQMessage
		if err := json.Unmarshal(raw, &rm); err != nil {
			return decoded{}, jsonError(trigger, field, raw, err)
		}
		msg := faas.Message{ID: rm.MsgID, Source: rm.Topic, Body: text(rm.Body)}
		var err error
		if msg.Attributes, err = attributes(nil, rm.SystemProperties, trigger, field+".systemProperties"); err != nil {
			return decoded{}, err
		}
		if msg.Attributes, err = attributes(msg.Attributes, rm.UserProperties, trigger, field+".userProperties"); err != nil {
			return decoded{}, err
		}
		msgs[i] = msg
	}
	return messages(msgs...), nil
}

// mqttMessage is one message of the MQTT trigger's batch: the topic is
// firstTopic followed by secondTopic.
type mqttMessage struct {
	Props json.RawMessage `json:"props"`
	Body  json.RawMessage `json:"body"`
}

func decodeMQTTBatch(elems [][]byte) (decoded, error) {
	const trigger = faas.TriggerMessage
	msgs := make([]faas.Message, len(elems))
	for i, raw := range elems {
		field := index("", i)
		var mm mqttMessage
		if err := json.Unmarshal(raw, &mm); err != nil {
			return decoded{}, jsonError(trigger, field, raw, err)
		}
		attrs, err := attributes(nil, mm.Props, trigger, field+".props")
		if err != nil {
			return decoded{}, err
		}
		msgs[i] = faas.Message{
			Source:     attrs["firstTopic"] + attrs["secondTopic"],
			Body:       text(mm.Body),
			Attributes: attrs,
		}
	}
	return messages(msgs...), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// afterLast returns what follows the last sep in s, or "".
func afterLast(s, sep string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return ""
}
