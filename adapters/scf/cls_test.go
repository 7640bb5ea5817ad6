package scf_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"os"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// clsEvent returns a CLS trigger event carrying logs as CLS sends them: the
// base64 of their gzip (Tencent Cloud doc "CLS 触发器").
func clsEvent(t *testing.T, logs []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(logs)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte(`{"clslogs":{"data":"` + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"}}`)
}

func TestDecodeCLSLogs(t *testing.T) {
	// The documented decoded payload, wrapped back as CLS sends it; the
	// documented event's own data is cut short ("...") and cannot decode.
	decoded, err := os.ReadFile("testdata/fixtures/cls-decoded-data.json")
	if err != nil {
		t.Fatal(err)
	}
	truncated, err := os.ReadFile("testdata/fixtures/cls.json")
	if err != nil {
		t.Fatal(err)
	}
	docLogs := &scf.CLSLogs{
		TopicID:   "xxxx-xx-xx-xx-yyyyyyyy",
		TopicName: "testname",
		Records: []scf.CLSRecord{
			{Timestamp: "1605578090000000", Content: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
			{Timestamp: "1605578090000003", Content: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
		},
	}
	tests := []struct {
		name      string
		event     []byte
		want      *scf.CLSLogs
		wantField string // of the DecodeError; "-" for none
	}{
		{"gzip, as CLS sends it", clsEvent(t, decoded), docLogs, "-"},
		{"plain JSON", []byte(`{"clslogs":{"data":"` + base64.StdEncoding.EncodeToString(decoded) + `"}}`), docLogs, "-"},
		{"the documented event, cut short", truncated, nil, "clslogs.data"},
		{"not a CLS event", []byte(`{"Type":"Timer"}`), nil, "clslogs"},
		{"malformed", []byte(`{"clslogs":`), nil, ""},
		{"data a number", []byte(`{"clslogs":{"data":1}}`), nil, "clslogs.data"},
		{"bad gzip", []byte(`{"clslogs":{"data":"H4sIAAAA"}}`), nil, "clslogs.data"},
		{"wrong types inside", clsEvent(t, []byte(`{"records":[{"timestamp":1}]}`)), nil, "clslogs.data(decoded).records[0].timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scf.DecodeCLSLogs(tt.event)
			field := "-"
			if err != nil {
				var derr *faas.DecodeError
				if !errors.As(err, &derr) {
					t.Fatalf("error %T %v is not a DecodeError", err, err)
				}
				if derr.Trigger != faas.TriggerLog {
					t.Errorf("trigger %q", derr.Trigger)
				}
				field = derr.Field
			}
			if field != tt.wantField {
				t.Errorf("error %v: field %q, want %q", err, field, tt.wantField)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("logs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
