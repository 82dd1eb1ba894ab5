package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/source"
)

// TestScanResolvesHubReferences scans a repository whose code loads a Hub
// model, against a fake Hub serving the source package's recorded answer:
// the BOM carries the model's license and card, unpinned.
func TestScanResolvesHubReferences(t *testing.T) {
	info, err := os.ReadFile("../internal/source/testdata/hf/api/models/acme-ai/sentiment-bert.json")
	require.NoError(t, err)
	var requests atomic.Int32
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/api/models/acme-ai/sentiment-bert" {
			w.Header().Set("X-Error-Code", "RepoNotFound")
			http.Error(w, `{"error":"Repository not found"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(info)
	}))
	defer hub.Close()

	repo := t.TempDir()
	code := "from transformers import AutoModel, AutoTokenizer\n" +
		"tok = AutoTokenizer.from_pretrained(\"acme-ai/sentiment-bert\")\n" +
		"m = AutoModel.from_pretrained(\"acme-ai/sentiment-bert\")\n" +
		"other = AutoModel.from_pretrained(\"acme-ai/vanished-model\")\n"
	require.NoError(t, os.WriteFile(filepath.Join(repo, "serve.py"), []byte(code), 0o644))

	for _, resolve := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[resolve], func(t *testing.T) {
			requests.Store(0)
			a := newActivities(t)
			a.ResolveHub = resolve
			a.Source = source.Options{HFEndpoint: hub.URL}
			var phases []string
			a.OnScanProgress = func(p ScanProgress) {
				if n := len(phases); n == 0 || phases[n-1] != p.Phase {
					phases = append(phases, p.Phase)
				}
			}
			ctx := context.Background()
			scan, err := a.Scan(ctx, ScanRequest{ScanID: "s", Source: repo, Project: "p"})
			require.NoError(t, err)
			// The Hub look-ups are a phase of their own, seen in progress.
			want := []string{PhaseOpen, PhaseDiscover, PhaseSignatures}
			if resolve {
				want = []string{PhaseOpen, PhaseDiscover, PhaseHub, PhaseSignatures}
			}
			require.Equal(t, want, phases)
			norm, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan.ResultRef})
			require.NoError(t, err)
			built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "s", Project: "p", InventoryRef: norm.InventoryRef})
			require.NoError(t, err)
			v, err := a.Store.GetVersion(ctx, "p", built.Version)
			require.NoError(t, err)

			var doc struct {
				Components []struct {
					Name     string `json:"name"`
					Version  string `json:"version"`
					Purl     string `json:"purl"`
					Licenses []struct {
						License struct {
							ID string `json:"id"`
						} `json:"license"`
					} `json:"licenses"`
					Properties []struct{ Name, Value string } `json:"properties"`
				} `json:"components"`
			}
			require.NoError(t, json.Unmarshal(v.BOM, &doc))
			found := false
			for _, c := range doc.Components {
				if !strings.Contains(c.Purl, "acme-ai/sentiment-bert") {
					continue
				}
				found = true
				var ids []string
				for _, l := range c.Licenses {
					ids = append(ids, l.License.ID)
				}
				require.NotContains(t, c.Purl, "3f2a9c1e", "an unpinned reference must stay unpinned")
				require.NotContains(t, c.Version, "3f2a9c1e", "an unpinned reference must stay unpinned")
				if resolve {
					require.Equal(t, []string{"Apache-2.0"}, ids)
					require.Contains(t, string(v.BOM), "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f", "resolved revision recorded")
				} else {
					require.Empty(t, ids)
				}
			}
			require.True(t, found, "model component in the BOM")

			var rec ScanRecord
			data, err := a.Store.GetBlob(ctx, scan.ResultRef)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &rec))
			if resolve {
				require.EqualValues(t, 2, requests.Load(), "one lookup per distinct model")
				require.Len(t, rec.Result.Warnings, 1)
				require.True(t, strings.Contains(rec.Result.Warnings[0], "acme-ai/vanished-model"), rec.Result.Warnings[0])
			} else {
				require.Zero(t, requests.Load(), "resolution off: no Hub traffic")
				require.Empty(t, rec.Result.Warnings)
			}
		})
	}
}
