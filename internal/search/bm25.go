package search

import (
	"context"
	"math"

	"github.com/mlbom/autopilot/internal/store"
)

// textIndex is the in-process BM25 used where the server has no full-text
// index (self-hosted TiDB). The name counts twice, as in the FTS5 weights.
// Replaced documents leave a tombstone until the next full reload.
type textIndex struct {
	docs     []textDoc
	pos      map[string]int // live doc by evidence id
	postings map[string][]posting
	totalLen int
	live     int
	maxSeq   int64
	count    int
	gen      int64
}

type textDoc struct {
	id, project, kind string
	length            int
	dead              bool
}

type posting struct {
	doc int32
	tf  int32
}

const bm25K1, bm25B = 1.2, 0.75

func newTextIndex() *textIndex {
	return &textIndex{pos: map[string]int{}, postings: map[string][]posting{}}
}

func (t *textIndex) add(id, project, kind, name, body string) {
	if i, ok := t.pos[id]; ok {
		t.docs[i].dead = true
		t.totalLen -= t.docs[i].length
		t.live--
	}
	tf := map[string]int32{}
	n := 0
	for _, w := range Terms(name) {
		tf[w] += 2
		n += 2
	}
	for _, w := range Terms(body) {
		tf[w]++
		n++
	}
	di := int32(len(t.docs))
	t.docs = append(t.docs, textDoc{id: id, project: project, kind: kind, length: n})
	t.pos[id] = int(di)
	for w, c := range tf {
		t.postings[w] = append(t.postings[w], posting{di, c})
	}
	t.totalLen += n
	t.live++
}

func (t *textIndex) search(terms []string, f store.Filter, k int) []scored {
	if t.live == 0 {
		return nil
	}
	avg := float64(t.totalLen) / float64(t.live)
	acc := map[int32]float64{}
	seen := map[string]bool{}
	for _, w := range terms {
		if seen[w] {
			continue
		}
		seen[w] = true
		ps := t.postings[w]
		df := 0
		for _, p := range ps {
			if !t.docs[p.doc].dead {
				df++
			}
		}
		if df == 0 {
			continue
		}
		idf := math.Log(1 + (float64(t.live)-float64(df)+0.5)/(float64(df)+0.5))
		for _, p := range ps {
			doc := &t.docs[p.doc]
			if doc.dead || f.Project != "" && doc.project != f.Project || f.Kind != "" && doc.kind != f.Kind {
				continue
			}
			tf := float64(p.tf)
			acc[p.doc] += idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(doc.length)/avg))
		}
	}
	top := topK{k: k}
	for di, s := range acc {
		top.add(t.docs[di].id, float32(s))
	}
	return top.sorted()
}

func (r *Ranker) refreshTextIndex(ctx context.Context) (*textIndex, error) {
	gen, err := r.db.SearchGeneration(ctx)
	if err != nil {
		return nil, err
	}
	if r.txtIdx != nil && r.txtIdx.gen == gen {
		return r.txtIdx, nil
	}
	count, maxSeq, err := r.db.EvidenceSignature(ctx)
	if err != nil {
		return nil, err
	}
	t := r.txtIdx
	if t != nil && t.count == count && t.maxSeq == maxSeq && t.live == count {
		t.gen = gen
		return t, nil
	}
	if t != nil && maxSeq > t.maxSeq {
		if err := t.load(ctx, r.db, t.maxSeq-reloadWindow); err != nil {
			return nil, err
		}
	}
	if t == nil || t.live != count || maxSeq < t.maxSeq || len(t.docs) > 2*count+reloadWindow {
		t = newTextIndex()
		if err := t.load(ctx, r.db, 0); err != nil {
			return nil, err
		}
	}
	t.count = count
	if maxSeq > t.maxSeq {
		t.maxSeq = maxSeq
	}
	t.gen = gen
	r.txtIdx = t
	return t, nil
}

func (t *textIndex) load(ctx context.Context, d *store.DB, afterSeq int64) error {
	return d.EvidenceSince(ctx, afterSeq, func(e store.EvidenceText) error {
		t.add(e.ID, e.Project, e.Kind, e.Name, e.Body)
		if e.Seq > t.maxSeq {
			t.maxSeq = e.Seq
		}
		return nil
	})
}

func (r *Ranker) searchTextMem(ctx context.Context, terms []string, f store.Filter, k int) ([]store.Hit, error) {
	r.txtMu.Lock()
	t, err := r.refreshTextIndex(ctx)
	var top []scored
	if err == nil {
		top = t.search(terms, f, k)
	}
	r.txtMu.Unlock()
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(top))
	for i, s := range top {
		ids[i] = s.id
	}
	docs, err := r.db.GetEvidence(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Evidence{}
	for _, e := range docs {
		e.Vector, e.Embedder = nil, ""
		byID[e.ID] = e
	}
	out := make([]store.Hit, 0, len(top))
	for _, s := range top {
		if e, ok := byID[s.id]; ok {
			out = append(out, store.Hit{Evidence: e, Score: float64(s.score)})
		}
	}
	return out, nil
}
