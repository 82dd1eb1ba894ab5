package javascript

import (
	"context"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/licenses"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// The npm packages of ML/AI frameworks worth listing.
var mlNPM = map[string]bool{
	"openai": true, "@anthropic-ai/sdk": true, "@google/generative-ai": true, "@google/genai": true,
	"@mistralai/mistralai": true, "cohere-ai": true, "ollama": true, "langchain": true, "llamaindex": true,
	"@xenova/transformers": true, "onnxruntime-node": true, "onnxruntime-web": true, "@tensorflow/tfjs": true,
	"@tensorflow/tfjs-node": true, "ai": true, "@modelcontextprotocol/sdk": true, "@openai/agents": true,
	"@pinecone-database/pinecone": true, "chromadb": true, "tiktoken": true, "js-tiktoken": true,
	"@vercel/ai": true, "@mlc-ai/web-llm": true, "node-llama-cpp": true, "@aws-sdk/client-bedrock-runtime": true,
}

var mlNPMPrefixes = []string{"@huggingface/", "@langchain/", "@ai-sdk/", "@tensorflow/", "@llamaindex/", "@mastra/"}

// isMLNPM reports an ML framework package, by name or by scope.
func isMLNPM(n string) bool {
	if mlNPM[n] {
		return true
	}
	for _, p := range mlNPMPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// Packages reads package.json for the ML frameworks a project depends on.
type Packages struct{}

func (Packages) Name() string { return "npm-packages" }

func (Packages) Wants(f *detect.File) bool { return f.Base == "package.json" }

func (Packages) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	add := func(fd asset.Sighting, line int, det string) {
		fd.Path, fd.Line, fd.Detector = f.Path, line, det
		out.Add(fd)
	}
	root, err := tree.ParseJSON(f.Data)
	if err != nil {
		out.Warn("%s: %v", f.Path, err)
		return
	}
	if l := root.Get("license"); l != nil && l.Kind == tree.String {
		if fd, ok := licenses.Declared(f.Path, l.Line, l.Text, "license.package_json"); ok {
			out.Add(fd)
		}
	}
	for _, sect := range []string{"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"} {
		deps := root.Get(sect)
		if deps == nil || deps.Kind != tree.Dict {
			continue
		}
		for i, k := range deps.Keys {
			if !isMLNPM(k) {
				continue
			}
			fd := asset.Sighting{Kind: asset.KindFramework, Name: k, Provider: "npm", Confidence: 0.95}
			if v := deps.Vals[i]; v.Kind == tree.String {
				if detect.ExactVersion(v.Text) {
					fd.Version = v.Text
				} else {
					fd.Props = map[string]string{"constraint": v.Text}
				}
			}
			add(fd, deps.KeyLines[i], "package.json")
		}
	}
}
