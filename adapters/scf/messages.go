package scf

// The messages of SCF's Go runtime protocol: Go net/rpc with its default gob
// codec, service "Function", methods Ping and Invoke. gob matches struct
// fields by name, so these types keep the field names of
// tencentyun/scf-go-lib's cloudfunction/messages/messages.go (@13c9a7e);
// the type names are free. A request with fewer fields, or with fields
// these types lack, still decodes: gob skips what one side does not know.

// PingRequest is the argument of Function.Ping. It has no fields.
type PingRequest struct{}

// PingResponse is the reply of Function.Ping. It has no fields.
type PingResponse struct{}

// Timestamp is an instant as the wire carries it: seconds and nanoseconds
// since the Unix epoch.
type Timestamp struct {
	Seconds int64
	Nanos   int64
}

// InvokeRequest is the argument of Function.Invoke: one event and the
// function's metadata.
type InvokeRequest struct {
	// Payload is the event, usually JSON.
	Payload []byte
	// RequestId is SCF's id for the invocation.
	RequestId string
	// TraceId is the invocation's trace id, if any.
	TraceId string
	// Deadline is when the platform stops waiting, as an absolute time.
	Deadline Timestamp
	// InvokedFunctionUnique identifies the function version invoked.
	InvokedFunctionUnique string
	// ClientContext is JSON describing the calling client, if any.
	ClientContext []byte
	// Namespace, FunctionName and FunctionVersion name the function.
	Namespace       string
	FunctionName    string
	FunctionVersion string
	// MemoryLimitInMb is the function's memory in MB.
	MemoryLimitInMb int32
	// TimeLimitInMs is the function's timeout in milliseconds.
	TimeLimitInMs int32
	// Environment is a JSON object of the function's environment
	// variables, or empty.
	Environment string
	// TencentcloudRegion, TencentcloudAppID and TencentcloudUin describe
	// the account and region the function runs in.
	TencentcloudRegion string
	TencentcloudAppID  string
	TencentcloudUin    string
	// FunctionTrace is tracing data for the invocation, if any.
	FunctionTrace string
}

// InvokeResponse is the reply of Function.Invoke: the result, or the
// error that replaced it. The method itself always returns nil; failures
// travel in Error.
type InvokeResponse struct {
	// Payload is the result, usually JSON.
	Payload []byte
	// Error reports a failed invocation; nil if it succeeded.
	Error *InvokeResponseError
}

// InvokeResponseError reports a failed invocation.
type InvokeResponseError struct {
	// Message is the error's text.
	Message string `json:"errorMessage"`
	// Type names the kind of failure: "PanicError", "DecodeError",
	// "LimitError", "Error" (a *faas.Error), or the error's Go type name.
	Type string `json:"errorType"`
	// StackTrace is where a panic happened, innermost frame first; empty
	// for other errors.
	StackTrace []*StackFrame `json:"stackTrace,omitempty"`
	// ShouldExit asks the platform to recycle the process. This adapter
	// never sets it: see the package documentation.
	ShouldExit bool `json:"-"`
}

// StackFrame is one frame of a panic's stack.
type StackFrame struct {
	// Path is the source file.
	Path string `json:"path"`
	// Line is the line in Path.
	Line int32 `json:"line"`
	// Label is the function, qualified by its package path.
	Label string `json:"label"`
}
