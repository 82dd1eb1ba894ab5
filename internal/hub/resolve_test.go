package hub

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

// resolveHub serves repository info the way GET /api/{models,datasets}/ID
// does (no blobs=true: references need card data, not file hashes), from
// the recorded responses under testdata/hf/api, counting requests per path.
type resolveHub struct {
	*httptest.Server
	mu    sync.Mutex
	paths map[string]int
	auths []string
}

var refInfoRoute = regexp.MustCompile(`^/api/(models|datasets)/([^/]+/[^/]+)(?:/revision/([^/]+))?$`)

// testHFToken is shaped like a real token, so redaction is tested on something it would catch.
const testHFToken = "hf_TESTtokenABCDEFGHIJKLMNOPQRSTUVWXYZ012"

func newResolveHub(t *testing.T) *resolveHub {
	t.Helper()
	h := &resolveHub{paths: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		h.mu.Lock()
		h.paths[r.URL.Path]++
		h.auths = append(h.auths, auth)
		h.mu.Unlock()
		authed := auth == "Bearer "+testHFToken
		m := refInfoRoute.FindStringSubmatch(r.URL.EscapedPath())
		if m == nil || r.URL.RawQuery != "" {
			hubError(w, http.StatusBadRequest, "", "unexpected request "+r.URL.String())
			return
		}
		typ, id := m[1], m[2]
		switch id {
		case "acme-ai/secret-model":
			if !authed {
				hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository not found")
				return
			}
			hubError(w, http.StatusForbidden, "", "You don't have access to this repository")
			return
		case "acme-ai/locked-llm": // a gated repo whose metadata is withheld too
			hubError(w, http.StatusForbidden, "GatedRepo", "Access to model acme-ai/locked-llm is restricted.")
			return
		}
		data, err := os.ReadFile(filepath.Join("../source/testdata/hf/api", typ, filepath.FromSlash(id)+".json"))
		if err != nil {
			// Anonymous callers cannot tell a missing repository from a private one.
			if authed {
				hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
			} else {
				hubError(w, http.StatusUnauthorized, "RepoNotFound", "Invalid username or password.")
			}
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(data)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *resolveHub) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.paths[path]
}

func (h *resolveHub) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.paths {
		n += c
	}
	return n
}

func ref(kind asset.Kind, id, path string, line int) asset.Sighting {
	return asset.Sighting{Kind: kind, Name: id, Path: path, Line: line, Detector: "python.from_pretrained", Confidence: 0.9, Provider: "huggingface"}
}

