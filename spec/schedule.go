package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// cronFields describes the five fields of a cron value: name, range, and
// the names a field may use.
var cronFields = [5]struct {
	name     string
	min, max int
	names    []string
}{
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{"day of week", 0, 7, []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// timer checks a timer event's type and value, setting Type to "cron" or
// "every" and Value to its canonical form.
func (p *parser) timer(t *TimerEvent, typeNode, valueNode *yaml.Node, path string) {
	switch t.Type {
	case "":
		if d, ok := strings.CutPrefix(t.Value, "@every "); ok {
			t.Type, t.Value = "every", strings.TrimSpace(d)
		} else {
			t.Type = "cron"
		}
	case "interval":
		t.Type = "every"
	case "cron", "every":
	default:
		p.fail(typeNode, join(path, "type"), "timer type %q is not one of cron, every", t.Type)
		return
	}
	var err error
	if t.Type == "every" {
		_, err = everyDuration(t.Value)
	} else {
		fn, _, _ := strings.Cut(path, ".events[") // functions.<name>
		t.Value, err = checkCronOf(t.Value, fn)
	}
	if err != nil {
		p.fail(valueNode, join(path, "value"), "%v", err)
	}
}

// everyDuration reads an every value: a duration of whole minutes, at
// least one, such as "5m" or "2h".
func everyDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration such as 5m or 1h", v)
	case d < time.Minute || d%time.Minute != 0:
		return 0, fmt.Errorf("%q: a timer ticks every whole number of minutes, at least one", v)
	}
	return d, nil
}

// CronFields returns the fields of a cron value: its five, or the last
// five of six whose first is a seconds field of 0, FC's own form (second
// minute hour day-of-month month day-of-week), which Midway passed to FC
// unchanged. A cron fires at second 0, so dropping that field loses
// nothing. Six fields with ? as the day of month or of week (the third or
// fifth) are AWS's form, whose sixth is a year, and are returned as they
// are, as is any other value.
func CronFields(v string) []string {
	f := strings.Fields(v)
	if len(f) == 6 && isZero(f[0]) && f[2] != "?" && f[4] != "?" {
		return f[1:]
	}
	return f
}

// isZero reports whether a cron field is the number 0.
func isZero(f string) bool {
	return f != "" && strings.Trim(f, "0") == ""
}

// checkCron checks a cron value of five fields, or six with a seconds
// field of 0 first (CronFields), and returns its five with single spaces.
func checkCron(v string) (string, error) { return checkCronOf(v, "functions.<name>") }

// checkCronOf is checkCron for a timer of fn, the key path of its
// function, which an error names as where a platform's own expression
// goes.
func checkCronOf(v, fn string) (string, error) {
	fields := CronFields(v)
	if len(fields) != 5 {
		const want = "f.yml's has 5: minute hour day-of-month month day-of-week"
		switch {
		case len(fields) == 6 && (fields[2] == "?" || fields[4] == "?"):
			return "", fmt.Errorf("cron %q has 6 fields, AWS's own, with a year: %s (drop the year), or give AWS's own as an event of the function, "+
				"%s.platforms.aws.Events.<name>: {Type: Schedule, Properties: {Schedule: 'cron(%s)'}}, and leave this timer out", v, want, fn, strings.Join(fields, " "))
		case len(fields) == 6:
			return "", fmt.Errorf("cron %q has 6 fields, FC's own, with seconds first, %s: %s, which fires at second 0 (give 0 for the seconds, or drop them); "+
				"or give FC's own trigger in %s.platforms.fc.triggers ([{triggerName: <name>, triggerType: timer, triggerConfig: {cronExpression: '%s'}}], "+
				"a list that replaces the function's generated triggers) and leave this timer out", v, fields[0], want, fn, strings.Join(fields, " "))
		case len(fields) == 7:
			return "", fmt.Errorf("cron %q has 7 fields, seconds first and a year last, as SCF's own: %s (drop the seconds and the year); "+
				"or give SCF's own under %s.platforms.scf and leave this timer out", v, want, fn)
		}
		return "", fmt.Errorf("cron %q has %d fields, want 5: minute hour day-of-month month day-of-week", v, len(fields))
	}
	for i, f := range fields {
		if err := checkCronField(f, i); err != nil {
			return "", fmt.Errorf("cron %q: %s field %q: %v", v, cronFields[i].name, f, err)
		}
	}
	return strings.Join(fields, " "), nil
}

func checkCronField(f string, i int) error {
	if f == "?" && (i == 2 || i == 4) {
		return nil
	}
	for _, part := range strings.Split(f, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Errorf("step %q is not a positive number", step)
			}
		}
		if rng == "*" {
			continue
		}
		if _, _, err := cronRange(rng, i); err != nil {
			return err
		}
	}
	return nil
}

