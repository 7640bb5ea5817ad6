package catalog

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
)

// The mappings of timer events.

var timerKeys = []string{keyName, keyTime, keyPayload}

// awsSchedule maps EventBridge scheduled events. The timer's name is the
// rule's ARN (resources[0]); a bare name replaces the rule's name in it.
// The payload is detail.payload, the constant input anyfaas's SAM
// generator gives a timer with a payload; an empty one is none.
var awsSchedule = &mapping{
	trigger: "timer",
	keys:    timerKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyName:
			old, _ := d.str(ptr("resources", 0))
			return d.setJSON(ptr("resources"), []string{arnWith(old, "rule/", o.value)})
		case keyTime:
			return d.setString(ptr("time"), o.value)
		case keyPayload:
			if o.value == "" { // a rule without constant input: detail is {}
				return d.remove(ptr("detail", "payload"))
			}
			if !d.has(ptr("detail")) || d.get(ptr("detail")).kind != '{' {
				return d.setJSON(ptr("detail"), object{{"payload", o.value}})
			}
			return d.setString(ptr("detail", "payload"), o.value)
		}
		return nil
	},
}

// fcTimer maps FC timer events: triggerName, triggerTime, payload.
var fcTimer = &mapping{
	trigger: "timer",
	keys:    timerKeys,
	apply: func(d *doc, o override) error {
		return d.setString(ptr(map[string]string{keyName: "triggerName", keyTime: "triggerTime", keyPayload: "payload"}[o.name]), o.value)
	},
}

// scfTimer maps SCF timer events: TriggerName, Time, Message.
var scfTimer = &mapping{
	trigger: "timer",
	keys:    timerKeys,
	apply: func(d *doc, o override) error {
		return d.setString(ptr(map[string]string{keyName: "TriggerName", keyTime: "Time", keyPayload: "Message"}[o.name]), o.value)
	},
}

// gcfScheduler maps Cloud Scheduler's CloudEvents: the job is the source
// (//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/j), and the
// payload data.customData, in base64 (none if empty); the project is the
// job's.
var gcfScheduler = &mapping{
	trigger: "timer",
	keys:    append(slices.Clip(timerKeys), keyProject),
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyName:
			old, _ := d.str(ptr("source"))
			source := o.value
			switch {
			case strings.HasPrefix(source, "//"):
			case strings.HasPrefix(source, "projects/"):
				source = "//cloudscheduler.googleapis.com/" + source
			default:
				source = replaceAfter(old, "jobs/", source)
			}
			return d.setString(ptr("source"), source)
		case keyTime:
			return d.setString(ptr("time"), o.value)
		case keyPayload:
			if o.value == "" { // a job without a body: data is {}
				return d.remove(ptr("data", "customData"))
			}
			return d.setString(ptr("data", "customData"), base64.StdEncoding.EncodeToString([]byte(o.value)))
		case keyProject:
			old, _ := d.str(ptr("source"))
			return d.setString(ptr("source"), inProject(old, o.value))
		}
		return nil
	},
}

// inProject returns a Google Cloud resource name (projects/<p>/…, also
// after a service's //host/) with its project replaced by project.
func inProject(name, project string) string {
	i := strings.Index(name, "projects/")
	if i < 0 {
		return name
	}
	i += len("projects/")
	end := strings.IndexByte(name[i:], '/')
	if end < 0 {
		return name[:i] + project
	}
	return name[:i] + project + name[i+end:]
}

// knativePing maps the CloudEvents of a Knative PingSource: the source
// (/apis/v1/namespaces/<ns>/pingsources/<name>) names it, and the data is
// the PingSource's data as it is: JSON data with the content type
// application/json, other text with text/plain, and an empty payload none.
var knativePing = &mapping{
	trigger: "timer",
	keys:    timerKeys,
	apply: func(d *doc, o override) error {
		switch o.name {
		case keyName:
			old, _ := d.str(ptr("source"))
			source := o.value
			if !strings.HasPrefix(source, "/") {
				source = replaceAfter(old, "pingsources/", source)
			}
			return d.setString(ptr("source"), source)
		case keyTime:
			return d.setString(ptr("time"), o.value)
		case keyPayload:
			if o.value == "" { // a PingSource without data sends none
				if err := d.remove(ptr("data")); err != nil {
					return err
				}
				return d.remove(ptr("datacontenttype"))
			}
			t := strings.TrimSpace(o.value)
			if t != "" && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
				v, err := newValue([]byte(t), false) // kept as the PingSource sends it
				if err != nil {
					return err
				}
				if err := d.set(ptr("data"), v); err != nil {
					return err
				}
				return d.setString(ptr("datacontenttype"), "application/json")
			}
			if err := d.setString(ptr("data"), o.value); err != nil {
				return err
			}
			return d.setString(ptr("datacontenttype"), "text/plain")
		}
		return nil
	},
}

// replaceAfter replaces what follows the last sep in s with v; without a
// sep, it returns v.
func replaceAfter(s, sep, v string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i+len(sep)] + v
	}
	return v
}

// arnWith returns an ARN given whole, or the ARN old with its name after
// the last sep replaced by name.
func arnWith(old, sep, name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return replaceAfter(old, sep, name)
}
