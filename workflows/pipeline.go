package workflows

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/redact"
)

// ScanSummary is the workflow result (and what `temporal workflow result`
// prints).
type ScanSummary struct {
	Project    string         `json:"project"`
	Source     string         `json:"source"`
	Commit     string         `json:"commit,omitempty"`
	ScanID     string         `json:"scanId"`
	RunID      string         `json:"runId,omitempty"`
	Version    int            `json:"version"`
	Created    bool           `json:"created"`
	Files      int            `json:"files"`
	Assets     map[string]int `json:"assets"`
	Components int            `json:"components"`
	Skipped    int            `json:"skipped"`
	Warnings   []string       `json:"warnings,omitempty"`
	// ModelScan: weight files scanned and judged malicious.
	WeightsScanned  int                   `json:"weightsScanned"`
	Malicious       int                   `json:"malicious"`
	Vulnerabilities int                   `json:"vulnerabilities"`
	Diff            activities.DiffResult `json:"diff"`
	Verdict         string                `json:"verdict"`
	// PolicyFindings: what the policies found (deny, warn, info).
	PolicyFindings int `json:"policyFindings"`
	// Deprecated: Findings is PolicyFindings under its old name; kept for
	// one release.
	Findings   int                     `json:"findings"`
	BySeverity map[string]int          `json:"bySeverity,omitempty"`
	Waived     int                     `json:"waived"`
	Exceptions []ExceptionOutcome      `json:"exceptions,omitempty"`
	Notify     activities.NotifyResult `json:"notify"`
	// Runtime: what the tracer saw of the project, merged into this BOM
	// (declared but never used, used but undeclared).
	Runtime *activities.RuntimeMerge `json:"runtime,omitempty"`
}

