package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/aws"
	"github.com/anyfaas/faas/spec/gen/fc"
	"github.com/anyfaas/faas/spec/gen/gcf"
	"github.com/anyfaas/faas/spec/gen/scf"
	"github.com/anyfaas/faas/spec/gen/web"
)

// generators are the deploy spec generators, by platform.
var generators = map[string]func() gen.Generator{
	faas.PlatformAWS: aws.New,
	faas.PlatformFC:  fc.New,
	faas.PlatformSCF: scf.New,
	faas.PlatformGCF: gcf.New,
	faas.PlatformWeb: web.New,
}

// packageOptions are the flags of package and deploy.
type packageOptions struct {
	platforms []string
	functions []string
	arch      string
	out       string
	registry  string
}

func (o *packageOptions) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVarP(&o.platforms, "platform", "p", nil, "the platforms, comma-separated: aws, fc, scf, gcf, web (default: provider.name of f.yml)")
	f.StringSliceVarP(&o.functions, "function", "f", nil, "only the units serving these functions (or named so), comma-separated")
	f.StringVar(&o.arch, "arch", "", "amd64 or arm64 (default: provider.architecture of f.yml, else amd64)")
	f.StringVarP(&o.out, "out", "o", "", "the output directory; each platform's files go to <out>/<platform> (default: <dir>/.anyfaas)")
	f.StringVar(&o.registry, "registry", "", "the registry and repository prefix of the images of gcf and web, such as us-docker.pkg.dev/my-project/functions")
}