func TestResolveHubFillsAndDedupes(t *testing.T) {
	hub := newResolveHub(t)
	findings := []asset.Sighting{
		ref(asset.KindModel, "acme-ai/sentiment-bert", "app.py", 3),
		ref(asset.KindModel, "acme-ai/sentiment-bert", "train.py", 10),
		ref(asset.KindModel, "acme-ai/guarded-llm", "chat.py", 5),
		ref(asset.KindDataset, "acme-ai/product-reviews", "train.py", 4),
		ref(asset.KindModel, "acme-ai/sentiment-bert", "notebook.ipynb", 1),
		{Kind: asset.KindModel, Name: "acme-ai/tiny-random-bert", Path: "README.md", Provider: "huggingface", License: "bsd-3-clause"},
		{Kind: asset.KindService, Name: "gpt-4o", Path: "agent.py", Provider: "openai"},
	}
	warns := Resolve(context.Background(), findings, Config{Endpoint: hub.URL})
	if len(warns) != 0 {
		t.Fatalf("warnings: %q", warns)
	}
	if n := hub.count("/api/models/acme-ai/sentiment-bert"); n != 1 {
		t.Errorf("sentiment-bert looked up %d times, want once", n)
	}
	if n := hub.total(); n != 3 {
		t.Errorf("%d requests, want 3 (one per distinct unlicensed reference): %v", n, hub.paths)
	}
	for _, i := range []int{0, 1, 4} {
		f := findings[i]
		if f.License != "apache-2.0" {
			t.Errorf("%s:%d license %q, want apache-2.0", f.Path, f.Line, f.License)
		}
		if f.Version != "" {
			t.Errorf("%s:%d: an unpinned reference got Version %q", f.Path, f.Line, f.Version)
		}
		if got := f.Props[PropResolvedRevision]; got != "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f" {
			t.Errorf("%s:%d resolved revision %q", f.Path, f.Line, got)
		}
		if f.Card == nil || f.Card.PipelineTag != "text-classification" || f.Card.LibraryName != "transformers" ||
			strings.Join(f.Card.BaseModel, ",") != "google-bert/bert-base-uncased" || strings.Join(f.Card.Datasets, ",") != "acme-ai/product-reviews" {
			t.Errorf("%s:%d card %+v", f.Path, f.Line, f.Card)
		}
		if f.Props[license.FindingSource] != license.SourceHub || f.Props[license.FindingRevision] != "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f" {
			t.Errorf("%s:%d: license provenance %v", f.Path, f.Line, f.Props)
		}
		if _, ok := f.Props["hf.downloads"]; ok {
			t.Errorf("%s:%d: download count would make BOMs of one commit differ", f.Path, f.Line)
		}
	}
	if findings[0].Card == findings[1].Card {
		t.Error("findings share one card; later edits of one would change the other")
	}
	g := findings[2]
	if g.License != "acme-community-license" || g.Card == nil || !g.Card.Gated || g.Card.LicenseLink != "LICENSE" || g.Props["hf.gated"] != "manual" {
		t.Errorf("gated model: license %q card %+v props %v", g.License, g.Card, g.Props)
	}
	if d := findings[3]; d.License != "cc-by-4.0" || d.Props[PropResolvedRevision] != "7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a" {
		t.Errorf("dataset: license %q props %v", d.License, d.Props)
	}
	if f := findings[5]; f.License != "bsd-3-clause" || f.Card != nil || f.Props != nil {
		t.Errorf("a licensed reference was changed: %+v", f)
	}
	if f := findings[6]; f.License != "" || f.Props != nil {
		t.Errorf("a hosted service was changed: %+v", f)
	}
}

func TestResolveHubPinnedRevision(t *testing.T) {
	hub := newResolveHub(t)
	f := ref(asset.KindModel, "acme-ai/tiny-random-bert", "app.py", 1)
	f.Version = "v1.0"
	findings := []asset.Sighting{f}
	if warns := Resolve(context.Background(), findings, Config{Endpoint: hub.URL}); len(warns) != 0 {
		t.Fatalf("warnings: %q", warns)
	}
	if hub.count("/api/models/acme-ai/tiny-random-bert/revision/v1.0") != 1 {
		t.Errorf("revision not asked for: %v", hub.paths)
	}
	if findings[0].Version != "v1.0" || findings[0].License != "mit" {
		t.Errorf("got version %q license %q", findings[0].Version, findings[0].License)
	}
}

func TestResolveHubWarnings(t *testing.T) {
	tests := []struct {
		name, id, token string
		want            []string
	}{
		{"missing anonymous", "acme-ai/no-such-model", "", []string{"acme-ai/no-such-model", "HF_TOKEN", "license left unknown"}},
		{"missing with token", "acme-ai/no-such-model", testHFToken, []string{"acme-ai/no-such-model", "no such Hugging Face repo"}},
		{"private anonymous", "acme-ai/secret-model", "", []string{"acme-ai/secret-model", "private"}},
		{"private no access", "acme-ai/secret-model", testHFToken, []string{"acme-ai/secret-model", "no access"}},
		{"gated", "acme-ai/locked-llm", "", []string{"acme-ai/locked-llm", "gated"}},
		{"not a hub id", "../../etc/passwd", "", []string{"not a Hub id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newResolveHub(t)
			findings := []asset.Sighting{ref(asset.KindModel, tt.id, "app.py", 1), ref(asset.KindModel, "acme-ai/sentiment-bert", "app.py", 2)}
			before := findings[0]
			warns := Resolve(context.Background(), findings, Config{Endpoint: hub.URL, Token: tt.token})
			if len(warns) != 1 {
				t.Fatalf("warnings %q, want one", warns)
			}
			for _, w := range tt.want {
				if !strings.Contains(warns[0], w) {
					t.Errorf("warning %q lacks %q", warns[0], w)
				}
			}
			if strings.Contains(warns[0], testHFToken) || strings.Contains(warns[0], "invalid source") {
				t.Errorf("warning %q leaks the token or internal wording", warns[0])
			}
			// The Hub answered without the repository, which is all the
			// finding learns; an id never sent was not looked up.
			wantProps := map[string]string{license.FindingReason: license.ReasonHubFailed}
			if tt.name == "not a hub id" {
				wantProps = nil
			}
			if f := findings[0]; f.License != "" || f.Card != nil || !maps.Equal(f.Props, wantProps) || f.Name != before.Name {
				t.Errorf("unresolved finding changed: %+v, want props %v", f, wantProps)
			}
			if findings[1].License != "apache-2.0" {
				t.Errorf("one failure stopped the other lookup: %+v", findings[1])
			}
		})
	}
}

