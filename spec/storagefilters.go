package spec

import (
	"slices"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
)

// StorageFilters returns the filters that hold the function to the prefix
// and suffix filters of its storage events (faas.WithStorageFilters), or
// nil if none of them has one: a filter per storage event, an unfiltered
// one included, as the App keeps a record that one of them selects. A
// filter names its event's bucket when the function's storage events are
// on several buckets, and its operations when several of them are on its
// bucket, so that each event's filter applies to its own records only.
//
// The filters select what the platforms' own triggers deliver, on every
// platform, so that an App given them sees the records its function is
// deployed to see, wherever it runs: the bucket is written as the
// adapters give a record's Bucket (f.yml's, without gs://, without the
// arn:aws:s3::: of an S3 ARN, without the .cos.<region>.myqcloud.com of
// a COS domain); the operations are the faas.StorageRecord.Op of the
// event's names (created for a creation: created, finalized or another
// Cloud Storage name of it, <service>:ObjectCreated:…; removed for a
// removal; archived and metadataUpdated for those of Cloud Storage). An
// event with a name of none of these, such as s3:ObjectRestore:Completed,
// gets a filter of no operation, which selects the records of its bucket
// that its prefix and suffix pass, whatever their operation.
//
// A prefix or suffix from an ${env.NAME} whose variable is not set stays
// as written, as every setting does (see Spec.Unresolved).
func (f *Function) StorageFilters() []faas.StorageFilter {
	var events []*StorageEvent
	filtered := false
	buckets := map[string]int{}
	for _, e := range f.Events {
		if st := e.Storage; st != nil {
			events = append(events, st)
			filtered = filtered || st.Prefix != "" || st.Suffix != ""
			buckets[recordBucket(st.Bucket)]++
		}
	}
	if !filtered {
		return nil
	}
	out := make([]faas.StorageFilter, 0, len(events))
	for _, st := range events {
		filter := faas.StorageFilter{Prefix: st.Prefix, Suffix: st.Suffix}
		bucket := recordBucket(st.Bucket)
		if len(buckets) > 1 {
			filter.Bucket = bucket
		}
		if buckets[bucket] > 1 {
			filter.Ops = recordOps(st.Events)
		}
		out = append(out, filter)
	}
	return out
}

// StorageFiltersEnv returns the value of faas.StorageFiltersEnv that holds
// the functions fns to their StorageFilters, in their order, or "" if
// none of them has any.
func StorageFiltersEnv(fns []*Function) string {
	var out []string
	for _, f := range fns {
		for _, filter := range f.StorageFilters() {
			out = append(out, f.Name+"="+filter.String())
		}
	}
	return strings.Join(out, ";")
}

// recordBucket is the faas.StorageRecord.Bucket of the records of a bucket
// as f.yml gives it: a Cloud Storage bucket without gs://, an S3 bucket
// without the ARN around its name, a COS bucket without the rest of its
// domain (<name>-<appid>).
func recordBucket(bucket string) string {
	if i := strings.Index(bucket, ":::"); strings.HasPrefix(bucket, "arn:") && i >= 0 {
		return bucket[i+3:]
	}
	if name, _, ok := strings.Cut(bucket, ".cos."); ok && strings.HasSuffix(bucket, ".myqcloud.com") {
		return name
	}
	return strings.TrimPrefix(bucket, "gs://")
}

// recordOps returns the faas.StorageRecord.Op of the records of the
// storage events of the names (object creation for none), without
// repeats, or nil if a name is of none it knows.
func recordOps(names []string) []string {
	if len(names) == 0 {
		return []string{faas.StorageCreated}
	}
	var out []string
	for _, name := range names {
		op, ok := recordOp(name)
		if !ok {
			return nil
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}

// recordOp returns the faas.StorageRecord.Op of the records of the storage
// events of name, as the adapters decode them: a Cloud Storage name's
// (cloudevent.StorageOp), or created or removed for a name of a service's
// creations or removals, <service>:ObjectCreated:<event> (* for all) or
// <service>:ObjectRemoved:<event> (ObjectRemove on COS).
func recordOp(name string) (string, bool) {
	if t, ok := cloudevent.StorageType(name); ok {
		return cloudevent.StorageOp(t), true
	}
	parts := strings.SplitN(name, ":", 3)
	if len(parts) == 3 && parts[0] != "" && parts[2] != "" {
		switch parts[1] {
		case "ObjectCreated":
			return faas.StorageCreated, true
		case "ObjectRemoved", "ObjectRemove":
			return faas.StorageRemoved, true
		}
	}
	return "", false
}