// ExceptionOutcome is what became of a license exception request.
type ExceptionOutcome struct {
	activities.Exception
	Decision string `json:"decision"` // approve, reject, timeout
	Approver string `json:"approver,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// executor runs one step. The workflow runs steps as Temporal activities; the
// local mode calls the same activity methods in-process. Keeping the
// sequence in one function means both modes do exactly the same steps.
type executor interface {
	// exec runs the activity registered as name with the request in and
	// decodes its result into out (nil: no result). fn is the activity method
	// value; local calls it in-process. Steps reach exec only through call
	// and do, which keep request and result types tied to the method.
	exec(name string, fn, in, out any, local func(context.Context) (any, error)) error
	// now is the clock (workflow time in the workflow).
	now() time.Time
	// awaitExceptions collects human decisions for pending exceptions.
	awaitExceptions(pending []activities.Exception, timeout time.Duration) ([]activities.ApprovalDecision, error)
	// progress publishes progress.
	progress(p Progress)
	// version is the version of the workflow code at change changeID, up to
	// max: what running workflows recorded (workflow.GetVersion), max for new
	// runs and in-process.
	version(changeID string, max int) int
}

// Changes to the command sequence, for executor.version.
const (
	// changeRecordTimeouts: exceptions nobody decided are recorded too
	// (RecordApprovals runs when only timeouts happened), so the version of
	// the scan that waited shows them.
	changeRecordTimeouts = "record-timeouts"
)

// pipeline is the scan, in order: Scan → Normalize → Embed → BuildBOM →
// Diff → EvaluatePolicy → Notify. a provides the activity methods: nil in the
// workflow (the methods only name the activities), the real dependencies in
// the local runner.
func pipeline(x executor, a *activities.Activities, scanID, runID, runURL string, in ScanInput, approvalTimeout time.Duration) (*ScanSummary, error) {
	p := Progress{Steps: Steps, Project: in.Project}
	step := func(i int) {
		p.Step, p.StepIndex = Steps[i], i
		x.progress(p)
	}
	sum := &ScanSummary{Project: in.Project, Source: in.Source, ScanID: scanID, RunID: runID}
	started := x.now()

	step(0)
	scan, err := call(x, a.Scan, activities.ScanRequest{
		ScanID: scanID, Source: in.Source, Ref: in.Ref, Project: in.Project, FetchWeights: in.Options.FetchWeights,
	})
	if err != nil {
		return nil, err
	}
	sum.Project, sum.Commit, sum.Files, sum.Skipped = scan.Project, scan.Commit, scan.Files, scan.Skipped
	sum.WeightsScanned, sum.Malicious = scan.Weights, scan.Malicious
	// Results recorded before Sightings existed carry the count as Findings.
	p.Project, p.Files, p.Sightings = scan.Project, scan.Files, cmp.Or(scan.Sightings, scan.Findings)
	p.Findings = p.Sightings

	record := activities.ScanRow{ID: scanID, RunID: runID, Project: scan.Project, Source: in.Source, Ref: in.Ref, Commit: scan.Commit, Status: "running", StartedAt: started}
	if err := do(x, a.RecordScan, activities.RecordScanRequest{Scan: record}); err != nil {
		return nil, err
	}

	step(1)
	norm, err := call(x, a.Normalize, activities.NormalizeRequest{Project: scan.Project, ResultRef: scan.ResultRef})
	if err != nil {
		return nil, err
	}
	sum.Assets, sum.Components, sum.Warnings = norm.Assets, norm.Components, norm.Warnings
	p.Assets = norm.Assets

	step(2)
	emb, err := call(x, a.Embed, activities.EmbedRequest{Project: scan.Project, InventoryRef: norm.InventoryRef})
	if err != nil {
		return nil, err
	}

	step(3)
	built, err := call(x, a.BuildBOM, activities.BuildBOMRequest{
		ScanID: scanID, RunID: runID, Project: scan.Project, InventoryRef: norm.InventoryRef, VectorsRef: emb.VectorsRef,
	})
	if err != nil {
		return nil, err
	}
	sum.Version, sum.Created, sum.Vulnerabilities = built.Version, built.Created, built.Vulnerabilities
	sum.Runtime = built.Runtime
	p.Version = built.Version

	step(4)
	if sum.Diff, err = call(x, a.Diff, activities.DiffRequest{Project: scan.Project, Version: built.Version}); err != nil {
		return nil, err
	}

	step(5)
	polReq := activities.PolicyRequest{ScanID: scanID, Project: scan.Project, Version: built.Version, DiffRef: sum.Diff.DiffRef, ResultRef: scan.ResultRef}
	pol, err := call(x, a.EvaluatePolicy, polReq)
	if err != nil {
		return nil, err
	}
	if len(pol.Exceptions) > 0 {
		p.WaitingFor = pol.Exceptions
		x.progress(p)
		decisions, err := x.awaitExceptions(pol.Exceptions, approvalTimeout)
		if err != nil {
			return nil, err
		}
		p.WaitingFor = nil
		sum.Exceptions = outcomes(pol.Exceptions, decisions)
		// Every outcome is part of the scan's BOM version: the decisions,
		// and (workflow code version 1 on) the exceptions nobody decided.
		record := decisions
		if x.version(changeRecordTimeouts, 1) >= 1 {
			record = append(append([]activities.ApprovalDecision(nil), decisions...), timeouts(sum.Exceptions, approvalTimeout, x.now())...)
		}
		if len(record) > 0 {
			if err := do(x, a.RecordApprovals, activities.RecordApprovalsRequest{ScanID: scanID, Project: scan.Project, Decisions: record}); err != nil {
				return nil, err
			}
		}
		if len(decisions) > 0 {
			// Judge again with the new approvals on record.
			if pol, err = call(x, a.EvaluatePolicy, polReq); err != nil {
				return nil, err
			}
		}
	}
	sum.Verdict, sum.PolicyFindings, sum.BySeverity, sum.Waived = pol.Verdict, pol.Findings, pol.BySeverity, pol.Waived
	sum.Findings = sum.PolicyFindings
	p.Verdict = pol.Verdict

	step(6)
	var escalate []activities.Exception
	for _, o := range sum.Exceptions {
		if o.Decision == "timeout" {
			escalate = append(escalate, o.Exception)
		}
	}
	if sum.Notify, err = call(x, a.Notify, activities.NotifyRequest{
		ScanID: scanID, RunID: runID, RunURL: runURL, Project: scan.Project, Version: built.Version,
		DecisionRef: pol.DecisionRef, DryRun: in.Options.DryRun, Escalations: escalate,
	}); err != nil {
		return nil, err
	}

	record.Status, record.Verdict, record.Version, record.EndedAt = "completed", sum.Verdict, sum.Version, x.now()
	// The summary is kept with the scan so the API can show it without
	// asking Temporal.
	if err := do(x, a.RecordScan, activities.RecordScanRequest{Scan: record, Summary: sum}); err != nil {
		return nil, err
	}
	p.Step, p.StepIndex = "Done", len(Steps)
	x.progress(p)
	return sum, nil
}

// outcomes pairs each pending exception with its decision; an exception that
// got none timed out and counts as rejected.
func outcomes(pending []activities.Exception, decisions []activities.ApprovalDecision) []ExceptionOutcome {
	by := map[string]activities.ApprovalDecision{}
	for _, d := range decisions {
		by[d.Component] = d
	}
	out := make([]ExceptionOutcome, 0, len(pending))
	for _, e := range pending {
		o := ExceptionOutcome{Exception: e, Decision: "timeout"}
		if d, ok := by[e.Component]; ok {
			o.Decision, o.Approver, o.Reason = d.Decision, d.Approver, d.Reason
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Component < out[j].Component })
	return out
}

// timeouts are the decisions nobody made, one per exception that timed out,
// with what the scan waited for as the reason.
func timeouts(outs []ExceptionOutcome, waited time.Duration, at time.Time) []activities.ApprovalDecision {
	reason := fmt.Sprintf("no decision within the approval timeout of %s", waited)
	if waited <= 0 {
		reason = "the scan did not wait for a decision (approval timeout 0s)"
	}
	var out []activities.ApprovalDecision
	for _, o := range outs {
		if o.Decision == "timeout" {
			out = append(out, activities.ApprovalDecision{
				Component: o.Component, License: o.License, Decision: "timeout", Reason: reason, At: at,
			})
		}
	}
	return out
}

// validate rejects input that no retry can fix.
func (in ScanInput) validate() error {
	if in.Source == "" {
		return fmt.Errorf("input needs a source: {\"source\":\"/path/or/url\",\"project\":\"name\"}")
	}
	if shown := redact.URL(in.Source); shown != in.Source {
		// Going on would copy them into activity inputs, the store and the
		// BOM; the input itself is already in this run's history.
		return fmt.Errorf("source %s carries credentials: give the URL without them and set MLBOM_GIT_TOKEN "+
			"(and MLBOM_GIT_USERNAME if the host needs one) on the worker; they are now in this run's history, so rotate them", shown)
	}
	if in.Options.ApprovalTimeout != "" {
		if _, err := time.ParseDuration(in.Options.ApprovalTimeout); err != nil {
			return fmt.Errorf("options.approvalTimeout: %w", err)
		}
	}
	return nil
}
