package cloudevent

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// CloudEvent types with a standard shape, from googleapis/google-cloudevents.
const (
	// TypeStoragePrefix starts the types of Cloud Storage object events.
	TypeStoragePrefix    = "google.cloud.storage.object.v1."
	TypeStorageFinalized = TypeStoragePrefix + "finalized"
	TypeStorageDeleted   = TypeStoragePrefix + "deleted"
	TypePubsubPublished  = "google.cloud.pubsub.topic.v1.messagePublished"
	TypeSchedulerJobRun  = "google.cloud.scheduler.job.v1.executed"
	TypeAuditLogPrefix   = "google.cloud.audit.log."
	// TypeKnativePing is the type of the events of a Knative PingSource.
	TypeKnativePing = "dev.knative.sources.ping"
)

// Headers that Cloud Scheduler adds to the request of an HTTP job (Cloud
// Scheduler API, AppEngineHttpTarget.headers; firebase-functions builds
// the ScheduledEvent of a Cloud Run function from the same two,
// src/v2/providers/scheduler.ts).
const (
	// HeaderSchedulerJobName holds the job's name.
	HeaderSchedulerJobName = "X-CloudScheduler-JobName"
	// HeaderSchedulerScheduleTime holds, for a job with a unix-cron
	// schedule, the time the run was scheduled for, in RFC 3339 (UTC).
	// A run forced by hand ("gcloud scheduler jobs run") may have none:
	// firebase-functions then takes the time of the execution.
	HeaderSchedulerScheduleTime = "X-CloudScheduler-ScheduleTime"
)

// Standard returns the standard event of a CloudEvent, by its type (see
// the package documentation); a decode failure is a *faas.DecodeError of
// platform. raw is the event in the CloudEvents JSON format, or nil to have
// it encoded when the event is a RawEvent. msgField is where a Pub/Sub
// message was in what the client sent, for messages: "data.message" for a
// CloudEvent, "data" for a legacy Cloud Functions event.
func Standard(platform string, ce *Event, raw []byte, msgField string) (any, error) {
	event, err := standard(ce, raw, msgField)
	return event, withPlatform(platform, err)
}

func standard(ce *Event, raw []byte, msgField string) (any, error) {
	switch {
	case strings.HasPrefix(ce.Type, TypeStoragePrefix):
		return storageEvent(ce, StorageOp(ce.Type))
	case ce.Type == TypePubsubPublished:
		return pubsubEvent(ce, msgField)
	case ce.Type == TypeSchedulerJobRun:
		return timerEvent(ce)
	case ce.Type == TypeKnativePing:
		// The source is /apis/v1/namespaces/<namespace>/pingsources/<name>;
		// the data is the PingSource's data, as it is.
		return &faas.TimerEvent{Name: ce.Source, Time: timerTime(ce), Payload: string(ce.Data)}, nil
	}
	if raw == nil {
		raw, _ = ce.MarshalJSON() // never fails
	}
	return &faas.RawEvent{Trigger: RawTrigger(ce.Type), Kind: ce.Type, JSON: raw}, nil
}

// serviceTrigger is a Google service name that can stand as a trigger name.
var serviceTrigger = regexp.MustCompile(`^[a-z][a-z0-9]{0,63}$`)

// RawTrigger names the trigger of a CloudEvent with no standard shape: "log"
// for Cloud Audit Logs entries, "firebase" for Firebase, the service's name
// for other Google Cloud events (google.cloud.firestore.… is "firestore"),
// and "cloudevent" for the rest, and for service names that are taken by
// the standard triggers.
func RawTrigger(ceType string) string {
	switch {
	case strings.HasPrefix(ceType, TypeAuditLogPrefix):
		return faas.TriggerLog
	case strings.HasPrefix(ceType, "google.firebase."):
		return "firebase"
	case strings.HasPrefix(ceType, "google.cloud."):
		service, _, _ := strings.Cut(ceType[len("google.cloud."):], ".")
		switch service {
		case faas.TriggerHTTP, faas.TriggerTimer, faas.TriggerStorage, faas.TriggerMessage, faas.TriggerLog, faas.TriggerRaw:
		default:
			if serviceTrigger.MatchString(service) {
				return service
			}
		}
	}
	return Trigger
}

// checkJSONData reports an event whose data is not JSON, for the types
// whose data the adapter reads.
func checkJSONData(ce *Event, trigger string) error {
	if !IsJSONContent(ce.DataContentType) {
		return decodeError(trigger, "datacontenttype", fmt.Errorf("%q is not JSON; the %s event's data must be JSON", ce.DataContentType, ce.Type))
	}
	return nil
}

