package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

// RecordScanRequest is the scan row and, once it has finished, its summary.
type RecordScanRequest struct {
	Scan    ScanRow `json:"scan"`
	Summary any     `json:"summary,omitempty"`
}

// ScanRow is the state of one scan as the workflow reports it. It is part of
// a workflow payload, so it belongs to this package rather than to the store:
// a change to the database row must not change what recorded histories carry.
// The JSON shape is the one histories already hold.
type ScanRow struct {
	ID        string    `json:"id"`
	RunID     string    `json:"runId,omitempty"`
	Project   string    `json:"project"`
	Source    string    `json:"source"`
	Ref       string    `json:"ref,omitempty"`
	Commit    string    `json:"commit,omitempty"`
	Status    string    `json:"status"` // running, completed, failed
	Verdict   string    `json:"verdict,omitempty"`
	Version   int       `json:"version,omitempty"` // BOM version it produced
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt,omitempty"`
}

// RecordScan writes the scan row (started, then finished with its summary).
// An upsert by scan ID, so retries are harmless.
func (a *Activities) RecordScan(ctx context.Context, req RecordScanRequest) error {
	r := req.Scan
	s := store.Scan{
		ID: r.ID, RunID: r.RunID, Project: r.Project, Source: r.Source, Ref: r.Ref, Commit: r.Commit,
		Status: r.Status, Verdict: r.Verdict, Version: r.Version, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
	}
	if req.Summary != nil {
		data, err := json.Marshal(req.Summary)
		if err != nil {
			return classify("record scan", fmt.Errorf("encode summary: %w", err))
		}
		s.Summary = data
	}
	if err := a.Store.UpsertScan(ctx, s); err != nil {
		return classify("record scan", err)
	}
	// The scan is over: every decision made in it is in the version's BOM,
	// so this is when a signature can cover the final document.
	if s.Status == "completed" {
		return classify("record scan", a.signVersion(ctx, s.Project, s.Version))
	}
	return nil
}
