package spec

import (
	"fmt"
	"strings"
)

// Error is a problem in a spec file, at a position and a key path.
type Error struct {
	// File is the spec file; empty for a problem with what the code
	// declares, which Path then names, such as
	// code: function list: faas.HTTP("GET /items").
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Path is the key path, such as "functions.api.events[0].http.method";
	// empty for a problem with the whole file.
	Path string `json:"path,omitempty"`
	// Problem says what is wrong.
	Problem string `json:"problem"`
}

// Error returns the problem as file:line:column: path: problem.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// Warning returns the problem as a warning line of platform (a
// generator's platform, or "" for the spec's own): for a problem at a
// position, file:line:column: warning: platform: path: problem, which
// editors' problem matchers pick up as they do a compiler's; for any
// other, platform: warning: and the problem as Error returns it.
func (e *Error) Warning(platform string) string {
	prefix := ""
	if platform != "" {
		prefix = platform + ": "
	}
	if e.File == "" || e.Line <= 0 {
		return prefix + "warning: " + e.Error()
	}
	at := *e
	at.File = ""
	return fmt.Sprintf("%s:%d:%d: warning: %s%s", e.File, e.Line, e.Column, prefix, at.Error())
}

// Errors is every problem found in a spec, in the order of the file. It is
// the error Parse and Load return.
type Errors []*Error

// Error returns the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
