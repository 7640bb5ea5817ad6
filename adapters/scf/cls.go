package scf

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// kindCLSLogs is the Kind of the raw events of CLS triggers.
const kindCLSLogs = "cls"

// decodeCLS checks a CLS event (Tencent Cloud doc "CLS 触发器", event
// message structure):
//
//	{"clslogs": {"data": "<base64 of gzip of JSON>"}}
//
// and returns it as a raw event of trigger "log". The data is not decoded
// here: DecodeCLSLogs does that for the handlers that want it.
func decodeCLS(m *members, payload []byte) (*faas.RawEvent, error) {
	if _, err := clsData(m.clslogs); err != nil {
		return nil, err
	}
	return &faas.RawEvent{Trigger: faas.TriggerLog, Kind: kindCLSLogs, JSON: payload}, nil
}

// clsData returns clslogs.data.
func clsData(clslogs []byte) (string, error) {
	if len(clslogs) == 0 || clslogs[0] != '{' {
		return "", wrongType(faas.TriggerLog, "clslogs", clslogs, "object")
	}
	data := jsonwire.Member(clslogs, "data")
	s, ok := jsonwire.String(data)
	if !ok {
		return "", wrongType(faas.TriggerLog, "clslogs.data", data, "string")
	}
	return s, nil
}

// CLSLogs is the content of a CLS trigger's event: the logs of one topic
// that CLS gathered for one invocation.
type CLSLogs struct {
	TopicID   string      `json:"topic_id"`
	TopicName string      `json:"topic_name"`
	Records   []CLSRecord `json:"records"`
}

// CLSRecord is one log entry.
type CLSRecord struct {
	// Timestamp is when the log was produced, in microseconds since the
	// Unix epoch, as decimal text.
	Timestamp string `json:"timestamp"`
	// Content is the log's text.
	Content string `json:"content"`
}

// MaxCLSLogsBytes bounds the decompressed size of a CLS event's logs.
// CLS sends at most 128 KB of gzip per invocation.
const MaxCLSLogsBytes = 64 << 20

// DecodeCLSLogs decodes the logs a CLS trigger's event carries: the
// event's JSON (a *faas.RawEvent's JSON, for trigger "log" and Kind "cls")
// holds clslogs.data, the base64 of a gzip of the logs' JSON. Data that is
// not gzip is read as JSON as it is. A failure is a *faas.DecodeError
// naming the field.
func DecodeCLSLogs(event json.RawMessage) (*CLSLogs, error) {
	const trig, field = faas.TriggerLog, "clslogs.data"
	clslogs := jsonwire.Member(event, "clslogs")
	if clslogs == nil {
		if !jsonwire.Valid(event) {
			return nil, decodeError(trig, "", errMalformed)
		}
		return nil, decodeError(trig, "clslogs", errors.New("missing: not a CLS event"))
	}
	data, err := clsData(clslogs)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, decodeError(trig, field, fmt.Errorf("not base64: %w", err))
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, decodeError(trig, field, fmt.Errorf("not gzip: %w", err))
		}
		raw, err = io.ReadAll(io.LimitReader(zr, MaxCLSLogsBytes+1))
		if err != nil {
			return nil, decodeError(trig, field, fmt.Errorf("not gzip: %w", err))
		}
		if len(raw) > MaxCLSLogsBytes {
			return nil, &faas.LimitError{Platform: faas.PlatformSCF, Trigger: trig, What: "decompressed " + field,
				Size: len(raw), Limit: MaxCLSLogsBytes}
		}
	}
	var logs CLSLogs
	if err := json.Unmarshal(raw, &logs); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, decodeError(trig, field+"(decoded)."+jsonwire.TypeErrorField(raw, te), &typeError{got: te.Value, want: te.Type.String(), cause: err})
		}
		return nil, decodeError(trig, field, fmt.Errorf("not the JSON of CLS logs: %w", err))
	}
	return &logs, nil
}
