package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec/gen/aws"
	"github.com/anyfaas/faas/spec/gen/gcf"
)

// tool is a platform's deploy tool.
type tool struct {
	// names are the commands that provide it, the first found on PATH
	// being run.
	names []string
	// install says how to get it.
	install string
}

var (
	toolSAM     = tool{[]string{"sam"}, "install the AWS SAM CLI: pip install aws-sam-cli, or see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html"}
	toolS       = tool{[]string{"s"}, "install Serverless Devs: npm install -g @serverless-devs/s, then s config add"}
	toolSCF     = tool{[]string{"scf", "serverless"}, "install Tencent's Serverless Cloud Framework: npm install -g serverless-cloud-framework (the scf command), or the Serverless Framework: npm install -g serverless"}
	toolGcloud  = tool{[]string{"gcloud"}, "install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install, then gcloud auth login"}
	toolKubectl = tool{[]string{"kubectl"}, "install kubectl: https://kubernetes.io/docs/tasks/tools/, with a context for the Knative cluster"}
	// skopeo copies the OCI manifest as it is, so the digest the deploy
	// spec pins is the one in the registry (crane push and docker push
	// would convert it to a Docker manifest of another digest).
	toolPush = tool{[]string{"skopeo"}, "install skopeo (apt install skopeo, brew install skopeo, or see https://github.com/containers/skopeo/blob/main/install.md) to push the images"}
)

// step is one command deploy runs.
type step struct {
	Platform string   `json:"platform"`
	Dir      string   `json:"dir"`
	Argv     []string `json:"argv"`
	// Command is Argv as a shell command, run in Dir.
	Command string `json:"command"`
	Ran     bool   `json:"ran"`

	tool tool
	// needs are tools the command runs in turn, which must be on PATH too.
	needs []tool
}

