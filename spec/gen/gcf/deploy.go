package gcf

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// The script's shell variables.
const (
	varRegion   ref = "REGION"
	varProject  ref = "PROJECT"
	varInvoker  ref = "INVOKER"
	varURL      ref = "url"           // the unit's service URL
	varLocation ref = "location"      // a bucket's location
	varAgent    ref = "storage_agent" // the project's Cloud Storage service agent
)

// Roles Eventarc needs for Cloud Storage triggers, beyond roles/run.invoker
// on the service, as https://cloud.google.com/eventarc/docs/roles-permissions
// and the Cloud Run functions "Create triggers from Cloud Storage events"
// page (https://cloud.google.com/functions/docs/calling/storage) give them:
// the trigger's service account receives the events, and the project's
// Cloud Storage service agent (gcloud storage service-agent) publishes
// them. A Pub/Sub trigger (a direct Pub/Sub event) needs neither; Cloud
// Scheduler jobs need only roles/run.invoker.
const (
	roleEventReceiver = "roles/eventarc.eventReceiver"
	rolePublisher     = "roles/pubsub.publisher"
)

// script writes deploy.sh.
func (g *generation) script(units []*unitPlan) []byte {
	needInvoker, needProject := false, false
	var receivers []string // the members of Cloud Storage triggers
	for _, u := range units {
		for _, e := range u.events {
			if e.account == "" {
				needInvoker = true
			}
			switch e.trigger {
			case spec.TriggerTimer:
				needProject = true
			case spec.TriggerStorage:
				needProject = true // for the project-wide grants
				if m := e.member(); !slices.Contains(receivers, m) {
					receivers = append(receivers, m)
				}
			}
		}
	}
	role, region, project := g.s.Provider.Role, g.s.Provider.Region, g.s.Provider.Project
	if needInvoker && role == "" {
		needProject = true // for the default service account
	}

	var b scriptWriter
	if project != "" {
		// --project is a flag of every gcloud command, and wins over
		// gcloud's configured project (core/project). A topic given by
		// name alone is not made projects/<project>/topics/<topic>, as
		// the web generator makes it for the source Knative matches: gcloud
		// takes a topic's ID or its full name, and finds the project of an
		// ID in --project.
		b.project = word(lit("--project="), varProject)
	}
	b.line("#!/usr/bin/env bash")
	b.comment(gen.Header)
	b.comment("")
	b.paragraph("Deploys the service " + g.s.Service.Name + " to Cloud Run, unit by unit in the order of " +
		"f.yml: the Cloud Run service in <unit>.service.yaml, then the Eventarc triggers and Cloud " +
		"Scheduler jobs that deliver its events. Push the images the service files name first. " +
		projectNote(project) + " Triggers, topics and jobs that exist already are left as they are: " +
		"delete one to have it created again with new settings.")
	if needInvoker {
		who := "the project's Compute Engine default service account"
		if role != "" {
			who = "provider.role"
		}
		b.comment("")
		b.paragraph("Events and schedules invoke the services as the service account INVOKER " +
			"(default: " + who + "), which is granted roles/run.invoker on them.")
	}
	if len(receivers) > 0 {
		b.comment("")
		b.paragraph("Cloud Storage triggers need two project-wide roles " +
			"(https://cloud.google.com/eventarc/docs/roles-permissions): " + roleEventReceiver +
			" for the service account of each trigger, and " + rolePublisher + " for the project's " +
			"Cloud Storage service agent, which publishes the bucket's events. Granting a role " +
			"again changes nothing.")
	}
	b.line("set -euo pipefail")
	b.line(`cd "$(dirname "$0")"`)
	b.line("")
	if region != "" {
		b.line("REGION=" + quote(region))
	} else {
		b.line(`REGION="${REGION:?set REGION to the region to deploy to, as f.yml gives no provider.region}"`)
	}
	if project != "" {
		b.line("PROJECT=" + quote(project))
	} else if needProject {
		b.line(`PROJECT="$(gcloud config get-value project)"`)
		b.line(`: "${PROJECT:?set the project: gcloud config set project PROJECT_ID}"`)
	}
	if needInvoker {
		if role != "" {
			b.line(`INVOKER="${INVOKER:-` + role + `}"`) // an email, checked by checkProvider
		} else {
			b.line(`INVOKER="${INVOKER:-$(gcloud projects describe "$PROJECT" --format='value(projectNumber)')-compute@developer.gserviceaccount.com}"`)
		}
	}
	if len(receivers) > 0 {
		storageGrants(&b, receivers)
	}
	topics := map[string]bool{}
	for _, u := range units {
		g.unitScript(&b, u, topics)
	}
	return []byte(b.String())
}

