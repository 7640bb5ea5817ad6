package faas

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

var (
	adaptersMu sync.RWMutex
	adapters   = map[string]func(Handler) error{}
)

// RegisterAdapter makes a platform adapter available to [Start] under name.
// Adapters call it from an init function; registering a name twice
// replaces the earlier adapter.
func RegisterAdapter(name string, start func(Handler) error) {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	adapters[name] = start
}

// Adapters returns the names of the adapters linked into the binary, sorted.
func Adapters() []string {
	adaptersMu.RLock()
	defer adaptersMu.RUnlock()
	names := make([]string, 0, len(adapters))
	for name := range adapters {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Platforms lists the platform names, in the order Detect checks them.
var Platforms = []string{PlatformAWS, PlatformFC, PlatformSCF, PlatformGCF, PlatformWeb}

// Detect names the platform the process runs on, and why, from its
// environment (getenv is usually os.Getenv). The first rule that holds
// wins:
//
//	FAAS_PLATFORM                          that platform
//	AWS_LAMBDA_RUNTIME_API                 aws (Lambda Runtime API)
//	FC_RUNTIME_API                         fc (FC Go runtime API)
//	SCF_RUNTIME_API                        scf (SCF custom runtime)
//	_LAMBDA_SERVER_PORT                    scf if SCF_FUNCTIONNAME or TENCENTCLOUD_RUNENV is set, else aws (go1.x)
//	FC_CUSTOM_LISTEN_PORT, FC_SERVER_PORT  fc (custom runtime or container)
//	SCF_FUNCTIONNAME, TENCENTCLOUD_RUNENV  scf (web function)
//	FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE  gcf (Cloud Run functions)
//	K_SERVICE                              web (Knative or Cloud Run service)
//	otherwise                              web, with detected false
//
// A FAAS_PLATFORM that names no platform is an error.
func Detect(getenv func(string) string) (platform, reason string, detected bool, err error) {
	if p := getenv("FAAS_PLATFORM"); p != "" {
		if !slices.Contains(Platforms, p) {
			return "", "", false, fmt.Errorf("faas: FAAS_PLATFORM=%q is not one of %s", p, strings.Join(Platforms, ", "))
		}
		return p, "FAAS_PLATFORM is set", true, nil
	}
	set := func(name string) bool { return getenv(name) != "" }
	switch {
	case set("AWS_LAMBDA_RUNTIME_API"):
		return PlatformAWS, "AWS_LAMBDA_RUNTIME_API is set", true, nil
	case set("FC_RUNTIME_API"):
		return PlatformFC, "FC_RUNTIME_API is set", true, nil
	case set("SCF_RUNTIME_API"):
		return PlatformSCF, "SCF_RUNTIME_API is set", true, nil
	case set("_LAMBDA_SERVER_PORT"):
		if set("SCF_FUNCTIONNAME") || set("TENCENTCLOUD_RUNENV") {
			return PlatformSCF, "_LAMBDA_SERVER_PORT and the SCF environment are set", true, nil
		}
		return PlatformAWS, "_LAMBDA_SERVER_PORT is set (Lambda go1.x)", true, nil
	case set("FC_CUSTOM_LISTEN_PORT"):
		return PlatformFC, "FC_CUSTOM_LISTEN_PORT is set", true, nil
	case set("FC_SERVER_PORT"):
		return PlatformFC, "FC_SERVER_PORT is set", true, nil
	case set("SCF_FUNCTIONNAME"), set("TENCENTCLOUD_RUNENV"):
		return PlatformSCF, "the SCF environment is set", true, nil
	case set("FUNCTION_TARGET"), set("FUNCTION_SIGNATURE_TYPE"):
		return PlatformGCF, "FUNCTION_TARGET is set", true, nil
	case set("K_SERVICE"):
		return PlatformWeb, "K_SERVICE is set", true, nil
	}
	return PlatformWeb, "no platform was detected", false, nil
}

// Start serves h on the platform the process runs on, as [Detect] names it
// (FAAS_PLATFORM first, then the platform the manifest names, then the
// environment), through the adapter registered for that platform, and
// returns when the adapter stops. When no platform is detected it serves plain HTTP and logs
// that it did. If h is not an *App, it is served as an App of one function.
//
// The core links no adapter: import github.com/anyfaas/faas/adapters, or
// one adapter package, for its side effect.
//
// With FAAS_DESCRIBE=1 in its environment, Start serves nothing: it prints
// the App's functions, their triggers and layers, and the layers it
// defines, as JSON (a [Description]) and returns; anyfaas reads the triggers
// declared in code this way. Otherwise, unless the App was given a
// manifest, Start reads the one the environment or the artifact holds (see
// [WithManifest]), and unless it was given its functions' timeouts, those
// FunctionTimeoutsEnv gives, if it is set (see [WithFunctionTimeouts]), and
// unless it was given its functions' storage filters, those
// StorageFiltersEnv gives, if it is set (see [WithStorageFilters]).
func Start(h Handler) error {
	app := AsApp(h)
	if os.Getenv("FAAS_DESCRIBE") == "1" {
		return json.NewEncoder(os.Stdout).Encode(app.Describe())
	}
	if app.manifest == nil {
		m, err := findManifest()
		if err != nil {
			return err
		}
		app.manifest = m
	}
	if v, ok := os.LookupEnv(FunctionTimeoutsEnv); ok && app.timeouts == nil {
		t, err := parseFunctionTimeouts(v)
		if err != nil {
			return err
		}
		app.timeouts = t
	}
	if v, ok := os.LookupEnv(StorageFiltersEnv); ok && app.storageFilters == nil {
		f, err := parseStorageFilters(v)
		if err != nil {
			return err
		}
		app.storageFilters = f
	}
	platform, reason, detected, err := Detect(os.Getenv)
	if err != nil {
		return err
	}
	// A unit packaged for a platform runs on it: Cloud Run's K_SERVICE,
	// say, would otherwise pick web for a unit packaged for gcf.
	if m := app.manifest; m != nil && m.Platform != "" && os.Getenv("FAAS_PLATFORM") == "" && m.Platform != platform {
		if !slices.Contains(Platforms, m.Platform) {
			return fmt.Errorf("faas: the manifest names the platform %q, not one of %s", m.Platform, strings.Join(Platforms, ", "))
		}
		platform, reason, detected = m.Platform, "the manifest names it", true
	}
	adaptersMu.RLock()
	start := adapters[platform]
	adaptersMu.RUnlock()
	if start == nil {
		linked := strings.Join(Adapters(), ", ")
		if linked == "" {
			linked = "none"
		}
		return fmt.Errorf("faas: platform %s (%s) has no adapter linked into this binary (linked: %s); import _ \"github.com/anyfaas/faas/adapters\"", platform, reason, linked)
	}
	if detected {
		app.logger.Debug("faas: platform detected", "platform", platform, "reason", reason)
	} else {
		app.logger.Info("faas: no platform detected; serving plain HTTP", "platform", platform)
	}
	return start(app)
}

// Description is what a binary says of itself when asked with
// FAAS_DESCRIBE=1.
type Description struct {
	Functions []FunctionInfo `json:"functions"`
	// Layers are the layers the App defines for f.yml to name.
	Layers []string `json:"layers,omitempty"`
	// Use names the layers the App applies to every function (App.Use),
	// in order.
	Use []string `json:"use,omitempty"`
	// Preflights names the layers, of those the App uses, defines and
	// gives its functions, that answer CORS preflights themselves
	// ([Layer.AnswersPreflights]), such as package layers/cors's, under
	// whatever name: the generators route OPTIONS to the functions they
	// apply to.
	Preflights []string `json:"preflights,omitempty"`
	// Version is the description's format, [DescriptionVersion] when this
	// package writes it. Zero, or absent from the JSON, is the description
	// of a binary built with a faas before Preflights, which says nothing
	// of what layers do: anyfaas then takes a layer named cors for
	// package layers/cors's, and routes the preflights of a function's
	// own layer only in a unit of that function alone, as its App routes
	// no OPTIONS to a function of several that does not declare it.
	Version int `json:"version,omitempty"`
	// Adapters are the platform adapters linked into the binary.
	Adapters []string `json:"adapters"`
	// Problems are the errors [App.Check] finds, each as its text: what
	// would make the App fail to start before it runs any user code; but
	// routes that conflict, which f.yml may replace (anyfaas checks the
	// routes it merges).
	Problems []string `json:"problems,omitempty"`
}

// DescriptionVersion is the [Description.Version] this package writes: 1,
// since descriptions say which layers answer CORS preflights.
const DescriptionVersion = 1

// Describe returns the App's functions, the layers it defines and those
// it uses for every function, which of them answer CORS preflights, the
// adapters linked into the binary, and what [App.Check] finds.
func (a *App) Describe() Description {
	d := Description{Functions: a.Functions(), Adapters: Adapters(), Version: DescriptionVersion}
	for _, err := range a.problems(false) {
		d.Problems = append(d.Problems, err.Error())
	}
	a.mu.Lock()
	for name, l := range a.defined {
		d.Layers = append(d.Layers, name)
		if l.AnswersPreflights {
			d.Preflights = append(d.Preflights, name)
		}
	}
	for _, l := range a.layers {
		d.Use = append(d.Use, l.Name)
		if l.AnswersPreflights {
			d.Preflights = append(d.Preflights, l.Name)
		}
	}
	for _, fn := range a.funcs {
		for _, l := range fn.layers {
			if l.AnswersPreflights {
				d.Preflights = append(d.Preflights, l.Name)
			}
		}
	}
	a.mu.Unlock()
	slices.Sort(d.Layers)
	slices.Sort(d.Preflights)
	d.Preflights = slices.Compact(d.Preflights)
	return d
}
