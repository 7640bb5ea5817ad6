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
// provider's), as an aggregated unit holds it to. The functions of every
// unit are served by the one App. Call it before the App starts.
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
	for _, u := range merged.Units() {
		m.Functions = append(m.Functions, u.Manifest("").Functions...)
		for _, f := range u.Functions {
			if secs := cmp.Or(f.Timeout, merged.Provider.Function.Timeout); secs > 0 {
				timeouts[f.Name] = time.Duration(secs) * time.Second
			}
		}
	}
	faas.WithManifest(m)(app)
	if len(timeouts) > 0 {
		faas.WithFunctionTimeouts(timeouts)(app)
	}
}
