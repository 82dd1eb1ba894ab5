package discover

import (
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

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

// IdentifyLicense names the license of a LICENSE file's text: an SPDX line
// when present, else the first rule whose phrases all occur.
func IdentifyLicense(text string) (id string, confidence float64, line int) {
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

type licenseDetector struct{}

func (licenseDetector) name() string       { return "license" }
func (licenseDetector) wants(f *file) bool { return isLicenseName(f.base) }

func (licenseDetector) detect(f *file, out *sink) {
	id, conf, line := IdentifyLicense(string(f.data))
	if id == "" {
		out.add(Finding{Kind: KindLicense, Name: "LicenseRef-unknown", License: "NOASSERTION", Path: f.path,
			Detector: "license.text", Confidence: 0.3})
		return
	}
	det := "license.text"
	if line > 0 {
		det = "license.spdx_line"
	}
	out.add(Finding{Kind: KindLicense, Name: id, License: id, Path: f.path, Line: line, Detector: det, Confidence: conf})
}

// promptFileDetector reads prompt template files: .prompt (Dotprompt),
// .prompty, and Jinja chat templates.
type promptFileDetector struct{}

func (promptFileDetector) name() string { return "prompt_file" }
func (promptFileDetector) wants(f *file) bool {
	switch f.ext {
	case ".prompt", ".prompty", ".jinja", ".jinja2", ".j2":
		return true
	}
	return false
}

var reChatJinja = regexp.MustCompile(`message\[['"]role['"]\]|message\.role|messages|add_generation_prompt|<\|im_start\|>|\[INST\]|<start_of_turn>|<\|start_header_id\|>`)

func (promptFileDetector) detect(f *file, out *sink) {
	text := string(f.data)
	det := "prompt.file"
	switch f.ext {
	case ".jinja", ".jinja2", ".j2":
		// Web page templates share the extension; chat templates talk about
		// messages and roles.
		inPrompts := strings.Contains("/"+strings.ToLower(f.dir)+"/", "/prompts/")
		if !reChatJinja.MatchString(text) && !inPrompts && !strings.Contains(f.base, "prompt") {
			return
		}
		det = "prompt.jinja"
	}
	fd := promptFinding(f.path, 0, f.path, text, det)
	if f.ext == ".prompt" || f.ext == ".prompty" {
		if fm, _, body, _, ok := splitFrontMatter(f.data); ok {
			var meta struct {
				Name  string `yaml:"name"`
				Model any    `yaml:"model"`
			}
			if err := yaml.Unmarshal(fm, &meta); err == nil {
				if meta.Name != "" {
					fd.Props["promptName"] = meta.Name
				}
				promptModel(f, out, meta.Model)
			} else {
				out.warn("%s: prompt front matter: %s", f.path, shortErr(err))
			}
			fd.Props["preview"] = preview(string(body))
		}
	}
	out.add(fd)
}

// promptModel reports the model a .prompt/.prompty file names: a string
// ("googleai/gemini-1.5-pro") or a prompty model.configuration block.
func promptModel(f *file, out *sink, m any) {
	var ids []string
	switch v := m.(type) {
	case string:
		ids = append(ids, v)
	case map[string]any:
		if c, ok := v["configuration"].(map[string]any); ok {
			for _, k := range []string{"name", "azure_deployment", "model"} {
				if s, ok := c[k].(string); ok && s != "" {
					ids = append(ids, s)
					break
				}
			}
		}
	}
	for _, id := range ids {
		if pre, rest, ok := strings.Cut(id, "/"); ok && (pre == "googleai" || pre == "vertexai" || pre == "openai" || pre == "anthropic") {
			id = rest
		}
		if fd, ok := classify(f.fsys, f.dir, id, hintAny); ok {
			fd.Path, fd.Line, fd.Detector = f.path, lineContaining(f.data, id), "prompt.model"
			out.add(fd)
		}
	}
}

func lineContaining(data []byte, s string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// dvcDetector reads DVC .dvc files: each tracked output is a dataset (or
// weights, by extension) with its md5 and size.
type dvcDetector struct{}

func (dvcDetector) name() string       { return "dvc" }
func (dvcDetector) wants(f *file) bool { return f.ext == ".dvc" }

func (dvcDetector) detect(f *file, out *sink) {
	docs, err := parseYAMLDocs(f.data)
	if err != nil || len(docs) == 0 {
		out.warn("%s: .dvc file does not parse", f.path)
		return
	}
	outs := docs[0].get("outs")
	if outs == nil || outs.kind != nList {
		return
	}
	for _, o := range outs.vals {
		p := o.get("path")
		if p == nil || p.kind != nStr {
			continue
		}
		target := path.Join(f.dir, p.s)
		fd := Finding{Kind: KindDataset, Name: target, Path: f.path, Line: p.line, Detector: "dvc.out",
			Confidence: 0.9, Provider: "dvc", Props: map[string]string{}}
		if _, ok := weightExt[strings.ToLower(path.Ext(p.s))]; ok {
			fd.Kind = KindWeights
			fd.Format = weightExt[strings.ToLower(path.Ext(p.s))]
		}
		if md5 := o.str("md5"); md5 != "" {
			fd.Props["md5"] = md5
		} else if v := o.get("md5"); v != nil && v.s != "" {
			fd.Props["md5"] = v.s
		}
		if sz := o.get("size"); sz != nil {
			var n int64
			for _, c := range sz.s {
				if c < '0' || c > '9' {
					n = 0
					break
				}
				n = n*10 + int64(c-'0')
			}
			fd.Size = n
		}
		if h := o.str("hash"); h != "" {
			fd.Props["hash"] = h
		}
		out.add(fd)
	}
}
