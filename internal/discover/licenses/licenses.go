// Package licenses identifies the license of LICENSE, COPYING and similar
// files by their text.
package licenses

import (
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
)

// Name is the name the licenses detector registers under.
const Name = "license"

// IsLicenseName reports the base names license texts go by (LICENSE,
// LICENSE.md, COPYING, LICENSE-APACHE, LICENCE.txt).
func IsLicenseName(base string) bool {
	switch path.Ext(base) {
	case "", ".txt", ".md", ".rst", ".markdown", ".apache", ".mit", ".bsd", ".gpl", ".apache2":
	default:
		if !strings.HasPrefix(path.Ext(base), ".0") && !strings.HasPrefix(path.Ext(base), ".1") {
			return false
		}
	}
	for _, p := range []string{"license", "licence", "copying", "unlicense"} {
		if base == p || strings.HasPrefix(base, p+".") || strings.HasPrefix(base, p+"-") || strings.HasPrefix(base, p+"_") {
			return true
		}
	}
	return false
}

// License texts are recognised by phrases each one alone carries; the
// order puts the variants (AGPL, LGPL) before the family they contain.
var licenseRules = []struct {
	id   string
	all  []string // every phrase must occur (lower-cased, spaces collapsed)
	conf float64
}{
	{"LicenseRef-llama3", []string{"meta llama 3 community license"}, 0.95},
	{"LicenseRef-llama3.1", []string{"llama 3.1 community license"}, 0.95},
	{"LicenseRef-llama3.2", []string{"llama 3.2 community license"}, 0.95},
	{"LicenseRef-llama3.3", []string{"llama 3.3 community license"}, 0.95},
	{"LicenseRef-llama2", []string{"llama 2 community license"}, 0.95},
	{"CreativeML-OpenRAIL-M", []string{"creativeml open rail-m"}, 0.9},
	{"LicenseRef-OpenRAIL-M", []string{"openrail", "use-based restrictions"}, 0.85},
	{"LicenseRef-OpenRAIL", []string{"responsible ai license"}, 0.8},
	{"LicenseRef-Gemma", []string{"gemma terms of use"}, 0.9},
	{"AGPL-3.0", []string{"gnu affero general public license", "version 3"}, 0.9},
	{"LGPL-3.0", []string{"gnu lesser general public license", "version 3"}, 0.9},
	{"LGPL-2.1", []string{"gnu lesser general public license", "version 2.1"}, 0.9},
	{"LGPL-2.0", []string{"gnu library general public license", "version 2"}, 0.85},
	{"GPL-3.0", []string{"gnu general public license", "version 3, 29 june 2007"}, 0.9},
	{"GPL-2.0", []string{"gnu general public license", "version 2, june 1991"}, 0.9},
	{"MPL-2.0", []string{"mozilla public license", "version 2.0"}, 0.9},
	{"Apache-2.0", []string{"apache license", "version 2.0"}, 0.95},
	{"CC-BY-NC-SA-4.0", []string{"attribution-noncommercial-sharealike 4.0 international"}, 0.9},
	{"CC-BY-NC-4.0", []string{"attribution-noncommercial 4.0 international"}, 0.9},
	{"CC-BY-SA-4.0", []string{"attribution-sharealike 4.0 international"}, 0.9},
	{"CC-BY-4.0", []string{"attribution 4.0 international"}, 0.9},
	{"CC0-1.0", []string{"cc0 1.0 universal"}, 0.9},
	{"Unlicense", []string{"this is free and unencumbered software released into the public domain"}, 0.95},
	{"BSD-3-Clause", []string{"redistribution and use in source and binary forms", "neither the name"}, 0.85},
	{"BSD-2-Clause", []string{"redistribution and use in source and binary forms", "this list of conditions and the following disclaimer"}, 0.8},
	{"MIT", []string{"permission is hereby granted, free of charge", "the above copyright notice and this permission notice shall be included"}, 0.95},
	{"ISC", []string{"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee"}, 0.9},
	{"BSL-1.0", []string{"boost software license - version 1.0"}, 0.9},
}

