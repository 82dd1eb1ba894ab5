package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/runtime"
	"github.com/mlbom/autopilot/internal/store"
)

// TestRuntimeActivities: a node's artifacts are persisted with their tier
// and project, judged by the runtime policy, and notified once.
func TestRuntimeActivities(t *testing.T) {
	ctx := context.Background()
	a := newActivities(t)
	db := a.Store.(*store.DB)
	// The reviewed BOM of project demo has one weight file.
	_, _, err := db.SaveVersion(ctx, store.NewVersion{Project: "demo", ScanID: "s1", BOM: []byte(`{}`), ContentHash: "h",
		Components: []store.ComponentRow{{BOMRef: "weights:models/bert/model.safetensors", Kind: "weights", Name: "models/bert/model.safetensors", SHA256: "aa11"}}})
	require.NoError(t, err)

	var mu sync.Mutex
	var posts []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
	}))
	defer hook.Close()
	n, err := notify.New(notify.Options{WebhookURL: hook.URL}, db)
	require.NoError(t, err)
	a.Notifier = n

	t0 := time.Now().UTC().Add(-time.Hour)
	arts := []runtime.Artifact{
		{Key: "open:/srv/app/models/bert/model.safetensors", Type: runtime.TypeOpen, Path: "/srv/app/models/bert/model.safetensors", SHA256: "AA11", FirstSeen: t0, LastSeen: t0, Count: 2, Comm: "python3", Fidelity: "ebpf"},
		{Key: "open:/opt/other/models/bert/model.safetensors", Type: runtime.TypeOpen, Path: "/opt/other/models/bert/model.safetensors", SHA256: "bb22", FirstSeen: t0, LastSeen: t0, Count: 1, Comm: "python3"},
		{Key: "open:/root/.cache/x/evil.gguf", Type: runtime.TypeOpen, Path: "/root/.cache/x/evil.gguf", SHA256: "ff00", FirstSeen: t0, LastSeen: t0, Count: 1, Comm: "llama-server", Projects: []string{"shadow"}},
		{Key: "connect:api.deepseek.com", Type: runtime.TypeConnect, Host: "api.deepseek.com", Addrs: []string{"10.0.0.1:443"}, FirstSeen: t0, LastSeen: t0, Count: 1, Comm: "node"},
	}
	req := RecordRuntimeRequest{Node: "gpu-1", Epoch: "tracer/gpu-1/r1", Artifacts: arts}
	rec, err := a.RecordRuntime(ctx, req)
	require.NoError(t, err)
	tiers := map[string]ArtifactTier{}
	for _, r := range rec.Artifacts {
		tiers[r.Key] = r
	}
	require.Equal(t, store.TierVerified, tiers[arts[0].Key].Tier)
	require.Equal(t, []string{"demo"}, tiers[arts[0].Key].Projects)
	require.Equal(t, store.TierObserved, tiers[arts[1].Key].Tier, "same path, other content: observed, not verified")
	require.Equal(t, []string{"shadow"}, tiers[arts[2].Key].Projects)
	_, err = a.RecordRuntime(ctx, req) // a retry writes no second row
	require.NoError(t, err)
	rows, err := db.QueryObservations(ctx, store.ObservationQuery{Node: "gpu-1"})
	require.NoError(t, err)
	require.Len(t, rows, 4)

	pol, err := a.EvaluateRuntime(ctx, EvaluateRuntimeRequest{Node: "gpu-1"})
	require.NoError(t, err)
	require.Equal(t, "deny", pol.Verdict)
	var dec struct {
		Findings []struct{ Policy, Component string }
	}
	blob, err := db.GetBlob(ctx, pol.DecisionRef)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(blob, &dec))
	got := map[string]string{}
	for _, f := range dec.Findings {
		got[f.Component] = f.Policy
	}
	require.Equal(t, map[string]string{
		"runtime:file:/opt/other/models/bert/model.safetensors": "runtime.unverified-model",
		"runtime:file:/root/.cache/x/evil.gguf":                 "runtime.unknown-model",
		"runtime:connect:api.deepseek.com":                      "runtime.unapproved-endpoint",
	}, got, "the verified file raises nothing; only runtime.* findings count")

	first, err := a.NotifyRuntime(ctx, NotifyRuntimeRequest{Node: "gpu-1", RunID: "r1", DecisionRef: pol.DecisionRef})
	require.NoError(t, err)
	again, err := a.NotifyRuntime(ctx, NotifyRuntimeRequest{Node: "gpu-1", RunID: "r1", DecisionRef: pol.DecisionRef})
	require.NoError(t, err)
	require.Equal(t, 3, first.Sent)
	require.Equal(t, 0, again.Sent, "exactly once: the ledger skips what was sent")
}

// TestScanMergesRuntimeObservations: the next scan of a project marks the
// components the tracer saw (tier verified when the hash matches), adds the
// model files used but undeclared, and lists what was declared but unused.
func TestScanMergesRuntimeObservations(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	db := a.Store.(*store.DB)
	repo := writeRepo(t)
	st, err := os.ReadFile(filepath.Join(repo, "model/model.safetensors"))
	require.NoError(t, err)
	sum := sha256.Sum256(st)
	seen := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, db.UpsertObservations(ctx, []store.Observation{
		{Project: "p", Kind: store.ObservedPath, Value: "/srv/app/model/model.safetensors", SHA256: hex.EncodeToString(sum[:]), Tier: store.TierVerified, SeenAt: seen, Node: "n1", Epoch: "e", Comm: "python3"},
		{Project: "p", Kind: store.ObservedPath, Value: "/root/.cache/x/side.gguf", SeenAt: seen, Node: "n1", Epoch: "e", Comm: "llama-server", Tier: store.TierObserved},
	}))

	scan, err := a.Scan(ctx, ScanRequest{ScanID: "scan/p/1", Source: repo, Project: "p"})
	require.NoError(t, err)
	norm, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan.ResultRef})
	require.NoError(t, err)
	built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "scan/p/1", Project: "p", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)
	require.NotNil(t, built.Runtime)
	require.Equal(t, 1, built.Runtime.Verified)
	require.Equal(t, []string{"runtime:file:/root/.cache/x/side.gguf"}, built.Runtime.UsedUndeclared)
	require.Len(t, built.Runtime.DeclaredUnused, 1, "the model component was not seen")

	v, err := db.GetVersion(ctx, "p", built.Version)
	require.NoError(t, err)
	var doc struct {
		Components []struct {
			BOMRef     string `json:"bom-ref"`
			Properties []struct{ Name, Value string }
		}
	}
	require.NoError(t, json.Unmarshal(v.BOM, &doc))
	props := map[string]map[string]string{}
	for _, c := range doc.Components {
		props[c.BOMRef] = map[string]string{}
		for _, p := range c.Properties {
			props[c.BOMRef][p.Name] = p.Value
		}
	}
	w := props["pkg:generic/model/model.safetensors"]
	require.Equal(t, "true", w["mlbom:runtime.observed"], "%v", props)
	require.Equal(t, "verified", w["mlbom:runtime.tier"])
	require.Equal(t, seen.Format(time.RFC3339), w["mlbom:runtime.lastSeen"])
	u := props["runtime:file:/root/.cache/x/side.gguf"]
	require.Equal(t, "false", u["mlbom:runtime.declared"])
}
