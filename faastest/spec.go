package faastest

import (
	"cmp"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
)

// Deployed makes app serve its functions as the spec file at path (an
// f.yml) deploys them, so that a test sees what a deployed function sees:
// each function under its f.yml name, with the triggers f.yml gives it
// (or else the code's), the layers f.yml selects for it (which the code
// defines with App.Define), and its own timeout (f.yml's, or else the
// provider's), as an aggregated unit holds it to, and the prefix and
// suffix filters of its storage events (see spec.Function.StorageFilters),
// whatever the platform: a storage event none of whose records passes
// them is acknowledged with a nil result without running the function, as
// deployed it would not reach it (the trigger filters on aws, fc and scf,
// the App on gcf and web), and anyfaas dev and invoke skip it the same
// way. The functions of every unit are served by the one App. Call it
// before the App starts.
//
// A spec that is not valid, or that names a handler or layer the code
// does not register, fails the test with the errors anyfaas validate
// --code gives.
func Deployed(t testing.TB, app *faas.App, path string) {
	t.Helper()
	s, err := spec.Load(path)
	if err != nil {
		t.Fatalf("faastest: %v", err)
	}
	merged, err := spec.Merge(s, app.Describe())
	if err != nil {
		t.Fatalf("faastest: %s with the code:\n%v", path, err)
	}
	m := &faas.Manifest{Unit: merged.Service.Name}
	timeouts := map[string]time.Duration{}
	filters := map[string][]faas.StorageFilter{}
	for _, u := range merged.Units() {
		m.Functions = append(m.Functions, u.Manifest("").Functions...)
		for _, f := range u.Functions {
			if secs := cmp.Or(f.Timeout, merged.Provider.Function.Timeout); secs > 0 {
				timeouts[f.Name] = time.Duration(secs) * time.Second
			}
			if sf := f.StorageFilters(); sf != nil {
				filters[f.Name] = sf
			}
		}
	}
	faas.WithManifest(m)(app)
	if len(timeouts) > 0 {
		faas.WithFunctionTimeouts(timeouts)(app)
	}
	if len(filters) > 0 {
		faas.WithStorageFilters(filters)(app)
	}
}