var (
	reSPDX  = regexp.MustCompile(`SPDX-License-Identifier:\s*([A-Za-z0-9.+()\- ]+?)\s*(\*/|-->|$)`)
	reSpace = regexp.MustCompile(`\s+`)
)

// Identify names the license of a LICENSE file's text: an SPDX line
// when present, else the first rule whose phrases all occur.
func Identify(text string) (id string, confidence float64, line int) {
	for i, l := range strings.Split(text, "\n") {
		if m := reSPDX.FindStringSubmatch(l); m != nil {
			return strings.TrimSpace(m[1]), 0.99, i + 1
		}
		if i > 20 {
			break
		}
	}
	norm := reSpace.ReplaceAllString(strings.ToLower(text), " ")
	norm = strings.NewReplacer("“", `"`, "”", `"`, "’", "'").Replace(norm)
	for _, r := range licenseRules {
		ok := true
		for _, p := range r.all {
			if !strings.Contains(norm, p) {
				ok = false
				break
			}
		}
		if ok {
			return r.id, r.conf, 0
		}
	}
	return "", 0, 0
}

// Texts reports the license of each license file.
type Texts struct{}

func (Texts) Name() string { return Name }

func (Texts) Wants(f *detect.File) bool { return IsLicenseName(f.Base) }

func (Texts) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	text := string(f.Data)
	id, conf, line := Identify(text)
	if id == "" {
		if (f.Ext == ".md" || f.Ext == ".markdown") && len(strings.TrimSpace(text)) < 200 {
			return // a documentation stub that includes or links the license
		}
		out.Add(asset.Sighting{Kind: asset.KindLicense, Name: "LicenseRef-unknown", License: "NOASSERTION", Path: f.Path,
			Detector: "license.text", Confidence: 0.3})
		return
	}
	det := "license.text"
	if line > 0 {
		det = "license.spdx_line"
	}
	out.Add(asset.Sighting{Kind: asset.KindLicense, Name: id, License: id, Path: f.Path, Line: line, Detector: det, Confidence: conf})
	// A file may carry a second full license text (a project relicensing
	// from MIT to Apache-2.0 keeps both).
	lower := strings.ToLower(text)
	bundled := false
	for _, w := range []string{"third-party software", "third party software", "this product includes", "bundled", "bundles"} {
		bundled = bundled || strings.Contains(lower, w)
	}
	for _, o := range otherTexts {
		if o.id == id || bundled || strings.Count(text, o.marker) != 1 {
			continue // notices of bundled code list other licenses; they are not the project's
		}
		i := strings.Index(text, o.marker)
		if i < 0 || o.then != "" && !strings.Contains(text[i:min(len(text), i+200)], o.then) {
			continue
		}
		at := strings.Count(text[:i], "\n") + 1
		out.Add(asset.Sighting{Kind: asset.KindLicense, Name: o.id, License: o.id, Path: f.Path, Line: at, Detector: "license.text", Confidence: 0.8})
	}
}

// Openings of license texts that appear in full beside another one: the
// marker, and what must follow it closely.
var otherTexts = []struct{ id, marker, then string }{
	{"MIT", "Permission is hereby granted, free of charge, to any person obtaining a copy", ""},
	{"Apache-2.0", "Apache License", "Version 2.0, January 2004"},
}

// Declared reports a license that package metadata declares (pyproject's
// license, package.json's "license", Cargo.toml's license) at path:line;
// pointers without an id ("SEE LICENSE IN LICENSE", "UNLICENSED",
// "proprietary", a file reference) are not licenses.
func Declared(p string, line int, value, det string) (asset.Sighting, bool) {
	v := strings.TrimSpace(value)
	lv := strings.ToLower(v)
	if v == "" || len(v) > 120 || strings.HasPrefix(lv, "see ") || lv == "unlicensed" || lv == "proprietary" || lv == "unknown" ||
		strings.ContainsAny(v, "/\\") || strings.HasPrefix(lv, "file:") || strings.Contains(lv, "license.") {
		return asset.Sighting{}, false
	}
	return asset.Sighting{Kind: asset.KindLicense, Name: v, License: v, Path: p, Line: line, Detector: det, Confidence: 0.9}, true
}
