package api

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestLineageColumns(t *testing.T) {
	data, err := os.ReadFile("../bom/testdata/fixture.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := buildLineage(data, map[string]string{"pkg:generic/legacy/classifier.pkl": "deny"})
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]string{}
	for _, n := range l.Nodes {
		for _, c := range l.Columns {
			if n.X == c.X {
				col[n.Ref] = c.Title
			}
		}
	}
	for ref, want := range map[string]string{
		"pkg:github/acme/ticket-triage@0123456789abcdef0123456789abcdef01234567": "Application",
		"pkg:huggingface/acme/demo-sentiment":                                    "Models",
		// demo-sentiment depends on distilbert: a base model.
		"pkg:huggingface/distilbert/distilbert-base-uncased": "Base models",
		"dataset:huggingface/stanfordnlp/sst2":               "Datasets and weights",
		"pkg:generic/models/sentiment/model.safetensors":     "Datasets and weights",
		"pkg:generic/legacy/classifier.pkl":                  "Datasets and weights", // the app loads it directly
		"pkg:pypi/transformers@4.44.2":                       "",                     // libraries are in the table, not the picture
		"prompt:SYSTEM_PROMPT":                               "",
		"pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct":   "Models",
		"pkg:huggingface/sentence-transformers/all-MiniLM-L6-v2@1c4513b2eedbda136f57676a34eea67aba266e5c": "Models",
	} {
		if col[ref] != want {
			t.Errorf("%s in column %q, want %q", ref, col[ref], want)
		}
	}
	// Edges run left to right between drawn nodes: app → 4 models (one of
	// them the base model) and the pickle it loads; demo-sentiment → its
	// base model, its dataset and its two weight files.
	if len(l.Edges) != 9 {
		t.Errorf("%d edges, want 9", len(l.Edges))
	}
	for _, n := range l.Nodes {
		if n.Ref == "pkg:generic/legacy/classifier.pkl" && !strings.Contains(n.Class, "v-deny") {
			t.Errorf("the denied pickle is not marked: %q", n.Class)
		}
	}
	for _, e := range l.Edges {
		if !strings.HasPrefix(e.Path, "M") || !strings.Contains(e.Path, " C") {
			t.Errorf("edge path %q", e.Path)
		}
	}
}

func TestLineageCountsWhatDoesNotFit(t *testing.T) {
	var comps, deps []string
	for i := range 30 {
		comps = append(comps, fmt.Sprintf(`{"bom-ref":"m%d","name":"model %d","properties":[{"name":"mlbom:asset.kind","value":"model"}]}`, i, i))
		deps = append(deps, fmt.Sprintf(`"m%d"`, i))
	}
	doc := `{"metadata":{"component":{"bom-ref":"app","name":"<app>"}},"components":[` + strings.Join(comps, ",") +
		`],"dependencies":[{"ref":"app","dependsOn":[` + strings.Join(deps, ",") + `]}]}`
	l, err := buildLineage([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	models := 0
	var more *lineageNode
	for i, n := range l.Nodes {
		if n.Kind == "model" {
			models++
		}
		if n.More {
			more = &l.Nodes[i]
		}
	}
	if models != lineageMaxPer-1 || more == nil || more.Short != "+17 more" {
		t.Errorf("%d model nodes, more box %+v", models, more)
	}
	if l.Columns[1].Count != 30 {
		t.Errorf("column count %d, want 30", l.Columns[1].Count)
	}
	if _, err := buildLineage([]byte(`{"components":`), nil); err == nil {
		t.Error("a broken BOM was laid out")
	}
}
