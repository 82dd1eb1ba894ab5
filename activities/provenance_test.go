package activities

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/source"
)

// provenanceHub serves the source package's recorded answer for
// acme-ai/sentiment-bert, the same answer without a license for
// acme-ai/quiet-model (a real card shape that declares none), and the Hub's
// anonymous "not found" for anything else.
func provenanceHub(t *testing.T) *httptest.Server {
	t.Helper()
	info, err := os.ReadFile("../internal/source/testdata/hf/api/models/acme-ai/sentiment-bert.json")
	require.NoError(t, err)
	var quiet map[string]any
	require.NoError(t, json.Unmarshal(info, &quiet))
	quiet["id"], quiet["modelId"] = "acme-ai/quiet-model", "acme-ai/quiet-model"
	quiet["sha"] = "0badc0ffee0badc0ffee0badc0ffee0badc0ffee"
	delete(quiet["cardData"].(map[string]any), "license")
	quietJSON, err := json.Marshal(quiet)
	require.NoError(t, err)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/models/acme-ai/sentiment-bert":
			w.Write(info)
		case "/api/models/acme-ai/quiet-model":
			w.Write(quietJSON)
		default:
			w.Header().Set("X-Error-Code", "RepoNotFound")
			http.Error(w, `{"error":"Repository not found"}`, http.StatusUnauthorized)
		}
	}))
	t.Cleanup(hub.Close)
	return hub
}

// closedEndpoint is an address nothing listens on.
func closedEndpoint(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestScanLicenseProvenance: every source of truth of a license, and every
// reason for not knowing one, as the stored BOM states them.
func TestScanLicenseProvenance(t *testing.T) {
	repo := t.TempDir()
	lic, err := os.ReadFile("../examples/demo-app/LICENSE")
	require.NoError(t, err)
	weights, err := os.ReadFile("../examples/demo-app/models/sentiment/model.safetensors")
	require.NoError(t, err)
	files := map[string][]byte{
		"LICENSE":                 lic,
		"model/README.md":         []byte("---\npipeline_tag: text-classification\nlicense: apache-2.0\n---\n# tiny\n"),
		"model/model.safetensors": weights,
		"ckpt/extra.safetensors":  weights[:len(weights)-1], // uncarded: the repository's license
		"serve.py": []byte("from transformers import AutoModel\n" +
			"local = AutoModel.from_pretrained(\"./model\")\n" +
			"a = AutoModel.from_pretrained(\"acme-ai/sentiment-bert\")\n" +
			"b = AutoModel.from_pretrained(\"acme-ai/quiet-model\")\n" +
			"c = AutoModel.from_pretrained(\"acme-ai/vanished-model\")\n"),
	}
	for name, body := range files {
		p := filepath.Join(repo, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, body, 0o644))
	}
	hub := provenanceHub(t)
	const sentimentRev = "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"
	type want map[string][]string // component (purl substring or "app") -> sorted license props
	file := func(loc string) []string {
		return []string{license.SourceFile, loc}
	}
	unknown := func(reason string, rev ...string) []string {
		return append([]string{reason, license.SourceUnknown}, rev...)
	}
	repoLocal := want{
		"app":                     file("LICENSE"),
		"local/model":             file("model/README.md:3"),
		"model/model.safetensors": file("model/README.md"), // the weights of the card's model
		"ckpt/extra.safetensors":  {license.SourceRepository, "LICENSE"},
	}
	tests := []struct {
		name     string
		resolve  bool
		endpoint string
		want     want
	}{
		{"Hub look-ups on", true, hub.URL, want{
			"acme-ai/sentiment-bert": {license.SourceHub, sentimentRev},
			"acme-ai/quiet-model":    unknown(license.ReasonNothingDeclared, "0badc0ffee0badc0ffee0badc0ffee0badc0ffee"),
			"acme-ai/vanished-model": unknown(license.ReasonHubFailed),
		}},
		{"MLBOM_HF_RESOLVE=false", false, hub.URL, want{
			"acme-ai/sentiment-bert": unknown(license.ReasonNotLookedUp),
			"acme-ai/quiet-model":    unknown(license.ReasonNotLookedUp),
			"acme-ai/vanished-model": unknown(license.ReasonNotLookedUp),
		}},
		{"offline", true, closedEndpoint(t), want{
			"acme-ai/sentiment-bert": unknown(license.ReasonHubUnreachable),
			"acme-ai/quiet-model":    unknown(license.ReasonHubUnreachable),
			"acme-ai/vanished-model": unknown(license.ReasonHubUnreachable),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newActivities(t)
			a.ResolveHub = tt.resolve
			a.Source = source.Options{HFEndpoint: tt.endpoint}
			ctx := context.Background()
			scan, err := a.Scan(ctx, ScanRequest{ScanID: "s", Source: repo, Project: "p"})
			require.NoError(t, err)
			norm, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan.ResultRef})
			require.NoError(t, err)
			built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "s", Project: "p", InventoryRef: norm.InventoryRef})
			require.NoError(t, err)
			v, err := a.Store.GetVersion(ctx, "p", built.Version)
			require.NoError(t, err)
			require.NoError(t, bom.Validate(v.BOM))
			got := licenseProps(t, v.BOM)
			all := want{}
			for k, w := range repoLocal {
				all[k] = w
			}
			for k, w := range tt.want {
				all[k] = w
			}
			for comp, w := range all {
				w = slices.Sorted(slices.Values(w))
				require.Equal(t, w, got[comp], "license provenance of %s", comp)
			}

			// The policy says why, and so does what the scan waits for.
			pol, err := a.EvaluatePolicy(ctx, PolicyRequest{ScanID: "s", Project: "p", Version: built.Version})
			require.NoError(t, err)
			reasons := map[string]string{}
			for _, e := range pol.Exceptions {
				reasons[e.Component] = e.LicenseReason
				if e.LicenseReason != "" {
					require.Contains(t, e.Message, map[string]string{
						license.ReasonNothingDeclared: "no license declared",
						license.ReasonNotLookedUp:     "license not looked up",
						license.ReasonHubUnreachable:  "Hugging Face Hub was unreachable",
						license.ReasonHubFailed:       "did not show the repository",
					}[e.LicenseReason])
				}
			}
			for comp, w := range tt.want {
				if w[1] != license.SourceUnknown {
					continue
				}
				require.Equal(t, w[0], reasons["pkg:huggingface/"+comp], "reason the scan waits on for %s: %v", comp, reasons)
			}
		})
	}
}

// licenseProps maps each component (by the part of its purl after
// pkg:huggingface/ or pkg:generic/) and "app" to its mlbom:license.*
// property values, sorted.
func licenseProps(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	type comp struct {
		Purl       string                         `json:"purl"`
		Properties []struct{ Name, Value string } `json:"properties"`
	}
	var doc struct {
		Metadata   struct{ Component comp } `json:"metadata"`
		Components []comp                   `json:"components"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	vals := func(c comp) []string {
		var out []string
		for _, p := range c.Properties {
			if strings.HasPrefix(p.Name, "mlbom:license.") {
				out = append(out, p.Value)
			}
		}
		sort.Strings(out)
		return out
	}
	m := map[string][]string{"app": vals(doc.Metadata.Component)}
	for _, c := range doc.Components {
		k := strings.TrimPrefix(strings.TrimPrefix(c.Purl, "pkg:huggingface/"), "pkg:generic/")
		if i := strings.IndexAny(k, "@?"); i >= 0 {
			k = k[:i]
		}
		m[k] = vals(c)
	}
	return m
}
