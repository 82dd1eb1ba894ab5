// Package cards reads model and dataset cards (README front matter and
// prose) and the Hugging Face JSON configs that describe a model.
package cards

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/prompt"
	"github.com/mlbom/autopilot/internal/discover/refs"
	"github.com/mlbom/autopilot/internal/discover/tree"
	"gopkg.in/yaml.v3"
)

// Cards reads model, dataset and Space cards and the Hugging Face configs
// (config.json, adapter_config.json, chat templates) beside them.
type Cards struct{}

func (Cards) Name() string { return "card" }

func (Cards) Wants(f *detect.File) bool {
	if IsReadmeName(f.Base) {
		return true
	}
	switch f.Base {
	case "config.json", "tokenizer_config.json", "generation_config.json", "adapter_config.json", "chat_template.json":
		return true
	}
	return false
}

func (Cards) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	switch f.Base {
	case "config.json":
		hfConfig(f, out)
		return
	case "tokenizer_config.json", "generation_config.json", "chat_template.json":
		chatTemplate(f, out)
		return
	case "adapter_config.json":
		root, err := tree.ParseJSON(f.Data)
		if err != nil {
			out.Warn("%s: %v", f.Path, err)
			return
		}
		if b := root.Get("base_model_name_or_path"); b != nil && b.Kind == tree.String {
			if fd, ok := refs.Model(f.FS, f.Dir, b.Text, refs.HF); ok {
				fd.Path, fd.Line, fd.Detector = f.Path, b.Line, "config.adapter_base_model"
				fd.Props = map[string]string{"relation": "base_model"}
				out.Add(fd)
			}
		}
		return
	}
	readmeCard(f, out)
}

// Parse reads a README's YAML front matter and prose sections.
// It never fails on bad input: what could be read is returned with
// warnings; ok is false when there is no front matter at all.
func Parse(data []byte) (card *asset.ModelCard, warnings []string, ok bool) {
	fm, fmLine, body, bodyLine, found := tree.SplitFrontMatter(data)
	if !found {
		return nil, nil, false
	}
	root, warns := parseFrontMatter(fm, fmLine)
	card, w2 := cardFromNode(root)
	warnings = append(warns, w2...)
	cardProse(card, body, bodyLine)
	return card, warnings, true
}

// parseFrontMatter parses YAML; on failure it falls back to reading
// "key: value" lines so a broken card still yields its license.
func parseFrontMatter(fm []byte, firstLine int) (*tree.Node, []string) {
	var y yaml.Node
	err := yaml.Unmarshal(fm, &y)
	if err == nil {
		n := tree.FromYAML(&y, 0)
		shiftLines(n, firstLine-1, 0)
		if n == nil || n.Kind != tree.Dict {
			if n == nil {
				return &tree.Node{Kind: tree.Dict}, nil
			}
			return &tree.Node{Kind: tree.Dict}, []string{"front matter is not a mapping"}
		}
		return n, nil
	}
	root := &tree.Node{Kind: tree.Dict, Line: firstLine}
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
		root.Keys = append(root.Keys, strings.TrimSpace(k))
		root.KeyLines = append(root.KeyLines, firstLine+i)
		root.Vals = append(root.Vals, &tree.Node{Kind: tree.String, Text: v, Line: firstLine + i})
	}
	return root, []string{fmt.Sprintf("front matter is not valid YAML (%v); read key: value lines only", tree.ShortErr(err))}
}

func shiftLines(n *tree.Node, by, depth int) {
	if n == nil || depth > 100 {
		return
	}
	n.Line += by
	for i := range n.KeyLines {
		n.KeyLines[i] += by
	}
	for _, v := range n.Vals {
		shiftLines(v, by, depth+1)
	}
}

// strList reads a string or a list of strings, reporting other shapes.
func strList(n *tree.Node, key string, warns *[]string) []string {
	v := n.Get(key)
	if v == nil {
		return nil
	}
	switch v.Kind {
	case tree.String:
		if v.Text == "" {
			return nil
		}
		return []string{v.Text}
	case tree.List:
		var out []string
		for _, it := range v.Vals {
			if it.Kind == tree.String || it.Kind == tree.Other && it.Text != "" {
				out = append(out, it.Text)
			} else {
				*warns = append(*warns, fmt.Sprintf("card %s: ignored a non-string entry", key))
			}
		}
		return out
	case tree.Other:
		if v.Text != "" {
			return []string{v.Text}
		}
	}
	*warns = append(*warns, fmt.Sprintf("card %s: expected a string or a list of strings", key))
	return nil
}

