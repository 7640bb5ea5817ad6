package fc

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// decodeTimer decodes the timer trigger's event:
// {"triggerTime":"2023-12-26T07:49:00Z","triggerName":"…","payload":"…"}.
func decodeTimer(m *members) (decoded, error) {
	const trigger = faas.TriggerTimer
	ev := &faas.TimerEvent{}
	var err error
	if ev.Name, err = str(m.triggerName, trigger, "triggerName"); err != nil {
		return decoded{}, err
	}
	if ev.Payload, err = str(m.payload, trigger, "payload"); err != nil {
		return decoded{}, err
	}
	when, err := str(m.triggerTime, trigger, "triggerTime")
	if err != nil {
		return decoded{}, err
	}
	if ev.Time, err = parseTime(when, trigger, "triggerTime"); err != nil {
		return decoded{}, err
	}
	return decoded{event: ev, trigger: trigger}, nil
}

func parseTime(s, trigger, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, decodeError(trigger, field, fmt.Errorf("%q is not an RFC 3339 time", s))
	}
	return t, nil
}

// eventSource returns the eventSource of the first element of an
// {"events":[...]} array: "acs:oss" for OSS, "cdn" for CDN.
func eventSource(events []byte) string {
	var src string
	jsonwire.Array(events, func(v []byte) bool {
		src, _ = jsonwire.String(jsonwire.Member(v, "eventSource"))
		if src == "" && jsonwire.Member(v, "oss") != nil {
			src = "acs:oss"
		}
		return false
	})
	return src
}

// decodeEvents decodes {"events":[...]}: OSS notifications become a
// StorageEvent, CDN events a RawEvent of trigger "cdn" named by the first
// event's eventName.
func decodeEvents(payload []byte, m *members) (decoded, error) {
	switch eventSource(m.events) {
	case "acs:oss":
		return decodeOSS(m.events)
	case "cdn":
		name, _ := jsonwire.String(jsonwire.Member(firstElement(m.events), "eventName"))
		return rawEvent(triggerCDN, name, payload), nil
	}
	return rawEvent(faas.TriggerRaw, "", payload), nil
}

func firstElement(array []byte) []byte {
	var first []byte
	jsonwire.Array(array, func(v []byte) bool { first = v; return false })
	return first
}

// ossRecord is one OSS event notification (OSS "event notifications",
// fc-runtime-go-sdk events/oss.go).
//
// Its oss.object.key becomes the record's Key as it is, not URL-decoded.
// Whether OSS encodes the key is not established: OSS's "Event
// notification" page says of it only "The name of the object." ("Object
// 名称。" in Chinese; AlibabaCloudDocs/oss, 开发指南/事件通知/事件通知概述.md),
// with no word of encoding, and every published sample's
// key is plain ASCII (image/a.jpg, test, timg.jpg). Alibaba's own templates
// hand the key to the OSS SDK unchanged (devsapp/start-unzip-oss
// src/code/index.py, awesome-fc/decompress-oss), which suggests it is raw,
// but no real event with a space, '+', '%' or a non-ASCII character in its
// key was found. Until one is, the key is not decoded: decoding a raw key
// would turn '+' into a space and fail on '%'.
type ossRecord struct {
	EventName string `json:"eventName"`
	EventTime string `json:"eventTime"`
	Region    string `json:"region"`
	OSS       struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
			ETag string `json:"eTag"`
		} `json:"object"`
	} `json:"oss"`
}

func decodeOSS(events []byte) (decoded, error) {
	const trigger = faas.TriggerStorage
	ev := &faas.StorageEvent{}
	var err error
	i := 0
	jsonwire.Array(events, func(v []byte) bool {
		field := index("events", i)
		i++
		var rec ossRecord
		if uerr := json.Unmarshal(v, &rec); uerr != nil {
			err = jsonError(trigger, field, v, uerr)
			return false
		}
		r := faas.StorageRecord{
			Op:     ossOp(rec.EventName),
			Bucket: rec.OSS.Bucket.Name,
			Key:    rec.OSS.Object.Key,
			Size:   rec.OSS.Object.Size,
			ETag:   rec.OSS.Object.ETag,
			Region: rec.Region,
		}
		if r.Time, err = parseTime(rec.EventTime, trigger, field+".eventTime"); err != nil {
			return false
		}
		ev.Records = append(ev.Records, r)
		return true
	})
	if err != nil {
		return decoded{}, err
	}
	return decoded{event: ev, trigger: trigger}, nil
}

// ossOp maps an OSS event name such as "ObjectCreated:PutObject" (or, as
// FC's trigger configuration writes it, "oss:ObjectCreated:PutObject") to
// the standard operation.
func ossOp(name string) string {
	n := strings.TrimPrefix(name, "oss:")
	switch {
	case strings.HasPrefix(n, "ObjectCreated:"):
		return faas.StorageCreated
	case strings.HasPrefix(n, "ObjectRemoved:"):
		return faas.StorageRemoved
	}
	return name
}
