package scf

// The messages of SCF's Go runtime protocol: Go net/rpc with its default
// gob codec, service "Function", methods Ping and Invoke. gob matches
// struct fields by name, not by type name, so these types keep the field
// names of tencentyun/scf-go-lib's cloudfunction/messages/messages.go
// (@13c9a7e); what a binary's types lack, or add, gob skips.

// pingRequest is the argument of Function.Ping.
type pingRequest struct{}

// pingResponse is the reply of Function.Ping.
type pingResponse struct{}

// timestamp is an instant as the wire carries it.
type timestamp struct {
	Seconds int64
	Nanos   int64
}

// invokeRequest is the argument of Function.Invoke.
type invokeRequest struct {
	Payload               []byte
	RequestId             string
	TraceId               string
	Deadline              timestamp // absolute
	InvokedFunctionUnique string
	ClientContext         []byte // JSON, or empty
	Namespace             string
	FunctionName          string
	FunctionVersion       string
	MemoryLimitInMb       int32
	TimeLimitInMs         int32
	Environment           string // a JSON object of the function's variables, or empty
	TencentcloudRegion    string
	TencentcloudAppID     string
	TencentcloudUin       string
	FunctionTrace         string
}

// invokeResponse is the reply of Function.Invoke: the result, or the error
// that replaced it.
type invokeResponse struct {
	Payload []byte
	Error   *invokeResponseError
}

// invokeResponseError is a failed invocation. ShouldExit asks the platform
// to replace the process.
type invokeResponseError struct {
	Message    string        `json:"errorMessage"`
	Type       string        `json:"errorType,omitempty"`
	StackTrace []*stackFrame `json:"stackTrace,omitempty"`
	ShouldExit bool          `json:"-"`
}

// stackFrame is one frame of a panic's stack.
type stackFrame struct {
	Path  string `json:"path"`
	Line  int32  `json:"line"`
	Label string `json:"label"`
}
