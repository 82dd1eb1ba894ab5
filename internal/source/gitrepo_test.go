package source

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// testRepo is a repository built with go-git for the tests:
//
//	c1 Alice  README.md, model/config.json, app.py        (lightweight tag "light")
//	c2 Bob    app.py changed, prompts/system.prompt added (annotated tag v1.0)
//	c3 Alice  on branch feature: feature.py, model/config.json changed
//	c4 Bob    on main: symlinks link-in → README.md, link-out → ../../etc/passwd
//	c5 Carol  on main: .gitmodules and a gitlink vendor/lib (built by hand)
type testRepo struct {
	dir                string
	c1, c2, c3, c4, c5 plumbing.Hash
	subCommit          plumbing.Hash
}

var (
	alice = object.Signature{Name: "Alice Liddell", Email: "alice@example.com", When: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)}
	bob   = object.Signature{Name: "Bob Builder", Email: "bob@example.com", When: time.Date(2024, 2, 3, 11, 0, 0, 0, time.UTC)}
	carol = object.Signature{Name: "Carol Danvers", Email: "carol@example.com", When: time.Date(2024, 4, 5, 13, 0, 0, 0, time.UTC)}
)

func at(s object.Signature, d time.Duration) *object.Signature { s.When = s.When.Add(d); return &s }

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func makeTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "origin-repo")
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(msg string, who *object.Signature) plumbing.Hash {
		t.Helper()
		if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
			t.Fatal(err)
		}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: who, Committer: who})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	r := &testRepo{dir: dir}
	writeFiles(t, dir, map[string]string{
		"README.md":         "# demo\n",
		"model/config.json": `{"architectures":["BertModel"]}`,
		"app.py":            "print('v1')\n",
	})
	r.c1 = commit("initial", at(alice, 0))
	writeFiles(t, dir, map[string]string{
		"app.py":                "from transformers import pipeline\nprint('v2')\n",
		"prompts/system.prompt": "You are a helpful assistant.\n",
	})
	r.c2 = commit("app v2", at(bob, 0))
	if _, err := repo.CreateTag("light", r.c1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag("v1.0", r.c2, &git.CreateTagOptions{Tagger: at(bob, time.Minute), Message: "release 1.0"}); err != nil {
		t.Fatal(err)
	}

	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("feature"), Create: true}); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"feature.py":        "import torch\n",
		"model/config.json": `{"architectures":["BertForSequenceClassification"]}`,
	})
	r.c3 = commit("feature work", at(alice, 24*time.Hour*40))

	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main")}); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("README.md", filepath.Join(dir, "link-in")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../etc/passwd", filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	r.c4 = commit("links", at(bob, 24*time.Hour*50))
	r.c5, r.subCommit = addGitlink(t, repo, r.c4)
	return r
}

// addGitlink commits, on top of parent, a .gitmodules file and a gitlink at
// vendor/lib. go-git's worktree cannot stage a gitlink without cloning the
// submodule, so the tree objects are written directly.
func addGitlink(t *testing.T, repo *git.Repository, parent plumbing.Hash) (plumbing.Hash, plumbing.Hash) {
	t.Helper()
	st := repo.Storer
	store := func(o interface {
		Encode(plumbing.EncodedObject) error
	}) plumbing.Hash {
		obj := st.NewEncodedObject()
		if err := o.Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := st.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	blob := st.NewEncodedObject()
	blob.SetType(plumbing.BlobObject)
	w, _ := blob.Writer()
	w.Write([]byte("[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://user:s3cret@example.com/acme/lib.git\n"))
	w.Close()
	modsHash, err := st.SetEncodedObject(blob)
	if err != nil {
		t.Fatal(err)
	}
	subCommit := plumbing.NewHash("1111111111111111111111111111111111111111")
	vendor := &object.Tree{Entries: []object.TreeEntry{{Name: "lib", Mode: filemode.Submodule, Hash: subCommit}}}
	vendorHash := store(vendor)

	pc, err := repo.CommitObject(parent)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := pc.Tree()
	if err != nil {
		t.Fatal(err)
	}
	entries := append([]object.TreeEntry{}, pt.Entries...)
	entries = append(entries,
		object.TreeEntry{Name: ".gitmodules", Mode: filemode.Regular, Hash: modsHash},
		object.TreeEntry{Name: "vendor", Mode: filemode.Dir, Hash: vendorHash})
	sort.Slice(entries, func(i, j int) bool {
		// git orders trees as if directory names ended in "/".
		a, b := entries[i].Name, entries[j].Name
		if entries[i].Mode == filemode.Dir {
			a += "/"
		}
		if entries[j].Mode == filemode.Dir {
			b += "/"
		}
		return a < b
	})
	rootHash := store(&object.Tree{Entries: entries})
	c := &object.Commit{Author: *at(carol, 0), Committer: *at(carol, 0), Message: "add submodule", TreeHash: rootHash, ParentHashes: []plumbing.Hash{parent}}
	ch := store(c)
	if err := st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("main"), ch)); err != nil {
		t.Fatal(err)
	}
	// Keep the work tree in step with HEAD so local-path tests see c5.
	wt, _ := repo.Worktree()
	if err := wt.Reset(&git.ResetOptions{Commit: ch, Mode: git.HardReset}); err != nil {
		t.Fatal(err)
	}
	return ch, subCommit
}
