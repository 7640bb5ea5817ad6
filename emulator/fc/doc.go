// Package fc runs an unchanged, deployable Aliyun Function Compute (FC)
// binary on this machine as FC runs it, in one of FC's two ways of running
// a program:
//
//   - [ModeRuntimeAPI], FC's Go runtime: the binary long-polls the runtime
//     API at FC_RUNTIME_API (GET /2020-11-11/runtime/invocation/next) and
//     posts each result to …/{id}/response or …/{id}/error, as
//     aliyun/fc-runtime-go-sdk does. The emulator serves that API on a
//     loopback port, answering up to Function.Concurrency polls at once.
//   - [ModeCustom], a custom runtime or custom container: the binary serves
//     HTTP on the port FC_CUSTOM_LISTEN_PORT (FC 3.0) and FC_SERVER_PORT
//     (FC 2.0) name; the emulator sends events to POST /invoke, the
//     lifecycle hooks to POST /initialize, GET /pre-freeze and GET
//     /pre-stop, and passes HTTP requests through, each marked with the
//     x-fc-control-path header as FC marks them.
//
// Either way the process gets FC's environment (FC_FUNCTION_NAME,
// FC_FUNCTION_HANDLER, FC_FUNCTION_MEMORY_SIZE, FC_REGION, FC_ACCOUNT_ID,
// FC_INSTANCE_ID, FC_FUNC_CODE_PATH, ALIBABA_CLOUD_* credentials…) and each
// invocation FC's x-fc-* headers. The emulator enforces the function's
// timeout and FC's 32 MB limits, kills and restarts a process that timed
// out or died, reports failures in FC's error JSON, and writes FC's log
// lines ("FC Invoke Start RequestId: …", "FC Invoke End RequestId: …" and
// the "Duration: …, Billed Duration: …, Memory Size: …, Max Memory Used: …"
// summary) to Function.Log with the process's own output.
//
// Facts the emulator rests on, and where they come from:
//
//   - The runtime API, its headers and the function types 0 (handler), 1
//     (initializer), 2 (preStop), 3 (preFreeze): aliyun/fc-runtime-go-sdk
//     fc/runtime_api_client.go and fc/invoke_loop.go; the log lines of
//     hooks and invocations: the same SDK's fc/function.go (printStartLog,
//     printEndLog), which a custom runtime's logs on FC repeat.
//   - The custom runtime contract (paths, x-fc-control-path, x-fc-status:
//     404 reports a failure, a hook's 5xx restarts the instance): FC's
//     "custom runtime" specification and lifecycle hooks pages, and
//     aliyun/fc-docker commons/mocker/main.go and
//     commons/function-compute-mock-2.0.sh, which send those requests with
//     Content-Type: application/octet-stream.
//   - Defaults: a 3 s timeout, 128 MB of memory and a 3 s initializer
//     timeout (ROS Aliyun::Serverless::Function, "Timeout … Default value:
//     3", "MemorySize … Default value: 128", "InitializationTimeout …
//     Default value: 3"; fc-docker's mock uses the same: timeout=3,
//     memory=128); an instance concurrency of 1 (FC's instanceConcurrency
//     default).
//   - Failures: a function's error is FC's error JSON
//     {"errorMessage","errorType","stackTrace"} with the response header
//     X-Fc-Error-Type: UnhandledInvocationError (FC "Error handling"
//     pages); a timeout is {"errorMessage":"Function timed out after 30
//     seconds (maxMemoryUsage: 47.28MB)"} (reported from FC in
//     dyc87112/OpenAIProxy issue #3); a process that died is
//     {"errorMessage":"Process exited unexpectedly before completing
//     request (duration: 12ms, maxMemoryUsage: 0MB)"} (FC "Error handling"
//     for Node.js), which an HTTP request receives with status 502 (FC FAQ
//     "What do I do if a 502 error that contains the 'Process exited
//     unexpectedly before completing request' message is returned?").
//   - Billing: by the millisecond, rounded up: "Duration: 16.81 ms, Billed
//     Duration: 17 ms, Memory Size: 128 MB, Max Memory Used: 52.32 MB" in
//     the logs Serverless Devs prints after "FC Invoke End RequestId: …"
//     (awesome-fc/code-example, java/java11-blank-pojo-event/README.md and
//     others); fc-docker's mock prints the same fields.
//   - Request ids: FC 3.0's form, 1-<8 hex: epoch seconds>-<8 hex>-<12 hex>,
//     as in "FC Invoke Start RequestId: 1-65dd9ece-123e1745-e6b2fe71423f";
//     instance ids c-<8 hex: epoch seconds>-<20 hex>.
//   - Limits: 32 MB for a synchronous invocation's request and response
//     (FC 3.0 "Limits").
//   - The FC 3.0 HTTP trigger's event and response, for built-in runtimes:
//     FC's "Use an HTTP trigger to invoke a function" page and
//     fc-runtime-go-sdk events/http.go.
package fc
