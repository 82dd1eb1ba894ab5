// Package source opens what a scan looks at: a local directory, a git
// repository (cloned with go-git) or a Hugging Face repository (through the Hub
// HTTP API), as a read-only file tree plus what is known about its origin.
package source

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/hub"
	"github.com/mlbom/autopilot/internal/redact"
)

// ErrInvalid marks errors that retrying cannot fix: no such path or
// repository, not a git repository, unknown ref, malformed source string.
// Callers test with errors.Is(err, source.ErrInvalid).
var ErrInvalid = hub.ErrInvalid // one sentinel: a Hub refusal is an invalid source

// Spec says what to open.
type Spec struct {
	Source       string // local path, git URL (https, ssh, file) or hf://[datasets/|spaces/]ORG/NAME
	Ref          string // branch, tag or commit; empty for the default
	FetchWeights bool   // Hugging Face: download weight files too
	// WorkDir is where clones and fetched files go (under the data dir):
	// WorkDir/git/<name>-<url hash>/ and WorkDir/hf/<type>s/<owner>__<name>/,
	// kept across runs so a retry reuses them. Several workers may share
	// it (a file lock serialises work on one repository). Empty means a
	// temporary directory that Tree.Close removes.
	WorkDir string
}

// Options carries endpoints and credentials; tokens are never logged.
type Options struct {
	HFEndpoint string
	HFToken    string
	GitToken   string
	// GitUsername is sent with GitToken; empty picks the host's convention
	// (x-access-token on GitHub, oauth2 on GitLab, git elsewhere).
	GitUsername string
	// URLCredentials are credentials a user typed into the source URL of a
	// scan that runs in this process (mlbom scan --local). They stay in
	// memory: the URL travels, is stored and is shown without them (see
	// SplitCredentials), and they are offered to that URL's host only.
	URLCredentials *Credentials
	// Timeout bounds each Hugging Face API call and small-file download and
	// the git ref listing (default 60s). Clones and weight downloads run
	// under the caller's context only: they may rightly take longer.
	Timeout time.Duration
	// MaxFileSize caps each Hugging Face file fetched as text (non-LFS
	// files); larger ones are listed in Tree.Skipped. Default 8 MiB.
	MaxFileSize int64
	// CheckoutMaxFiles, CheckoutMaxBytes and CheckoutMaxDepth cap what one
	// checkout (a git commit's files, a Hugging Face revision with its
	// weights) may write: entries, bytes and directory depth. Over a cap
	// the checkout stops with an ErrInvalid error naming the setting.
	// Defaults: DefaultCheckoutMax*. Whatever the caps, a git tree that
	// expands to many times more entries than it has distinct objects (a
	// git bomb) is refused.
	CheckoutMaxFiles int64
	CheckoutMaxBytes int64
	CheckoutMaxDepth int
	// KeepCheckouts is how many checkouts (git commits, Hugging Face
	// revisions, with or without weights) are kept per source under
	// WorkDir; older ones are removed after a new one is made, unless used
	// in the last two hours. Default 3.
	KeepCheckouts int
	// WeightsMaxBytes caps each weight file downloaded for FetchWeights
	// (larger ones stay LFS pointers and are listed in Tree.Skipped), and
	// WeightsTimeout bounds each download. Defaults 16 GiB and 1 hour.
	WeightsMaxBytes int64
	WeightsTimeout  time.Duration
	// HTTPClient, when set, is used for Hugging Face requests (proxies,
	// tests). Its own timeout, if any, applies in addition to Timeout.
	HTTPClient *http.Client
}

// Credentials are a user name and password (or token) for one host.
type Credentials struct {
	Host     string // host[:port] they belong to
	Username string
	Password string
}

// String never shows the password.
func (c Credentials) String() string { return c.Username + ":" + redact.Mask + "@" + c.Host }

// GoString keeps %#v from printing the password.
func (c Credentials) GoString() string { return "source.Credentials{" + c.String() + "}" }

// Tree is an opened source.
type Tree struct {
	FS   fs.FS  // repository content, root at the repository root
	Dir  string // local directory backing FS, when there is one
	Kind string // "local", "git" or "huggingface"
	// URL of the origin (remote URL, hf:// id, or absolute local path).
	URL    string
	Ref    string // resolved branch or tag name, if any
	Commit string // commit sha (git) or revision sha (Hugging Face)
	// Name is a default project name: the directory or repository base
	// name without ".git", or for Hugging Face the repository name without
	// its owner ("sentiment-bert" for hf://acme-ai/sentiment-bert).
	Name string
	// Sightings the source itself contributes (Hugging Face API metadata:
	// siblings with LFS sha256 and size, cardData), merged with discovery's.
	Sightings  []asset.Sighting
	Submodules []Submodule
	// Skipped lists files the source could not or would not provide
	// (symlinks escaping the repository, Hugging Face files over the size
	// cap or missing on the Hub), so the scan can report them.
	Skipped []asset.Skip
	// Hub is set for a tree opened from the Hugging Face Hub: the LFS
	// sha256 of each file at the revision opened (see hub.CheckFiles).
	Hub *hub.Files
	// Provenance returns who last changed path; nil when unknown.
	Provenance func(path string) *asset.Provenance
	close      func() error
	// provAll answers ProvenanceAll in one history walk when git is behind
	// the tree; nil otherwise.
	provAll func(paths []string) map[string]*asset.Provenance
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

// ProvenanceAll returns who last changed each of paths, computed in one walk
// of the history when the tree is backed by git; paths with no known history
// are absent from the map. Prefer it to calling Provenance per path.
func (t *Tree) ProvenanceAll(paths []string) map[string]*asset.Provenance {
	out := make(map[string]*asset.Provenance, len(paths))
	if t == nil {
		return out
	}
	if t.provAll != nil {
		return t.provAll(paths)
	}
	if t.Provenance == nil {
		return out
	}
	for _, p := range paths {
		if pv := t.Provenance(p); pv != nil {
			out[p] = pv
		}
	}
	return out
}

// Hub is the Hub client configuration these options give.
func (o Options) Hub() hub.Config {
	return hub.Config{Endpoint: o.HFEndpoint, Token: o.HFToken, HTTP: o.HTTPClient, Timeout: o.Timeout}
}
