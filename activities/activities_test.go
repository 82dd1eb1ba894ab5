package activities

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

func newActivities(t *testing.T) *Activities {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "m.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	engine, err := policy.New(ctx, policy.Options{})
	require.NoError(t, err)
	return &Activities{Store: db, Policy: engine, Embedder: search.NewOffline(64), ModelScan: modelscan.DefaultOptions(), WorkDir: dir, ToolVersion: "test"}
}

// writeRepo makes a small repository: a model card, a safetensors file and
// code that loads the model.
func writeRepo(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"model/README.md": "---\nlicense: apache-2.0\npipeline_tag: text-classification\n---\n# tiny\n",
		"serve.py":        "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"./model\")\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	st, err := os.ReadFile("../examples/demo-app/models/sentiment/model.safetensors")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model/model.safetensors"), st, 0o644))
	return dir
}

func TestScanRejectsMissingSourceAsNonRetryable(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(newActivities(t))
	_, err := env.ExecuteActivity("Scan", ScanRequest{ScanID: "s", Source: "/no/such/dir"})
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "got %T %v", err, err)
	require.True(t, appErr.NonRetryable())
	require.Equal(t, ErrTypeInvalidSource, appErr.Type())
}

// TestPipelineStepsAreIdempotent runs the steps as the workflow would, then
// retries BuildBOM and Diff: the retry returns the stored version instead
// of making a second one.
func TestPipelineStepsAreIdempotent(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	repo := writeRepo(t)

	scan, err := a.Scan(ctx, ScanRequest{ScanID: "scan/p/1", Source: repo, Project: "p"})
	require.NoError(t, err)
	require.Equal(t, 1, scan.Weights, "the safetensors file went through the model-file scanner")
	norm, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan.ResultRef})
	require.NoError(t, err)
	require.Equal(t, 1, norm.Assets["model"])
	require.Equal(t, 1, norm.Assets["weights"])
	emb, err := a.Embed(ctx, EmbedRequest{Project: "p", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)
	require.Equal(t, norm.Components, emb.Documents)

	req := BuildBOMRequest{ScanID: "scan/p/1", Project: "p", InventoryRef: norm.InventoryRef, VectorsRef: emb.VectorsRef}
	first, err := a.BuildBOM(ctx, req)
	require.NoError(t, err)
	require.True(t, first.Created)
	retry, err := a.BuildBOM(ctx, req)
	require.NoError(t, err)
	require.False(t, retry.Created, "a retried BuildBOM finds the version its first attempt stored")
	require.Equal(t, first.Version, retry.Version)
	versions, err := a.Store.(*store.DB).ListVersions(ctx, "p")
	require.NoError(t, err)
	require.Len(t, versions, 1)

	d, err := a.Diff(ctx, DiffRequest{Project: "p", Version: first.Version})
	require.NoError(t, err)
	require.Equal(t, 0, d.From)
	require.Equal(t, norm.Components, d.Added)

	pol, err := a.EvaluatePolicy(ctx, PolicyRequest{ScanID: "scan/p/1", Project: "p", Version: first.Version, DiffRef: d.DiffRef, ResultRef: scan.ResultRef})
	require.NoError(t, err)
	require.NotEmpty(t, pol.Verdict)
	require.Empty(t, pol.Exceptions, "apache-2.0 needs no exception")

	// A second scan of the same tree is version 2 with no component change.
	scan2, err := a.Scan(ctx, ScanRequest{ScanID: "scan/p/2", Source: repo, Project: "p"})
	require.NoError(t, err)
	norm2, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan2.ResultRef})
	require.NoError(t, err)
	second, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "scan/p/2", Project: "p", InventoryRef: norm2.InventoryRef})
	require.NoError(t, err)
	require.Equal(t, 2, second.Version)
	require.Equal(t, first.ContentHash, second.ContentHash, "same tree, same content hash")
	d2, err := a.Diff(ctx, DiffRequest{Project: "p", Version: 2})
	require.NoError(t, err)
	require.Equal(t, 0, d2.Added+d2.Removed+d2.Changed)
}

func TestEscalationsAreFindingsWithStableIdentity(t *testing.T) {
	got := escalations([]Exception{{Component: "c", License: "LicenseRef-llama3", FindingID: "f1", Message: "m"}})
	require.Len(t, got, 1)
	require.Equal(t, "escalation:f1", got[0].ID)
	require.Equal(t, "c", got[0].Component)
	require.Equal(t, "high", got[0].Severity)
}

// TestMaliciousPickleFlowsIntoBOMAndVerdict: a pickle that calls os.system
// when loaded is found by discovery, judged malicious by the model-file
// scanner (never executed), reported as a vulnerability in the BOM and
// denied by policy.
func TestMaliciousPickleFlowsIntoBOMAndVerdict(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	repo := t.TempDir()
	// Protocol 2: GLOBAL posix.system, the string "id", TUPLE1, REDUCE, STOP.
	evil := []byte("\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
	require.NoError(t, os.WriteFile(filepath.Join(repo, "model.pkl"), evil, 0o644))

	scan, err := a.Scan(ctx, ScanRequest{ScanID: "evil/1", Source: repo, Project: "evil"})
	require.NoError(t, err)
	require.Equal(t, 1, scan.Weights)
	require.Equal(t, 1, scan.Malicious)
	norm, err := a.Normalize(ctx, NormalizeRequest{Project: "evil", ResultRef: scan.ResultRef})
	require.NoError(t, err)
	built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "evil/1", Project: "evil", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)
	require.GreaterOrEqual(t, built.Vulnerabilities, 1, "the scanner's finding is a vulnerability in the BOM")
	d, err := a.Diff(ctx, DiffRequest{Project: "evil", Version: built.Version})
	require.NoError(t, err)
	pol, err := a.EvaluatePolicy(ctx, PolicyRequest{ScanID: "evil/1", Project: "evil", Version: built.Version, DiffRef: d.DiffRef})
	require.NoError(t, err)
	require.Equal(t, policy.VerdictDeny, pol.Verdict)
	require.GreaterOrEqual(t, pol.BySeverity["critical"], 1)
}
