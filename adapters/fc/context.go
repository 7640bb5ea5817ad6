package fc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
)

// The x-fc-* headers FC sends with an invocation: on the runtime API's next
// response (aliyun/fc-runtime-go-sdk fc/runtime_api_client.go) and on the
// custom runtime's requests (FC "custom runtime" specification).
const (
	headerRequestID         = "X-Fc-Request-Id"
	headerDeadline          = "X-Fc-Function-Deadline" // epoch milliseconds
	headerFunctionType      = "X-Fc-Function-Type"     // 0 handler, 1 initializer, 2 preStop, 3 preFreeze
	headerAccessKeyID       = "X-Fc-Access-Key-Id"
	headerAccessKeySecret   = "X-Fc-Access-Key-Secret"
	headerSecurityToken     = "X-Fc-Security-Token"
	headerFunctionName      = "X-Fc-Function-Name"
	headerFunctionHandler   = "X-Fc-Function-Handler"
	headerFunctionMemory    = "X-Fc-Function-Memory"
	headerFunctionTimeout   = "X-Fc-Function-Timeout" // seconds
	headerInitializer       = "X-Fc-Function-Initializer"
	headerInitTimeout       = "X-Fc-Initialization-Timeout" // seconds
	headerServiceName       = "X-Fc-Service-Name"
	headerServiceLogProject = "X-Fc-Service-Logproject"
	headerServiceLogStore   = "X-Fc-Service-Logstore"
	headerQualifier         = "X-Fc-Qualifier"
	headerVersionID         = "X-Fc-Version-Id"
	headerRegion            = "X-Fc-Region"
	headerAccountID         = "X-Fc-Account-Id"
	headerRetryCount        = "X-Fc-Retry-Count"
	headerSpanContext       = "X-Fc-Tracing-Opentracing-Span-Context"
	headerSpanBaggages      = "X-Fc-Tracing-Opentracing-Span-Baggages" // base64 of a JSON object of strings
	headerJaegerEndpoint    = "X-Fc-Tracing-Jaeger-Endpoint"
	headerControlPath       = "X-Fc-Control-Path"
	headerStatus            = "X-Fc-Status"
)

// Context is FC's own context of one invocation, the counterpart of
// fc-runtime-go-sdk's fccontext.FcContext, read from the x-fc-* headers FC
// sends. It is what ctx.Origin().Context holds; [FromContext] returns it.
type Context struct {
	// RequestID is FC's id of the invocation (x-fc-request-id).
	RequestID string
	// Credentials are the temporary STS credentials of the function's role.
	Credentials Credentials
	// Function describes the function.
	Function Function
	// Service describes the service (FC 2.0) the function belongs to.
	Service Service
	// Region is the region the function runs in, such as "cn-hangzhou".
	Region string
	// AccountID is the Alibaba Cloud account that owns the function.
	AccountID string
	// RetryCount is how many times FC has retried the invocation.
	RetryCount int
	// Tracing holds the tracing context FC passes on.
	Tracing Tracing
	// Deadline is when FC stops waiting for the invocation: from
	// x-fc-function-deadline, or on a custom runtime without it, the time
	// the request arrived plus x-fc-function-timeout. Zero if unknown.
	Deadline time.Time
	// Header holds every x-fc-* header of the invocation as received, with
	// canonical keys.
	Header http.Header
}

// Credentials are temporary STS credentials.
type Credentials struct {
	AccessKeyID     string // x-fc-access-key-id
	AccessKeySecret string // x-fc-access-key-secret
	SecurityToken   string // x-fc-security-token
}

// Function describes the invoked function.
type Function struct {
	Name    string // x-fc-function-name
	Handler string // x-fc-function-handler, such as "index.handler"
	// Memory is the memory size in MB, as FC sends it.
	Memory string
	// Timeout is the function's timeout in seconds.
	Timeout int
	// Initializer names the initializer handler, where FC sends it (custom
	// runtimes).
	Initializer string
	// InitializationTimeout is the initializer's timeout in seconds, where
	// FC sends it.
	InitializationTimeout int
}

// Service describes the service of the invoked function.
type Service struct {
	Name       string // x-fc-service-name
	LogProject string // x-fc-service-logproject: the SLS project of the logs
	LogStore   string // x-fc-service-logstore: the SLS logstore of the logs
	Qualifier  string // x-fc-qualifier: the version or alias invoked, such as "LATEST"
	VersionID  string // x-fc-version-id
}

// Tracing is the tracing context of an invocation.
type Tracing struct {
	OpenTracingSpanContext  string            // x-fc-tracing-opentracing-span-context
	OpenTracingSpanBaggages map[string]string // x-fc-tracing-opentracing-span-baggages, decoded
	JaegerEndpoint          string            // x-fc-tracing-jaeger-endpoint
}

