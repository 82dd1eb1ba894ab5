package golang

import (
	"context"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
)

// The Go modules of ML/AI frameworks worth listing.
var mlGo = map[string]bool{
	"github.com/sashabaranov/go-openai": true, "github.com/openai/openai-go": true,
	"github.com/anthropics/anthropic-sdk-go": true, "github.com/tmc/langchaingo": true,
	"github.com/ollama/ollama": true, "google.golang.org/genai": true, "github.com/google/generative-ai-go": true,
	"github.com/cohere-ai/cohere-go/v2": true, "github.com/mark3labs/mcp-go": true,
	"github.com/modelcontextprotocol/go-sdk": true, "github.com/yalue/onnxruntime_go": true,
	"gorgonia.org/gorgonia": true, "github.com/gomlx/gomlx": true, "github.com/nlpodyssey/spago": true,
	"github.com/firebase/genkit/go": true, "github.com/cloudwego/eino": true, "github.com/pkoukk/tiktoken-go": true,
	"github.com/openai/openai-go/v2": true, "github.com/openai/openai-go/v3": true,
}

// Module reads go.mod for the ML frameworks a module requires.
type Module struct{}

func (Module) Name() string { return "go-module" }

func (Module) Wants(f *detect.File) bool { return f.Base == "go.mod" }

func (Module) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	add := func(fd asset.Sighting, line int, det string) {
		fd.Path, fd.Line, fd.Detector = f.Path, line, det
		out.Add(fd)
	}
	inReq := false
	for i, l := range strings.Split(string(f.Data), "\n") {
		if stop.Stop() {
			return
		}
		t := strings.TrimSpace(l)
		if c := strings.Index(t, "//"); c >= 0 {
			t = strings.TrimSpace(t[:c])
		}
		switch {
		case strings.HasPrefix(t, "require ("):
			inReq = true
			continue
		case inReq && t == ")":
			inReq = false
			continue
		case strings.HasPrefix(t, "require "):
			t = strings.TrimPrefix(t, "require ")
		case !inReq:
			continue
		}
		fs := strings.Fields(t)
		if len(fs) >= 2 && mlGo[fs[0]] {
			add(asset.Sighting{Kind: asset.KindFramework, Name: fs[0], Version: fs[1], Provider: "go", Confidence: 0.95}, i+1, "go.mod")
		}
	}
}
