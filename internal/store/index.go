package store

import (
	"container/heap"
	"context"
	"math"
	"sync"
)

// The in-process indexes mirror a table and are refreshed before each search
// from a cheap signature (row count, highest seq). Every write replaces rows
// (new seq), so "rows with seq above what I have" are the changes; a count
// that still disagrees afterwards (rows deleted, or a transaction that
// committed out of seq order) triggers a full reload. reloadWindow re-reads
// a tail of recent seqs to catch writers that committed out of order.
const reloadWindow = 1000

type scored struct {
	id    string
	score float32
}

type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topK keeps the k best scores seen.
type topK struct {
	k int
	h minHeap
}

func (t *topK) add(id string, s float32) {
	if len(t.h) < t.k {
		heap.Push(&t.h, scored{id, s})
		return
	}
	if s > t.h[0].score {
		t.h[0] = scored{id, s}
		heap.Fix(&t.h, 0)
	}
}

func (t *topK) sorted() []scored {
	out := make([]scored, len(t.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&t.h).(scored)
	}
	return out
}

// vectorIndex is an exact cosine index over one embedder's vectors, stored
// normalized and contiguous so a search is one pass of dot products.
type vectorIndex struct {
	mu       sync.RWMutex
	embedder string
	dim      int
	ids      []string
	project  []string
	kind     []string
	vecs     []float32 // len(ids) * dim
	pos      map[string]int
	maxSeq   int64
	count    int // rows in the table when last refreshed
}

func (d *DB) vectorIndexFor(ctx context.Context, embedder string) (*vectorIndex, error) {
	d.vecMu.Lock()
	if d.vecIdx == nil {
		d.vecIdx = map[string]*vectorIndex{}
	}
	idx := d.vecIdx[embedder]
	if idx == nil {
		idx = &vectorIndex{embedder: embedder, pos: map[string]int{}}
		d.vecIdx[embedder] = idx
	}
	d.vecMu.Unlock()
	return idx, idx.refresh(ctx, d)
}

func (v *vectorIndex) refresh(ctx context.Context, d *DB) error {
	var count int
	var maxSeq int64
	if err := d.db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM embeddings WHERE embedder = ?", v.embedder).
		Scan(&count, &maxSeq); err != nil {
		return err
	}
	v.mu.RLock()
	fresh := count == v.count && maxSeq == v.maxSeq && len(v.ids) == count
	v.mu.RUnlock()
	if fresh {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if maxSeq > v.maxSeq && v.maxSeq > 0 {
		if err := v.load(ctx, d, v.maxSeq-reloadWindow); err != nil {
			return err
		}
	}
	if len(v.ids) != count || maxSeq < v.maxSeq || v.maxSeq == 0 {
		v.dim, v.ids, v.project, v.kind, v.vecs, v.maxSeq = 0, nil, nil, nil, nil, 0
		v.pos = map[string]int{}
		if err := v.load(ctx, d, 0); err != nil {
			return err
		}
	}
	v.count = count
	if maxSeq > v.maxSeq {
		v.maxSeq = maxSeq
	}
	return nil
}

func (v *vectorIndex) load(ctx context.Context, d *DB, afterSeq int64) error {
	rows, err := d.db.QueryContext(ctx, "SELECT m.seq, e.id, e.project, e.kind, m.vector FROM embeddings m "+
		"JOIN evidence e ON e.id = m.evidence_id WHERE m.embedder = ? AND m.seq > ? ORDER BY m.seq", v.embedder, afterSeq)
	if err != nil {
		return err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		var seq int64
		var id, project, kind string
		if err := rows.Scan(&seq, &id, &project, &kind, &raw); err != nil {
			return err
		}
		vec, err := DecodeVector(raw)
		if err != nil {
			return err
		}
		if v.dim == 0 {
			v.dim = len(vec)
		}
		if len(vec) != v.dim {
			continue // an embedder name must pin its dimension; ignore strays
		}
		normalize(vec)
		if i, ok := v.pos[id]; ok {
			copy(v.vecs[i*v.dim:], vec)
			v.project[i], v.kind[i] = project, kind
		} else {
			v.pos[id] = len(v.ids)
			v.ids = append(v.ids, id)
			v.project = append(v.project, project)
			v.kind = append(v.kind, kind)
			v.vecs = append(v.vecs, vec...)
		}
		if seq > v.maxSeq {
			v.maxSeq = seq
		}
	}
	return rows.Err()
}

func normalize(v []float32) {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

func (v *vectorIndex) search(query []float32, f Filter, k int) []scored {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if len(query) != v.dim || v.dim == 0 {
		return nil
	}
	q := append([]float32(nil), query...)
	normalize(q)
	t := topK{k: k}
	for i := range v.ids {
		if f.Project != "" && v.project[i] != f.Project || f.Kind != "" && v.kind[i] != f.Kind {
			continue
		}
		t.add(v.ids[i], dot(q, v.vecs[i*v.dim:(i+1)*v.dim]))
	}
	return t.sorted()
}
