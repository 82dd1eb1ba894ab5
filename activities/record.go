package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mlbom/autopilot/internal/store"
)

// RecordScanRequest is the scan row and, once it has finished, its summary.
type RecordScanRequest struct {
	Scan    store.Scan `json:"scan"`
	Summary any        `json:"summary,omitempty"`
}

// RecordScan writes the scan row (started, then finished with its summary).
// An upsert by scan ID, so retries are harmless.
func (a *Activities) RecordScan(ctx context.Context, req RecordScanRequest) error {
	s := req.Scan
	if req.Summary != nil {
		data, err := json.Marshal(req.Summary)
		if err != nil {
			return classify("record scan", fmt.Errorf("encode summary: %w", err))
		}
		s.Summary = data
	}
	return classify("record scan", a.Store.UpsertScan(ctx, s))
}