// unitScript writes the commands that deploy a unit.
func (g *generation) unitScript(b *scriptWriter, u *unitPlan, topics map[string]bool) {
	fns := make([]string, len(u.unit.Functions))
	for i, f := range u.unit.Functions {
		fns[i] = f.Name
	}
	what := "functions"
	if len(fns) == 1 {
		what = "function"
	}
	b.line("")
	b.comment("Unit " + u.unit.Name + " (" + what + " " + strings.Join(fns, ", ") + "), service " + u.service + ".")
	if len(u.routes) > 0 {
		b.paragraph("HTTP routes " + strings.Join(u.routes, ", ") + ": served at the service's URL, with " +
			"nothing more to deploy. Cloud Run admits only callers with roles/run.invoker unless the " +
			"service is made public (see platforms.gcf).")
	}
	b.cmd("", b.gcloud("run services replace "+quote(u.file)), word(lit("--region="), varRegion))
	if len(u.events) == 0 {
		return
	}

	// Whoever delivers the events may invoke the service.
	var accounts []string
	for _, e := range u.events {
		if a := e.member(); !slices.Contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	for _, a := range accounts {
		b.cmd("", b.gcloud("run services add-iam-policy-binding "+quote(u.service)),
			word(lit("--region="), varRegion), a, "--role=roles/run.invoker")
	}

	multi := len(u.unit.Functions) > 1
	urlSet := false
	locationOf := "" // the bucket whose location $location holds
	for _, e := range u.events {
		path := ""
		if multi {
			path = "/" + e.fn.Name
		}
		switch e.trigger {
		case spec.TriggerTimer:
			b.comment(e.where + ": a timer, " + e.schedule + " (UTC)")
			if !urlSet {
				b.line(`url="$(` + b.gcloud("run services describe "+quote(u.service)) + ` --region="$REGION" --format='value(status.url)')"`)
				urlSet = true
			}
			jobScript(b, e, path)
		case spec.TriggerStorage:
			b.comment(e.where + ": objects " + shortType(e.ceType) + " in bucket " + e.bucket)
			location := word(lit("--location="), lit(e.location))
			if e.location == "" {
				// A Cloud Storage trigger lives where the bucket is.
				if e.bucket != locationOf {
					b.line(`location="$(` + b.gcloud("storage buckets describe "+quote("gs://"+e.bucket)) +
						` --format='value(location)' | tr '[:upper:]' '[:lower:]')"`)
					locationOf = e.bucket
				}
				location = word(lit("--location="), varLocation)
			}
			triggerScript(b, e, u.service, path, location, word(lit("--event-filters=bucket="), lit(e.bucket)))
		case spec.TriggerMessage:
			b.comment(e.where + ": messages published to topic " + e.topic)
			if !topics[e.topic] {
				topics[e.topic] = true
				b.ifAbsent(b.gcloud("pubsub topics describe "+quote(e.topic)), command{b.gcloud("pubsub topics create " + quote(e.topic)), nil})
			}
			location := word(lit("--location="), varRegion)
			if e.location != "" {
				location = word(lit("--location="), lit(e.location))
			}
			triggerScript(b, e, u.service, path, location, word(lit("--transport-topic="), lit(e.topic)))
		}
	}
}

// storageGrants writes the project-wide grants Cloud Storage triggers
// need: roleEventReceiver for each of members, and rolePublisher for the
// project's Cloud Storage service agent. --condition=None keeps gcloud from
// asking for a condition when the project's policy has conditional
// bindings, which fails when no one can answer.
func storageGrants(b *scriptWriter, members []string) {
	b.line("")
	b.comment("Project-wide grants of the Cloud Storage triggers.")
	// The project is the command's argument: no --project.
	grant := `gcloud projects add-iam-policy-binding "$PROJECT"`
	for _, m := range members {
		b.cmd("", grant, m, "--role="+roleEventReceiver, "--condition=None", "--format=none")
	}
	b.line(string(varAgent) + `="$(gcloud storage service-agent ` + word(lit("--project="), varProject) + `)"`)
	b.cmd("", grant, word(lit("--member=serviceAccount:"), varAgent), "--role="+rolePublisher, "--condition=None", "--format=none")
}

// triggerScript writes the creation of an Eventarc trigger.
func triggerScript(b *scriptWriter, e *eventPlan, service, path, location, source string) {
	args := []string{
		location,
		word(lit("--destination-run-service="), lit(service)),
		word(lit("--destination-run-region="), varRegion),
	}
	if path != "" {
		args = append(args, word(lit("--destination-run-path="), lit(path)))
	}
	args = append(args, "--event-filters=type="+e.ceType, source, e.invoker("--service-account="))
	b.ifAbsent(b.gcloud("eventarc triggers describe "+quote(e.name))+" "+location,
		command{b.gcloud("eventarc triggers create " + quote(e.name)), args})
}

// jobScript writes the creation of a Cloud Scheduler job that posts to the
// service, with an OIDC token, a CloudEvent of a job run in structured
// mode: the gcf adapter reads it as a *faas.TimerEvent named after the job
// (projects/<project>/locations/<region>/jobs/<job>) with the payload.
func jobScript(b *scriptWriter, e *eventPlan, path string) {
	js := func(s string) string {
		out, _ := json.Marshal(s) // a string always encodes
		return string(out)
	}
	data := ""
	if e.payload != "" {
		data = `,"data":{"customData":` + js(base64.StdEncoding.EncodeToString([]byte(e.payload))) + `}`
	}
	body := word(lit("--message-body="),
		lit(`{"specversion":"1.0","id":`+js(e.name)+`,"source":"//cloudscheduler.googleapis.com/projects/`),
		varProject, lit(`/locations/`), varRegion,
		lit(`/jobs/`+e.name+`","type":"`+cloudevent.TypeSchedulerJobRun+`","datacontenttype":"application/json"`+data+`}`),
	)
	location := word(lit("--location="), varRegion)
	create := command{b.gcloud("scheduler jobs create http " + quote(e.name)), []string{
		location,
		word(lit("--schedule="), lit(e.schedule)),
		"--time-zone=Etc/UTC",
		word(lit("--uri="), varURL, lit(path)),
		"--http-method=post",
		"--headers=Content-Type=application/cloudevents+json",
		body,
		e.invoker("--oidc-service-account-email="),
		word(lit("--oidc-token-audience="), varURL),
	}}
	cmds := []command{create}
	if e.paused {
		cmds = append(cmds, command{b.gcloud("scheduler jobs pause "+quote(e.name)) + " " + location, nil})
	}
	b.ifAbsent(b.gcloud("scheduler jobs describe "+quote(e.name))+" "+location, cmds...)
}

// member is the IAM member the event invokes the service as.
func (e *eventPlan) member() string {
	if e.account != "" {
		return word(lit("--member="), lit("serviceAccount:"+e.account))
	}
	return word(lit("--member=serviceAccount:"), varInvoker)
}

// invoker is flag followed by the service account the event invokes the
// service as.
func (e *eventPlan) invoker(flag string) string {
	if e.account != "" {
		return word(lit(flag), lit(e.account))
	}
	return word(lit(flag), varInvoker)
}

// projectNote is what the script's header says of the project it deploys
// to: project, f.yml's provider.project, or else gcloud's.
func projectNote(project string) string {
	if project != "" {
		return "Every gcloud command is given the project of provider.project, PROJECT, with --project."
	}
	return "gcloud's project is used; set CLOUDSDK_CORE_PROJECT to choose another."
}

// scriptWriter builds a bash script.
type scriptWriter struct {
	strings.Builder
	// project is the --project flag of every gcloud command, or "" for
	// gcloud's own project.
	project string
}

// gcloud is the gcloud command of command's words and arguments, with the
// project's flag if there is one.
func (b *scriptWriter) gcloud(command string) string {
	if b.project == "" {
		return "gcloud " + command
	}
	return "gcloud " + command + " " + b.project
}

func (b *scriptWriter) line(s string) {
	b.WriteString(s)
	b.WriteByte('\n')
}

// comment writes a comment line, its control characters as '?'.
func (b *scriptWriter) comment(s string) {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if s == "" {
		b.line("#")
		return
	}
	b.line("# " + s)
}

// paragraph writes text as comment lines of at most 80 characters, where
// its words allow.
func (b *scriptWriter) paragraph(text string) {
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > 78 {
			b.comment(line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	b.comment(line)
}

// maxLine is the length up to which a command stays on one line.
const maxLine = 100

// cmd writes a command of head and args, one argument a line when it is
// long.
func (b *scriptWriter) cmd(indent, head string, args ...string) {
	one := indent + head
	for _, a := range args {
		one += " " + a
	}
	if len(one) <= maxLine {
		b.line(one)
		return
	}
	b.WriteString(indent + head)
	for _, a := range args {
		b.WriteString(" \\\n" + indent + "  " + a)
	}
	b.WriteByte('\n')
}

// command is a command's head and arguments, as the script writes them.
type command struct {
	head string
	args []string
}

// ifAbsent writes cmds, run only when the command describe fails, as it
// does for a resource that does not exist.
func (b *scriptWriter) ifAbsent(describe string, cmds ...command) {
	b.line("if ! " + describe + " >/dev/null 2>&1; then")
	for _, c := range cmds {
		b.cmd("  ", c.head, c.args...)
	}
	b.line("fi")
}

// A part of a shell word.
type part interface{ shell() string }

// lit is literal text in a word.
type lit string

func (l lit) shell() string {
	if l == "" {
		return ""
	}
	return quote(string(l))
}

// ref is a shell variable in a word.
type ref string

func (r ref) shell() string { return `"$` + string(r) + `"` }

// word joins literal text and variables into one shell word, each literal
// quoted as quote does and each variable in double quotes.
func word(parts ...part) string {
	var s strings.Builder
	for _, p := range parts {
		s.WriteString(p.shell())
	}
	return s.String()
}

// quote returns s as one shell word that stands for s: as it is when it
// holds only characters no shell treats specially, else in single quotes.
func quote(s string) string {
	if s != "" && strings.Trim(s, safeChars) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// safeChars need no quoting anywhere in a word that does not start a
// command.
const safeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-"
