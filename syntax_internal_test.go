package faas

import (
	"regexp"
	"testing"
)

// FuzzNameSyntax checks the hand-written matchers against the regular
// expressions they stand for.
func FuzzNameSyntax(f *testing.F) {
	name := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)
	every := regexp.MustCompile(`^@every\s+(\S+)$`)
	for _, s := range []string{"", "a", "_", "9a", "a-b_c9", "-a", "a\n", "é", "@every 5m", "@every\t 1h\n", "@every5m", "@every 5 m", "@every \u00a05m", "@every ", "@every x\v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validName.MatchString(s), name.MatchString(s); got != want {
			t.Errorf("validName.MatchString(%q) = %v, want %v", s, got, want)
		}
		d, ok := everyDuration(s)
		m := every.FindStringSubmatch(s)
		if ok != (m != nil) || ok && d != m[1] {
			t.Errorf("everyDuration(%q) = %q, %v; the regexp gives %q", s, d, ok, m)
		}
	})
}
