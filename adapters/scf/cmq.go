package scf

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// cmqRecord is what the adapter reads of a record of a CMQ topic event
// (Tencent Cloud doc 583/31927, "Event Message Structure for CMQ Topic
// Trigger"; scf-go-lib events/cmq.go).
type cmqRecord struct {
	CMQ struct {
		Type             string          `json:"type"`
		TopicOwner       json.RawMessage `json:"topicOwner"`
		TopicName        string          `json:"topicName"`
		SubscriptionName string          `json:"subscriptionName"`
		PublishTime      string          `json:"publishTime"`
		MsgID            string          `json:"msgId"`
		RequestID        string          `json:"requestId"`
		MsgBody          string          `json:"msgBody"`
		MsgTag           json.RawMessage `json:"msgTag"`
	} `json:"CMQ"`
}

// decodeCMQ decodes a CMQ topic event into a message event: msgId is the
// ID, topicName the Source, msgBody the Body and publishTime the Time; the
// record's type, topicOwner, subscriptionName, requestId and msgTag are
// Attributes where they are set.
//
// The documented sample sends topicOwner as a string and msgTag as one
// string ("tag1,tag2"); scf-go-lib's captured sample sends topicOwner as a
// number, and its decoder accepts msgTag as an array too. Both are
// accepted: the attribute is the number's text, and the tags as sent (an
// array joined with ",").
func decodeCMQ(records []byte) (*faas.MessageEvent, error) {
	const trig = faas.TriggerMessage
	ev := &faas.MessageEvent{}
	err := eachRecord(trig, records, func(i int, raw []byte) error {
		var rec cmqRecord
		if err := unmarshalRecord(trig, i, raw, &rec); err != nil {
			return err
		}
		c := rec.CMQ
		field := func(name string) string { return fmt.Sprintf("Records[%d].CMQ.%s", i, name) }
		owner, err := scalarText(trig, field("topicOwner"), c.TopicOwner)
		if err != nil {
			return err
		}
		tags, err := cmqTags(trig, field("msgTag"), c.MsgTag)
		if err != nil {
			return err
		}
		msg := faas.Message{ID: c.MsgID, Source: c.TopicName, Body: []byte(c.MsgBody)}
		if c.PublishTime != "" {
			t, err := time.Parse(time.RFC3339, c.PublishTime)
			if err != nil {
				return decodeError(trig, field("publishTime"), fmt.Errorf("not an RFC 3339 time: %w", err))
			}
			msg.Time = t
		}
		for _, a := range [...]struct{ k, v string }{
			{"type", c.Type}, {"topicOwner", owner}, {"subscriptionName", c.SubscriptionName},
			{"requestId", c.RequestID}, {"msgTag", tags},
		} {
			if a.v != "" {
				if msg.Attributes == nil {
					msg.Attributes = make(map[string]string, 5)
				}
				msg.Attributes[a.k] = a.v
			}
		}
		ev.Records = append(ev.Records, msg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// scalarText returns the text of a string or number, or "" for null.
func scalarText(trigger, field string, raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if s, ok := jsonwire.String(raw); ok {
		return s, nil
	}
	if jsonKind(raw) == "number" {
		return string(raw), nil
	}
	return "", wrongType(trigger, field, raw, "string or number")
}

// cmqTags returns CMQ's msgTag as text: a string as is, an array of
// strings joined with ",".
func cmqTags(trigger, field string, raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if s, ok := jsonwire.String(raw); ok {
		return s, nil
	}
	if raw[0] != '[' {
		return "", wrongType(trigger, field, raw, "string or array of strings")
	}
	var (
		tags []string
		err  error
	)
	jsonwire.Array(raw, func(e []byte) bool {
		s, ok := jsonwire.String(e)
		if !ok {
			err = wrongType(trigger, fmt.Sprintf("%s[%d]", field, len(tags)), e, "string")
			return false
		}
		tags = append(tags, s)
		return true
	})
	return strings.Join(tags, ","), err
}
