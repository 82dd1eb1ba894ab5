package source

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
)

const defaultTimeout = 60 * time.Second

// scpLike matches git's scp-style remote syntax, user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/\\]`)

// Open resolves spec to a readable tree. Errors that retrying cannot fix (no
// such path, repository, ref or Hugging Face repo; access denied) wrap
// ErrInvalid; network failures and server errors do not, so a caller may
// retry them. The caller must Close the tree.
func Open(ctx context.Context, spec Spec, opts Options) (*Tree, error) {
	src := strings.TrimSpace(spec.Source)
	if src == "" {
		return nil, invalidf("empty source: give a local path, a git URL or hf://ORG/NAME")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	switch kind := classify(src); kind {
	case "huggingface":
		return openHF(ctx, src, spec, opts)
	case "git":
		return openGit(ctx, src, spec, opts)
	default:
		if spec.Ref != "" {
			// A ref on a local path means "that commit of this work tree";
			// honouring it would need a checkout we do not do for local dirs.
			return nil, invalidf("ref %q given for local path %s: refs apply to git URLs (use file://%s to pin a local repository)", spec.Ref, src, src)
		}
		return openLocal(src)
	}
}

// classify says which opener handles src: "huggingface", "git" or "local".
func classify(src string) string {
	lower := strings.ToLower(src)
	switch {
	case strings.HasPrefix(lower, "hf://"):
		return "huggingface"
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"),
		strings.HasPrefix(lower, "ssh://"), strings.HasPrefix(lower, "git://"),
		strings.HasPrefix(lower, "file://"):
		return "git"
	case scpLike.MatchString(src):
		return "git"
	}
	return "local"
}

// noProvenance is the Provenance of trees without history.
func noProvenance(string) *asset.Provenance { return nil }

func withTimeout(ctx context.Context, opts Options) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, opts.Timeout)
}
