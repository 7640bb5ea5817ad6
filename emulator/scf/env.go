package scf

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/anyfaas/faas/emulator"
)

// Made-up credentials in the place of the execution role's temporary ones
// (TENCENTCLOUD_SECRETID, …): something for an SDK to find, nothing that
// signs a real request.
const (
	dummySecretID     = "AKIDEMULATOR0000000000000000000000"
	dummySecretKey    = "emulator-secret-key-not-valid"
	dummySessionToken = "emulator-session-token-not-valid"
)

// env returns SCF's built-in environment (Tencent Cloud "Environment
// Variables" doc; platform-protocols §2.4) for the function's process; the
// mode adds its own.
func (e *Emulator) env() []string {
	dir := e.f.Dir
	if dir == "" {
		if abs, err := filepath.Abs(e.f.Binary); err == nil {
			dir = filepath.Dir(abs)
		}
	}
	return []string{
		"SCF_FUNCTIONNAME=" + e.name,
		"SCF_FUNCTIONVERSION=" + e.o.Version,
		"SCF_NAMESPACE=" + e.o.Namespace,
		"TENCENTCLOUD_REGION=" + e.o.Region,
		"TENCENTCLOUD_APPID=" + e.o.AppID,
		"TENCENTCLOUD_UIN=" + e.o.UIN,
		"TENCENTCLOUD_RUNENV=SCF",
		"TENCENTCLOUD_SECRETID=" + dummySecretID,
		"TENCENTCLOUD_SECRETKEY=" + dummySecretKey,
		"TENCENTCLOUD_SESSIONTOKEN=" + dummySessionToken,
		"TENCENTCLOUD_TZ=UTC",
		// SCF runs functions in UTC unless TZ is configured (doc 583/19805,
		// "Time zone"); Function.Env may set another.
		"TZ=UTC",
		"USER_CODE_ROOT=" + dir + string(filepath.Separator),
	}
}

// startProcess starts the function's binary with SCF's environment, the
// mode's variables and Function.Env, in that order.
func (e *Emulator) startProcess(modeEnv ...string) (*emulator.Process, error) {
	return emulator.StartProcess(e.f, append(e.env(), modeEnv...))
}

// initContext bounds a process's start by the init timeout, with
// errInitTimeout as the cause.
func (e *Emulator) initContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, e.initTimeout, errInitTimeout)
}

// notReady stops p, which did not get ready because of err or because ctx
// (from initContext) ended, and returns why as Start reports it: a
// StartError for the process's own failure, or ctx's cause when the caller
// gave up or Close began.
func (e *Emulator) notReady(ctx context.Context, p *emulator.Process, err error) error {
	if p.Exited() {
		return startError(e.name, p, fmt.Errorf("%w: %s", errExited, p.ExitError()))
	}
	p.Kill()
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		if cause == errInitTimeout {
			return startError(e.name, p, fmt.Errorf("%w (%s)", errInitTimeout, e.initTimeout))
		}
		return fmt.Errorf("emulator/scf: starting %s: %w", e.name, cause)
	}
	return startError(e.name, p, err)
}

// itoa formats an int.
func itoa(n int) string { return strconv.Itoa(n) }
