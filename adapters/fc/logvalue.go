package fc

import (
	"log/slog"

	"github.com/anyfaas/faas/internal/redact"
)

// LogValue makes a logged Context safe to keep: slog records it without
// the credentials, whose values are masked, as are those of the
// x-fc-access-key-* and x-fc-security-token headers.
func (c *Context) LogValue() slog.Value {
	if c == nil {
		return slog.AnyValue(nil)
	}
	masked := func(s string) string {
		if s == "" {
			return ""
		}
		return redact.Mask
	}
	return slog.GroupValue(
		slog.String("request_id", c.RequestID),
		slog.Group("credentials",
			slog.String("access_key_id", masked(c.Credentials.AccessKeyID)),
			slog.String("access_key_secret", masked(c.Credentials.AccessKeySecret)),
			slog.String("security_token", masked(c.Credentials.SecurityToken)),
		),
		slog.Any("function", c.Function),
		slog.Any("service", c.Service),
		slog.String("region", c.Region),
		slog.String("account_id", c.AccountID),
		slog.Int("retry_count", c.RetryCount),
		slog.Time("deadline", c.Deadline),
		slog.Any("header", map[string][]string(redact.Header(c.Header))),
	)
}
