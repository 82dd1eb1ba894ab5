package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// noop answers every step instantly, so a run measures orchestration alone.
type noop struct{}

func (noop) Scan(context.Context, activities.ScanRequest) (*activities.ScanResult, error) {
	return &activities.ScanResult{Project: "p", ResultRef: "r"}, nil
}
func (noop) RecordScan(context.Context, activities.RecordScanRequest) error { return nil }
func (noop) Normalize(context.Context, activities.NormalizeRequest) (*activities.NormalizeResult, error) {
	return &activities.NormalizeResult{InventoryRef: "i"}, nil
}
func (noop) Embed(context.Context, activities.EmbedRequest) (*activities.EmbedResult, error) {
	return &activities.EmbedResult{}, nil
}
func (noop) BuildBOM(context.Context, activities.BuildBOMRequest) (*activities.BuildBOMResult, error) {
	return &activities.BuildBOMResult{Version: 1, Created: true}, nil
}
func (noop) Diff(context.Context, activities.DiffRequest) (*activities.DiffResult, error) {
	return &activities.DiffResult{To: 1}, nil
}
func (noop) EvaluatePolicy(context.Context, activities.PolicyRequest) (*activities.PolicyResult, error) {
	return &activities.PolicyResult{Verdict: "pass", DecisionRef: "d"}, nil
}
func (noop) Notify(context.Context, activities.NotifyRequest) (*activities.NotifyResult, error) {
	return &activities.NotifyResult{}, nil
}

// OneActivity is the baseline: a workflow that runs one no-op activity.
func OneActivity(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	return workflow.ExecuteActivity(ctx, "Embed", activities.EmbedRequest{}).Get(ctx, nil)
}

// BenchmarkOrchestrationOverhead runs the whole ScanWorkflow with no-op
// activities on a real dev server and reports ms per run and per step,
// against a one-activity workflow as the round-trip baseline.
func BenchmarkOrchestrationOverhead(b *testing.B) {
	srv := devserver.Start(b)
	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: quietLogger{}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workers.RegisterWorkflows(w)
	w.RegisterWorkflowWithOptions(OneActivity, workflow.RegisterOptions{Name: "OneActivity"})
	w.RegisterActivityWithOptions(&noop{}, activity.RegisterOptions{})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	ctx := context.Background()
	runOnce := func(name string, i int, args ...any) time.Duration {
		start := time.Now()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d-%d", name, b.N, i), TaskQueue: workflows.TaskQueue}, name, args...)
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	// Warm up connections and caches.
	runOnce("OneActivity", -1)
	runOnce(workflows.ScanWorkflowName, -1, workflows.ScanInput{Source: "/x", Project: "p"})

	var base, full time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base += runOnce("OneActivity", i)
		full += runOnce(workflows.ScanWorkflowName, i, workflows.ScanInput{Source: "/x", Project: "p"})
	}
	n := float64(b.N)
	steps := float64(len(workflows.Steps))
	b.ReportMetric(float64(base.Microseconds())/n/1000, "ms/one-activity-workflow")
	b.ReportMetric(float64(full.Microseconds())/n/1000, "ms/scan-pipeline")
	b.ReportMetric(float64(full.Microseconds())/n/1000/steps, "ms/step")
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
