package hub

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
)

// TestCheckHubWeights compares local weight files with the recorded Hub
// answer for acme-ai/tiny-random-bert at revision 0a1b2c…: a file that is
// the published one, one that is not, one the repository does not have, and
// the same files in a Hugging Face cache snapshot.
func TestCheckHubWeights(t *testing.T) {
	const rev = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
	const published = "42664babc93c447a315290f4a0dd427173fde46ad8d31b021c8494cfe5016031"
	info, err := os.ReadFile("../source/testdata/hf/api/models/acme-ai/tiny-random-bert.json")
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/api/models/acme-ai/tiny-random-bert/revision/" + rev:
			if r.URL.RawQuery != "blobs=true" {
				hubError(w, http.StatusBadRequest, "", "want blobs=true")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(info)
		case "/api/models/acme-ai/gone/revision/" + rev:
			hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
		default:
			hubError(w, http.StatusBadRequest, "", "unexpected "+r.URL.String())
		}
	}))
	defer hub.Close()

	other := strings.Repeat("ab", 32)
	findings := []asset.Sighting{
		{Kind: asset.KindModel, Name: "acme-ai/tiny-random-bert", Version: rev, Provider: "huggingface", Path: "serve.py", Line: 3},
		{Kind: asset.KindModel, Name: "acme-ai/gone", Version: rev, Provider: "huggingface", Path: "serve.py", Line: 4},
		{Kind: asset.KindModel, Name: "acme-ai/unpinned", Provider: "huggingface", Path: "serve.py", Line: 5},
		{Kind: asset.KindWeights, Name: "models/bert/model.safetensors", Path: "models/bert/model.safetensors", Model: "acme-ai/tiny-random-bert", SHA256: published},
		{Kind: asset.KindWeights, Name: "models/evil/model.safetensors", Path: "models/evil/model.safetensors", Model: "acme-ai/tiny-random-bert", SHA256: other},
		{Kind: asset.KindWeights, Name: "models/bert/extra.safetensors", Path: "models/bert/extra.safetensors", Model: "acme-ai/tiny-random-bert", SHA256: published},
		{Kind: asset.KindWeights, Name: "hub/models--acme-ai--tiny-random-bert/snapshots/" + rev + "/model.safetensors",
			Path: "hub/models--acme-ai--tiny-random-bert/snapshots/" + rev + "/model.safetensors", SHA256: other},
		{Kind: asset.KindWeights, Name: "u/model.safetensors", Path: "u/model.safetensors", Model: "acme-ai/unpinned", SHA256: other},
		{Kind: asset.KindWeights, Name: "g/model.safetensors", Path: "g/model.safetensors", Model: "acme-ai/gone", SHA256: other},
		{Kind: asset.KindWeights, Name: "p/model.bin", Path: "p/model.bin", Model: "acme-ai/tiny-random-bert", SHA256: published, LFS: true},
	}
	warnings := CheckWeights(context.Background(), findings, Config{Endpoint: hub.URL, Timeout: 5 * time.Second})
	want := map[string]string{
		"models/bert/model.safetensors": "true",
		"models/evil/model.safetensors": "false",
		"models/bert/extra.safetensors": "missing",
		"hub/models--acme-ai--tiny-random-bert/snapshots/" + rev + "/model.safetensors": "false",
		"u/model.safetensors": "", // unpinned: nothing to compare with
		"g/model.safetensors": "", // the Hub has no such repository: a warning
		"p/model.bin":         "", // an LFS pointer: its oid is the Hub's word already
	}
	for _, f := range findings[3:] {
		if got := f.Props[PropMatch]; got != want[f.Path] {
			t.Errorf("%s: hub.match %q, want %q (props %v)", f.Path, got, want[f.Path], f.Props)
		}
	}
	if f := findings[4]; f.Props[PropSHA256] != published || f.Props[PropRevision] != rev || f.Props[PropRepo] != "acme-ai/tiny-random-bert" {
		t.Errorf("mismatch props %v", f.Props)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "acme-ai/gone") {
		t.Errorf("warnings %q", warnings)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d Hub requests, want one per repository and revision (2)", n)
	}
}

func TestCheckHubWeightsOffline(t *testing.T) {
	rev := strings.Repeat("1", 40)
	findings := []asset.Sighting{
		{Kind: asset.KindModel, Name: "a/b", Version: rev, Provider: "huggingface"},
		{Kind: asset.KindModel, Name: "c/d", Version: rev, Provider: "huggingface"},
		{Kind: asset.KindWeights, Path: "x/m.safetensors", Model: "a/b", SHA256: strings.Repeat("a", 64)},
		{Kind: asset.KindWeights, Path: "y/m.safetensors", Model: "c/d", SHA256: strings.Repeat("a", 64)},
	}
	start := time.Now()
	warnings := CheckWeights(context.Background(), findings, Config{Endpoint: "http://127.0.0.1:1"})
	if len(warnings) != 1 || time.Since(start) > 10*time.Second {
		t.Fatalf("offline: %q after %v (want one warning, quickly)", warnings, time.Since(start))
	}
	if findings[2].Props != nil {
		t.Errorf("props written without an answer: %v", findings[2].Props)
	}
}