// walkData calls fn for each member of the event data, which must be a JSON
// object; field names the data in messages.
func walkData(trigger, field string, data []byte, fn func(key string, value []byte) error) error {
	var ferr error
	err := jsonwire.Object(data, func(key string, v []byte) bool {
		ferr = fn(key, v)
		return ferr == nil
	})
	switch {
	case len(data) == 0:
		return decodeError(trigger, field, errors.New("missing: the event has no data"))
	case errors.Is(err, jsonwire.ErrNotObject):
		return decodeError(trigger, field, errors.New("not a JSON object"))
	case err != nil:
		return decodeError(trigger, field, fmt.Errorf("malformed JSON: %w", err))
	}
	return ferr
}

// stringField returns the string a member holds; null is "".
func stringField(trigger, field string, v []byte) (string, error) {
	if isNull(v) {
		return "", nil
	}
	s, ok := jsonwire.String(v)
	if !ok {
		return "", decodeError(trigger, field, fmt.Errorf("want a string, not %s", jsonwire.Kind(v)))
	}
	return s, nil
}

// timeField returns the RFC 3339 time a member holds; null or "" is the
// zero time.
func timeField(trigger, field string, v []byte) (time.Time, error) {
	s, err := stringField(trigger, field, v)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, decodeError(trigger, field, err)
	}
	return t, nil
}

