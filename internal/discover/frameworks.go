package discover

import (
	"regexp"
	"strings"
)

// The ML/AI frameworks worth listing, per ecosystem. Everything else a
// project depends on is left to software SBOM tools.
var mlPyPI = map[string]bool{
	"torch": true, "pytorch": true, "torchvision": true, "torchaudio": true, "tensorflow": true, "tensorflow-cpu": true,
	"tensorflow-gpu": true, "tf-keras": true, "keras": true, "jax": true, "jaxlib": true, "flax": true, "optax": true,
	"transformers": true, "diffusers": true, "sentence-transformers": true, "tokenizers": true, "datasets": true,
	"huggingface-hub": true, "accelerate": true, "peft": true, "trl": true, "bitsandbytes": true, "safetensors": true,
	"timm": true, "openai": true, "anthropic": true, "google-generativeai": true, "google-genai": true,
	"google-cloud-aiplatform": true, "vertexai": true, "mistralai": true, "cohere": true, "litellm": true, "vllm": true,
	"onnx": true, "onnxruntime": true, "onnxruntime-gpu": true, "scikit-learn": true, "sklearn": true, "xgboost": true,
	"lightgbm": true, "catboost": true, "ollama": true, "llama-cpp-python": true, "ctransformers": true,
	"langgraph": true, "langsmith": true, "crewai": true, "crewai-tools": true, "autogen": true, "pyautogen": true,
	"autogen-agentchat": true, "ag2": true, "openai-agents": true, "smolagents": true, "haystack-ai": true,
	"farm-haystack": true, "dspy": true, "dspy-ai": true, "guidance": true, "instructor": true, "semantic-kernel": true,
	"mcp": true, "fastmcp": true, "pydantic-ai": true, "chromadb": true, "faiss-cpu": true, "faiss-gpu": true,
	"pinecone-client": true, "pinecone": true, "qdrant-client": true, "weaviate-client": true, "tiktoken": true,
	"sentencepiece": true, "spacy": true, "nltk": true, "gensim": true, "fasttext": true, "mlflow": true,
	"deepspeed": true, "lightning": true, "pytorch-lightning": true, "keras-nlp": true, "keras-hub": true,
	"tensorflow-hub": true, "coremltools": true, "openvino": true, "tflite-runtime": true, "mlx": true, "mlx-lm": true,
	"unsloth": true, "optimum": true, "auto-gptq": true, "autoawq": true, "xformers": true, "flash-attn": true,
	"text-generation": true, "gradio": false, "triton": false, "tensorrt": true, "paddlepaddle": true,
	"llama-index": true, "llama-index-core": true, "langchain": true,
}

// Prefix families: langchain-*, llama-index-*, and the like.
var mlPyPIPrefixes = []string{"langchain", "llama-index", "llama_index", "haystack-", "autogen-", "crewai-", "opentelemetry-instrumentation-openai"}

var mlNPM = map[string]bool{
	"openai": true, "@anthropic-ai/sdk": true, "@google/generative-ai": true, "@google/genai": true,
	"@mistralai/mistralai": true, "cohere-ai": true, "ollama": true, "langchain": true, "llamaindex": true,
	"@xenova/transformers": true, "onnxruntime-node": true, "onnxruntime-web": true, "@tensorflow/tfjs": true,
	"@tensorflow/tfjs-node": true, "ai": true, "@modelcontextprotocol/sdk": true, "@openai/agents": true,
	"@pinecone-database/pinecone": true, "chromadb": true, "tiktoken": true, "js-tiktoken": true,
	"@vercel/ai": true, "@mlc-ai/web-llm": true, "node-llama-cpp": true, "@aws-sdk/client-bedrock-runtime": true,
}

var mlNPMPrefixes = []string{"@huggingface/", "@langchain/", "@ai-sdk/", "@tensorflow/", "@llamaindex/", "@mastra/"}

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

var mlCargo = map[string]bool{
	"candle-core": true, "candle-nn": true, "candle-transformers": true, "tch": true, "ort": true, "burn": true,
	"async-openai": true, "hf-hub": true, "tokenizers": true, "llama-cpp-2": true, "rust-bert": true,
	"ollama-rs": true, "rig-core": true, "tiktoken-rs": true, "linfa": true, "smartcore": true, "mistralrs": true,
}

func normPyName(n string) string {
	n = strings.ToLower(n)
	n = strings.NewReplacer("_", "-", ".", "-").Replace(n)
	return n
}

