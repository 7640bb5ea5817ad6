package aws

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// decodeInto decodes payload into v, reporting a failure as a DecodeError
// of trigger that names the field.
func decodeInto(payload []byte, v any, trigger string) error {
	err := json.Unmarshal(payload, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: trigger, Field: jsonwire.TypeErrorField(payload, typeErr),
			Err: fmt.Errorf("want %s, not a JSON %s (at offset %d)", jsonKind(typeErr.Type), typeErr.Value, typeErr.Offset)}
	}
	return &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: trigger, Err: err}
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a number"
}

// timeField parses an RFC 3339 time of the event, naming its field when it
// is not one. An empty string is the zero time.
func timeField(trigger, field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fieldError(trigger, field, fmt.Errorf("%q is not an RFC 3339 time", s))
	}
	return t, nil
}

func fieldError(trigger, field string, err error) error {
	return &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: trigger, Field: field, Err: err}
}

func base64Field(trigger, field, s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fieldError(trigger, field, fmt.Errorf("invalid base64: %w", err))
	}
	return b, nil
}

func epochMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func decodeSQS(payload []byte) (any, error) {
	var e struct {
		Records []struct {
			MessageID         string            `json:"messageId"`
			Body              string            `json:"body"`
			EventSourceARN    string            `json:"eventSourceARN"`
			Attributes        map[string]string `json:"attributes"`
			MessageAttributes map[string]struct {
				StringValue *string `json:"stringValue"`
				BinaryValue *string `json:"binaryValue"`
			} `json:"messageAttributes"`
		} `json:"Records"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{Records: make([]faas.Message, len(e.Records))}
	for i, r := range e.Records {
		m := faas.Message{ID: r.MessageID, Source: r.EventSourceARN, Body: []byte(r.Body)}
		if ms, err := strconv.ParseInt(r.Attributes["SentTimestamp"], 10, 64); err == nil {
			m.Time = epochMillis(ms)
		}
		for name, a := range r.MessageAttributes {
			if m.Attributes == nil {
				m.Attributes = make(map[string]string, len(r.MessageAttributes))
			}
			switch {
			case a.StringValue != nil:
				m.Attributes[name] = *a.StringValue
			case a.BinaryValue != nil:
				m.Attributes[name] = *a.BinaryValue // base64, as SQS sends it
			}
		}
		ev.Records[i] = m
	}
	return ev, nil
}

func decodeSNS(payload []byte) (any, error) {
	var e struct {
		Records []struct {
			SNS struct {
				MessageID         string `json:"MessageId"`
				TopicArn          string `json:"TopicArn"`
				Message           string `json:"Message"`
				Timestamp         string `json:"Timestamp"`
				MessageAttributes map[string]struct {
					Value string `json:"Value"`
				} `json:"MessageAttributes"`
			} `json:"Sns"`
		} `json:"Records"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{Records: make([]faas.Message, len(e.Records))}
	for i, r := range e.Records {
		s := r.SNS
		at, err := timeField(faas.TriggerMessage, fmt.Sprintf("Records[%d].Sns.Timestamp", i), s.Timestamp)
		if err != nil {
			return nil, err
		}
		m := faas.Message{ID: s.MessageID, Source: s.TopicArn, Body: []byte(s.Message), Time: at}
		for name, a := range s.MessageAttributes {
			if m.Attributes == nil {
				m.Attributes = make(map[string]string, len(s.MessageAttributes))
			}
			m.Attributes[name] = a.Value
		}
		ev.Records[i] = m
	}
	return ev, nil
}

// storageOp maps a native operation name to a standard one.
func storageOp(name string) string {
	switch {
	case strings.HasPrefix(name, "ObjectCreated"), name == "Object Created":
		return faas.StorageCreated
	case strings.HasPrefix(name, "ObjectRemoved"), name == "Object Deleted":
		return faas.StorageRemoved
	}
	return name
}

func decodeS3(payload []byte) (any, error) {
	var e struct {
		Records []struct {
			EventName string `json:"eventName"`
			EventTime string `json:"eventTime"`
			AWSRegion string `json:"awsRegion"`
			S3        struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object struct {
					Key  string `json:"key"`
					Size int64  `json:"size"`
					ETag string `json:"eTag"`
				} `json:"object"`
			} `json:"s3"`
		} `json:"Records"`
	}
	if err := decodeInto(payload, &e, faas.TriggerStorage); err != nil {
		return nil, err
	}
	ev := &faas.StorageEvent{Records: make([]faas.StorageRecord, len(e.Records))}
	for i, r := range e.Records {
		// S3 event notifications carry the key form-encoded: AWS's "Event
		// message structure" page says "The object key name value is URL
		// encoded. For example, "red flower.jpg" becomes "red+flower.jpg""
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
		// and a literal '+' arrives as %2B, a '%' as %25 (Arcadia-Science/data-hub#33,
		// guidance-for-medialake-on-aws#21), a ':' as %3A, a '/' as is or
		// as %2F (aws/aws-sdk-js#837, minio/minio#11665).
		// url.QueryUnescape undoes all of it.
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fieldError(faas.TriggerStorage, fmt.Sprintf("Records[%d].s3.object.key", i), err)
		}
		at, err := timeField(faas.TriggerStorage, fmt.Sprintf("Records[%d].eventTime", i), r.EventTime)
		if err != nil {
			return nil, err
		}
		ev.Records[i] = faas.StorageRecord{
			Op: storageOp(r.EventName), Bucket: r.S3.Bucket.Name, Key: key, Size: r.S3.Object.Size,
			ETag: r.S3.Object.ETag, Region: r.AWSRegion, Time: at,
		}
	}
	return ev, nil
}

