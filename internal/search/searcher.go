package search

import (
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/store"
)

// Mode selects which retrievers answer a query.
type Mode int

const (
	Hybrid     Mode = iota // keyword and vector, fused by RRF (default)
	TextOnly               // the store's full-text search alone
	VectorOnly             // vector search alone
)

// Options tune a Searcher. Zero values mean the defaults.
type Options struct {
	Mode         Mode
	RRFK         int     // default 60
	TextWeight   float64 // default 1
	VectorWeight float64 // default 1
	// Candidates each retriever contributes before fusion (default 50, at least k).
	Candidates int
}

// Result is one search hit, linked to where the evidence was seen.
type Result struct {
	ID       string  `json:"-"`
	BOMRef   string  `json:"bom-ref"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Score    float64 `json:"score"`
	Project  string  `json:"project"`
	Version  int     `json:"version"`
	Location string  `json:"location"`
}

// Searcher answers queries over the store's evidence.
type Searcher struct {
	db   *store.DB
	rank *Ranker
	emb  Embedder
	opts Options
}

// NewSearcher combines db's keyword search with emb's vectors.
func NewSearcher(db *store.DB, emb Embedder, opts Options) *Searcher {
	if opts.RRFK <= 0 {
		opts.RRFK = DefaultRRFK
	}
	if opts.TextWeight == 0 {
		opts.TextWeight = 1
	}
	if opts.VectorWeight == 0 {
		opts.VectorWeight = 1
	}
	if opts.Candidates <= 0 {
		opts.Candidates = 50
	}
	return &Searcher{db: db, rank: NewRanker(db), emb: emb, opts: opts}
}

// WithMode returns a copy of s that searches in mode m.
func (s *Searcher) WithMode(m Mode) *Searcher {
	c := *s
	c.opts.Mode = m
	return &c
}

// Index embeds docs and stores them with their vectors.
func (s *Searcher) Index(ctx context.Context, docs []store.Evidence) error {
	if len(docs) == 0 {
		return nil
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Text
	}
	vecs, err := s.emb.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("index %d documents: %w", len(docs), err)
	}
	out := make([]store.Evidence, len(docs))
	for i, d := range docs {
		d.Vector, d.Embedder = vecs[i], s.emb.Name()
		out[i] = d
	}
	return s.db.UpsertEvidence(ctx, out)
}

// Reembed embeds stored documents that lack a vector from this embedder
// (new documents, or all of them after the embedder or its dimension
// changed), batch at a time, and returns how many it embedded.
func (s *Searcher) Reembed(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 256
	}
	total := 0
	for {
		docs, err := s.db.EvidenceWithoutVectors(ctx, s.emb.Name(), batch)
		if err != nil {
			return total, err
		}
		if len(docs) == 0 {
			return total, nil
		}
		if err := s.Index(ctx, docs); err != nil {
			return total, err
		}
		total += len(docs)
	}
}

func (s *Searcher) searchVectors(ctx context.Context, query string, f store.Filter, cand int) ([]store.Hit, error) {
	m, err := s.nearest(ctx, query, f, cand)
	if err != nil {
		return nil, err
	}
	return m.Load(ctx)
}

func (s *Searcher) nearest(ctx context.Context, query string, f store.Filter, cand int) (*VectorMatches, error) {
	qv, err := s.emb.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	return s.rank.NearestVectors(ctx, qv[0], f, s.emb.Name(), cand)
}

// Search returns the k best hits for query, at most one per project and
// bom-ref. Score is the fused RRF score in Hybrid mode, else the
// retriever's own score.
func (s *Searcher) Search(ctx context.Context, query string, f store.Filter, k int) ([]Result, error) {
	if k <= 0 {
		k = 10
	}
	cand := max(s.opts.Candidates, k)
	var text, vec []store.Hit
	var textErr, vecErr error
	switch s.opts.Mode {
	case TextOnly:
		text, textErr = s.rank.SearchText(ctx, query, f, cand)
	case VectorOnly:
		vec, vecErr = s.searchVectors(ctx, query, f, cand)
	default:
		// The legs are independent: the keyword query runs while this
		// goroutine embeds the query and scans the in-process vectors
		// (pure computation); the vector hits' documents are read after
		// the keyword query, as two SQLite queries at once in this driver
		// cost more CPU than they save.
		done := make(chan struct{})
		go func() {
			defer close(done)
			text, textErr = s.rank.SearchText(ctx, query, f, cand)
		}()
		var m *VectorMatches
		m, vecErr = s.nearest(ctx, query, f, cand)
		<-done
		if vecErr == nil {
			vec, vecErr = m.Load(ctx)
		}
	}
	if textErr != nil {
		return nil, textErr
	}
	if vecErr != nil {
		return nil, vecErr
	}
	byID := map[string]store.Hit{}
	var ranked []Fused
	switch s.opts.Mode {
	case TextOnly, VectorOnly:
		for _, h := range append(text, vec...) {
			byID[h.ID] = h
			ranked = append(ranked, Fused{ID: h.ID, Score: h.Score})
		}
	default:
		ids := func(hs []store.Hit) []string {
			out := make([]string, len(hs))
			for i, h := range hs {
				out[i] = h.ID
				byID[h.ID] = h
			}
			return out
		}
		ranked = RRF([][]string{ids(text), ids(vec)}, s.opts.RRFK, []float64{s.opts.TextWeight, s.opts.VectorWeight})
	}
	out := make([]Result, 0, k)
	seen := map[[2]string]bool{}
	for _, r := range ranked {
		h := byID[r.ID]
		key := [2]string{h.Project, h.BOMRef}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Result{ID: h.ID, BOMRef: h.BOMRef, Name: h.Name, Kind: h.Kind, Score: r.Score,
			Project: h.Project, Version: h.Version, Location: h.Location})
		if len(out) == k {
			break
		}
	}
	return out, nil
}
