package catalog

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// The mappings of message events. Every message of a batch is changed.

// errNotText reports a body that is not UTF-8 for a platform that carries
// message bodies as JSON text.
var errNotText = errors.New("the event carries the body as text, and this one is not UTF-8")

// text returns a body for an event that carries it as text.
func text(o override) (string, error) {
	if !utf8.ValidString(o.value) {
		return "", errNotText
	}
	return o.value, nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// awsSQS maps SQS batches: body and its md5OfBody, the queue's ARN
// (eventSourceARN), and string messageAttributes. md5OfMessageAttributes
// is left as it is: Lambda does not check it.
var awsSQS = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyQueue, keyAttributes},
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			switch o.name {
			case keyBody:
				body, err := text(o)
				if err != nil {
					return err
				}
				sum := md5.Sum([]byte(body))
				if err := d.setString(rec.at("body"), body); err != nil {
					return err
				}
				return setIfPresent(d, rec.at("md5OfBody"), hex.EncodeToString(sum[:]))
			case keyQueue:
				arn, _ := d.str(rec.at("eventSourceARN"))
				return d.setString(rec.at("eventSourceARN"), arnWith(arn, ":", o.value))
			case keyAttributes:
				return setMember(d, rec.at("messageAttributes"), o.arg, object{
					{"stringValue", o.value}, {"stringListValues", []string{}}, {"binaryListValues", []string{}}, {"dataType", "String"},
				})
			}
			return nil
		})
	},
}

// awsSNS maps SNS notifications: Sns.Message, Sns.TopicArn and string
// Sns.MessageAttributes. The signature is left as it is: it cannot be
// made, and Lambda does not check it.
var awsSNS = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic, keyAttributes},
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			sns := rec.at("Sns")
			switch o.name {
			case keyBody:
				body, err := text(o)
				if err != nil {
					return err
				}
				return d.setString(sns.at("Message"), body)
			case keyTopic:
				arn, _ := d.str(sns.at("TopicArn"))
				return d.setString(sns.at("TopicArn"), arnWith(arn, ":", o.value))
			case keyAttributes:
				return setMember(d, sns.at("MessageAttributes"), o.arg, object{{"Type", "String"}, {"Value", o.value}})
			}
			return nil
		})
	},
}

// awsKinesis maps Kinesis batches: kinesis.data in base64, and the
// stream's ARN.
var awsKinesis = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyStream},
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			switch o.name {
			case keyBody:
				return d.setString(rec.at("kinesis", "data"), b64(o.value))
			case keyStream:
				arn, _ := d.str(rec.at("eventSourceARN"))
				return d.setString(rec.at("eventSourceARN"), arnWith(arn, "stream/", o.value))
			}
			return nil
		})
	},
}

// awsKafka maps MSK and self-managed Kafka batches: records are grouped
// under "<topic>-<partition>", values are base64, and headers are arrays
// of Java's signed bytes.
var awsKafka = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic, keyAttributes},
	apply: func(d *doc, o override) error {
		for _, group := range d.keys(ptr("records")) {
			err := each(d, ptr("records", group), func(rec pointer) error {
				switch o.name {
				case keyBody:
					return d.setString(rec.at("value"), b64(o.value))
				case keyTopic:
					return d.setString(rec.at("topic"), o.value)
				case keyAttributes:
					value := make([]int, len(o.value))
					for i := range len(o.value) {
						value[i] = int(int8(o.value[i]))
					}
					headers := rec.at("headers")
					found := false
					err := each(d, headers, func(h pointer) error {
						if d.has(h.at(o.arg)) {
							found = true
							return d.setJSON(h.at(o.arg), value)
						}
						return nil
					})
					if err != nil || found {
						return err
					}
					if n := d.get(headers); n == nil || n.kind != '[' {
						return d.setJSON(headers, []object{{{o.arg, value}}})
					}
					return d.setJSON(headers.at("-"), object{{o.arg, value}})
				}
				return nil
			})
			if err != nil {
				return err
			}
			if o.name == keyTopic {
				partition := group[strings.LastIndexByte(group, '-')+1:]
				if err := d.rename(ptr("records"), group, o.value+"-"+partition); err != nil {
					return err
				}
			}
		}
		return nil
	},
}

// awsActiveMQ maps Amazon MQ for ActiveMQ batches: data in base64, the
// destination's physicalName, and properties.
var awsActiveMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyQueue, keyAttributes},
	apply: func(d *doc, o override) error {
		return each(d, ptr("messages"), func(m pointer) error {
			switch o.name {
			case keyBody:
				return d.setString(m.at("data"), b64(o.value))
			case keyQueue:
				return d.setString(m.at("destination", "physicalName"), o.value)
			case keyAttributes:
				return setMember(d, m.at("properties"), o.arg, o.value)
			}
			return nil
		})
	},
}

