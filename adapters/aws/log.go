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
// The caller's attributes named as the line's own keys are renamed
// (lambdalog.Handler: "msg" becomes "fields.msg"), so that no line holds a
// key twice for Lambda to read the wrong one of.
// That level (AWS_LAMBDA_LOG_LEVEL) is the default logger's and the
// logging layer's where FAAS_LOG_LEVEL names none, so that a function
// set to DEBUG on Lambda writes its debug lines.
func logShape(getenv func(string) string) (platformlog.Format, bool) {
	if !lambdalog.JSON(getenv) {
		return platformlog.Format{}, false
	}
	f := platformlog.Format{ReplaceAttr: lambdalog.ReplaceAttr, Wrap: lambdalog.Handler}
	f.Level, f.LevelSet = lambdalog.EnvLevel(getenv)
	return f, true
}
