package spec_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
)

// A function's storage filters select what its platform's triggers
// deliver, with the bucket and operations written as the adapters give a
// record's, whatever platform's names f.yml uses.
func TestStorageFilters(t *testing.T) {
	for _, tt := range []struct {
		name   string
		events string
		want   []faas.StorageFilter
	}{
		{"no filter", `[s3: {bucket: photos}]`, nil},
		{"no storage event", `[http: {path: /}]`, nil},
		{"one", `[s3: {bucket: photos, filter: {prefix: up/, suffix: .jpg}}]`,
			[]faas.StorageFilter{{Prefix: "up/", Suffix: ".jpg"}}},
		{"an unfiltered one is kept", `[oss: {bucket: a, filter: {prefix: up/}}, oss: {bucket: b}]`,
			[]faas.StorageFilter{{Bucket: "a", Prefix: "up/"}, {Bucket: "b"}}},
		{"S3 ARNs", `[s3: {bucket: "arn:aws:s3:::a", filter: {suffix: .png}}, s3: {bucket: b}]`,
			[]faas.StorageFilter{{Bucket: "a", Suffix: ".png"}, {Bucket: "b"}}},
		{"COS domains", `[cos: {bucket: a-1250000000.cos.ap-guangzhou.myqcloud.com, filter: {prefix: in/}}, cos: {bucket: b-1250000000}]`,
			[]faas.StorageFilter{{Bucket: "a-1250000000", Prefix: "in/"}, {Bucket: "b-1250000000"}}},
		{"gs URLs", `[storage: {bucket: "gs://a", filter: {prefix: in/}}, storage: {bucket: b}]`,
			[]faas.StorageFilter{{Bucket: "a", Prefix: "in/"}, {Bucket: "b"}}},
		{"ops on one bucket", `[oss: {bucket: a, events: ["oss:ObjectCreated:PutObject", "oss:ObjectCreated:*"], filter: {prefix: in/}}, oss: {bucket: a, events: ["oss:ObjectRemoved:DeleteObject"]}]`,
			[]faas.StorageFilter{{Ops: []string{"created"}, Prefix: "in/"}, {Ops: []string{"removed"}}}},
		{"Cloud Storage ops", `[storage: {bucket: a, filter: {prefix: in/}}, storage: {bucket: "gs://a", events: [delete, google.cloud.storage.object.v1.archived, metadataUpdated]}]`,
			[]faas.StorageFilter{{Ops: []string{"created"}, Prefix: "in/"}, {Ops: []string{"removed", "archived", "metadataUpdated"}}}},
		{"COS removal", `[cos: {bucket: a-1, events: ["cos:ObjectRemove:*"], filter: {suffix: .log}}, cos: {bucket: a-1}]`,
			[]faas.StorageFilter{{Ops: []string{"removed"}, Suffix: ".log"}, {Ops: []string{"created"}}}},
		{"an operation of no kind known", `[s3: {bucket: a, events: ["s3:ObjectRestore:Completed"], filter: {prefix: cold/}}, s3: {bucket: a}]`,
			[]faas.StorageFilter{{Prefix: "cold/"}, {Ops: []string{"created"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte("service: shop\nprovider: {name: aws}\nfunctions:\n  thumb: {handler: thumb, events: "+tt.events+"}\n"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.Function("thumb").StorageFilters()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The environment variable holds each function's filters, in the spec's
// order, and leaves out the functions without any.
func TestStorageFiltersEnv(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: shop
provider: {name: gcf}
functions:
  zeta: {handler: zeta, events: [storage: {bucket: a, filter: {prefix: "z;=/"}}]}
  plain: {handler: plain, events: [storage: {bucket: a}]}
  alpha: {handler: alpha, events: [storage: {bucket: a, filter: {suffix: .png}}, storage: {bucket: b}]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := spec.StorageFiltersEnv(s.Functions)
	if want := "zeta=prefix:z%3B%3D/;alpha=bucket:a,suffix:.png;alpha=bucket:b"; got != want {
		t.Errorf("StorageFiltersEnv = %q, want %q", got, want)
	}
}
