package discover

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// cardDetector reads model and dataset cards (README front matter and
// prose) and the Hugging Face JSON configs that describe a model.
type cardDetector struct{}

func (cardDetector) name() string { return "card" }
func (cardDetector) wants(f *file) bool {
	if isReadmeName(f.base) {
		return true
	}
	switch f.base {
	case "config.json", "tokenizer_config.json", "generation_config.json", "adapter_config.json", "chat_template.json":
		return true
	}
	return false
}

func (cardDetector) detect(f *file, out *sink) {
	switch f.base {
	case "config.json":
		hfConfig(f, out)
		return
	case "tokenizer_config.json", "generation_config.json", "chat_template.json":
		chatTemplate(f, out)
		return
	case "adapter_config.json":
		root, err := parseJSONTree(f.data)
		if err != nil {
			out.warn("%s: %v", f.path, err)
			return
		}
		if b := root.get("base_model_name_or_path"); b != nil && b.kind == nStr {
			if fd, ok := classify(f.fsys, f.dir, b.s, hintHF); ok {
				fd.Path, fd.Line, fd.Detector = f.path, b.line, "config.adapter_base_model"
				fd.Props = map[string]string{"relation": "base_model"}
				out.add(fd)
			}
		}
		return
	}
	readmeCard(f, out)
}

// ParseModelCard reads a README's YAML front matter and prose sections.
// It never fails on bad input: what could be read is returned with
// warnings; ok is false when there is no front matter at all.
func ParseModelCard(data []byte) (card *ModelCard, warnings []string, ok bool) {
	fm, fmLine, body, bodyLine, found := splitFrontMatter(data)
	if !found {
		return nil, nil, false
	}
	root, warns := parseFrontMatter(fm, fmLine)
	card, w2 := cardFromNode(root)
	warnings = append(warns, w2...)
	cardProse(card, body, bodyLine)
	return card, warnings, true
}

