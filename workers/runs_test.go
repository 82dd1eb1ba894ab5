package workers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// waiting answers like noop, but its first policy evaluation asks a human
// about one component's license; after a decision it passes.
type waiting struct {
	noop
	mu       sync.Mutex
	recorded []activities.ApprovalDecision
}

func (w *waiting) EvaluatePolicy(context.Context, activities.PolicyRequest) (*activities.PolicyResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.recorded) > 0 {
		return &activities.PolicyResult{Verdict: "pass", DecisionRef: "d"}, nil
	}
	return &activities.PolicyResult{Verdict: "warn", Findings: 1, BySeverity: map[string]int{"warn": 1}, DecisionRef: "d",
		Exceptions: []activities.Exception{{Component: "pkg:huggingface/acme/model", License: "unknown", Message: "no license declared"}}}, nil
}

func (w *waiting) RecordApprovals(_ context.Context, r activities.RecordApprovalsRequest) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.recorded = append(w.recorded, r.Decisions...)
	return nil
}

// TestRuns drives the API's Temporal adapter against a real dev server: a
// scan started as the API starts it waits for an exception, shows in the
// pending list, refuses a decision on a component it does not wait for, and
// finishes once the right one is approved, with the token's name as approver.
func TestRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	srv := devserver.Start(t)
	cfg := &config.Config{TemporalAddress: srv.Address, TemporalNamespace: "default", TaskQueue: workflows.TaskQueue, ApprovalTimeout: time.Hour}
	c, err := workers.Dial(cfg, nil)
	require.NoError(t, err)
	defer c.Close()
	acts := &waiting{}
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workers.RegisterWorkflows(w)
	w.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
	require.NoError(t, w.Start())
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runs := workers.NewRuns(c, cfg)
	require.NoError(t, runs.Health(ctx))

	started, err := runs.StartScan(ctx, api.ScanRequest{Source: "https://example.invalid/acme/app.git", StartedBy: "dana"})
	require.NoError(t, err)
	require.Equal(t, "app", started.Project)
	require.Regexp(t, `^scan/app/\d{8}T\d{6}Z$`, started.WorkflowID)
	_, err = runs.StartScan(ctx, api.ScanRequest{Source: "hf://a/b", ID: started.WorkflowID})
	require.ErrorIs(t, err, api.ErrConflict, "a second scan with a running ID")

	// The memo says who started it, for the Temporal UI and the metrics.
	d, err := c.DescribeWorkflowExecution(ctx, started.WorkflowID, started.RunID)
	require.NoError(t, err)
	require.Contains(t, d.GetWorkflowExecutionInfo().GetMemo().GetFields(), workers.MemoStartedBy)

	var pending []api.Pending
	require.Eventually(t, func() bool {
		pending, err = runs.Pending(ctx, "app")
		return err == nil && len(pending) == 1
	}, time.Minute, 200*time.Millisecond, "the scan never waited: %v", err)
	require.Equal(t, "pkg:huggingface/acme/model", pending[0].Component)
	none, err := runs.Pending(ctx, "it's-another-project")
	require.NoError(t, err, "a quote in the project name must not break the query")
	require.Empty(t, none)

	p, err := runs.Progress(ctx, started.WorkflowID, "")
	require.NoError(t, err)
	require.Equal(t, "Running", p.Status)
	require.Equal(t, "EvaluatePolicy", p.Step)
	require.Len(t, p.WaitingFor, 1)

	err = runs.Decide(ctx, api.Decision{WorkflowID: started.WorkflowID, Component: "pkg:other", Decision: "approve", Reason: "r", Approver: "dana"})
	require.ErrorIs(t, err, api.ErrConflict)
	require.NoError(t, runs.Decide(ctx, api.Decision{WorkflowID: started.WorkflowID, Component: "pkg:huggingface/acme/model", Decision: "approve", Reason: "checked with legal", Approver: "dana"}))

	var sum workflows.ScanSummary
	require.NoError(t, c.GetWorkflow(ctx, started.WorkflowID, started.RunID).Get(ctx, &sum))
	require.Equal(t, "pass", sum.Verdict)
	require.Len(t, sum.Exceptions, 1)
	require.Equal(t, "dana", sum.Exceptions[0].Approver)
	require.Equal(t, "approve", sum.Exceptions[0].Decision)

	p, err = runs.Progress(ctx, started.WorkflowID, "")
	require.NoError(t, err)
	require.Equal(t, "Completed", p.Status)
	err = runs.Decide(ctx, api.Decision{WorkflowID: started.WorkflowID, Component: "pkg:huggingface/acme/model", Decision: "approve", Reason: "again", Approver: "dana"})
	require.ErrorIs(t, err, api.ErrConflict, "deciding on a finished scan")
	_, err = runs.Progress(ctx, "scan/nope/1", "")
	require.True(t, errors.Is(err, store.ErrNotFound), "unknown workflow: %v", err)

	// Schedules through the same adapter.
	sc, err := runs.CreateSchedule(ctx, api.NewSchedule{Project: "app", Source: "https://example.invalid/acme/app.git", Cron: "0 3 * * *"})
	require.NoError(t, err)
	require.Equal(t, "mlbom-scan-app", sc.ID)
	_, err = runs.CreateSchedule(ctx, api.NewSchedule{Project: "app", Source: "hf://a/b"})
	require.ErrorIs(t, err, api.ErrConflict)
	list, err := runs.Schedules(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "cron 0 3 * * * UTC", list[0].Spec)
	require.NoError(t, runs.DeleteSchedule(ctx, "app"))
	require.ErrorIs(t, runs.DeleteSchedule(ctx, "app"), store.ErrNotFound)
}
