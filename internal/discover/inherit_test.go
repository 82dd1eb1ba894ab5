package discover

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/license"
)

// Weight files fall under their model card's license, or, uncarded, under
// the repository's, recorded as inherited; a config beside a card names the
// base model, not the directory's own model.
func TestWeightLicensesAndModels(t *testing.T) {
	mit := "Permission is hereby granted, free of charge, to any person obtaining a copy ... The above copyright notice and this permission notice shall be included in all copies"
	fsys := fstest.MapFS{
		"LICENSE":                {Data: []byte(mit)},
		"data/onet.pt":           {Data: []byte(lfsPtr)},
		"hf/README.md":           {Data: []byte("---\nlicense: cc-by-4.0\n---\n# A model\n")},
		"hf/config.json":         {Data: []byte("{\n  \"_name_or_path\": \"openai/whisper-small\",\n  \"architectures\": [\"WhisperForConditionalGeneration\"]\n}\n")},
		"hf/model.safetensors":   {Data: []byte(lfsPtr)},
		"hf/onnx/config.json":    {Data: []byte("{\"_name_or_path\": \"./config.json\", \"model_type\": \"whisper\"}")},
		"hf/onnx/encoder.onnx":   {Data: []byte(lfsPtr)},
		"ckpt/config.json":       {Data: []byte("{\"_name_or_path\": \"acme/base\", \"model_type\": \"bert\"}")},
		"ckpt/pytorch_model.bin": {Data: []byte(lfsPtr)},
	}
	res, err := Discover(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ lic, source, location, model string }
	wants := map[string]want{
		"data/onet.pt":           {"MIT", license.SourceRepository, "LICENSE", ""},
		"hf/model.safetensors":   {"cc-by-4.0", "", "hf/README.md", "hf"},
		"hf/onnx/encoder.onnx":   {"cc-by-4.0", "", "hf/README.md", "hf"},
		"ckpt/pytorch_model.bin": {"MIT", license.SourceRepository, "LICENSE", "acme/base"},
	}
	base := false
	for _, s := range res.Sightings {
		if s.Name == "openai/whisper-small" && s.Path == "hf/config.json" && s.Line == 2 {
			base = true
		}
		w, ok := wants[s.Path]
		if !ok || s.Kind != "weights" {
			continue
		}
		delete(wants, s.Path)
		got := want{s.License, s.Props[license.FindingSource], s.Props[license.FindingLocation], s.Model}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", s.Path, got, w)
		}
	}
	for p := range wants {
		t.Errorf("%s: no weights sighting", p)
	}
	if !base {
		t.Error("config _name_or_path not reported as a model at its line")
	}
}

// Prompt constants named in an agent's instructions through a star import
// are resolved after the walk.
func TestStarImportedPrompts(t *testing.T) {
	fsys := fstest.MapFS{
		"app/data/policies.py": {Data: []byte("CANCEL_POLICY = \"\"\"\n1. Confirm which flight the customer wants to cancel and ask for the reason.\n\"\"\"\n")},
		"app/agents.py":        {Data: []byte("from data.policies import *\nfrom swarm import Agent\ncancel = Agent(name=\"Cancel\", instructions=CANCEL_POLICY)\n")},
	}
	res, err := Discover(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Sightings {
		if s.Kind == "prompt" && s.Name == "CANCEL_POLICY" && s.Path == "app/agents.py" && s.Line == 3 {
			return
		}
	}
	t.Errorf("CANCEL_POLICY not reported at app/agents.py:3; got %+v", res.Sightings)
}

// A settings class's attributes are read from other modules
// (CONFIG.MODEL_NAME), with their environment defaults.
func TestSettingsClassAttributes(t *testing.T) {
	fsys := fstest.MapFS{
		"app/config.py":     {Data: []byte("import os\n\nclass CONFIG:\n    \"\"\"Settings.\"\"\"\n    MODEL_NAME = os.getenv(\"ASR_MODEL\", \"small\")\n\n    def other(self):\n        MODEL_NAME = \"tiny\"\n")},
		"app/engine/asr.py": {Data: []byte("import whisper\nfrom app.config import CONFIG\n\nclass ASR:\n    def load(self):\n        self.model = whisper.load_model(name=CONFIG.MODEL_NAME)\n")},
	}
	res, err := Discover(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Sightings {
		if s.Kind == "model" {
			got = append(got, s.Name+" "+s.Path)
		}
	}
	if len(got) != 1 || got[0] != "small app/engine/asr.py" {
		t.Errorf("models %q, want [small app/engine/asr.py]", got)
	}
}
