package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/sarif"
)

// TestScanSARIF: `mlbom scan --local --sarif` reports policy findings at the
// file and line where the component was found and model-file findings at the
// file and byte offset, as SARIF 2.1.0 with rules, levels and fingerprints.
func TestScanSARIF(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	repo := makeRepo(t)
	// A pickle that imports os.system: the model-file scanner's finding.
	evil := []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
	require.NoError(t, os.WriteFile(filepath.Join(repo, "model", "evil.pkl"), evil, 0o644))
	out := filepath.Join(dir, "scan.sarif")
	stdout, stderr, code := (&e2e{t: t}).mlbom(ctx, "scan", repo, "--local", "--project", "demo", "--sarif", out, "--fail-on", "deny")
	require.Equal(t, exitVerdict, code, stdout+stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var log sarif.Log
	require.NoError(t, json.Unmarshal(data, &log))
	require.Equal(t, "2.1.0", log.Version)
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	require.Equal(t, "mlbom", run.Tool.Driver.Name)
	require.Contains(t, run.OriginalURIBaseIDs[sarif.SrcRoot].URI, "file:///")

	var policyAt, modelAt bool
	for _, r := range run.Results {
		require.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		require.NotEmpty(t, r.PartialFingerprints)
		if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation == nil {
			continue
		}
		ph := r.Locations[0].PhysicalLocation
		if ph.ArtifactLocation.URI == "model/evil.pkl" && ph.Region != nil && ph.Region.ByteOffset != nil && r.Level == "error" {
			modelAt = true
		}
		if r.RuleID == "serialization.scanner-critical" && ph.ArtifactLocation.URI == "model/evil.pkl" && r.Level == "error" {
			policyAt = true
		}
	}
	require.True(t, modelAt, "the pickle's os.system import is an error at model/evil.pkl with a byte offset:\n%s", data)
	require.True(t, policyAt, "the policy finding on the pickle is located at its file:\n%s", data)
}
