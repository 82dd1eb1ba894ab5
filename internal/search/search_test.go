package search

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/store"
)

func cosine(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

func TestOffline(t *testing.T) {
	ctx := context.Background()
	e := NewOffline(0)
	if e.Dim() != 512 || e.Name() != "offline-ngram-v1/512" {
		t.Errorf("Dim %d Name %q", e.Dim(), e.Name())
	}
	texts := []string{
		"mistral 7b instruct model",
		"mistrall instruct",   // typo of the first
		"Mistral-7B-Instruct", // spelling variant of the first
		"stanford question answering dataset",
		"",
	}
	v, err := e.Embed(ctx, texts)
	if err != nil || len(v) != len(texts) {
		t.Fatal(err)
	}
	for i, x := range v[:4] {
		var n float64
		for _, f := range x {
			n += float64(f) * float64(f)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d not unit length: %v", i, n)
		}
	}
	for _, f := range v[4] {
		if f != 0 {
			t.Fatal("empty text must embed to zeros")
		}
	}
	if a, b := cosine(v[0], v[1]), cosine(v[0], v[3]); a <= b+0.2 {
		t.Errorf("typo similarity %.3f not clearly above unrelated %.3f", a, b)
	}
	if a, b := cosine(v[0], v[2]), cosine(v[0], v[3]); a <= b+0.3 {
		t.Errorf("variant similarity %.3f not clearly above unrelated %.3f", a, b)
	}
	again, _ := NewOffline(512).Embed(ctx, texts[:1])
	if !reflect.DeepEqual(again[0], v[0]) {
		t.Error("offline embedder is not deterministic")
	}
	if got := alnumParts("gpt4o"); !reflect.DeepEqual(got, []string{"gpt", "4", "o"}) {
		t.Errorf("alnumParts(gpt4o) = %v", got)
	}
	if alnumParts("llama") != nil {
		t.Error("alnumParts(llama) should be nil")
	}
}

func TestRRF(t *testing.T) {
	tests := []struct {
		name    string
		lists   [][]string
		k       int
		weights []float64
		want    []string
	}{
		{"agreement beats one top spot", [][]string{{"a", "b", "c"}, {"b", "c", "a"}}, 60, nil, []string{"b", "a", "c"}},
		{"single list keeps its order", [][]string{{"x", "y", "z"}}, 0, nil, []string{"x", "y", "z"}},
		{"weights favour a list", [][]string{{"a", "b"}, {"b", "a"}}, 60, []float64{1, 3}, []string{"b", "a"}},
		{"ties broken by id", [][]string{{"b"}, {"a"}}, 60, nil, []string{"a", "b"}},
		{"duplicates count once", [][]string{{"a", "a", "b"}, {"b"}}, 60, nil, []string{"b", "a"}},
		{"empty", nil, 60, nil, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			for _, f := range RRF(tc.lists, tc.k, tc.weights) {
				got = append(got, f.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RRF = %v, want %v", got, tc.want)
			}
		})
	}
	f := RRF([][]string{{"a"}, {"a"}}, 0, nil)
	if math.Abs(f[0].Score-2.0/61) > 1e-12 {
		t.Errorf("score with default k: %v, want 2/61", f[0].Score)
	}
}

// fakeOpenAI serves /v1/embeddings like the real API: a deterministic
// vector per input, the given failures first.
type fakeOpenAI struct {
	mu       sync.Mutex
	failures []int // HTTP statuses to answer before succeeding
	calls    int
	batches  []int
	auth     string
	body     map[string]any
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.auth = r.Header.Get("Authorization")
	if r.URL.Path != "/v1/embeddings" {
		http.Error(w, "not found", 404)
		return
	}
	if len(f.failures) > 0 {
		status := f.failures[0]
		f.failures = f.failures[1:]
		if status == 429 {
			w.Header().Set("Retry-After", "2")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"Rate limit reached for text-embedding-3-small","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
		return
	}
	var req struct {
		Input      []string `json:"input"`
		Model      string   `json:"model"`
		Dimensions int      `json:"dimensions"`
	}
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &req)
	json.Unmarshal(b, &f.body)
	f.batches = append(f.batches, len(req.Input))
	dim := req.Dimensions
	if dim == 0 {
		dim = 8
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string         `json:"object"`
		Data   []item         `json:"data"`
		Model  string         `json:"model"`
		Usage  map[string]int `json:"usage"`
	}{Object: "list", Model: req.Model, Usage: map[string]int{"prompt_tokens": 5, "total_tokens": 5}}
	// Answer in reverse order: clients must place vectors by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		v := make([]float32, dim)
		v[len(req.Input[i])%dim] = 1
		resp.Data = append(resp.Data, item{"embedding", i, v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func newTestOpenAI(t *testing.T, f *fakeOpenAI, opts OpenAIOptions) (*openAIEmbedder, *[]time.Duration) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	opts.BaseURL = srv.URL + "/v1"
	opts.APIKey = "sk-test-secret"
	e := NewOpenAI(opts).(*openAIEmbedder)
	var slept []time.Duration
	e.sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	return e, &slept
}

func TestOpenAIBatchingAndOrder(t *testing.T) {
	f := &fakeOpenAI{}
	e, _ := newTestOpenAI(t, f, OpenAIOptions{Model: "text-embedding-3-small", Dim: 16, BatchSize: 3})
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.batches, []int{3, 3, 1}) {
		t.Errorf("batches %v, want [3 3 1]", f.batches)
	}
	for i, v := range vecs {
		if len(v) != 16 || v[len(texts[i])%16] != 1 {
			t.Errorf("vector %d misplaced: %v", i, v)
		}
	}
	if f.auth != "Bearer sk-test-secret" || f.body["dimensions"] != float64(16) || f.body["model"] != "text-embedding-3-small" {
		t.Errorf("request: auth %q body %v", f.auth, f.body)
	}
	if e.Name() != "openai:text-embedding-3-small/16" || e.Dim() != 16 {
		t.Errorf("Name %q Dim %d", e.Name(), e.Dim())
	}
}

func TestOpenAIRetries(t *testing.T) {
	ctx := context.Background()
	// 429 with Retry-After: 2, then a 503, then success.
	f := &fakeOpenAI{failures: []int{429, 503}}
	e, slept := newTestOpenAI(t, f, OpenAIOptions{Model: "local-model", MinBackoff: 100 * time.Millisecond})
	vecs, err := e.Embed(ctx, []string{"hello"})
	if err != nil || len(vecs) != 1 {
		t.Fatalf("Embed after retries: %v", err)
	}
	if f.calls != 3 || !reflect.DeepEqual(*slept, []time.Duration{2 * time.Second, 200 * time.Millisecond}) {
		t.Errorf("calls %d, sleeps %v; want 3 calls, [2s (Retry-After) 200ms (backoff)]", f.calls, *slept)
	}
	if e.Dim() != 8 || e.Name() != "openai:local-model" {
		t.Errorf("learned dimension: Dim %d Name %q", e.Dim(), e.Name())
	}

	// Bounded: persistent 500s give up after MaxAttempts with the error.
	f = &fakeOpenAI{failures: []int{500, 500, 500, 500, 500}}
	e, _ = newTestOpenAI(t, f, OpenAIOptions{Model: "m", MaxAttempts: 3})
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || f.calls != 3 {
		t.Errorf("persistent 500: err %v after %d calls, want an error after 3", err, f.calls)
	} else if strings.Contains(err.Error(), "sk-test-secret") {
		t.Errorf("API key in error: %v", err)
	}

	// 400 is not retried.
	f = &fakeOpenAI{failures: []int{400}}
	e, _ = newTestOpenAI(t, f, OpenAIOptions{Model: "m"})
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || f.calls != 1 {
		t.Errorf("400: err %v after %d calls, want an error after 1", err, f.calls)
	}

	// A known model whose endpoint returns another size is refused, not stored.
	f = &fakeOpenAI{}
	e, _ = newTestOpenAI(t, f, OpenAIOptions{Model: "nomic-embed-text"})
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || !strings.Contains(err.Error(), "dimensions") {
		t.Errorf("dimension mismatch: %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "3": 3 * time.Second, "0.5": 500 * time.Millisecond, "junk": 0, "-1": 0,
		now.Add(10 * time.Second).Format(http.TimeFormat): 10 * time.Second,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func testBOM() *cdx.BOM {
	line := 42
	b := cdx.NewBOM()
	b.Components = &[]cdx.Component{
		{
			BOMRef: "pkg:huggingface/openai/whisper-large-v3@06f233f", Type: cdx.ComponentTypeMachineLearningModel,
			Group: "openai", Name: "whisper-large-v3", Description: "speech recognition",
			Licenses:   &cdx.Licenses{{License: &cdx.License{ID: "Apache-2.0"}}},
			Properties: &[]cdx.Property{{Name: "mlbom:asset.kind", Value: "model"}, {Name: "mlbom:format", Value: "safetensors"}},
			Evidence:   &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: "app/asr.py", Line: &line}, {Location: "b.py"}}},
			ModelCard: &cdx.MLModelCard{ModelParameters: &cdx.MLModelParameters{Task: "automatic-speech-recognition"},
				Considerations: &cdx.MLModelCardConsiderations{UseCases: &[]string{"meeting transcription"}}},
			Components: &[]cdx.Component{{BOMRef: "weights:models/whisper/model.safetensors", Type: cdx.ComponentTypeFile,
				Name: "models/whisper/model.safetensors", Properties: &[]cdx.Property{{Name: "mlbom:asset.kind", Value: "weights"}}}},
		},
		{BOMRef: "dataset:squad", Type: cdx.ComponentTypeData, Name: "squad", Properties: &[]cdx.Property{{Name: "mlbom:asset.kind", Value: "dataset"}}},
	}
	b.Services = &[]cdx.Service{{BOMRef: "service:openai", Name: "OpenAI API", Endpoints: &[]string{"https://api.openai.com/v1"},
		Provider: &cdx.OrganizationalEntity{Name: "OpenAI"}}}
	return b
}

func TestEvidenceFromBOM(t *testing.T) {
	ev := EvidenceFromBOM("acme/voice", 3, testBOM())
	if len(ev) != 4 {
		t.Fatalf("%d documents, want 4 (model, nested weights, dataset, service)", len(ev))
	}
	w := ev[0]
	if w.ID != "acme/voice#pkg:huggingface/openai/whisper-large-v3@06f233f" || w.Kind != "model" || w.Name != "openai/whisper-large-v3" ||
		w.Location != "app/asr.py:42" || w.Version != 3 || w.Project != "acme/voice" {
		t.Errorf("model evidence = %+v", w)
	}
	for _, want := range []string{"speech recognition", "Apache-2.0", "format: safetensors", "automatic-speech-recognition", "meeting transcription"} {
		if !strings.Contains(w.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, w.Text)
		}
	}
	if ev[1].Kind != "weights" || ev[2].Kind != "dataset" || ev[3].Kind != "service" || ev[3].Location != "https://api.openai.com/v1" ||
		!strings.Contains(ev[3].Text, "OpenAI") {
		t.Errorf("other evidence: %+v", ev[1:])
	}
	long := EvidenceID("p", strings.Repeat("x", 400))
	if len(long) > 255 || long == EvidenceID("p", strings.Repeat("x", 401)) {
		t.Errorf("long ids must be bounded and distinct: %d", len(long))
	}
	if EvidenceFromBOM("p", 1, nil) != nil {
		t.Error("nil BOM")
	}
}

func TestSearcherEndToEnd(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	s := NewSearcher(db, NewOffline(0), Options{})
	if err := s.Index(ctx, EvidenceFromBOM("acme/voice", 1, testBOM())); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Search(ctx, "speech transcription model", store.Filter{}, 5)
	if err != nil || len(rs) == 0 || rs[0].BOMRef != "pkg:huggingface/openai/whisper-large-v3@06f233f" || rs[0].Location != "app/asr.py:42" {
		t.Fatalf("Search = %+v, %v", rs, err)
	}
	js, _ := json.Marshal(rs[0])
	var m map[string]any
	json.Unmarshal(js, &m)
	keys := []string{}
	for k := range m {
		keys = append(keys, k)
	}
	for _, k := range []string{"bom-ref", "name", "kind", "score", "project", "version", "location"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, js)
		}
	}
	if len(m) != 7 {
		t.Errorf("JSON has extra keys: %v", keys)
	}
	if rs, _ := s.Search(ctx, "speech", store.Filter{Kind: "dataset"}, 5); len(rs) != 1 || rs[0].Kind != "dataset" {
		t.Errorf("kind filter: %+v", rs)
	}
	if rs, _ := s.Search(ctx, "speech", store.Filter{Project: "other"}, 5); len(rs) != 0 {
		t.Errorf("project filter: %+v", rs)
	}
	// A new version of the same BOM updates the documents: one hit per component, newest version.
	if err := s.Index(ctx, EvidenceFromBOM("acme/voice", 2, testBOM())); err != nil {
		t.Fatal(err)
	}
	rs, _ = s.Search(ctx, "whisper", store.Filter{}, 10)
	n := 0
	for _, r := range rs {
		if strings.Contains(r.BOMRef, "whisper-large-v3@") {
			n++
			if r.Version != 2 {
				t.Errorf("version %d, want 2", r.Version)
			}
		}
	}
	if n != 1 {
		t.Errorf("whisper appears %d times", n)
	}

	// Changing the embedder: everything needs re-embedding, and Reembed does it.
	s2 := NewSearcher(db, NewOffline(64), Options{})
	if rs, _ := s2.WithMode(VectorOnly).Search(ctx, "whisper", store.Filter{}, 5); len(rs) != 0 {
		t.Errorf("new embedder found vectors before re-embedding: %v", rs)
	}
	n, err = s2.Reembed(ctx, 2)
	if err != nil || n != 4 {
		t.Fatalf("Reembed = %d, %v; want 4", n, err)
	}
	if rs, _ := s2.WithMode(VectorOnly).Search(ctx, "whisper", store.Filter{}, 5); len(rs) == 0 {
		t.Error("no vector hits after Reembed")
	}
}
