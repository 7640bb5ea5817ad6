package artifact

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/anyfaas/faas"
)

// Target is what an artifact is built for: a platform (aws, fc, scf, gcf
// or web, the faas.Platform names) and a CPU architecture (amd64 or
// arm64). The operating system is always linux.
type Target struct {
	// Platform is aws, fc, scf, gcf or web.
	Platform string
	// Arch is amd64 or arm64, as GOARCH spells it.
	Arch string
}

// String returns the target as "platform/arch", such as "aws/arm64".
func (t Target) String() string { return t.Platform + "/" + t.Arch }

// Validate reports whether the target names a known platform and a
// supported architecture.
func (t Target) Validate() error {
	if !slices.Contains(faas.Platforms, t.Platform) {
		return fmt.Errorf("artifact: platform %q is not one of %v", t.Platform, faas.Platforms)
	}
	if !slices.Contains(archs, t.Arch) {
		return fmt.Errorf("artifact: architecture %q is not one of %v", t.Arch, archs)
	}
	return nil
}

// archs are the architectures a Target may name, as GOARCH spells them.
var archs = []string{"amd64", "arm64"}

// tags returns the build tags that make a binary link only the target's
// adapter: faas_<platform>, and for aws lambda.norpc, which leaves
// aws-lambda-go's net/rpc server (the retired go1.x runtime) out.
func (t Target) tags() []string {
	tags := []string{"faas_" + t.Platform}
	if t.Platform == faas.PlatformAWS {
		tags = append(tags, "lambda.norpc")
	}
	return tags
}

// Executable returns the name of the executable in a platform's artifact:
// "main" for fc (Function Compute's go1 runtime, handler main) and scf
// (SCF's Go1 runtime, handler main), and "bootstrap" for every other
// platform: aws (Lambda's provided.al2023 runtime runs ./bootstrap) and
// the images of gcf and web (/bootstrap).
func Executable(platform string) string {
	switch platform {
	case faas.PlatformFC, faas.PlatformSCF:
		return "main"
	}
	return "bootstrap"
}

// NativeTarget returns the target of platform for this machine's
// architecture, for a Native build; amd64 where the machine's is neither
// amd64 nor arm64 (a native build then uses the machine's anyway).
func NativeTarget(platform string) Target {
	arch := runtime.GOARCH
	if !slices.Contains(archs, arch) {
		arch = "amd64"
	}
	return Target{Platform: platform, Arch: arch}
}