func (c *cli) deployCmd() *cobra.Command {
	var (
		o      packageOptions
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "deploy [dir]",
		Short: "Package, then deploy with each platform's own tool",
		Long: `Deploy packages the project as package does, then runs each platform's own
deploy tool in the platform's output directory, printing the exact command
first:

  aws  sam deploy (the AWS SAM CLI)
  fc   s deploy (Serverless Devs)
  scf  serverless deploy, or scf deploy (Tencent's Serverless Cloud Framework)
  gcf  skopeo copy of each image to --registry, then bash deploy.sh (gcloud)
  web  skopeo copy of each image to --registry, then kubectl apply

With --dry-run it packages and prints the commands without running them. A
tool that is not on PATH is named with how to install it (exit code 4).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// The code is read in packageProject, after the checks below.
			p, err := c.load(ctx, projectDir(args), false)
			if err != nil {
				return err
			}
			platforms, err := choosePlatforms(p.spec, o.platforms)
			if err != nil {
				return err
			}
			for _, platform := range platforms {
				if isImage(platform) && o.registry == "" {
					return usageError("deploying to %s pushes images: name the registry with --registry, such as us-docker.pkg.dev/my-project/functions", platform)
				}
				if platform == faas.PlatformAWS && len(o.functions) > 0 {
					return usageError("aws deploys the units as one CloudFormation stack, so deploying some of them (-f) would delete the others: deploy them all")
				}
				// A missing tool stops deploy before the build.
				for _, t := range toolsFor(platform) {
					if _, err := t.find(); err != nil && !dryRun {
						return withCode(exitDeploy, fmt.Errorf("%s: %w", platform, err))
					}
				}
			}
			outs, err := c.packageProject(ctx, p, o)
			if err != nil {
				return err
			}
			var steps []*step
			for _, out := range outs {
				steps = append(steps, deploySteps(out)...)
			}
			if err := c.runSteps(ctx, steps, dryRun); err != nil {
				// What was packaged and which steps ran go with the error.
				return &deployFailure{err: err, platforms: outs, steps: steps}
			}
			if c.json {
				c.printJSON(map[string]any{"ok": true, "dryRun": dryRun, "platforms": outs, "steps": steps})
			}
			return nil
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "package and print the deploy commands, but run none")
	return cmd
}

// toolsFor returns the tools deploying to platform runs.
func toolsFor(platform string) []tool {
	switch platform {
	case faas.PlatformAWS:
		return []tool{toolSAM}
	case faas.PlatformFC:
		return []tool{toolS}
	case faas.PlatformSCF:
		return []tool{toolSCF}
	case faas.PlatformGCF:
		return []tool{toolPush, toolGcloud}
	case faas.PlatformWeb:
		return []tool{toolPush, toolKubectl}
	}
	return nil
}

// deploySteps returns the commands that deploy what package wrote for a
// platform.
func deploySteps(out *platformOutput) []*step {
	mk := func(t tool, argv ...string) *step {
		return &step{Platform: out.Platform, Dir: out.Dir, Argv: argv, tool: t}
	}
	var steps []*step
	if isImage(out.Platform) {
		for _, u := range out.Units {
			steps = append(steps, mk(toolPush, "skopeo", "copy", "oci-archive:"+u.Artifact, "docker://"+u.Repository))
		}
	}
	switch out.Platform {
	case faas.PlatformAWS:
		argv := []string{"sam", "deploy", "--template-file", "template.yaml", "--stack-name", aws.StackName(out.spec),
			"--capabilities", "CAPABILITY_IAM", "--resolve-s3", "--no-fail-on-empty-changeset"}
		if out.spec.Provider.Region != "" {
			argv = append(argv, "--region", out.spec.Provider.Region)
		}
		steps = append(steps, mk(toolSAM, argv...))
	case faas.PlatformFC:
		steps = append(steps, mk(toolS, "s", "deploy", "-y", "-t", "s.yaml"))
	case faas.PlatformSCF:
		// Run above the units' directories, it deploys every unit.
		steps = append(steps, mk(toolSCF, "scf", "deploy"))
	case faas.PlatformGCF:
		st := mk(tool{[]string{"bash"}, "install bash"}, "bash", gcf.ScriptFile)
		st.needs = []tool{toolGcloud}
		steps = append(steps, st)
	case faas.PlatformWeb:
		argv := []string{"kubectl", "apply"}
		for _, f := range out.Spec {
			argv = append(argv, "-f", f)
		}
		steps = append(steps, mk(toolKubectl, argv...))
	}
	return steps
}

// runSteps prints each step's command and, unless dryRun, runs it, its
// output going to standard error. It checks first that every tool is on
// PATH, so that a missing one stops deploy before anything is deployed.
func (c *cli) runSteps(ctx context.Context, steps []*step, dryRun bool) error {
	for _, st := range steps {
		name, err := st.tool.find()
		if err == nil {
			st.Argv[0] = name
			if st.Argv[0] == "scf" && name == "serverless" {
				st.Argv = []string{"serverless", "deploy"} // the Serverless Framework, with its Tencent component
			}
			for _, t := range st.needs {
				if _, err = t.find(); err != nil {
					break
				}
			}
		}
		st.Command = shellCommand(st.Dir, st.Argv)
		if err != nil && !dryRun {
			return withCode(exitDeploy, fmt.Errorf("%s: %w", st.Platform, err))
		}
	}
	for _, st := range steps {
		if dryRun {
			if c.json {
				continue
			}
			fmt.Fprintln(c.stdout, st.Command)
			continue
		}
		c.progress("%s: %s", st.Platform, st.Command)
		cmd := exec.CommandContext(ctx, st.Argv[0], st.Argv[1:]...)
		cmd.Dir = st.Dir
		cmd.Stdout, cmd.Stderr, cmd.Stdin = c.stderr, c.stderr, os.Stdin
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return withCode(exitOther, ctx.Err())
			}
			return withCode(exitDeploy, fmt.Errorf("%s: %s failed: %w", st.Platform, st.Argv[0], err))
		}
		st.Ran = true
	}
	return nil
}

// errNotFound is the error of a deploy tool not on PATH.
var errNotFound = errors.New("not found on PATH")

// find returns the first of the tool's commands on PATH.
func (t tool) find() (string, error) {
	for _, n := range t.names {
		if _, err := exec.LookPath(n); err == nil {
			return n, nil
		}
	}
	return "", fmt.Errorf("%s %w: %s", strings.Join(t.names, " or "), errNotFound, t.install)
}

// shellCommand renders argv, run in dir, as a command to paste into a
// POSIX shell.
func shellCommand(dir string, argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return "(cd " + shellQuote(abs) + " && " + strings.Join(quoted, " ") + ")"
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// deployFailure is a deploy that failed after packaging: --json reports
// the platforms packaged and the steps, Ran saying which ran.
type deployFailure struct {
	err       error
	platforms []*platformOutput
	steps     []*step
}

func (e *deployFailure) Error() string { return e.err.Error() }
func (e *deployFailure) Unwrap() error { return e.err }
