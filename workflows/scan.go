package workflows

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
)

// Search attribute keys the workflow sets so the Temporal UI can filter runs.
var (
	ProjectKey = temporal.NewSearchAttributeKeyKeyword(SearchAttributeProject)
	VerdictKey = temporal.NewSearchAttributeKeyKeyword(SearchAttributeVerdict)
)

// DefaultApprovalTimeout applies when neither the input nor the worker says.
const DefaultApprovalTimeout = 72 * time.Hour

// stepOptions are the timeouts and retry policy of each step. Steps that only
// read and write the store are short; Scan clones and hashes, so it is long
// and heartbeats.
func stepOptions(step string) workflow.ActivityOptions {
	retry := &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	}
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		// Activities heartbeat every few seconds (activities.HeartbeatInterval),
		// so a dead worker is noticed quickly and the step is retried elsewhere.
		HeartbeatTimeout: 5 * activities.HeartbeatInterval,
		RetryPolicy:      retry,
		Summary:          step,
	}
	switch step {
	case "Scan":
		opts.StartToCloseTimeout = 2 * time.Hour
		retry.MaximumAttempts = 10
	case "Embed":
		// Remote embedding endpoints can be slow and rate limited.
		opts.StartToCloseTimeout = 30 * time.Minute
	}
	return opts
}

// ScanWorkflow runs one scan: Scan → Normalize → Embed → BuildBOM → Diff →
// EvaluatePolicy → Notify, waiting for license-exception signals when a
// license finding may be waived.
func ScanWorkflow(ctx workflow.Context, in ScanInput) (*ScanSummary, error) {
	info := workflow.GetInfo(ctx)
	if err := in.validate(); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrTypeInvalidInput, nil)
	}
	x := &temporalExecutor{ctx: ctx}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return x.last, nil }); err != nil {
		return nil, err
	}
	x.last = Progress{Step: "Scan", Steps: Steps, Project: in.Project}

	timeout := DefaultApprovalTimeout
	if in.Options.ApprovalTimeout != "" {
		timeout, _ = time.ParseDuration(in.Options.ApprovalTimeout) // validated above
	}
	// A scan is one run: a workflow ID used again (a nightly job with a fixed
	// ID) is a new scan and a new version, while retries within the run keep
	// the same scan ID and so never store a second version.
	scanID := info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID
	// A nil *Activities: its method values only name the activities; the
	// worker runs the registered ones.
	var acts *activities.Activities
	sum, err := pipeline(x, acts, scanID, info.WorkflowExecution.RunID, "", in, timeout)
	if err != nil {
		x.last.Error = err.Error()
		x.last.Step = "Failed"
		return nil, err
	}
	return sum, nil
}

type temporalExecutor struct {
	ctx        workflow.Context
	last       Progress
	projectSet bool
	verdictSet bool
}

// localSteps run as local activities: short, idempotent bookkeeping whose
// loss in a crash only means running it again, so it need not cost a round
// trip through the server.
var localSteps = map[string]bool{"RecordScan": true}

func (x *temporalExecutor) exec(step string, fn, in, out any, _ func(context.Context) (any, error)) error {
	var f workflow.Future
	var ctx workflow.Context
	if localSteps[step] {
		ctx = workflow.WithLocalActivityOptions(x.ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			RetryPolicy:         stepOptions(step).RetryPolicy,
		})
		// fn's receiver is nil: the SDK runs the method the worker registered.
		f = workflow.ExecuteLocalActivity(ctx, fn, in)
	} else {
		ctx = workflow.WithActivityOptions(x.ctx, stepOptions(step))
		f = workflow.ExecuteActivity(ctx, fn, in)
	}
	if out == nil {
		return f.Get(ctx, nil)
	}
	return f.Get(ctx, out)
}

func (x *temporalExecutor) now() time.Time { return workflow.Now(x.ctx) }

func (x *temporalExecutor) version(changeID string, max int) int {
	return int(workflow.GetVersion(x.ctx, changeID, workflow.DefaultVersion, workflow.Version(max)))
}

func (x *temporalExecutor) progress(p Progress) {
	x.last = p
	// Search attributes are set once each, as soon as they are known.
	var updates []temporal.SearchAttributeUpdate
	if p.Project != "" && !x.projectSet {
		updates = append(updates, ProjectKey.ValueSet(p.Project))
		x.projectSet = true
	}
	if p.Verdict != "" && !x.verdictSet {
		updates = append(updates, VerdictKey.ValueSet(p.Verdict))
		x.verdictSet = true
	}
	if len(updates) > 0 {
		if err := workflow.UpsertTypedSearchAttributes(x.ctx, updates...); err != nil {
			workflow.GetLogger(x.ctx).Warn("upsert search attributes", "error", err)
		}
	}
}

// awaitExceptions receives license-exception signals until every pending
// exception has a decision or the timeout fires; undecided ones time out.
func (x *temporalExecutor) awaitExceptions(pending []activities.Exception, timeout time.Duration) ([]activities.ApprovalDecision, error) {
	if timeout <= 0 {
		// Not waiting at all: every exception counts as rejected.
		return nil, nil
	}
	ctx := x.ctx
	ch := workflow.GetSignalChannel(ctx, LicenseExceptionSignal)
	// A component may wait for more than one license; one decision covers
	// them all and is recorded per license.
	want := map[string][]activities.Exception{}
	for _, e := range pending {
		want[e.Component] = append(want[e.Component], e)
	}
	var decisions []activities.ApprovalDecision
	decided := map[string]bool{}
	timedOut := false
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(timerCtx, timeout)
	for len(decided) < len(want) && !timedOut {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			var s ExceptionSignal
			c.Receive(ctx, &s)
			ds, err := decisionFrom(s, want, workflow.Now(ctx))
			if err != nil {
				workflow.GetLogger(ctx).Warn("ignoring license-exception signal", "error", err)
				return
			}
			if decided[s.Component] {
				return
			}
			decided[s.Component] = true
			decisions = append(decisions, ds...)
			x.last.WaitingFor = remaining(pending, decided)
		})
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		sel.Select(ctx)
	}
	return decisions, nil
}

func remaining(pending []activities.Exception, decided map[string]bool) []activities.Exception {
	var out []activities.Exception
	for _, e := range pending {
		if !decided[e.Component] {
			out = append(out, e)
		}
	}
	return out
}

// decisionFrom checks a signal against the pending exceptions and returns
// one decision per license the component waits for.
func decisionFrom(s ExceptionSignal, want map[string][]activities.Exception, now time.Time) ([]activities.ApprovalDecision, error) {
	if s.Decision != "approve" && s.Decision != "reject" {
		return nil, fmt.Errorf("decision must be approve or reject, got %q", s.Decision)
	}
	exs, ok := want[s.Component]
	if !ok {
		return nil, fmt.Errorf("component %q has no pending license exception", s.Component)
	}
	if s.Approver == "" {
		return nil, fmt.Errorf("approver is required")
	}
	var expires time.Time
	if s.Expires != "" {
		t, err := time.Parse(time.RFC3339, s.Expires)
		if err != nil {
			return nil, fmt.Errorf("expires: %w", err)
		}
		expires = t
	}
	out := make([]activities.ApprovalDecision, 0, len(exs))
	for _, e := range exs {
		out = append(out, activities.ApprovalDecision{
			Component: s.Component, License: e.License, Decision: s.Decision,
			Approver: s.Approver, Reason: s.Reason, At: now, Expires: expires,
		})
	}
	return out, nil
}
