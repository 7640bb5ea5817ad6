package faas

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/anyfaas/faas/route"
)

// ManifestFile is the name of the manifest anyfaas puts beside the binary
// in every artifact it packages.
const ManifestFile = "faas.json"

// Manifest tells a deployed binary which of its functions its deployment
// unit serves, under which names, with which triggers and layers, as f.yml
// resolved them. One binary holding every function can so be deployed as
// one unit of all of them, or as one unit per function, by changing f.yml
// alone.
type Manifest struct {
	// Unit is the unit's name: what the platform deploys it as.
	Unit string `json:"unit"`
	// Platform is the platform the unit was packaged for.
	Platform string `json:"platform,omitempty"`
	// Functions are the functions the unit serves; the App serves no
	// other.
	Functions []ManifestFunction `json:"functions"`
}

// ManifestFunction is one function of a unit.
type ManifestFunction struct {
	// Name is the function's name in f.yml, which Context.FunctionName
	// reports.
	Name string `json:"name"`
	// Handler is the name the code registers the function under.
	Handler string `json:"handler"`
	// Triggers replace the triggers the code declares; nil keeps the
	// code's.
	Triggers []TriggerSpec `json:"triggers,omitempty"`
	// Layers name the layers, defined with App.Define, that apply to the
	// function besides its own.
	Layers []string `json:"layers,omitempty"`
}

// WithManifest makes the App serve as the unit m describes. Without it, an
// App started on a platform reads the manifest from the file FAAS_MANIFEST
// names, or else from ManifestFile beside the executable, if there is one.
func WithManifest(m *Manifest) Option { return func(a *App) { a.manifest = m } }

// ReadManifest reads a manifest file.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("faas: reading the manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("faas: the manifest %s: %w", path, err)
	}
	return &m, nil
}

// findManifest returns the manifest the environment names, or the one
// beside the executable, or nil if there is none.
func findManifest() (*Manifest, error) {
	if path := os.Getenv("FAAS_MANIFEST"); path != "" {
		return ReadManifest(path)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, nil
	}
	path := filepath.Join(filepath.Dir(exe), ManifestFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return ReadManifest(path)
}

// Define makes layers known by name, for a manifest (and so f.yml) to
// apply to functions. A defined layer does nothing until a manifest names
// it.
func (a *App) Define(layers ...Layer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.defined == nil {
		a.defined = map[string]Layer{}
	}
	for _, l := range layers {
		if l.Name == "" {
			a.errs = append(a.errs, errors.New("faas: Define: a layer has no name"))
			continue
		}
		a.defined[l.Name] = l
	}
}

// applyManifest replaces the registered functions by the unit's: each
// named as f.yml names it, with f.yml's triggers where it gives them, and
// the layers it names.
func (a *App) applyManifest(m *Manifest) error {
	if len(m.Functions) == 0 {
		return fmt.Errorf("faas: the manifest of unit %q lists no function", m.Unit)
	}
	var errs []error
	var fns []*function
	byName := map[string]*function{}
	for _, mf := range m.Functions {
		code := a.byName[mf.Handler]
		if code == nil {
			names := make([]string, 0, len(a.funcs))
			for _, fn := range a.funcs {
				names = append(names, fn.name)
			}
			errs = append(errs, fmt.Errorf("faas: unit %q: function %q: the code registers no function %q (it registers %s)", m.Unit, mf.Name, mf.Handler, strings.Join(names, ", ")))
			continue
		}
		fn := &function{name: mf.Name, source: code.source, ctor: code.ctor, handler: code.handler,
			triggers: code.triggers, patterns: code.patterns, layers: slices.Clone(code.layers)}
		if mf.Triggers != nil {
			fn.triggers, fn.patterns = nil, nil
			for _, t := range mf.Triggers {
				if t.Trigger == TriggerHTTP {
					p, err := route.Parse(t.Route)
					if err != nil {
						errs = append(errs, fmt.Errorf("faas: unit %q: function %q: %w", m.Unit, mf.Name, err))
						continue
					}
					fn.patterns = append(fn.patterns, p)
				}
				fn.triggers = append(fn.triggers, t)
			}
		}
		for _, name := range mf.Layers {
			l, ok := a.defined[name]
			if !ok {
				errs = append(errs, fmt.Errorf("faas: unit %q: function %q: f.yml names layer %q, which the code does not define (app.Define)", m.Unit, mf.Name, name))
				continue
			}
			fn.layers = append(fn.layers, l)
		}
		for _, p := range fn.patterns {
			if err := fn.addOwnRoute(p); err != nil {
				errs = append(errs, fmt.Errorf("faas: unit %q: function %q: %w", m.Unit, mf.Name, err))
			}
		}
		fns = append(fns, fn)
		byName[fn.name] = fn
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	a.funcs, a.byName = fns, byName
	return nil
}