func strField(n *tree.Node, key string, warns *[]string) string {
	v := n.Get(key)
	if v == nil {
		return ""
	}
	switch v.Kind {
	case tree.String, tree.Other:
		return v.Text
	case tree.List:
		var parts []string
		for _, it := range v.Vals {
			if it.Kind == tree.String {
				parts = append(parts, it.Text)
			}
		}
		*warns = append(*warns, fmt.Sprintf("card %s: expected a string, got a list", key))
		return strings.Join(parts, " OR ")
	}
	*warns = append(*warns, fmt.Sprintf("card %s: expected a string", key))
	return ""
}

func cardFromNode(n *tree.Node) (*asset.ModelCard, []string) {
	var w []string
	c := &asset.ModelCard{}
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
	if g := n.Get("gated"); g != nil && g.Text != "" && g.Text != "false" {
		c.Gated = true
	}
	if n.Get("extra_gated_prompt") != nil || n.Get("extra_gated_fields") != nil {
		c.Gated = true
	}
	if mi := n.Get("model-index"); mi != nil {
		if mi.Kind != tree.List {
			w = append(w, "card model-index: expected a list")
		}
		for _, m := range mi.Vals {
			res := m.Get("results")
			if res == nil || res.Kind != tree.List {
				continue
			}
			for _, r := range res.Vals {
				task := r.Get("task").Str("type")
				if task == "" {
					task = r.Get("task").Str("name")
				}
				ds := r.Get("dataset").Str("name")
				if ds == "" {
					ds = r.Get("dataset").Str("type")
				}
				ms := r.Get("metrics")
				if ms == nil || ms.Kind != tree.List {
					continue
				}
				for _, mm := range ms.Vals {
					typ := mm.Str("type")
					if typ == "" {
						typ = mm.Str("name")
					}
					val := mm.Get("value")
					if typ == "" || val == nil || val.Kind == tree.Dict || val.Kind == tree.List {
						continue
					}
					c.Metrics = append(c.Metrics, asset.Metric{Task: task, Dataset: ds, Type: typ, Value: val.Text})
				}
			}
		}
	}
	return c, w
}

var reHeading = regexp.MustCompile(`^(#{1,6})\s+(.+?)\s*#*\s*$`)

