package activities

import (
	"context"

	"github.com/mlbom/autopilot/internal/store"
)

// RecordScan writes the scan row (started, then finished with its summary).
// An upsert by scan ID, so retries are harmless.
func (a *Activities) RecordScan(ctx context.Context, s store.Scan) error {
	return classify("record scan", a.Store.UpsertScan(ctx, s))
}
