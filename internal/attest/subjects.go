package attest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/mlbom/autopilot/internal/property"
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
	// Only the fields subjects come from are decoded: a full CycloneDX decode
	// costs ten times as much on a large BOM.
	var b struct {
		BOMFormat  string         `json:"bomFormat"`
		Components []subjectInput `json:"components"`
	}
	if err := json.Unmarshal(trimmed, &b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBOM, err)
	}
	if b.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("%w: bomFormat %q, want %q", ErrNotBOM, b.BOMFormat, cdx.BOMFormat)
	}
	by := map[string]string{}
	var walk func(cs []subjectInput) error
	walk = func(cs []subjectInput) error {
		for i := range cs {
			c := &cs[i]
			if err := walk(c.Components); err != nil {
				return err
			}
			if !subjectKinds[c.property(property.AssetKind)] {
				continue
			}
			sum := c.sha256()
			name := c.filePath()
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

// subjectInput is the part of a CycloneDX component subjects come from.
type subjectInput struct {
	BOMRef string `json:"bom-ref"`
	Hashes []struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	} `json:"hashes"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
	Evidence *struct {
		Occurrences []struct {
			Location string `json:"location"`
		} `json:"occurrences"`
	} `json:"evidence"`
	Components []subjectInput `json:"components"`
}

func (c *subjectInput) property(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func (c *subjectInput) sha256() string {
	for _, h := range c.Hashes {
		if h.Alg == string(cdx.HashAlgoSHA256) && isHex64(strings.ToLower(h.Content)) {
			return strings.ToLower(h.Content)
		}
	}
	return ""
}

// filePath is the repository-relative path of a file component: its first
// evidence occurrence, else the path in a pkg:generic bom-ref.
func (c *subjectInput) filePath() string {
	if c.Evidence != nil {
		for _, o := range c.Evidence.Occurrences {
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
