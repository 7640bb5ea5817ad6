package aws

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/anyfaas/faas"
	awsadapter "github.com/anyfaas/faas/adapters/aws"
)

// The Input written for a timer's payload, or for its name in a unit of
// several timer functions, reaches the handler through the aws adapter as
// a timer event with that payload and name, and the App routes it by the
// name to the function whose manifest trigger has it as its source.
func TestScheduleInputReachesTheHandler(t *testing.T) {
	tests := []struct {
		name, payload string
		routed        bool
		wantFn        string
	}{
		{"weekly-timer", "tick", false, "weekly"},
		{"weekly-timer", `{"full":true}`, true, "weekly"},
		{"nightly-timer", "quotes \" and \\ slashes", false, "nightly"},
		{"nightly-timer", "", true, "nightly"},
		{"weekly-timer-2", "", true, "weekly"},
	}
	for _, tt := range tests {
		var got *faas.TimerEvent
		var served string
		app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithManifest(&faas.Manifest{Unit: "all", Functions: []faas.ManifestFunction{
			{Name: "nightly", Handler: "h", Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerTimer, Schedule: "0 3 * * *", Source: "nightly-timer"}}},
			{Name: "weekly", Handler: "h", Triggers: []faas.TriggerSpec{
				{Trigger: faas.TriggerTimer, Schedule: "0 4 * * 1", Source: "weekly-timer"},
				{Trigger: faas.TriggerTimer, Schedule: "0 5 * * 1", Source: "weekly-timer-2"},
			}},
		}}))
		app.Func("h", func(ctx *faas.Context, event any) (any, error) {
			got, _ = event.(*faas.TimerEvent)
			served = ctx.FunctionName()
			return nil, nil
		})
		in := scheduleInput(tt.name, tt.payload, tt.routed)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"})
		if _, err := awsadapter.NewHandler(app).Invoke(ctx, []byte(in)); err != nil {
			t.Fatalf("Input %s: %v", in, err)
		}
		if got == nil || got.Payload != tt.payload || got.Name != tt.name || served != tt.wantFn {
			t.Errorf("Input %s: %s got %+v, want %s a payload %q", in, served, got, tt.wantFn, tt.payload)
		}
	}
	if in := scheduleInput("nightly-timer", "", false); in != "" {
		t.Errorf("a timer of neither payload nor routing has the Input %s, want none", in)
	}
}