// splitFrontMatter returns the YAML between the leading "---" lines, the
// line it starts on, and the body after it.
func splitFrontMatter(data []byte) (fm []byte, fmLine int, body []byte, bodyLine int, ok bool) {
	d := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(d, []byte("---\n")) && !bytes.HasPrefix(d, []byte("---\r\n")) {
		return nil, 0, d, 1, false
	}
	nl := bytes.IndexByte(d, '\n')
	rest := d[nl+1:]
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		t := string(bytes.TrimRight(l, "\r \t"))
		if t == "---" || t == "..." {
			b := []byte{}
			if end >= 0 {
				b = rest[off+end+1:]
			}
			return rest[:off], 2, b, line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	// Unterminated: treat it all as front matter.
	return rest, 2, nil, line, true
}

// parseFrontMatter parses YAML; on failure it falls back to reading
// "key: value" lines so a broken card still yields its license.
func parseFrontMatter(fm []byte, firstLine int) (*node, []string) {
	var y yaml.Node
	err := yaml.Unmarshal(fm, &y)
	if err == nil {
		n := yamlTree(&y, 0)
		shiftLines(n, firstLine-1, 0)
		if n == nil || n.kind != nDict {
			if n == nil {
				return &node{kind: nDict}, nil
			}
			return &node{kind: nDict}, []string{"front matter is not a mapping"}
		}
		return n, nil
	}
	root := &node{kind: nDict, line: firstLine}
	for i, l := range strings.Split(string(fm), "\n") {
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '-' || l[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if v == "" || v[0] == '[' || v[0] == '{' {
			continue // a flow collection we cannot trust after a syntax error
		}
		root.keys = append(root.keys, strings.TrimSpace(k))
		root.keyLines = append(root.keyLines, firstLine+i)
		root.vals = append(root.vals, &node{kind: nStr, s: v, line: firstLine + i})
	}
	return root, []string{fmt.Sprintf("front matter is not valid YAML (%v); read key: value lines only", shortErr(err))}
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

func shiftLines(n *node, by, depth int) {
	if n == nil || depth > 100 {
		return
	}
	n.line += by
	for i := range n.keyLines {
		n.keyLines[i] += by
	}
	for _, v := range n.vals {
		shiftLines(v, by, depth+1)
	}
}

// strList reads a string or a list of strings, reporting other shapes.
func strList(n *node, key string, warns *[]string) []string {
	v := n.get(key)
	if v == nil {
		return nil
	}
	switch v.kind {
	case nStr:
		if v.s == "" {
			return nil
		}
		return []string{v.s}
	case nList:
		var out []string
		for _, it := range v.vals {
			if it.kind == nStr || it.kind == nOther && it.s != "" {
				out = append(out, it.s)
			} else {
				*warns = append(*warns, fmt.Sprintf("card %s: ignored a non-string entry", key))
			}
		}
		return out
	case nOther:
		if v.s != "" {
			return []string{v.s}
		}
	}
	*warns = append(*warns, fmt.Sprintf("card %s: expected a string or a list of strings", key))
	return nil
}

func strField(n *node, key string, warns *[]string) string {
	v := n.get(key)
	if v == nil {
		return ""
	}
	switch v.kind {
	case nStr, nOther:
		return v.s
	case nList:
		var parts []string
		for _, it := range v.vals {
			if it.kind == nStr {
				parts = append(parts, it.s)
			}
		}
		*warns = append(*warns, fmt.Sprintf("card %s: expected a string, got a list", key))
		return strings.Join(parts, " OR ")
	}
	*warns = append(*warns, fmt.Sprintf("card %s: expected a string", key))
	return ""
}

func cardFromNode(n *node) (*ModelCard, []string) {
	var w []string
	c := &ModelCard{}
	if n == nil {
		return c, nil
	}
	c.License = strField(n, "license", &w)
	if strings.ContainsAny(strings.TrimSpace(c.License), " \t") && !strings.Contains(c.License, " OR ") {
		w = append(w, fmt.Sprintf("card license %q is free text, not a license id", c.License))
	}
	c.LicenseName = strField(n, "license_name", &w)
	c.LicenseLink = strField(n, "license_link", &w)
	c.BaseModel = strList(n, "base_model", &w)
	c.Datasets = strList(n, "datasets", &w)
	c.Language = strList(n, "language", &w)
	c.PipelineTag = strField(n, "pipeline_tag", &w)
	c.LibraryName = strField(n, "library_name", &w)
	c.Tags = strList(n, "tags", &w)
	if g := n.get("gated"); g != nil && g.s != "" && g.s != "false" {
		c.Gated = true
	}
	if n.get("extra_gated_prompt") != nil || n.get("extra_gated_fields") != nil {
		c.Gated = true
	}
	if mi := n.get("model-index"); mi != nil {
		if mi.kind != nList {
			w = append(w, "card model-index: expected a list")
		}
		for _, m := range mi.vals {
			res := m.get("results")
			if res == nil || res.kind != nList {
				continue
			}
			for _, r := range res.vals {
				task := r.get("task").str("type")
				if task == "" {
					task = r.get("task").str("name")
				}
				ds := r.get("dataset").str("name")
				if ds == "" {
					ds = r.get("dataset").str("type")
				}
				ms := r.get("metrics")
				if ms == nil || ms.kind != nList {
					continue
				}
				for _, mm := range ms.vals {
					typ := mm.str("type")
					if typ == "" {
						typ = mm.str("name")
					}
					val := mm.get("value")
					if typ == "" || val == nil || val.kind == nDict || val.kind == nList {
						continue
					}
					c.Metrics = append(c.Metrics, Metric{Task: task, Dataset: ds, Type: typ, Value: val.s})
				}
			}
		}
	}
	return c, w
}

var reHeading = regexp.MustCompile(`^(#{1,6})\s+(.+?)\s*#*\s*$`)

// cardProse fills prose fields from the sections whose headings name them.
func cardProse(c *ModelCard, body []byte, _ int) {
	lines := strings.Split(string(body), "\n")
	type sec struct {
		field *string
		also  *string // "Intended uses & limitations" feeds both
		level int
		text  strings.Builder
	}
	var cur *sec
	flush := func() {
		if cur == nil {
			return
		}
		t := strings.TrimSpace(cur.text.String())
		if len(t) > 4000 {
			t = t[:4000]
		}
		for _, f := range []*string{cur.field, cur.also} {
			if f != nil && *f == "" {
				*f = t
			}
		}
	}
	inFence := false
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
		}
		if m := reHeading.FindStringSubmatch(l); m != nil && !inFence {
			level := len(m[1])
			if cur != nil && level > cur.level && cur.field != nil {
				// A subsection belongs to its parent topic.
				if f := proseField(c, m[2]); f == nil || f == cur.field {
					cur.text.WriteString(l + "\n")
					continue
				}
			}
			flush()
			cur = &sec{field: proseField(c, m[2]), level: level}
			if cur.field == &c.IntendedUse && strings.Contains(strings.ToLower(m[2]), "limitation") {
				cur.also = &c.Limitations
			}
			continue
		}
		if cur != nil {
			cur.text.WriteString(l + "\n")
		}
	}
	flush()
}

func proseField(c *ModelCard, heading string) *string {
	h := strings.ToLower(heading)
	switch {
	case strings.Contains(h, "intended use") || h == "uses" || h == "use" || strings.Contains(h, "direct use") || strings.Contains(h, "intended purpose"):
		return &c.IntendedUse
	case strings.Contains(h, "limitation") || strings.Contains(h, "bias") || strings.Contains(h, "risks"):
		return &c.Limitations
	case strings.Contains(h, "training data") || strings.Contains(h, "dataset"):
		return &c.TrainingData
	case strings.Contains(h, "ethic"):
		return &c.EthicalConsiderations
	case strings.Contains(h, "environmental") || strings.Contains(h, "carbon") || strings.Contains(h, "emissions"):
		return &c.Environmental
	case strings.Contains(h, "model description") || h == "description" || h == "summary" || h == "model summary" || h == "overview":
		return &c.Description
	}
	return nil
}

// Keys that only dataset cards carry.
var datasetCardKeys = []string{"dataset_info", "task_categories", "size_categories", "annotations_creators", "source_datasets", "configs", "pretty_name"}

func readmeCard(f *file, out *sink) {
	fm, fmLine, body, bodyLine, found := splitFrontMatter(f.data)
	if !found {
		return
	}
	root, warns := parseFrontMatter(fm, fmLine)
	for _, w := range warns {
		out.warn("%s: %s", f.path, w)
	}
	if root.get("sdk") != nil || root.get("app_file") != nil {
		// A Space: its card lists the models and datasets it uses.
		cardRefs(f, out, root, "models", KindModel, "card.space_models")
		cardRefs(f, out, root, "datasets", KindDataset, "card.space_datasets")
		return
	}
	isDataset := false
	for _, k := range datasetCardKeys {
		if root.get(k) != nil && k != "pretty_name" && k != "configs" {
			isDataset = true
		}
	}
	if strings.Contains("/"+strings.ToLower(f.dir)+"/", "/datasets/") || root.get("dataset_info") != nil {
		isDataset = true
	}
	modelish := false
	for _, k := range []string{"license", "base_model", "pipeline_tag", "library_name", "model-index", "datasets", "language", "tags", "model_name", "inference"} {
		if root.get(k) != nil {
			modelish = true
		}
	}
	if !isDataset && !modelish {
		return
	}
	card, w2 := cardFromNode(root)
	for _, w := range w2 {
		out.warn("%s: %s", f.path, w)
	}
	cardProse(card, body, bodyLine)
	lic := card.License
	if (lic == "other" || lic == "") && card.LicenseName != "" {
		lic = card.LicenseName
	}
	if isDataset {
		name := nonEmpty(strField(root, "pretty_name", new([]string)), f.dir)
		if f.dir != "." {
			name = f.dir
		}
		out.add(Finding{Kind: KindDataset, Name: name, Path: f.path, Detector: "card.dataset", Confidence: 0.9,
			License: lic, Card: card, Provider: "local"})
		f.s.mu.Lock()
		f.s.dirFact(f.dir).datasetCard = name
		f.s.mu.Unlock()
		return
	}
	cardName := ""
	if mi := root.get("model-index"); mi != nil && mi.kind == nList && len(mi.vals) > 0 {
		cardName = mi.vals[0].str("name")
	}
	if s := strField(root, "model_name", new([]string)); s != "" {
		cardName = s
	}
	out.add(Finding{Kind: KindModel, Name: "", Path: f.path, Detector: "card.front_matter", Confidence: 0.9,
		License: lic, Card: card, Provider: "local"})
	f.s.mu.Lock()
	f.s.dirFact(f.dir).cardName = cardName
	f.s.mu.Unlock()
	cardRefs(f, out, root, "base_model", KindModel, "card.base_model")
	cardRefs(f, out, root, "datasets", KindDataset, "card.datasets")
}

// cardRefs reports each id listed under key as a referenced model or
// dataset, at its own line.
func cardRefs(f *file, out *sink, root *node, key string, kind Kind, det string) {
	v := root.get(key)
	if v == nil {
		return
	}
	items := []*node{v}
	if v.kind == nList {
		items = v.vals
	}
	for _, it := range items {
		if it.kind != nStr || it.s == "" || strings.ContainsAny(it.s, " \t") {
			continue
		}
		prov := "huggingface"
		if !reHFID.MatchString(it.s) && !reBareModel.MatchString(it.s) {
			continue
		}
		fd := Finding{Kind: kind, Name: it.s, Path: f.path, Line: it.line, Detector: det, Confidence: 0.85, Provider: prov}
		if key == "base_model" {
			fd.Props = map[string]string{"relation": "base_model"}
		}
		out.add(fd)
	}
}

func hfConfig(f *file, out *sink) {
	root, err := parseJSONTree(f.data)
	if err != nil {
		out.warn("%s: %v", f.path, err)
		return
	}
	if root.kind != nDict {
		return
	}
	var w []string
	arch := strList(root, "architectures", &w)
	mt := root.str("model_type")
	if len(arch) == 0 && mt == "" {
		return
	}
	out.add(Finding{Kind: KindModel, Path: f.path, Detector: "config.json", Confidence: 0.85, Provider: "local",
		Card: &ModelCard{Architectures: arch, ModelType: mt}})
	if n := root.str("_name_or_path"); reHFID.MatchString(n) && !looksLikePath(n) {
		f.s.mu.Lock()
		f.s.dirFact(f.dir).modelName = n
		f.s.mu.Unlock()
	}
}

func chatTemplate(f *file, out *sink) {
	root, err := parseJSONTree(f.data)
	if err != nil {
		out.warn("%s: %v", f.path, err)
		return
	}
	ct := root.get("chat_template")
	if ct == nil {
		return
	}
	switch ct.kind {
	case nStr:
		out.add(promptFinding(f.path, ct.line, f.path, ct.s, "config.chat_template"))
	case nList:
		for _, it := range ct.vals {
			if t := it.get("template"); t != nil && t.kind == nStr {
				out.add(promptFinding(f.path, t.line, f.path+"#"+it.str("name"), t.s, "config.chat_template"))
			}
		}
	}
}

// configDetector runs the tree patterns over JSON, YAML and TOML files that
// no more specific detector owns.
type configDetector struct{}

func (configDetector) name() string { return "config" }
func (configDetector) wants(f *file) bool {
	switch f.ext {
	case ".json", ".jsonc", ".yaml", ".yml", ".toml":
	default:
		return false
	}
	switch f.base {
	case "config.json", "tokenizer_config.json", "generation_config.json", "adapter_config.json", "tokenizer.json",
		"vocab.json", "special_tokens_map.json", "package-lock.json", "composer.lock", "pnpm-lock.yaml",
		"chat_template.json", "preprocessor_config.json", "tsconfig.json", "cargo.lock", "poetry.lock":
		return false
	}
	return !strings.HasSuffix(f.base, ".lock")
}

func (configDetector) detect(f *file, out *sink) {
	switch f.ext {
	case ".json", ".jsonc":
		data := f.data
		if f.ext == ".jsonc" || path.Base(f.dir) == ".vscode" {
			data = stripJSONComments(data)
		}
		root, err := parseJSONTree(data)
		if err != nil {
			return // not every .json is JSON (templates, JSON lines)
		}
		detectConfigTree(f, out, root, true)
	case ".yaml", ".yml":
		docs, err := parseYAMLDocs(f.data)
		if err != nil && len(docs) == 0 {
			out.warn("%s: YAML: %s", f.path, shortErr(err))
			return
		}
		for _, d := range docs {
			detectConfigTree(f, out, d, false)
		}
	case ".toml":
		detectConfigTree(f, out, parseTOMLTree(f.data), false)
	}
}

// stripJSONComments blanks // and /* */ comments outside strings, keeping
// newlines so lines stay true.
func stripJSONComments(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	inStr := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && c == '/' && i+1 < len(out) && out[i+1] == '/':
			for i < len(out) && out[i] != '\n' {
				out[i] = ' '
				i++
			}
		case !inStr && c == '/' && i+1 < len(out) && out[i+1] == '*':
			for i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/') {
				if out[i] != '\n' {
					out[i] = ' '
				}
				i++
			}
			if i+1 < len(out) {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		}
	}
	return out
}
