package source

import (
	"container/heap"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/mlbom/autopilot/internal/asset"
)

// provenanceIndex answers "who last changed this path" from git history. It
// walks commits newest first once per batch of unanswered paths and caches
// every answer, so asking for a few hundred asset files costs one walk that
// stops as soon as all of them are attributed.
type provenanceIndex struct {
	repo   *git.Repository
	head   plumbing.Hash
	prefix string // repository path of the tree root ("" when it is the repository root)

	mu    sync.Mutex
	cache map[string]*asset.Provenance // repository path → answer; nil value: no history
}

func newProvenanceIndex(repo *git.Repository, head plumbing.Hash, prefix string) *provenanceIndex {
	return &provenanceIndex{repo: repo, head: head, prefix: prefix, cache: map[string]*asset.Provenance{}}
}

func (p *provenanceIndex) one(path string) *asset.Provenance {
	return p.all([]string{path})[path]
}

// all returns provenance for each tree-relative path that has history.
func (p *provenanceIndex) all(paths []string) map[string]*asset.Provenance {
	p.mu.Lock()
	defer p.mu.Unlock()
	full := make(map[string]string, len(paths)) // repo path → tree path
	pending := map[string]bool{}
	for _, tp := range paths {
		rp := tp
		if p.prefix != "" {
			rp = p.prefix + "/" + tp
		}
		full[rp] = tp
		if _, done := p.cache[rp]; !done {
			pending[rp] = true
		}
	}
	if len(pending) > 0 {
		p.walk(pending)
		for rp := range pending { // never seen in history: remember that too
			p.cache[rp] = nil
		}
	}
	out := make(map[string]*asset.Provenance, len(paths))
	for rp, tp := range full {
		if pv := p.cache[rp]; pv != nil {
			cp := *pv
			out[tp] = &cp
		}
	}
	return out
}

// walk attributes pending paths to the newest commit whose content at that
// path differs from every parent's (git's TREESAME rule); a commit whose
// parents are missing (root, or the edge of a shallow clone) is credited
// with whatever pending paths it holds. Resolved paths leave pending.
func (p *provenanceIndex) walk(pending map[string]bool) {
	// go-git's log iterators fail on a parent missing past a shallow edge,
	// so walk the graph here: newest committer time first, like git log.
	start, err := p.repo.CommitObject(p.head)
	if err != nil {
		return
	}
	queue := &commitQueue{start}
	seen := map[plumbing.Hash]*object.Commit{start.Hash: start}
	// A tree is decoded once, when a child first compares against it, and
	// dropped once its own commit is processed.
	trees := map[plumbing.Hash]*object.Tree{}
	treeOf := func(c *object.Commit) (*object.Tree, error) {
		if t, ok := trees[c.Hash]; ok {
			return t, nil
		}
		t, err := c.Tree()
		if err == nil {
			trees[c.Hash] = t
		}
		return t, err
	}
	for len(pending) > 0 && queue.Len() > 0 {
		c := heap.Pop(queue).(*object.Commit)
		var parents []*object.Commit
		for _, ph := range c.ParentHashes {
			parent, ok := seen[ph]
			if !ok {
				if parent, _ = p.repo.CommitObject(ph); parent != nil {
					heap.Push(queue, parent)
				}
				seen[ph] = parent
			}
			if parent != nil {
				parents = append(parents, parent)
			}
		}
		tree, err := treeOf(c)
		delete(trees, c.Hash)
		if err != nil {
			continue
		}
		changed, ok := changedPaths(tree, parents, treeOf, pending)
		if !ok {
			// No parent available: the commit introduced what it holds.
			for rp := range pending {
				if _, err := tree.FindEntry(rp); err == nil {
					changed = append(changed, rp)
				}
			}
		}
		for _, rp := range changed {
			p.cache[rp] = &asset.Provenance{
				Author: c.Author.Name,
				Email:  c.Author.Email,
				Commit: c.Hash.String(),
				Date:   c.Author.When.UTC(),
			}
			delete(pending, rp)
		}
	}
}

// changedPaths returns the pending paths whose content in tree differs
// from every parent's; ok is false when no parent is readable.
func changedPaths(tree *object.Tree, parents []*object.Commit, treeOf func(*object.Commit) (*object.Tree, error), pending map[string]bool) (changed []string, ok bool) {
	var counts map[string]int
	n := 0
	for _, parent := range parents {
		ptree, err := treeOf(parent)
		if err != nil {
			continue
		}
		changes, err := object.DiffTree(ptree, tree)
		if err != nil {
			continue
		}
		n++
		seen := map[string]bool{}
		for _, ch := range changes {
			for _, name := range []string{ch.To.Name, ch.From.Name} {
				if name != "" && pending[name] && !seen[name] {
					seen[name] = true
					if counts == nil {
						counts = map[string]int{}
					}
					counts[name]++
				}
			}
		}
	}
	if n == 0 {
		return nil, false
	}
	for name, k := range counts {
		if k == n {
			changed = append(changed, name)
		}
	}
	return changed, true
}

// commitQueue is a max-heap of commits by committer time.
type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	return q[i].Committer.When.After(q[j].Committer.When)
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
