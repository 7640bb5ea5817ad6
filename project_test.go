package faas_test

import (
	"os"
	"strings"
	"testing"
)

// The README opens with the two commands a newcomer runs, CI runs the
// README's test command with the checks on top, and the license is
// Apache-2.0.
func TestProjectFiles(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme := read("README.md")
	_, rest, _ := strings.Cut(readme, "```sh\n")
	first, _, _ := strings.Cut(rest, "```")
	lines := strings.Split(strings.TrimSpace(first), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "go run ./cmd/anyfaas dev ./examples/hello") ||
		!strings.HasPrefix(lines[1], "curl ") || !strings.HasPrefix(lines[2], "go test ./...") {
		t.Errorf("the README's first code block is not the run, curl and test lines:\n%s", first)
	}
	ci := read(".ci/run")
	for _, want := range []string{"gofmt -l", "go vet ./...", "go test -race", "anyfaas\" dev ./examples/hello", "CGO_ENABLED=1"} {
		if !strings.Contains(ci, want) {
			t.Errorf(".ci/run does not run %q", want)
		}
	}
	if !strings.Contains(read("LICENSE"), "Apache License\n                           Version 2.0") {
		t.Error("LICENSE is not the Apache License 2.0")
	}
}