// cronRange reads a value or a range lo-hi of field i. A day-of-week
// range ending on Sunday (SUN or 0) ends on 7, so that FRI-SUN is
// Friday to Sunday; a range that runs backwards otherwise is an error.
func cronRange(rng string, i int) (lo, hi int, err error) {
	l, h, isRange := strings.Cut(rng, "-")
	if lo, err = cronValue(l, i); err != nil || !isRange {
		return lo, lo, err
	}
	if hi, err = cronValue(h, i); err != nil {
		return 0, 0, err
	}
	if i == 4 && hi == 0 && lo > 0 {
		hi = 7
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %q runs backwards", rng)
	}
	return lo, hi, nil
}

// cronValue reads one value of field i: a number in its range or a name.
func cronValue(s string, i int) (int, error) {
	spec := cronFields[i]
	for j, name := range spec.names {
		if strings.EqualFold(s, name) {
			return spec.min + j, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < spec.min || n > spec.max {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, spec.min, spec.max)
	}
	return n, nil
}

// Schedule returns a timer's schedule in the expression platform takes:
//
//	aws  cron(M H DoM Mon DoW *) with ? for one of the days, or rate(N minutes)
//	fc   0 M H DoM Mon DoW (with seconds), or @every Nm
//	scf  0 M H DoM Mon DoW * (with seconds and a year)
//	gcf  M H DoM Mon DoW (Cloud Scheduler)
//	web  M H DoM Mon DoW (Knative PingSource)
//
// Numbered days of the week become names (0 and 7 are SUN), which every
// platform reads the same way. A ? (any day, as * is) stays where the
// platform takes it, except that AWS, FC and SCF take one ? only: with
// both days ?, the day of month is *. Cloud Scheduler's and PingSource's
// unix-cron has no ?, which becomes *. A day of month and a day of week
// both set (neither * nor ?), which f.yml fires on when either matches
// (see Next), are an error on AWS and SCF, whose crons take one of them.
// An every value that no cron expression can say on a platform without
// @every or rate() is an error.
func Schedule(t *TimerEvent, platform string) (string, error) {
	if t.Type == "every" {
		d, err := everyDuration(t.Value)
		if err != nil {
			return "", err
		}
		switch platform {
		case "aws":
			return rate(d), nil
		case "fc":
			if d%time.Hour == 0 {
				return fmt.Sprintf("@every %dh", d/time.Hour), nil
			}
			return fmt.Sprintf("@every %dm", d/time.Minute), nil
		}
		c, err := everyCron(d)
		if err != nil {
			return "", fmt.Errorf("%s has no every schedule, and %w", platform, err)
		}
		t = &TimerEvent{Type: "cron", Value: c}
	}
	f := CronFields(t.Value)
	if len(f) != 5 {
		return "", fmt.Errorf("cron %q has %d fields, want 5", t.Value, len(f))
	}
	f[4] = dayNames(f[4])
	switch platform {
	case "aws":
		dom, dow := f[2], f[4]
		switch {
		case dow == "*" || dow == "?":
			dow = "?"
			if dom == "?" {
				dom = "*" // AWS refuses ? for both days
			}
		case dom == "*" || dom == "?":
			dom = "?"
		default:
			return "", fmt.Errorf("cron %q: AWS cannot take both a day of month and a day of week", t.Value)
		}
		return fmt.Sprintf("cron(%s %s %s %s %s *)", f[0], f[1], dom, f[3], dow), nil
	case "fc":
		// FC's timer syntax is robfig/cron's (CRON_TZ=, @every), which
		// reads ? as *, and, with both day fields set, fires on a day
		// either matches, as f.yml does (Next): both set stay. FC's own
		// example 0 0 4 1 * * has * beside a set day, which Quartz would
		// refuse. Its documentation gives ? to a day field meant to be
		// left out, one of the two: with both ?, the day of month is *,
		// which says the same and which every reading of that takes.
		if f[2] == "?" && f[4] == "?" {
			f[2] = "*"
		}
		return "0 " + strings.Join(f, " "), nil
	case "scf":
		// SCF's cron is Quartz's (seconds, a year, and ? L W # in the day
		// fields; its documentation has ? for the day field left out),
		// which takes ? in one day field only and refuses a day of month
		// with a day of week, though SCF takes * for the one left out too
		// (Tencent's example 0 0 2 1 * * *). With both ?, the day of
		// month is * (the same days). Both set is an error, as on AWS:
		// SCF refuses it, or fires when both match, and f.yml fires when
		// either does; one timer cannot say that, and two would fire
		// twice on a day that is both.
		switch dom, dow := f[2], f[4]; {
		case dom == "?" && dow == "?":
			f[2] = "*"
		case dom != "*" && dom != "?" && dow != "*" && dow != "?":
			return "", fmt.Errorf("cron %q: SCF cannot take both a day of month and a day of week (f.yml fires on either): give one, with * for the other, or use two timers", t.Value)
		}
		return "0 " + strings.Join(f, " ") + " *", nil
	case "gcf", "web":
		for _, i := range []int{2, 4} {
			if f[i] == "?" {
				f[i] = "*" // unix-cron has no ?
			}
		}
		return strings.Join(f, " "), nil
	}
	return "", fmt.Errorf("unknown platform %q", platform)
}

func rate(d time.Duration) string {
	unit, n := "minute", int(d/time.Minute)
	switch {
	case d%(24*time.Hour) == 0:
		unit, n = "day", int(d/(24*time.Hour))
	case d%time.Hour == 0:
		unit, n = "hour", int(d/time.Hour)
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("rate(%d %s)", n, unit)
}

// everyCron returns the cron expression of a period, when one says it.
func everyCron(d time.Duration) (string, error) {
	m := int(d / time.Minute)
	switch {
	case m < 60 && 60%m == 0:
		if m == 1 {
			return "* * * * *", nil
		}
		return fmt.Sprintf("*/%d * * * *", m), nil
	case m%60 == 0 && m < 24*60 && (24*60)%m == 0:
		return fmt.Sprintf("0 */%d * * *", m/60), nil
	case m == 24*60:
		return "0 0 * * *", nil
	}
	return "", fmt.Errorf("every %v is not a cron expression: use a period that divides an hour or a day, or type cron", d)
}

// dayNames replaces numbered days of the week by names.
func dayNames(f string) string {
	names := cronFields[4].names
	return mapCronValues(f, func(v string) string {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 7 {
			return names[n%7]
		}
		return strings.ToUpper(v)
	})
}

// mapCronValues applies fn to every value of a cron field, keeping its
// lists, ranges and steps.
func mapCronValues(f string, fn func(string) string) string {
	parts := strings.Split(f, ",")
	for i, part := range parts {
		rng, step, hasStep := strings.Cut(part, "/")
		if rng != "*" && rng != "?" {
			lo, hi, isRange := strings.Cut(rng, "-")
			rng = fn(lo)
			if isRange {
				rng += "-" + fn(hi)
			}
		}
		if hasStep {
			rng += "/" + step
		}
		parts[i] = rng
	}
	return strings.Join(parts, ",")
}

// Next returns the first time after after at which the timer fires, in
// after's location: for every, after plus the interval; for cron, the next
// minute the five fields match (a day matches if its day of month or its
// day of week does, when both are restricted, as cron has it). A timer
// whose cron never matches (30 February) is an error.
func Next(t *TimerEvent, after time.Time) (time.Time, error) {
	if t.Type == "every" {
		d, err := everyDuration(t.Value)
		if err != nil {
			return time.Time{}, err
		}
		return after.Add(d), nil
	}
	c, err := parseCron(t.Value)
	if err != nil {
		return time.Time{}, err
	}
	at := after.Truncate(time.Minute).Add(time.Minute)
	limit := at.AddDate(5, 0, 0)
	for at.Before(limit) {
		switch {
		case !c.fields[3][int(at.Month())]:
			at = time.Date(at.Year(), at.Month()+1, 1, 0, 0, 0, 0, at.Location())
		case !c.day(at):
			at = time.Date(at.Year(), at.Month(), at.Day()+1, 0, 0, 0, 0, at.Location())
		case !c.fields[1][at.Hour()]:
			at = time.Date(at.Year(), at.Month(), at.Day(), at.Hour()+1, 0, 0, 0, at.Location())
		case !c.fields[0][at.Minute()]:
			at = at.Add(time.Minute)
		default:
			return at, nil
		}
	}
	return time.Time{}, fmt.Errorf("cron %q never fires", t.Value)
}

// cron is a parsed cron value: for each field, the values that match.
type cron struct {
	fields         [5][]bool
	domAny, dowAny bool
}

func (c *cron) day(t time.Time) bool {
	dom, dow := c.fields[2][t.Day()], c.fields[4][int(t.Weekday())]
	switch {
	case c.domAny && c.dowAny:
		return true
	case c.domAny:
		return dow
	case c.dowAny:
		return dom
	}
	return dom || dow
}

func parseCron(v string) (*cron, error) {
	v, err := checkCron(v)
	if err != nil {
		return nil, err
	}
	c := &cron{}
	for i, f := range strings.Fields(v) {
		spec := cronFields[i]
		set := make([]bool, spec.max+1)
		if f == "*" || f == "?" {
			if i == 2 {
				c.domAny = true
			}
			if i == 4 {
				c.dowAny = true
			}
		}
		for _, part := range strings.Split(f, ",") {
			rng, stepText, hasStep := strings.Cut(part, "/")
			step := 1
			if hasStep {
				step, _ = strconv.Atoi(stepText) // checked
			}
			lo, hi := spec.min, spec.max
			if rng != "*" && rng != "?" {
				lo, hi, _ = cronRange(rng, i) // checked
				if !strings.Contains(rng, "-") && hasStep {
					hi = spec.max // 5/15: from 5 on
				}
			}
			for n := lo; n <= hi; n += step {
				set[n] = true
			}
		}
		if i == 4 && set[7] {
			set[0] = true // 7 is Sunday too
		}
		c.fields[i] = set
	}
	return c, nil
}
