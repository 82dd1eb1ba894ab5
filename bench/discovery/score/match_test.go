package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

func loc(p string, line int) []location { return []location{{path: p, line: line}} }

func TestScore(t *testing.T) {
	type counts struct{ TP, FN, FP, Dup int }
	cases := []struct {
		name   string
		labels []Label
		preds  []Predicted
		want   map[string]counts
	}{
		{
			name:   "name match ignores case and hub prefixes",
			labels: []Label{{Kind: "model", Name: "BAAI/bge-large-zh-v1.5", At: []string{"a.py:1"}}},
			preds:  []Predicted{{Kind: "model", Names: []string{"https://huggingface.co/baai/bge-large-zh-v1.5"}}},
			want:   map[string]counts{"model": {TP: 1}},
		},
		{
			name:   "alias and group/name spellings match",
			labels: []Label{{Kind: "model", Name: "gpt2", Aliases: []string{"openai-community/gpt2"}, At: []string{"a.py:1"}}},
			preds:  []Predicted{{Kind: "model", Names: []string{"gpt2-community", "openai-community/gpt2"}}},
			want:   map[string]counts{"model": {TP: 1}},
		},
		{
			name:   "weights and models share the model category",
			labels: []Label{{Kind: "weights", Name: "data/onet.pt", At: []string{"m.py:3"}}},
			preds:  []Predicted{{Kind: "weights", Names: []string{"data/onet.pt"}}, {Kind: "model", Names: []string{"data"}}},
			want:   map[string]counts{"model": {TP: 1, FP: 1}},
		},
		{
			name:   "a second component of one identity is a duplicate, not a false positive",
			labels: []Label{{Kind: "dataset", Name: "coco", Aliases: []string{"coco_2017_train", "coco_2017_val"}, At: []string{"c.yaml:16"}}},
			preds:  []Predicted{{Kind: "dataset", Names: []string{"coco_2017_train"}}, {Kind: "dataset", Names: []string{"coco_2017_val"}}},
			want:   map[string]counts{"dataset": {TP: 1, Dup: 1}},
		},
		{
			name:   "categories do not cross",
			labels: []Label{{Kind: "mcp-tool", Name: "fetch", At: []string{"s.py:201"}}},
			preds:  []Predicted{{Kind: "tool", Names: []string{"fetch"}}},
			want:   map[string]counts{"mcp": {FN: 1}, "tool": {FP: 1}},
		},
		{
			name:   "tool and agent separators are equivalent",
			labels: []Label{{Kind: "agent", Name: "Triage Agent", At: []string{"a.py:1"}}},
			preds:  []Predicted{{Kind: "agent", Names: []string{"triage_agent"}}},
			want:   map[string]counts{"tool": {TP: 1}},
		},
		{
			name:   "anonymous prompt matches by location within the slack",
			labels: []Label{{Kind: "prompt", At: []string{"nb.ipynb:404"}}},
			preds:  []Predicted{{Kind: "prompt", Names: []string{"nb.ipynb"}, Occ: loc("nb.ipynb", 406)}},
			want:   map[string]counts{"prompt": {TP: 1}},
		},
		{
			name:   "too far is no match",
			labels: []Label{{Kind: "prompt", At: []string{"nb.ipynb:404"}}},
			preds:  []Predicted{{Kind: "prompt", Names: []string{"nb.ipynb"}, Occ: loc("nb.ipynb", 410)}},
			want:   map[string]counts{"prompt": {FN: 1, FP: 1}},
		},
		{
			name:   "locations do not match models",
			labels: []Label{{Kind: "model", Name: "gpt-5", At: []string{"c.yml:83"}}},
			preds:  []Predicted{{Kind: "model", Names: []string{"4o-mini"}, Occ: loc("c.yml", 82)}},
			want:   map[string]counts{"model": {FN: 1, FP: 1}},
		},
		{
			name:   "repeated prompt text reported per file: one hit, the rest duplicates",
			labels: []Label{{Kind: "prompt", At: []string{"types.py:17", "ex/a.py:7", "ex/b.py:12"}}},
			preds: []Predicted{
				{Kind: "prompt", Names: []string{"instructions"}, Occ: loc("types.py", 17)},
				{Kind: "prompt", Names: []string{"ex/a.py"}, Occ: loc("ex/a.py", 7)},
				{Kind: "prompt", Names: []string{"ex/b.py"}, Occ: loc("ex/b.py", 12)},
			},
			want: map[string]counts{"prompt": {TP: 1, Dup: 2}},
		},
		{
			name: "same constant name in two files: one merged component finds one of two",
			labels: []Label{
				{Kind: "prompt", Name: "STARTER_PROMPT", At: []string{"a/p.py:1"}},
				{Kind: "prompt", Name: "STARTER_PROMPT", At: []string{"b/p.py:3"}},
			},
			preds: []Predicted{{Kind: "prompt", Names: []string{"STARTER_PROMPT"}, Occ: []location{{"a/p.py", 1}, {"b/p.py", 3}}}},
			want:  map[string]counts{"prompt": {TP: 1, FN: 1}},
		},
		{
			name: "same constant name in two files, reported apart: both found",
			labels: []Label{
				{Kind: "prompt", Name: "STARTER_PROMPT", At: []string{"a/p.py:1"}},
				{Kind: "prompt", Name: "STARTER_PROMPT", At: []string{"b/p.py:3"}},
			},
			preds: []Predicted{
				{Kind: "prompt", Names: []string{"STARTER_PROMPT"}, Occ: loc("b/p.py", 3)},
				{Kind: "prompt", Names: []string{"STARTER_PROMPT"}, Occ: loc("a/p.py", 1)},
			},
			want: map[string]counts{"prompt": {TP: 2}},
		},
		{
			name:   "optional labels absorb matches and are never missed",
			labels: []Label{{Kind: "dataset", Name: "data/openwebtext", Optional: true, At: []string{"t.py:1"}}, {Kind: "dataset", Name: "x", Optional: true, At: []string{"t.py:2"}}},
			preds:  []Predicted{{Kind: "dataset", Names: []string{"data/openwebtext"}}},
			want:   map[string]counts{},
		},
		{
			name: "licenses match by SPDX id and directory",
			labels: []Label{
				{Kind: "license", Name: "MIT", Path: "LICENSE", At: []string{"LICENSE:1"}},
				{Kind: "license", Name: "MIT", Path: "src/git/LICENSE", At: []string{"src/git/LICENSE:1"}},
				{Kind: "license", Name: "Apache-2.0", Path: "README.md", At: []string{"README.md:2"}},
			},
			preds: []Predicted{
				{Kind: "license", Names: []string{licenseKey("mit", "pyproject.toml")}},
				{Kind: "license", Names: []string{licenseKey("MIT", "src/fetch/LICENSE")}},
				{Kind: "license", Names: []string{licenseKey("apache-2.0", "README.md")}},
			},
			want: map[string]counts{"license": {TP: 2, FN: 1, FP: 1}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Score(tc.labels, tc.preds)
			for _, c := range categories {
				g := got.ByCategory[c]
				w := tc.want[c]
				if (counts{g.TP, g.FN, g.FP, g.Dup}) != w {
					t.Errorf("%s: got TP=%d FN=%d FP=%d dup=%d, want %+v\nmisses %v\nfalse %v", c, g.TP, g.FN, g.FP, g.Dup, w, got.Misses, got.FalsePos)
				}
			}
		})
	}
}

