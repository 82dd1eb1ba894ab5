package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Defaults of the per-checkout limits (Options). A git repository of a few
// objects can expand to millions of files (a "git bomb": one tree listed
// ten times in a tree listed ten times ...); the limits stop a checkout
// before it fills the disk, with an error that names the setting to raise.
const (
	DefaultCheckoutMaxFiles = 200_000
	DefaultCheckoutMaxBytes = 16 << 30
	DefaultCheckoutMaxDepth = 64
	DefaultKeepCheckouts    = 3
	DefaultWeightsMaxBytes  = 16 << 30
	DefaultWeightsTimeout   = time.Hour

	// A checkout that writes this many entries and more than
	// bombAmplification entries per distinct git object is a bomb
	// whatever the caps say: real repositories are near one to one.
	bombMinEntries    = 10_000
	bombAmplification = 20

	// keepGrace: a kept tree or revision directory used within this long
	// is never removed, whatever the count, since a scan may be reading it
	// (the Scan step may run for up to two hours).
	keepGrace = 2 * time.Hour
)

// limits are the resolved per-checkout caps.
type limits struct {
	files, bytes int64
	depth        int
}

func (o Options) limits() limits {
	l := limits{files: o.CheckoutMaxFiles, bytes: o.CheckoutMaxBytes, depth: o.CheckoutMaxDepth}
	if l.files <= 0 {
		l.files = DefaultCheckoutMaxFiles
	}
	if l.bytes <= 0 {
		l.bytes = DefaultCheckoutMaxBytes
	}
	if l.depth <= 0 {
		l.depth = DefaultCheckoutMaxDepth
	}
	return l
}

// weightLimits are the per-file cap and timeout of weight downloads.
func (o Options) weightLimits() (maxBytes int64, timeout time.Duration) {
	maxBytes, timeout = o.WeightsMaxBytes, o.WeightsTimeout
	if maxBytes <= 0 {
		maxBytes = DefaultWeightsMaxBytes
	}
	if timeout <= 0 {
		timeout = DefaultWeightsTimeout
	}
	return maxBytes, timeout
}

// budget counts what one checkout writes against its limits.
type budget struct {
	limits
	entries  int64
	written  int64
	distinct map[string]struct{} // git object ids seen
}

func newBudget(l limits) *budget { return &budget{limits: l, distinct: map[string]struct{}{}} }

// entry charges one tree entry at name (slash-separated) for object id.
func (b *budget) entry(name, id string) error {
	b.entries++
	b.distinct[id] = struct{}{}
	if d := strings.Count(name, "/") + 1; d > b.depth {
		return invalidf("%s is %d directories deep, over the limit of %d (MLBOM_CHECKOUT_MAX_DEPTH)", trimName(name), d, b.depth)
	}
	if b.entries > b.files {
		return invalidf("more than %d files and directories, over the limit (MLBOM_CHECKOUT_MAX_FILES)", b.files)
	}
	if b.entries >= bombMinEntries && b.entries > bombAmplification*int64(len(b.distinct)) {
		return invalidf("git bomb: %d entries from only %d distinct objects (a tree repeated over and over); not checked out", b.entries, len(b.distinct))
	}
	return nil
}

// bytes charges n bytes about to be written.
func (b *budget) add(n int64) error {
	b.written += n
	if b.written > b.bytes {
		return invalidf("more than %d bytes, over the limit (MLBOM_CHECKOUT_MAX_BYTES)", b.bytes)
	}
	return nil
}

func trimName(s string) string {
	if len(s) > 120 {
		return s[:60] + "…" + s[len(s)-60:]
	}
	return s
}

// touch marks dir as used now, so pruning keeps it.
func touch(dir string) {
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
}

