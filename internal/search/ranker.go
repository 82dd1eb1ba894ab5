package search

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

// Ranker ranks the store's evidence for a query: by keyword (the server's
// full-text index on the words worth matching, or an in-process BM25 where
// the server has none) and by vector (the server's, or an exact in-process
// index). It keeps in-process indexes that mirror the store's tables and
// refreshes them before each search, so one Ranker per process is enough.
// Safe for concurrent use.
type Ranker struct {
	db *store.DB
	// memText: rank text in-process although the server has a full-text
	// index (tests run the self-hosted TiDB path on SQLite and MariaDB).
	memText bool

	vecMu  sync.Mutex
	vecIdx map[string]*vectorIndex // by embedder name
	txtMu  sync.Mutex
	txtIdx *textIndex
	// evidence row count for the text search, valid while countGen is current
	count    int
	countGen int64
	countOK  bool
	// word shares from a document sample (MySQL text search), see terms.go
	sampleMu sync.Mutex
	sample   *termSample

	now func() time.Time
}

// NewRanker ranks db's evidence.
func NewRanker(db *store.DB) *Ranker {
	return &Ranker{db: db, memText: db.TextIndex() == store.TextNone, now: time.Now}
}

// SearchText ranks documents by keyword relevance to query: SQLite FTS5
// bm25() (name weighted twice the body, porter stemming), MySQL/MariaDB
// FULLTEXT natural-language mode, or an in-process BM25 where the server has
// no full-text index (self-hosted TiDB). Any query word may match.
func (r *Ranker) SearchText(ctx context.Context, query string, f store.Filter, k int) ([]store.Hit, error) {
	if k <= 0 {
		k = 10
	}
	terms := Terms(query)
	if len(terms) == 0 {
		return []store.Hit{}, nil
	}
	if r.memText {
		return r.searchTextMem(ctx, terms, f, k)
	}
	var kept []string
	var err error
	if r.db.TextIndex() == store.TextFTS5 {
		kept, _, err = r.selectiveTerms(ctx, terms)
	} else {
		kept, err = r.sampledTerms(ctx, terms)
	}
	if err != nil {
		return nil, fmt.Errorf("text search %q: %w", query, err)
	}
	return r.db.MatchText(ctx, query, kept, f, k)
}

// SearchVectors returns the k documents whose embedder vectors are closest
// (cosine) to query. On TiDB >= 8.4 the server computes VEC_COSINE_DISTANCE;
// elsewhere an exact in-process scan over float32 vectors, refreshed from the
// embeddings table before each search, answers.
func (r *Ranker) SearchVectors(ctx context.Context, query []float32, f store.Filter, embedder string, k int) ([]store.Hit, error) {
	m, err := r.NearestVectors(ctx, query, f, embedder, k)
	if err != nil {
		return nil, err
	}
	return m.Load(ctx)
}

// VectorMatches is a vector search whose documents are not loaded yet.
type VectorMatches struct {
	db   *store.DB
	top  []scored
	hits []store.Hit // already loaded (server-side search)
}

// NearestVectors is SearchVectors without loading the documents: the
// in-process scan is pure computation, so a caller can overlap it with a
// keyword query and call Load afterwards.
func (r *Ranker) NearestVectors(ctx context.Context, query []float32, f store.Filter, embedder string, k int) (*VectorMatches, error) {
	if k <= 0 {
		k = 10
	}
	if len(query) == 0 {
		return &VectorMatches{hits: []store.Hit{}}, nil
	}
	if r.db.NativeVectors() {
		hits, err := r.db.SearchVectorsNative(ctx, query, f, embedder, k)
		return &VectorMatches{hits: hits}, err
	}
	idx, err := r.vectorIndexFor(ctx, embedder)
	if err != nil {
		return nil, fmt.Errorf("vector search: %w", err)
	}
	return &VectorMatches{db: r.db, top: idx.search(query, f, k)}, nil
}

// Load returns the matches as hits, best first; documents deleted since
// the index was refreshed are skipped.
func (m *VectorMatches) Load(ctx context.Context) ([]store.Hit, error) {
	if m.db == nil {
		return m.hits, nil
	}
	ids := make([]string, len(m.top))
	for i, t := range m.top {
		ids[i] = t.id
	}
	docs, err := m.db.GetEvidence(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Evidence, len(docs))
	for _, e := range docs {
		e.Vector = nil // callers want the hit, not 1.5 KB of floats
		byID[e.ID] = e
	}
	out := make([]store.Hit, 0, len(m.top))
	for _, t := range m.top {
		if e, ok := byID[t.id]; ok {
			out = append(out, store.Hit{Evidence: e, Score: float64(t.score)})
		}
	}
	return out, nil
}
