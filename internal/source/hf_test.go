package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/hub"
)

const testHFToken = "hf_TESTtokenABCDEFGHIJKLMNOPQRSTUVWXYZ012"

// hubServer imitates the Hub from recorded responses under testdata/hf:
// api/<type>s/<id>.json for repository info and files/<type>s/<id>/<path>
// for resolve downloads, with the Hub's status codes and X-Error-Code
// headers for private, gated, missing and rate-limited repositories.
type hubServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // "METHOD path auth"
}

var (
	apiRoute     = regexp.MustCompile(`^/api/(models|datasets|spaces)/([^/]+/[^/]+)(?:/revision/([^/]+))?$`)
	resolveRoute = regexp.MustCompile(`^/(?:(datasets|spaces)/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)$`)
)

func newHubServer(t *testing.T) *hubServer {
	t.Helper()
	h := &hubServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (h *hubServer) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	h.mu.Lock()
	h.requests = append(h.requests, r.Method+" "+r.URL.Path+" "+auth)
	h.mu.Unlock()
	authed := auth == "Bearer "+testHFToken

	if m := apiRoute.FindStringSubmatch(r.URL.EscapedPath()); m != nil {
		typ, id, rev := m[1], m[2], m[3]
		if r.URL.Query().Get("blobs") != "true" {
			hubError(w, http.StatusBadRequest, "", "test server wants blobs=true")
			return
		}
		switch id {
		case "acme-ai/secret-model": // private: anonymous callers cannot tell it from a missing repo
			if !authed {
				hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository not found")
				return
			}
			hubError(w, http.StatusForbidden, "", "You don't have access to this repository")
			return
		case "acme-ai/busy-model":
			w.Header().Set("Retry-After", "30")
			hubError(w, http.StatusTooManyRequests, "", "You have exceeded our hourly quotas")
			return
		case "acme-ai/flaky-model":
			hubError(w, http.StatusBadGateway, "", "Bad Gateway")
			return
		}
		data, err := os.ReadFile(filepath.Join("testdata/hf/api", typ, filepath.FromSlash(id)+".json"))
		if err != nil {
			if authed {
				hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
			} else {
				hubError(w, http.StatusUnauthorized, "RepoNotFound", "Invalid username or password.")
			}
			return
		}
		if rev != "" && rev != "main" && rev != "v1.0" && !bytes.Contains(data, []byte(`"sha": "`+rev+`"`)) {
			hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(data)
		return
	}
	if m := resolveRoute.FindStringSubmatch(r.URL.EscapedPath()); m != nil {
		typ, id, file := m[1], m[2], r.URL.Path[strings.Index(r.URL.Path, "/resolve/")+len("/resolve/"):]
		file = file[strings.Index(file, "/")+1:]
		if typ == "" {
			typ = "models"
		}
		if id == "acme-ai/guarded-llm" && !authed {
			if auth == "" {
				hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to model acme-ai/guarded-llm is restricted. You must have access to it and be authenticated to access it. Please log in.")
			} else {
				hubError(w, http.StatusForbidden, "GatedRepo", "Access to model acme-ai/guarded-llm is restricted and you are not in the authorized list.")
			}
			return
		}
		data, err := os.ReadFile(filepath.Join("testdata/hf/files", typ, filepath.FromSlash(id), filepath.FromSlash(file)))
		if err != nil {
			hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
			return
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(sha256.New().Sum(nil))[:40]+`"`)
		w.Write(data)
		return
	}
	hubError(w, http.StatusNotFound, "", "Not Found")
}

func (h *hubServer) sawAuth(prefix string) (with, without int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.requests {
		if !strings.HasPrefix(r, "GET "+prefix) {
			continue
		}
		if strings.HasSuffix(r, " Bearer "+testHFToken) {
			with++
		} else {
			without++
		}
	}
	return
}

func findingsBy(fs []asset.Sighting, kind asset.Kind) []asset.Sighting {
	var out []asset.Sighting
	for _, f := range fs {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func TestOpenHFModel(t *testing.T) {
	hub := newHubServer(t)
	tree, err := Open(context.Background(), Spec{Source: "hf://acme-ai/sentiment-bert", WorkDir: t.TempDir()},
		Options{HFEndpoint: hub.URL, MaxFileSize: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if tree.Kind != "huggingface" || tree.Commit != "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f" ||
		tree.URL != "hf://acme-ai/sentiment-bert" || tree.Name != "sentiment-bert" {
		t.Errorf("tree = %s %s %s %s", tree.Kind, tree.Commit, tree.URL, tree.Name)
	}
	// Text files are fetched as they are on the Hub.
	for _, p := range []string{"README.md", "config.json", "tokenizer_config.json", "special_tokens_map.json", ".gitattributes"} {
		got, err := fs.ReadFile(tree.FS, p)
		want, _ := os.ReadFile(filepath.Join("testdata/hf/files/models/acme-ai/sentiment-bert", p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v; want the Hub's %d bytes", p, len(got), err, len(want))
		}
	}
	// LFS files are pointer files with the Hub's sha256 and size.
	pointers := map[string]string{
		"model.safetensors": "version https://git-lfs.github.com/spec/v1\noid sha256:a7c3e9f1b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4\nsize 437958648\n",
		"pytorch_model.bin": "version https://git-lfs.github.com/spec/v1\noid sha256:5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c\nsize 438016493\n",
		"training_args.bin": "version https://git-lfs.github.com/spec/v1\noid sha256:b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2\nsize 5176\n",
	}
	for p, want := range pointers {
		got, err := fs.ReadFile(tree.FS, p)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v", p, got, err)
		}
	}
	// vocab.txt (231508 bytes) is over the 200000-byte cap.
	if len(tree.Skipped) != 1 || tree.Skipped[0].Path != "vocab.txt" || !strings.Contains(tree.Skipped[0].Reason, "limit") {
		t.Errorf("Skipped = %+v", tree.Skipped)
	}
	models := findingsBy(tree.Sightings, asset.KindModel)
	if len(models) != 1 {
		t.Fatalf("model findings = %+v", tree.Sightings)
	}
	m := models[0]
	if m.Name != "acme-ai/sentiment-bert" || m.Version != tree.Commit || m.Provider != "huggingface" ||
		m.License != "apache-2.0" || m.Path != "README.md" || m.Card == nil {
		t.Fatalf("finding = %+v", m)
	}
	c := m.Card
	if c.PipelineTag != "text-classification" || c.LibraryName != "transformers" || c.Gated ||
		strings.Join(c.BaseModel, ",") != "google-bert/bert-base-uncased" ||
		strings.Join(c.Datasets, ",") != "acme-ai/product-reviews" ||
		strings.Join(c.Architectures, ",") != "BertForSequenceClassification" || c.ModelType != "bert" ||
		strings.Join(c.Language, ",") != "en" {
		t.Errorf("card = %+v", c)
	}
	wantMetrics := []asset.Metric{
		{Task: "text-classification", Dataset: "acme-ai/product-reviews", Type: "accuracy", Value: "0.9312"},
		{Task: "text-classification", Dataset: "acme-ai/product-reviews", Type: "f1", Value: "0.9287"},
	}
	if len(c.Metrics) != 2 || c.Metrics[0] != wantMetrics[0] || c.Metrics[1] != wantMetrics[1] {
		t.Errorf("metrics = %+v", c.Metrics)
	}
	if m.Props["hf.downloads"] != "18342" || m.Props["hf.author"] != "acme-ai" {
		t.Errorf("props = %v", m.Props)
	}
	if with, _ := hub.sawAuth("/"); with != 0 {
		t.Errorf("sent a token that was never given")
	}
}

func TestOpenHFRevisionAndReuse(t *testing.T) {
	hub := newHubServer(t)
	work := t.TempDir()
	o := Options{HFEndpoint: hub.URL}
	for i, spec := range []Spec{
		{Source: "hf://acme-ai/sentiment-bert@v1.0", WorkDir: work},
		{Source: "hf://models/acme-ai/sentiment-bert", Ref: "v1.0", WorkDir: work},
	} {
		tree, err := Open(context.Background(), spec, o)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if tree.Ref != "v1.0" || tree.Commit != "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f" {
			t.Errorf("%d: ref %q commit %s", i, tree.Ref, tree.Commit)
		}
		// vocab.txt is listed but the recorded Hub has no such file.
		if len(tree.Skipped) != 1 || tree.Skipped[0].Path != "vocab.txt" {
			t.Errorf("%d: Skipped = %+v", i, tree.Skipped)
		}
		tree.Close()
	}
	// The second open reused the tree: one fetch of README.md in all, and
	// downloads name the pinned sha, never the moving revision.
	n := 0
	hub.mu.Lock()
	for _, r := range hub.requests {
		if strings.Contains(r, "/resolve/") && !strings.Contains(r, "/resolve/3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f/") {
			t.Errorf("download not pinned to the sha: %s", r)
		}
		if strings.Contains(r, "/README.md") {
			n++
		}
	}
	hub.mu.Unlock()
	if n != 1 {
		t.Errorf("README.md fetched %d times, want 1", n)
	}
}

func TestOpenHFDatasetAndSpace(t *testing.T) {
	hub := newHubServer(t)
	o := Options{HFEndpoint: hub.URL}
	ds, err := Open(context.Background(), Spec{Source: "hf://datasets/acme-ai/product-reviews", WorkDir: t.TempDir(), FetchWeights: true}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	f := findingsBy(ds.Sightings, asset.KindDataset)
	if len(f) != 1 || f[0].Name != "acme-ai/product-reviews" || f[0].License != "cc-by-4.0" ||
		f[0].Version != "7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a" || f[0].Props["hf.task_categories"] != "text-classification" ||
		f[0].URL != hub.URL+"/datasets/acme-ai/product-reviews" {
		t.Errorf("dataset findings = %+v", ds.Sightings)
	}
	// Dataset files stay pointers even with FetchWeights.
	got, err := fs.ReadFile(ds.FS, "data/train-00000-of-00001.parquet")
	if err != nil || !strings.HasPrefix(string(got), "version https://git-lfs.github.com/spec/v1\noid sha256:3d5f7b9c") {
		t.Errorf("parquet = %q, %v", got, err)
	}
	if ds.Name != "product-reviews" || ds.URL != "hf://datasets/acme-ai/product-reviews" {
		t.Errorf("name/url = %s %s", ds.Name, ds.URL)
	}

	sp, err := Open(context.Background(), Spec{Source: "hf://spaces/acme-ai/sentiment-demo", WorkDir: t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if app, err := fs.ReadFile(sp.FS, "app.py"); err != nil || !strings.Contains(string(app), `model="acme-ai/sentiment-bert"`) {
		t.Errorf("app.py = %q, %v", app, err)
	}
	var names []string
	for _, f := range sp.Sightings {
		names = append(names, string(f.Kind)+":"+f.Name)
	}
	if strings.Join(names, " ") != "model:acme-ai/sentiment-bert dataset:acme-ai/product-reviews" {
		t.Errorf("space findings = %v", names)
	}
}

func TestOpenHFFetchWeights(t *testing.T) {
	hub := newHubServer(t)
	want, err := os.ReadFile("testdata/hf/files/models/acme-ai/tiny-random-bert/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Open(context.Background(), Spec{Source: "hf://acme-ai/tiny-random-bert", WorkDir: t.TempDir(), FetchWeights: true},
		Options{HFEndpoint: hub.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	got, err := fs.ReadFile(tree.FS, "model.safetensors")
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("weights: %d bytes, %v; want %d real bytes", len(got), err, len(want))
	}
	if !strings.HasSuffix(tree.Dir, "+weights") {
		t.Errorf("Dir = %s", tree.Dir)
	}
}

// A mirror that serves other bytes than the Hub's LFS metadata describes:
// the open completes with the bytes as served, the tree says what the Hub
// publishes, hub.CheckFiles records the mismatch, and the next open of
// the same checkout fetches the file again (and keeps it once it matches).
func TestOpenHFFetchWeightsHashMismatch(t *testing.T) {
	const publishedSHA = "42664babc93c447a315290f4a0dd427173fde46ad8d31b021c8494cfe5016031"
	published := newHubServer(t)
	evil := bytes.Repeat([]byte{0}, 128) // the listed size, other content
	var evilServed atomic.Int32
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/model.safetensors") {
			evilServed.Add(1)
			w.Write(evil)
			return
		}
		published.Config.Handler.ServeHTTP(w, r)
	}))
	defer bad.Close()
	work := t.TempDir()
	open := func(endpoint string) (*Tree, []byte) {
		t.Helper()
		tree, err := Open(context.Background(), Spec{Source: "hf://acme-ai/tiny-random-bert", WorkDir: work, FetchWeights: true},
			Options{HFEndpoint: endpoint})
		if err != nil {
			t.Fatalf("open through %s: %v (a mismatch must not fail the open)", endpoint, err)
		}
		t.Cleanup(func() { tree.Close() })
		got, err := fs.ReadFile(tree.FS, "model.safetensors")
		if err != nil {
			t.Fatal(err)
		}
		return tree, got
	}
	// As the scan calls it: with discovery's weight finding, and without
	// one (a substituted file discovery does not take for weights).
	compare := func(tree *Tree, content []byte) map[string]string {
		t.Helper()
		sum := sha256.Sum256(content)
		fs := []asset.Sighting{{Kind: asset.KindWeights, Name: "model.safetensors", Path: "model.safetensors", SHA256: hex.EncodeToString(sum[:])}}
		added, warns := hub.CheckFiles(context.Background(), tree.FS, fs, tree.Hub)
		if len(added) != 0 || len(warns) != 0 {
			t.Errorf("added %+v, warnings %q", added, warns)
		}
		added, _ = hub.CheckFiles(context.Background(), tree.FS, nil, tree.Hub)
		switch props := fs[0].Props; {
		case props[hub.PropMatch] == "false" && (len(added) != 1 || added[0].Path != "model.safetensors" ||
			added[0].SHA256 != fs[0].SHA256 || added[0].Props[hub.PropMatch] != "false" || added[0].Kind != asset.KindWeights):
			t.Errorf("without a weight finding: added %+v", added)
		case props[hub.PropMatch] == "true" && len(added) != 0:
			t.Errorf("the published file was reported: %+v", added)
		}
		return fs[0].Props
	}

	tree, got := open(bad.URL)
	if !bytes.Equal(got, evil) {
		t.Fatalf("the tree holds %d bytes, want the %d bytes served", len(got), len(evil))
	}
	if tree.Hub == nil || tree.Hub.Repo != "acme-ai/tiny-random-bert" || tree.Hub.Revision != "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567" ||
		tree.Hub.LFS["model.safetensors"] != publishedSHA || tree.Hub.LFS["config.json"] != "" {
		t.Fatalf("tree.Hub = %+v", tree.Hub)
	}
	props := compare(tree, got)
	if props[hub.PropMatch] != "false" || props[hub.PropSHA256] != publishedSHA || props[hub.PropRepo] != "acme-ai/tiny-random-bert" {
		t.Errorf("props %v, want a mismatch against %s", props, publishedSHA)
	}
	if _, err := os.Stat(differingFile(tree.Dir)); err != nil {
		t.Errorf("no record of the differing file beside the checkout: %v", err)
	}

	// Reused through the same mirror: fetched again, still differing.
	_, got = open(bad.URL)
	if n := evilServed.Load(); n != 2 || !bytes.Equal(got, evil) {
		t.Errorf("served %d times, tree holds %d bytes; want a second fetch", n, len(got))
	}
	// Reused through the real Hub: fetched again, now the published file.
	tree, got = open(published.URL)
	if props := compare(tree, got); props[hub.PropMatch] != "true" {
		t.Errorf("after a good fetch: props %v", props)
	}
	if _, err := os.Stat(differingFile(tree.Dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the differing record outlived the good fetch: %v", err)
	}
	// A matching checkout is reused without fetching its weights again.
	published.mu.Lock()
	before := len(published.requests)
	published.mu.Unlock()
	open(published.URL)
	published.mu.Lock()
	for _, r := range published.requests[before:] {
		if strings.Contains(r, "/resolve/") {
			t.Errorf("a matching checkout was fetched again: %s", r)
		}
	}
	published.mu.Unlock()
}

func TestOpenHFErrors(t *testing.T) {
	hub := newHubServer(t)
	tests := []struct {
		name, src, token string
		invalid          bool
		contains         string
	}{
		{"gated without token", "hf://acme-ai/guarded-llm", "", true, "HF_TOKEN"},
		{"gated with a token lacking access", "hf://acme-ai/guarded-llm", "hf_otherTOKENwithoutACCESS000000000000", true, "request access"},
		{"private without token", "hf://acme-ai/secret-model", "", true, "set HF_TOKEN"},
		{"private with a token lacking access", "hf://acme-ai/secret-model", testHFToken, true, "no access"},
		{"missing repo", "hf://acme-ai/no-such-model", testHFToken, true, "no such Hugging Face repo"},
		{"missing revision", "hf://acme-ai/sentiment-bert@does-not-exist", "", true, "no revision"},
		{"rate limited", "hf://acme-ai/busy-model", testHFToken, false, "rate limited"},
		{"server error", "hf://acme-ai/flaky-model", "", false, "502"},
		{"malformed", "hf://acme-ai/../../etc", "", true, "malformed"},
		{"revision given twice", "hf://acme-ai/sentiment-bert@main|v1.0", "", true, "revision given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, ref, _ := strings.Cut(tc.src, "|")
			_, err := Open(context.Background(), Spec{Source: src, Ref: ref, WorkDir: t.TempDir()}, Options{HFEndpoint: hub.URL, HFToken: tc.token})
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrInvalid) != tc.invalid {
				t.Errorf("errors.Is(ErrInvalid) = %v, want %v: %v", !tc.invalid, tc.invalid, err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("err = %v, want it to mention %q", err, tc.contains)
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("token leaked into error: %v", err)
			}
		})
	}
}

func TestOpenHFGatedWithToken(t *testing.T) {
	hub := newHubServer(t)
	tree, err := Open(context.Background(), Spec{Source: "hf://acme-ai/guarded-llm", WorkDir: t.TempDir()},
		Options{HFEndpoint: hub.URL, HFToken: testHFToken})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	m := findingsBy(tree.Sightings, asset.KindModel)
	if len(m) != 1 || !m[0].Card.Gated || m[0].Props["hf.gated"] != "manual" || m[0].License != "acme-community-license" ||
		m[0].Card.License != "other" || m[0].Card.LicenseName != "acme-community-license" {
		t.Errorf("findings = %+v", tree.Sightings)
	}
	if _, err := fs.ReadFile(tree.FS, "config.json"); err != nil {
		t.Errorf("config.json: %v", err)
	}
	with, without := hub.sawAuth("/")
	if with == 0 || without != 0 {
		t.Errorf("requests with token %d, without %d; want all with", with, without)
	}
}
