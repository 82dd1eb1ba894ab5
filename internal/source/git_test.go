package source

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

func TestOpenGitRefs(t *testing.T) {
	r := makeTestRepo(t)
	work := t.TempDir()
	tests := []struct {
		name       string
		ref        string
		wantCommit string
		wantRef    string
		present    []string
		absent     []string
	}{
		{"default branch", "", r.c5.String(), "main", []string{"README.md", "app.py", "link-in", "prompts/system.prompt"}, []string{"feature.py", "link-out"}},
		{"branch", "feature", r.c3.String(), "feature", []string{"feature.py", "prompts/system.prompt"}, []string{"link-in"}},
		{"annotated tag", "v1.0", r.c2.String(), "v1.0", []string{"prompts/system.prompt"}, []string{"feature.py"}},
		{"lightweight tag", "light", r.c1.String(), "light", []string{"README.md"}, []string{"prompts/system.prompt"}},
		{"full ref name", "refs/heads/feature", r.c3.String(), "feature", []string{"feature.py"}, nil},
		{"commit sha, not a tip", r.c4.String(), r.c4.String(), "", []string{"link-in"}, []string{".gitmodules", "feature.py"}},
		{"sha of a tagged commit", r.c1.String(), r.c1.String(), "light", []string{"app.py"}, []string{"prompts/system.prompt"}},
		{"short sha", r.c2.String()[:8], r.c2.String(), "", []string{"prompts/system.prompt"}, []string{"feature.py"}},
		{"tip sha", r.c3.String(), r.c3.String(), "feature", []string{"feature.py"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := Open(context.Background(), Spec{Source: fileURL(r.dir), Ref: tc.ref, WorkDir: work}, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tree.Close()
			if tree.Kind != "git" || tree.Commit != tc.wantCommit || tree.Ref != tc.wantRef {
				t.Errorf("kind/commit/ref = %s %s %q, want git %s %q", tree.Kind, tree.Commit, tree.Ref, tc.wantCommit, tc.wantRef)
			}
			if tree.Name != "origin-repo" {
				t.Errorf("Name = %q", tree.Name)
			}
			for _, p := range tc.present {
				if _, err := fs.ReadFile(tree.FS, p); err != nil {
					t.Errorf("read %s: %v", p, err)
				}
			}
			for _, p := range tc.absent {
				if _, err := fs.Stat(tree.FS, p); err == nil {
					t.Errorf("%s present, want absent", p)
				}
			}
			if !strings.HasPrefix(tree.Dir, work) {
				t.Errorf("Dir %s not under work dir", tree.Dir)
			}
		})
	}
}

func TestOpenGitContent(t *testing.T) {
	r := makeTestRepo(t)
	tree, err := Open(context.Background(), Spec{Source: fileURL(r.dir), WorkDir: t.TempDir()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	got, err := fs.ReadFile(tree.FS, "app.py")
	if err != nil || !strings.Contains(string(got), "print('v2')") {
		t.Errorf("app.py = %q, %v", got, err)
	}
	// The in-repo link resolves; the escaping one was never created.
	if got, err := fs.ReadFile(tree.FS, "link-in"); err != nil || string(got) != "# demo\n" {
		t.Errorf("link-in = %q, %v", got, err)
	}
	if _, err := os.Lstat(filepath.Join(tree.Dir, "link-out")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("link-out exists in checkout: %v", err)
	}
	var skippedOut bool
	for _, s := range tree.Skipped {
		if s.Path == "link-out" && strings.Contains(s.Reason, "outside the repository") {
			skippedOut = true
		}
	}
	if !skippedOut {
		t.Errorf("Skipped = %+v, want link-out reported", tree.Skipped)
	}
	if len(tree.Submodules) != 1 {
		t.Fatalf("Submodules = %+v", tree.Submodules)
	}
	sm := tree.Submodules[0]
	if sm.Path != "vendor/lib" || sm.URL != "https://example.com/acme/lib.git" || sm.Commit != r.subCommit.String() {
		t.Errorf("submodule = %+v", sm)
	}
	// Recorded, not followed: the gitlink is an empty directory.
	if ents, err := fs.ReadDir(tree.FS, "vendor/lib"); err != nil || len(ents) != 0 {
		t.Errorf("vendor/lib = %v, %v", ents, err)
	}
}

func TestOpenGitProvenance(t *testing.T) {
	r := makeTestRepo(t)
	tests := []struct {
		name string
		ref  string
		want map[string]struct {
			author string
			commit string
		}
	}{
		{"full history via commit", r.c5.String()[:10], map[string]struct{ author, commit string }{
			"README.md":             {"Alice Liddell", r.c1.String()},
			"app.py":                {"Bob Builder", r.c2.String()},
			"prompts/system.prompt": {"Bob Builder", r.c2.String()},
			"model/config.json":     {"Alice Liddell", r.c1.String()},
			"link-in":               {"Bob Builder", r.c4.String()},
			".gitmodules":           {"Carol Danvers", r.c5.String()},
		}},
		// A depth-1 clone only knows its tip: everything is credited to it.
		{"shallow branch", "feature", map[string]struct{ author, commit string }{
			"README.md":         {"Alice Liddell", r.c3.String()},
			"model/config.json": {"Alice Liddell", r.c3.String()},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := Open(context.Background(), Spec{Source: fileURL(r.dir), Ref: tc.ref, WorkDir: t.TempDir()}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			var paths []string
			for p := range tc.want {
				paths = append(paths, p)
			}
			all := tree.ProvenanceAll(append(paths, "no/such/file"))
			if _, ok := all["no/such/file"]; ok {
				t.Errorf("provenance for a file without history")
			}
			for p, w := range tc.want {
				got := all[p]
				if got == nil {
					t.Errorf("%s: no provenance", p)
					continue
				}
				if got.Author != w.author || got.Commit != w.commit {
					t.Errorf("%s: %s %s, want %s %s", p, got.Author, got.Commit, w.author, w.commit)
				}
				if one := tree.Provenance(p); one == nil || *one != *got {
					t.Errorf("%s: Provenance %+v != ProvenanceAll %+v", p, one, got)
				}
			}
		})
	}
}

func TestOpenGitInvalid(t *testing.T) {
	r := makeTestRepo(t)
	plain := t.TempDir()
	writeFiles(t, plain, map[string]string{"x.txt": "x"})
	tests := []struct {
		name, src, ref string
	}{
		{"unknown branch", fileURL(r.dir), "no-such-branch"},
		{"unknown commit", fileURL(r.dir), "0123456789abcdef0123456789abcdef01234567"},
		{"missing repository", fileURL(filepath.Join(plain, "missing")), ""},
		{"not a repository", fileURL(plain), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := Open(ctx, Spec{Source: tc.src, Ref: tc.ref, WorkDir: t.TempDir()}, Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestOpenGitReuse(t *testing.T) {
	r := makeTestRepo(t)
	work := t.TempDir()
	spec := Spec{Source: fileURL(r.dir), Ref: "v1.0", WorkDir: work}
	a, err := Open(context.Background(), spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(context.Background(), spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Dir != b.Dir || a.Commit != b.Commit {
		t.Errorf("second open: %s %s, first %s %s", b.Dir, b.Commit, a.Dir, a.Commit)
	}
	// Without a WorkDir the clone is temporary and Close removes it.
	c, err := Open(context.Background(), Spec{Source: fileURL(r.dir)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary clone %s left behind: %v", dir, err)
	}
}

func TestOpenGitConcurrentAndStale(t *testing.T) {
	r := makeTestRepo(t)
	work := t.TempDir()
	refs := []string{"main", "feature", "v1.0", "light"}
	want := []string{r.c5.String(), r.c3.String(), r.c2.String(), r.c1.String()}
	errs := make(chan error, len(refs))
	got := make([]string, len(refs))
	for i, ref := range refs {
		go func() {
			tree, err := Open(context.Background(), Spec{Source: fileURL(r.dir), Ref: ref, WorkDir: work}, Options{})
			if err == nil {
				got[i] = tree.Commit
				err = tree.Close()
			}
			errs <- err
		}()
	}
	for range refs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range refs {
		if got[i] != want[i] {
			t.Errorf("%s: commit %s, want %s", refs[i], got[i], want[i])
		}
	}
	// A half-written checkout from a crashed attempt is cleared on the next open.
	trees, _ := filepath.Glob(filepath.Join(work, "git", "*", "trees"))
	if len(trees) != 1 {
		t.Fatalf("trees dirs = %v", trees)
	}
	stale := filepath.Join(trees[0], ".tmp-deadbeef-123")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	tree, err := Open(context.Background(), Spec{Source: fileURL(r.dir), Ref: r.c4.String(), WorkDir: work}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tree.Close()
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp dir survived: %v", err)
	}
}
