package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
)

// a names the activities the tests mock, as the workflow does.
var a *activities.Activities

// fakeSteps wires every activity to canned results so a test can override
// the one it is about.
type fakeSteps struct {
	env        *testsuite.TestWorkflowEnvironment
	exceptions []activities.Exception
	policyRuns int
	approvals  []activities.RecordApprovalsRequest
}

// newEnv registers acts (real activities) or, by default, an empty struct
// whose methods the tests mock.
func newEnv(t *testing.T, acts ...*activities.Activities) (*testsuite.TestWorkflowEnvironment, *fakeSteps) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ScanWorkflow, workflow.RegisterOptions{Name: ScanWorkflowName})
	reg := &activities.Activities{}
	if len(acts) > 0 {
		reg = acts[0]
	}
	env.RegisterActivity(reg)
	return env, &fakeSteps{env: env}
}

// mockAll mocks every step except those in skip (activity method values).
func (f *fakeSteps) mockAll(skip ...any) {
	skipped := map[string]bool{}
	for _, fn := range skip {
		skipped[activityName(fn)] = true
	}
	on := func(fn any, ret ...any) {
		if !skipped[activityName(fn)] {
			f.env.OnActivity(fn, mock.Anything, mock.Anything).Return(ret...)
		}
	}
	on(a.Scan, &activities.ScanResult{Project: "demo", Kind: "git", Commit: "abc123", Files: 12, Findings: 7, ResultRef: "r-scan", Weights: 1}, nil)
	on(a.RecordScan, nil)
	on(a.Normalize, &activities.NormalizeResult{InventoryRef: "r-inv", Components: 4, Assets: map[string]int{"model": 2, "weights": 1, "service": 1}}, nil)
	on(a.Embed, &activities.EmbedResult{VectorsRef: "r-vec", Documents: 4, Embedder: "offline", Dim: 256}, nil)
	on(a.BuildBOM, &activities.BuildBOMResult{Version: 3, Created: true, Components: 4}, nil)
	on(a.Diff, &activities.DiffResult{From: 2, To: 3, Added: 1, DiffRef: "r-diff"}, nil)
	if !skipped["EvaluatePolicy"] {
		f.env.OnActivity(a.EvaluatePolicy, mock.Anything, mock.Anything).Return(
			func(_ context.Context, req activities.PolicyRequest) (*activities.PolicyResult, error) {
				f.policyRuns++
				if f.policyRuns == 1 && len(f.exceptions) > 0 {
					return &activities.PolicyResult{Verdict: "deny", Findings: len(f.exceptions), DecisionRef: "r-dec", Exceptions: f.exceptions}, nil
				}
				return &activities.PolicyResult{Verdict: "pass", DecisionRef: "r-dec2", Waived: len(f.approvals)}, nil
			})
	}
	if !skipped["RecordApprovals"] {
		f.env.OnActivity(a.RecordApprovals, mock.Anything, mock.Anything).Return(
			func(_ context.Context, req activities.RecordApprovalsRequest) error {
				f.approvals = append(f.approvals, req)
				return nil
			}).Maybe()
	}
	on(a.Notify, &activities.NotifyResult{Recorded: 0, Channels: []string{"record"}}, nil)
}

var input = ScanInput{Source: "/repos/demo", Project: "demo"}

func TestScanWorkflowHappyPath(t *testing.T) {
	env, f := newEnv(t)
	f.mockAll()
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, 3, sum.Version)
	require.Equal(t, "pass", sum.Verdict)
	require.Equal(t, map[string]int{"model": 2, "weights": 1, "service": 1}, sum.Assets)
	require.Equal(t, 1, sum.Diff.Added)
	require.Equal(t, "abc123", sum.Commit)
	env.AssertExpectations(t)
}

func TestScanWorkflowRetriesTransientFailures(t *testing.T) {
	env, f := newEnv(t)
	f.mockAll(a.Normalize)
	calls := 0
	env.OnActivity(a.Normalize, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.NormalizeRequest) (*activities.NormalizeResult, error) {
			calls++
			if calls <= 2 {
				return nil, errors.New("database is locked")
			}
			require.Equal(t, "r-scan", req.ResultRef)
			return &activities.NormalizeResult{InventoryRef: "r-inv", Components: 1, Assets: map[string]int{"model": 1}}, nil
		})
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 3, calls, "two failures then a success")
}

func TestScanWorkflowNonRetryableFailsFast(t *testing.T) {
	env, f := newEnv(t)
	f.mockAll(a.Scan)
	calls := 0
	env.OnActivity(a.Scan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.ScanRequest) (*activities.ScanResult, error) {
			calls++
			return nil, temporal.NewNonRetryableApplicationError("scan: open /nope: no such directory", activities.ErrTypeInvalidSource, nil)
		})
	env.ExecuteWorkflow(ScanWorkflow, input)
	err := env.GetWorkflowError()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	require.Equal(t, activities.ErrTypeInvalidSource, appErr.Type())
	require.Equal(t, 1, calls, "a non-retryable error is not retried")
}

