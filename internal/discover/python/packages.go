package python

import (
	"cmp"

	"context"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/licenses"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// IsRequirementsName reports pip requirements and constraints files.
func IsRequirementsName(base string) bool {
	return strings.HasPrefix(base, "requirements") || strings.HasPrefix(base, "constraints")
}

// The ML/AI frameworks worth listing. Everything else a project depends on
// is left to software SBOM tools.
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

var reReq = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(\(?\s*((===|==|~=|>=|<=|!=|>|<|=)\s*[^;#\s,)]+(\s*,\s*(===|==|~=|>=|<=|!=|>|<)\s*[^;#\s,)]+)*)\s*\)?)?`)

// Requirement parses one PEP 508 requirement (or a conda spec) naming
// an ML framework.
func Requirement(s string) (asset.Sighting, bool) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'`))
	if s == "" || strings.HasPrefix(s, "-") || strings.Contains(s, "://") && !strings.Contains(s, "@") {
		return asset.Sighting{}, false
	}
	m := reReq.FindStringSubmatch(s)
	if m == nil {
		return asset.Sighting{}, false
	}
	name := normPyName(m[1])
	if name == "pytorch" {
		name = "torch"
	}
	if !isMLPyPI(name) {
		return asset.Sighting{}, false
	}
	fd := asset.Sighting{Kind: asset.KindFramework, Name: name, Provider: "pypi", Confidence: 0.95}
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

// Packages reads Python dependency manifests (requirements files,
// pyproject.toml, setup.cfg, Pipfile, conda environments) for the ML
// frameworks a project depends on.
type Packages struct{}

func (Packages) Name() string { return "python-packages" }

func (Packages) Wants(f *detect.File) bool {
	switch {
	case IsRequirementsName(f.Base) && (f.Ext == ".txt" || f.Ext == ".in"):
		return true
	}
	switch f.Base {
	case "pyproject.toml", "environment.yml", "environment.yaml", "conda.yml", "conda.yaml", "setup.cfg", "pipfile":
		return true
	}
	return false
}

func (Packages) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	add := func(fd asset.Sighting, line int, det string) {
		fd.Path, fd.Line, fd.Detector = f.Path, line, det
		out.Add(fd)
	}
	switch {
	case f.Base == "pyproject.toml":
		root := tree.ParseTOML(f.Data)
		for _, key := range [][]string{{"project", "dependencies"}, {"build-system", "requires"}} {
			if v := root.Get(key[0]).Get(key[1]); v != nil && v.Kind == tree.List {
				for _, it := range v.Vals {
					if fd, ok := Requirement(it.Text); ok && it.Kind == tree.String {
						add(fd, it.Line, "pyproject.dependencies")
					}
				}
			}
		}
		if od := root.Get("project").Get("optional-dependencies"); od != nil {
			for _, grp := range od.Vals {
				for _, it := range grp.Vals {
					if fd, ok := Requirement(it.Text); ok && it.Kind == tree.String {
						add(fd, it.Line, "pyproject.optional_dependencies")
					}
				}
			}
		}
		if dg := root.Get("dependency-groups"); dg != nil {
			for _, grp := range dg.Vals {
				for _, it := range grp.Vals {
					if fd, ok := Requirement(it.Text); ok && it.Kind == tree.String {
						add(fd, it.Line, "pyproject.dependency_groups")
					}
				}
			}
		}
		if l := root.Get("project").Get("license"); l != nil {
			// license = "MIT" (PEP 639) or license = { text = "MIT" }
			v := l
			if l.Kind == tree.Dict {
				v = l.Get("text")
			}
			if v != nil && v.Kind == tree.String {
				if fd, ok := licenses.Declared(f.Path, cmp.Or(v.Line, l.Line), v.Text, "license.pyproject"); ok {
					out.Add(fd)
				}
			}
		}
		poetry := root.Get("tool").Get("poetry")
		for _, sect := range []*tree.Node{poetry.Get("dependencies"), poetry.Get("dev-dependencies"), poetry.Get("group")} {
			poetryDeps(sect, add, 0)
		}
	case strings.HasPrefix(f.Base, "environment") || strings.HasPrefix(f.Base, "conda"):
		docs, err := tree.ParseYAML(f.Data)
		if err != nil || len(docs) == 0 {
			out.Warn("%s: environment YAML does not parse", f.Path)
			return
		}
		deps := docs[0].Get("dependencies")
		if deps == nil {
			return
		}
		for _, it := range deps.Vals {
			switch it.Kind {
			case tree.String:
				spec := it.Text
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
				if fd, ok := Requirement(spec); ok {
					fd.Props = detect.MergeProps(fd.Props, map[string]string{"channel": "conda"})
					add(fd, it.Line, "environment.yml")
				}
			case tree.Dict:
				if pip := it.Get("pip"); pip != nil {
					for _, p := range pip.Vals {
						if fd, ok := Requirement(p.Text); ok && p.Kind == tree.String {
							add(fd, p.Line, "environment.yml")
						}
					}
				}
			}
		}
	default: // requirements*.txt, setup.cfg, Pipfile
		for i, l := range strings.Split(string(f.Data), "\n") {
			if stop.Stop() {
				return
			}
			t := l
			if c := strings.Index(t, " #"); c >= 0 {
				t = t[:c]
			}
			t = strings.TrimSpace(t)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			if f.Base == "pipfile" {
				if k, v, ok := strings.Cut(t, "="); ok {
					v = strings.Trim(strings.TrimSpace(v), `"'`)
					if v == "*" {
						v = ""
					}
					t = strings.TrimSpace(k) + v
				}
			}
			if fd, ok := Requirement(t); ok {
				add(fd, i+1, "requirements")
			}
		}
	}
}

func poetryDeps(n *tree.Node, add func(asset.Sighting, int, string), depth int) {
	if n == nil || n.Kind != tree.Dict || depth > 3 {
		return
	}
	for i, k := range n.Keys {
		v := n.Vals[i]
		if v.Kind == tree.Dict && v.Get("dependencies") != nil {
			poetryDeps(v.Get("dependencies"), add, depth+1)
			continue
		}
		name := normPyName(k)
		if name == "python" || !isMLPyPI(name) {
			continue
		}
		fd := asset.Sighting{Kind: asset.KindFramework, Name: name, Provider: "pypi", Confidence: 0.95}
		spec := v.Text
		if v.Kind == tree.Dict {
			spec = v.Str("version")
		}
		if detect.ExactVersion(spec) {
			fd.Version = spec
		} else if spec != "" && spec != "*" {
			fd.Props = map[string]string{"constraint": spec}
		}
		add(fd, n.KeyLines[i], "pyproject.poetry")
	}
}
