package faas

import (
	"log/slog"

	"github.com/anyfaas/faas/internal/redact"
)

// LogValue makes a logged request safe to keep: slog records its method,
// path, query, headers, path parameters, host, client address and the size
// of its body, with the values of credentials masked — Authorization,
// cookies, API keys and tokens, the x-fc-access-key-* and
// x-fc-security-token headers FC adds — and never the body itself.
func (r *HTTPRequest) LogValue() slog.Value {
	if r == nil {
		return slog.AnyValue(nil)
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.Path),
	}
	if len(r.Query) > 0 {
		attrs = append(attrs, slog.Any("query", map[string][]string(redact.Query(r.Query))))
	}
	if len(r.Header) > 0 {
		attrs = append(attrs, slog.Any("header", map[string][]string(redact.Header(r.Header))))
	}
	if len(r.PathParams) > 0 {
		attrs = append(attrs, slog.Any("params", r.PathParams))
	}
	attrs = append(attrs,
		slog.String("host", r.Host),
		slog.String("source_ip", r.SourceIP),
		slog.Int("body_bytes", len(r.Body)),
	)
	return slog.GroupValue(attrs...)
}
