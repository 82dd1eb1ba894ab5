package source

import (
	"errors"
	"fmt"
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
	if err := checkDotGit(abs); err != nil {
		// go-git would block forever opening a named pipe (.git itself,
		// HEAD, a loose object): keep the files, drop the metadata.
		t.Skipped = append(t.Skipped, skipf(".git", "git metadata not read: %v", err))
		return nil
	}
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

// maxGitDirEntries bounds the type check of a .git directory.
const maxGitDirEntries = 500_000

// checkDotGit finds the .git that go-git would use for abs (the nearest one
// at or above it) and checks every file go-git might read there, including
// a worktree's gitdir and commondir, for named pipes and devices.
func checkDotGit(abs string) error {
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, ".git")
		if _, err := os.Lstat(p); err == nil {
			return checkGitPath(p, 0)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// checkGitPath checks a .git (a directory, or a file "gitdir: DIR") and
// what it refers to.
func checkGitPath(p string, hops int) error {
	if hops > 2 {
		return fmt.Errorf("%s: gitdir files refer on and on", p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	switch {
	case st.IsDir():
		if err := checkGitDir(p, maxGitDirEntries); err != nil {
			return err
		}
		// A linked worktree's git dir names the main one in "commondir".
		if common, ok, err := readGitPointer(filepath.Join(p, "commondir"), ""); err != nil {
			return err
		} else if ok {
			return checkGitPath(resolveFrom(p, common), hops+1)
		}
		return nil
	case st.Mode().IsRegular():
		target, ok, err := readGitPointer(p, "gitdir:")
		if err != nil || !ok {
			return err
		}
		return checkGitPath(resolveFrom(filepath.Dir(p), target), hops+1)
	}
	return fmt.Errorf("%s: %w (%s)", p, errNotRegular, st.Mode().Type())
}

// readGitPointer reads a small regular file holding a path after prefix.
func readGitPointer(p, prefix string) (string, bool, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !st.Mode().IsRegular() {
		return "", false, fmt.Errorf("%s: %w (%s)", p, errNotRegular, st.Mode().Type())
	}
	if st.Size() > 4096 {
		return "", false, fmt.Errorf("%s: %d bytes, not a git pointer file", p, st.Size())
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "", false, err
	}
	line := strings.TrimSpace(string(data))
	if prefix != "" {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			return "", false, nil
		}
		line = strings.TrimSpace(rest)
	}
	return line, line != "", nil
}

func resolveFrom(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
