package activities

import (
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
)

// NotifyRequest names the decision to announce.
type NotifyRequest struct {
	ScanID      string `json:"scanId"`
	RunID       string `json:"runId,omitempty"`
	RunURL      string `json:"runUrl,omitempty"`
	Project     string `json:"project"`
	Version     int    `json:"version"`
	DecisionRef string `json:"decisionRef"`
	DryRun      bool   `json:"dryRun,omitempty"`
	// Escalations are license exceptions nobody decided in time; they are
	// announced once each, like findings.
	Escalations []Exception `json:"escalations,omitempty"`
}

// NotifyResult says what went where.
type NotifyResult struct {
	Channels []string `json:"channels,omitempty"`
	Sent     int      `json:"sent"`
	Skipped  int      `json:"skipped"` // already notified before
	Resolved int      `json:"resolved"`
	Recorded int      `json:"recorded"`
	APICalls int      `json:"apiCalls"`
	DryRun   bool     `json:"dryRun,omitempty"`
	// Planned is what a dry run would send (at most maxPlanned entries,
	// PlannedMore counts the rest); Findings counts the open findings.
	Planned     []PlannedDelivery `json:"planned,omitempty"`
	PlannedMore int               `json:"plannedMore,omitempty"`
	Findings    int               `json:"findings,omitempty"`
}

// PlannedDelivery is one message, ticket or webhook delivery a dry run
// would make.
type PlannedDelivery struct {
	Channel  string `json:"channel"`
	Action   string `json:"action"`           // post, create-or-comment, resolve, deliver, record
	Target   string `json:"target,omitempty"` // channel, project and label, host of a webhook
	Text     string `json:"text"`
	Findings int    `json:"findings"` // findings it announces
}

// maxPlanned bounds the plan carried in the result (a workflow payload).
const maxPlanned = 100

// Notify sends each finding once per channel; the ledger in the store makes
// retries, replays and re-runs idempotent.
func (a *Activities) Notify(ctx context.Context, req NotifyRequest) (*NotifyResult, error) {
	defer startPulse(ctx).stop()
	var dec policy.Decision
	if err := a.getJSON(ctx, req.DecisionRef, &dec); err != nil {
		return nil, classify("notify", err)
	}
	n := a.Notifier
	if req.DryRun {
		n = a.DryRunNotifier
	}
	if n == nil {
		return &NotifyResult{}, nil
	}
	open := make([]policy.Finding, 0, len(dec.Findings))
	for _, f := range dec.Findings {
		if !f.Waived {
			open = append(open, f)
		}
	}
	open = append(open, escalations(req.Escalations)...)
	rep, err := n.Notify(ctx, notify.Batch{
		Project: req.Project, ScanID: req.ScanID, RunID: req.RunID, RunURL: req.RunURL,
		Verdict: dec.Verdict, Version: req.Version, Findings: open,
	})
	if err != nil {
		return nil, classify("notify", fmt.Errorf("notify %s: %w", req.Project, err))
	}
	out := notifyResult(rep)
	if req.DryRun {
		out.Findings = len(open)
	}
	return out, nil
}

func notifyResult(r *notify.Report) *NotifyResult {
	out := &NotifyResult{Sent: r.Sent, Skipped: r.Skipped, Resolved: r.Resolved, Recorded: r.Recorded, APICalls: r.APICalls, DryRun: r.DryRun}
	for _, c := range r.Channels {
		out.Channels = append(out.Channels, c.Channel)
	}
	for i, p := range r.Planned {
		if i == maxPlanned {
			out.PlannedMore = len(r.Planned) - maxPlanned
			break
		}
		out.Planned = append(out.Planned, PlannedDelivery{Channel: p.Channel, Action: p.Action, Target: p.Target, Text: p.Text, Findings: len(p.Findings)})
	}
	return out
}

// escalations turns undecided license exceptions into findings of their own,
// with identities derived from the finding they escalate.
func escalations(ex []Exception) []policy.Finding {
	out := make([]policy.Finding, 0, len(ex))
	for _, e := range ex {
		out = append(out, policy.Finding{
			ID:            "escalation:" + e.FindingID,
			Policy:        "approval.escalation",
			Severity:      "high",
			Effect:        policy.VerdictDeny,
			Component:     e.Component,
			License:       e.License,
			LicenseReason: e.LicenseReason,
			Message:       fmt.Sprintf("license exception for %s (%s) was not decided in time and counts as rejected: %s", e.Component, e.License, e.Message),
			Remediation:   "approve or reject it with `mlbom approve|reject`, or replace the component",
		})
	}
	return out
}
