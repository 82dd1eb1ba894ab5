package source

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
)

// openLocal opens a directory in place. The FS is an os.Root view, so a
// symlink that leads outside the directory fails to open instead of being
// followed (os.DirFS would follow it).
func openLocal(src string) (*Tree, error) {
	abs, err := filepath.Abs(src)
	if err != nil {
		return nil, invalidWrap(err, "local path %s", src)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, invalidf("local path %s does not exist", abs)
	case err != nil:
		return nil, invalidWrap(err, "local path %s", abs)
	case !st.IsDir():
		return nil, invalidf("local path %s is not a directory", abs)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, invalidWrap(err, "open %s", abs)
	}
	t := &Tree{
		FS:         root.FS(),
		Dir:        abs,
		Kind:       "local",
		URL:        abs,
		Name:       filepath.Base(abs),
		Provenance: noProvenance,
		close:      root.Close,
	}
	if err := attachLocalGit(t, abs); err != nil {
		root.Close()
		return nil, err
	}
	return t, nil
}

// attachLocalGit fills Commit, Ref, Submodules and Provenance when abs lies
// in a git work tree; a directory outside git is not an error.
func attachLocalGit(t *Tree, abs string) error {
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil
	}
	if err != nil {
		// A broken .git should not stop a scan of the files themselves.
		t.Skipped = append(t.Skipped, skipf(".git", "git metadata unreadable: %v", err))
		return nil
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil // bare repository: nothing checked out to relate to
	}
	gitRoot := wt.Filesystem.Root()
	if real, err := filepath.EvalSymlinks(gitRoot); err == nil {
		gitRoot = real
	}
	prefix, err := filepath.Rel(gitRoot, abs)
	if err != nil || strings.HasPrefix(prefix, "..") {
		return nil
	}
	prefix = filepath.ToSlash(prefix)
	if prefix == "." {
		prefix = ""
	}
	head, err := repo.Head()
	if err != nil {
		return nil // no commits yet
	}
	t.Commit = head.Hash().String()
	if head.Name().IsBranch() {
		t.Ref = head.Name().Short()
	}
	commit, err := repo.CommitObject(head.Hash())
	if err != nil {
		return nil
	}
	t.Submodules = submodulesOf(commit, prefix)
	if dir, ok := storeDir(repo); ok {
		if r, closeStore, err := openStore(dir); err == nil {
			repo = r
			rootClose := t.close
			t.close = func() error {
				err := rootClose()
				if cerr := closeStore(); err == nil {
					err = cerr
				}
				return err
			}
		}
	}
	idx := newProvenanceIndex(repo, head.Hash(), prefix)
	t.Provenance = idx.one
	t.provAll = idx.all
	return nil
}
