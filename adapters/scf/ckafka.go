package scf

import (
	"strconv"

	"github.com/anyfaas/faas"
)

// ckafkaRecord is what the adapter reads of a record of a CKafka event
// (Tencent Cloud doc 583/31927, "Event Message Structure for CKafka
// Trigger"; scf-go-lib events/ckafka.go).
type ckafkaRecord struct {
	Ckafka struct {
		Topic     string `json:"topic"`
		Partition int64  `json:"partition"`
		Offset    int64  `json:"offset"`
		MsgKey    string `json:"msgKey"`
		MsgBody   string `json:"msgBody"`
	} `json:"Ckafka"`
}

// decodeCKafka decodes a CKafka event into a message event: topic is the
// Source and msgBody the Body; the ID is "<partition>:<offset>", which
// names the message within its topic, and partition, offset and msgKey (as "key", the name on AWS and FC)
// are Attributes. The event carries no time.
func decodeCKafka(records []byte) (*faas.MessageEvent, error) {
	const trig = faas.TriggerMessage
	ev := &faas.MessageEvent{}
	err := eachRecord(trig, records, func(i int, raw []byte) error {
		var rec ckafkaRecord
		if err := unmarshalRecord(trig, i, raw, &rec); err != nil {
			return err
		}
		k := rec.Ckafka
		part, off := strconv.FormatInt(k.Partition, 10), strconv.FormatInt(k.Offset, 10)
		msg := faas.Message{
			ID:         part + ":" + off,
			Source:     k.Topic,
			Body:       []byte(k.MsgBody),
			Attributes: map[string]string{"partition": part, "offset": off},
		}
		if k.MsgKey != "" {
			msg.Attributes["key"] = k.MsgKey
		}
		ev.Records = append(ev.Records, msg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}