// awsRabbitMQ maps Amazon MQ for RabbitMQ batches: messages are grouped
// under "<queue>::<virtual host>", data is base64, and string headers are
// {"bytes": [...]}.
var awsRabbitMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyQueue, keyAttributes},
	apply: func(d *doc, o override) error {
		for _, group := range d.keys(ptr("rmqMessagesByQueue")) {
			err := each(d, ptr("rmqMessagesByQueue", group), func(m pointer) error {
				switch o.name {
				case keyBody:
					return d.setString(m.at("data"), b64(o.value))
				case keyAttributes:
					value := make([]int, len(o.value))
					for i := range len(o.value) {
						value[i] = int(int8(o.value[i]))
					}
					return setMember(d, m.at("basicProperties", "headers"), o.arg, object{{"bytes", value}})
				}
				return nil
			})
			if err != nil {
				return err
			}
			if o.name == keyQueue {
				_, vhost, _ := strings.Cut(group, "::")
				if err := d.rename(ptr("rmqMessagesByQueue"), group, o.value+"::"+vhost); err != nil {
					return err
				}
			}
		}
		return nil
	},
}

// fcMNSTopic maps MNS topic notifications in the JSON format: Message and
// TopicName. MessageMD5 is left as it is.
var fcMNSTopic = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic},
	apply: func(d *doc, o override) error {
		if o.name == keyTopic {
			return d.setString(ptr("TopicName"), o.value)
		}
		body, err := text(o)
		if err != nil {
			return err
		}
		return d.setString(ptr("Message"), body)
	},
}

// fcMNSStream maps MNS topic notifications in the STREAM format with
// attributes: body and attrs.
var fcMNSStream = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyAttributes},
	apply: func(d *doc, o override) error {
		if o.name == keyAttributes {
			return setMember(d, ptr("attrs"), o.arg, o.value)
		}
		body, err := text(o)
		if err != nil {
			return err
		}
		return d.setString(ptr("body"), body)
	},
}

// cloudEvents calls fn with each CloudEvent of an FC EventBridge trigger's
// event: the event itself, or each event of a batch.
func cloudEvents(d *doc, fn func(ev pointer) error) error {
	if d.root.kind == '[' {
		return each(d, ptr(), fn)
	}
	return fn(ptr())
}

// fcMNSQueue maps MNS queue events: data.messageBody, and the queue at the
// end of the subject (acs:mns:<region>:<account>:queues/<queue>).
var fcMNSQueue = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyQueue},
	apply: func(d *doc, o override) error {
		return cloudEvents(d, func(ev pointer) error {
			if o.name == keyQueue {
				subject, _ := d.str(ev.at("subject"))
				return d.setString(ev.at("subject"), replaceAfter(subject, "queues/", o.value))
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(ev.at("data", "messageBody"), body)
		})
	},
}

// fcRocketMQ maps ApsaraMQ for RocketMQ events: data.body, data.topic (and
// the subject, which ends in "%<topic>"), and data.userProperties.
var fcRocketMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic, keyAttributes},
	apply: func(d *doc, o override) error {
		return cloudEvents(d, func(ev pointer) error {
			data := ev.at("data")
			switch o.name {
			case keyBody:
				body, err := text(o)
				if err != nil {
					return err
				}
				return d.setString(data.at("body"), body)
			case keyTopic:
				old, _ := d.str(data.at("topic"))
				if subject, ok := d.str(ev.at("subject")); ok && old != "" && strings.HasSuffix(subject, "%"+old) {
					if err := d.setString(ev.at("subject"), replaceAfter(subject, "%", o.value)); err != nil {
						return err
					}
				}
				return d.setString(data.at("topic"), o.value)
			case keyAttributes:
				return setMember(d, data.at("userProperties"), o.arg, o.value)
			}
			return nil
		})
	},
}

// fcApacheRocketMQ maps the batches of self-managed Apache RocketMQ: body,
// topic and userProperties of each message.
var fcApacheRocketMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic, keyAttributes},
	apply: func(d *doc, o override) error {
		return each(d, ptr(), func(m pointer) error {
			switch o.name {
			case keyBody:
				body, err := text(o)
				if err != nil {
					return err
				}
				return d.setString(m.at("body"), body)
			case keyTopic:
				return d.setString(m.at("topic"), o.value)
			case keyAttributes:
				return setMember(d, m.at("userProperties"), o.arg, o.value)
			}
			return nil
		})
	},
}

