package activities

import (
	"context"

	"github.com/mlbom/autopilot/internal/inventory"
)

// NormalizeRequest points at the Scan step's record.
type NormalizeRequest struct {
	Project   string `json:"project"`
	ResultRef string `json:"resultRef"`
}

// NormalizeResult counts components by kind; the inventory is a blob.
type NormalizeResult struct {
	InventoryRef string         `json:"inventoryRef"`
	Components   int            `json:"components"`
	Assets       map[string]int `json:"assets"`
	Warnings     []string       `json:"warnings,omitempty"` // at most maxWarnings
	Skipped      int            `json:"skipped"`
}

const maxWarnings = 20

// Normalize merges findings into components with stable identities.
func (a *Activities) Normalize(ctx context.Context, req NormalizeRequest) (*NormalizeResult, error) {
	defer startPulse(ctx).stop()
	var rec ScanRecord
	if err := a.getJSON(ctx, req.ResultRef, &rec); err != nil {
		return nil, classify("normalize", err)
	}
	if req.Project != "" {
		rec.Source.Name = req.Project
	}
	inv := inventory.Normalize(inventory.Input{Source: rec.Source, Result: rec.Result, Reports: rec.Reports})
	ref, err := a.putJSON(ctx, inv)
	if err != nil {
		return nil, classify("normalize", err)
	}
	out := &NormalizeResult{InventoryRef: ref, Components: len(inv.Components), Assets: map[string]int{}, Skipped: len(inv.Skipped)}
	for _, c := range inv.Components {
		out.Assets[string(c.Kind)]++
	}
	out.Warnings = inv.Warnings
	if len(out.Warnings) > maxWarnings {
		out.Warnings = append(out.Warnings[:maxWarnings:maxWarnings], "... more warnings in the stored scan record")
	}
	return out, nil
}
