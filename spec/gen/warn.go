package gen

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/spec"
)

// Warner is implemented by a Generator that also finds what the platform
// takes but will not do as f.yml asks, such as a timeout longer than the
// gateway in front of a function waits for it. Such a spec is not
// refused: it deploys, and may be right for the function's other events.
// The CLI prints the warnings of validate and package.
type Warner interface {
	// Warnings returns what it finds in in, each at the f.yml position
	// and key path of its cause, in the order of the file; nil for
	// nothing.
	Warnings(in *Input) spec.Errors
}

// FrontEnd is what passes a platform's HTTP requests to a function and
// ends a request after a time of its own, whatever the function's
// timeout.
type FrontEnd struct {
	// Name names it, as a warning's subject, such as "API Gateway's HTTP
	// APIs".
	Name string
	// Max is the time it waits for a response, in seconds.
	Max int
	// Hint, if set, is added to the warning: what can be done besides a
	// shorter timeout.
	Hint string
}

// HTTPTimeouts returns a warning for each timeout an HTTP function of
// units runs with that is longer than the front end of one of its HTTP
// events waits (front: nil for an event no front end cuts short). The
// timeout an aggregated function runs with is its own, or else the
// provider's, or else its unit's (spec.Unit.Settings). The warning is at
// the key that gives the timeout, naming each function that runs with it.
func HTTPTimeouts(s *spec.Spec, units []*spec.Unit, front func(*spec.Event) *FrontEnd) spec.Errors {
	type where struct {
		pos   spec.Pos
		path  string
		v     int
		front FrontEnd
	}
	var order []where
	names := map[where][]string{}
	for _, u := range units {
		set := u.Settings(s.Provider)
		for _, f := range u.Functions {
			v := cmp.Or(f.Timeout, s.Provider.Function.Timeout, set.Timeout)
			for _, e := range f.Events {
				if e.HTTP == nil || v == 0 {
					continue
				}
				fe := front(e)
				if fe == nil || v <= fe.Max {
					continue
				}
				w := where{v: v, front: *fe}
				switch {
				case f.Timeout != 0:
					pos, ok := f.KeyPos("timeout")
					if !ok {
						pos = f.Pos
					}
					w.pos, w.path = pos, "functions."+f.Name+".timeout"
				case s.Provider.Function.Timeout != 0:
					w.pos, w.path = ProviderPos(s, "timeout"), "provider.timeout"
				default:
					w.pos, w.path = SettingPos(s, u, "timeout", set.Timeout, func(s spec.Settings) int { return s.Timeout })
				}
				if _, ok := names[w]; !ok {
					order = append(order, w)
				}
				if !slices.Contains(names[w], f.Name) {
					names[w] = append(names[w], f.Name)
				}
			}
		}
	}
	var out ErrorList
	for _, w := range order {
		fs := names[w]
		who := "HTTP function " + fs[0]
		if len(fs) > 1 {
			who = "HTTP functions " + strings.Join(fs, ", ")
		}
		hint := ""
		if w.front.Hint != "" {
			hint = "; " + w.front.Hint
		}
		out.Add(ErrorAt(s, w.pos, w.path, "%s end a request after %d seconds, before the %d-second timeout of %s: a longer request gets an error while the function runs on (the timeout still holds for its other events)%s",
			w.front.Name, w.front.Max, w.v, who, hint))
	}
	return out.Sorted()
}

// Timeouts returns a warning for each value of the timeout of units
// (SettingValues: each unit's, and its functions' own) over max, at the
// key that gives it; problem says why, taking the value and max.
func Timeouts(s *spec.Spec, units []*spec.Unit, max int, problem string) spec.Errors {
	var out ErrorList
	get := func(s spec.Settings) int { return s.Timeout }
	for _, u := range units {
		for _, v := range SettingValues(s, u, "timeout", u.Settings(s.Provider).Timeout, get) {
			if v.Value > max {
				out.Add(ErrorAt(s, v.Pos, v.Path, "%s", fmt.Sprintf(problem, v.Value, max)))
			}
		}
	}
	return out.Sorted()
}

