package inventory

import (
	"github.com/mlbom/autopilot/internal/printable"
	"net/url"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
)

// identity is what makes two findings the same asset.
type identity struct {
	kind     asset.Kind
	provider string // normalized provider: huggingface, pypi, npm, go, openai, local, ...
	group    string // HF org, npm scope, service provider
	name     string
	version  string
	// text tells apart prompts of one name with different texts (the first
	// 12 hex digits of their sha256); empty when the name is enough.
	text string
	key  string // lower-cased comparison key (kind|provider|group/name@version[#text])
}

var (
	commitRe  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	pep503Re  = regexp.MustCompile(`[-_.]+`)
	hfIDRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]*(/[A-Za-z0-9][A-Za-z0-9_.\-]*)?$`)
	hfPrefixs = []string{"https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf://", "hf.co/"}
)

// Pinned reports whether a revision names an immutable commit.
func Pinned(revision string) bool { return commitRe.MatchString(strings.ToLower(revision)) }

// floatingRevisions name the latest state of a repository: no pin at all.
var floatingRevisions = map[string]bool{"main": true, "master": true, "head": true, "latest": true}

func cleanRevision(v string) string {
	v = strings.TrimSpace(v)
	if floatingRevisions[strings.ToLower(v)] {
		return ""
	}
	if Pinned(v) {
		return strings.ToLower(v)
	}
	return v
}

// hfID splits a Hugging Face reference ("org/name", a hub URL, "org/name@rev")
// into org, name and revision. ok is false when it is not a plausible hub id.
func hfID(s string) (org, name, rev string, ok bool) {
	s = strings.TrimSpace(s)
	for _, p := range hfPrefixs {
		if strings.HasPrefix(strings.ToLower(s), p) {
			s = s[len(p):]
			break
		}
	}
	s = strings.TrimPrefix(s, "models/")
	s = strings.TrimPrefix(s, "datasets/")
	if i := strings.Index(s, "/tree/"); i > 0 { // hub URL of a revision
		rev = s[i+len("/tree/"):]
		s = s[:i]
	} else if i := strings.Index(s, "/resolve/"); i > 0 {
		rest := s[i+len("/resolve/"):]
		if j := strings.Index(rest, "/"); j > 0 {
			rest = rest[:j]
		}
		rev, s = rest, s[:i]
	}
	if i := strings.LastIndex(s, "@"); i > 0 {
		s, rev = s[:i], s[i+1:]
	}
	s = strings.Trim(s, "/")
	if !hfIDRe.MatchString(s) || strings.Contains(s, "..") {
		return "", "", "", false
	}
	if i := strings.Index(s, "/"); i > 0 {
		org, name = s[:i], s[i+1:]
	} else {
		name = s
	}
	return org, name, cleanRevision(rev), true
}

// normProvider maps the providers discovery reports to the ecosystems used in
// identities.
func normProvider(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "hf", "hugging-face", "hugging_face":
		return "huggingface"
	case "golang":
		return "go"
	}
	return p
}

// identify derives the identity of a finding. ok is false when the finding
// cannot be a component (no name, or a license file).
func identify(f asset.Sighting) (identity, bool) {
	id := identity{kind: f.Kind, provider: normProvider(f.Provider)}
	name := strings.TrimSpace(clean(f.Name))
	switch f.Kind {
	case asset.KindLicense:
		return id, false
	case asset.KindWeights:
		if u := remoteWeights(f); u != "" {
			// A weight file the code downloads is no file of the repository:
			// it is the model it holds, known by its URL.
			id.kind, id.provider, id.name = asset.KindModel, "url", u
			break
		}
		p := cleanPath(f.Path)
		if p == "" {
			p = cleanPath(name)
		}
		if p == "" {
			return id, false
		}
		id.provider = "local"
		id.name = p
	case asset.KindModel, asset.KindDataset:
		if name == "" {
			return id, false
		}
		if id.provider == "" || id.provider == "huggingface" {
			if org, n, rev, ok := hfID(name); ok && (org != "" || id.provider == "huggingface") {
				id.provider, id.group, id.name = "huggingface", org, n
				id.version = cleanRevision(f.Version)
				if id.version == "" {
					id.version = rev
				}
				break
			}
		}
		if id.provider == "" {
			id.provider = "local"
		}
		id.name = name
		id.version = cleanRevision(f.Version)
	case asset.KindFramework:
		if name == "" {
			return id, false
		}
		if id.provider == "" {
			id.provider = "pypi"
		}
		id.name = frameworkName(id.provider, name)
		id.version = strings.TrimSpace(clean(f.Version))
	case asset.KindService:
		if id.provider == "" && name == "" {
			return id, false
		}
		if id.provider == "" {
			id.provider = "unknown"
		}
		id.group = id.provider
		id.name = name
		id.version = strings.TrimSpace(clean(f.Version))
	default: // prompt, tool, agent and kinds added later
		if name == "" {
			name = cleanPath(f.Path)
		}
		if name == "" {
			return id, false
		}
		id.name = name
	}
	id.key = strings.ToLower(string(id.kind) + "|" + id.provider + "|" + id.group + "/" + id.name + "@" + id.version)
	return id, true
}

// remoteWeights returns the download URL of a weights sighting that names a
// file outside the repository (a checkpoint URL in code), or "".
func remoteWeights(f asset.Sighting) string {
	if f.Provider != "url" {
		return ""
	}
	for _, u := range []string{f.URL, f.Name} {
		if u = strings.TrimSpace(clean(u)); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
	}
	return ""
}

// frameworkName normalizes package names the way their registries compare them.
func frameworkName(provider, name string) string {
	switch provider {
	case "pypi":
		// PEP 503: case-insensitive, runs of -_. are equal.
		return pep503Re.ReplaceAllString(strings.ToLower(name), "-")
	case "npm":
		return strings.ToLower(name)
	}
	return name
}

// purlEscape escapes one PURL path segment.
func purlEscape(s string) string {
	return strings.NewReplacer("+", "%2B", "@", "%40").Replace(url.PathEscape(s))
}

func purlPath(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		parts[i] = purlEscape(parts[i])
	}
	return strings.Join(parts, "/")
}

func withVersion(p, v string) string {
	if v == "" {
		return p
	}
	return p + "@" + purlEscape(v)
}

// refs returns the PURL (may be empty) and the bom-ref of an identity.
func (id identity) refs(sha256 string) (purl, bomRef string) {
	switch id.kind {
	case asset.KindModel, asset.KindDataset:
		if id.provider == "huggingface" {
			p := id.name
			if id.group != "" {
				p = id.group + "/" + id.name
			}
			if id.kind == asset.KindDataset {
				// There is no PURL type for hub datasets; a readable ref keeps
				// them apart from models of the same name.
				return "", withVersion("dataset:huggingface/"+p, id.version)
			}
			purl = withVersion("pkg:huggingface/"+purlPath(p), id.version)
			return purl, purl
		}
		if id.kind == asset.KindDataset {
			return "", withVersion("dataset:"+id.provider+"/"+id.name, id.version)
		}
		purl = withVersion("pkg:generic/"+purlPath(id.provider+"/"+strings.Trim(id.name, "/")), id.version)
		return purl, purl
	case asset.KindWeights:
		base := "pkg:generic/" + purlPath(id.name)
		purl = base
		if sha256 != "" {
			purl += "?checksum=sha256:" + sha256
		}
		// The bom-ref leaves the checksum out so that a changed file keeps its
		// ref and a diff can report the hash drift instead of remove + add.
		return purl, base
	case asset.KindFramework:
		var p string
		switch id.provider {
		case "pypi":
			p = "pkg:pypi/" + purlEscape(id.name)
		case "npm":
			if strings.HasPrefix(id.name, "@") && strings.Contains(id.name, "/") {
				i := strings.Index(id.name, "/")
				p = "pkg:npm/" + purlEscape(id.name[:i]) + "/" + purlEscape(id.name[i+1:])
			} else {
				p = "pkg:npm/" + purlEscape(id.name)
			}
		case "go":
			p = "pkg:golang/" + purlPath(id.name)
		default:
			p = "pkg:generic/" + purlPath(id.provider+"/"+id.name)
		}
		purl = withVersion(p, purlVersion(id.version))
		return purl, purl
	case asset.KindService:
		ref := "service:" + id.provider
		if id.name != "" {
			ref += "/" + id.name
		}
		return "", ref
	}
	if id.text != "" {
		return "", string(id.kind) + ":" + id.name + "#" + id.text
	}
	return "", string(id.kind) + ":" + id.name
}

// purlVersion keeps exact versions only: a range (">=2.0") is no version.
func purlVersion(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "==")
	if v == "" || strings.ContainsAny(v, "<>=~^*, |!") {
		return ""
	}
	return v
}

// SourcePURL is the PURL of the scanned repository: pkg:github for GitHub,
// pkg:huggingface for hub repositories, pkg:generic otherwise (empty for a
// local directory without a URL).
func SourcePURL(s Source) string {
	u := strings.TrimSuffix(strings.TrimSpace(s.URL), ".git")
	commit := strings.ToLower(s.Commit)
	lower := strings.ToLower(u)
	for _, p := range []string{"https://github.com/", "http://github.com/", "git@github.com:", "ssh://git@github.com/"} {
		if strings.HasPrefix(lower, p) {
			parts := strings.Split(strings.Trim(u[len(p):], "/"), "/")
			if len(parts) >= 2 {
				return withVersion("pkg:github/"+purlEscape(strings.ToLower(parts[0]))+"/"+purlEscape(strings.ToLower(parts[1])), commit)
			}
		}
	}
	if s.Kind == "huggingface" || strings.Contains(lower, "huggingface.co/") {
		if org, name, _, ok := hfID(u); ok {
			p := name
			if org != "" {
				p = org + "/" + name
			}
			return withVersion("pkg:huggingface/"+purlPath(p), commit)
		}
	}
	if u == "" || s.Kind == "local" {
		return ""
	}
	name := s.Name
	if name == "" {
		name = u[strings.LastIndex(u, "/")+1:]
	}
	p := "pkg:generic/" + purlEscape(name)
	p = withVersion(p, commit)
	return p + "?vcs_url=" + url.QueryEscape("git+"+u)
}

// SourceRef is the bom-ref of the scanned repository (metadata.component).
func SourceRef(s Source) string {
	if p := SourcePURL(s); p != "" {
		if strings.HasPrefix(p, "pkg:huggingface/") {
			// A Hugging Face repository's own model has this PURL as its
			// bom-ref; the repository needs a ref of its own.
			return "repository:" + p
		}
		return p
	}
	name := s.Name
	if name == "" {
		name = "application"
	}
	return "application:" + clean(name)
}

// clean makes repository text safe to carry (see printable.Text).
func clean(s string) string { return printable.Text(s) }

// cleanPath normalizes a repository-relative path: forward slashes, no
// leading "./" or "/".
func cleanPath(p string) string {
	p = strings.ReplaceAll(clean(strings.TrimSpace(p)), "\\", "/")
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	return strings.TrimLeft(p, "/")
}