// fcKafka maps ApsaraMQ for Kafka batches: data.value, and data.topic with
// the subject, which ends in ":topic:<topic>".
var fcKafka = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic},
	apply: func(d *doc, o override) error {
		return cloudEvents(d, func(ev pointer) error {
			if o.name == keyTopic {
				if subject, ok := d.str(ev.at("subject")); ok && strings.Contains(subject, ":topic:") {
					if err := d.setString(ev.at("subject"), replaceAfter(subject, ":topic:", o.value)); err != nil {
						return err
					}
				}
				return d.setString(ev.at("data", "topic"), o.value)
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(ev.at("data", "value"), body)
		})
	},
}

// fcRabbitMQ maps ApsaraMQ for RabbitMQ batches: data.body, and the queue
// at the end of the subject (…/queues/<queue>) and in the routing key,
// where it was (the default exchange routes by queue name).
var fcRabbitMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyQueue},
	apply: func(d *doc, o override) error {
		return cloudEvents(d, func(ev pointer) error {
			if o.name == keyQueue {
				subject, _ := d.str(ev.at("subject"))
				old := ""
				if i := strings.LastIndex(subject, "/queues/"); i >= 0 {
					old = subject[i+len("/queues/"):]
				}
				if rk, ok := d.str(ev.at("data", "envelope", "routingKey")); ok && rk == old {
					if err := d.setString(ev.at("data", "envelope", "routingKey"), o.value); err != nil {
						return err
					}
				}
				return d.setString(ev.at("subject"), replaceAfter(subject, "/queues/", o.value))
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(ev.at("data", "body"), body)
		})
	},
}

// fcMQTT maps ApsaraMQ for MQTT batches: body, and the topic split into
// props.firstTopic (its first level) and props.secondTopic (the rest).
var fcMQTT = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic},
	apply: func(d *doc, o override) error {
		return each(d, ptr(), func(m pointer) error {
			if o.name == keyTopic {
				first, second := o.value, ""
				if i := strings.IndexByte(o.value, '/'); i > 0 {
					first, second = o.value[:i], o.value[i:]
				}
				if err := d.setString(m.at("props", "firstTopic"), first); err != nil {
					return err
				}
				return d.setString(m.at("props", "secondTopic"), second)
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(m.at("body"), body)
		})
	},
}

// scfCMQ maps CMQ topic events: CMQ.msgBody and CMQ.topicName.
var scfCMQ = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic},
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			if o.name == keyTopic {
				return d.setString(rec.at("CMQ", "topicName"), o.value)
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(rec.at("CMQ", "msgBody"), body)
		})
	},
}

// scfCKafka maps CKafka events: Ckafka.msgBody and Ckafka.topic.
var scfCKafka = &mapping{
	trigger: "message",
	keys:    []string{keyBody, keyTopic},
	apply: func(d *doc, o override) error {
		return each(d, ptr("Records"), func(rec pointer) error {
			if o.name == keyTopic {
				return d.setString(rec.at("Ckafka", "topic"), o.value)
			}
			body, err := text(o)
			if err != nil {
				return err
			}
			return d.setString(rec.at("Ckafka", "msgBody"), body)
		})
	},
}

// pubsub maps Pub/Sub messages at msg (data in base64, attributes) whose
// topic is the resource name at topic: "//pubsub.googleapis.com/projects/
// p/topics/t" for a CloudEvent's source (prefixed), "projects/p/topics/t"
// for a legacy event's resource; a nil topic takes no topic key. The
// project is the topic's and the subscription's, beside msg.
func pubsub(msg, topic pointer, prefixed bool) *mapping {
	keys := []string{keyBody, keyTopic, keyAttributes, keyProject}
	if topic == nil {
		keys = []string{keyBody, keyAttributes, keyProject}
	}
	// The subscription is beside the message, where the event has it.
	subscription := slices.Clip(msg[:len(msg)-1]).at("subscription")
	return &mapping{
		trigger: "message",
		keys:    keys,
		apply: func(d *doc, o override) error {
			switch o.name {
			case keyBody:
				return d.setString(msg.at("data"), b64(o.value))
			case keyAttributes:
				return setMember(d, msg.at("attributes"), o.arg, o.value)
			case keyProject:
				for _, p := range []pointer{topic, subscription} {
					if s, ok := d.str(p); ok && p != nil {
						if err := d.setString(p, inProject(s, o.value)); err != nil {
							return err
						}
					}
				}
				return nil
			case keyTopic:
				old, _ := d.str(topic)
				name := o.value
				switch {
				case strings.HasPrefix(name, "//"), strings.HasPrefix(name, "projects/") && !prefixed:
				case strings.HasPrefix(name, "projects/"):
					name = "//pubsub.googleapis.com/" + name
				default:
					name = replaceAfter(old, "topics/", name)
				}
				return d.setString(topic, name)
			}
			return nil
		},
	}
}

// raw is the mapping of events with no semantic keys: they take JSON
// pointers only.
func raw(trigger string) *mapping {
	return &mapping{trigger: trigger, apply: func(*doc, override) error { return nil }}
}
