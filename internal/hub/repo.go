package hub

import (
	"regexp"
	"strings"
)

// Repo names one Hugging Face repository.
type Repo struct {
	Type     string // "model", "dataset" or "space"
	ID       string // "ORG/NAME" (or a legacy un-namespaced "NAME")
	Revision string // branch, tag or commit; empty for the default branch
}

// hfNamePart follows the Hub's rules for owner and repository names.
var hfNamePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)

// ParseSpec parses hf://[models/|datasets/|spaces/]ORG/NAME[@REVISION].
// The string comes from users and from API callers, so anything that could
// smuggle path segments or query strings into Hub URLs is rejected.
func ParseSpec(s string) (Repo, error) {
	rest, ok := cutPrefixFold(s, "hf://")
	if !ok {
		return Repo{}, invalidf("%q is not a Hugging Face source: want hf://[datasets/|spaces/]ORG/NAME[@REVISION]", s)
	}
	var r Repo
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, r.Revision = rest[:i], rest[i+1:]
		if err := CheckRevision(r.Revision); err != nil {
			return Repo{}, err
		}
	}
	rest = strings.TrimSuffix(rest, "/")
	parts := strings.Split(rest, "/")
	r.Type = "model"
	switch parts[0] {
	case "datasets":
		r.Type, parts = "dataset", parts[1:]
	case "spaces":
		r.Type, parts = "space", parts[1:]
	case "models":
		parts = parts[1:]
	}
	if len(parts) < 1 || len(parts) > 2 || (r.Type == "space" && len(parts) != 2) {
		return Repo{}, invalidf("malformed Hugging Face source %q: want hf://[datasets/|spaces/]ORG/NAME[@REVISION]", s)
	}
	for _, p := range parts {
		if !hfNamePart.MatchString(p) || strings.Contains(p, "..") || strings.HasSuffix(p, ".") {
			return Repo{}, invalidf("malformed Hugging Face source %q: bad name %q", s, p)
		}
	}
	r.ID = strings.Join(parts, "/")
	return r, nil
}

// CheckRevision rejects a revision that could smuggle path segments or
// query strings into Hub URLs.
func CheckRevision(rev string) error {
	if rev == "" || len(rev) > 255 {
		return invalidf("bad Hugging Face revision %q", rev)
	}
	for _, c := range rev {
		if c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '\\' || c == '%' {
			return invalidf("bad Hugging Face revision %q", rev)
		}
	}
	for _, el := range strings.Split(rev, "/") {
		if el == "" || el == "." || el == ".." {
			return invalidf("bad Hugging Face revision %q", rev)
		}
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// String is the canonical source string, without the revision.
func (r Repo) String() string {
	switch r.Type {
	case "dataset":
		return "hf://datasets/" + r.ID
	case "space":
		return "hf://spaces/" + r.ID
	}
	return "hf://" + r.ID
}

// APIPath is the Hub API path of the repository, e.g. /api/models/ORG/NAME.
func (r Repo) APIPath() string { return "/api/" + r.Type + "s/" + r.ID }

// FilePrefix is the path under which resolve URLs live: /ORG/NAME for
// models, /datasets/ORG/NAME and /spaces/ORG/NAME otherwise.
func (r Repo) FilePrefix() string {
	switch r.Type {
	case "dataset":
		return "/datasets/" + r.ID
	case "space":
		return "/spaces/" + r.ID
	}
	return "/" + r.ID
}

// Name is the default project name: the repository name without its owner.
func (r Repo) Name() string {
	if i := strings.LastIndexByte(r.ID, '/'); i >= 0 {
		return r.ID[i+1:]
	}
	return r.ID
}