func decodeKinesis(payload []byte) (any, error) {
	var e struct {
		Records []struct {
			EventID        string `json:"eventID"`
			EventSourceARN string `json:"eventSourceARN"`
			Kinesis        struct {
				Data                        string  `json:"data"`
				PartitionKey                string  `json:"partitionKey"`
				SequenceNumber              string  `json:"sequenceNumber"`
				ApproximateArrivalTimestamp float64 `json:"approximateArrivalTimestamp"`
			} `json:"kinesis"`
		} `json:"Records"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{Records: make([]faas.Message, len(e.Records))}
	for i, r := range e.Records {
		data, err := base64Field(faas.TriggerMessage, fmt.Sprintf("Records[%d].kinesis.data", i), r.Kinesis.Data)
		if err != nil {
			return nil, err
		}
		sec, frac := math.Modf(r.Kinesis.ApproximateArrivalTimestamp)
		ev.Records[i] = faas.Message{
			ID: r.EventID, Source: r.EventSourceARN, Body: data,
			Attributes: map[string]string{"partitionKey": r.Kinesis.PartitionKey, "sequenceNumber": r.Kinesis.SequenceNumber},
			Time:       time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(),
		}
	}
	return ev, nil
}

// eventBridge is what the adapter reads of an EventBridge event.
type eventBridge struct {
	DetailType string          `json:"detail-type"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// decodeSchedule decodes an EventBridge schedule: the timer is named by its
// rule's ARN.
//
// A rule with a constant Input sends that instead of the event. anyfaas's
// SAM generator gives a timer with a payload the Input
//
//	{"source":"aws.events","detail-type":"Scheduled Event",
//	 "resources":["<timer name>"],"detail":{"payload":"<payload>"}}
//
// which is the scheduled event without what only EventBridge knows: its
// time is then the invocation's arrival, and its payload detail.payload.
func decodeSchedule(payload []byte) (any, error) {
	var e eventBridge
	if err := decodeInto(payload, &e, faas.TriggerTimer); err != nil {
		return nil, err
	}
	at := time.Now().UTC()
	if e.Time != "" {
		var err error
		if at, err = timeField(faas.TriggerTimer, "time", e.Time); err != nil {
			return nil, err
		}
	}
	ev := &faas.TimerEvent{Time: at}
	if len(e.Resources) > 0 {
		ev.Name = e.Resources[0]
	}
	if p := jsonwire.Member(e.Detail, "payload"); p != nil {
		s, ok := jsonwire.String(p)
		if !ok {
			return nil, &faas.DecodeError{Platform: faas.PlatformAWS, Trigger: faas.TriggerTimer, Field: "detail.payload", Err: fmt.Errorf("want a string, not %s", jsonwire.Kind(p))}
		}
		ev.Payload = s
	}
	return ev, nil
}

// decodeS3EventBridge decodes an S3 event delivered through EventBridge
// ("Object Created", "Object Deleted"). Its detail.object.key is taken as
// it is, not URL-decoded as a notification's key is. AWS's "EventBridge
// event message structure" page
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html)
// says nothing of encoding, where the notification page says the key is
// URL-encoded; the evidence from real events is that it is not:
// aws-solutions-library-samples/guidance-for-medialake-on-aws stopped
// decoding it in v1.17.6 ("EventBridge S3 notifications deliver the object
// key un-encoded (unlike classic S3 event notifications). It must be used
// as-is — decoding here would corrupt keys containing '+', '%', or
// spaces", lambdas/ingest/s3/index.py), after its PR #21 tested keys such
// as "ARTISTS K to O.png" and "test+b.png" through both paths; moto too
// emits the EventBridge key raw and the notification key quote_plus'd.
// (Powertools for Python and OpenSearch Data Prepper do decode it, citing
// no event.) Decoding a raw key would turn '+' into a space and fail on a
// '%', so without proof of encoding the key is kept.
func decodeS3EventBridge(payload []byte) (any, error) {
	var e eventBridge
	if err := decodeInto(payload, &e, faas.TriggerStorage); err != nil {
		return nil, err
	}
	var d struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
			ETag string `json:"etag"`
		} `json:"object"`
	}
	if err := decodeInto(e.Detail, &d, faas.TriggerStorage); err != nil {
		var derr *faas.DecodeError
		if errors.As(err, &derr) && derr.Field != "" {
			derr.Field = "detail." + derr.Field
		}
		return nil, err
	}
	at, err := timeField(faas.TriggerStorage, "time", e.Time)
	if err != nil {
		return nil, err
	}
	return &faas.StorageEvent{Records: []faas.StorageRecord{{
		Op: storageOp(e.DetailType), Bucket: d.Bucket.Name, Key: d.Object.Key, Size: d.Object.Size,
		ETag: d.Object.ETag, Region: e.Region, Time: at,
	}}}, nil
}

