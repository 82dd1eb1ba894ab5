package source

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxGitmodules bounds how much of a repository-supplied .gitmodules we parse.
const maxGitmodules = 1 << 20

// parseGitmodules reads a .gitmodules file, which the repository author
// controls: entries with unsafe paths or empty URLs are dropped, credentials
// in URLs are removed, and the result is sorted by path.
func parseGitmodules(data []byte) (mods []Submodule, err error) {
	if len(data) > maxGitmodules {
		return nil, fmt.Errorf(".gitmodules is %d bytes, over the %d-byte limit", len(data), maxGitmodules)
	}
	defer func() {
		// The config decoder is third-party code fed hostile input; a panic
		// there must cost us the submodule list, not the scan.
		if r := recover(); r != nil {
			mods, err = nil, fmt.Errorf("parse .gitmodules: %v", r)
		}
	}()
	m := config.NewModules()
	if err := m.Unmarshal(data); err != nil {
		return nil, fmt.Errorf("parse .gitmodules: %w", err)
	}
	for _, sm := range m.Submodules {
		if sm.Validate() != nil {
			continue
		}
		p := path.Clean(strings.ReplaceAll(sm.Path, "\\", "/"))
		if p == "." || strings.HasPrefix(p, "/") || p == ".." || strings.HasPrefix(p, "../") {
			continue
		}
		mods = append(mods, Submodule{Path: p, URL: stripUserinfo(sm.URL)})
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	return mods, nil
}

// stripUserinfo removes credentials from URL-shaped strings; scp-style and
// relative submodule URLs are returned unchanged.
func stripUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// submodulesOf reads .gitmodules at the root of commit and the gitlinks it
// names. prefix is the repository path of the scanned tree (for a local dir
// inside a work tree); submodules outside it are left out and paths are made
// relative to it. Submodules are recorded, never fetched.
func submodulesOf(commit *object.Commit, prefix string) []Submodule {
	tree, err := commit.Tree()
	if err != nil {
		return nil
	}
	f, err := tree.File(".gitmodules")
	if err != nil {
		return nil
	}
	r, err := f.Reader()
	if err != nil {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r, maxGitmodules+1))
	r.Close()
	if err != nil {
		return nil
	}
	mods, err := parseGitmodules(data)
	if err != nil {
		return nil
	}
	var out []Submodule
	for _, m := range mods {
		if e, err := tree.FindEntry(m.Path); err == nil && e.Mode == filemode.Submodule {
			m.Commit = e.Hash.String()
		}
		rel := m.Path
		if prefix != "" {
			if !strings.HasPrefix(m.Path, prefix+"/") {
				continue
			}
			rel = strings.TrimPrefix(m.Path, prefix+"/")
		}
		m.Path = rel
		out = append(out, m)
	}
	return out
}
