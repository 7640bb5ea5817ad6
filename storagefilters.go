package faas

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// StorageFiltersEnv is the environment variable from which [Start] reads
// the storage filters of the functions of a unit, as [WithStorageFilters]
// gives them: filters separated by semicolons, each "name=" and the
// filter's fields separated by commas, such as
//
//	api=prefix:up/,suffix:.jpg;report=bucket:logs,op:created;report=bucket:audit
//
// A field is bucket:, prefix:, suffix: or op: (which may repeat) and its
// value; a function named twice has several filters. In a value, '%' ','
// ';' and '=' are written %25, %2C, %3B and %3D. anyfaas writes it into the
// environment of a unit deployed where the platform cannot filter storage
// events by object name (Cloud Run functions and Knative) and whose
// functions f.yml gives a storage event with a prefix or suffix filter.
const StorageFiltersEnv = "FAAS_STORAGE_FILTERS"

// StorageFilter selects the records of a storage event that a function is
// given: those of its bucket, of one of its operations, whose key begins
// with its prefix and ends with its suffix, as a prefix and suffix filter
// of S3, OSS or COS notifications selects them. An empty field selects
// every record.
type StorageFilter struct {
	Bucket string
	// Ops are the records' [StorageRecord.Op] to select: StorageCreated,
	// StorageRemoved, or a platform's own name.
	Ops    []string
	Prefix string
	Suffix string
}

// Match reports whether the filter selects rec.
func (f *StorageFilter) Match(rec *StorageRecord) bool {
	return (f.Bucket == "" || rec.Bucket == f.Bucket) &&
		(len(f.Ops) == 0 || slices.Contains(f.Ops, rec.Op)) &&
		strings.HasPrefix(rec.Key, f.Prefix) && strings.HasSuffix(rec.Key, f.Suffix)
}

// String is the filter in the form of StorageFiltersEnv, without the name.
func (f *StorageFilter) String() string {
	var fields []string
	add := func(key, v string) {
		if v != "" {
			fields = append(fields, key+":"+escapeFilter.Replace(v))
		}
	}
	add("bucket", f.Bucket)
	for _, op := range f.Ops {
		// Even an empty one, which selects the records of no op,
		// unlike no op at all.
		fields = append(fields, "op:"+escapeFilter.Replace(op))
	}
	add("prefix", f.Prefix)
	add("suffix", f.Suffix)
	return strings.Join(fields, ",")
}

// escapeFilter escapes what separates the parts of StorageFiltersEnv.
var escapeFilter = strings.NewReplacer("%", "%25", ",", "%2C", ";", "%3B", "=", "%3D")

// WithStorageFilters gives functions of the App, by name, the storage
// filters that select the records of the storage events they are given,
// where the platform delivers events the function's triggers would not
// (Eventarc and Knative Triggers filter Cloud Storage events by bucket and
// type, not by object name). A record is kept if one of its function's
// filters selects it; a storage event routed to a function with filters
// reaches its layers and handler with the records kept, in their order,
// and if none is kept, it is acknowledged as handled (a nil result)
// without them, and the skip is logged at debug level. Events of other
// triggers, and the functions without filters, are not touched.
//
// A name the App does not serve stops its start. Without this option, an
// App started with [Start] reads the filters from StorageFiltersEnv, if it
// is set.
func WithStorageFilters(filters map[string][]StorageFilter) Option {
	return func(a *App) { a.storageFilters = filters }
}

