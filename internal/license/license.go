// Package license normalizes license declarations (SPDX ids and expressions,
// Hugging Face license identifiers, names written by hand, license texts) to
// SPDX. Anything it cannot identify with certainty stays NOASSERTION: a wrong
// license is worse than an unknown one, because policies trust it.
package license

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// NoAssertion is the SPDX value for "the license is not known".
const NoAssertion = "NOASSERTION"

// maxRaw bounds how much of the original text is kept for the record.
const maxRaw = 256

// License is a normalized license. Exactly one of these shapes:
//   - ID is an SPDX license id (Name and URL may describe it);
//   - Expression is a compound SPDX expression (AND/OR/WITH);
//   - ID is "LicenseRef-..." with Name and URL of the license;
//   - ID is NOASSERTION: unknown.
//
// Its fields mirror inventory.License, so inventory converts with a plain
// type conversion without this package importing inventory.
type License struct {
	ID         string `json:"id,omitempty"`
	Expression string `json:"expression,omitempty"`
	Name       string `json:"name,omitempty"`
	URL        string `json:"url,omitempty"`
	Raw        string `json:"raw,omitempty"` // as written in the source (bounded)
}

// Known reports whether the license was identified.
func (l License) Known() bool { return l.ID != NoAssertion && (l.ID != "" || l.Expression != "") }

// Key is the license as one SPDX expression string: the id, the expression or
// the LicenseRef. Equal keys mean the same license.
func (l License) Key() string {
	if l.Expression != "" {
		return l.Expression
	}
	return l.ID
}

// IsRef reports whether the license is a LicenseRef (no SPDX id exists).
func (l License) IsRef() bool { return licenseRefRe.MatchString(l.ID) }

func unknown(raw string) License { return License{ID: NoAssertion, Raw: raw} }

// Normalize turns one license declaration into a License. It accepts SPDX ids
// in any case, SPDX expressions, Hugging Face identifiers, common names
// ("Apache License, Version 2.0"), comma- or semicolon-separated lists (all
// licenses apply: AND), YAML-style lists ("[mit, apache-2.0]") and full
// license texts. Everything else is NOASSERTION with the input kept in Raw.
func Normalize(raw string) License {
	clean := sanitize(raw)
	l := normalize(clean, true)
	l.Raw = bound(clean)
	return l
}

// NormalizeCard handles a Hugging Face card's license fields: `license`, and
// for `license: other` the `license_name` and `license_link` that name a
// custom license.
func NormalizeCard(license, name, link string) License {
	license, name, link = sanitize(license), sanitize(name), sanitize(link)
	key := strings.ToLower(license)
	if (key == "other" || key == "") && name != "" {
		// The name may itself be a known id ("llama3", "apache-2.0").
		if l := normalize(name, false); l.Known() {
			l.Raw = bound(license + ": " + name)
			if l.URL == "" {
				l.URL = link
			}
			return l
		}
		ref := refID(name)
		if ref == "" {
			return unknown(bound(license + ": " + name))
		}
		return License{ID: "LicenseRef-" + ref, Name: bound(name), URL: link, Raw: bound(license + ": " + name)}
	}
	l := Normalize(license)
	if l.URL == "" && l.Known() && link != "" && l.IsRef() {
		l.URL = link
	}
	return l
}

func normalize(s string, allowList bool) License {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\n\r") || len(s) > 200 {
		if l := IdentifyText(s); l.Known() {
			return l
		}
		return unknown("")
	}
	s = strings.Trim(s, "\"'`")
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if unknownWords[lower] {
		return unknown("")
	}
	if id, ok := hfSPDX[lower]; ok {
		return fromID(id)
	}
	if r, ok := hfRefs[lower]; ok {
		return License{ID: r.ref, Name: r.name, URL: r.url}
	}
	if l, ok := single(s); ok {
		return l
	}
	if strings.ContainsAny(s, " ()+") {
		if n, err := parseExpression(s); err == nil {
			if n.op == "" {
				return fromID(n.id)
			}
			return License{Expression: n.String()}
		}
	}
	// Names first: "Apache License, Version 2.0" has a comma but is no list.
	k := nameKey(s)
	if id, ok := aliases[k]; ok {
		return fromID(id)
	}
	if id, ok := load().byName[k]; ok {
		return fromID(id)
	}
	if allowList {
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			return list(strings.Trim(s, "[]"))
		}
		if strings.ContainsAny(s, ",;") {
			return list(s)
		}
	}
	return unknown("")
}

// single resolves a bare id: SPDX (any case, deprecated ids replaced) or a LicenseRef.
func single(s string) (License, bool) {
	if licenseRefRe.MatchString(s) {
		return License{ID: s}, true
	}
	if strings.ContainsAny(s, " ()") {
		return License{}, false
	}
	n, err := leaf(s)
	if err != nil {
		return License{}, false
	}
	if n.op != "" || strings.HasSuffix(n.id, "+") {
		return License{Expression: n.String()}, true
	}
	return fromID(n.id), true
}

func fromID(id string) License {
	if in, ok := Lookup(id); ok && !in.Exception {
		return License{ID: in.ID, Name: in.Name}
	}
	if strings.ContainsAny(id, " ") {
		if n, err := parseExpression(id); err == nil {
			return License{Expression: n.String()}
		}
	}
	return unknown("")
}

// list normalizes "a, b; c": every element must be identified, and all of
// them apply (AND). One unknown element makes the whole list unknown, because
// dropping it would under-report the obligations.
func list(s string) License {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	var keys []string
	var only License
	seen := map[string]bool{}
	for _, p := range parts {
		l := normalize(strings.TrimSpace(p), false)
		if !l.Known() {
			return unknown("")
		}
		if seen[l.Key()] {
			continue
		}
		seen[l.Key()] = true
		only = l
		k := l.Key()
		if l.Expression != "" && strings.Contains(strings.ToUpper(k), " OR ") {
			k = "(" + k + ")"
		}
		keys = append(keys, k)
	}
	switch len(keys) {
	case 0:
		return unknown("")
	case 1:
		return only
	}
	return License{Expression: strings.Join(keys, " AND ")}
}

var refUnsafe = regexp.MustCompile(`[^A-Za-z0-9.\-]+`)

// refID turns a license name into the idstring part of a LicenseRef.
func refID(name string) string {
	s := refUnsafe.ReplaceAllString(strings.TrimSpace(name), "-")
	s = strings.Trim(s, "-.")
	if len(s) > 64 {
		s = strings.Trim(s[:64], "-.")
	}
	return s
}

// sanitize makes repository text safe to carry: valid UTF-8, no NULs or
// other control characters except newlines and tabs.
func sanitize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func bound(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxRaw {
		return s
	}
	cut := maxRaw
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
