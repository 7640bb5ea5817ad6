package gen

import (
	"slices"
	"strconv"
	"strings"

	"github.com/anyfaas/faas/spec"
)

// Schedule returns a timer's schedule as platform takes it, as
// spec.Schedule does, with the day of week first spelled out where a
// range reaches Sunday from the other side: cron numbers Sunday 0 and 7,
// and a platform reads day names with SUN first (or, on AWS, numbers from
// 1), so a range that ends on day 7 or on SUN, named as spec.Schedule
// names days, would run backwards. Such a range, and a step from a day
// with no end (5/2, which goes up to day 7), becomes its days with Sunday
// as 0, consecutive days as ranges: 5-7 and FRI-SUN are FRI-SAT,SUN, 6-7
// is SAT,SUN, 0-7 is SUN-SAT and 1-7/2 is MON,WED,FRI,SUN. An error names
// the value as the timer has it.
func Schedule(t *spec.TimerEvent, platform string) (string, error) {
	if t.Type == "every" {
		return spec.Schedule(t, platform)
	}
	f := spec.CronFields(t.Value)
	if len(f) != 5 {
		return spec.Schedule(t, platform) // its error
	}
	f[4] = weekdays(f[4])
	c := *t
	c.Value = strings.Join(f, " ")
	out, err := spec.Schedule(&c, platform)
	if err != nil {
		// Spelling the days out changes no rule spec.Schedule checks, so
		// the value as written fails the same way.
		if _, werr := spec.Schedule(t, platform); werr != nil {
			return "", werr
		}
	}
	return out, err
}

// weekdayNames are the names of the days of the week, from Sunday, 0.
var weekdayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// weekdays returns a cron day-of-week field with every range that wraps
// past Saturday spelled out, as Schedule describes; other parts of the
// field, and any it cannot read, stay as written.
func weekdays(field string) string {
	parts := strings.Split(field, ",")
	for i, part := range parts {
		parts[i] = weekdayPart(part)
	}
	return strings.Join(parts, ",")
}

func weekdayPart(part string) string {
	rng, stepText, hasStep := strings.Cut(part, "/")
	if rng == "*" || rng == "?" {
		return part
	}
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 {
			return part
		}
		step = n
	}
	loText, hiText, isRange := strings.Cut(rng, "-")
	if !isRange && !hasStep {
		return part // one day: 7 is named SUN as 0 is
	}
	lo, ok := weekday(loText)
	if !ok {
		return part
	}
	hi := lo
	switch {
	case isRange:
		if hi, ok = weekday(hiText); !ok {
			return part
		}
		if hi == 0 && lo > 0 {
			hi = 7 // FRI-SUN: to the Sunday after
		}
	case hasStep:
		hi = 7 // 5/2: from day 5 on, as spec.Next reads it
	}
	if hi != 7 || lo > hi {
		return part // no wrap, or backwards: as written
	}
	var days []int
	for d := lo; d <= hi; d += step {
		if n := d % 7; !slices.Contains(days, n) {
			days = append(days, n)
		}
	}
	// Consecutive days as ranges, in the order they come.
	var out []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		s := strconv.Itoa(days[i])
		if j > i {
			s += "-" + strconv.Itoa(days[j])
		}
		out = append(out, s)
		i = j + 1
	}
	return strings.Join(out, ",")
}

// weekday reads a day of the week: a number from 0 to 7 or a name.
func weekday(s string) (int, bool) {
	for i, name := range weekdayNames {
		if strings.EqualFold(s, name) {
			return i, true
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 7 {
		return 0, false
	}
	return n, true
}