// parseStorageFilters parses a value of StorageFiltersEnv.
//
// It is not FunctionTimeoutsEnv's parser (parseFunctionTimeouts), though
// both read name=value lists, as the grammars differ for a reason: a
// filter is itself a comma-separated list of fields, and its prefix or
// suffix may hold any character of an object name (spaces, commas), so
// filters are separated by semicolons and values %-escaped and kept as
// written, where a timeout, one token, is comma-separated and trimmed.
// And a function named twice has both filters, where two timeouts for one
// function are an error.
func parseStorageFilters(s string) (map[string][]StorageFilter, error) {
	out := map[string][]StorageFilter{}
	for _, item := range strings.Split(s, ";") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		name, fields, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("faas: %s=%q: %q is not name=filter", StorageFiltersEnv, s, item)
		}
		var f StorageFilter
		seen := map[string]bool{}
		for _, field := range strings.Split(fields, ",") {
			key, value, ok := strings.Cut(field, ":")
			key = strings.TrimSpace(key)
			v, err := url.PathUnescape(value)
			switch {
			case !ok:
				return nil, fmt.Errorf("faas: %s=%q: function %q: %q is not key:value", StorageFiltersEnv, s, name, field)
			case err != nil:
				return nil, fmt.Errorf("faas: %s=%q: function %q: %q: %v", StorageFiltersEnv, s, name, field, err)
			case seen[key] && key != "op":
				return nil, fmt.Errorf("faas: %s=%q: function %q: a filter gives %s twice", StorageFiltersEnv, s, name, key)
			}
			seen[key] = true
			switch key {
			case "bucket":
				f.Bucket = v
			case "prefix":
				f.Prefix = v
			case "suffix":
				f.Suffix = v
			case "op":
				f.Ops = append(f.Ops, v)
			default:
				return nil, fmt.Errorf("faas: %s=%q: function %q: %q is not bucket, op, prefix or suffix", StorageFiltersEnv, s, name, key)
			}
		}
		out[name] = append(out[name], f)
	}
	return out, nil
}

// applyStorageFilters gives the functions the App serves the filters of
// WithStorageFilters.
func (a *App) applyStorageFilters() error {
	return forFunctions(a, "storage filters", a.storageFilters, func(fn *function, f []StorageFilter) error {
		if len(f) > 0 {
			fn.storageFilters = f
		}
		return nil
	})
}

// forFunctions calls set, in the order of the names, with the function of
// each name of byName, an option's settings (what names it), and joins
// its errors with those of the names the App does not serve.
func forFunctions[V any](a *App, what string, byName map[string]V, set func(fn *function, v V) error) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		fn := a.byName[name]
		if fn == nil {
			errs = append(errs, fmt.Errorf("faas: %s: the App serves no function %q (it serves %s)", what, name, strings.Join(a.funcNames(), ", ")))
			continue
		}
		if err := set(fn, byName[name]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// funcNames are the names of the App's functions, in registration order.
func (a *App) funcNames() []string {
	names := make([]string, len(a.funcs))
	for i, f := range a.funcs {
		names[i] = f.name
	}
	return names
}

// filterStorage returns the storage event ev with the records fn's filters
// keep: ev itself when they keep all, nil when they keep none.
func (fn *function) filterStorage(ev *StorageEvent) *StorageEvent {
	var out *StorageEvent // nil while every record is kept
	for i := range ev.Records {
		rec := &ev.Records[i]
		keep := slices.ContainsFunc(fn.storageFilters, func(f StorageFilter) bool { return f.Match(rec) })
		switch {
		case keep && out != nil:
			out.Records = append(out.Records, *rec)
		case !keep && out == nil:
			out = &StorageEvent{Records: slices.Clone(ev.Records[:i])}
		}
	}
	if out == nil {
		return ev
	}
	if len(out.Records) == 0 {
		return nil
	}
	return out
}

// logSkipped logs that no record of ev passes fn's filters, with the keys
// of its records and the filters ("any" for one that selects every
// record; the Context's logger names the function): at debug level, or in
// development mode at warning level, as there (anyfaas dev and invoke run
// the App in it) the skip is what a user who sent the event looks for,
// and must not be a silent no-op. Deployed, the event would not have
// reached the function either: the platform's trigger filters (aws, fc,
// scf), or the App skips it the same way (gcf, web).
func (fn *function) logSkipped(ctx *Context, ev *StorageEvent, dev bool) {
	level := slog.LevelDebug
	if dev {
		level = slog.LevelWarn
	}
	keys := make([]string, len(ev.Records))
	for i := range ev.Records {
		keys[i] = ev.Records[i].Key
	}
	filters := make([]string, len(fn.storageFilters))
	for i := range fn.storageFilters {
		filters[i] = cmp.Or(fn.storageFilters[i].String(), "any")
	}
	ctx.Logger().Log(ctx, level, "faas: no record of the storage event passes the function's storage filters; the event is acknowledged without invoking it",
		"keys", keys, "filters", filters)
}
