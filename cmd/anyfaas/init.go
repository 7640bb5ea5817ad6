package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
directory's name) and runs go mod tidy; while anyfaas is not published, go.mod
replaces github.com/anyfaas/faas with the anyfaas source tree anyfaas runs
from (the current module, or $ANYFAAS_SRC). Then:

  cd dir && go test ./... && anyfaas dev`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := projectDir(args)
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			files, unresolved, err := c.initProject(cmd.Context(), dir, module, platform)
			if err != nil {
				return err
			}
			if c.json {
				c.printJSON(map[string]any{"ok": true, "dir": dir, "files": files})
				return nil
			}
			fmt.Fprintf(c.stdout, "wrote %s in %s\n", strings.Join(files, ", "), dir)
			if unresolved {
				// go test would fail: go.mod cannot find anyfaas yet.
				fmt.Fprintf(c.stdout, "next: add \"replace %s => /path/to/anyfaas\" to %s, then\n  cd %s && go mod tidy && go test ./... && anyfaas dev\n",
					modulePath, filepath.Join(dir, "go.mod"), shellQuote(dir))
				return nil
			}
			fmt.Fprintf(c.stdout, "next: cd %s && go test ./... && anyfaas dev\n", shellQuote(dir))
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
// unresolved reports that it wrote a go.mod that cannot find anyfaas: no
// source tree to replace it with was found, so the project does not build
// until one is named.
func (c *cli) initProject(ctx context.Context, dir, module, platform string) (written []string, unresolved bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, withCode(exitOther, err)
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
			return nil, false, usageError("%s already holds %s: init writes a new project into an empty directory", dir, f.name)
		}
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, false, withCode(exitOther, err)
	}
	gomod, err := goEnv(ctx, abs, "GOMOD")
	if err != nil {
		return nil, false, withCode(exitOther, err)
	}
	for _, f := range files {
		var buf bytes.Buffer
		template.Must(template.New(f.name).Parse(f.tmpl)).Execute(&buf, data)
		if err := os.WriteFile(filepath.Join(abs, f.name), buf.Bytes(), 0o644); err != nil {
			return nil, false, withCode(exitOther, err)
		}
		written = append(written, f.name)
	}
	if gomod != "" && gomod != os.DevNull {
		// Inside a module already: the project is a package of it.
		if mod, _ := moduleOf(gomod); mod != modulePath && !requires(gomod, modulePath) {
			c.progress("note: %s does not require %s yet: go get it (or replace it with a local copy)", gomod, modulePath)
		}
		return written, false, nil
	}
	goMod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire %s v0.0.0-00010101000000-000000000000\n", cmp.Or(module, name), modulePath)
	src := anyfaasSource(ctx)
	if src != "" {
		goMod += fmt.Sprintf("\nreplace %s => %s\n", modulePath, src)
	}
	if err := os.WriteFile(filepath.Join(abs, "go.mod"), []byte(goMod), 0o644); err != nil {
		return nil, false, withCode(exitOther, err)
	}
	written = append(written, "go.mod")
	if src == "" {
		c.progress("note: %s is not published yet and no anyfaas source tree was found (run from one, or set ANYFAAS_SRC): add to go.mod\n  replace %s => /path/to/anyfaas\nthen run go mod tidy", modulePath, modulePath)
		return written, true, nil
	}
	c.progress("go mod tidy (in %s)", dir)
	tidy := exec.CommandContext(ctx, goCommand(), "mod", "tidy")
	tidy.Dir = abs
	if out, err := tidy.CombinedOutput(); err != nil {
		return nil, false, withCode(exitOther, fmt.Errorf("go mod tidy in %s failed: %v\n%s", dir, err, strings.TrimSpace(string(out))))
	}
	written = append(written, "go.sum")
	return written, false, nil
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
// is anyfaas; else "".
func anyfaasSource(ctx context.Context) string {
	if src := os.Getenv("ANYFAAS_SRC"); src != "" {
		if abs, err := filepath.Abs(src); err == nil {
			return abs
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	gomod, err := goEnv(ctx, wd, "GOMOD")
	if err != nil || gomod == "" || gomod == os.DevNull {
		return ""
	}
	if mod, _ := moduleOf(gomod); mod == modulePath {
		return filepath.Dir(gomod)
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
