package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/anyfaas/faas"
)

// Sources returns, for each event of the unit's functions other than
// HTTP that says where its events come from, what the platform's events
// of it carry to say so, as the generator for platform deploys it: a
// timer's name (see TimerNames), a message event's queue or topic, a
// storage event's bucket (on scf without the .cos.<region>.myqcloud.com
// of a bucket given as a domain, as a COS event names it). The manifest
// gives them as faas.TriggerSpec.Source, by which the App tells apart
// the events of functions of one unit that declare the same trigger.
func (u *Unit) Sources(platform string) map[*Event]string {
	out := u.TimerNames(platform)
	for _, f := range u.Functions {
		for _, e := range f.Events {
			switch {
			case e.Storage != nil && e.Storage.Bucket != "":
				b := e.Storage.Bucket
				if platform == faas.PlatformSCF {
					b, _, _ = strings.Cut(b, ".cos.")
				}
				out[e] = b
			case e.Message != nil && e.Message.Queue != "":
				out[e] = e.Message.Queue
			case e.Message != nil && e.Message.Topic != "":
				out[e] = e.Message.Topic
			}
		}
	}
	return out
}

// TimerNames returns the name under which each timer of the unit is
// deployed on platform, which the platform's timer events carry
// (faas.TimerEvent.Name); the generators name the timers so.
//
//	fc   the event's name, else <function>-timer, numbered from 2
//	     (<function>-timer-2) past the names the unit's triggers take:
//	     FC names a function's triggers apart
//	scf  the event's name, else timer in a unit of its own and
//	     <function>-timer in a group, numbered from 2 past the names of
//	     the unit's timers before it
//	aws  the event's name, its EventBridge rule's; else, in a unit where
//	     several functions declare timers, which the App must tell apart,
//	     <function>-timer numbered as on fc, which the generator puts in
//	     the rule's constant Input as the scheduled event's resource (see
//	     spec/gen/aws); else none, CloudFormation naming the rule
//
// A platform that routes timers by path (gcf, web) has no names.
func (u *Unit) TimerNames(platform string) map[*Event]string {
	out := map[*Event]string{}
	switch platform {
	case faas.PlatformFC, faas.PlatformAWS:
		if platform == faas.PlatformAWS && u.timerFunctions() < 2 {
			for _, f := range u.Functions {
				for _, e := range f.Events {
					if e.Timer != nil && e.Name != "" {
						out[e] = e.Name
					}
				}
			}
			return out
		}
		// Names the spec gives come first; defaults avoid them.
		taken := map[string]bool{}
		for _, f := range u.Functions {
			for _, e := range f.Events {
				if e.Name != "" && e.HTTP == nil && (platform == faas.PlatformFC || e.Timer != nil) {
					taken[e.Name] = true
				}
			}
		}
		for _, f := range u.Functions {
			for _, e := range f.Events {
				switch {
				case e.Timer == nil:
				case e.Name != "":
					out[e] = e.Name
				default:
					out[e] = numbered(f.Name+"-timer", taken)
				}
			}
		}
	case faas.PlatformSCF:
		taken := map[string]bool{}
		for _, f := range u.Functions {
			for _, e := range f.Events {
				if e.Timer == nil {
					continue
				}
				name := e.Name
				if name == "" {
					name = "timer"
					if u.Group != nil {
						name = f.Name + "-timer"
					}
				}
				out[e] = numbered(name, taken)
			}
		}
	}
	return out
}

// numbered returns base, or base-2, base-3, … if taken, and takes it.
func numbered(base string, taken map[string]bool) string {
	name := base
	for n := 2; taken[name]; n++ {
		name = base + "-" + strconv.Itoa(n)
	}
	taken[name] = true
	return name
}

// timerFunctions is the number of the unit's functions that declare a
// timer.
func (u *Unit) timerFunctions() int {
	n := 0
	for _, f := range u.Functions {
		for _, e := range f.Events {
			if e.Timer != nil {
				n++
				break
			}
		}
	}
	return n
}

// sourceKey is what two events' sources are compared by, for
// indistinct: the part of a resource name (an ARN, an MNS queue's
// acs:mns:…:queues/NAME) after its last ':' or '/', and a COS bucket
// given as a domain without it.
func sourceKey(src string) string {
	src, _, _ = strings.Cut(src, ".cos.")
	if i := strings.LastIndexAny(src, ":/"); i >= 0 {
		return src[i+1:]
	}
	return src
}

// indistinct reports each function of an aggregated unit whose events
// the App could not tell apart from another's of the same trigger, at
// the later of the two: one with no source to match them by (a storage
// or message trigger the code declares with faas.On, which f.yml does
// not bind to a bucket, queue or topic; a log or other trigger, whose
// events carry none the App reads), or one of the same source (two
// consumers of one queue). Timers are told apart by the names their
// generators give them, and storage events of one bucket by their
// filters where these select no record in common (see disjointStorage),
// which the manifest gives the App (see Unit.Manifest). A deployOrigin
// group takes no such events (its members' own units do).
func (s *Spec) indistinct(u *Unit) []*Error {
	if u.Group == nil || u.Group.DeployOrigin {
		return nil
	}
	type decl struct {
		f   *Function
		i   int
		src string
		e   *Event
	}
	byTrigger := map[string][]decl{}
	var errs []*Error
	for _, f := range u.Functions {
		for i, e := range f.Events {
			if e.HTTP != nil || e.Timer != nil {
				continue
			}
			src := ""
			switch {
			case e.Storage != nil:
				src = e.Storage.Bucket
			case e.Message != nil:
				src = e.Message.Queue + e.Message.Topic
			}
			// The first event of another function that this one's
			// cannot be told from: either of no source, or of one
			// source.
			for _, d := range byTrigger[e.Trigger] {
				if d.f != f && (src == "" || d.src == "" || sourceKey(src) == sourceKey(d.src) && !disjointStorage(d.e.Storage, e.Storage)) {
					errs = append(errs, s.indistinctError(u, d.f, d.i, d.src, f, i, src))
					break
				}
			}
			byTrigger[e.Trigger] = append(byTrigger[e.Trigger], decl{f, i, src, e})
		}
	}
	return errs
}

