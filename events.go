package faas

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// HTTPRequest is the standard event of an HTTP trigger: API gateways,
// function URLs, load balancers and plain HTTP hosts all arrive as one.
//
// Adapters decode every platform's encoding into it: Body holds the decoded
// bytes (never base64), and multi-value headers, repeated query parameters
// and every cookie survive.
type HTTPRequest struct {
	// Method is the HTTP method in upper case, such as "GET".
	Method string
	// Path is the decoded request path, starting with "/".
	Path string
	// Query holds the query parameters, each with all of its values.
	Query url.Values
	// RawQuery is the query string as the client sent it, without '?',
	// where the platform passes it on; empty otherwise. Handlers mounted
	// from net/http see it, so that signatures over the query still verify.
	RawQuery string
	// Header holds the request headers in canonical form (see
	// http.CanonicalHeaderKey). Cookies are in Header["Cookie"].
	Header http.Header
	// Body is the request body, decoded from base64 where the platform
	// encoded it.
	Body []byte
	// PathParams holds the values of the route's path parameters, such as
	// "id" for the route "/items/{id}".
	PathParams map[string]string
	// Host is the host the client addressed, without scheme.
	Host string
	// SourceIP is the client's IP address as the platform reports it.
	SourceIP string
}

// Cookie returns the named cookie from the Cookie headers, or nil.
func (r *HTTPRequest) Cookie(name string) *http.Cookie {
	for _, line := range r.Header["Cookie"] {
		cookies, err := http.ParseCookie(line)
		if err != nil {
			continue
		}
		for _, c := range cookies {
			if c.Name == name {
				return c
			}
		}
	}
	return nil
}

// TimerEvent is the standard event of a scheduled trigger: EventBridge
// schedules, FC and SCF timers, Cloud Scheduler.
type TimerEvent struct {
	// Name is the trigger's name as the platform reports it.
	Name string
	// Time is when the platform fired the trigger.
	Time time.Time
	// Payload is the user payload configured on the trigger, if any.
	Payload string
}

// StorageEvent is the standard event of an object-storage trigger: S3, OSS,
// COS, Cloud Storage.
type StorageEvent struct {
	Records []StorageRecord
}

// Storage operations in [StorageRecord.Op]. A platform operation that is
// neither is reported by its native name.
const (
	StorageCreated = "created"
	StorageRemoved = "removed"
)

// StorageRecord describes one object change.
type StorageRecord struct {
	// Op is StorageCreated, StorageRemoved, or the platform's own name for
	// any other operation.
	Op     string
	Bucket string
	// Key is the object key. Where a platform is known to encode it in
	// the event, the adapter decodes it (S3 event notifications
	// form-encode it); elsewhere it is as the event carries it, which for
	// S3 through EventBridge and Cloud Storage is the key itself, and for
	// OSS and COS is not settled by any source found. Each adapter's
	// decoder cites its evidence.
	Key    string
	Size   int64
	ETag   string
	Region string
	Time   time.Time
}

// MessageEvent is the standard event of a queue or topic trigger: SQS, SNS,
// MNS, CMQ, Kafka, Pub/Sub and the like. One invocation may carry a batch.
type MessageEvent struct {
	Records []Message
}

// Message is one message of a [MessageEvent].
type Message struct {
	ID string
	// Source is the topic or queue the message came from.
	Source string
	// Body is the message payload, decoded from base64 where the platform
	// encoded it.
	Body       []byte
	Attributes map[string]string
	Time       time.Time
}

// RawEvent carries an event that has no standard shape, such as a log
// subscription, a database stream or a platform-specific notification.
type RawEvent struct {
	// Trigger is the trigger name: "log" for log subscriptions, the native
	// source for other known sources (such as "dynamodb" or "websocket"),
	// and "raw" for a payload of no known shape, such as a direct
	// invocation.
	Trigger string
	// Kind is what the event is within its trigger, as the platform names
	// it, where it says: a WebSocket route key ("$connect"), an EventBridge
	// detail-type, a CloudEvent type.
	Kind string
	// JSON is the native event, as the platform sent it.
	JSON json.RawMessage
}

// triggerOf reports the trigger name of a standard event, or "" for a value
// that is not one.
func triggerOf(event any) string {
	switch e := event.(type) {
	case *HTTPRequest:
		return TriggerHTTP
	case *TimerEvent:
		return TriggerTimer
	case *StorageEvent:
		return TriggerStorage
	case *MessageEvent:
		return TriggerMessage
	case *RawEvent:
		if e.Trigger == "" {
			return TriggerRaw
		}
		return e.Trigger
	}
	return ""
}
