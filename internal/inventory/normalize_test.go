package inventory

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/modelscan"
)

const sha = "6b3a55e0261b0304143f805a24924d0c1c44524821305f31d9277843b8a10f4e"

func norm(fs ...asset.Sighting) *Inventory {
	return Normalize(Input{Result: &asset.Result{Sightings: fs}})
}

func byRef(inv *Inventory) map[string]Component {
	m := map[string]Component{}
	for _, c := range inv.Components {
		m[c.BOMRef] = c
	}
	return m
}

func TestOneComponentPerAsset(t *testing.T) {
	inv := norm(
		asset.Sighting{Kind: asset.KindModel, Name: "Org/Model", Path: "app/a.py", Line: 3, Detector: "python.from_pretrained", Confidence: 0.8, Provider: "huggingface"},
		asset.Sighting{Kind: asset.KindModel, Name: "org/model", Path: "app/b.py", Line: 7, Detector: "python.pipeline", Confidence: 0.7},
		asset.Sighting{Kind: asset.KindModel, Name: "https://huggingface.co/org/model", Path: "README.md", Line: 1, Detector: "markdown.link", Confidence: 0.5},
		asset.Sighting{Kind: asset.KindModel, Name: "org/model", Path: "models/m/README.md", Detector: "card.yaml", Confidence: 0.95, Card: &asset.ModelCard{License: "mit"}},
		asset.Sighting{Kind: asset.KindWeights, Name: "models/m/model.safetensors", Path: "./models/m/model.safetensors", Detector: "weights.magic", Confidence: 1, SHA256: strings.ToUpper(sha), Size: 10, Format: "safetensors", Model: "org/model"},
		// The same reference reported twice is one occurrence.
		asset.Sighting{Kind: asset.KindModel, Name: "org/model", Path: "app/b.py", Line: 7, Detector: "python.pipeline", Confidence: 0.7},
	)
	models := 0
	for _, c := range inv.Components {
		if c.Kind == asset.KindModel {
			models++
		}
	}
	if models != 1 || len(inv.Components) != 2 {
		t.Fatalf("want 1 model + 1 weights, got %+v", inv.Components)
	}
	m := byRef(inv)["pkg:huggingface/org/model"]
	if m.Name != "model" || m.Group != "org" || m.Supplier != "org" {
		t.Errorf("identity: %+v", m)
	}
	var locs []string
	for _, o := range m.Occurrences {
		locs = append(locs, o.Path+":"+itoa(o.Line))
	}
	want := "README.md:1 app/a.py:3 app/b.py:7 models/m/README.md:0 models/m/model.safetensors:0"
	if strings.Join(locs, " ") != want {
		t.Errorf("occurrences = %s, want %s", strings.Join(locs, " "), want)
	}
	if m.Confidence != 1 {
		t.Errorf("confidence = %v, want the highest (1)", m.Confidence)
	}
	if !reflect.DeepEqual(m.Weights, []string{"pkg:generic/models/m/model.safetensors"}) {
		t.Errorf("weights edge: %v", m.Weights)
	}
	if len(m.Licenses) != 1 || m.Licenses[0].ID != "MIT" {
		t.Errorf("licenses: %+v", m.Licenses)
	}
	w := byRef(inv)["pkg:generic/models/m/model.safetensors"]
	if w.PURL != "pkg:generic/models/m/model.safetensors?checksum=sha256:"+sha || w.SHA256 != sha {
		t.Errorf("weights purl: %s sha %s", w.PURL, w.SHA256)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestIdentities(t *testing.T) {
	tests := []struct {
		f        asset.Sighting
		wantRef  string
		wantPURL string
	}{
		{asset.Sighting{Kind: asset.KindModel, Name: "org/m", Version: "1C4513B2EEDBDA136F57676A34EEA67ABA266E5C", Provider: "huggingface"},
			"pkg:huggingface/org/m@1c4513b2eedbda136f57676a34eea67aba266e5c", "pkg:huggingface/org/m@1c4513b2eedbda136f57676a34eea67aba266e5c"},
		{asset.Sighting{Kind: asset.KindModel, Name: "org/m", Version: "main", Provider: "huggingface"}, "pkg:huggingface/org/m", "pkg:huggingface/org/m"},
		{asset.Sighting{Kind: asset.KindModel, Name: "org/m", Version: "v1.0"}, "pkg:huggingface/org/m@v1.0", "pkg:huggingface/org/m@v1.0"},
		{asset.Sighting{Kind: asset.KindModel, Name: "hf://org/m@abc"}, "pkg:huggingface/org/m@abc", "pkg:huggingface/org/m@abc"},
		{asset.Sighting{Kind: asset.KindModel, Name: "bert-base-uncased", Provider: "huggingface"}, "pkg:huggingface/bert-base-uncased", "pkg:huggingface/bert-base-uncased"},
		{asset.Sighting{Kind: asset.KindModel, Name: "llama3:8b", Provider: "ollama"}, "pkg:generic/ollama/llama3:8b", "pkg:generic/ollama/llama3:8b"},
		{asset.Sighting{Kind: asset.KindModel, Name: "models/sentiment"}, "pkg:generic/local/models/sentiment", "pkg:generic/local/models/sentiment"},
		{asset.Sighting{Kind: asset.KindDataset, Name: "stanfordnlp/sst2", Provider: "huggingface"}, "dataset:huggingface/stanfordnlp/sst2", ""},
		{asset.Sighting{Kind: asset.KindWeights, Path: "w/a b.bin"}, "pkg:generic/w/a%20b.bin", "pkg:generic/w/a%20b.bin"},
		{asset.Sighting{Kind: asset.KindWeights, Path: "w/x.gguf", SHA256: sha}, "pkg:generic/w/x.gguf", "pkg:generic/w/x.gguf?checksum=sha256:" + sha},
		{asset.Sighting{Kind: asset.KindFramework, Name: "Sentence_Transformers", Version: "==3.0.1", Provider: "pypi"}, "pkg:pypi/sentence-transformers@3.0.1", "pkg:pypi/sentence-transformers@3.0.1"},
		{asset.Sighting{Kind: asset.KindFramework, Name: "torch", Version: ">=2.1,<3"}, "pkg:pypi/torch", "pkg:pypi/torch"},
		{asset.Sighting{Kind: asset.KindFramework, Name: "@langchain/openai", Version: "0.2.1", Provider: "npm"}, "pkg:npm/%40langchain/openai@0.2.1", "pkg:npm/%40langchain/openai@0.2.1"},
		{asset.Sighting{Kind: asset.KindFramework, Name: "github.com/sashabaranov/go-openai", Version: "v1.43.0", Provider: "go"}, "pkg:golang/github.com/sashabaranov/go-openai@v1.43.0", "pkg:golang/github.com/sashabaranov/go-openai@v1.43.0"},
		{asset.Sighting{Kind: asset.KindService, Name: "gpt-4o", Provider: "openai"}, "service:openai/gpt-4o", ""},
		{asset.Sighting{Kind: asset.KindService, Provider: "anthropic"}, "service:anthropic", ""},
		{asset.Sighting{Kind: asset.KindPrompt, Name: "prompts/system.prompt", Path: "prompts/system.prompt"}, "prompt:prompts/system.prompt", ""},
		{asset.Sighting{Kind: asset.KindPrompt, Path: "p/x.txt"}, "prompt:p/x.txt", ""},
		{asset.Sighting{Kind: asset.KindTool, Name: "search"}, "tool:search", ""},
		{asset.Sighting{Kind: asset.KindAgent, Name: "planner"}, "agent:planner", ""},
	}
	for _, tt := range tests {
		if tt.f.Path == "" {
			tt.f.Path = "x.py"
		}
		inv := norm(tt.f)
		if len(inv.Components) != 1 {
			t.Errorf("%+v: %d components", tt.f, len(inv.Components))
			continue
		}
		c := inv.Components[0]
		if c.BOMRef != tt.wantRef || c.PURL != tt.wantPURL {
			t.Errorf("%s %q: ref %q purl %q, want %q %q", tt.f.Kind, tt.f.Name, c.BOMRef, c.PURL, tt.wantRef, tt.wantPURL)
		}
	}
}

func TestCardEdgesAndCompleteness(t *testing.T) {
	card := &asset.ModelCard{
		License: "other", LicenseName: "acme-research", LicenseLink: "https://acme.example/license",
		BaseModel: []string{"meta-llama/Llama-3.1-8B", "not a model id!"}, Datasets: []string{"org/data", "org/data"},
		Description: "d", IntendedUse: "u",
	}
	inv := norm(
		asset.Sighting{Kind: asset.KindModel, Name: "acme/ft", Path: "m/README.md", Detector: "card.yaml", Confidence: 0.9, Card: card},
		asset.Sighting{Kind: asset.KindDataset, Name: "org/data", Path: "train.py", Line: 4, Detector: "python.load_dataset", Confidence: 0.9},
	)
	m := byRef(inv)
	ft := m["pkg:huggingface/acme/ft"]
	if !reflect.DeepEqual(ft.BaseModels, []string{"pkg:huggingface/meta-llama/Llama-3.1-8B"}) {
		t.Errorf("base models: %v", ft.BaseModels)
	}
	if !reflect.DeepEqual(ft.Datasets, []string{"dataset:huggingface/org/data"}) {
		t.Errorf("datasets: %v", ft.Datasets)
	}
	base, ok := m["pkg:huggingface/meta-llama/Llama-3.1-8B"]
	if !ok || base.Occurrences[0].Path != "m/README.md" || base.Occurrences[0].Detector != "card.base_model" {
		t.Errorf("base model component: %+v", base)
	}
	// The dataset found in code and named by the card is one component.
	if ds := m["dataset:huggingface/org/data"]; len(ds.Occurrences) != 2 {
		t.Errorf("dataset occurrences: %+v", ds.Occurrences)
	}
	if len(ft.Licenses) != 1 || ft.Licenses[0].ID != "LicenseRef-acme-research" || ft.Licenses[0].URL != "https://acme.example/license" {
		t.Errorf("custom license: %+v", ft.Licenses)
	}
	// license, description, intended use, training data (datasets), base model: 5 of 8.
	if ft.Completeness != 5.0/8 || strings.Join(ft.CardMissing, ",") != "limitations,metrics,ethicalConsiderations" {
		t.Errorf("completeness %v missing %v", ft.Completeness, ft.CardMissing)
	}
	// A model without a card is 0 complete with everything missing.
	if base.Completeness != 0 || len(base.CardMissing) != len(CardFields) {
		t.Errorf("cardless model: %v %v", base.Completeness, base.CardMissing)
	}
	if !strings.Contains(strings.Join(inv.Warnings, "\n"), "not a model id!") {
		t.Errorf("bad base_model not reported: %v", inv.Warnings)
	}
}

func TestReportsAttachByPath(t *testing.T) {
	inv := Normalize(Input{
		Result: &asset.Result{Sightings: []asset.Sighting{
			{Kind: asset.KindWeights, Name: "a/model.bin", Path: "a/model.bin", Detector: "weights.magic", Confidence: 1, Format: "pytorch-zip"},
		}},
		Reports: []modelscan.Report{
			{File: "./a/model.bin", Status: modelscan.StatusSuspicious, SHA256: sha, Size: 99, Findings: []modelscan.Finding{
				{Rule: "b", Offset: 9}, {Rule: "a", Offset: 9}, {Rule: "z", Offset: 1},
			}},
			{File: "b/other.pkl", Status: modelscan.StatusMalicious, Format: "pickle"},
		},
	})
	m := byRef(inv)
	w := m["pkg:generic/a/model.bin"]
	if w.ScanReport == nil || w.ScanReport.Status != modelscan.StatusSuspicious {
		t.Fatalf("report not attached: %+v", w)
	}
	if w.SHA256 != sha || w.Size != 99 || w.PURL != "pkg:generic/a/model.bin?checksum=sha256:"+sha {
		t.Errorf("hash from report not used: %+v", w)
	}
	var rules []string
	for _, f := range w.ScanReport.Findings {
		rules = append(rules, f.Rule)
	}
	if strings.Join(rules, "") != "zab" {
		t.Errorf("findings not sorted by offset, rule: %v", rules)
	}
	if o, ok := m["pkg:generic/b/other.pkl"]; !ok || o.ScanReport == nil || o.Format != "pickle" {
		t.Errorf("scanned file without a finding should become a component: %+v", o)
	}
}

func TestSourceLicense(t *testing.T) {
	tests := []struct {
		given string
		files []asset.Sighting
		want  string
	}{
		{"", nil, ""},
		{"", []asset.Sighting{{Kind: asset.KindLicense, Path: "LICENSE", License: "MIT"}}, "MIT"},
		{"", []asset.Sighting{{Kind: asset.KindLicense, Path: "LICENSE", License: "Permission is hereby granted, free of charge, to any person obtaining a copy\nThe above copyright notice and this permission notice shall be included"}}, "MIT"},
		{"", []asset.Sighting{
			{Kind: asset.KindLicense, Path: "LICENSE-MIT", License: "MIT"},
			{Kind: asset.KindLicense, Path: "LICENSE-APACHE", License: "Apache-2.0"},
			{Kind: asset.KindLicense, Path: "vendor/x/LICENSE", License: "GPL-3.0"},
		}, "Apache-2.0 AND MIT"},
		{"", []asset.Sighting{{Kind: asset.KindLicense, Path: "sub/LICENSE", License: "bsd-3-clause"}}, "BSD-3-Clause"},
		{"", []asset.Sighting{{Kind: asset.KindLicense, Path: "LICENSE", License: "our own terms"}}, "NOASSERTION"},
		{"apache-2.0", []asset.Sighting{{Kind: asset.KindLicense, Path: "LICENSE", License: "MIT"}}, "Apache-2.0"},
	}
	for _, tt := range tests {
		inv := Normalize(Input{Source: Source{License: tt.given}, Result: &asset.Result{Sightings: tt.files}})
		if inv.Source.License != tt.want {
			t.Errorf("given %q files %v: license %q, want %q", tt.given, tt.files, inv.Source.License, tt.want)
		}
		if len(inv.Components) != 0 {
			t.Errorf("license files became components: %+v", inv.Components)
		}
	}
}

func TestFrameworkVersions(t *testing.T) {
	inv := norm(
		asset.Sighting{Kind: asset.KindFramework, Name: "torch", Version: "2.3.0", Path: "requirements.txt", Line: 1, Provider: "pypi"},
		asset.Sighting{Kind: asset.KindFramework, Name: "torch", Path: "a.py", Line: 1, Provider: "pypi"},
		// Two pinned versions: the import cannot be attributed to either.
		asset.Sighting{Kind: asset.KindFramework, Name: "numpy", Version: "1.26.4", Path: "requirements.txt", Line: 2},
		asset.Sighting{Kind: asset.KindFramework, Name: "numpy", Version: "2.0.0", Path: "tools/requirements.txt", Line: 1},
		asset.Sighting{Kind: asset.KindFramework, Name: "numpy", Path: "a.py", Line: 2},
	)
	m := byRef(inv)
	if len(m["pkg:pypi/torch@2.3.0"].Occurrences) != 2 {
		t.Errorf("torch import not merged: %v", refsOf(inv))
	}
	for _, r := range []string{"pkg:pypi/numpy@1.26.4", "pkg:pypi/numpy@2.0.0", "pkg:pypi/numpy"} {
		if _, ok := m[r]; !ok {
			t.Errorf("missing %s in %v", r, refsOf(inv))
		}
	}
}

func refsOf(inv *Inventory) []string {
	var out []string
	for _, c := range inv.Components {
		out = append(out, c.BOMRef)
	}
	return out
}

func TestOrderIndependent(t *testing.T) {
	fs := []asset.Sighting{
		{Kind: asset.KindModel, Name: "a/b", Path: "x.py", Line: 2, Detector: "d1", Confidence: 0.5, License: "mit"},
		{Kind: asset.KindModel, Name: "A/B", Path: "y.py", Line: 1, Detector: "d2", Confidence: 0.6, License: "apache-2.0"},
		{Kind: asset.KindModel, Name: "a/b", Path: "card/README.md", Detector: "card.yaml", Confidence: 0.9,
			Card: &asset.ModelCard{Datasets: []string{"o/d"}, BaseModel: []string{"o/base"}}},
		{Kind: asset.KindWeights, Path: "w.bin", Model: "a/b", Detector: "weights.magic"},
		{Kind: asset.KindService, Name: "gpt-4o", Provider: "openai", Path: "s.py", Line: 9},
	}
	first, _ := json.Marshal(norm(fs...))
	for i := 0; i < 10; i++ {
		// Rotate the order.
		fs = append(fs[1:], fs[0])
		got, _ := json.Marshal(norm(fs...))
		if string(got) != string(first) {
			t.Fatalf("inventory depends on finding order:\n%s\n%s", first, got)
		}
	}
}

func TestBadInput(t *testing.T) {
	inv := Normalize(Input{
		Source: Source{Name: "bad\xffname\x00"},
		Result: &asset.Result{Sightings: []asset.Sighting{
			{Kind: asset.KindModel, Name: "", Path: "a.py", Line: 1, Detector: "x"},
			{Kind: asset.KindPrompt, Name: "p\x00\xfe", Path: "p.txt", Confidence: math.NaN(), Line: -4},
			{Kind: asset.KindTool, Name: "t", Path: "t.py", Confidence: 7},
			{Kind: asset.KindModel, Name: "o/m", Path: "README.md", Card: &asset.ModelCard{
				License: "[mit, apache-2.0]", Description: "\xff\xfe broken", Metrics: []asset.Metric{{}, {Type: "acc", Value: "1"}},
			}},
		}},
	})
	for _, c := range inv.Components {
		b, _ := json.Marshal(c)
		if !utf8.Valid(b) || strings.ContainsRune(string(b), 0) {
			t.Errorf("component carries invalid text: %s", b)
		}
		if c.Confidence < 0 || c.Confidence > 1 {
			t.Errorf("confidence out of range: %+v", c)
		}
		for _, o := range c.Occurrences {
			if o.Line < 0 {
				t.Errorf("negative line: %+v", o)
			}
		}
	}
	if !utf8.ValidString(inv.Source.Name) {
		t.Error("source name not sanitized")
	}
	if len(inv.Warnings) == 0 {
		t.Error("finding without a name not reported")
	}
	m := byRef(inv)["pkg:huggingface/o/m"]
	if len(m.Licenses) != 1 || m.Licenses[0].Expression != "MIT AND Apache-2.0" {
		t.Errorf("list license from a card: %+v", m.Licenses)
	}
	if len(m.Card.Metrics) != 1 {
		t.Errorf("empty metric kept: %+v", m.Card.Metrics)
	}
	// Nil result is an empty inventory, not a panic.
	if inv := Normalize(Input{}); len(inv.Components) != 0 {
		t.Error("components from nothing")
	}
}

func TestSourcePURL(t *testing.T) {
	tests := []struct {
		s    Source
		purl string
		ref  string
	}{
		{Source{Kind: "git", URL: "https://github.com/Acme/Repo.git", Commit: "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}, "pkg:github/acme/repo@abcdef0123456789abcdef0123456789abcdef01", ""},
		{Source{Kind: "git", URL: "git@github.com:acme/repo.git"}, "pkg:github/acme/repo", ""},
		{Source{Kind: "huggingface", URL: "https://huggingface.co/org/model", Commit: "abc"}, "pkg:huggingface/org/model@abc", "repository:pkg:huggingface/org/model@abc"},
		{Source{Kind: "git", URL: "https://gitlab.com/g/p.git", Name: "p", Commit: "c1"}, "pkg:generic/p@c1?vcs_url=git%2Bhttps%3A%2F%2Fgitlab.com%2Fg%2Fp", ""},
		{Source{Kind: "local", URL: "/home/me/proj", Name: "proj"}, "", "application:proj"},
	}
	for _, tt := range tests {
		if got := SourcePURL(tt.s); got != tt.purl {
			t.Errorf("SourcePURL(%+v) = %q, want %q", tt.s, got, tt.purl)
		}
		want := tt.ref
		if want == "" {
			want = tt.purl
		}
		if got := SourceRef(tt.s); got != want {
			t.Errorf("SourceRef(%+v) = %q, want %q", tt.s, got, want)
		}
	}
}

func TestLocalModelLoadedByPathIsTheCardsModel(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	inv := Normalize(Input{Source: Source{Kind: "git", Name: "app"}, Result: &asset.Result{Sightings: []asset.Sighting{
		{Kind: asset.KindModel, Name: "models/sentiment", Path: "app/classify.py", Line: 13, Detector: "python.from_pretrained", Provider: "local"},
		{Kind: asset.KindModel, Name: "demo-sentiment", Path: "models/sentiment/README.md", Detector: "card.front_matter", Provider: "local", License: "apache-2.0"},
		{Kind: asset.KindWeights, Name: "models/sentiment/model.safetensors", Path: "models/sentiment/model.safetensors", Detector: "weights.magic", SHA256: sha, Model: "demo-sentiment"},
		// A path that holds no card stays its own model.
		{Kind: asset.KindModel, Name: "models/other", Path: "app/classify.py", Line: 20, Detector: "python.from_pretrained", Provider: "local"},
	}}})
	var models []Component
	for _, c := range inv.Components {
		if c.Kind == asset.KindModel {
			models = append(models, c)
		}
	}
	if len(models) != 2 {
		t.Fatalf("want the card's model and models/other, got %+v", models)
	}
	var m Component
	for _, c := range models {
		if c.Name == "demo-sentiment" {
			m = c
		}
	}
	if len(m.Occurrences) != 3 || m.Occurrences[0].Path != "app/classify.py" || m.Occurrences[0].Line != 13 || len(m.Weights) != 1 || len(m.Licenses) != 1 || m.Licenses[0].ID != "Apache-2.0" {
		t.Errorf("merged model: occurrences %v weights %v licenses %v", m.Occurrences, m.Weights, m.Licenses)
	}
}

// A component is out of scope only when every sighting is in test or
// example code; one sighting in shipped code puts it back in scope.
func TestScopeNeedsEverySighting(t *testing.T) {
	ex := func(p, reason string) asset.Sighting {
		return asset.Sighting{Kind: asset.KindModel, Name: "org/m", Provider: "huggingface", Path: p, Line: 1, Detector: "d",
			Props: map[string]string{"scope": "excluded", "scope.reason": reason}}
	}
	shipped := asset.Sighting{Kind: asset.KindModel, Name: "org/m", Provider: "huggingface", Path: "app.py", Line: 1, Detector: "d"}
	for _, tt := range []struct {
		name       string
		in         []asset.Sighting
		scope, why string
	}{
		{"shipped only", []asset.Sighting{shipped}, "", ""},
		{"tests only", []asset.Sighting{ex("tests/a.py", "test"), ex("tests/b.py", "test")}, "excluded", "test"},
		{"test and example", []asset.Sighting{ex("tests/a.py", "test"), ex("examples/b.py", "example")}, "excluded", "example"},
		{"example and shipped", []asset.Sighting{ex("examples/b.py", "example"), shipped}, "", ""},
		{"shipped first", []asset.Sighting{shipped, ex("examples/b.py", "example")}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := norm(tt.in...)
			if len(inv.Components) != 1 {
				t.Fatalf("%d components", len(inv.Components))
			}
			c := inv.Components[0]
			if c.Props["scope"] != tt.scope || c.Props["scope.reason"] != tt.why {
				t.Errorf("scope %q reason %q, want %q %q", c.Props["scope"], c.Props["scope.reason"], tt.scope, tt.why)
			}
		})
	}
}

// A model kept at the repository root is named after the repository, not ".".
func TestRootModelTakesRepositoryName(t *testing.T) {
	inv := Normalize(Input{Source: Source{Name: "bge-large-zh-v1.5"}, Result: &asset.Result{Sightings: []asset.Sighting{
		{Kind: asset.KindModel, Name: ".", Path: "README.md", Detector: "card.front_matter", Provider: "local", License: "mit"},
		{Kind: asset.KindWeights, Name: "model.safetensors", Path: "model.safetensors", Detector: "weights.lfs_pointer", Model: "."},
	}}})
	var model *Component
	for i, c := range inv.Components {
		if c.Kind == asset.KindModel {
			if model != nil {
				t.Fatalf("two models: %s and %s", model.Name, c.Name)
			}
			model = &inv.Components[i]
		}
	}
	if model == nil || model.Name != "bge-large-zh-v1.5" || len(model.Weights) != 1 {
		t.Fatalf("model %+v", model)
	}
}

// A checkpoint URL in code is the model it downloads, not a weight file
// named after the code that mentions it.
func TestRemoteWeightsAreModelsByURL(t *testing.T) {
	u := "https://example.org/ckpt/detr-r50.pth"
	inv := norm(
		asset.Sighting{Kind: asset.KindWeights, Name: u, URL: u, Provider: "url", Path: "hubconf.py", Line: 35, Detector: "python.url"},
		asset.Sighting{Kind: asset.KindWeights, Name: u, URL: u, Provider: "url", Path: "main.py", Line: 3, Detector: "python.url"},
		asset.Sighting{Kind: asset.KindWeights, Name: "data/onet.pt", Path: "data/onet.pt", Detector: "weights.magic"},
	)
	var got []string
	for _, c := range inv.Components {
		got = append(got, string(c.Kind)+" "+c.Provider+" "+c.Name)
	}
	want := []string{"model url " + u, "weights local data/onet.pt"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("components %q, want %q", got, want)
	}
}

// One prompt name with different texts (the same constant name in two
// modules, the unnamed prompts of one file) is one asset per text; the same
// text seen twice under one name is one asset.
func TestPromptsOfOneNameWithManyTexts(t *testing.T) {
	p := func(name, path string, line int, sum string) asset.Sighting {
		return asset.Sighting{Kind: asset.KindPrompt, Name: name, Path: path, Line: line, Detector: "python.prompt_constant",
			Props: map[string]string{"sha256": sum}}
	}
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	inv := norm(
		p("STARTER_PROMPT", "x/policies.py", 2, a),
		p("STARTER_PROMPT", "y/policies.py", 3, b),
		p("STARTER_PROMPT", "y/agents.py", 9, b),
		p("agents.py", "agents.py", 18, a),
		p("agents.py", "agents.py", 22, b),
		p("SYSTEM_PROMPT", "s.py", 1, a),
	)
	var refs []string
	for _, c := range inv.Components {
		refs = append(refs, c.BOMRef)
	}
	slices.Sort(refs)
	want := []string{"prompt:SYSTEM_PROMPT", "prompt:STARTER_PROMPT#aaaaaaaaaaaa", "prompt:STARTER_PROMPT#bbbbbbbbbbbb",
		"prompt:agents.py#aaaaaaaaaaaa", "prompt:agents.py#bbbbbbbbbbbb"}
	slices.Sort(want)
	if !slices.Equal(refs, want) {
		t.Errorf("bom-refs %q, want %q", refs, want)
	}
}
