// Package workers wires configuration into dependencies and registers the
// workflows and activities on their task queue.
package workers

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/workflows"
)

// Registry is what both a worker and a replayer offer.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// WorkflowRegistry is the part a replayer offers.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its public name; the worker
// and the replay test call this same function.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.ScanWorkflow, workflow.RegisterOptions{Name: workflows.ScanWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.TracerWorkflow, workflow.RegisterOptions{Name: workflows.TracerWorkflowName})
}

// Register registers workflows and the activity methods of acts (by method
// name: Scan, Normalize, Embed, BuildBOM, Diff, EvaluatePolicy, Notify, ...).
func Register(r Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
}
