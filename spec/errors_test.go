package spec

import "testing"

// A warning at a position begins with it, as a compiler's does, for
// editors' problem matchers; any other begins with the platform.
func TestErrorWarning(t *testing.T) {
	tests := []struct {
		e        Error
		platform string
		want     string
	}{
		{Error{File: "f.yml", Line: 7, Column: 5, Path: "aggregation.g", Problem: "ignored"}, "",
			"f.yml:7:5: warning: aggregation.g: ignored"},
		{Error{File: "f.yml", Line: 2, Column: 58, Path: "functions.f.events[0].http.role", Problem: "not deployed"}, "scf",
			"f.yml:2:58: warning: scf: functions.f.events[0].http.role: not deployed"},
		{Error{File: "f.yml", Line: 3, Column: 1, Problem: "no path"}, "gcf",
			"f.yml:3:1: warning: gcf: no path"},
		{Error{File: "f.yml", Path: "provider", Problem: "no line"}, "aws",
			"aws: warning: f.yml: provider: no line"},
		{Error{Path: "code: function list", Problem: "from the code"}, "",
			"warning: code: function list: from the code"},
		{Error{Problem: "no --registry"}, "gcf",
			"gcf: warning: no --registry"},
	}
	for _, tt := range tests {
		if got := tt.e.Warning(tt.platform); got != tt.want {
			t.Errorf("%#v.Warning(%q) = %q, want %q", tt.e, tt.platform, got, tt.want)
		}
	}
}
