package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

// PolicyRequest names the version to judge and the records around it.
type PolicyRequest struct {
	ScanID    string `json:"scanId"`
	Project   string `json:"project"`
	Version   int    `json:"version"`
	DiffRef   string `json:"diffRef,omitempty"`
	ResultRef string `json:"resultRef,omitempty"` // the Scan record (Kubernetes manifests)
}

// Exception is a license finding a human may waive.
type Exception struct {
	Component string `json:"component"`
	License   string `json:"license"`
	FindingID string `json:"findingId"`
	Message   string `json:"message"`
	// LicenseReason says why the license is unknown ("not looked up",
	// "Hub unreachable", "nothing declared", ...), when it is.
	LicenseReason string `json:"licenseReason,omitempty"`
}

// PolicyResult is the verdict with counts; the decision is stored.
type PolicyResult struct {
	Verdict     string         `json:"verdict"`
	Findings    int            `json:"findings"`
	Waived      int            `json:"waived"`
	BySeverity  map[string]int `json:"bySeverity"`
	DecisionRef string         `json:"decisionRef"`
	// Exceptions awaiting a human decision (exception-eligible, not waived).
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// EvaluatePolicy evaluates all policies over the stored BOM version, the diff
// against the previous version and the approvals on record.
func (a *Activities) EvaluatePolicy(ctx context.Context, req PolicyRequest) (*PolicyResult, error) {
	defer startPulse(ctx).stop()
	if a.Policy == nil {
		return nil, classify("evaluate policy", invalid("no policy engine configured"))
	}
	v, err := a.Store.GetVersion(ctx, req.Project, req.Version)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, classify("evaluate policy", invalid("project %s has no version %d", req.Project, req.Version))
		}
		return nil, classify("evaluate policy", err)
	}
	in := policy.Input{Project: req.Project}
	if err := json.Unmarshal(v.BOM, &in.BOM); err != nil {
		return nil, classify("evaluate policy", fmt.Errorf("decode bom: %w", err))
	}
	if req.DiffRef != "" {
		var d any
		if err := a.getJSON(ctx, req.DiffRef, &d); err != nil {
			return nil, classify("evaluate policy", err)
		}
		in.Diff = d
	}
	if req.ResultRef != "" {
		var rec ScanRecord
		if err := a.getJSON(ctx, req.ResultRef, &rec); err != nil {
			return nil, classify("evaluate policy", err)
		}
		in.Kubernetes = rec.Kubernetes
	}
	approvals, err := a.Store.ActiveApprovals(ctx, req.Project, a.now())
	if err != nil {
		return nil, classify("evaluate policy", fmt.Errorf("read approvals: %w", err))
	}
	for _, ap := range approvals {
		pa := policy.Approval{Component: ap.Component, License: ap.License, Decision: ap.Decision, Approver: ap.Approver}
		if !ap.Expires.IsZero() {
			pa.Expires = ap.Expires.Format(time.RFC3339)
		}
		in.Approvals = append(in.Approvals, pa)
	}
	dec, err := a.Policy.Evaluate(ctx, in)
	if err != nil {
		return nil, classify("evaluate policy", err)
	}

	rows := make([]store.Finding, 0, len(dec.Findings))
	out := &PolicyResult{Verdict: dec.Verdict, BySeverity: map[string]int{}}
	for _, f := range dec.Findings {
		if f.Waived {
			out.Waived++
			continue
		}
		out.Findings++
		out.BySeverity[f.Severity]++
		rows = append(rows, store.Finding{
			ID: f.ID, ScanID: req.ScanID, Project: req.Project, Policy: f.Policy, Severity: f.Severity,
			Component: f.Component, Message: f.Message, Remediation: f.Remediation,
		})
		if f.ExceptionEligible && f.Component != "" {
			out.Exceptions = append(out.Exceptions, Exception{Component: f.Component, License: f.License, FindingID: f.ID,
				Message: f.Message, LicenseReason: f.LicenseReason})
		}
	}
	if err := a.Store.SaveFindings(ctx, req.ScanID, rows); err != nil {
		return nil, classify("evaluate policy", fmt.Errorf("store findings: %w", err))
	}
	if carried := waivedBy(approvals, dec.Findings, req.ScanID); len(carried) > 0 {
		if err := a.Store.CarryApprovals(ctx, req.Project, req.Version, carried); err != nil {
			return nil, classify("evaluate policy", err)
		}
	}
	if out.DecisionRef, err = a.putJSON(ctx, dec); err != nil {
		return nil, classify("evaluate policy", err)
	}
	return out, nil
}

// waivedBy is the approvals, made in scans before scanID, that waive the
// findings: the version's BOM shows them beside its own decisions. The
// match is the policy engine's (same component, the same license or any).
func waivedBy(approvals []store.Approval, findings []policy.Finding, scanID string) []store.Approval {
	var out []store.Approval
	seen := map[int]bool{}
	for _, f := range findings {
		if !f.Waived {
			continue
		}
		for i, ap := range approvals {
			if ap.ScanID == scanID || ap.Component != f.Component || !strings.EqualFold(ap.Decision, store.DecisionApprove) ||
				(ap.License != "" && !strings.EqualFold(ap.License, f.License)) {
				continue
			}
			if !seen[i] {
				seen[i] = true
				out = append(out, ap)
			}
			break
		}
	}
	return out
}

// ApprovalDecision is one decision on a license exception: a person's, or a
// timeout when nobody decided while the scan waited.
type ApprovalDecision struct {
	Component string    `json:"component"`
	License   string    `json:"license"`
	Decision  string    `json:"decision"` // approve, reject, timeout
	Approver  string    `json:"approver"`
	Reason    string    `json:"reason"`
	Expires   time.Time `json:"expires,omitempty"`
	At        time.Time `json:"at"`
}

// RecordApprovalsRequest carries the decisions a scan collected.
type RecordApprovalsRequest struct {
	ScanID    string             `json:"scanId"`
	Project   string             `json:"project"`
	Decisions []ApprovalDecision `json:"decisions"`
}

// RecordApprovals stores the decisions a scan collected with the BOM
// version it stored, where every read of that version shows them; approvals
// and rejections are also kept on record so later scans reuse them until
// they expire (a timeout is not: the next scan asks again). Upserts make it
// idempotent.
func (a *Activities) RecordApprovals(ctx context.Context, req RecordApprovalsRequest) error {
	for _, d := range req.Decisions {
		switch d.Decision {
		case store.DecisionApprove, store.DecisionReject, store.DecisionTimeout:
		default:
			return classify("record approvals", invalid("decision must be approve, reject or timeout, got %q", d.Decision))
		}
		err := a.Store.SaveApproval(ctx, store.Approval{
			Project: req.Project, Component: d.Component, License: d.License, Decision: d.Decision,
			Approver: d.Approver, Reason: d.Reason, ScanID: req.ScanID, CreatedAt: d.At, Expires: d.Expires,
		})
		if err != nil {
			return classify("record approvals", fmt.Errorf("store approval for %s: %w", d.Component, err))
		}
	}
	return nil
}