// DomainUndeployed returns the warning for the custom.customDomain of s on
// a platform, what, where it is not deployed, at its domainName: the HTTP
// functions are served at the platform's own URLs there, and hint says how
// to give them the domain. nil when f.yml gives no domain
// (none, false or null, as the FC generator reads it).
func DomainUndeployed(s *spec.Spec, what, hint string) *spec.Error {
	cd := Get(s.Custom, "customDomain")
	if cd == nil || cd.Kind == yaml.ScalarNode && (cd.Tag == "!!null" || strings.EqualFold(cd.Value, "false")) {
		return nil
	}
	at, path, name := cd, "custom.customDomain", ""
	if dn := Get(cd, "domainName"); dn != nil {
		if dn.Kind == yaml.ScalarNode && (dn.Tag == "!!null" || dn.Value == "" || strings.EqualFold(dn.Value, "false")) {
			return nil
		}
		at, path, name = dn, path+".domainName", dn.Value
	}
	domain := "the custom domain"
	if name != "" && !strings.EqualFold(name, "auto") {
		domain += " " + name
	}
	return ErrorAt(s, spec.Pos{Line: at.Line, Column: at.Column}, path,
		"%s is not deployed on %s (only FC's specs declare one): the HTTP functions are served at the URLs %s gives them; %s", domain, what, what, hint)
}

// secretAdvice is, by platform, how the platform's own deploy spec keeps
// a secret's value out of the file.
var secretAdvice = map[string]string{
	"aws": "keep it out with a template parameter with NoEcho: true, or a Secrets Manager dynamic reference such as {{resolve:secretsmanager:NAME:SecretString:KEY}}, set in platforms.aws",
	"fc":  "keep it out with s.yaml's ${env('NAME')}, which Serverless Devs resolves when it deploys, set in platforms.fc",
	"gcf": "keep it out with a Secret Manager secret exposed as an environment variable (gcloud functions deploy --set-secrets NAME=SECRET:VERSION)",
	"scf": "keep it out with serverless.yml's own ${env.NAME}, which the Serverless Cloud Framework resolves when it deploys, set in platforms.scf, or set it on the function in the SCF console",
	"web": "keep it out with a Kubernetes Secret: env[].valueFrom.secretKeyRef, or envFrom[].secretRef, on the container in platforms.web",
}

// PlainSecrets returns a warning at each environment value of s that
// came from the environment (${env.NAME}, spec.Spec.FromEnv): its value,
// often a secret, is written in plain text into the files generated for
// platform, which are easily committed or shared; the warning names the
// platform's own way to keep it out.
func PlainSecrets(s *spec.Spec, platform string) spec.Errors {
	var out spec.Errors
	for _, r := range s.FromEnv {
		problem := fmt.Sprintf("the value of ${env.%s} is written in plain text into the generated %s deploy spec", r.Name, platform)
		if advice := secretAdvice[platform]; advice != "" {
			problem += "; if it is a secret, " + advice
		}
		out = append(out, &spec.Error{File: s.File, Line: r.Pos.Line, Column: r.Pos.Column, Path: r.Path, Problem: problem})
	}
	return out
}

// EventKeys says which of the extra keys of events (spec.Event.Extra:
// role, version, serviceId, timeout, region, retryTime, interval) a
// platform's generator deploys, for UnusedEventKeys.
type EventKeys struct {
	// Platform names the platform, as in "it is not deployed on SCF".
	Platform string
	// Used are the keys the generator deploys, by the event's key as
	// written (kafka, apigw, …) if Used has it, else by its trigger
	// (spec.TriggerHTTP, …), else under "".
	Used map[string][]string
	// Trigger names what the platform makes of an event, as a warning's
	// subject, such as "SCF's apigw trigger".
	Trigger func(*spec.Event) string
	// Instead says, by key, what to use instead of a key that is not
	// deployed, where the platform has something.
	Instead map[string]string
}

// used returns the keys k deploys for e.
func (k EventKeys) used(e *spec.Event) []string {
	if used, ok := k.Used[e.Key]; ok {
		return used
	}
	if used, ok := k.Used[e.Trigger]; ok {
		return used
	}
	return k.Used[""]
}

// UnusedEventKeys returns a warning for each extra key of an event of s
// that k does not deploy for the event's trigger, at the key: f.yml
// accepts the key, which some platforms read, but this one would drop it
// silently. The warning says what the trigger takes and, where k has it,
// what to use instead.
func UnusedEventKeys(s *spec.Spec, k EventKeys) spec.Errors {
	var out ErrorList
	for _, f := range s.Functions {
		for i, e := range f.Events {
			used := k.used(e)
			for _, key := range slices.Sorted(maps.Keys(e.Extra)) {
				if slices.Contains(used, key) {
					continue
				}
				problem := fmt.Sprintf("%s has no %s: it is not deployed on %s", k.Trigger(e), key, k.Platform)
				if len(used) > 0 {
					problem += "; it takes " + strings.Join(used, ", ")
				}
				if hint := k.Instead[key]; hint != "" {
					problem += "; " + hint
				}
				out.Add(ErrorAt(s, e.KeyPos(key), f.EventPath(i)+"."+key, "%s", problem))
			}
		}
	}
	return out.Sorted()
}
