package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/bom"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestDemoAppBOMGolden scans the demo app (a copy outside any git work tree)
// through Scan → Normalize → BuildBOM and compares the BOM with the golden
// file, timestamp and serial number redacted. Run with -update after an
// intended change, and read the diff.
func TestDemoAppBOMGolden(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	repo := filepath.Join(t.TempDir(), "demo-app")
	out, err := exec.Command("cp", "-R", "../examples/demo-app", repo).CombinedOutput()
	require.NoError(t, err, string(out))

	scan, err := a.Scan(ctx, ScanRequest{ScanID: "golden", Source: repo, Project: "demo"})
	require.NoError(t, err)
	norm, err := a.Normalize(ctx, NormalizeRequest{Project: "demo", ResultRef: scan.ResultRef})
	require.NoError(t, err)
	built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "golden", Project: "demo", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)
	v, err := a.Store.GetVersion(ctx, "demo", built.Version)
	require.NoError(t, err)
	require.NoError(t, bom.Validate(v.BOM))

	var doc map[string]any
	require.NoError(t, json.Unmarshal(v.BOM, &doc))
	doc["serialNumber"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
	doc["metadata"].(map[string]any)["timestamp"] = "2026-01-01T00:00:00Z"
	got, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	got = bytes.ReplaceAll(got, []byte(repo), []byte("/REPO"))

	golden := "testdata/demo-app.bom.golden.json"
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./activities -run TestDemoAppBOMGolden -update")
	require.JSONEq(t, string(want), string(got))
}