func TestResolveHubSendsToken(t *testing.T) {
	hub := newResolveHub(t)
	findings := []asset.Sighting{ref(asset.KindModel, "acme-ai/sentiment-bert", "a.py", 1), ref(asset.KindDataset, "acme-ai/product-reviews", "a.py", 2)}
	Resolve(context.Background(), findings, Config{Endpoint: hub.URL + "/", Token: testHFToken})
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if len(hub.auths) != 2 {
		t.Fatalf("%d requests, want 2", len(hub.auths))
	}
	for _, a := range hub.auths {
		if a != "Bearer "+testHFToken {
			t.Errorf("Authorization %q", a)
		}
	}
}

func manyRefs(n int) []asset.Sighting {
	var fs []asset.Sighting
	for i := range n {
		fs = append(fs, ref(asset.KindModel, "acme-ai/model-"+string(rune('a'+i)), "app.py", i+1))
	}
	return fs
}

func checkUnreachable(t *testing.T, warns []string, endpoint string, findings []asset.Sighting) {
	t.Helper()
	if len(warns) != 1 || !strings.Contains(warns[0], "unreachable at "+endpoint) || !strings.Contains(warns[0], "MLBOM_HF_RESOLVE=false") {
		t.Fatalf("warnings %q, want one naming %s", warns, endpoint)
	}
	for _, f := range findings {
		if f.License != "" || f.Card != nil || len(f.Props) != 1 || f.Props[license.FindingReason] != license.ReasonHubUnreachable {
			t.Errorf("finding changed beyond its reason: %+v", f)
		}
	}
}

func TestResolveHubCircuitBreaker(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		endpoint := srv.URL
		srv.Close()
		findings := manyRefs(12)
		checkUnreachable(t, Resolve(context.Background(), findings, Config{Endpoint: endpoint}), endpoint, findings)
	})
	t.Run("connection dropped", func(t *testing.T) {
		// Accepts and hangs up at once; counts connections to show that
		// lookups stop after the first failure instead of trying every id.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		var conns atomic.Int32
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conns.Add(1)
				c.Close()
			}
		}()
		endpoint := "http://" + ln.Addr().String()
		findings := manyRefs(20)
		checkUnreachable(t, Resolve(context.Background(), findings, Config{Endpoint: endpoint}), endpoint, findings)
		// Go's transport retries an idempotent request once on a fresh
		// connection, so each of the at most resolveParallel lookups in
		// flight may cost two.
		if n := conns.Load(); n > 2*resolveParallel {
			t.Errorf("%d connections for 20 ids: the breaker did not stop the lookups", n)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		old := resolveRequestTimeout
		resolveRequestTimeout = 50 * time.Millisecond
		defer func() { resolveRequestTimeout = old }()
		release := make(chan struct{})
		var reqs atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reqs.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		findings := manyRefs(20)
		checkUnreachable(t, Resolve(context.Background(), findings, Config{Endpoint: srv.URL}), srv.URL, findings)
		if n := reqs.Load(); n > resolveParallel {
			t.Errorf("%d requests for 20 ids: the breaker did not stop the lookups", n)
		}
	})
}

func TestResolveHubNothingToDo(t *testing.T) {
	// No Hub reference: no request at all, not even to an unreachable endpoint.
	findings := []asset.Sighting{{Kind: asset.KindWeights, Name: "model.safetensors", Path: "model.safetensors"}}
	if warns := Resolve(context.Background(), findings, Config{Endpoint: "http://127.0.0.1:1"}); warns != nil {
		t.Errorf("warnings %q", warns)
	}
}

// hubError answers as the Hub does when it refuses.
func hubError(w http.ResponseWriter, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
