package scf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/anyfaas/faas"
)

// Context is SCF's own context of one invocation, as ctx.Origin().Context
// holds it. Its fields are those of scf-go-lib's
// functioncontext.FunctionContext, filled from the Go runtime's
// InvokeRequest, from the custom runtime's headers and the function's
// environment, or from a web function's X-Scf-* headers; a field the
// transport does not carry is empty.
//
// Unlike scf-go-lib, the adapter never copies Environment into the
// process's environment: with concurrent invocations that would be a race.
// Read it here.
type Context struct {
	// RequestID is SCF's id for the invocation.
	RequestID string
	// InvokedFunctionUnique identifies the function version invoked (Go
	// runtime only).
	InvokedFunctionUnique string
	// ClientContext describes the calling client (Go runtime only).
	ClientContext ClientContext
	// Namespace, FunctionName and FunctionVersion name the function.
	Namespace       string
	FunctionName    string
	FunctionVersion string
	// MemoryLimitInMb is the function's memory in MB.
	MemoryLimitInMb int32
	// TimeLimitInMs is the function's timeout in milliseconds.
	TimeLimitInMs int32
	// Environment holds the environment variables the platform sent with
	// the invocation (Go runtime only).
	Environment map[string]string
	// TencentcloudRegion, TencentcloudAppID and TencentcloudUin describe
	// the account and region the function runs in.
	TencentcloudRegion string
	TencentcloudAppID  string
	TencentcloudUin    string
	// FunctionTrace is tracing data for the invocation (Go runtime only).
	FunctionTrace string
	// TraceID is the invocation's trace id (Go runtime only). scf-go-lib
	// receives it but does not pass it on.
	TraceID string
}

// ClientContext is what a calling client says of itself, as scf-go-lib
// decodes InvokeRequest.ClientContext.
type ClientContext struct {
	Client ClientApplication
	Env    map[string]string `json:"env"`
	Custom map[string]string `json:"custom"`
}

// ClientApplication describes the calling application.
type ClientApplication struct {
	InstallationID string `json:"installation_id"`
	AppTitle       string `json:"app_title"`
	AppVersionCode string `json:"app_version_code"`
	AppPackageName string `json:"app_package_name"`
}

// FromContext returns the SCF context of the invocation that ctx belongs
// to: ctx is, or carries, the *faas.Context of an invocation this adapter
// made.
func FromContext(ctx context.Context) (*Context, bool) {
	fc, ok := faas.FromContext(ctx)
	if !ok {
		return nil, false
	}
	c, ok := fc.Origin().Context.(*Context)
	return c, ok && c != nil
}

// contextOf returns the Context an InvokeRequest describes. Environment and
// ClientContext are JSON; either failing to decode is an error, as it is in
// scf-go-lib.
func contextOf(req *InvokeRequest) (*Context, error) {
	c := &Context{
		RequestID:             req.RequestId,
		InvokedFunctionUnique: req.InvokedFunctionUnique,
		Namespace:             req.Namespace,
		FunctionName:          req.FunctionName,
		FunctionVersion:       req.FunctionVersion,
		MemoryLimitInMb:       req.MemoryLimitInMb,
		TimeLimitInMs:         req.TimeLimitInMs,
		TencentcloudRegion:    req.TencentcloudRegion,
		TencentcloudAppID:     req.TencentcloudAppID,
		TencentcloudUin:       req.TencentcloudUin,
		FunctionTrace:         req.FunctionTrace,
		TraceID:               req.TraceId,
	}
	if len(req.ClientContext) > 0 {
		if err := json.Unmarshal(req.ClientContext, &c.ClientContext); err != nil {
			return nil, &faas.DecodeError{Platform: faas.PlatformSCF, Trigger: "invoke", Field: "InvokeRequest.ClientContext",
				Err: fmt.Errorf("not a JSON client context: %w", err)}
		}
	}
	if req.Environment != "" {
		if err := json.Unmarshal([]byte(req.Environment), &c.Environment); err != nil {
			return nil, &faas.DecodeError{Platform: faas.PlatformSCF, Trigger: "invoke", Field: "InvokeRequest.Environment",
				Err: fmt.Errorf("not a JSON object of strings: %w", err)}
		}
	}
	return c, nil
}

// Headers of a web function's requests (Tencent Cloud doc 583/40688,
// "Common Function Request Headers"), and of its error responses.
const (
	headerRequestID = "X-Scf-Request-Id"
	headerMemory    = "X-Scf-Memory"
	headerTimeout   = "X-Scf-Timeout"
	headerVersion   = "X-Scf-Version"
	headerName      = "X-Scf-Name"
	headerNamespace = "X-Scf-Namespace"
	headerRegion    = "X-Scf-Region"
	headerAppID     = "X-Scf-Appid"
	headerUin       = "X-Scf-Uin"
	headerErrorType = "X-Scf-Error-Type"
)

// contextOfHeaders returns the Context a web function's request headers
// describe. Numbers that do not parse are left zero.
func contextOfHeaders(h http.Header) *Context {
	return &Context{
		RequestID:          h.Get(headerRequestID),
		Namespace:          h.Get(headerNamespace),
		FunctionName:       h.Get(headerName),
		FunctionVersion:    h.Get(headerVersion),
		MemoryLimitInMb:    atoi32(h.Get(headerMemory)),
		TimeLimitInMs:      atoi32(h.Get(headerTimeout)),
		TencentcloudRegion: h.Get(headerRegion),
		TencentcloudAppID:  h.Get(headerAppID),
		TencentcloudUin:    h.Get(headerUin),
	}
}

// contextOfEnv returns the part of a Context that the environment of a
// custom runtime describes (the built-in variables of Tencent Cloud's
// "Environment Variables" doc); each invocation adds its request id and
// limits.
func contextOfEnv(getenv func(string) string) Context {
	return Context{
		Namespace:          getenv("SCF_NAMESPACE"),
		FunctionName:       getenv("SCF_FUNCTIONNAME"),
		FunctionVersion:    getenv("SCF_FUNCTIONVERSION"),
		TencentcloudRegion: getenv("TENCENTCLOUD_REGION"),
		TencentcloudAppID:  getenv("TENCENTCLOUD_APPID"),
		TencentcloudUin:    getenv("TENCENTCLOUD_UIN"),
	}
}

// atoi32 parses a non-negative decimal int32, or returns 0.
func atoi32(s string) int32 {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0
	}
	return int32(n)
}
