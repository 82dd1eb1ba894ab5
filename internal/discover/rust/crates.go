package rust

import (
	"context"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/licenses"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// The crates of ML/AI frameworks worth listing.
var mlCargo = map[string]bool{
	"candle-core": true, "candle-nn": true, "candle-transformers": true, "tch": true, "ort": true, "burn": true,
	"async-openai": true, "hf-hub": true, "tokenizers": true, "llama-cpp-2": true, "rust-bert": true,
	"ollama-rs": true, "rig-core": true, "tiktoken-rs": true, "linfa": true, "smartcore": true, "mistralrs": true,
}

// Crates reads Cargo.toml for the ML frameworks a crate depends on.
type Crates struct{}

func (Crates) Name() string { return "cargo-crates" }

func (Crates) Wants(f *detect.File) bool { return f.Base == "cargo.toml" }

func (Crates) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	add := func(fd asset.Sighting, line int, det string) {
		fd.Path, fd.Line, fd.Detector = f.Path, line, det
		out.Add(fd)
	}
	root := tree.ParseTOML(f.Data)
	if l := root.Get("package").Get("license"); l != nil && l.Kind == tree.String {
		if fd, ok := licenses.Declared(f.Path, l.Line, l.Text, "license.cargo"); ok {
			out.Add(fd)
		}
	}
	for _, sect := range []string{"dependencies", "dev-dependencies"} {
		deps := root.Get(sect)
		if deps == nil {
			continue
		}
		for i, k := range deps.Keys {
			if !mlCargo[k] {
				continue
			}
			fd := asset.Sighting{Kind: asset.KindFramework, Name: k, Provider: "cargo", Confidence: 0.95}
			v := deps.Vals[i]
			if v.Kind == tree.String {
				fd.Version = v.Text
			} else if s := v.Str("version"); s != "" {
				fd.Version = s
			}
			add(fd, deps.KeyLines[i], "cargo.toml")
		}
	}
}