// storageEvent decodes the StorageObjectData of a Cloud Storage event. The
// record's Time is the event's time, when the change happened; without one
// it is the object's updated time, then its creation time.
//
// The record's Key is data.name as it is: Cloud Storage gives the object's
// name there unencoded, and encodes it only where it is part of a URL. The
// google-cloudevents StorageObjectData schema calls name "The name of the
// object." (proto/google/events/cloud/storage/v1/data.proto); a real
// finalized event (GGonryun/worksheets.dev,
// apps/unzip/src/types/storage-object-data.d.ts) has "name": "Screenshot 2025-03-13 at 9.21.22 PM.png" beside a selfLink
// and a mediaLink holding Screenshot%202025-03-13%20at%209.21.22%20PM.png,
// and the functions-framework conformance sample has "name":
// "folder/Test.cs" beside a mediaLink holding folder%2FTest.cs. So the
// name is not decoded.
func storageEvent(ce *Event, op string) (*faas.StorageEvent, error) {
	const trigger = faas.TriggerStorage
	if err := checkJSONData(ce, trigger); err != nil {
		return nil, err
	}
	rec := faas.StorageRecord{Op: op, Time: ce.Time}
	var updated, created time.Time
	err := walkData(trigger, "data", ce.Data, func(key string, v []byte) error {
		var err error
		switch key {
		case "bucket":
			rec.Bucket, err = stringField(trigger, "data.bucket", v)
		case "name":
			rec.Key, err = stringField(trigger, "data.name", v)
		case "etag":
			rec.ETag, err = stringField(trigger, "data.etag", v)
		case "size":
			rec.Size, err = int64Field(trigger, "data.size", v)
		case "updated":
			updated, err = timeField(trigger, "data.updated", v)
		case "timeCreated":
			created, err = timeField(trigger, "data.timeCreated", v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case rec.Bucket == "":
		return nil, decodeError(trigger, "data.bucket", errors.New("missing"))
	case rec.Key == "":
		return nil, decodeError(trigger, "data.name", errors.New("missing"))
	}
	if rec.Time.IsZero() {
		rec.Time = updated
	}
	if rec.Time.IsZero() {
		rec.Time = created
	}
	return &faas.StorageEvent{Records: []faas.StorageRecord{rec}}, nil
}

// int64Field reads an int64 in proto3's JSON mapping: a string of digits,
// or a number.
func int64Field(trigger, field string, v []byte) (int64, error) {
	s := string(v)
	if v[0] == '"' {
		s, _ = jsonwire.String(v)
	} else if isNull(v) {
		return 0, nil
	} else if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return 0, decodeError(trigger, field, fmt.Errorf("want an integer or a string of digits, not %s", jsonwire.Kind(v)))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, decodeError(trigger, field, fmt.Errorf("%q is not a size in bytes", s))
	}
	return n, nil
}

// pubsubEvent decodes the MessagePublishedData of a Pub/Sub event. The
// data of a legacy event was wrapped into one; msgField names where its
// message was sent, for errors.
func pubsubEvent(ce *Event, msgField string) (*faas.MessageEvent, error) {
	const trigger = faas.TriggerMessage
	if err := checkJSONData(ce, trigger); err != nil {
		return nil, err
	}
	var msg []byte
	err := walkData(trigger, "data", ce.Data, func(key string, v []byte) error {
		if key == "message" && !isNull(v) {
			msg = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, decodeError(trigger, msgField, errors.New("missing"))
	}
	return messageEvent(ce, msg, msgField)
}

// messageEvent decodes a PubsubMessage. The message id and publish time
// default to the event's id and time, as functions-framework-go fills them
// in for legacy events. Source is the topic's resource name, from the
// event's source.
func messageEvent(ce *Event, msg []byte, field string) (*faas.MessageEvent, error) {
	const trigger = faas.TriggerMessage
	m := faas.Message{Source: resourceName(ce.Source)}
	err := walkData(trigger, field, msg, func(key string, v []byte) error {
		var err error
		switch key {
		case "data":
			var s string
			if s, err = stringField(trigger, field+".data", v); err == nil {
				if m.Body, err = DecodeBase64(s); err != nil {
					err = decodeError(trigger, field+".data", err)
				}
			}
		case "attributes":
			m.Attributes, err = attributes(trigger, field+".attributes", v)
		case "messageId", "message_id": // a push body carries both
			m.ID, err = stringField(trigger, field+"."+key, v)
		case "publishTime", "publish_time":
			m.Time, err = timeField(trigger, field+"."+key, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.ID == "" {
		m.ID = ce.ID
	}
	if m.Time.IsZero() {
		m.Time = ce.Time
	}
	return &faas.MessageEvent{Records: []faas.Message{m}}, nil
}

// attributes decodes a map of strings; null is an empty map.
func attributes(trigger, field string, v []byte) (map[string]string, error) {
	if isNull(v) {
		return nil, nil
	}
	if v[0] != '{' {
		return nil, decodeError(trigger, field, fmt.Errorf("want an object of strings, not %s", jsonwire.Kind(v)))
	}
	attrs := make(map[string]string)
	var ferr error
	jsonwire.Object(v, func(key string, value []byte) bool { // v was checked by the caller's walk
		s, ok := jsonwire.String(value)
		if !ok {
			ferr = decodeError(trigger, field+"."+key, fmt.Errorf("want a string, not %s", jsonwire.Kind(value)))
			return false
		}
		attrs[key] = s
		return true
	})
	return attrs, ferr
}

// timerEvent decodes the SchedulerJobData of a Cloud Scheduler job run. The
// timer's Name is the job's resource name from the event's source,
// projects/…/locations/…/jobs/…, unless the X-CloudScheduler-JobName
// header of the request names another job (a job that posts a body
// written for another one): then it is the header. Its Time is given by
// timerTime, and its Payload is the job's custom data.
func timerEvent(ce *Event) (*faas.TimerEvent, error) {
	const trigger = faas.TriggerTimer
	t := &faas.TimerEvent{Name: resourceName(ce.Source), Time: timerTime(ce)}
	if job := ce.Header.Get(HeaderSchedulerJobName); job != "" && path.Base(job) != path.Base(t.Name) {
		t.Name = job
	}
	if len(ce.Data) == 0 {
		return t, nil
	}
	if err := checkJSONData(ce, trigger); err != nil {
		return nil, err
	}
	err := walkData(trigger, "data", ce.Data, func(key string, v []byte) error {
		if key != "customData" {
			return nil
		}
		s, err := stringField(trigger, "data.customData", v)
		if err != nil {
			return err
		}
		b, err := DecodeBase64(s)
		if err != nil {
			return decodeError(trigger, "data.customData", err)
		}
		t.Payload = string(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// timerTime returns when a timer fired: the X-CloudScheduler-ScheduleTime
// of the request, if it is an RFC 3339 time; else the event's time; else,
// for an event that has none (the CloudEvent that a Cloud Scheduler job
// posts is the same body every time, and anyfaas's jobs give it no time),
// now, when the event arrived. It is never the zero time.
func timerTime(ce *Event) time.Time {
	if v := ce.Header.Get(HeaderSchedulerScheduleTime); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
	}
	if !ce.Time.IsZero() {
		return ce.Time
	}
	return time.Now().UTC()
}

// resourceName returns the resource a Google event source names:
// "//pubsub.googleapis.com/projects/p/topics/t" is "projects/p/topics/t".
// A source of another form is returned as is.
func resourceName(source string) string {
	if rest, ok := strings.CutPrefix(source, "//"); ok {
		if _, name, ok := strings.Cut(rest, "/"); ok {
			return name
		}
	}
	return source
}