func isMLPyPI(n string) bool {
	if v, ok := mlPyPI[n]; ok {
		return v
	}
	for _, p := range mlPyPIPrefixes {
		if strings.HasPrefix(n, strings.ReplaceAll(p, "_", "-")) {
			return true
		}
	}
	return false
}

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

var reReq = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(\(?\s*((===|==|~=|>=|<=|!=|>|<|=)\s*[^;#\s,)]+(\s*,\s*(===|==|~=|>=|<=|!=|>|<)\s*[^;#\s,)]+)*)\s*\)?)?`)

// pyRequirement parses one PEP 508 requirement (or a conda spec) naming
// an ML framework.
func pyRequirement(s string) (Finding, bool) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'`))
	if s == "" || strings.HasPrefix(s, "-") || strings.Contains(s, "://") && !strings.Contains(s, "@") {
		return Finding{}, false
	}
	m := reReq.FindStringSubmatch(s)
	if m == nil {
		return Finding{}, false
	}
	name := normPyName(m[1])
	if name == "pytorch" {
		name = "torch"
	}
	if !isMLPyPI(name) {
		return Finding{}, false
	}
	fd := Finding{Kind: KindFramework, Name: name, Provider: "pypi", Confidence: 0.95}
	spec := strings.ReplaceAll(strings.TrimSpace(m[4]), " ", "")
	if spec != "" {
		if v, ok := strings.CutPrefix(spec, "=="); ok && !strings.ContainsAny(v, ",*") {
			fd.Version = v
		} else if v, ok := strings.CutPrefix(spec, "==="); ok {
			fd.Version = v
		} else if v, ok := strings.CutPrefix(spec, "="); ok && !strings.ContainsAny(v, ",*<>=") {
			fd.Version = v // conda pins
		} else {
			fd.Props = map[string]string{"constraint": spec}
		}
	}
	return fd, true
}

// frameworkDetector reads dependency manifests.
type frameworkDetector struct{}

func (frameworkDetector) name() string { return "frameworks" }
func (frameworkDetector) wants(f *file) bool {
	switch {
	case isRequirementsName(f.base) && (f.ext == ".txt" || f.ext == ".in"):
		return true
	}
	switch f.base {
	case "pyproject.toml", "environment.yml", "environment.yaml", "conda.yml", "conda.yaml", "package.json", "go.mod", "cargo.toml", "setup.cfg", "pipfile":
		return true
	}
	return false
}

func (frameworkDetector) detect(f *file, out *sink) {
	add := func(fd Finding, line int, det string) {
		fd.Path, fd.Line, fd.Detector = f.path, line, det
		out.add(fd)
	}
	switch {
	case f.base == "pyproject.toml":
		root := parseTOMLTree(f.data)
		for _, key := range [][]string{{"project", "dependencies"}, {"build-system", "requires"}} {
			if v := root.get(key[0]).get(key[1]); v != nil && v.kind == nList {
				for _, it := range v.vals {
					if fd, ok := pyRequirement(it.s); ok && it.kind == nStr {
						add(fd, it.line, "pyproject.dependencies")
					}
				}
			}
		}
		if od := root.get("project").get("optional-dependencies"); od != nil {
			for _, grp := range od.vals {
				for _, it := range grp.vals {
					if fd, ok := pyRequirement(it.s); ok && it.kind == nStr {
						add(fd, it.line, "pyproject.optional_dependencies")
					}
				}
			}
		}
		if dg := root.get("dependency-groups"); dg != nil {
			for _, grp := range dg.vals {
				for _, it := range grp.vals {
					if fd, ok := pyRequirement(it.s); ok && it.kind == nStr {
						add(fd, it.line, "pyproject.dependency_groups")
					}
				}
			}
		}
		poetry := root.get("tool").get("poetry")
		for _, sect := range []*node{poetry.get("dependencies"), poetry.get("dev-dependencies"), poetry.get("group")} {
			poetryDeps(sect, add, 0)
		}
	case f.base == "package.json":
		root, err := parseJSONTree(f.data)
		if err != nil {
			out.warn("%s: %v", f.path, err)
			return
		}
		for _, sect := range []string{"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"} {
			deps := root.get(sect)
			if deps == nil || deps.kind != nDict {
				continue
			}
			for i, k := range deps.keys {
				if !isMLNPM(k) {
					continue
				}
				fd := Finding{Kind: KindFramework, Name: k, Provider: "npm", Confidence: 0.95}
				if v := deps.vals[i]; v.kind == nStr {
					if isExactSemver(v.s) {
						fd.Version = v.s
					} else {
						fd.Props = map[string]string{"constraint": v.s}
					}
				}
				add(fd, deps.keyLines[i], "package.json")
			}
		}
	case f.base == "go.mod":
		inReq := false
		for i, l := range strings.Split(string(f.data), "\n") {
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
				add(Finding{Kind: KindFramework, Name: fs[0], Version: fs[1], Provider: "go", Confidence: 0.95}, i+1, "go.mod")
			}
		}
	case f.base == "cargo.toml":
		root := parseTOMLTree(f.data)
		for _, sect := range []string{"dependencies", "dev-dependencies"} {
			deps := root.get(sect)
			if deps == nil {
				continue
			}
			for i, k := range deps.keys {
				if !mlCargo[k] {
					continue
				}
				fd := Finding{Kind: KindFramework, Name: k, Provider: "cargo", Confidence: 0.95}
				v := deps.vals[i]
				if v.kind == nStr {
					fd.Version = v.s
				} else if s := v.str("version"); s != "" {
					fd.Version = s
				}
				add(fd, deps.keyLines[i], "cargo.toml")
			}
		}
	case strings.HasPrefix(f.base, "environment") || strings.HasPrefix(f.base, "conda"):
		docs, err := parseYAMLDocs(f.data)
		if err != nil || len(docs) == 0 {
			out.warn("%s: environment YAML does not parse", f.path)
			return
		}
		deps := docs[0].get("dependencies")
		if deps == nil {
			return
		}
		for _, it := range deps.vals {
			switch it.kind {
			case nStr:
				spec := it.s
				if i := strings.Index(spec, "::"); i >= 0 {
					spec = spec[i+2:]
				}
				// conda: name=version=build
				if n, v, ok := strings.Cut(spec, "="); ok && !strings.HasPrefix(v, "=") && !strings.ContainsAny(n, "<>!~") {
					if b := strings.Index(v, "="); b >= 0 {
						v = v[:b]
					}
					spec = n + "==" + v
				}
				if fd, ok := pyRequirement(spec); ok {
					fd.Props = mergeProps(fd.Props, map[string]string{"channel": "conda"})
					add(fd, it.line, "environment.yml")
				}
			case nDict:
				if pip := it.get("pip"); pip != nil {
					for _, p := range pip.vals {
						if fd, ok := pyRequirement(p.s); ok && p.kind == nStr {
							add(fd, p.line, "environment.yml")
						}
					}
				}
			}
		}
	default: // requirements*.txt, setup.cfg, Pipfile
		for i, l := range strings.Split(string(f.data), "\n") {
			t := l
			if c := strings.Index(t, " #"); c >= 0 {
				t = t[:c]
			}
			t = strings.TrimSpace(t)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			if f.base == "pipfile" {
				if k, v, ok := strings.Cut(t, "="); ok {
					v = strings.Trim(strings.TrimSpace(v), `"'`)
					if v == "*" {
						v = ""
					}
					t = strings.TrimSpace(k) + v
				}
			}
			if fd, ok := pyRequirement(t); ok {
				add(fd, i+1, "requirements")
			}
		}
	}
}

func poetryDeps(n *node, add func(Finding, int, string), depth int) {
	if n == nil || n.kind != nDict || depth > 3 {
		return
	}
	for i, k := range n.keys {
		v := n.vals[i]
		if v.kind == nDict && v.get("dependencies") != nil {
			poetryDeps(v.get("dependencies"), add, depth+1)
			continue
		}
		name := normPyName(k)
		if name == "python" || !isMLPyPI(name) {
			continue
		}
		fd := Finding{Kind: KindFramework, Name: name, Provider: "pypi", Confidence: 0.95}
		spec := v.s
		if v.kind == nDict {
			spec = v.str("version")
		}
		if isExactSemver(spec) {
			fd.Version = spec
		} else if spec != "" && spec != "*" {
			fd.Props = map[string]string{"constraint": spec}
		}
		add(fd, n.keyLines[i], "pyproject.poetry")
	}
}

var reExactVer = regexp.MustCompile(`^v?[0-9]+(\.[0-9A-Za-z-]+)*(\+[0-9A-Za-z.-]+)?$`)

func isExactSemver(s string) bool { return reExactVer.MatchString(s) }