// decodeKafka decodes an MSK or self-managed Kafka batch: one message per
// record, in topic-partition order; key and headers become attributes.
func decodeKafka(payload []byte) (any, error) {
	var e struct {
		Records map[string][]struct {
			Topic     string             `json:"topic"`
			Partition int64              `json:"partition"`
			Offset    int64              `json:"offset"`
			Timestamp int64              `json:"timestamp"`
			Key       string             `json:"key"`
			Value     string             `json:"value"`
			Headers   []map[string][]int `json:"headers"`
		} `json:"records"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{}
	for _, tp := range sortedKeys(e.Records) {
		for i, r := range e.Records[tp] {
			field := fmt.Sprintf("records[%q][%d]", tp, i)
			value, err := base64Field(faas.TriggerMessage, field+".value", r.Value)
			if err != nil {
				return nil, err
			}
			m := faas.Message{
				ID:     fmt.Sprintf("%s-%d@%d", r.Topic, r.Partition, r.Offset),
				Source: r.Topic, Body: value, Time: epochMillis(r.Timestamp),
				Attributes: map[string]string{},
			}
			if r.Key != "" {
				key, err := base64Field(faas.TriggerMessage, field+".key", r.Key)
				if err != nil {
					return nil, err
				}
				m.Attributes["key"] = string(key)
			}
			for k, h := range r.Headers {
				for name, bytes := range h {
					b := make([]byte, len(bytes))
					for j, v := range bytes {
						// Java bytes, -128..127; 128..255 read unsigned.
						if v < math.MinInt8 || v > math.MaxUint8 {
							return nil, fieldError(faas.TriggerMessage, fmt.Sprintf("%s.headers[%d][%q][%d]", field, k, name, j),
								fmt.Errorf("%d is not a byte", v))
						}
						b[j] = byte(v)
					}
					m.Attributes[name] = string(b)
				}
			}
			ev.Records = append(ev.Records, m)
		}
	}
	return ev, nil
}

func decodeActiveMQ(payload []byte) (any, error) {
	var e struct {
		Messages []struct {
			MessageID   string `json:"messageID"`
			Timestamp   int64  `json:"timestamp"`
			Data        string `json:"data"`
			Destination struct {
				PhysicalName string `json:"physicalName"`
			} `json:"destination"`
			Properties map[string]string `json:"properties"`
		} `json:"messages"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{Records: make([]faas.Message, len(e.Messages))}
	for i, m := range e.Messages {
		data, err := base64Field(faas.TriggerMessage, fmt.Sprintf("messages[%d].data", i), m.Data)
		if err != nil {
			return nil, err
		}
		ev.Records[i] = faas.Message{ID: m.MessageID, Source: m.Destination.PhysicalName, Body: data,
			Attributes: m.Properties, Time: epochMillis(m.Timestamp)}
	}
	return ev, nil
}

// decodeRabbitMQ decodes an Amazon MQ for RabbitMQ batch: queues in order,
// the source being the queue's name without its virtual host.
func decodeRabbitMQ(payload []byte) (any, error) {
	var e struct {
		Queues map[string][]struct {
			BasicProperties struct {
				MessageID *string                    `json:"messageId"`
				Timestamp string                     `json:"timestamp"`
				Headers   map[string]json.RawMessage `json:"headers"`
			} `json:"basicProperties"`
			Data string `json:"data"`
		} `json:"rmqMessagesByQueue"`
	}
	if err := decodeInto(payload, &e, faas.TriggerMessage); err != nil {
		return nil, err
	}
	ev := &faas.MessageEvent{}
	for _, q := range sortedKeys(e.Queues) {
		queue, _, _ := strings.Cut(q, "::")
		for i, m := range e.Queues[q] {
			data, err := base64Field(faas.TriggerMessage, fmt.Sprintf("rmqMessagesByQueue[%q][%d].data", q, i), m.Data)
			if err != nil {
				return nil, err
			}
			msg := faas.Message{Source: queue, Body: data}
			if m.BasicProperties.MessageID != nil {
				msg.ID = *m.BasicProperties.MessageID
			}
			if t, err := time.Parse("Jan 2, 2006, 3:04:05 PM", m.BasicProperties.Timestamp); err == nil {
				msg.Time = t.UTC()
			}
			for _, name := range sortedKeys(m.BasicProperties.Headers) {
				if msg.Attributes == nil {
					msg.Attributes = map[string]string{}
				}
				msg.Attributes[name] = rabbitHeader(m.BasicProperties.Headers[name])
			}
			ev.Records = append(ev.Records, msg)
		}
	}
	return ev, nil
}

// rabbitHeader renders a RabbitMQ header value: {"bytes": [...]} is the
// text of its bytes, anything else its JSON.
func rabbitHeader(raw json.RawMessage) string {
	var b struct {
		Bytes []int `json:"bytes"`
	}
	if json.Unmarshal(raw, &b) == nil && b.Bytes != nil {
		out := make([]byte, len(b.Bytes))
		for i, v := range b.Bytes {
			out[i] = byte(int8(v))
		}
		return string(out)
	}
	return strings.Trim(string(raw), `"`)
}
