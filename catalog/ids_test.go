package catalog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/catalog"
)

// counter returns an id source that numbers the ids it makes.
func counter() func(string) string {
	n := 0
	return func(string) string {
		n++
		return fmt.Sprintf("id-%d", n)
	}
}

func TestFreshIDs(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string // what the user sets
		want map[string]string // the overrides FreshIDs leaves
	}{
		{name: "web/pubsub", // Eventarc gives a Pub/Sub CloudEvent its message's id
			want: map[string]string{"/id": `"id-1"`, "/data/message/messageId": `"id-1"`}},
		{name: "web/pubsub", set: map[string]string{"/data/message/messageId": "mine"},
			want: map[string]string{"/id": "mine", "/data/message/messageId": "mine"}},
		{name: "gcf/pubsub-legacy", want: map[string]string{"/context/eventId": `"id-1"`}},
		{name: "aws/sqs", set: map[string]string{"body": "x"},
			want: map[string]string{"body": "x", "/Records/0/messageId": `"id-1"`}},
		{name: "aws/dynamodb", // each record its own
			want: map[string]string{"/Records/0/eventID": `"id-1"`, "/Records/1/eventID": `"id-2"`}},
		{name: "fc/rabbitmq", want: map[string]string{
			"/0/id": `"id-1"`, "/1/id": `"id-2"`, "/0/data/props/messageId": `"id-3"`, "/1/data/props/messageId": `"id-4"`}},
		{name: "aws/apigw-v2", set: map[string]string{"/requestContext/requestId": "r"},
			want: map[string]string{"/requestContext/requestId": "r"}},
		{name: "aws/schedule", want: map[string]string{"/id": `"id-1"`}},
		{name: "fc/timer", want: map[string]string{}}, // no ids
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for k, v := range tt.set {
				got[k] = v
			}
			if err := catalog.FreshIDs(tt.name, got, counter()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("overrides (-want +got):\n%s", diff)
			}
			if _, err := catalog.Event(tt.name, got); err != nil {
				t.Errorf("Event: %v", err)
			}
		})
	}
}

// TestFreshIDsEveryTime checks that two invocations of every sample with
// ids get different ones, of the sample's form, and that the event holds
// them where the sample held its own.
func TestFreshIDsEveryTime(t *testing.T) {
	for _, e := range catalog.List() {
		a, b := map[string]string{}, map[string]string{}
		if err := catalog.FreshIDs(e.Name, a, catalog.NewID); err != nil {
			t.Fatal(err)
		}
		if err := catalog.FreshIDs(e.Name, b, catalog.NewID); err != nil {
			t.Fatal(err)
		}
		for k := range a {
			if a[k] == b[k] {
				t.Errorf("%s: %s is %s twice", e.Name, k, a[k])
			}
		}
		ev, err := catalog.Event(e.Name, a)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if !json.Valid(ev) {
			t.Fatalf("%s: not JSON:\n%s", e.Name, ev)
		}
		for k, v := range a {
			if !bytes.Contains(ev, []byte(v)) {
				t.Errorf("%s: the event lacks %s=%s", e.Name, k, v)
			}
		}
	}
}

func TestFreshIDsUnknown(t *testing.T) {
	if err := catalog.FreshIDs("aws/nope", map[string]string{}, catalog.NewID); err == nil {
		t.Error("no error for an unknown name")
	}
}