// disjointStorage reports whether the filters of two storage events, of
// one bucket, provably select no record in common: prefixes neither of
// which begins the other, suffixes neither of which ends the other, or
// operations (see recordOps) of which neither has one of the other's.
// Either event nil (not a storage event) is not disjoint. The platforms
// refuse notifications of one bucket whose filters overlap so (S3: "Configurations overlap"; OSS, COS
// alike), and accept these.
func disjointStorage(a, b *StorageEvent) bool {
	if a == nil || b == nil {
		return false
	}
	if !strings.HasPrefix(a.Prefix, b.Prefix) && !strings.HasPrefix(b.Prefix, a.Prefix) ||
		!strings.HasSuffix(a.Suffix, b.Suffix) && !strings.HasSuffix(b.Suffix, a.Suffix) {
		return true
	}
	aops, bops := recordOps(a.Events), recordOps(b.Events)
	return aops != nil && bops != nil && !slices.ContainsFunc(aops, func(op string) bool { return slices.Contains(bops, op) })
}

// sharedBuckets reports the storage events of the unit whose bucket
// another function's storage event of the unit names too: those whose
// filters the manifest gives the App, to tell their events apart.
func (u *Unit) sharedBuckets() map[*Event]bool {
	out := map[*Event]bool{}
	for _, f := range u.Functions {
		for _, e := range f.Events {
			if e.Storage == nil || e.Storage.Bucket == "" {
				continue
			}
			for _, g := range u.Functions {
				if g != f && slices.ContainsFunc(g.Events, func(o *Event) bool {
					return o.Storage != nil && o.Storage.Bucket != "" && sourceKey(o.Storage.Bucket) == sourceKey(e.Storage.Bucket)
				}) {
					out[e] = true
					break
				}
			}
		}
	}
	return out
}

// indistinctError is indistinct's error of function b's event j, which
// the App could not tell from a's event i in unit u.
func (s *Spec) indistinctError(u *Unit, a *Function, i int, asrc string, b *Function, j int, bsrc string) *Error {
	e := b.Events[j]
	pos, path := e.Pos, b.EventPath(j)
	if pos.Line == 0 {
		// Declared in code: at the function in f.yml, else its group.
		pos, path = b.Pos, "functions."+b.Name
		if pos.Line == 0 || b.fromCode {
			pos, path = u.Group.Pos, "aggregation."+u.Group.Name
		}
	}
	why := ""
	switch {
	case asrc != "" && bsrc != "" && sourceKey(asrc) == sourceKey(bsrc):
		why = fmt.Sprintf("both take %s events of %s", e.Trigger, bsrc)
	case e.Trigger != TriggerStorage && e.Trigger != TriggerMessage:
		why = fmt.Sprintf("%s events carry nothing the App could route them by", e.Trigger)
	default:
		which := a.EventPath(i)
		if asrc != "" {
			which = b.EventPath(j)
		}
		what := "bucket"
		if e.Trigger == TriggerMessage {
			what = "queue or topic"
		}
		why = fmt.Sprintf("%s names no %s, by which the App would route them", which, what)
	}
	fix := "give each its own"
	switch e.Trigger {
	case TriggerStorage:
		fix += " bucket in f.yml (events: - storage: {bucket: …})"
		if asrc != "" && bsrc != "" {
			fix += ", or filters that select no object in common (filter: {prefix: …} with prefixes neither of which begins the other, or suffixes neither of which ends the other, or events of other operations)"
		}
	case TriggerMessage:
		fix += " queue or topic in f.yml (events: - mq: {topic: …})"
	default:
		fix = "deploy one of them on its own"
	}
	return s.errorAt(pos, path, "functions %s and %s of unit %q both declare the %s trigger, and the App could not tell their events apart: %s; %s, or put them in separate units (aggregation)",
		a.Name, b.Name, u.Name, e.Trigger, why, fix)
}

// EventSource returns the source (see Unit.Sources) of e, an event of one
// of the spec's functions, in the unit that takes it on platform: what
// the platform's events of it carry, which anyfaas invoke and dev put in
// the samples they send, so that the App routes them as it routes the
// platform's. "" for an event with none, or of no function of the spec.
func (s *Spec) EventSource(platform string, e *Event) string {
	for _, u := range s.Units() {
		if u.Group != nil && u.Group.DeployOrigin {
			continue // its members' own units take their other events
		}
		for _, f := range u.Functions {
			if slices.Contains(f.Events, e) {
				return u.Sources(platform)[e]
			}
		}
	}
	return ""
}
