package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/sarif"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workflows"
)

// writeScanSARIF writes the finished scan's policy findings and the BOM's
// model-file findings as SARIF, read back from the store like `mlbom bom`.
func writeScanSARIF(ctx context.Context, cfg *config.Config, sum *workflows.ScanSummary, source, path string) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	_, data, err := api.StoredBOM(ctx, db, sum.Project, sum.Version, api.FormatJSON)
	if err != nil {
		return fmt.Errorf("sarif: read %s version %d: %w", sum.Project, sum.Version, err)
	}
	findings, err := db.ListFindings(ctx, sum.ScanID)
	if err != nil {
		return fmt.Errorf("sarif: findings of %s: %w", sum.ScanID, err)
	}
	root := ""
	if st, err := os.Stat(source); err == nil && st.IsDir() {
		root = source
	}
	log, err := sarif.FromScan(sarif.Scan{BOM: data, Findings: findings, ToolVersion: workers.Version, Root: root})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := log.Write(&buf); err != nil {
		return err
	}
	return writeOutput(ctx, path, buf.Bytes())
}
