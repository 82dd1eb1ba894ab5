package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/bom"
)

// hubFixtures are the recorded Hugging Face Hub responses of the source package.
const hubFixtures = "../../internal/source/testdata/hf"

var (
	hubAPI     = regexp.MustCompile(`^/api/(models|datasets|spaces)/([^/]+/[^/]+)(?:/revision/[^/]+)?$`)
	hubResolve = regexp.MustCompile(`^/(?:(datasets|spaces)/)?([^/]+/[^/]+)/resolve/[^/]+/(.+)$`)
)

// serveHub answers repository info and file downloads from the fixtures.
func serveHub(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var path string
		if m := hubAPI.FindStringSubmatch(r.URL.Path); m != nil {
			path = filepath.Join(hubFixtures, "api", m[1], m[2]+".json")
		} else if m := hubResolve.FindStringSubmatch(r.URL.Path); m != nil {
			typ := m[1]
			if typ == "" {
				typ = "models"
			}
			path = filepath.Join(hubFixtures, "files", typ, m[2], m[3])
		}
		data, err := os.ReadFile(path)
		if path == "" || err != nil {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.Error(w, `{"error":"Entry not found"}`, http.StatusNotFound)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestScanHuggingFaceModelLocal scans hf://acme-ai/sentiment-bert through the
// whole pipeline: weights are not downloaded, their LFS sha256 and size come
// from the Hub API, and the model is pinned to the revision sha.
func TestScanHuggingFaceModelLocal(t *testing.T) {
	hub := serveHub(t)
	dir := t.TempDir()
	t.Setenv("MLBOM_HOME", dir)
	t.Setenv("MLBOM_DB", "sqlite:"+filepath.Join(dir, "m.db"))
	t.Setenv("MLBOM_HF_ENDPOINT", hub.URL)
	t.Setenv("MLBOM_APPROVAL_TIMEOUT", "0s")
	out := filepath.Join(dir, "bom.json")
	stdout, stderr, code := (&e2e{t: t}).mlbom(context.Background(), "scan", "hf://acme-ai/sentiment-bert", "--local", "-o", out)
	require.Equal(t, 0, code, stdout+stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, bom.Validate(data))

	var doc struct {
		Components []struct {
			Type   string `json:"type"`
			PURL   string `json:"purl"`
			Hashes []struct {
				Content string `json:"content"`
			} `json:"hashes"`
			Licenses []struct {
				License struct {
					ID string `json:"id"`
				} `json:"license"`
			} `json:"licenses"`
			Properties []struct{ Name, Value string } `json:"properties"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	var model, weights bool
	for _, c := range doc.Components {
		if c.Type == "machine-learning-model" && c.PURL == "pkg:huggingface/acme-ai/sentiment-bert@3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f" {
			model = len(c.Licenses) == 1 && c.Licenses[0].License.ID == "Apache-2.0"
			// The license is the Hub's word at the revision scanned.
			prov := map[string]string{}
			for _, p := range c.Properties {
				prov[p.Name] = p.Value
			}
			require.Equal(t, "hub", prov["mlbom:license.source"], "license provenance of the Hub repository's own model")
			require.Equal(t, "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f", prov["mlbom:license.revision"])
		}
		if c.Type == "file" && len(c.Hashes) == 1 && c.Hashes[0].Content == "a7c3e9f1b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4" {
			weights = true
		}
	}
	require.True(t, model, "the model component is pinned to the Hub revision with its Apache-2.0 license")
	require.True(t, weights, "model.safetensors carries the sha256 from the Hub's LFS metadata")
}