func TestScanWorkflowRejectsBadInput(t *testing.T) {
	env, _ := newEnv(t)
	env.ExecuteWorkflow(ScanWorkflow, ScanInput{Project: "x"})
	err := env.GetWorkflowError()
	require.ErrorContains(t, err, "input needs a source")
}

// A source with credentials (started with plain `temporal workflow start`)
// fails at once, before any activity input, scan row or BOM could copy it.
func TestScanWorkflowRejectsCredentialsInSource(t *testing.T) {
	const secret = "Sup3r-s3cret-pass"
	for _, src := range []string{
		"https://alice:" + secret + "@git.example.com/acme/app.git",
		"https://git.example.com/acme/app.git?private_token=" + secret,
	} {
		env, _ := newEnv(t)
		env.ExecuteWorkflow(ScanWorkflow, ScanInput{Source: src, Project: "x"})
		err := env.GetWorkflowError()
		require.ErrorContains(t, err, "carries credentials")
		require.ErrorContains(t, err, "MLBOM_GIT_TOKEN")
		require.NotContains(t, err.Error(), secret)
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr))
		require.Equal(t, activities.ErrTypeInvalidInput, appErr.Type())
	}
}

func TestProgressQueryWhileWaitingForApproval(t *testing.T) {
	env, f := newEnv(t)
	f.exceptions = []activities.Exception{{Component: "pkg:huggingface/meta-llama/Llama-3.1-8B", License: "LicenseRef-llama3.1", FindingID: "f1"}}
	f.mockAll()
	var during Progress
	env.RegisterDelayedCallback(func() {
		res, err := env.QueryWorkflow(ProgressQuery)
		require.NoError(t, err)
		require.NoError(t, res.Get(&during))
		env.SignalWorkflow(LicenseExceptionSignal, ExceptionSignal{Decision: "approve", Component: f.exceptions[0].Component, Approver: "alice", Reason: "legal reviewed"})
	}, time.Hour)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "EvaluatePolicy", during.Step)
	require.Equal(t, "demo", during.Project)
	require.Equal(t, 12, during.Files)
	require.Equal(t, 7, during.Sightings, "discovery's count, from a result recorded with the old field name")
	require.Equal(t, during.Sightings, during.Findings, "the old name says the same for one release")
	require.Equal(t, 3, during.Version)
	require.Len(t, during.WaitingFor, 1)

	res, err := env.QueryWorkflow(ProgressQuery)
	require.NoError(t, err)
	var after Progress
	require.NoError(t, res.Get(&after))
	require.Equal(t, "Done", after.Step)
	require.Empty(t, after.WaitingFor)
}

func TestLicenseExceptionApprove(t *testing.T) {
	env, f := newEnv(t)
	comp := "pkg:huggingface/meta-llama/Llama-3.1-8B"
	f.exceptions = []activities.Exception{{Component: comp, License: "LicenseRef-llama3.1", FindingID: "f1"}}
	f.mockAll()
	env.RegisterDelayedCallback(func() {
		// A malformed signal is ignored, not fatal.
		env.SignalWorkflow(LicenseExceptionSignal, ExceptionSignal{Decision: "maybe", Component: comp, Approver: "bob"})
		env.SignalWorkflow(LicenseExceptionSignal, ExceptionSignal{Decision: "approve", Component: comp, Approver: "alice", Reason: "legal reviewed", Expires: "2027-01-01T00:00:00Z"})
	}, 2*time.Hour)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, "pass", sum.Verdict, "re-evaluated with the approval on record")
	require.Equal(t, 2, f.policyRuns)
	require.Len(t, f.approvals, 1)
	d := f.approvals[0].Decisions[0]
	require.Equal(t, "approve", d.Decision)
	require.Equal(t, "alice", d.Approver)
	require.Equal(t, "LicenseRef-llama3.1", d.License)
	require.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), d.Expires.UTC())
	require.Equal(t, []ExceptionOutcome{{Exception: f.exceptions[0], Decision: "approve", Approver: "alice", Reason: "legal reviewed"}}, sum.Exceptions)
}

