package scf

import (
	"log/slog"

	"github.com/anyfaas/faas/internal/redact"
)

// LogValue makes a logged Context safe to keep: slog records it with the
// values of the credentials in its Environment (TENCENTCLOUD_SECRETID,
// TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN and the like) and in
// its client's environment masked.
func (c *Context) LogValue() slog.Value {
	if c == nil {
		return slog.AnyValue(nil)
	}
	client := c.ClientContext
	client.Env, client.Custom = redact.Map(client.Env), redact.Map(client.Custom)
	return slog.GroupValue(
		slog.String("request_id", c.RequestID),
		slog.String("invoked_function_unique", c.InvokedFunctionUnique),
		slog.Any("client_context", client),
		slog.String("namespace", c.Namespace),
		slog.String("function_name", c.FunctionName),
		slog.String("function_version", c.FunctionVersion),
		slog.Int("memory_limit_in_mb", int(c.MemoryLimitInMb)),
		slog.Int("time_limit_in_ms", int(c.TimeLimitInMs)),
		slog.Any("environment", redact.Map(c.Environment)),
		slog.String("region", c.TencentcloudRegion),
		slog.String("app_id", c.TencentcloudAppID),
		slog.String("uin", c.TencentcloudUin),
		slog.String("function_trace", c.FunctionTrace),
		slog.String("trace_id", c.TraceID),
	)
}
