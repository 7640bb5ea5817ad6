package devserver

import (
	"fmt"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/emulator"
	awsemu "github.com/anyfaas/faas/emulator/aws"
	fcemu "github.com/anyfaas/faas/emulator/fc"
	gcfemu "github.com/anyfaas/faas/emulator/gcf"
	scfemu "github.com/anyfaas/faas/emulator/scf"
	webemu "github.com/anyfaas/faas/emulator/web"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen/scf"
)

// NewEmulator returns the emulator of platform for f, the functions of
// unit u of s, in the mode the deployed unit runs in: Lambda's Runtime
// API; FC's Go runtime (its runtime API), with the initializer the deploy
// spec gives a unit with an initTimeout; SCF's Go1 runtime (net/rpc), or
// for a web function (scf.FunctionType) the HTTP server on port 9000 that
// takes the requests themselves; Cloud Run serving the whole unit; a
// plain HTTP host.
func NewEmulator(platform string, f emulator.Function, s *spec.Spec, u *spec.Unit) (emulator.Emulator, error) {
	set := u.Settings(s.Provider)
	switch platform {
	case faas.PlatformAWS:
		return awsemu.New(f), nil
	case faas.PlatformFC:
		return fcemu.New(f, fcemu.Options{
			Mode:                  fcemu.ModeRuntimeAPI,
			Initializer:           set.InitTimeout > 0,
			InitializationTimeout: time.Duration(set.InitTimeout) * time.Second,
		}), nil
	case faas.PlatformSCF:
		mode := scfemu.ModeRPC
		if scf.FunctionType(s, u) == "web" {
			mode = scfemu.ModeWeb
		}
		return scfemu.New(f, scfemu.Options{Mode: mode}), nil
	case faas.PlatformGCF:
		return gcfemu.New(f, gcfemu.Options{}), nil
	case faas.PlatformWeb:
		return webemu.New(f), nil
	}
	return nil, fmt.Errorf("no emulator for platform %q", platform)
}
