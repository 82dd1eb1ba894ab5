package search

import (
	"container/heap"
	"context"
	"math"
	"sync"

	"github.com/mlbom/autopilot/internal/store"
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

// accPool recycles search accumulators (400 KB at 100k documents).
var accPool = sync.Pool{New: func() any { return new([]float32) }}

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
// normalized and column-major: a search accumulates q[j]*column j over all
// documents, skipping the query's zero entries. Dense queries (API
// embedders) cost dim sequential passes; sparse ones (the offline hashing
// embedder has a few dozen non-zeros in 512) cost only their non-zeros,
// which keeps exact search fast at 100k documents without an approximate
// index.
type vectorIndex struct {
	mu       sync.RWMutex
	embedder string
	dim      int
	ids      []string
	project  []string
	kind     []string
	cols     [][]float32 // dim columns of len(ids)
	pos      map[string]int
	maxSeq   int64
	count    int   // rows in the table when last refreshed
	gen      int64 // search_generation when last refreshed (-1: never)
}

func (r *Ranker) vectorIndexFor(ctx context.Context, embedder string) (*vectorIndex, error) {
	r.vecMu.Lock()
	if r.vecIdx == nil {
		r.vecIdx = map[string]*vectorIndex{}
	}
	idx := r.vecIdx[embedder]
	if idx == nil {
		idx = &vectorIndex{embedder: embedder, pos: map[string]int{}, gen: -1}
		r.vecIdx[embedder] = idx
	}
	r.vecMu.Unlock()
	return idx, idx.refresh(ctx, r.db)
}

func (v *vectorIndex) refresh(ctx context.Context, d *store.DB) error {
	gen, err := d.SearchGeneration(ctx)
	if err != nil {
		return err
	}
	v.mu.RLock()
	same := gen == v.gen
	v.mu.RUnlock()
	if same {
		return nil
	}
	count, maxSeq, err := d.VectorSignature(ctx, v.embedder)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if count == v.count && maxSeq == v.maxSeq && len(v.ids) == count {
		v.gen = gen
		return nil
	}
	if maxSeq > v.maxSeq && v.maxSeq > 0 {
		if err := v.load(ctx, d, v.maxSeq-reloadWindow); err != nil {
			return err
		}
	}
	if len(v.ids) != count || maxSeq < v.maxSeq || v.maxSeq == 0 {
		v.dim, v.ids, v.project, v.kind, v.cols, v.maxSeq = 0, nil, nil, nil, nil, 0
		v.pos = map[string]int{}
		if err := v.load(ctx, d, 0); err != nil {
			return err
		}
	}
	v.count = count
	if maxSeq > v.maxSeq {
		v.maxSeq = maxSeq
	}
	v.gen = gen
	return nil
}

func (v *vectorIndex) load(ctx context.Context, d *store.DB, afterSeq int64) error {
	return d.VectorsSince(ctx, v.embedder, afterSeq, func(e store.EvidenceVector) error {
		vec := e.Vector
		if v.dim == 0 {
			v.dim = len(vec)
			v.cols = make([][]float32, v.dim)
		}
		if len(vec) != v.dim {
			return nil // an embedder name must pin its dimension; ignore strays
		}
		normalize(vec)
		if i, ok := v.pos[e.ID]; ok {
			for j, f := range vec {
				v.cols[j][i] = f
			}
			v.project[i], v.kind[i] = e.Project, e.Kind
		} else {
			v.pos[e.ID] = len(v.ids)
			v.ids = append(v.ids, e.ID)
			v.project = append(v.project, e.Project)
			v.kind = append(v.kind, e.Kind)
			for j, f := range vec {
				v.cols[j] = append(v.cols[j], f)
			}
		}
		if e.Seq > v.maxSeq {
			v.maxSeq = e.Seq
		}
		return nil
	})
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

func (v *vectorIndex) search(query []float32, f store.Filter, k int) []scored {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if len(query) != v.dim || v.dim == 0 || len(v.ids) == 0 {
		return nil
	}
	q := append([]float32(nil), query...)
	normalize(q)
	// Non-zero query entries, four columns per pass over acc: the
	// accumulator is read and written once per four columns instead of
	// once per column.
	var nz []int
	for j, qj := range q {
		if qj != 0 {
			nz = append(nz, j)
		}
	}
	accp := accPool.Get().(*[]float32)
	defer accPool.Put(accp)
	if cap(*accp) < len(v.ids) {
		*accp = make([]float32, len(v.ids))
	}
	acc := (*accp)[:len(v.ids)]
	clear(acc)
	for len(nz) >= 4 {
		j0, j1, j2, j3 := nz[0], nz[1], nz[2], nz[3]
		q0, q1, q2, q3 := q[j0], q[j1], q[j2], q[j3]
		c0, c1, c2, c3 := v.cols[j0][:len(acc)], v.cols[j1][:len(acc)], v.cols[j2][:len(acc)], v.cols[j3][:len(acc)]
		for i := range acc {
			acc[i] += q0*c0[i] + q1*c1[i] + q2*c2[i] + q3*c3[i]
		}
		nz = nz[4:]
	}
	for _, j := range nz {
		qj, col := q[j], v.cols[j][:len(acc)]
		for i := range acc {
			acc[i] += qj * col[i]
		}
	}
	t := topK{k: k, h: make(minHeap, 0, k)}
	filtered := f.Project != "" || f.Kind != ""
	for i, s := range acc {
		// Most documents lose to the current k-th best: skip them before
		// the filter and the heap.
		if len(t.h) == k && s <= t.h[0].score {
			continue
		}
		if filtered && (f.Project != "" && v.project[i] != f.Project || f.Kind != "" && v.kind[i] != f.Kind) {
			continue
		}
		t.add(v.ids[i], s)
	}
	return t.sorted()
}
