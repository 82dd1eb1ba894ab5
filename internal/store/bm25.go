package store

import (
	"context"
	"math"
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

func (t *textIndex) search(terms []string, f Filter, k int) []scored {
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

func (d *DB) refreshTextIndex(ctx context.Context) (*textIndex, error) {
	gen, err := d.generation(ctx)
	if err != nil {
		return nil, err
	}
	if d.txtIdx != nil && d.txtIdx.gen == gen {
		return d.txtIdx, nil
	}
	var count int
	var maxSeq int64
	if err := d.db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM evidence").Scan(&count, &maxSeq); err != nil {
		return nil, err
	}
	t := d.txtIdx
	if t != nil && t.count == count && t.maxSeq == maxSeq && t.live == count {
		t.gen = gen
		return t, nil
	}
	if t != nil && maxSeq > t.maxSeq {
		if err := t.load(ctx, d, t.maxSeq-reloadWindow); err != nil {
			return nil, err
		}
	}
	if t == nil || t.live != count || maxSeq < t.maxSeq || len(t.docs) > 2*count+reloadWindow {
		t = newTextIndex()
		if err := t.load(ctx, d, 0); err != nil {
			return nil, err
		}
	}
	t.count = count
	if maxSeq > t.maxSeq {
		t.maxSeq = maxSeq
	}
	t.gen = gen
	d.txtIdx = t
	return t, nil
}

func (t *textIndex) load(ctx context.Context, d *DB, afterSeq int64) error {
	rows, err := d.db.QueryContext(ctx, "SELECT seq, id, project, kind, name, body FROM evidence WHERE seq > ? ORDER BY seq", afterSeq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var id, project, kind, name, body string
		if err := rows.Scan(&seq, &id, &project, &kind, &name, &body); err != nil {
			return err
		}
		t.add(id, project, kind, name, body)
		if seq > t.maxSeq {
			t.maxSeq = seq
		}
	}
	return rows.Err()
}

func (d *DB) searchTextMem(ctx context.Context, terms []string, f Filter, k int) ([]Hit, error) {
	d.txtMu.Lock()
	t, err := d.refreshTextIndex(ctx)
	var top []scored
	if err == nil {
		top = t.search(terms, f, k)
	}
	d.txtMu.Unlock()
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(top))
	for i, s := range top {
		ids[i] = s.id
	}
	docs, err := d.GetEvidence(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]Evidence{}
	for _, e := range docs {
		e.Vector, e.Embedder = nil, ""
		byID[e.ID] = e
	}
	out := make([]Hit, 0, len(top))
	for _, s := range top {
		if e, ok := byID[s.id]; ok {
			out = append(out, Hit{Evidence: e, Score: float64(s.score)})
		}
	}
	return out, nil
}
