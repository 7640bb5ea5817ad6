package gen

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/anyfaas/faas/spec"
)

// ErrorList gathers what a generator finds wrong with a spec, each problem
// once: a provider setting that every unit inherits is one error, not one
// per unit. Its zero value is ready to use.
type ErrorList struct {
	list spec.Errors
	seen map[string]bool
}

// Add adds e, unless the list holds the same problem at the same place.
func (l *ErrorList) Add(e *spec.Error) {
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if k := e.Error(); !l.seen[k] {
		l.seen[k] = true
		l.list = append(l.list, e)
	}
}

// Len is the number of problems.
func (l *ErrorList) Len() int { return len(l.list) }

// Err returns the problems as a spec.Errors in the order of the file (a
// problem without a position first), or nil when there are none.
func (l *ErrorList) Err() error {
	if len(l.list) == 0 {
		return nil
	}
	return l.Sorted()
}

// Sorted returns the problems in the order of the file (a problem without
// a position first), or nil when there are none.
func (l *ErrorList) Sorted() spec.Errors {
	if len(l.list) == 0 {
		return nil
	}
	out := slices.Clone(l.list)
	slices.SortStableFunc(out, func(a, b *spec.Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return out
}

// ProviderPos returns the position for an error about provider.<key>:
// that of the key's value where spec keeps it as a node (the keys of
// Provider.Extra: vpcConfig, serviceId, …), else the provider block's, as
// spec records no position of the other keys (the error's path names the
// key).
func ProviderPos(s *spec.Spec, key string) spec.Pos {
	if p, ok := s.Provider.KeyPos[key]; ok {
		return p
	}
	if n := s.Provider.Extra[key]; n != nil {
		return spec.Pos{Line: n.Line, Column: n.Column}
	}
	return s.Provider.Pos
}

// Region returns the error for a provider.region that a platform (what,
// such as "SCF") does not offer, at its value: one a letter or two from
// one of regions (a typo: the error names it), or one not of the shape
// of the platform's region names (another platform's, as us-east-1 is
// AWS's: the error lists regions). A name of the right shape that regions
// does not hold passes, as a region opened since the list was written
// would, also one that differs from a listed region in its digits alone
// (ap-southeast-8 beside ap-southeast-7), for which RegionWarning warns.
// nil for one of regions, or none.
func Region(s *spec.Spec, what string, regions []string, shape *regexp.Regexp) *spec.Error {
	r := s.Provider.Region
	if r == "" {
		return nil
	}
	hint, ok := RegionHint(r, regions, shape)
	if ok {
		return nil
	}
	return ErrorAt(s, ProviderPos(s, "region"), "provider.region", "%s has no region %q%s", what, r, hint)
}

// RegionWarning returns the warning for a provider.region that Region
// passes although regions does not hold it and it differs from one of
// them in its digits alone: a region opened since the list was written,
// or a typo, which the platform refuses when it deploys. nil for any
// other.
func RegionWarning(s *spec.Spec, what string, regions []string, shape *regexp.Regexp) *spec.Error {
	r := s.Provider.Region
	if r == "" {
		return nil
	}
	if hint, ok := RegionHint(r, regions, shape); ok && hint != "" {
		return ErrorAt(s, ProviderPos(s, "region"), "provider.region",
			"%s has no region %q that anyfaas knows%s: if it opened since, this is right", what, r, hint)
	}
	return nil
}

// RegionHint reports whether region r passes, as Region checks it: one of
// regions, or of their shape and no typo of one, or a name of their shape
// that differs from one of them in its digits alone (a region numbered
// next, or a typo: hint then names the listed one). For one that does
// not pass, hint is what its error adds: the region it is a typo of, or
// else the list of regions.
func RegionHint(r string, regions []string, shape *regexp.Regexp) (hint string, ok bool) {
	if slices.Contains(regions, r) {
		return "", true
	}
	if hint = spec.Suggest(r, regions); hint != "" {
		return hint, shape.MatchString(r) && slices.ContainsFunc(regions, func(known string) bool {
			return withoutDigits(known) == withoutDigits(r)
		})
	}
	if shape.MatchString(r) {
		return "", true
	}
	return ": it offers " + strings.Join(regions, ", "), false
}

// withoutDigits returns s without its decimal digits.
func withoutDigits(s string) string {
	return strings.Map(func(c rune) rune {
		if '0' <= c && c <= '9' {
			return -1
		}
		return c
	}, s)
}

// SettingPos returns where a unit's setting key (memorySize, timeout, …)
// of value v comes from, and its key path: the key's value in the first
// member function that sets it to v (the function's key, for a function
// built in code), or else the provider's.
func SettingPos(s *spec.Spec, u *spec.Unit, key string, v int, get func(spec.Settings) int) (spec.Pos, string) {
	for _, f := range u.Functions {
		if get(f.Settings) == v {
			pos, ok := f.KeyPos(key)
			if !ok {
				pos = f.Pos
			}
			return pos, "functions." + f.Name + "." + key
		}
	}
	return ProviderPos(s, key), "provider." + key
}

// Setting is a value of a setting (memorySize, timeout, …) and where
// f.yml gives it.
type Setting struct {
	// Value is the setting's value, in its unit (MB, seconds, …).
	Value int
	// Pos is where f.yml gives the value.
	Pos spec.Pos
	// Path is its key path, such as functions.f.memorySize.
	Path string
}

// SettingValues returns the values of setting key that unit u, whose
// merged settings give it v (Unit.Settings), is to be checked for, each
// once by where it comes from: v, where SettingPos finds it, then each
// member function's own value, or else the provider's it inherits, where
// f.yml gives it. A group's unit takes the largest of its members' values,
// which hides one too small or off the platform's steps (a member's
// memorySize of 100 in a unit of 128), and the App holds each member to
// its own timeout: a value the platform does not take is an error at the
// function that asks for it, aggregated or not. A value of 0 (the
// platform's default) is left out.
func SettingValues(s *spec.Spec, u *spec.Unit, key string, v int, get func(spec.Settings) int) []Setting {
	var out []Setting
	add := func(v int, pos spec.Pos, path string) {
		if v != 0 && !slices.ContainsFunc(out, func(have Setting) bool { return have.Pos == pos && have.Path == path }) {
			out = append(out, Setting{Value: v, Pos: pos, Path: path})
		}
	}
	pos, path := SettingPos(s, u, key, v, get)
	add(v, pos, path)
	for _, f := range u.Functions {
		if own := get(f.Settings); own != 0 {
			pos, ok := f.KeyPos(key)
			if !ok {
				pos = f.Pos
			}
			add(own, pos, "functions."+f.Name+"."+key)
		} else {
			add(get(s.Provider.Function), ProviderPos(s, key), "provider."+key)
		}
	}
	return out
}

// EnvPos returns where a unit's environment variable name comes from, and
// its key path: the variable's key under the environment of the last
// member function that sets it (whose value wins), or else under the
// provider's. Where spec knows no position of the key (a spec built in
// code), it is the function's, or the provider's environment.
func EnvPos(s *spec.Spec, u *spec.Unit, name string) (spec.Pos, string) {
	for i := len(u.Functions) - 1; i >= 0; i-- {
		f := u.Functions[i]
		if _, ok := f.Environment[name]; ok {
			pos, ok := f.EnvPos(name)
			if !ok {
				pos = f.Pos
			}
			return pos, "functions." + f.Name + ".environment." + name
		}
	}
	if pos, ok := s.Provider.Function.EnvPos(name); ok {
		return pos, "provider.environment." + name
	}
	return ProviderPos(s, "environment"), "provider.environment." + name
}

// X86OnlyRuntime returns the runtime of platform (such as "FC's go1
// runtime" for fc) if it runs x86_64 executables only, as X86Only names it;
// "" for a platform that runs arm64 executables too.
func X86OnlyRuntime(platform string) string {
	switch platform {
	case "fc":
		return "FC's go1 runtime"
	case "scf":
		return "SCF's Go1 runtime"
	case "gcf":
		return "Cloud Run"
	}
	return ""
}

// X86Only returns the error for a spec built for another architecture
// than x86_64, on a platform whose runtime (what, such as "FC's go1
// runtime") runs x86_64 executables only; nil for x86_64 (or none).
func X86Only(s *spec.Spec, what string) *spec.Error {
	a := s.Provider.Architecture
	if a == "" || a == "x86_64" {
		return nil
	}
	return ErrorAt(s, ProviderPos(s, "architecture"), "provider.architecture",
		"%s runs x86_64 executables only, not %s: build for x86_64 for this platform", what, a)
}

// DisabledTrigger returns the error for an event with enable: false on a
// platform whose trigger of that kind (what, such as "S3 event") has no
// switch to create it disabled; path is the event's key path.
func DisabledTrigger(s *spec.Spec, e *spec.Event, path, platform, what string) *spec.Error {
	return ErrorAt(s, e.KeyPos("enable"), path+".enable",
		"%s cannot deploy a disabled %s: the trigger has no enable switch (remove the event to deploy the function without it)", platform, what)
}

// DeployName is the name a unit or function named name is deployed as:
// <service>-<name>, or <service>-<stage>-<name> when the provider sets a
// stage, so that the stages of a service do not take each other's names.
func DeployName(s *spec.Spec, name string) string {
	if s.Provider.Stage != "" {
		return fmt.Sprintf("%s-%s-%s", s.Service.Name, s.Provider.Stage, name)
	}
	return s.Service.Name + "-" + name
}

// Offending lists, each once and quoted as 'x', the characters of s that
// ok (given each one's byte index) refuses, for an error saying what breaks
// a platform's naming rule; "" if there are none.
func Offending(s string, ok func(i int, r rune) bool) string {
	var bad []string
	for i, r := range s {
		if q := fmt.Sprintf("%q", r); !ok(i, r) && !slices.Contains(bad, q) {
			bad = append(bad, q)
		}
	}
	return strings.Join(bad, ", ")
}

// BatchKey returns the key of a message event's batch setting, for an
// error on a platform that cannot take it: batchSize if it is set, else
// maximumBatchingWindow if that is, else "".
func BatchKey(m *spec.MessageEvent) string {
	switch {
	case m.BatchSize > 0:
		return "batchSize"
	case m.BatchWindow > 0:
		return "maximumBatchingWindow"
	}
	return ""
}

// Delivered returns the functions of unit u whose events it is delivered:
// all of them but, in a group's unit, those that own names as having a
// unit of their own.
func Delivered(u *spec.Unit, own map[string]bool) []*spec.Function {
	if u.Group == nil {
		return u.Functions
	}
	var out []*spec.Function
	for _, f := range u.Functions {
		if !own[f.Name] {
			out = append(out, f)
		}
	}
	return out
}
