package gcf

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// Legacy background event types and the CloudEvent types they become, as
// functions-framework-go converts them (funcframework/events.go,
// typeBackgroundToCloudEvent).
var legacyTypes = map[string]string{
	"google.pubsub.topic.publish":                              cloudevent.TypePubsubPublished,
	"providers/cloud.pubsub/eventTypes/topic.publish":          cloudevent.TypePubsubPublished,
	"google.storage.object.finalize":                           cloudevent.TypeStorageFinalized,
	"google.storage.object.delete":                             cloudevent.TypeStorageDeleted,
	"google.storage.object.archive":                            cloudevent.TypeStoragePrefix + "archived",
	"google.storage.object.metadataUpdate":                     cloudevent.TypeStoragePrefix + "metadataUpdated",
	"providers/cloud.storage/eventTypes/object.change":         cloudevent.TypeStorageFinalized,
	"providers/cloud.firestore/eventTypes/document.write":      "google.cloud.firestore.document.v1.written",
	"providers/cloud.firestore/eventTypes/document.create":     "google.cloud.firestore.document.v1.created",
	"providers/cloud.firestore/eventTypes/document.update":     "google.cloud.firestore.document.v1.updated",
	"providers/cloud.firestore/eventTypes/document.delete":     "google.cloud.firestore.document.v1.deleted",
	"providers/firebase.auth/eventTypes/user.create":           "google.firebase.auth.user.v1.created",
	"providers/firebase.auth/eventTypes/user.delete":           "google.firebase.auth.user.v1.deleted",
	"providers/google.firebase.analytics/eventTypes/event.log": "google.firebase.analytics.log.v1.written",
	"providers/google.firebase.database/eventTypes/ref.create": "google.firebase.database.ref.v1.created",
	"providers/google.firebase.database/eventTypes/ref.write":  "google.firebase.database.ref.v1.written",
	"providers/google.firebase.database/eventTypes/ref.update": "google.firebase.database.ref.v1.updated",
	"providers/google.firebase.database/eventTypes/ref.delete": "google.firebase.database.ref.v1.deleted",
}

// Google services that emit events.
const (
	serviceFirebase     = "firebase.googleapis.com"
	serviceFirebaseAuth = "firebaseauth.googleapis.com"
	serviceFirebaseDB   = "firebasedatabase.googleapis.com"
	serviceFirestore    = "firestore.googleapis.com"
	servicePubsub       = "pubsub.googleapis.com"
	serviceStorage      = "storage.googleapis.com"
)

// legacyServices names the service of a legacy event whose resource does
// not, by the prefix of its type.
var legacyServices = []struct{ prefix, service string }{
	{"providers/cloud.firestore/", serviceFirestore},
	{"providers/google.firebase.analytics/", serviceFirebase},
	{"providers/firebase.auth/", serviceFirebaseAuth},
	{"providers/google.firebase.database/", serviceFirebaseDB},
	{"providers/cloud.pubsub/", servicePubsub},
	{"providers/cloud.storage/", serviceStorage},
	{"google.pubsub", servicePubsub},
	{"google.storage", serviceStorage},
}

// resourceSplits splits a legacy resource into a CloudEvent's source
// resource and subject, by service.
var resourceSplits = map[string]*regexp.Regexp{
	serviceFirebase:   regexp.MustCompile(`^(projects/[^/]+)/(events/[^/]+)$`),
	serviceFirebaseDB: regexp.MustCompile(`^projects/_/(instances/[^/]+)/(refs/.+)$`),
	serviceFirestore:  regexp.MustCompile(`^(projects/[^/]+/databases/\(default\))/(documents/.+)$`),
	serviceStorage:    regexp.MustCompile(`^(projects/_/buckets/[^/]+)/(objects/.+)$`),
}

// legacyEvent is a legacy background event: {"context": {…}, "data": …}, or
// the context's members at the top level.
type legacyEvent struct {
	id, eventType string
	timestamp     time.Time
	// service, name and path are the resource: an object's service and
	// name, or a string.
	service, name, path string
	data                []byte
	domain              string // Firebase Realtime Database events
	ctxField            string // "context." or "", where the context was
}