func (c *cli) packageCmd() *cobra.Command {
	var o packageOptions
	cmd := &cobra.Command{
		Use:   "package [dir]",
		Short: "Build each unit for its platforms and write their deploy specs",
		Long: `Package builds the project's main package for each platform (linux, static,
only that platform's adapter linked), lays each unit out as its platform
expects with its manifest, and writes the platform's deploy spec beside the
artifacts in <out>/<platform>:

  aws  template.yaml (SAM) and <unit>.zip
  fc   s.yaml (Serverless Devs, fc3), template.yml (funcraft) and <unit>.zip
  scf  <unit>/serverless.yml, beside the unit's files (Tencent's CLI zips them)
  gcf  <unit>.service.yaml, deploy.sh and <unit>.tar (an OCI image)
  web  <unit>.service.yaml (Knative) and its sources, and <unit>.tar

The same sources give the same bytes. Nothing is written unless every
platform's spec and build succeed; a platform's directory is replaced whole.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// The code is read in packageProject, from a build it packages
			// where it can.
			p, err := c.load(ctx, projectDir(args), false)
			if err != nil {
				return err
			}
			outs, err := c.packageProject(ctx, p, o)
			if err != nil {
				return err
			}
			if c.json {
				c.printJSON(map[string]any{"ok": true, "platforms": outs})
				return nil
			}
			for _, out := range outs {
				fmt.Fprintf(c.stdout, "%s: %s\n", out.Platform, out.Dir)
				for _, f := range out.Files {
					fmt.Fprintf(c.stdout, "  %s\n", f)
				}
			}
			return nil
		},
	}
	o.flags(cmd)
	return cmd
}

// platformOutput is what package wrote for one platform.
type platformOutput struct {
	Platform string `json:"platform"`
	// Dir is the platform's output directory.
	Dir string `json:"dir"`
	// Files are the files written, relative to Dir, sorted.
	Files []string       `json:"files"`
	Units []unitArtifact `json:"units"`
	// Spec are the deploy spec files among Files.
	Spec []string `json:"spec"`
	// Warnings are what was left out, and why: warnings' problems as
	// spec.Error's Error returns them.
	Warnings []string `json:"warnings,omitempty"`
	// warnings are the warnings, with their positions in the spec, if
	// any, for a line each that begins with it (spec.Error's Warning).
	warnings spec.Errors

	units []*spec.Unit
	spec  *spec.Spec // as the platform's generator sees it
	// unpulled is set when package builds the images of an image platform
	// with no registry to name them by: the spec names images the
	// platform cannot pull.
	unpulled bool
}

// unitArtifact is a unit's artifact.
type unitArtifact struct {
	Name      string   `json:"name"`
	Functions []string `json:"functions"`
	// Artifact is the file, relative to the platform's directory.
	Artifact string `json:"artifact"`
	// SHA256 is the artifact file's hex digest.
	SHA256 string `json:"sha256"`
	// Image is the image reference the deploy spec names, for gcf and web.
	Image string `json:"image,omitempty"`
	// Repository is the image's reference without its digest, where
	// deploy pushes it.
	Repository string `json:"repository,omitempty"`
}

// isImage reports whether a platform deploys units as OCI images.
func isImage(platform string) bool {
	return platform == faas.PlatformGCF || platform == faas.PlatformWeb
}

// packageProject packages p for each platform o names. It writes nothing
// until every platform's spec has generated and every build succeeded, and
// nothing at all if ctx ends first (Ctrl-C).
func (c *cli) packageProject(ctx context.Context, p *proj, o packageOptions) ([]*platformOutput, error) {
	outs, err := c.packageAll(ctx, p, o)
	if err != nil && ctx.Err() != nil {
		return nil, withCode(exitOther, fmt.Errorf("interrupted: nothing was written (%w)", context.Cause(ctx)))
	}
	return outs, err
}

func (c *cli) packageAll(ctx context.Context, p *proj, o packageOptions) ([]*platformOutput, error) {
	platforms, err := choosePlatforms(p.spec, o.platforms)
	if err != nil {
		return nil, err
	}
	arch, err := chooseArch(p.spec, o.arch)
	if err != nil {
		return nil, err
	}
	if err := checkArchFlag(platforms, o.arch); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "anyfaas-package-")
	if err != nil {
		return nil, withCode(exitOther, err)
	}
	defer os.RemoveAll(tmp)
	built, err := c.readCodeFromBuild(ctx, p, platforms, arch, tmp)
	if err != nil {
		return nil, err
	}
	units, err := selectUnits(p.merged.Units(), o.functions)
	if err != nil {
		return nil, err
	}
	outRoot := o.out
	if outRoot == "" {
		outRoot = filepath.Join(p.dir, ".anyfaas")
	}

	// The specs first: they are cheap, and a spec a platform cannot
	// express stops everything before the builds (but the one that read
	// the code), once every platform's problems are named.
	outs := make([]*platformOutput, len(platforms))
	for i, platform := range platforms {
		outs[i] = &platformOutput{Platform: platform, Dir: filepath.Join(outRoot, platform), units: units,
			spec: p.merged.ForPlatform(platform, specArch(arch)), unpulled: isImage(platform) && o.registry == "",
			Units: plannedArtifacts(p.merged, platform, units, o.registry)}
	}
	if err := c.generateSpecs(outs); err != nil {
		return nil, err
	}

	// Then the builds, each platform into a staging directory beside its
	// final one.
	created := !dirExists(outRoot)
	if err := os.MkdirAll(outRoot, 0o755); err != nil {
		return nil, withCode(exitOther, err)
	}
	var staged []string
	cleanup := func() {
		for _, s := range staged {
			os.RemoveAll(s)
		}
		if created {
			os.RemoveAll(outRoot)
		}
	}
	extra, err := includedFiles(p.dir, outRoot, p.merged.Package)
	if err != nil {
		cleanup()
		return nil, withCode(exitInvalid, err)
	}
	for _, out := range outs {
		stage, err := os.MkdirTemp(outRoot, "."+out.Platform+"-")
		if err != nil {
			cleanup()
			return nil, withCode(exitOther, err)
		}
		staged = append(staged, stage)
		// MkdirTemp makes it 0700; it becomes the platform's directory,
		// which other users and containers of another uid read.
		if err := os.Chmod(stage, 0o755); err != nil {
			cleanup()
			return nil, withCode(exitOther, err)
		}
		if err := c.packagePlatform(ctx, p, out, artifact.Target{Platform: out.Platform, Arch: arch}, built[out.Platform], stage, tmp, extra); err != nil {
			cleanup()
			return nil, err
		}
	}

	// All is built: each platform's directory is replaced by its staging
	// directory.
	for i, out := range outs {
		if err := replaceDir(staged[i], out.Dir); err != nil {
			cleanup()
			return nil, withCode(exitOther, err)
		}
	}
	return outs, nil
}

// readCodeFromBuild reads what p's code registers, if it is not read yet,
// and returns the builds it made for that, by platform. The code is read
// from the build of the first platform that runs on this machine (linux,
// the target's architecture), which is then packaged as it is: one build
// of each package, not a second one for this machine with other flags,
// which on a cold build cache doubled the time package takes. Elsewhere
// it is read from a build for this machine.
func (c *cli) readCodeFromBuild(ctx context.Context, p *proj, platforms []string, arch, tmp string) (map[string]string, error) {
	built := map[string]string{}
	if p.merged != nil {
		return built, nil
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != arch {
		return built, c.describe(ctx, p)
	}
	platform := platforms[0]
	bin, err := c.buildTarget(ctx, p, artifact.Target{Platform: platform, Arch: arch}, tmp)
	if err != nil {
		return nil, err
	}
	if err := c.readCode(ctx, p, bin); err != nil {
		return nil, err
	}
	built[platform] = bin
	return built, nil
}

// buildTarget builds p's main for target into tmp/<platform>.
func (c *cli) buildTarget(ctx context.Context, p *proj, target artifact.Target, tmp string) (string, error) {
	main := cmp.Or(p.spec.Package.Main, ".")
	c.progress("%s: building %s for linux/%s", target.Platform, main, target.Arch)
	bin, err := artifact.Build(ctx, artifact.BuildOptions{
		Target: target, Dir: p.dir, Main: main,
		Output: filepath.Join(tmp, target.Platform, artifact.Executable(target.Platform)),
	})
	if err != nil {
		return "", buildFailure(ctx, p.dir, main+" for "+target.String(), err)
	}
	return bin, nil
}

// packagePlatform builds p for target, unless binPath is that build, and
// writes its artifacts and deploy spec into stage.
func (c *cli) packagePlatform(ctx context.Context, p *proj, out *platformOutput, target artifact.Target, binPath, stage, tmp string, extra []artifact.File) error {
	if binPath == "" {
		var err error
		if binPath, err = c.buildTarget(ctx, p, target, tmp); err != nil {
			return err
		}
	}
	binary, err := os.ReadFile(binPath)
	if err != nil {
		return withCode(exitOther, err)
	}
	for i, u := range out.units {
		a := &out.Units[i]
		m := u.Manifest(out.Platform)
		var data []byte
		if isImage(out.Platform) {
			var buf bytes.Buffer
			desc, err := artifact.WriteTar(&buf, artifact.ImageOptions{
				Target: target, Binary: binary, Manifest: m, Files: extra, Name: a.Repository,
			})
			if err != nil {
				return withCode(exitInvalid, fmt.Errorf("%s: image of unit %s: %w", out.Platform, u.Name, err))
			}
			data = buf.Bytes()
			a.Image = a.Repository[:strings.LastIndexByte(a.Repository, ':')] + "@" + desc.Digest
		} else if out.Platform == faas.PlatformSCF {
			// Tencent's CLI uploads a directory, zipping it itself: the
			// unit's files go there, and no zip is made.
			files := append(artifact.Layout(out.Platform, binary, m), extra...)
			if scf.FunctionType(out.spec, u) == "web" {
				files = append(files, artifact.ScfBootstrapFile())
			}
			if err := writeFiles(filepath.Join(stage, a.Artifact), files); err != nil {
				return withCode(exitOther, err)
			}
			a.SHA256 = filesDigest(files)
			n := 0
			for _, f := range files {
				n += len(f.Data)
			}
			c.progress("%s: unit %s: %s/ (%s)", out.Platform, u.Name, a.Artifact, size(n))
			continue
		} else {
			files := append(artifact.Layout(out.Platform, binary, m), extra...)
			var buf bytes.Buffer
			if err := artifact.Zip(&buf, files); err != nil {
				return withCode(exitInvalid, fmt.Errorf("%s: zip of unit %s: %w", out.Platform, u.Name, err))
			}
			data = buf.Bytes()
		}
		if err := writeFile(filepath.Join(stage, a.Artifact), data, 0o644); err != nil {
			return withCode(exitOther, err)
		}
		sum := sha256.Sum256(data)
		a.SHA256 = hex.EncodeToString(sum[:])
		c.progress("%s: unit %s: %s (%s)", out.Platform, u.Name, a.Artifact, size(len(data)))
	}
	files, err := out.generate()
	if err != nil {
		return withCode(exitInvalid, err)
	}
	for _, f := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(f.Name, ".sh") {
			mode = 0o755
		}
		if err := writeFile(filepath.Join(stage, filepath.FromSlash(f.Name)), f.Data, mode); err != nil {
			return withCode(exitOther, err)
		}
	}
	out.Files, err = listFiles(stage)
	if err != nil {
		return withCode(exitOther, err)
	}
	return nil
}

// generate runs the platform's generator on the units and their
// artifacts, notes the spec files, and adds the generator's warnings
// (gen.Warner) to out.Warnings. FC's legacy funcraft template.yml
// is written when it can be: a setting only FC 3.0 has leaves it out, with
// a warning, rather than stopping s.yaml.
func (out *platformOutput) generate() ([]gen.File, error) {
	artifacts := map[string]string{}
	for _, a := range out.Units {
		artifacts[a.Name] = cmp.Or(a.Image, a.Artifact)
		if isImage(out.Platform) && a.Image == "" {
			artifacts[a.Name] = a.Repository // until the image is built
		}
	}
	in := &gen.Input{Spec: out.spec, Units: out.units, Artifacts: artifacts}
	out.Warnings, out.warnings = nil, nil
	if out.unpulled {
		out.warn(&spec.Error{Problem: "no --registry: the spec names each image without a registry, which the platform cannot pull: package with --registry, or deploy (which pushes the images there)"})
	}
	if err := out.checkBindings(); err != nil {
		return nil, err
	}
	g := generators[out.Platform]()
	files, err := g.Generate(in)
	if err != nil && out.Platform == faas.PlatformFC {
		if sOnly, err2 := (fc.Generator{Files: []string{fc.SYAML}}).Generate(in); err2 == nil {
			out.warn(&spec.Error{Problem: templateWarning(err)})
			files, err = sOnly, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if w := artifactWarning(out.spec, out.Platform); w != nil {
		out.warn(w)
	}
	if w, ok := g.(gen.Warner); ok {
		for _, e := range w.Warnings(in) {
			out.warn(e)
		}
	}
	for _, e := range gen.PlainSecrets(out.spec, out.Platform) {
		out.warn(e)
	}
	out.Spec = nil
	for _, f := range files {
		out.Spec = append(out.Spec, f.Name)
	}
	return files, nil
}

// warn adds a warning to out's.
func (out *platformOutput) warn(w *spec.Error) {
	out.warnings = append(out.warnings, w)
	out.Warnings = append(out.Warnings, w.Error())
}

// checkBindings finds the triggers the code declares with faas.On that
// f.yml does not bind: a storage, message or log trigger cannot be
// deployed without its bucket, topic or log store, which only f.yml gives;
// any other is left to be bound on the platform, with a warning.
func (out *platformOutput) checkBindings() error {
	var errs []string
	for _, u := range out.units {
		for _, f := range u.Functions {
			for _, e := range f.Events {
				if e.Pos != (spec.Pos{}) || e.HTTP != nil || e.Timer != nil || e.Storage != nil || e.Message != nil || e.Log != nil {
					continue
				}
				switch e.Trigger {
				case faas.TriggerStorage, faas.TriggerMessage, faas.TriggerLog:
					errs = append(errs, fmt.Sprintf("code: function %s: faas.On(%q): a %s trigger deploys only with its binding (%s): declare it in f.yml under functions.%s.events",
						f.Name, e.Trigger, e.Trigger, bindingHint(e.Trigger), f.Name))
				default:
					out.warn(&spec.Error{Problem: fmt.Sprintf("function %s: faas.On(%q) is not in the deploy spec: bind its event source on the platform; the function serves it by its manifest", f.Name, e.Trigger)})
				}
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// bindingHint says what f.yml gives a trigger.
func bindingHint(trigger string) string {
	switch trigger {
	case faas.TriggerStorage:
		return "the bucket and its events, as {storage: {bucket: uploads, events: [created]}}"
	case faas.TriggerMessage:
		return "the topic or queue, as {message: {topic: orders}}"
	}
	return "the log store, as {log: {source: app-logs}}"
}

// checkArchFlag returns a usage error if --arch (flag, "" when not given)
// asks for arm64 for a platform that runs x86_64 executables only, before
// anything is built; an architecture f.yml sets is checked, at its key,
// with the rest of the spec.
func checkArchFlag(platforms []string, flag string) error {
	if flag != "arm64" {
		return nil
	}
	for _, p := range platforms {
		if rt := gen.X86OnlyRuntime(p); rt != "" {
			return usageError("--arch %s: %s runs x86_64 executables only: build %s for amd64 (--arch amd64, or no --arch)", flag, rt, p)
		}
	}
	return nil
}

// specArch is the architecture f.yml names for GOARCH goarch.
func specArch(goarch string) string {
	if goarch == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// artifactWarning returns the warning for a package.artifact that
// plannedArtifact does not use on platform: with several units, each has
// its own artifact, named after it; on gcf and web, each is an image.
func artifactWarning(s *spec.Spec, platform string) *spec.Error {
	a := s.Package.Artifact
	if a == "" {
		return nil
	}
	if isImage(platform) {
		return gen.ErrorAt(s, s.Package.ArtifactPos, "package.artifact", "%q is not used: on %s each unit's artifact is an OCI image, <unit>.tar", a, platform)
	}
	if n := len(s.Units()); n > 1 {
		return gen.ErrorAt(s, s.Package.ArtifactPos, "package.artifact",
			"%q is not used: it names the artifact of a service deployed as one unit, and this one has %d, each in its own <unit>.zip; "+
				"aggregate the functions into one unit (aggregation) for one artifact, or remove it", a, n)
	}
	return nil
}

// plannedArtifacts names the artifacts of units, those package selects
// from the service s, before they are built (plannedArtifact).
func plannedArtifacts(s *spec.Spec, platform string, units []*spec.Unit, registry string) []unitArtifact {
	// package.artifact names the service's one unit, whichever units
	// are selected (-f).
	sole := len(s.Units()) == 1
	out := make([]unitArtifact, len(units))
	for i, u := range units {
		out[i] = plannedArtifact(s, platform, u, registry, sole)
	}
	return out
}

// plannedArtifact names a unit's artifact before it is built:
// package.artifact names the zip of u when sole, u is the service's only
// unit (Midway's one zip for the service), whatever units package
// selects, and the platform's artifact is a zip (or, on scf, a
// directory named after it); otherwise the zip is <unit>.zip, as
// artifactWarning says.
func plannedArtifact(s *spec.Spec, platform string, u *spec.Unit, registry string, sole bool) unitArtifact {
	a := unitArtifact{Name: u.Name, Artifact: u.Name + ".zip"}
	for _, f := range u.Functions {
		a.Functions = append(a.Functions, f.Name)
	}
	if s.Package.Artifact != "" && sole && !isImage(platform) {
		a.Artifact = s.Package.Artifact
	}
	if platform == faas.PlatformSCF {
		a.Artifact = scf.CodeDir(a.Artifact) // a directory: see packagePlatform
	}
	if isImage(platform) {
		a.Artifact = u.Name + ".tar"
		repo := imageName(s.Service.Name + "-" + u.Name)
		if registry != "" {
			repo = strings.TrimSuffix(registry, "/") + "/" + repo
		}
		// Tagged by platform: gcf and web images of a unit differ.
		a.Repository = repo + ":" + platform
	}
	return a
}

// filesDigest is the hex SHA-256 of files' names, modes and contents, in
// order: the digest of an artifact that is a directory.
func filesDigest(files []artifact.File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00", f.Name, f.Mode.Perm(), len(f.Data))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// imageName makes a repository name of s: lower case, with runs of
// characters other than letters, digits, '.', '_' and '-' replaced by '-'.
func imageName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = false
	}
	return strings.Trim(b.String(), "-._")
}

// choosePlatforms returns the platforms to package for: those named
// (each as platformFlag takes it, "" naming none), or the provider's.
func choosePlatforms(s *spec.Spec, named []string) ([]string, error) {
	var out []string
	for _, name := range named {
		p, err := platformFlag(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	switch {
	case len(out) > 0:
		return out, nil
	case s.Provider.Platform == "":
		return nil, usageError("no platform: name one with --platform (%s), or set provider.name in %s", strings.Join(faas.Platforms, ", "), s.File)
	}
	return []string{s.Provider.Platform}, nil
}

// chooseArch returns GOARCH for the flag or the provider's architecture.
func chooseArch(s *spec.Spec, flag string) (string, error) {
	switch flag {
	case "amd64", "arm64":
		return flag, nil
	case "":
	default:
		return "", usageError("--arch %q is not amd64 or arm64", flag)
	}
	if s.Provider.Architecture == "arm64" {
		return "arm64", nil
	}
	return "amd64", nil
}

// selectUnits returns the units that serve one of the functions named, or
// are named so; all of them if none is named.
func selectUnits(units []*spec.Unit, names []string) ([]*spec.Unit, error) {
	if len(names) == 0 {
		return units, nil
	}
	var out []*spec.Unit
	for _, n := range names {
		found := false
		for _, u := range units {
			if u.Name == n || slices.ContainsFunc(u.Functions, func(f *spec.Function) bool { return f.Name == n }) {
				found = true
				if !slices.Contains(out, u) {
					out = append(out, u)
				}
			}
		}
		if !found {
			var known []string
			for _, u := range units {
				for _, f := range u.Functions {
					known = append(known, f.Name)
				}
			}
			slices.Sort(known)
			return nil, usageError("-f %q names no function or unit (the functions are %s)", n, strings.Join(slices.Compact(known), ", "))
		}
	}
	// In the spec's order, whatever the order of the flag.
	slices.SortStableFunc(out, func(a, b *spec.Unit) int {
		return slices.Index(units, a) - slices.Index(units, b)
	})
	return out, nil
}

// includedFiles reads the files package.include names (globs relative to
// the project directory, less those package.exclude names), for every
// artifact. A directory matched is walked; hidden files and directories
// are left out unless the pattern itself names a hidden one, and .git,
// .anyfaas and the output directory never go in. A symbolic link is
// followed only to a file inside the project.
func includedFiles(dir, outRoot string, pkg spec.Package) ([]artifact.File, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	outAbs, _ := filepath.Abs(outRoot)
	var out []artifact.File
	seen := map[string]bool{}
	for _, pattern := range pkg.Include {
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(pattern)))
		if filepath.IsAbs(pattern) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("package.include %q: names a file outside the project", pattern)
		}
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(clean)))
		if err != nil {
			return nil, fmt.Errorf("package.include %q: %w", pattern, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("package.include %q matches no file in %s", pattern, dir)
		}
		hiddenOK := hiddenPattern(clean)
		for _, m := range matches {
			err := filepath.WalkDir(m, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, err := filepath.Rel(root, path)
				if err != nil {
					return err
				}
				rel = filepath.ToSlash(rel)
				name := d.Name()
				if d.IsDir() {
					if name == ".git" || name == ".anyfaas" || path == outAbs ||
						path != root && strings.HasPrefix(name, ".") && !hiddenOK || excluded(rel, pkg.Exclude) {
						return filepath.SkipDir
					}
					return nil
				}
				if strings.HasPrefix(name, ".") && !hiddenOK || seen[rel] || excluded(rel, pkg.Exclude) {
					return nil
				}
				if d.Type()&os.ModeSymlink != 0 {
					target, err := filepath.EvalSymlinks(path)
					if err != nil {
						return fmt.Errorf("%s: %w", rel, err)
					}
					if inside, _ := filepath.Rel(root, target); inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
						return fmt.Errorf("%s is a symbolic link to %s, outside the project", rel, target)
					}
				}
				info, err := os.Stat(path)
				if err != nil {
					return err
				}
				if !info.Mode().IsRegular() {
					return nil // a link to a directory, a socket: not a file to ship
				}
				seen[rel] = true
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				out = append(out, artifact.File{Name: rel, Mode: info.Mode().Perm(), Data: data})
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("package.include %q: %w", pattern, err)
			}
		}
	}
	slices.SortFunc(out, func(a, b artifact.File) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// hiddenPattern reports whether a pattern names a hidden file or
// directory itself, as ".env" or "config/.keys/*" do.
func hiddenPattern(pattern string) bool {
	for part := range strings.SplitSeq(pattern, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

// excluded reports whether rel, or a directory it is in, matches one of
// the patterns, as a path from the project's directory or by its name.
func excluded(rel string, patterns []string) bool {
	for _, p := range patterns {
		p = strings.TrimSuffix(filepath.ToSlash(p), "/")
		for prefix := rel; prefix != "." && prefix != "/"; prefix = path.Dir(prefix) {
			if ok, _ := path.Match(p, prefix); ok {
				return true
			}
			if ok, _ := path.Match(p, path.Base(prefix)); ok {
				return true
			}
		}
	}
	return false
}

// replaceDir puts the directory from in place of to, whatever was there.
func replaceDir(from, to string) error {
	old := ""
	if dirExists(to) {
		old = to + ".old"
		os.RemoveAll(old)
		if err := os.Rename(to, old); err != nil {
			return err
		}
	}
	if err := os.Rename(from, to); err != nil {
		if old != "" {
			os.Rename(old, to)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, mode)
}

// writeFiles writes an artifact's files under dir.
func writeFiles(dir string, files []artifact.File) error {
	for _, f := range files {
		mode := f.Mode.Perm()
		if mode == 0 {
			mode = 0o644
		}
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data, mode); err != nil {
			return err
		}
	}
	return nil
}

// listFiles returns the files under dir, relative and slash-separated,
// sorted.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	slices.Sort(out)
	return out, err
}

func dirExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// templateWarning is the warning that FC's funcraft template.yml is not
// written, for err, what its generator refused: its first problem and how
// many more there are, on one line. s.yaml is FC's deploy spec; a user of
// FC 3.0 would otherwise read the same problem once per function on every
// package.
func templateWarning(err error) string {
	const prefix = fc.TemplateYML + " (funcraft, FC 2.0) not written, s.yaml only: "
	var es spec.Errors
	if !errors.As(err, &es) || len(es) < 2 {
		return prefix + err.Error()
	}
	more := "problem"
	if len(es) > 2 {
		more += "s"
	}
	return fmt.Sprintf("%s%v (and %d more %s FC 2.0 has with the spec)", prefix, es[0], len(es)-1, more)
}
