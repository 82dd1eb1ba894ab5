package source

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenLocal(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "do not read"})
	dir := filepath.Join(t.TempDir(), "my-app")
	writeFiles(t, dir, map[string]string{
		"main.py":          "import openai\n",
		"models/README.md": "# card\n",
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "abs-escape")))
	must(os.Symlink("../../"+filepath.Base(outside)+"/secret.txt", filepath.Join(dir, "models", "rel-escape")))
	must(os.Symlink(outside, filepath.Join(dir, "dir-escape")))
	must(os.Symlink("models/README.md", filepath.Join(dir, "card-link")))

	tree, err := Open(context.Background(), Spec{Source: dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if tree.Kind != "local" || tree.Name != "my-app" || tree.Dir != dir || tree.URL != dir || tree.Commit != "" {
		t.Errorf("tree = %+v", tree)
	}
	if got, err := fs.ReadFile(tree.FS, "main.py"); err != nil || string(got) != "import openai\n" {
		t.Errorf("main.py = %q, %v", got, err)
	}
	if got, err := fs.ReadFile(tree.FS, "card-link"); err != nil || string(got) != "# card\n" {
		t.Errorf("in-tree link = %q, %v", got, err)
	}
	for _, p := range []string{"abs-escape", "models/rel-escape", "dir-escape/secret.txt"} {
		if got, err := fs.ReadFile(tree.FS, p); err == nil {
			t.Errorf("%s: read %q through a symlink out of the tree", p, got)
		}
	}
	if _, err := fs.ReadDir(tree.FS, "dir-escape"); err == nil {
		t.Errorf("listed a directory outside the tree")
	}
	// Walking sees the links as links and never descends through them.
	err = fs.WalkDir(tree.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(p, "secret") {
			t.Errorf("walk reached %s", p)
		}
		return nil
	})
	if err != nil {
		t.Errorf("walk: %v", err)
	}
	if tree.Provenance("main.py") != nil {
		t.Errorf("provenance without git")
	}
}

func TestOpenLocalFSConforms(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "a", "sub/b.json": "{}", "sub/deeper/c.py": "c"})
	tree, err := Open(context.Background(), Spec{Source: dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if err := fstest.TestFS(tree.FS, "a.txt", "sub/b.json", "sub/deeper/c.py"); err != nil {
		t.Error(err)
	}
}

func TestOpenLocalUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reads")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.py": "x", "locked.py": "y"})
	if err := os.Chmod(filepath.Join(dir, "locked.py"), 0); err != nil {
		t.Fatal(err)
	}
	tree, err := Open(context.Background(), Spec{Source: dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if _, err := fs.ReadFile(tree.FS, "locked.py"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("locked.py: %v, want permission error", err)
	}
	if _, err := fs.ReadFile(tree.FS, "ok.py"); err != nil {
		t.Errorf("ok.py: %v", err)
	}
}

func TestOpenLocalInvalid(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"file.txt": "x"})
	tests := []struct{ name, src, ref, want string }{
		{"missing", filepath.Join(dir, "nope"), "", "does not exist"},
		{"a file", filepath.Join(dir, "file.txt"), "", "not a directory"},
		{"empty", "  ", "", "empty source"},
		{"ref on a local path", dir, "main", "file://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), Spec{Source: tc.src, Ref: tc.ref}, Options{})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

func TestOpenLocalGitWorkTree(t *testing.T) {
	r := makeTestRepo(t)
	tests := []struct {
		name, sub, path, author, commit string
	}{
		{"repository root", "", "app.py", "Bob Builder", r.c2.String()},
		{"subdirectory", "model", "config.json", "Alice Liddell", r.c1.String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := Open(context.Background(), Spec{Source: filepath.Join(r.dir, tc.sub)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			if tree.Kind != "local" || tree.Commit != r.c5.String() || tree.Ref != "main" {
				t.Errorf("commit/ref = %s %q", tree.Commit, tree.Ref)
			}
			pv := tree.Provenance(tc.path)
			if pv == nil || pv.Author != tc.author || pv.Commit != tc.commit || pv.Date.IsZero() {
				t.Errorf("provenance(%s) = %+v", tc.path, pv)
			}
		})
	}
	tree, err := Open(context.Background(), Spec{Source: r.dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if len(tree.Submodules) != 1 || tree.Submodules[0].Path != "vendor/lib" {
		t.Errorf("submodules = %+v", tree.Submodules)
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]string{
		"hf://acme/x":                       "huggingface",
		"HF://datasets/acme/x":              "huggingface",
		"https://github.com/acme/app.git":   "git",
		"http://git.local/acme/app":         "git",
		"ssh://git@github.com/acme/app.git": "git",
		"git@github.com:acme/app.git":       "git",
		"file:///srv/repos/app":             "git",
		"./app":                             "local",
		"/abs/path":                         "local",
		"C:\\work\\app":                     "local",
		"user@host":                         "local",
	}
	for src, want := range tests {
		if got := classify(src); got != want {
			t.Errorf("classify(%q) = %s, want %s", src, got, want)
		}
	}
}