// pushEnvelope is the body Pub/Sub sends to a push endpoint.
type pushEnvelope struct {
	subscription string
	message      []byte
}

// sniffJSON tells a legacy event or a Pub/Sub push body from any other
// JSON body, and returns which it is, or neither. It is conservative: a
// legacy event needs non-empty string eventId and eventType and non-null
// data; a push body must have only the members message (an object with a
// string messageId), subscription (a string) and deliveryAttempt. A body
// that claims to be a legacy event but has a context of the wrong shape is
// an error.
func sniffJSON(body []byte) (*legacyEvent, *pushEnvelope, error) {
	var (
		top, ctx  legacyFields
		context   []byte
		data      []byte
		domain    string
		push      pushEnvelope
		pushShape = true
	)
	err := jsonwire.Object(body, func(key string, v []byte) bool {
		switch key {
		case "context":
			context = v
		case "data":
			data = v
		case "domain":
			domain, _ = jsonwire.String(v)
		case "message":
			push.message = v
		case "subscription":
			push.subscription, _ = jsonwire.String(v)
		case "deliveryAttempt":
		default:
			top.set(key, v)
			pushShape = false
			return true
		}
		if key == "context" || key == "data" || key == "domain" {
			pushShape = false
		}
		return true
	})
	if err != nil {
		return nil, nil, nil // not a JSON object: plain HTTP
	}
	if pushShape && push.subscription != "" && len(push.message) > 0 && push.message[0] == '{' {
		id, _ := jsonwire.String(jsonwire.Member(push.message, "messageId"))
		if id != "" {
			return nil, &push, nil
		}
	}
	if len(data) == 0 || isNull(data) {
		return nil, nil, nil
	}
	fields, prefix := top, ""
	if len(context) > 0 && context[0] == '{' {
		jsonwire.Object(context, func(key string, v []byte) bool { // checked by the walk above
			ctx.set(key, v)
			return true
		})
		if ctx.isEvent() {
			fields, prefix = ctx, "context."
		}
	}
	if !fields.isEvent() {
		return nil, nil, nil
	}
	ev := &legacyEvent{id: fields.id, eventType: fields.eventType, data: data, domain: domain, ctxField: prefix}
	trigger := legacyTrigger(ev.eventType)
	if fields.timestamp != nil {
		t, err := timeField(trigger, prefix+"timestamp", fields.timestamp)
		if err != nil {
			return nil, nil, err
		}
		ev.timestamp = t
	}
	if r := fields.resource; r != nil && !isNull(r) {
		switch r[0] {
		case '"':
			ev.path, _ = jsonwire.String(r)
		case '{':
			var ferr error
			jsonwire.Object(r, func(key string, v []byte) bool {
				var dst *string
				switch key {
				case "service":
					dst = &ev.service
				case "name":
					dst = &ev.name
				default:
					return true
				}
				*dst, ferr = stringField(trigger, prefix+"resource."+key, v)
				return ferr == nil
			})
			if ferr != nil {
				return nil, nil, ferr
			}
		default:
			return nil, nil, decodeError(trigger, prefix+"resource", errors.New("want a string or an object"))
		}
	}
	return ev, nil, nil
}

// legacyFields are the members of a legacy event's context.
type legacyFields struct {
	id, eventType       string
	timestamp, resource []byte
}

func (f *legacyFields) set(key string, v []byte) {
	switch key {
	case "eventId":
		f.id, _ = jsonwire.String(v)
	case "eventType":
		f.eventType, _ = jsonwire.String(v)
	case "timestamp":
		f.timestamp = v
	case "resource":
		f.resource = v
	}
}

func (f *legacyFields) isEvent() bool { return f.id != "" && f.eventType != "" }

// legacyTrigger names the trigger of a legacy event type, for errors.
func legacyTrigger(eventType string) string {
	ceType, ok := legacyTypes[eventType]
	if !ok {
		return faas.TriggerRaw
	}
	switch {
	case strings.HasPrefix(ceType, cloudevent.TypeStoragePrefix):
		return faas.TriggerStorage
	case ceType == cloudevent.TypePubsubPublished:
		return faas.TriggerMessage
	case ceType == cloudevent.TypeSchedulerJobRun:
		return faas.TriggerTimer
	}
	return cloudevent.RawTrigger(ceType)
}

