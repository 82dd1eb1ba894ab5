package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/bomdiff"
	"github.com/mlbom/autopilot/internal/store"
)

// DiffRequest compares version Version with the one before it.
type DiffRequest struct {
	Project string `json:"project"`
	Version int    `json:"version"`
}

// DiffResult counts the change; the full diff is stored.
type DiffResult struct {
	From           int    `json:"from"` // 0 when this is the first version
	To             int    `json:"to"`
	Added          int    `json:"added"`
	Removed        int    `json:"removed"`
	Changed        int    `json:"changed"`
	HashDrift      int    `json:"hashDrift"`
	LicenseChanges int    `json:"licenseChanges"`
	DiffRef        string `json:"diffRef"`
}

// Diff compares the new version with the previous one and stores the result.
func (a *Activities) Diff(ctx context.Context, req DiffRequest) (*DiffResult, error) {
	defer startPulse(ctx).stop()
	if req.Version < 1 {
		return nil, classify("diff", invalid("version must be 1 or more, got %d", req.Version))
	}
	newer, err := a.loadBOM(ctx, req.Project, req.Version)
	if err != nil {
		return nil, classify("diff", err)
	}
	var older *cdx.BOM
	if req.Version > 1 {
		if older, err = a.loadBOM(ctx, req.Project, req.Version-1); err != nil {
			return nil, classify("diff", err)
		}
	}
	d := bomdiff.Diff(older, newer)
	d.Project, d.From, d.To = req.Project, req.Version-1, req.Version
	data, err := json.Marshal(d)
	if err != nil {
		return nil, classify("diff", err)
	}
	if err := a.Store.SaveDiff(ctx, req.Project, d.From, d.To, data); err != nil {
		return nil, classify("diff", fmt.Errorf("store diff: %w", err))
	}
	ref, err := a.Store.PutBlob(ctx, data)
	if err != nil {
		return nil, classify("diff", err)
	}
	out := &DiffResult{From: d.From, To: d.To, Added: len(d.Added), Removed: len(d.Removed), Changed: len(d.Changed), DiffRef: ref}
	for _, c := range d.Changed {
		if c.HashDrift {
			out.HashDrift++
		}
		if c.LicenseChange {
			out.LicenseChanges++
		}
	}
	return out, nil
}

func (a *Activities) loadBOM(ctx context.Context, project string, version int) (*cdx.BOM, error) {
	v, err := a.Store.GetVersion(ctx, project, version)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid("project %s has no version %d", project, version)
		}
		return nil, fmt.Errorf("read %s version %d: %w", project, version, err)
	}
	b, err := bom.Decode(v.BOM)
	if err != nil {
		return nil, fmt.Errorf("decode %s version %d: %w", project, version, err)
	}
	return b, nil
}
