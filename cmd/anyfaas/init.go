package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas"
)

// modulePath is anyfaas's own module path.
const modulePath = "github.com/anyfaas/faas"

func (c *cli) initCmd() *cobra.Command {
	var (
		module   string
		platform string
	)
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Write a new project: main.go, f.yml and a test that pass and serve at once",
		Long: `Init writes a new anyfaas project into dir (created if needed): main.go with
an HTTP function, f.yml naming it, and main_test.go testing it in process. In a
directory outside any Go module it also writes go.mod (module --module, or the
directory's name) and runs go mod tidy. While anyfaas is not published, go.mod
replaces github.com/anyfaas/faas with an anyfaas source tree: $ANYFAAS_SRC,
the current module if it is anyfaas, or the tree this anyfaas was built from
(go install ./cmd/anyfaas in a copy of anyfaas) if it is still there. Then:

  cd dir && go test ./... && anyfaas dev

If it finds no source tree, or dir is in a module that does not require
anyfaas, init says which go mod edit -replace command comes first.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := projectDir(args)
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			files, missing, err := c.initProject(cmd.Context(), dir, module, platform)
			if err != nil {
				return err
			}
			next := "go test ./... && anyfaas dev"
			if missing != nil {
				// go test would fail: go.mod does not find anyfaas yet.
				next = replaceCommand(missing.src) + " && go mod tidy && " + next
			}
			next = "cd " + shellQuote(dir) + " && " + next
			if c.json {
				out := map[string]any{"ok": true, "dir": dir, "files": files, "next": next}
				if missing != nil {
					out["note"] = missing.String()
				}
				c.printJSON(out)
				return nil
			}
			fmt.Fprintf(c.stdout, "wrote %s in %s\n", strings.Join(files, ", "), dir)
			if missing != nil {
				fmt.Fprintln(c.stdout, missing)
			}
			fmt.Fprintf(c.stdout, "next: %s\n", next)
			return nil
		},
	}
	cmd.Flags().StringVar(&module, "module", "", "the module path of a new go.mod (default: the directory's name)")
	cmd.Flags().StringVarP(&platform, "platform", "p", "", "provider.name of f.yml: aws, fc, scf, gcf or web (default: aws)")
	return cmd
}

// initData fills the templates.
type initData struct {
	Service  string
	Platform string
}

// initProject writes the project's files into dir and returns their names.
// missing is non-nil if the go.mod the project is in does not find
// anyfaas: a new one for which no source tree was found to replace
// anyfaas with, or that of a module dir is in that does not require it.
// The project does not build until it does.
func (c *cli) initProject(ctx context.Context, dir, module, platform string) (written []string, missing *unfound, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, withCode(exitOther, err)
	}
	name := serviceName(filepath.Base(abs))
	data := initData{Service: name, Platform: platform}
	if data.Platform == "" {
		data.Platform = faas.PlatformAWS
	}
	files := []struct {
		name string
		tmpl string
	}{
		{"main.go", initMain},
		{"main_test.go", initTest},
		{"f.yml", initSpec},
	}
	for _, f := range files {
		if fileExists(filepath.Join(abs, f.name)) {
			return nil, nil, usageError("%s already holds %s: init writes a new project into an empty directory", dir, f.name)
		}
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, nil, withCode(exitOther, err)
	}
	gomod, err := goEnv(ctx, abs, "GOMOD")
	if err != nil {
		return nil, nil, withCode(exitOther, err)
	}
	for _, f := range files {
		var buf bytes.Buffer
		template.Must(template.New(f.name).Parse(f.tmpl)).Execute(&buf, data)
		if err := os.WriteFile(filepath.Join(abs, f.name), buf.Bytes(), 0o644); err != nil {
			return nil, nil, withCode(exitOther, err)
		}
		written = append(written, f.name)
	}
	if wrote, err := ignoreOutput(abs); err != nil {
		return nil, nil, withCode(exitOther, err)
	} else if wrote {
		written = append(written, ".gitignore")
	}
	if gomod != "" && gomod != os.DevNull {
		// Inside a module already: the project is a package of it.
		if mod, _ := moduleOf(gomod); mod != modulePath && !requires(gomod, modulePath) {
			return written, &unfound{gomod: gomod, src: anyfaasSource(ctx)}, nil
		}
		return written, nil, nil
	}
	goMod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire %s v0.0.0-00010101000000-000000000000\n", cmp.Or(module, name), modulePath)
	src := anyfaasSource(ctx)
	if src != "" {
		goMod += fmt.Sprintf("\nreplace %s => %s\n", modulePath, src)
	}
	if err := os.WriteFile(filepath.Join(abs, "go.mod"), []byte(goMod), 0o644); err != nil {
		return nil, nil, withCode(exitOther, err)
	}
	written = append(written, "go.mod")
	if src == "" {
		return written, &unfound{gomod: filepath.Join(dir, "go.mod"), written: true}, nil
	}
	c.progress("go mod tidy (in %s)", dir)
	tidy := exec.CommandContext(ctx, goCommand(), "mod", "tidy")
	tidy.Dir = abs
	if out, err := tidy.CombinedOutput(); err != nil {
		return nil, nil, withCode(exitOther, fmt.Errorf("go mod tidy in %s failed: %v\n%s", dir, err, strings.TrimSpace(string(out))))
	}
	written = append(written, "go.sum")
	return written, nil, nil
}

// gitignoreOutput is what init puts in a project's .gitignore.
const gitignoreOutput = "# anyfaas's build output: artifacts and generated deploy specs, which hold\n# the environment's values (${env.NAME}) in plain text\n.anyfaas/\n"

// ignoreOutput has git ignore .anyfaas/ in dir: it writes a .gitignore
// that says so, or appends to the one there if it does not name .anyfaas
// yet. It reports whether it wrote.
func ignoreOutput(dir string) (bool, error) {
	path := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	for line := range strings.Lines(string(old)) {
		switch strings.TrimSpace(line) {
		case ".anyfaas", ".anyfaas/", "/.anyfaas", "/.anyfaas/":
			return false, nil
		}
	}
	add := gitignoreOutput
	if len(old) > 0 {
		add = "\n" + add
		if !bytes.HasSuffix(old, []byte("\n")) {
			add = "\n" + add
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	_, err = f.WriteString(add)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("writing %s: %w", path, err)
	}
	return true, nil
}

// unfound is a go.mod that does not find anyfaas, which is not published
// yet, and the anyfaas source tree to point it at ("" if none was found).
type unfound struct {
	gomod, src string
	written    bool // by init
}

// String says why the go.mod does not find anyfaas, and what to put for
// srcPlaceholder in replaceCommand's command.
func (u *unfound) String() string {
	why := fmt.Sprintf("%s does not find %s, which is not published yet", u.gomod, modulePath)
	if u.src != "" {
		return why + ": point it at the source tree in " + u.src
	}
	why += ", and no copy of its\nsource was found: " + srcHelp
	if u.written {
		why += ";\nwith ANYFAAS_SRC set to it, init writes that replace itself"
	}
	return why
}

// srcPlaceholder stands for an anyfaas source tree in a command that
// names none, and srcHelp says what to put for it.
const (
	srcPlaceholder = "/path/to/anyfaas"
	srcHelp        = "put for " + srcPlaceholder + " the directory of a copy of anyfaas's source, the one holding\nits go.mod (the copy this anyfaas was built from, say)"
)

// replaceCommand is the command that points the go.mod of the current
// directory's module at the anyfaas source tree in src, or at
// srcPlaceholder if src is "".
func replaceCommand(src string) string {
	return "go mod edit -replace=" + modulePath + "=" + shellQuote(cmp.Or(src, srcPlaceholder))
}

// serviceName makes a service name of a directory's name: lower case,
// letters, digits and dashes.
func serviceName(s string) string {
	if n := imageName(s); n != "" {
		return strings.ReplaceAll(strings.ReplaceAll(n, ".", "-"), "_", "-")
	}
	return "hello"
}

// anyfaasSource returns the directory of the anyfaas source tree to build
// against: $ANYFAAS_SRC, or the module the current directory is in if it
// is anyfaas, or the tree this anyfaas was built from (buildSource); else
// "".
func anyfaasSource(ctx context.Context) string {
	if src := os.Getenv("ANYFAAS_SRC"); src != "" {
		if abs, err := filepath.Abs(src); err == nil {
			return abs
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if gomod, err := goEnv(ctx, wd, "GOMOD"); err == nil && gomod != "" && gomod != os.DevNull {
			if mod, _ := moduleOf(gomod); mod == modulePath {
				return filepath.Dir(gomod)
			}
		}
	}
	return buildSource()
}

// buildSource returns the anyfaas source tree this program was built
// from, if it is still there, else "". While anyfaas is not published, it
// is built from a copy of its source (go install ./cmd/anyfaas, go build,
// go run), and the build records where its files are, unless -trimpath
// drops that. A variable, for the tests.
var buildSource = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // file is <root>/cmd/anyfaas/init.go
	if mod, _ := moduleOf(filepath.Join(root, "go.mod")); mod == modulePath {
		return root
	}
	return ""
}

// goEnv returns a go env variable as the go command sees it in dir.
func goEnv(ctx context.Context, dir, name string) (string, error) {
	cmd := exec.CommandContext(ctx, goCommand(), "env", name)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// moduleOf returns the module path a go.mod declares.
func moduleOf(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", sc.Err()
}

// requires reports whether a go.mod mentions module mod.
func requires(gomod, mod string) bool {
	b, err := os.ReadFile(gomod)
	return err == nil && bytes.Contains(b, []byte(mod+" "))
}

const initMain = `// Command {{.Service}} is an anyfaas function. Run it locally with
//
//	go run .                  # http://127.0.0.1:8080/hello?name=you
//	anyfaas dev               # the same, rebuilt on every save
//
// and deploy it with anyfaas deploy.
package main

import (
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters" // the platform adapters
)

// newApp registers the functions; the test uses it too.
func newApp() *faas.App {
	app := faas.New()
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	return app
}

// hello greets whoever ?name= names.
func hello(ctx *faas.Context, _ any) (any, error) {
	name := ctx.Query("name")
	if name == "" {
		name = "world"
	}
	return map[string]string{"message": "hello, " + name}, nil
}

func main() {
	if err := faas.Start(newApp()); err != nil {
		log.Fatal(err)
	}
}
`

const initTest = `package main

import (
	"testing"

	"github.com/anyfaas/faas/faastest"
)

func TestHello(t *testing.T) {
	app := newApp()
	tests := []struct {
		target string
		want   string
	}{
		{"/hello", ` + "`" + `{"message":"hello, world"}` + "`" + `},
		{"/hello?name=you", ` + "`" + `{"message":"hello, you"}` + "`" + `},
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", tt.target, ""))
		if res.Response.StatusCode != 200 || res.Body() != tt.want {
			t.Errorf("GET %s = %d %s, want 200 %s", tt.target, res.Response.StatusCode, res.Body(), tt.want)
		}
	}
}
`

const initSpec = `# How {{.Service}} deploys: anyfaas package / anyfaas deploy read this file.
# The route comes from the code (faas.HTTP); an events list here overrides it.
service: {{.Service}}
provider:
  name: {{.Platform}}
{{- if eq .Platform "fc"}}
  region: cn-hangzhou # where it deploys: fc3 requires a region
{{- end}}
  memorySize: 128
  timeout: 10
functions:
  hello:
    handler: hello
`
