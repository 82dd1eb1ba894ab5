package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// TestScanHubWeightsNotPublished: a Hub mirror serves other bytes for
// model.safetensors than the Hub's LFS metadata at the revision describes.
// `mlbom scan --fetch-weights` completes, the weight component records the
// mismatch (mlbom:weights.hub.*), and the integrity policy's deny finding is
// in the SARIF; through the real Hub the same scan finds nothing wrong.
func TestScanHubWeightsNotPublished(t *testing.T) {
	const published = "42664babc93c447a315290f4a0dd427173fde46ad8d31b021c8494cfe5016031"
	hub := serveHub(t)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/resolve/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567/model.safetensors") {
			w.Write(bytes.Repeat([]byte{'A'}, 128))
			return
		}
		hub.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(mirror.Close)
	dir := t.TempDir()
	t.Setenv("MLBOM_HOME", dir)
	t.Setenv("MLBOM_DB", "sqlite:"+filepath.Join(dir, "m.db"))
	t.Setenv("MLBOM_APPROVAL_TIMEOUT", "0s")

	scan := func(endpoint string) (code int, weights map[string]string, sarif string) {
		t.Helper()
		t.Setenv("MLBOM_HF_ENDPOINT", endpoint)
		out, sarifFile := filepath.Join(dir, "bom.json"), filepath.Join(dir, "scan.sarif")
		stdout, stderr, code := (&e2e{t: t}).mlbom(context.Background(), "scan", "hf://acme-ai/tiny-random-bert", "--local",
			"--fetch-weights", "-o", out, "--sarif", sarifFile)
		data, err := os.ReadFile(out)
		require.NoError(t, err, stdout+stderr)
		var doc struct {
			Components []struct {
				Name       string                         `json:"name"`
				Properties []struct{ Name, Value string } `json:"properties"`
			} `json:"components"`
		}
		require.NoError(t, json.Unmarshal(data, &doc))
		weights = map[string]string{}
		for _, c := range doc.Components {
			if c.Name != "model.safetensors" {
				continue
			}
			for _, p := range c.Properties {
				if strings.HasPrefix(p.Name, "mlbom:weights.hub.") {
					weights[p.Name] = p.Value
				}
			}
		}
		s, err := os.ReadFile(sarifFile)
		require.NoError(t, err)
		return code, weights, string(s)
	}

	code, props, sarif := scan(mirror.URL)
	require.Equal(t, 0, code, "the scan completes")
	require.Equal(t, "false", props["mlbom:weights.hub.match"], "%v", props)
	require.Equal(t, published, props["mlbom:weights.hub.sha256"])
	require.Equal(t, "acme-ai/tiny-random-bert", props["mlbom:weights.hub.repo"])
	require.Equal(t, "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", props["mlbom:weights.hub.revision"])
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct{ Text string }
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(sarif), &log))
	denied := false
	for _, r := range log.Runs[0].Results {
		denied = denied || r.RuleID == "integrity.hub-weights-mismatch" && r.Level == "error" &&
			strings.Contains(r.Message.Text, "model.safetensors") && strings.Contains(r.Message.Text, published)
	}
	require.True(t, denied, "the integrity policy denies the file that is not the published one:\n%s", sarif)

	code, props, sarif = scan(hub.URL)
	require.Equal(t, 0, code)
	require.Equal(t, "true", props["mlbom:weights.hub.match"], "%v", props)
	require.NotContains(t, sarif, "integrity.hub-weights-mismatch")
}
