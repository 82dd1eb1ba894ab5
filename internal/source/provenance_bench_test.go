package source

import (
	"fmt"
	"math/rand"
	"os/exec"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// synthRepo writes a bare repository with nFiles files in 15 directories and
// nCommits commits, each changing three files, straight through go-git's
// object store (much faster than staging through a work tree).
func synthRepo(tb testing.TB, nFiles, nCommits int) (*git.Repository, string, plumbing.Hash, []string) {
	tb.Helper()
	dir := tb.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		tb.Fatal(err)
	}
	st := repo.Storer
	rng := rand.New(rand.NewSource(1))
	files := make([]string, nFiles)
	content := map[string]plumbing.Hash{}
	for i := range files {
		files[i] = fmt.Sprintf("dir%02d/file%04d.py", i%15, i)
	}
	putBlob := func(s string) plumbing.Hash {
		o := st.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, _ := o.Writer()
		w.Write([]byte(s))
		w.Close()
		h, err := st.SetEncodedObject(o)
		if err != nil {
			tb.Fatal(err)
		}
		return h
	}
	var parent plumbing.Hash
	for c := 0; c < nCommits; c++ {
		if c == 0 {
			for _, f := range files {
				content[f] = putBlob(f + " v0\n")
			}
		} else {
			for k := 0; k < 3; k++ {
				f := files[rng.Intn(len(files))]
				content[f] = putBlob(fmt.Sprintf("%s v%d\n", f, c))
			}
		}
		root := writeTree(tb, st, content)
		sig := object.Signature{Name: fmt.Sprintf("dev%d", c%7), Email: "dev@example.com", When: time.Unix(1700000000+int64(c)*3600, 0)}
		cm := &object.Commit{Author: sig, Committer: sig, Message: "change", TreeHash: root}
		if c > 0 {
			cm.ParentHashes = []plumbing.Hash{parent}
		}
		o := st.NewEncodedObject()
		if err := cm.Encode(o); err != nil {
			tb.Fatal(err)
		}
		if parent, err = st.SetEncodedObject(o); err != nil {
			tb.Fatal(err)
		}
	}
	if err := st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("master"), parent)); err != nil {
		tb.Fatal(err)
	}
	// Clones hold packfiles, not loose objects; measure that shape.
	if err := repo.RepackObjects(&git.RepackConfig{}); err != nil {
		tb.Fatal(err)
	}
	repo, closeStore, err := openStore(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { closeStore() })
	return repo, dir, parent, files
}

func writeTree(tb testing.TB, st storer.EncodedObjectStorer, files map[string]plumbing.Hash) plumbing.Hash {
	dirs := map[string]map[string]plumbing.Hash{}
	for p, h := range files {
		d, f := path.Split(p)
		d = strings.TrimSuffix(d, "/")
		if dirs[d] == nil {
			dirs[d] = map[string]plumbing.Hash{}
		}
		dirs[d][f] = h
	}
	store := func(entries []object.TreeEntry) plumbing.Hash {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		o := st.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(o); err != nil {
			tb.Fatal(err)
		}
		h, err := st.SetEncodedObject(o)
		if err != nil {
			tb.Fatal(err)
		}
		return h
	}
	var top []object.TreeEntry
	for d, fs := range dirs {
		var es []object.TreeEntry
		for f, h := range fs {
			es = append(es, object.TreeEntry{Name: f, Mode: filemode.Regular, Hash: h})
		}
		top = append(top, object.TreeEntry{Name: d, Mode: filemode.Dir, Hash: store(es)})
	}
	return store(top)
}

// BenchmarkProvenanceAll: who last changed each of 300 files in a 400-commit
// history, in one walk. Compare with BenchmarkProvenanceGitCLI, the same
// answers from `git log -1 -- path` per file.
func BenchmarkProvenanceAll(b *testing.B) {
	repo, _, head, files := synthRepo(b, 300, 400)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := newProvenanceIndex(repo, head, "")
		if got := idx.all(files); len(got) != len(files) {
			b.Fatalf("%d of %d files attributed", len(got), len(files))
		}
	}
	b.ReportMetric(float64(len(files)), "paths/op")
}

func BenchmarkProvenanceGitCLI(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	_, dir, _, files := synthRepo(b, 300, 400)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			out, err := exec.Command("git", "--git-dir", dir, "log", "-1", "--format=%H %an", "--", f).Output()
			if err != nil || len(out) == 0 {
				b.Fatalf("git log %s: %v", f, err)
			}
		}
	}
}

func TestProvenanceMatchesGitCLI(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo, dir, head, files := synthRepo(t, 60, 80)
	got := newProvenanceIndex(repo, head, "").all(files)
	for _, f := range files {
		out, err := exec.Command("git", "--git-dir", dir, "log", "-1", "--format=%H", "--", f).Output()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(string(out))
		if got[f] == nil || got[f].Commit != want {
			t.Errorf("%s: %+v, git log says %s", f, got[f], want)
		}
	}
}
