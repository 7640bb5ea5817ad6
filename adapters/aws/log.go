package aws

import (
	"github.com/anyfaas/faas/internal/lambdalog"
	"github.com/anyfaas/faas/internal/platformlog"
)

func init() { platformlog.Register(logShape) }

// logShape gives the App's default logger Lambda's JSON log format
// (lambdalog.ReplaceAttr) where the function's log format is JSON, as
// anyfaas's SAM template sets it: Lambda then filters its lines by the
// function's ApplicationLogLevel, which it cannot with log/slog's "time".
func logShape(getenv func(string) string) platformlog.ReplaceFunc {
	if !lambdalog.JSON(getenv) {
		return nil
	}
	return lambdalog.ReplaceAttr
}
