package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
)

// bombRepo makes a repository of levels+2 objects whose one commit checks
// out to 10^levels files: one blob, a tree of ten names for it, a tree of
// ten names for that tree, and so on.
func bombRepo(t *testing.T, levels int, blob []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bomb")
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}, Bare: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	st := repo.Storer
	h := storeBlob(t, st, blob)
	mode := filemode.Regular
	for l := 0; l < levels; l++ {
		tr := &object.Tree{}
		for i := 0; i < 10; i++ {
			tr.Entries = append(tr.Entries, object.TreeEntry{Name: fmt.Sprintf("d%d", i), Mode: mode, Hash: h})
		}
		h = storeObject(t, st, tr)
		mode = filemode.Dir
	}
	c := &object.Commit{Author: alice, Committer: alice, Message: "bomb", TreeHash: h}
	ch := storeObject(t, st, c)
	if err := st.SetReference(plumbing.NewHashReference("refs/heads/main", ch)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func storeBlob(t *testing.T, st storage.Storer, data []byte) plumbing.Hash {
	t.Helper()
	o := st.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	w, _ := o.Writer()
	w.Write(data)
	w.Close()
	h, err := st.SetEncodedObject(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func storeObject(t *testing.T, st storage.Storer, v encoder) plumbing.Hash {
	t.Helper()
	o := st.NewEncodedObject()
	if err := v.Encode(o); err != nil {
		t.Fatal(err)
	}
	h, err := st.SetEncodedObject(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A 7-object repository that would check out to 100,000 files (and a
// 12-object one that would make 10^9) is refused before anything is
// written.
func TestCheckoutRefusesGitBomb(t *testing.T) {
	for _, levels := range []int{5, 9} {
		t.Run(fmt.Sprintf("10^%d files", levels), func(t *testing.T) { testGitBomb(t, levels) })
	}
}

func testGitBomb(t *testing.T, levels int) {
	src := bombRepo(t, levels, []byte("boom\n"))
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := Open(ctx, Spec{Source: fileURL(src), WorkDir: work}, Options{})
	if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "git bomb") {
		t.Fatalf("err = %v, want a git bomb refusal", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
	n := 0
	filepath.WalkDir(filepath.Join(work, "git"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(p, string(filepath.Separator)+"trees"+string(filepath.Separator)) {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("%d entries left under trees/", n)
	}
}

func TestCheckoutCaps(t *testing.T) {
	ctx := context.Background()
	repo := makeTestRepo(t) // a handful of files, paths two deep
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"files", Options{CheckoutMaxFiles: 3}, "MLBOM_CHECKOUT_MAX_FILES"},
		{"bytes", Options{CheckoutMaxBytes: 10}, "MLBOM_CHECKOUT_MAX_BYTES"},
		{"depth", Options{CheckoutMaxDepth: 1}, "MLBOM_CHECKOUT_MAX_DEPTH"},
	}
	for _, tc := range tests {
		_, err := Open(ctx, Spec{Source: fileURL(repo.dir), WorkDir: t.TempDir()}, tc.opts)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrInvalid naming %s", tc.name, err, tc.want)
		}
	}
	// The defaults let an ordinary repository through.
	tree, err := Open(ctx, Spec{Source: fileURL(repo.dir), WorkDir: t.TempDir()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tree.Close()
}

// Old checkouts are removed once more than KeepCheckouts exist, oldest
// first, never one used recently.
func TestCheckoutsPruned(t *testing.T) {
	ctx := context.Background()
	repo := makeTestRepo(t)
	work := t.TempDir()
	open := func(ref string) string {
		tree, err := Open(ctx, Spec{Source: fileURL(repo.dir), Ref: ref, WorkDir: work}, Options{KeepCheckouts: 2})
		if err != nil {
			t.Fatal(err)
		}
		tree.Close()
		return tree.Dir
	}
	age := func(dir string, d time.Duration) {
		old := time.Now().Add(-d)
		if err := os.Chtimes(dir, old, old); err != nil {
			t.Fatal(err)
		}
	}
	d1 := open(repo.c1.String())
	d2 := open(repo.c2.String())
	d3 := open(repo.c3.String())
	// All three were used just now: none is removed, whatever the count.
	for _, d := range []string{d1, d2, d3} {
		if !dirExists(d) {
			t.Fatalf("%s removed although in use", d)
		}
	}
	age(d1, 5*time.Hour)
	age(d2, 4*time.Hour)
	age(d3, 3*time.Hour)
	d4 := open(repo.c4.String())
	if dirExists(d1) || dirExists(d2) {
		t.Errorf("old checkouts kept: %v %v", dirExists(d1), dirExists(d2))
	}
	if !dirExists(d3) || !dirExists(d4) {
		t.Errorf("the two most recent were removed")
	}
	// Reusing a kept checkout marks it used.
	age(d3, 3*time.Hour)
	open(repo.c3.String())
	if st, _ := os.Stat(d3); time.Since(st.ModTime()) > time.Minute {
		t.Error("reuse did not mark the checkout as used")
	}
}

// --fetch-weights: a file over the per-file limit stays an LFS pointer with
// a skip reason; a server that sends more than the listed size is stopped
// after one byte too many (and what it sent is kept, to be reported as not
// the published file); old revisions are pruned like git checkouts.
func TestFetchWeightsLimits(t *testing.T) {
	hub := newHubServer(t)
	tree, err := Open(context.Background(), Spec{Source: "hf://acme-ai/tiny-random-bert", WorkDir: t.TempDir(), FetchWeights: true},
		Options{HFEndpoint: hub.URL, WeightsMaxBytes: 10})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := fs.ReadFile(tree.FS, "model.safetensors")
	tree.Close()
	if !bytes.HasPrefix(got, []byte("version https://git-lfs.github.com/spec/v1")) {
		t.Errorf("an over-limit weight file was downloaded (%d bytes)", len(got))
	}
	found := false
	for _, s := range tree.Skipped {
		found = found || (s.Path == "model.safetensors" && strings.Contains(s.Reason, "MLBOM_WEIGHTS_MAX_BYTES"))
	}
	if !found {
		t.Errorf("no skip reason: %+v", tree.Skipped)
	}

	var sent atomic.Int64
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/model.safetensors") {
			n, _ := io.Copy(w, io.LimitReader(zeros{}, 256<<20))
			sent.Store(n)
			return
		}
		hub.Config.Handler.ServeHTTP(w, r)
	}))
	defer endless.Close()
	work := t.TempDir()
	tree, err = Open(context.Background(), Spec{Source: "hf://acme-ai/tiny-random-bert", WorkDir: work, FetchWeights: true},
		Options{HFEndpoint: endless.URL})
	if err != nil {
		t.Fatalf("err = %v; a file that is not the published one is kept and reported, not an error", err)
	}
	got, _ = fs.ReadFile(tree.FS, "model.safetensors")
	tree.Close()
	if len(got) != 129 {
		t.Errorf("kept %d bytes of the endless file, want the listed 128 and one more", len(got))
	}
	endless.Close() // waits for the handler
	if n := sent.Load(); n > 32<<20 {
		t.Errorf("the client read %d bytes of a file listed at a few hundred", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A named pipe where go-git expects .git (or inside it) must not hang the
// open of a local directory: the files are scanned, the metadata skipped.
func TestOpenLocalFIFOGitMetadata(t *testing.T) {
	for _, where := range []string{".git", ".git/HEAD", ".git/objects/ab/cdef0123456789abcdef0123456789abcdef01"} {
		t.Run(where, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if where != ".git" {
				if _, err := git.PlainInit(dir, false); err != nil {
					t.Fatal(err)
				}
				os.Remove(filepath.Join(dir, filepath.FromSlash(where)))
				os.MkdirAll(filepath.Dir(filepath.Join(dir, filepath.FromSlash(where))), 0o755)
			}
			if err := syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(where)), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			done := make(chan error, 1)
			var tree *Tree
			go func() {
				var err error
				tree, err = Open(context.Background(), Spec{Source: dir}, Options{})
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				if len(tree.Skipped) == 0 || !strings.Contains(tree.Skipped[0].Reason, "not a regular file") {
					t.Errorf("skipped = %+v", tree.Skipped)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("opening a directory whose git metadata holds a named pipe hangs")
			}
		})
	}
}
