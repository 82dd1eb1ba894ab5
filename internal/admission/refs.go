package admission

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/hub"
)

// Kinds of model reference.
const (
	RefProject = "project" // PROJECT or PROJECT@VERSION: an mlbom project
	RefHub     = "hub"     // hf://[datasets/|spaces/]ORG/NAME[@REVISION]: the scan of that Hub repository
	RefOCI     = "oci"     // [oci://]REGISTRY/REPO[:TAG]@sha256:DIGEST: a signed BOM listing that content
)

// ModelRef is one parsed ModelAnnotation entry.
type ModelRef struct {
	Kind    string
	Project string   // RefProject
	Version int      // RefProject; 0: the latest
	Hub     hub.Repo // RefHub
	OCI     OCIRef   // RefOCI
}

// OCIRef is an image-like reference to an OCI artifact.
type OCIRef struct {
	Name   string // registry/repository as written, e.g. ghcr.io/acme/sentiment
	Tag    string
	Digest string // lower-case hex SHA-256, without "sha256:"; empty for a tag only
}

var (
	ociName   = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$`)
	ociTag    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	sha256Hex = regexp.MustCompile(`^[a-f0-9]{64}$`)
)

// ParseModelRef reads one model reference. Hub references start with
// hf://; OCI references start with oci:// or carry a digest (@sha256:) or
// a tag in their last path segment (REGISTRY/REPO:TAG); anything else is
// an mlbom project, so a project whose name looks like an image reference
// must be named with its version (PROJECT@N).
func ParseModelRef(s string) (ModelRef, error) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "hf://"):
		r, err := hub.ParseSpec(s)
		if err != nil {
			return ModelRef{}, fmt.Errorf("%w: %v", errBadRef, err)
		}
		return ModelRef{Kind: RefHub, Hub: r}, nil
	case strings.HasPrefix(lower, "oci://"), strings.Contains(lower, "@sha256:"), looksTagged(s):
		o, err := parseOCI(s)
		if err != nil {
			return ModelRef{}, err
		}
		return ModelRef{Kind: RefOCI, OCI: o}, nil
	}
	project, version, err := ParseRef(s)
	if err != nil {
		return ModelRef{}, err
	}
	return ModelRef{Kind: RefProject, Project: project, Version: version}, nil
}

// looksTagged: REGISTRY/REPO:TAG, a colon after the last slash.
func looksTagged(s string) bool {
	i := strings.LastIndexByte(s, '/')
	return i > 0 && strings.Contains(s[i:], ":") && !strings.Contains(s, "://")
}

func parseOCI(s string) (OCIRef, error) {
	bad := func(why string) (OCIRef, error) {
		return OCIRef{}, fmt.Errorf("%w %q: %s; want [oci://]REGISTRY/REPO[:TAG]@sha256:DIGEST", errBadRef, s, why)
	}
	if len(s) > 512 {
		return bad("too long")
	}
	rest := s
	if len(rest) >= 6 && strings.EqualFold(rest[:6], "oci://") {
		rest = rest[6:]
	}
	var o OCIRef
	if name, digest, ok := strings.Cut(rest, "@"); ok {
		alg, hex, _ := strings.Cut(digest, ":")
		if alg != "sha256" || !sha256Hex.MatchString(hex) {
			return bad("the digest must be sha256: and 64 lower-case hex digits")
		}
		rest, o.Digest = name, hex
	}
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		rest, o.Tag = rest[:i], rest[i+1:]
		if !ociTag.MatchString(o.Tag) {
			return bad("bad tag")
		}
	}
	if !ociName.MatchString(rest) {
		return bad("bad repository name")
	}
	o.Name = rest
	return o, nil
}