// prune removes all but the keep most recently used entries of dir that
// match keepable (the checkouts of one source), never one used within
// keepGrace nor one named in inUse. Side files named after an entry
// ("<entry>.skipped.json", "<entry>.differ.json") go with it. Errors are
// ignored: pruning is housekeeping and must not fail a scan.
func prune(dir string, keep int, keepable func(name string) bool, inUse ...string) (removed []string) {
	if keep <= 0 {
		keep = DefaultKeepCheckouts
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	type cand struct {
		name string
		mod  time.Time
	}
	var cands []cand
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || !keepable(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		cands = append(cands, cand{e.Name(), info.ModTime()})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].mod.After(cands[j].mod) })
	skip := map[string]bool{}
	for _, n := range inUse {
		skip[n] = true
	}
	for i, c := range cands {
		if i < keep || skip[c.name] || time.Since(c.mod) < keepGrace {
			continue
		}
		p := filepath.Join(dir, c.name)
		if err := os.RemoveAll(p); err == nil || errors.Is(err, fs.ErrNotExist) {
			_ = os.Remove(p + ".skipped.json")
			_ = os.Remove(differingFile(p))
			removed = append(removed, c.name)
		}
	}
	return removed
}

// errNotRegular is returned for a path that is neither a regular file nor
// a directory (a named pipe would block the reader forever, a device could
// be read without end).
var errNotRegular = errors.New("not a regular file or directory")

// checkGitDir makes sure nothing under a git directory is a named pipe,
// socket or device before go-git reads from it: opening a FIFO named HEAD,
// config or like a loose object blocks forever. Symlinks must lead to
// regular files or directories. The walk is bounded: a .git with more than
// max entries is refused as unreasonable for git metadata.
func checkGitDir(dir string, max int) error {
	n := 0
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n++
		if n > max {
			return fmt.Errorf("%s has more than %d entries", dir, max)
		}
		t := d.Type()
		switch {
		case t.IsDir(), t.IsRegular():
			return nil
		case t&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			if err != nil {
				return nil // dangling: go-git reports it if it needs it
			}
			if st.IsDir() || st.Mode().IsRegular() {
				return nil
			}
		}
		return fmt.Errorf("%s: %w (%s)", p, errNotRegular, t.Type())
	})
}

// treeStat is what a tree expands to when checked out.
type treeStat struct {
	entries int64 // files, links, directories and submodules, recursively
	depth   int   // deepest entry, in path elements below the tree
}

// precheck measures what commit's tree would check out to, before anything
// is written, and refuses it when over the limits. Subtrees are measured
// once each (memoised by hash), so a git bomb whose tree expands to 10^9
// entries costs as much as its handful of objects.
func precheck(repo *git.Repository, tree *object.Tree, l limits) error {
	memo := map[plumbing.Hash]treeStat{}
	blobs := map[plumbing.Hash]struct{}{}
	var visit func(t *object.Tree, level int) (treeStat, error)
	visit = func(t *object.Tree, level int) (treeStat, error) {
		if s, ok := memo[t.Hash]; ok {
			return s, nil
		}
		var s treeStat
		for _, e := range t.Entries {
			s.entries++
			s.depth = max(s.depth, 1)
			if e.Mode != filemode.Dir {
				blobs[e.Hash] = struct{}{}
				continue
			}
			if level+1 >= l.depth {
				return s, invalidf("trees nest more than %d directories deep, over the limit (MLBOM_CHECKOUT_MAX_DEPTH)", l.depth)
			}
			sub, err := repo.TreeObject(e.Hash)
			if err != nil {
				return s, fmt.Errorf("read tree %s: %w", e.Hash, err)
			}
			st, err := visit(sub, level+1)
			if err != nil {
				return s, err
			}
			s.entries += st.entries
			s.depth = max(s.depth, st.depth+1)
			if s.entries > l.files {
				break // saturate: the caller reports it
			}
		}
		memo[t.Hash] = s
		return s, nil
	}
	s, err := visit(tree, 0)
	if err != nil {
		return err
	}
	distinct := int64(len(memo) + len(blobs))
	switch {
	case s.entries >= bombMinEntries && s.entries > bombAmplification*distinct:
		return invalidf("git bomb: the tree expands to %d entries or more from only %d distinct objects (a tree repeated over and over); not checked out", s.entries, distinct)
	case s.entries > l.files:
		return invalidf("more than %d files and directories, over the limit (MLBOM_CHECKOUT_MAX_FILES)", l.files)
	case s.depth > l.depth:
		return invalidf("paths %d directories deep, over the limit of %d (MLBOM_CHECKOUT_MAX_DEPTH)", s.depth, l.depth)
	}
	return nil
}