// cloudEvent converts a legacy event into the CloudEvent that
// functions-framework-go makes of it: the type by legacyTypes, the source
// "//service/resource" and the subject split from the resource, a Pub/Sub
// message wrapped in {"message": …} with messageId and publishTime, the
// subject users/<uid> of a Firebase Auth event, and the location of a
// Firebase Realtime Database from the event's domain. The data is
// otherwise as sent. known is false for a type with no CloudEvent
// equivalent; the CloudEvent then has the legacy type.
func (ev *legacyEvent) cloudEvent() (ce *cloudevent.Event, known bool) {
	ceType, known := legacyTypes[ev.eventType]
	if !known {
		ceType = ev.eventType
	}
	service := ev.service
	if service == "" {
		for _, s := range legacyServices {
			if strings.HasPrefix(ev.eventType, s.prefix) {
				service = s.service
				break
			}
		}
	}
	resource := ev.name
	if resource == "" {
		resource = ev.path
	}
	var subject string
	if re := resourceSplits[service]; re != nil {
		if m := re.FindStringSubmatch(resource); m != nil {
			resource, subject = m[1], m[2]
		}
	}
	source := resource
	if service != "" {
		source = "//" + service + "/" + resource
	}
	ce = &cloudevent.Event{
		ID: ev.id, Source: source, SpecVersion: "1.0", Type: ceType, Subject: subject,
		Time: ev.timestamp, DataContentType: "application/json", Data: ev.data,
	}
	switch service {
	case servicePubsub:
		ce.Data = wrapMessage(ev.data, ev.id, ev.timestamp)
	case serviceFirebaseAuth:
		if uid, ok := jsonwire.String(jsonwire.Member(ev.data, "uid")); ok && uid != "" {
			ce.Subject = "users/" + uid
		}
	case serviceFirebaseDB:
		location := "us-central1"
		if region, _, ok := strings.Cut(ev.domain, "."); ok && ev.domain != "firebaseio.com" {
			location = region
		}
		ce.Source = "//" + service + "/projects/_/locations/" + location + "/" + resource
	}
	return ce, known
}

// wrapMessage makes the MessagePublishedData of a legacy Pub/Sub event's
// data: {"message": data + messageId + publishTime}.
func wrapMessage(data []byte, id string, published time.Time) []byte {
	if len(data) == 0 || data[0] != '{' {
		return data
	}
	body := strings.TrimSpace(string(data[1:]))
	body = strings.TrimSuffix(body, "}")
	b := make([]byte, 0, len(data)+96)
	b = append(b, `{"message":{`...)
	if strings.TrimSpace(body) != "" {
		b = append(b, body...)
		b = append(b, ',')
	}
	b = append(b, `"messageId":`...)
	b = jsonwire.AppendString(b, id)
	if !published.IsZero() {
		b = append(b, `,"publishTime":`...)
		b = jsonwire.AppendString(b, published.Format(time.RFC3339Nano))
	}
	return append(b, "}}"...)
}

// pushCloudEvent is the CloudEvent of a Pub/Sub push body: its data is the
// body, which is a MessagePublishedData, and its source names the topic
// when the request path does (projects/p/topics/t, as
// functions-framework-go reads legacy push subscriptions), or else the
// subscription.
func (p *pushEnvelope) cloudEvent(path string, body []byte) *cloudevent.Event {
	resource := topicInPath.FindString(path)
	if resource == "" {
		resource = p.subscription
	}
	ce := &cloudevent.Event{
		Source: "//" + servicePubsub + "/" + resource, SpecVersion: "1.0",
		Type: cloudevent.TypePubsubPublished, DataContentType: "application/json", Data: body,
	}
	ce.ID, _ = jsonwire.String(jsonwire.Member(p.message, "messageId"))
	if t, err := parseTime(stringOf(jsonwire.Member(p.message, "publishTime"))); err == nil {
		ce.Time = t
	}
	return ce
}

var topicInPath = regexp.MustCompile(`projects/[^/?]+/topics/[^/?]+`)

func stringOf(v []byte) string {
	s, _ := jsonwire.String(v)
	return s
}
