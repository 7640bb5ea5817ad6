// Package scf runs an unchanged deployable Tencent Cloud SCF binary on this
// machine as SCF runs it, in each of the three ways SCF runs a Go binary
// (see [Mode]):
//
//   - ModeRPC, SCF's Go1 runtime: the binary is a Go net/rpc server (gob
//     codec) on $_LAMBDA_SERVER_PORT. The emulator dials it, calls
//     Function.Ping until it answers, and delivers each event with
//     Function.Invoke (tencentyun/scf-go-lib @13c9a7e,
//     cloudfunction/messages/messages.go; the field names are those of
//     its InvokeRequest and InvokeResponse).
//   - ModeCustom, the custom runtime: the emulator serves the runtime API
//     at http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT — POST
//     /runtime/init/ready, a long-polled GET /runtime/invocation/next, POST
//     /runtime/invocation/response and /runtime/invocation/error — for the
//     binary, its bootstrap, to call (Tencent Cloud doc 583/47274, "Custom
//     Runtime 说明").
//   - ModeWeb, web functions and image functions: the binary is an HTTP
//     server; the emulator proxies requests to it with the platform's
//     X-Scf-* headers added (doc 583/40688), and with Options.EventInvoke
//     delivers events as POST /event-invoke.
//
// # Invocations
//
// An [Emulator] is one warm instance: its process stays up between
// invocations, and is killed and started again, at the next invocation, when
// an invocation times out or the process dies. Event functions take one
// invocation at a time (the custom runtime's response path carries no
// request id); a web function takes Function.Concurrency at once, one by
// default, as SCF's per-instance multi-concurrency is a web-function option
// that is off unless configured (tencentcloud-sdk-go scf/v20180416
// CreateFunctionRequest.InstanceConcurrencyConfig).
//
// Defaults follow SCF's CreateFunction API (tencentcloud-sdk-go
// scf/v20180416/models.go): a timeout of 3 s ("可选值范围 1-900 秒，默认为 3
// 秒"), 128 MB of memory, an init timeout of 65 s; a web function's server
// must listen within 30 s (doc 583/40688 for image functions). Events and
// responses are limited to 6 MB (status codes 406 RequestTooLarge and 407,
// doc 583/35311); a web function's request and response headers to 4 KB,
// its path to 4 KB and its bodies to 6 MB (the HTTP function doc,
// "使用限制").
//
// A failed invocation is a [emulator.Result] whose Error is set and whose
// Payload is SCF's error envelope, as the Invoke API and the console show
// it (the Python runtime doc, "Exception Handling", and observed replies):
//
//	{"errorCode":-1,"errorMessage":"Invoking task timed out after 3 seconds",
//	 "errorType":"TimeLimitReached","requestId":"…","statusCode":433}
//
// statusCode is SCF's status code (doc 583/35311): 430 for an error the
// function reported (errorType and errorMessage are its own, as the anyfaas
// adapters report them, with its stackTrace), 433 TimeLimitReached, 439
// UserProcExitError for a process that died, 405 ContainerStateExited or
// 450 InitContainerTimeout for one that did not start, 437 HandlerNotFound
// for a missing binary, 406 and 407 for the size limits. Durations are
// billed by the millisecond (doc 583/12284: a 1,760 ms run bills 1,760 ms;
// doc 583/12285: the former rounding to 100 ms is gone).
//
// # Logs
//
// Function.Log receives the process's output and SCF's platform lines, as
// doc 583/60336 ("Log Structure") shows them:
//
//	START RequestId:09c346d3-8417-49c5-8569-c55033b17f51
//	Response RequestId:09c346d3-… RetMsg:"Hello World"
//	ERROR RequestId:09c346d3-… Result:{"errorCode":-1,…}
//	END RequestId:09c346d3-…
//	Report RequestId:09c346d3-… Duration:1ms Memory:128MB MemUsage:30MB
//
// Response follows a success and ERROR a failure. A line is cut at 8 KB, as
// SCF's log delivery cuts it (doc "Log Delivery Configuration", "Use
// Limits"). The process's own lines come through a pipe, so one it printed
// just before answering may follow the END line.
//
// # HTTP
//
// ServeHTTP is SCF's HTTP front door. In ModeRPC and ModeCustom it is API
// Gateway with integration request and integration response (doc
// 583/12513): the request becomes the integration request event, and the
// function's {"isBase64Encoded", "statusCode", "headers", "body"} the
// response, a header value that is an array sending the header once per
// element. A function that fails is answered 502 with the error envelope,
// as SCF's own local API Gateway answers (tencentyun/scfcli,
// tcfcli/cmds/local/libs/apigw/error_response.py); a result that is not an
// integration response 403 {"errno":403,"error":"Invalid scf response
// format. please check your scf response format."} (doc 583/12513); a
// request whose event would be over MaxPayloadBytes 413 with the
// RequestTooLarge envelope, as in ModeWeb, the function not invoked. In
// ModeWeb it is the web function's proxy: limits and failures are answered
// as the platform does, with X-Scf-Request-Id and X-Scf-Error-Type
// (ScfCommonError 413 for a request over the limits, UnhandledInvocationErr
// 502 for a function that fails or answers over them; the HTTP function
// doc, "问题分析").
//
// # Differences from the platform
//
//   - A web function listens on 127.0.0.1 and a free port given in
//     FAAS_ADDR, which the anyfaas adapter prefers to SCF's fixed
//     0.0.0.0:9000; a server that ignores FAAS_ADDR is not reached.
//   - The Go runtime's server listens where the binary says: the anyfaas
//     adapter, as scf-go-lib, binds 0.0.0.0:$_LAMBDA_SERVER_PORT.
//   - SCF documents no shutdown signal; Close sends SIGTERM and kills the
//     process after a grace period.
package scf
