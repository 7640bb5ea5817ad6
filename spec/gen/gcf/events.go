package gcf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// storageNames maps the names a storage event may give, lower case, to the
// CloudEvent type Cloud Storage sends for it: the type itself, its last
// part, the legacy Cloud Functions name, and the standard event's Op.
var storageNames = map[string]string{}

func init() {
	for _, ev := range []struct{ last, legacy, op string }{
		{"finalized", "finalize", "created"},
		{"deleted", "delete", "removed"},
		{"archived", "archive", ""},
		{"metadataUpdated", "metadataUpdate", ""},
	} {
		t := cloudevent.TypeStoragePrefix + ev.last
		for _, name := range []string{t, ev.last, ev.legacy, "google.storage.object." + ev.legacy, ev.op} {
			if name != "" {
				storageNames[strings.ToLower(name)] = t
			}
		}
	}
}

// StorageEventTypes returns the CloudEvent types Cloud Storage sends for
// the event names of an f.yml storage event, without repeats, in order.
// None means object creation, google.cloud.storage.object.v1.finalized. A
// name is a type (google.cloud.storage.object.v1.deleted), its last part
// (deleted), the legacy Cloud Functions name
// (google.storage.object.delete), the standard event's Op (created,
// removed), or another platform's wildcard for all creations or all
// removals, such as oss:ObjectCreated:* or s3:ObjectRemoved:*, so that an
// f.yml written for another platform carries over. Any other name is an
// error that lists what is accepted.
//
// The web generator filters Knative Triggers on the same types.
func StorageEventTypes(names []string) ([]string, error) {
	if len(names) == 0 {
		return []string{cloudevent.TypeStorageFinalized}, nil
	}
	var out []string
	for _, name := range names {
		t, ok := storageNames[strings.ToLower(name)]
		if !ok {
			switch kind := gen.StorageWildcard(name); kind {
			case gen.StorageCreated:
				t, ok = cloudevent.TypeStorageFinalized, true
			case gen.StorageRemoved:
				t, ok = cloudevent.TypeStorageDeleted, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("Cloud Storage has no event %q: use finalized, deleted, archived or metadataUpdated (or the google.cloud.storage.object.v1 types, or created, removed, or another platform's wildcard such as oss:ObjectCreated:*)", name)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// shortType is the last part of a CloudEvent type, for names: "finalized".
func shortType(t string) string {
	return t[strings.LastIndex(t, ".")+1:]
}

// StorageFilters returns the value of faas.StorageFiltersEnv that holds
// the functions to the prefix and suffix filters of their storage events,
// which neither Eventarc nor a Knative Trigger can apply, or "" if no
// storage event of theirs has one. A function with a filtered storage
// event gets a filter per storage event, an unfiltered one included: the
// App keeps a record that one of them selects. A filter names its event's
// bucket when the function's storage events are on several buckets, and
// its operations (the faas.StorageRecord.Op of its event types) when
// several of them are on its bucket, so that each event's filter applies
// to its own records only.
func StorageFilters(fns []*spec.Function) string {
	var out []string
	for _, f := range fns {
		var events []*spec.StorageEvent
		filtered := false
		buckets := map[string]int{}
		for _, e := range f.Events {
			if st := e.Storage; st != nil {
				events = append(events, st)
				filtered = filtered || st.Prefix != "" || st.Suffix != ""
				buckets[bucketName(st.Bucket)]++
			}
		}
		if !filtered {
			continue
		}
		for _, st := range events {
			filter := faas.StorageFilter{Prefix: st.Prefix, Suffix: st.Suffix}
			if len(buckets) > 1 {
				filter.Bucket = bucketName(st.Bucket)
			}
			if buckets[bucketName(st.Bucket)] > 1 {
				types, _ := StorageEventTypes(st.Events) // an error is reported where the event is planned
				for _, t := range types {
					filter.Ops = append(filter.Ops, storageOp(t))
				}
			}
			out = append(out, f.Name+"="+filter.String())
		}
	}
	return strings.Join(out, ";")
}

// bucketName is the name of a Cloud Storage bucket f.yml gives, without
// gs://.
func bucketName(bucket string) string { return strings.TrimPrefix(bucket, "gs://") }

// storageOp is the faas.StorageRecord.Op of the records of the Cloud
// Storage events of CloudEvent type t, as the adapters decode them.
func storageOp(t string) string {
	switch t {
	case cloudevent.TypeStorageFinalized:
		return faas.StorageCreated
	case cloudevent.TypeStorageDeleted:
		return faas.StorageRemoved
	}
	return shortType(t)
}
