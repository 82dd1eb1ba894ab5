// Package source opens what a scan looks at: a local directory, a git
// repository (cloned with go-git) or a Hugging Face repository (through the Hub
// HTTP API), as a read-only file tree plus what is known about its origin.
package source

import (
	"errors"
	"io/fs"
	"time"

	"github.com/mlbom/autopilot/internal/discover"
)

// ErrInvalid marks errors that retrying cannot fix: no such path or
// repository, not a git repository, unknown ref, malformed source string.
// Callers test with errors.Is(err, source.ErrInvalid).
var ErrInvalid = errors.New("invalid source")

// Spec says what to open.
type Spec struct {
	Source       string // local path, git URL (https, ssh, file) or hf://[datasets/|spaces/]ORG/NAME
	Ref          string // branch, tag or commit; empty for the default
	FetchWeights bool   // Hugging Face: download weight files too
	// WorkDir is where clones and fetched files go (under the data dir).
	WorkDir string
}

// Options carries endpoints and credentials; tokens are never logged.
type Options struct {
	HFEndpoint string
	HFToken    string
	GitToken   string
	Timeout    time.Duration
}

// Tree is an opened source.
type Tree struct {
	FS   fs.FS  // repository content, root at the repository root
	Dir  string // local directory backing FS, when there is one
	Kind string // "local", "git" or "huggingface"
	// URL of the origin (remote URL, hf:// id, or absolute local path).
	URL    string
	Ref    string // resolved branch or tag name, if any
	Commit string // commit sha (git) or revision sha (Hugging Face)
	Name   string // a default project name derived from the source
	// Findings the source itself contributes (Hugging Face API metadata:
	// siblings with LFS sha256 and size, cardData), merged with discovery's.
	Findings   []discover.Finding
	Submodules []Submodule
	// Provenance returns who last changed path; nil when unknown.
	Provenance func(path string) *discover.Provenance
	close      func() error
}

// Submodule is recorded, not followed.
type Submodule struct {
	Path   string `json:"path"`
	URL    string `json:"url"`
	Commit string `json:"commit,omitempty"`
}

// Close releases temporary files (clones are kept in WorkDir for reuse).
func (t *Tree) Close() error {
	if t == nil || t.close == nil {
		return nil
	}
	return t.close()
}
