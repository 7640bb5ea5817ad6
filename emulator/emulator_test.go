package emulator

import (
	"context"
	"testing"
)

func TestWithFunction(t *testing.T) {
	if got := FunctionOf(context.Background()); got != "" {
		t.Errorf("FunctionOf(Background) = %q", got)
	}
	if got := FunctionOf(WithFunction(context.Background(), "purge")); got != "purge" {
		t.Errorf("FunctionOf = %q, want purge", got)
	}
	err := &FunctionError{Type: "Runtime.ExitError", Message: "exit status 2"}
	if err.Error() != "Runtime.ExitError: exit status 2" || (&FunctionError{Message: "m"}).Error() != "m" {
		t.Errorf("FunctionError.Error = %q", err.Error())
	}
}
