package ioc

import (
	"regexp"
	"testing"
)

// FuzzTrimStubFrame checks trimStubFrame against the regular expression it
// stands for.
func FuzzTrimStubFrame(f *testing.F) {
	re := regexp.MustCompile(`^(could not build arguments for|missing dependencies for) function "reflect"\.makeFuncStub \([^)]*\): `)
	for _, s := range []string{
		"", "x",
		`could not build arguments for function "reflect".makeFuncStub (/go/src/reflect/asm_amd64.s:28): failed to build *ioc.store`,
		`missing dependencies for function "reflect".makeFuncStub (a\nb): missing type: *ioc.absent`,
		`missing dependencies for function "reflect".makeFuncStub (a): b`,
		`missing dependencies for function "reflect".makeFuncStub (a)): b`,
		`could not build arguments for function "reflect".makeFuncStub (`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trimStubFrame(s), re.ReplaceAllString(s, ""); got != want {
			t.Errorf("trimStubFrame(%q) = %q, want %q", s, got, want)
		}
	})
}