// ContextFromHeader reads FC's context from the x-fc-* headers of a runtime
// API invocation. The deadline is x-fc-function-deadline, in epoch
// milliseconds; a missing or invalid deadline, or an invalid number or
// tracing header, is a *faas.DecodeError naming the header.
func ContextFromHeader(h http.Header) (*Context, error) {
	return parseContext(h, time.Time{}, true)
}

// FromContext returns FC's context of the invocation ctx belongs to.
func FromContext(ctx context.Context) (*Context, bool) {
	fctx, ok := faas.FromContext(ctx)
	if !ok {
		return nil, false
	}
	c, ok := fctx.Origin().Context.(*Context)
	return c, ok && c != nil
}

// parseContext reads the context from h. If the deadline header is missing,
// it is an error when requireDeadline holds, and otherwise the deadline is
// now plus the function's timeout, if both are known.
func parseContext(h http.Header, now time.Time, requireDeadline bool) (*Context, error) {
	get := func(k string) string { return h.Get(k) }
	c := &Context{
		RequestID: get(headerRequestID),
		Credentials: Credentials{
			AccessKeyID:     get(headerAccessKeyID),
			AccessKeySecret: get(headerAccessKeySecret),
			SecurityToken:   get(headerSecurityToken),
		},
		Function: Function{
			Name:        get(headerFunctionName),
			Handler:     get(headerFunctionHandler),
			Memory:      get(headerFunctionMemory),
			Initializer: get(headerInitializer),
		},
		Service: Service{
			Name:       get(headerServiceName),
			LogProject: get(headerServiceLogProject),
			LogStore:   get(headerServiceLogStore),
			Qualifier:  get(headerQualifier),
			VersionID:  get(headerVersionID),
		},
		Region:    get(headerRegion),
		AccountID: get(headerAccountID),
		Tracing: Tracing{
			OpenTracingSpanContext: get(headerSpanContext),
			JaegerEndpoint:         get(headerJaegerEndpoint),
		},
		Header: fcHeader(h),
	}
	var err error
	if c.Function.Timeout, err = intHeader(h, headerFunctionTimeout); err != nil {
		return nil, err
	}
	if c.Function.InitializationTimeout, err = intHeader(h, headerInitTimeout); err != nil {
		return nil, err
	}
	if c.RetryCount, err = intHeader(h, headerRetryCount); err != nil {
		return nil, err
	}
	switch d := get(headerDeadline); {
	case d != "":
		ms, perr := strconv.ParseInt(d, 10, 64)
		if perr != nil || ms <= 0 {
			return nil, headerError(headerDeadline, fmt.Errorf("%q is not a time in epoch milliseconds", d))
		}
		c.Deadline = time.UnixMilli(ms)
	case requireDeadline:
		return nil, headerError(headerDeadline, errors.New("the header is missing"))
	case !now.IsZero() && c.Function.Timeout > 0:
		c.Deadline = now.Add(time.Duration(c.Function.Timeout) * time.Second)
	}
	if b := get(headerSpanBaggages); b != "" {
		raw, derr := base64.StdEncoding.DecodeString(b)
		if derr == nil {
			derr = json.Unmarshal(raw, &c.Tracing.OpenTracingSpanBaggages)
		}
		if derr != nil {
			return nil, headerError(headerSpanBaggages, fmt.Errorf("want base64 of a JSON object of strings: %w", derr))
		}
	}
	return c, nil
}

func intHeader(h http.Header, key string) (int, error) {
	s := h.Get(key)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, headerError(key, fmt.Errorf("%q is not a whole number", s))
	}
	return n, nil
}

// headerError reports an invalid x-fc-* header of an invocation.
func headerError(key string, err error) error {
	return &faas.DecodeError{Platform: faas.PlatformFC, Trigger: "invocation", Field: strings.ToLower(key), Err: err}
}

// fcHeader returns the x-fc-* headers of h, with canonical keys.
func fcHeader(h http.Header) http.Header {
	out := make(http.Header, 24)
	for k, vs := range h {
		if len(k) > 5 && strings.EqualFold(k[:5], "x-fc-") {
			ck := textproto.CanonicalMIMEHeaderKey(k)
			out[ck] = append(out[ck], vs...)
		}
	}
	return out
}

// functionType returns the kind of a runtime API invocation; FC sends 0 for
// a handler invocation, 1 for the initializer, 2 for preStop and 3 for
// preFreeze. Like fc-runtime-go-sdk, anything else is a handler invocation.
func functionType(h http.Header) int {
	n, err := strconv.Atoi(h.Get(headerFunctionType))
	if err != nil || n < 0 || n > 3 {
		return 0
	}
	return n
}

// Function types of the runtime API.
const (
	typeHandler     = 0
	typeInitializer = 1
	typePreStop     = 2
	typePreFreeze   = 3
)
