package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
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

// A tree from the Hub whose files were changed on disk after download (a
// reused checkout): compared with what the Hub published at the revision.
func TestCheckFiles(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:" + sum("tok") + "\nsize 3\n"
	fsys := fstest.MapFS{
		"model.safetensors": {Data: []byte("published weights")},
		"onnx/model.onnx":   {Data: []byte("changed onnx")},
		"small.bin":         {Data: []byte("git blob")},
		"extra.gguf":        {Data: []byte("not on the Hub")},
		"pointer.bin":       {Data: []byte(pointer)},
		"tokenizer.json":    {Data: []byte(pointer)},         // still a pointer: not fetched
		"vocab.txt":         {Data: []byte("swapped vocab")}, // LFS on the Hub, not weights to discovery
		"pkg.mlpackage":     {Mode: fs.ModeDir},
	}
	hub := &Files{Repo: "acme-ai/m", Type: "model", Revision: strings.Repeat("1", 40), LFS: map[string]string{
		"model.safetensors": sum("published weights"), "onnx/model.onnx": sum("published onnx"), "small.bin": "",
		"pointer.bin": sum("p"), "tokenizer.json": sum("tok"), "vocab.txt": sum("vocab"), "absent.bin": sum("x"),
	}}
	found := []asset.Sighting{
		{Kind: asset.KindWeights, Path: "model.safetensors", SHA256: sum("published weights")},
		{Kind: asset.KindWeights, Path: "onnx/model.onnx", SHA256: sum("changed onnx")},
		{Kind: asset.KindWeights, Path: "small.bin", SHA256: sum("git blob")},
		{Kind: asset.KindWeights, Path: "extra.gguf", SHA256: sum("not on the Hub")},
		{Kind: asset.KindWeights, Path: "pointer.bin", SHA256: sum("p"), LFS: true},
		{Kind: asset.KindWeights, Path: "pkg.mlpackage", SHA256: sum("bundle")},
		{Kind: asset.KindWeights, Path: "unhashed.bin"},
		{Kind: asset.KindModel, Name: "acme-ai/m", Path: "README.md"},
	}
	added, warns := CheckFiles(context.Background(), fsys, found, hub)
	want := []string{"true", "false", "", "missing", "", "", "", ""}
	for i, f := range found {
		if got := f.Props[PropMatch]; got != want[i] {
			t.Errorf("%s: hub.match %q, want %q", f.Path, got, want[i])
		}
	}
	if len(warns) != 0 {
		t.Errorf("warnings %q", warns)
	}
	if len(added) != 1 || added[0].Path != "vocab.txt" || added[0].SHA256 != sum("swapped vocab") ||
		added[0].Props[PropMatch] != "false" || added[0].Props[PropSHA256] != sum("vocab") || added[0].Size != 13 {
		t.Errorf("added %+v, want vocab.txt as a weight file that is not the published one", added)
	}
	if a, w := CheckFiles(context.Background(), fsys, found, nil); a != nil || w != nil {
		t.Errorf("not a Hub tree: %v %v", a, w)
	}
}
