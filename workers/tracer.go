package workers

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/mlbom/autopilot/internal/runtime"
	"github.com/mlbom/autopilot/workflows"
)

// TracerSender delivers the agent's batches as runtime-events signals to the
// node's TracerWorkflow (ID tracer/<node>), starting it when it is not
// running (SignalWithStart), so an agent needs no set-up on the server.
type TracerSender struct {
	Client    client.Client
	TaskQueue string
	// FlushEvery is passed to a workflow this sender starts ("" = default).
	FlushEvery string
}

// Send implements runtime.Sender.
func (s *TracerSender) Send(ctx context.Context, b runtime.Batch) error {
	id := workflows.TracerIDPrefix + b.Node
	_, err := s.Client.SignalWithStartWorkflow(ctx, id, workflows.RuntimeEventsSignal, b,
		client.StartWorkflowOptions{ID: id, TaskQueue: s.TaskQueue},
		workflows.TracerWorkflowName, workflows.TracerInput{Node: b.Node, FlushEvery: s.FlushEvery})
	if err != nil {
		return fmt.Errorf("signal %s: %w", id, err)
	}
	return nil
}
