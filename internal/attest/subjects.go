package attest

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/bom"
)

// Asset kinds whose files are attestation subjects.
var subjectKinds = map[string]bool{"weights": true, "dataset": true}

// BOMSubjects returns the files a BOM describes, as in-toto subjects: every
// weights or dataset component (nested ones too) with a SHA-256 hash, named
// by its repository-relative path (the first evidence occurrence, else the
// path in a pkg:generic bom-ref), sorted by name. Two components claiming one
// path with different digests make the BOM unusable as evidence: an error.
func BOMSubjects(bomJSON []byte) ([]Subject, error) {
	trimmed := bytes.TrimLeft(bomJSON, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: want CycloneDX JSON (export it with mlbom bom PROJECT --format json)", ErrNotBOM)
	}
	b, err := bom.Decode(trimmed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBOM, err)
	}
	if b.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("%w: bomFormat %q, want %q", ErrNotBOM, b.BOMFormat, cdx.BOMFormat)
	}
	by := map[string]string{}
	var walk func(cs *[]cdx.Component) error
	walk = func(cs *[]cdx.Component) error {
		if cs == nil {
			return nil
		}
		for i := range *cs {
			c := &(*cs)[i]
			if err := walk(c.Components); err != nil {
				return err
			}
			if !subjectKinds[property(c.Properties, bom.PropAssetKind)] {
				continue
			}
			sum := sha256Of(c.Hashes)
			name := filePath(c)
			if sum == "" || name == "" {
				continue
			}
			if prev, ok := by[name]; ok && prev != sum {
				return fmt.Errorf("%w: two components describe %s with different SHA-256 (%s, %s)", ErrNotBOM, name, short(prev), short(sum))
			}
			by[name] = sum
		}
		return nil
	}
	if err := walk(b.Components); err != nil {
		return nil, err
	}
	out := make([]Subject, 0, len(by))
	for name, sum := range by {
		out = append(out, Subject{Name: name, Digest: map[string]string{"sha256": sum}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func property(ps *[]cdx.Property, name string) string {
	if ps == nil {
		return ""
	}
	for _, p := range *ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func sha256Of(hs *[]cdx.Hash) string {
	if hs == nil {
		return ""
	}
	for _, h := range *hs {
		if h.Algorithm == cdx.HashAlgoSHA256 && isHex64(strings.ToLower(h.Value)) {
			return strings.ToLower(h.Value)
		}
	}
	return ""
}

// filePath is the repository-relative path of a file component.
func filePath(c *cdx.Component) string {
	if c.Evidence != nil && c.Evidence.Occurrences != nil {
		for _, o := range *c.Evidence.Occurrences {
			if p := cleanRel(o.Location); p != "" {
				return p
			}
		}
	}
	if rest, ok := strings.CutPrefix(c.BOMRef, "pkg:generic/"); ok {
		if i := strings.IndexAny(rest, "?#@"); i >= 0 {
			rest = rest[:i]
		}
		return cleanRel(rest)
	}
	return ""
}

// cleanRel normalizes a relative slash path; absolute paths, ".." escapes
// and URLs are not file locations and give "".
func cleanRel(p string) string {
	if p == "" || strings.Contains(p, "://") || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return ""
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return ""
	}
	return c
}
