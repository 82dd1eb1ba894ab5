package license

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
)

// Provenance says how a component's license is known: where it was declared,
// or, when nothing is known, why. Evidence must not claim more than that: a
// Hub model whose license nobody asked the Hub for is "not looked up", not
// "nothing declared".
type Provenance struct {
	Source string `json:"source"` // SourceFile, SourceHub, SourceRepository or SourceUnknown
	// Location is the repository file (path or path:line) that declares the
	// license (SourceFile), or the repository's license file a component
	// inherits from (SourceRepository).
	Location string `json:"location,omitempty"`
	// Revision is the Hugging Face commit whose card declares the license
	// (SourceHub), or that was read and declares none (SourceUnknown with
	// ReasonNothingDeclared).
	Revision string `json:"revision,omitempty"`
	// Reason is why the license is unknown (SourceUnknown only).
	Reason string `json:"reason,omitempty"`
}

// Sources of truth of a license (the value of mlbom:license.source).
const (
	// SourceFile: declared in a file of the scanned repository (a model or
	// dataset card, a LICENSE file).
	SourceFile = "file"
	// SourceHub: declared on the Hugging Face Hub, in the card of the
	// repository at Revision.
	SourceHub = "hub"
	// SourceRepository: nothing declares the component's own license; it
	// ships in the scanned repository and inherits that repository's
	// license.
	SourceRepository = "repository"
	// SourceUnknown: no license is known; Reason says why.
	SourceUnknown = "unknown"
)

// Reasons a license is unknown (the value of mlbom:license.reason). Messages,
// summaries and notifications print them as they are, and policies key their
// treatment by them (policies/data.json, license.unknown_reasons).
const (
	// ReasonNotLookedUp: the license is declared somewhere mlbom did not ask
	// (Hub look-ups off with MLBOM_HF_RESOLVE=false or stopped by their time
	// budget; registries mlbom never queries).
	ReasonNotLookedUp = "not looked up"
	// ReasonHubUnreachable: the Hugging Face Hub was asked and did not answer.
	ReasonHubUnreachable = "Hub unreachable"
	// ReasonHubFailed: the Hub answered without the repository (missing,
	// private, gated without a token, or an error).
	ReasonHubFailed = "Hub lookup failed"
	// ReasonNothingDeclared: every place that could declare it was read and
	// none does.
	ReasonNothingDeclared = "nothing declared"
)

// Keys of asset.Sighting.Props by which whoever produced a finding says
// where its License comes from. Inventory reads them into Provenance and
// does not copy them into the BOM as detector details. A finding with a
// License and no FindingSource was declared in the file at its Path and Line.
const (
	// FindingSource is SourceHub or SourceRepository.
	FindingSource = "license.source"
	// FindingRevision is the Hub revision that was read: with a License it
	// declares it; without one, the Hub declares none.
	FindingRevision = "license.revision"
	// FindingReason is the reason a look-up left the license unknown
	// (ReasonHubUnreachable, ReasonHubFailed).
	FindingReason = "license.reason"
	// FindingLocation is path:line of the declaration when it is more
	// precise than the finding's own Path and Line (the `license:` line of a
	// card the finding is about as a whole), or, with SourceRepository, the
	// repository's license file the license is inherited from.
	FindingLocation = "license.location"
)

// IsFindingKey reports whether a finding property is one of the keys above.
func IsFindingKey(k string) bool {
	switch k {
	case FindingSource, FindingRevision, FindingReason, FindingLocation:
		return true
	}
	return false
}

// FileLocation is path, or path:line when the line is known.
func FileLocation(path string, line int) string {
	if line > 0 {
		return path + ":" + strconv.Itoa(line)
	}
	return path
}

// SortProvenance orders and dedupes provenances: by source, then location,
// then revision, then reason.
func SortProvenance(ps []Provenance) []Provenance {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Revision != b.Revision {
			return a.Revision < b.Revision
		}
		return a.Reason < b.Reason
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Describe is a short human account of a provenance: "declared in
// README.md:3", "declared on the Hugging Face Hub at 1a2b3c4", "inherited
// from the repository license (LICENSE)", "unknown: not looked up".
func (p Provenance) Describe() string {
	switch p.Source {
	case SourceFile:
		return "declared in " + p.Location
	case SourceHub:
		s := "declared on the Hugging Face Hub"
		if p.Revision != "" {
			s += " at " + short(p.Revision)
		}
		return s
	case SourceRepository:
		s := "inherited from the repository license"
		if p.Location != "" {
			s += " (" + p.Location + ")"
		}
		return s
	case SourceUnknown:
		s := "unknown: " + p.Reason
		if p.Reason == ReasonNothingDeclared && p.Revision != "" {
			s += " on the Hugging Face Hub at " + short(p.Revision)
		}
		return s
	}
	return p.Source
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// DeclarationLine is the 1-based line of the first license key in a
// manifest or card (`license:` in YAML front matter, `"license":` in JSON,
// `license =` in TOML; `license_name` too), or 0 when there is none. It lets
// evidence point at the line that declares a license when the finding is
// about a whole file.
func DeclarationLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		cur := data
		if end >= 0 {
			cur, data = data[:end], data[end+1:]
		} else {
			data = nil
		}
		if isLicenseKey(cur) {
			return line
		}
		line++
	}
	return 0
}

func isLicenseKey(l []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(l)))
	s = strings.TrimPrefix(s, "- ")
	s = strings.Trim(s, `"'`)
	for _, k := range []string{"license", "license_name", "licence"} {
		rest, ok := strings.CutPrefix(s, k)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, `"' `)
		if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "=") {
			return true
		}
	}
	return false
}