func TestScoreScopeAndWeightLicense(t *testing.T) {
	labels := []Label{
		{Kind: "model", Name: "claude-3.7-sonnet", Scope: "test", At: []string{"m_test.go:1"}},
		{Kind: "model", Name: "gpt-4o", At: []string{"c.yml:4"}},
		{Kind: "weights", Name: "data/pnet.pt", License: "MIT", At: []string{"m.py:1"}},
	}
	preds := []Predicted{
		{Kind: "model", Names: []string{"claude-3.7-sonnet"}, Excluded: true},
		{Kind: "model", Names: []string{"gpt-4o"}, Excluded: true},
		{Kind: "weights", Names: []string{"data/pnet.pt"}, Licenses: []string{"MIT"}},
	}
	o := Score(labels, preds)
	m := o.ByCategory["model"]
	if m.ScopeChecked != 3 || m.ScopeOK != 2 || len(o.ScopeWrong) != 1 {
		t.Errorf("scope: checked %d ok %d wrong %v", m.ScopeChecked, m.ScopeOK, o.ScopeWrong)
	}
	if o.WeightLicenseChecked != 1 || o.WeightLicenseOK != 1 {
		t.Errorf("weight licenses: %d/%d %v", o.WeightLicenseOK, o.WeightLicenseChecked, o.WeightLicenseWrong)
	}
}

// TestLabelFiles keeps the committed labels well formed and consistent with
// the manifest (no clones needed).
func TestLabelFiles(t *testing.T) {
	m, err := readManifest(filepath.Join("..", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Repos) < 12 {
		t.Errorf("manifest has %d repositories, the benchmark needs at least 12", len(m.Repos))
	}
	files, _ := filepath.Glob(filepath.Join("..", "labels", "*.yaml"))
	var names []string
	for _, f := range files {
		lf, err := readLabels(f)
		if err != nil {
			t.Error(err)
			continue
		}
		name := filepath.Base(f)
		name = name[:len(name)-len(".yaml")]
		names = append(names, name)
		for _, r := range m.Repos {
			if r.Name == name && (r.Subdir != lf.Subdir || "https://github.com/"+lf.Repo != r.URL) {
				t.Errorf("%s: repo %q subdir %q disagree with the manifest (%s, %q)", f, lf.Repo, lf.Subdir, r.URL, r.Subdir)
			}
		}
	}
	var want []string
	for _, r := range m.Repos {
		want = append(want, r.Name)
	}
	sort.Strings(names)
	sort.Strings(want)
	if !reflect.DeepEqual(names, want) {
		t.Errorf("label files %v, manifest entries %v", names, want)
	}
}

func TestReadLabelsRejects(t *testing.T) {
	bad := map[string]string{
		"unknown kind":      "repo: a/b\nassets:\n  - {kind: widget, name: x, at: [a:1]}\n",
		"anonymous model":   "repo: a/b\nassets:\n  - {kind: model, at: [a:1]}\n",
		"license sans path": "repo: a/b\nassets:\n  - {kind: license, name: MIT, at: [LICENSE:1]}\n",
		"bad scope":         "repo: a/b\nassets:\n  - {kind: model, name: x, scope: docs, at: [a:1]}\n",
		"no evidence":       "repo: a/b\nassets:\n  - {kind: model, name: x}\n",
		"bad evidence":      "repo: a/b\nassets:\n  - {kind: model, name: x, at: [a.py]}\n",
		"unknown field":     "repo: a/b\nassets:\n  - {kind: model, name: x, at: [a:1], colour: red}\n",
	}
	dir := t.TempDir()
	for name, text := range bad {
		f := filepath.Join(dir, "x.yaml")
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readLabels(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
