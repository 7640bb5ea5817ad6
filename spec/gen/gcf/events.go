package gcf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/spec/gen"
)

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
		t, ok := cloudevent.StorageType(name)
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

// bucketName is the name of a Cloud Storage bucket f.yml gives, without
// gs://.
func bucketName(bucket string) string { return strings.TrimPrefix(bucket, "gs://") }
