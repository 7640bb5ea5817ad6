package cloudevent

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// A CloudEvent goes through encoding/json in the CloudEvents JSON format,
// its data as JSON, text or base64 by its content type.
func TestCloudEventJSON(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)
	tests := []struct {
		name string
		ce   Event
		want string
	}{
		{"JSON data", Event{ID: "1", Source: "/s", SpecVersion: "1.0", Type: "t", Time: at, DataContentType: "application/json", Data: []byte(" {\"a\":1}\n")},
			`{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/json","time":"2024-05-06T07:08:09.123Z","data":{"a":1}}`},
		{"text data", Event{ID: "1", Source: "/s", SpecVersion: "1.0", Type: "t", Subject: "sub", DataContentType: "text/plain", Data: []byte("hi \"there\"")},
			`{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"sub","datacontenttype":"text/plain","data":"hi \"there\""}`},
		{"binary data", Event{ID: "1", Source: "/s", SpecVersion: "1.0", Type: "t", DataContentType: "application/octet-stream", Data: []byte{0, 0xff}},
			`{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/octet-stream","data_base64":"AP8="}`},
		{"JSON content type, data not JSON", Event{ID: "1", Source: "/s", SpecVersion: "1.0", Type: "t", Data: []byte("not json")},
			`{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"bm90IGpzb24="}`},
		{"extensions in name order", Event{ID: "1", Source: "/s", SpecVersion: "1.0", Type: "t", DataSchema: "https://x/s.json", Extensions: map[string]string{"zeta": "z", "alpha": "a", "id": "not an extension"}},
			`{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":"https://x/s.json","alpha":"a","zeta":"z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(&tt.ce)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tt.want)
			}
			var back Event
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			want := tt.ce
			want.Data = bytes.TrimSpace(want.Data)
			delete(want.Extensions, "id")
			if diff := cmp.Diff(want, back); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCloudEventUnmarshalErrors(t *testing.T) {
	tests := []struct {
		in, field string
	}{
		{`{"specversion":"1.0","source":"/s","type":"t"}`, "id"},
		{`{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":[]}`, "subject"},
		{`{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"!"}`, "data_base64"},
	}
	for _, tt := range tests {
		var ce Event
		err := json.Unmarshal([]byte(tt.in), &ce)
		var derr *faas.DecodeError
		if !errors.As(err, &derr) || derr.Field != tt.field || derr.Platform != "" {
			t.Errorf("Unmarshal(%s) = %v, want a DecodeError of field %s", tt.in, err, tt.field)
		}
	}
}
