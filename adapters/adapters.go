//go:build !faas_aws && !faas_fc && !faas_scf && !faas_gcf && !faas_web

// Package adapters links platform adapters into a binary, for faas.Start to
// choose from. Import it for its side effect:
//
//	import _ "github.com/anyfaas/faas/adapters"
//
// By default it links every adapter, so one binary runs anywhere. Built
// with one of the tags faas_aws, faas_fc, faas_scf, faas_gcf or faas_web it
// links only that platform's adapter, which is how anyfaas builds a
// deployable binary: nothing another platform needs is linked into it.
//
// # What every adapter does
//
// An adapter package (aws, fc, scf, gcf, web) speaks one platform's runtime
// protocol and keeps this contract, so the same handler behaves the same
// everywhere:
//
//   - It registers itself with faas.RegisterAdapter under its platform name,
//     and its Start(h faas.Handler) error serves until the platform stops
//     the instance. It runs the App's RuntimeStart when the process starts,
//     FunctionStart where the platform initialises functions (or before the
//     first invocation), Freeze when the platform freezes the instance, and
//     Close when it stops it.
//   - It exports an in-process entry point that handles one native
//     invocation without a network, for tests and emulators.
//   - It decodes each native event into a standard event. Events of no
//     known shape reach the handler as a *faas.RawEvent with trigger "raw";
//     events of a known source with no standard shape as a RawEvent with
//     the source's name as trigger ("log" for every log subscription) and
//     Kind set where the platform names a sub-kind. An event that claims a
//     known shape but cannot be decoded is a *faas.DecodeError naming the
//     trigger and the field, reported in the platform's error envelope.
//   - It turns HTTP results into the platform's response with faas.Respond,
//     keeping the status, every value of multi-value headers and every
//     Set-Cookie as far as the platform can carry them, with binary bodies
//     in base64 where the envelope is JSON. Other results are JSON
//     (faas.EncodeResult); errors go into the platform's native error
//     envelope.
//   - It enforces the platform's request and response size limits with a
//     *faas.LimitError in the native envelope.
//   - HTTPRequest.SourceIP is the client's address as the platform reports
//     it: a field of the event where the platform fills one in itself, else
//     the rightmost public X-Forwarded-For entry, which the platform's
//     proxy appended; entries to its left, and X-Real-Ip, may be whatever
//     the client sent and are never believed. Headers the platform adds
//     for the function (FC's x-fc-*, carrying credentials) are in the
//     platform's context, not among the request's headers.
//   - A path or header a client can send never reaches the platform's
//     control plane: lifecycle hooks and event endpoints are served only
//     where the platform marks the request as its own (FC's
//     x-fc-control-path) or the deployment opts in (SCF's
//     FAAS_SCF_EVENT_INVOKE).
//   - Context.Origin carries the native event bytes and the platform's own
//     context type.
//   - It never crashes on bad input, never lets a panic end the process
//     unless the platform's protocol demands it, and never changes
//     process-wide state per invocation (no os.Setenv).
//   - The Context's deadline is the platform's. A handler still running
//     shortly before it (a tenth of the time left, at most 100 ms) is
//     answered for with a timeout in the native envelope (errorType
//     TimeoutError, or a 504 for HTTP), so that the platform takes that
//     answer rather than end the instance and every invocation it runs;
//     the handler's context is done once the invocation is answered.
//   - Credentials the platform passes (FC's x-fc-access-key-* and
//     x-fc-security-token, SCF's TENCENTCLOUD_SECRET* in its per-invocation
//     environment) and a client's Authorization and cookies are masked
//     when the standard request or the platform's context is logged with
//     slog; no adapter logs them or puts them in an error.
//   - Run by a local emulator, it listens on the address FAAS_ADDR names
//     (a loopback one), never on every interface.
//
// Each adapter replays the real sample events of its platform (copied into
// its testdata with their sources) against golden standard events and
// byte-exact golden native responses, and has a fuzz target for every
// decoder.
package adapters

import (
	_ "github.com/anyfaas/faas/adapters/aws"
	_ "github.com/anyfaas/faas/adapters/fc"
	_ "github.com/anyfaas/faas/adapters/gcf"
	_ "github.com/anyfaas/faas/adapters/scf"
	_ "github.com/anyfaas/faas/adapters/web"
)
