// Package ruby reads Ruby dependency manifests (Gemfile, *.gemspec) for the
// ML frameworks a project depends on. Ruby sources are not read yet: their
// detector belongs here.
package ruby

import (
	"context"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
)

// The gems of ML/AI frameworks and clients worth listing.
var mlGems = map[string]bool{
	"ruby-openai": true, "openai": true, "anthropic": true, "ruby-anthropic": true, "langchainrb": true,
	"mcp": true, "fast-mcp": true, "ruby_llm": true, "omniai": true, "ollama-ai": true, "gemini-ai": true,
	"cohere-ruby": true, "mistral-ai": true, "tiktoken_ruby": true, "tokenizers": true, "torch-rb": true,
	"onnxruntime": true, "informers": true, "transformers-rb": true, "rumale": true, "neighbor": true,
	"pgvector": true, "qdrant-ruby": true, "pinecone": true, "chroma-db": true, "weaviate-ruby": true,
}

// gem "name", "~> 1.2" (Gemfile) and spec.add_dependency "name", "1.2"
// (gemspec): the name and, when given, the first version requirement.
var reGem = regexp.MustCompile(`^\s*(?:gem|[\w.]+\.add_(?:runtime_|development_)?dependency)\s*\(?\s*["']([A-Za-z0-9_.-]+)["'](?:\s*,\s*["']([^"']+)["'])?`)

// Gems reads Gemfiles and gemspecs.
type Gems struct{}

func (Gems) Name() string { return "ruby-gems" }

func (Gems) Wants(f *detect.File) bool { return f.Base == "gemfile" || f.Ext == ".gemspec" }

func (Gems) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	det := "gemfile"
	if f.Ext == ".gemspec" {
		det = "gemspec"
	}
	for i, l := range strings.Split(string(f.Data), "\n") {
		if stop.Stop() {
			return
		}
		m := reGem.FindStringSubmatch(l)
		if m == nil || !mlGems[m[1]] {
			continue
		}
		fd := asset.Sighting{Kind: asset.KindFramework, Name: m[1], Provider: "rubygems", Confidence: 0.95,
			Path: f.Path, Line: i + 1, Detector: det}
		if v := strings.TrimSpace(m[2]); v != "" {
			if pin := strings.TrimSpace(strings.TrimPrefix(v, "=")); detect.ExactVersion(pin) {
				fd.Version = pin
			} else {
				fd.Props = map[string]string{"constraint": v}
			}
		}
		out.Add(fd)
	}
}
