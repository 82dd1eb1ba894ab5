package source

import (
	"fmt"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// openStore opens the git object store at gitDir (a bare repository or a
// .git directory) keeping packfiles open between reads. go-git's default
// reopens the packfile for every object, which made a provenance walk
// spend most of its time in open(2). The caller must call close.
func openStore(gitDir string) (*git.Repository, func() error, error) {
	st := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true})
	repo, err := git.Open(st, nil)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("open %s: %w", gitDir, err)
	}
	return repo, st.Close, nil
}

// storeDir is where repo keeps its objects, when it is on disk.
func storeDir(repo *git.Repository) (string, bool) {
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", false
	}
	return st.Filesystem().Root(), true
}