func TestLicenseExceptionReject(t *testing.T) {
	env, f := newEnv(t)
	comp := "pkg:huggingface/org/nc-model"
	f.exceptions = []activities.Exception{{Component: comp, License: "CC-BY-NC-4.0", FindingID: "f1"}}
	f.mockAll(a.EvaluatePolicy)
	runs := 0
	env.OnActivity(a.EvaluatePolicy, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.PolicyRequest) (*activities.PolicyResult, error) {
			runs++
			// A rejection is on record, nothing is waived: still deny, no new exception asked.
			if runs == 1 {
				return &activities.PolicyResult{Verdict: "deny", Findings: 1, DecisionRef: "d", Exceptions: f.exceptions}, nil
			}
			return &activities.PolicyResult{Verdict: "deny", Findings: 1, DecisionRef: "d2"}, nil
		})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(LicenseExceptionSignal, ExceptionSignal{Decision: "reject", Component: comp, Approver: "carol", Reason: "non-commercial"})
	}, time.Minute)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, "deny", sum.Verdict)
	require.Equal(t, 1, sum.PolicyFindings)
	require.Equal(t, sum.PolicyFindings, sum.Findings, "the old name says the same for one release")
	require.Equal(t, "reject", sum.Exceptions[0].Decision)
	require.Equal(t, "reject", f.approvals[0].Decisions[0].Decision)
}

func TestLicenseExceptionTimeout(t *testing.T) {
	env, f := newEnv(t)
	f.exceptions = []activities.Exception{{Component: "pkg:huggingface/org/m", License: "LicenseRef-llama3", FindingID: "f1"}}
	f.mockAll()
	in := input
	in.Options.ApprovalTimeout = "1h"
	env.ExecuteWorkflow(ScanWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, "deny", sum.Verdict, "an unanswered exception counts as rejected")
	require.Equal(t, "timeout", sum.Exceptions[0].Decision)
	// The timeout is recorded with the scan's version (the store keeps it
	// off the record later scans reuse, so the next scan asks again); with
	// no approval there is nothing to judge again.
	require.Len(t, f.approvals, 1)
	got := f.approvals[0].Decisions
	require.Len(t, got, 1)
	require.Equal(t, "timeout", got[0].Decision)
	require.Equal(t, "pkg:huggingface/org/m", got[0].Component)
	require.Equal(t, "LicenseRef-llama3", got[0].License)
	require.Equal(t, "no decision within the approval timeout of 1h0m0s", got[0].Reason)
	require.False(t, got[0].At.IsZero())
	require.Equal(t, 1, f.policyRuns)
}

func TestStoredApprovalIsReused(t *testing.T) {
	// A second scan of the same component: the store has the approval, the
	// policy waives the finding, and the workflow does not wait at all.
	env, f := newEnv(t)
	f.mockAll(a.EvaluatePolicy)
	env.OnActivity(a.EvaluatePolicy, mock.Anything, mock.Anything).Return(&activities.PolicyResult{Verdict: "pass", Waived: 1, DecisionRef: "d"}, nil)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, 1, sum.Waived)
	require.Empty(t, sum.Exceptions)
}

func TestRecordScanCarriesRunIdentity(t *testing.T) {
	env, f := newEnv(t)
	f.mockAll(a.RecordScan)
	var recs []activities.ScanRow
	var summary any
	env.OnActivity(a.RecordScan, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.RecordScanRequest) error {
		recs = append(recs, r.Scan)
		if r.Summary != nil {
			summary = r.Summary
		}
		return nil
	})
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, recs, 2)
	require.Equal(t, "running", recs[0].Status)
	require.Equal(t, "completed", recs[1].Status)
	require.Equal(t, 3, recs[1].Version)
	require.NotEmpty(t, recs[1].ID)
	require.NotNil(t, summary, "the finished scan carries its summary")
}

func TestLicenseExceptionTimeoutIsEscalated(t *testing.T) {
	env, f := newEnv(t)
	f.exceptions = []activities.Exception{{Component: "pkg:huggingface/org/m", License: "LicenseRef-llama3", FindingID: "f1"}}
	f.mockAll(a.Notify)
	var got activities.NotifyRequest
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.NotifyRequest) (*activities.NotifyResult, error) {
		got = req
		return &activities.NotifyResult{Sent: 1}, nil
	})
	in := input
	in.Options.ApprovalTimeout = "30m"
	env.ExecuteWorkflow(ScanWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, f.exceptions, got.Escalations)
}

func TestOneDecisionCoversEveryLicenseOfAComponent(t *testing.T) {
	env, f := newEnv(t)
	comp := "pkg:huggingface/org/dual"
	f.exceptions = []activities.Exception{
		{Component: comp, License: "CC-BY-NC-4.0", FindingID: "f1"},
		{Component: comp, License: "LicenseRef-llama3", FindingID: "f2"},
	}
	f.mockAll()
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(LicenseExceptionSignal, ExceptionSignal{Decision: "approve", Component: comp, Approver: "dana", Reason: "contract 7"})
	}, time.Minute)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, f.approvals, 1)
	var lic []string
	for _, d := range f.approvals[0].Decisions {
		lic = append(lic, d.License)
	}
	require.ElementsMatch(t, []string{"CC-BY-NC-4.0", "LicenseRef-llama3"}, lic)
}
