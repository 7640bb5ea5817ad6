package devserver_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	scfemu "github.com/anyfaas/faas/emulator/scf"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/spec"
)

// anyfaas dev and invoke run a unit as it is deployed: with the unit's
// timeout, and in an aggregated one the timeouts its functions keep.
func TestUnitFunctionTimeouts(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: shop
provider: {name: aws, timeout: 10}
functions:
  api: {handler: api, timeout: 3}
  report: {handler: report, timeout: 60}
  list: {handler: list}
  alone: {handler: alone, timeout: 3}
aggregation:
  all: {functions: [api, report, list]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		Timeout  time.Duration
		Timeouts []string // the FAAS_FUNCTION_TIMEOUTS of its environment
	}
	got := map[string]run{}
	for _, u := range s.Units() {
		f, err := devserver.UnitFunction(s, u, "aws", "/bin/true", t.TempDir(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		r := run{Timeout: f.Timeout}
		for _, kv := range slices.Sorted(slices.Values(f.Env)) {
			if v, ok := strings.CutPrefix(kv, "FAAS_FUNCTION_TIMEOUTS="); ok {
				r.Timeouts = append(r.Timeouts, v)
			}
		}
		got[u.Name] = r
	}
	want := map[string]run{
		"all":   {Timeout: time.Minute, Timeouts: []string{"api=3s,list=10s"}},
		"alone": {Timeout: 3 * time.Second},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// anyfaas dev and invoke hold a unit's functions to f.yml's storage
// filters on every platform: where the platform's trigger filters (aws,
// fc, scf), an event that does not pass never reaches the function
// deployed, and where it cannot (gcf, web), the App skips it.
func TestUnitStorageFilters(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: shop
provider: {name: aws}
functions:
  thumb: {handler: thumb, events: [s3: {bucket: photos, filter: {prefix: up/, suffix: .jpg}}]}
  audit: {handler: audit, events: [s3: {bucket: logs}]}
  upload: {handler: upload, events: [s3: {bucket: photos, filter: {suffix: .png}}]}
  alone: {handler: alone, events: [s3: {bucket: photos, filter: {prefix: a/}}]}
aggregation:
  all: {functions: [audit, upload, alone], deployOrigin: true}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, platform := range faas.Platforms {
		got := map[string][]string{}
		for _, u := range s.Units() {
			f, err := devserver.UnitFunction(s, u, platform, "/bin/true", t.TempDir(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range f.Env {
				if v, ok := strings.CutPrefix(kv, faas.StorageFiltersEnv+"="); ok {
					got[u.Name] = append(got[u.Name], v)
				}
			}
		}
		want := map[string][]string{
			"thumb":  {"thumb=prefix:up/,suffix:.jpg"},
			"all":    {"upload=suffix:.png;alone=prefix:a/"},
			"alone":  {"alone=prefix:a/"},
			"upload": {"upload=suffix:.png"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", platform, diff)
		}
	}
}

// An SCF web function (platforms.scf type: web) runs as deployed: an HTTP
// server taking the requests themselves, to which SCF delivers no events;
// an event function runs SCF's Go1 runtime, which takes them.
func TestSCFWebEmulator(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: shop
provider: {name: scf}
functions:
  api:
    handler: api
    events: [{http: {path: /api}}]
    platforms: {scf: {type: web}}
  tick:
    handler: tick
    events: [{timer: {value: '0 * * * *'}}]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range s.Units() {
		f, err := devserver.UnitFunction(s, u, "scf", "/nonexistent/binary", t.TempDir(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		emu, err := devserver.NewEmulator("scf", f, s, u)
		if err != nil {
			t.Fatal(err)
		}
		// Invoke refuses an event in web mode before it starts a process.
		_, err = emu.Invoke(t.Context(), []byte(`{}`))
		got[u.Name] = errors.Is(err, scfemu.ErrNoEvents)
		emu.Close(t.Context())
	}
	want := map[string]bool{"api": true, "tick": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units refusing events, as web functions (-want +got):\n%s", diff)
	}
}
