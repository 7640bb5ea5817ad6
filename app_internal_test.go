package faas

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"testing"
)

// A Close that arrives while the App is starting wins: the App does not
// serve afterwards.
func TestCloseDuringStart(t *testing.T) {
	app := New(WithLogger(slog.New(slog.DiscardHandler)))
	closeDone := make(chan error, 1)
	app.Use(Layer{Name: "l", FunctionStart: func(context.Context) error {
		go func() { closeDone <- app.Close(context.Background()) }()
		for !app.closed.Load() { // Close has begun and waits for the start
			runtime.Gosched()
		}
		return nil
	}})
	app.Func("a", HandlerFunc(func(*Context, any) (any, error) { return "served", nil }))
	if err := app.Start(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Start = %v, want ErrClosed", err)
	}
	if err := <-closeDone; err != nil {
		t.Fatal(err)
	}
	ctx := app.NewContext(context.Background(), Invocation{Event: &TimerEvent{}})
	if v, err := app.Invoke(ctx, &TimerEvent{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, %v; want ErrClosed", v, err)
	}
}
