package aws

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/anyfaas/faas"
	awsadapter "github.com/anyfaas/faas/adapters/aws"
)

// The Input written for a timer's payload reaches the handler, through the
// aws adapter, as a timer event with that payload.
func TestScheduleInputReachesTheHandler(t *testing.T) {
	for _, payload := range []string{"tick", `{"full":true}`, "quotes \" and \\ slashes"} {
		var got *faas.TimerEvent
		app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
		app.Func("nightly", func(_ *faas.Context, event any) (any, error) {
			got, _ = event.(*faas.TimerEvent)
			return nil, nil
		})
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"})
		if _, err := awsadapter.NewHandler(app).Invoke(ctx, []byte(scheduleInput("weekly", payload))); err != nil {
			t.Fatal(err)
		}
		if got == nil || got.Payload != payload || got.Name != "weekly" {
			t.Errorf("payload %q: the handler got %+v", payload, got)
		}
	}
}
