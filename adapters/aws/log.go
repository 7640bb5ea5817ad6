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
// That level (AWS_LAMBDA_LOG_LEVEL) is the default logger's and the
// logging layer's where FAAS_LOG_LEVEL names none, so that a function
// set to DEBUG on Lambda writes its debug lines.
func logShape(getenv func(string) string) (platformlog.Format, bool) {
	if !lambdalog.JSON(getenv) {
		return platformlog.Format{}, false
	}
	f := platformlog.Format{ReplaceAttr: lambdalog.ReplaceAttr}
	f.Level, f.LevelSet = lambdalog.EnvLevel(getenv)
	return f, true
}