// cardProse fills prose fields from the sections whose headings name them.
func cardProse(c *asset.ModelCard, body []byte, _ int) {
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

func proseField(c *asset.ModelCard, heading string) *string {
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

func readmeCard(f *detect.File, out *detect.Report) {
	fm, fmLine, body, bodyLine, found := tree.SplitFrontMatter(f.Data)
	if !found {
		return
	}
	root, warns := parseFrontMatter(fm, fmLine)
	for _, w := range warns {
		out.Warn("%s: %s", f.Path, w)
	}
	if root.Get("sdk") != nil || root.Get("app_file") != nil {
		// A Space: its card lists the models and datasets it uses.
		cardRefs(f, out, root, "models", asset.KindModel, "card.space_models")
		cardRefs(f, out, root, "datasets", asset.KindDataset, "card.space_datasets")
		return
	}
	isDataset := false
	for _, k := range datasetCardKeys {
		if root.Get(k) != nil && k != "pretty_name" && k != "configs" {
			isDataset = true
		}
	}
	if strings.Contains("/"+strings.ToLower(f.Dir)+"/", "/datasets/") || root.Get("dataset_info") != nil {
		isDataset = true
	}
	modelish := false
	for _, k := range []string{"license", "base_model", "pipeline_tag", "library_name", "model-index", "datasets", "language", "tags", "model_name", "inference"} {
		if root.Get(k) != nil {
			modelish = true
		}
	}
	if !isDataset && !modelish {
		return
	}
	card, w2 := cardFromNode(root)
	for _, w := range w2 {
		out.Warn("%s: %s", f.Path, w)
	}
	cardProse(card, body, bodyLine)
	lic := card.License
	if (lic == "other" || lic == "") && card.LicenseName != "" {
		lic = card.LicenseName
	}
	if isDataset {
		name := cmp.Or(strField(root, "pretty_name", new([]string)), f.Dir)
		if f.Dir != "." {
			name = f.Dir
		}
		out.Add(asset.Sighting{Kind: asset.KindDataset, Name: name, Path: f.Path, Detector: "card.dataset", Confidence: 0.9,
			License: lic, Card: card, Provider: "local"})
		out.Dir(f.Dir, detect.DatasetCard, name)
		return
	}
	cardName := ""
	if mi := root.Get("model-index"); mi != nil && mi.Kind == tree.List && len(mi.Vals) > 0 {
		cardName = mi.Vals[0].Str("name")
	}
	if s := strField(root, "model_name", new([]string)); s != "" {
		cardName = s
	}
	out.Add(asset.Sighting{Kind: asset.KindModel, Name: "", Path: f.Path, Detector: "card.front_matter", Confidence: 0.9,
		License: lic, Card: card, Provider: "local"})
	out.Dir(f.Dir, detect.CardName, cardName)
	cardRefs(f, out, root, "base_model", asset.KindModel, "card.base_model")
	cardRefs(f, out, root, "datasets", asset.KindDataset, "card.datasets")
}

// cardRefs reports each id listed under key as a referenced model or
// dataset, at its own line.
func cardRefs(f *detect.File, out *detect.Report, root *tree.Node, key string, kind asset.Kind, det string) {
	v := root.Get(key)
	if v == nil {
		return
	}
	items := []*tree.Node{v}
	if v.Kind == tree.List {
		items = v.Vals
	}
	for _, it := range items {
		if it.Kind != tree.String || it.Text == "" || strings.ContainsAny(it.Text, " \t") {
			continue
		}
		prov := "huggingface"
		if !refs.IsHFID(it.Text) && !refs.IsBareModel(it.Text) {
			continue
		}
		fd := asset.Sighting{Kind: kind, Name: it.Text, Path: f.Path, Line: it.Line, Detector: det, Confidence: 0.85, Provider: prov}
		if key == "base_model" {
			fd.Props = map[string]string{"relation": "base_model"}
		}
		out.Add(fd)
	}
}

func hfConfig(f *detect.File, out *detect.Report) {
	root, err := tree.ParseJSON(f.Data)
	if err != nil {
		out.Warn("%s: %v", f.Path, err)
		return
	}
	if root.Kind != tree.Dict {
		return
	}
	var w []string
	arch := strList(root, "architectures", &w)
	mt := root.Str("model_type")
	if len(arch) == 0 && mt == "" {
		return
	}
	out.Add(asset.Sighting{Kind: asset.KindModel, Path: f.Path, Detector: "config.json", Confidence: 0.85, Provider: "local",
		Card: &asset.ModelCard{Architectures: arch, ModelType: mt}})
	out.Dir(f.Dir, detect.ModelConfig, "")
	if n := root.Str("_name_or_path"); refs.IsHFID(n) && !refs.LooksLikePath(n) {
		out.Dir(f.Dir, detect.ModelName, n)
		// The model the checkpoint was made from: the directory's own model
		// when nothing else names it, its base model when a card does.
		out.Add(asset.Sighting{Kind: asset.KindModel, Name: n, Path: f.Path, Line: root.Get("_name_or_path").Line,
			Detector: "config.name_or_path", Confidence: 0.8, Provider: "huggingface"})
	}
}

func chatTemplate(f *detect.File, out *detect.Report) {
	root, err := tree.ParseJSON(f.Data)
	if err != nil {
		out.Warn("%s: %v", f.Path, err)
		return
	}
	ct := root.Get("chat_template")
	if ct == nil {
		return
	}
	switch ct.Kind {
	case tree.String:
		out.Add(prompt.Sighting(f.Path, ct.Line, f.Path, ct.Text, "config.chat_template"))
	case tree.List:
		for _, it := range ct.Vals {
			if t := it.Get("template"); t != nil && t.Kind == tree.String {
				out.Add(prompt.Sighting(f.Path, t.Line, f.Path+"#"+it.Str("name"), t.Text, "config.chat_template"))
			}
		}
	}
}

// IsReadmeName reports the Markdown files that hold cards.
func IsReadmeName(base string) bool {
	return base == "readme.md" || base == "readme.markdown" || base == "modelcard.md" || base == "model_card.md" || base == "datacard.md" || base == "dataset_card.md"
}
