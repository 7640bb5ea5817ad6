package cloudevent

import (
	"strings"

	"github.com/anyfaas/faas"
)

// storageNames maps the names of Cloud Storage events, lower case, to
// their CloudEvent types: the type itself, its last part, the legacy
// Cloud Functions names, and the standard event's Op.
var storageNames = map[string]string{}

func init() {
	for _, ev := range []struct{ last, legacy, op string }{
		{"finalized", "finalize", faas.StorageCreated},
		{"deleted", "delete", faas.StorageRemoved},
		{"archived", "archive", ""},
		{"metadataUpdated", "metadataUpdate", ""},
	} {
		t := TypeStoragePrefix + ev.last
		for _, name := range []string{t, ev.last, ev.legacy, "google.storage.object." + ev.legacy, ev.op} {
			if name != "" {
				storageNames[strings.ToLower(name)] = t
			}
		}
	}
}

// StorageType returns the CloudEvent type of the Cloud Storage events a
// name gives, in any case: the type (google.cloud.storage.object.v1.deleted),
// its last part (deleted), the legacy Cloud Functions name (delete, or
// google.storage.object.delete), or the standard event's Op (created,
// removed). ok is false for any other name.
func StorageType(name string) (t string, ok bool) {
	t, ok = storageNames[strings.ToLower(name)]
	return t, ok
}

// StorageOp returns the faas.StorageRecord.Op of the records of the Cloud
// Storage events of type t, as Standard decodes them: faas.StorageCreated
// for finalized, faas.StorageRemoved for deleted, else the type's last
// part (archived, metadataUpdated).
func StorageOp(t string) string {
	switch t {
	case TypeStorageFinalized:
		return faas.StorageCreated
	case TypeStorageDeleted:
		return faas.StorageRemoved
	}
	return strings.TrimPrefix(t, TypeStoragePrefix)
}
