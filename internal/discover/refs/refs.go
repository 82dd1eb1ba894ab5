// Package refs reads a string found where a model is named (a call argument,
// a config key, a URL) as what it refers to: a hosted model id, a Hugging Face
// repository, an Ollama tag, a local path in the tree, or a download URL.
package refs

import (
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
)

// What a string in a model position names. hint narrows the reading:
// hintHF for from_pretrained-like calls (an HF id or a local path),
// hintOllama for ollama calls, hintAny for a generic model= argument or
// config key.
type Hint uint8

const (
	Any Hint = iota
	HF
	Ollama
	SentenceTransformers // sentence-transformers: bare names live under sentence-transformers/
	Whisper              // a Whisper loader: bare size names (base, large-v3, small.en) are checkpoints
)

var reWhisperSize = regexp.MustCompile(`^(tiny|base|small|medium|large|turbo)(\.en|-v[1-3])?(-turbo)?$|^distil-(small\.en|medium\.en|large-v[23])$`)

var (
	reHFID      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)
	reBareModel = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,95}$`)
	reOllamaTag = regexp.MustCompile(`^([a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*(:[A-Za-z0-9._-]+)?$`)
	reOpenAI    = regexp.MustCompile(`^(gpt-[0-9][\w.-]*|gpt-4o[\w.-]*|gpt-image-[\w.-]+|o[1-9](-[\w.-]+)?|chatgpt-[\w.-]+|text-embedding-[\w.-]+|text-davinci-\d+|davinci-\d+|babbage-\d+|dall-e-\d|whisper-1|tts-1(-hd)?|omni-moderation-[\w.-]+|text-moderation-[\w.-]+|computer-use-preview[\w.-]*|codex-[\w.-]+)$`)
	reAnthropic = regexp.MustCompile(`^claude-[\w.@-]+$`)
	reGoogle    = regexp.MustCompile(`^(models/)?(gemini-[\w.-]+|text-bison[\w@.-]*|chat-bison[\w@.-]*|text-embedding-00\d|text-multilingual-embedding-[\w.-]+|embedding-001|imagen-[\w.-]+|veo-[\w.-]+)$`)
	reMistral   = regexp.MustCompile(`^(mistral-(tiny|small|medium|large|embed|saba|ocr)[\w.-]*|open-mistral-[\w.-]+|open-mixtral-[\w.-]+|codestral-[\w.-]+|ministral-[\w.-]+|pixtral-[\w.-]+|magistral-[\w.-]+|devstral-[\w.-]+)$`)
	reCohere    = regexp.MustCompile(`^(command(-[\w.-]+)?|embed-(english|multilingual)-[\w.-]+|rerank-[\w.-]+|c4ai-aya-[\w.-]+)$`)
)

// Default API endpoints of hosted-model vendors.
var providerEndpoint = map[string]string{
	"openai":    "https://api.openai.com/v1",
	"anthropic": "https://api.anthropic.com",
	"google":    "https://generativelanguage.googleapis.com",
	"mistral":   "https://api.mistral.ai",
	"cohere":    "https://api.cohere.com",
}

// litellm-style "provider/model" prefixes.
var litellmPrefix = map[string]string{
	"openai": "openai", "azure": "openai", "anthropic": "anthropic", "gemini": "google",
	"vertex_ai": "google", "mistral": "mistral", "cohere": "cohere", "cohere_chat": "cohere",
	"bedrock": "bedrock", "groq": "groq", "together_ai": "together", "ollama": "ollama",
	"ollama_chat": "ollama", "huggingface": "huggingface", "deepseek": "deepseek", "xai": "xai",
}

// Hosted names the vendor of a hosted model id.
func Hosted(id string) (string, bool) {
	switch {
	case reOpenAI.MatchString(id):
		return "openai", true
	case reAnthropic.MatchString(id):
		return "anthropic", true
	case reGoogle.MatchString(id):
		return "google", true
	case reMistral.MatchString(id):
		return "mistral", true
	case reCohere.MatchString(id):
		return "cohere", true
	}
	return "", false
}

// Model turns a string found in a model position into a finding, or
// reports false when the string is not a model reference. The caller sets
// Path, Line and Detector.
func Model(fsys fs.FS, dir, val string, h Hint) (asset.Sighting, bool) {
	v := strings.TrimSpace(val)
	if v == "" || len(v) > 200 || strings.ContainsAny(v, " \t\n{}$<>\"'|,;") {
		return asset.Sighting{}, false
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return URL(v)
	}
	if rest, ok := strings.CutPrefix(v, "hf_hub:"); ok {
		v = rest
		h = HF
	} else if rest, ok := strings.CutPrefix(v, "hf-hub:"); ok {
		v = rest
		h = HF
	}
	if p, ok := LocalPath(fsys, dir, v); ok {
		return asset.Sighting{Kind: asset.KindModel, Name: p, Provider: "local", Confidence: 0.85}, true
	}
	if h == Whisper {
		if reWhisperSize.MatchString(v) {
			return asset.Sighting{Kind: asset.KindModel, Name: v, Provider: "openai-whisper", Confidence: 0.85}, true
		}
		h = HF // faster-whisper also loads Hub ids and local directories
	}
	if h == Ollama {
		if reOllamaTag.MatchString(v) {
			return asset.Sighting{Kind: asset.KindModel, Name: v, Provider: "ollama", Confidence: 0.9,
				URL: "http://localhost:11434"}, true
		}
		return asset.Sighting{}, false
	}
	if prov, ok := Hosted(v); ok && h != HF {
		return asset.Sighting{Kind: asset.KindService, Name: v, Provider: prov, Confidence: 0.9, URL: providerEndpoint[prov]}, true
	}
	if pre, rest, ok := strings.Cut(v, "/"); ok && h == Any {
		if prov, ok := litellmPrefix[pre]; ok && rest != "" {
			f := asset.Sighting{Kind: asset.KindService, Name: rest, Provider: prov, Confidence: 0.85, URL: providerEndpoint[prov],
				Props: map[string]string{"client": "litellm", "route": v}}
			if prov == "ollama" {
				f.Kind = asset.KindModel
				f.URL = "http://localhost:11434"
			}
			if prov == "huggingface" {
				f.Kind = asset.KindModel
				f.URL = ""
			}
			return f, true
		}
	}
	if LooksLikePath(v) {
		return asset.Sighting{}, false
	}
	if IsHFID(v) {
		return asset.Sighting{Kind: asset.KindModel, Name: v, Provider: "huggingface", Confidence: 0.9}, true
	}
	if IsBareModel(v) && strings.ContainsAny(v, "-0123456789") {
		switch h {
		case HF:
			// Canonical un-namespaced Hub models: gpt2, bert-base-uncased.
			return asset.Sighting{Kind: asset.KindModel, Name: v, Provider: "huggingface", Confidence: 0.75}, true
		case SentenceTransformers:
			return asset.Sighting{Kind: asset.KindModel, Name: "sentence-transformers/" + v, Provider: "huggingface", Confidence: 0.8}, true
		}
	}
	if h == HF && IsBareModel(v) && len(v) >= 3 && strings.ToLower(v) == v && knownBareModel[v] {
		return asset.Sighting{Kind: asset.KindModel, Name: v, Provider: "huggingface", Confidence: 0.75}, true
	}
	return asset.Sighting{}, false
}

var knownBareModel = map[string]bool{"gpt2": true, "distilgpt2": true}

// LooksLikePath reports a string shaped like a file path (./x, /x, ~/x,
// or a name with a file extension), which is never a model id.
func LooksLikePath(v string) bool {
	if strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~") {
		return true
	}
	switch strings.ToLower(path.Ext(v)) {
	case ".py", ".json", ".yaml", ".yml", ".txt", ".md", ".csv", ".pt", ".pth", ".bin", ".safetensors",
		".onnx", ".gguf", ".pkl", ".h5", ".ckpt", ".jsonl", ".parquet", ".toml", ".html", ".pdf":
		return true
	}
	return false
}

// LocalPath reports whether v names a file or directory in the repository,
// relative to the root or to dir, and returns it cleaned.
func LocalPath(fsys fs.FS, dir, v string) (string, bool) {
	if fsys == nil || strings.HasPrefix(v, "/") || strings.Contains(v, "://") || strings.HasPrefix(v, "~") {
		return "", false
	}
	for _, p := range []string{path.Clean(v), path.Join(dir, v)} {
		if p == "." || strings.HasPrefix(p, "../") || p == ".." || !fs.ValidPath(p) {
			continue
		}
		if _, err := fs.Stat(fsys, p); err == nil {
			return p, true
		}
	}
	return "", false
}

var (
	reHFResolve = regexp.MustCompile(`^https?://(?:huggingface\.co|hf\.co)/(datasets/|spaces/)?([A-Za-z0-9][\w.-]*/[\w.-]+)(?:/(?:resolve|blob|tree)/([^/]+))?`)
	reWeightURL = regexp.MustCompile(`\.(safetensors|bin|pt|pth|ckpt|gguf|onnx|h5|keras|tflite|pkl|joblib|npz|mlmodel)(\?.*)?$`)
	// Data files by extension are datasets wherever they are downloaded from.
	reDataURL = regexp.MustCompile(`(?i)\.(csv|tsv|parquet|jsonl|ndjson|arrow|feather|tfrecords?|avro|h5ad)(\.gz|\.bz2|\.xz|\.zst)?(\?.*)?$`)
	// Archives are datasets only with data context in the URL: a dataset
	// host or a data-ish path. Most archive URLs in code are source or
	// release downloads (github.com/.../archive/refs/tags/v1.zip).
	reArchiveURL    = regexp.MustCompile(`(?i)\.(zip|tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|7z|gz)(\?.*)?$`)
	reDatasetHost   = regexp.MustCompile(`(?i)^https?://([\w.-]+\.)?(kaggle\.com|zenodo\.org|figshare\.com|dataverse\.[\w.-]+|data\.mendeley\.com|archive\.ics\.uci\.edu|image-net\.org|physionet\.org|opendatalab\.com|datasets-server\.huggingface\.co)(/|$)`)
	reDataPathWord  = regexp.MustCompile(`(?i)(^|[/_.-])(datasets?|data|corpus|corpora|benchmarks?|train|training|eval|validation|test-?set|dev-?set)([/_.-]|$)`)
	reSourceArchive = regexp.MustCompile(`(?i)^https?://(codeload\.github\.com/|(github\.com|gitlab\.com|bitbucket\.org|gitea\.com|codeberg\.org)/[^/]+/[^/]+/(-/)?(archive|zipball|tarball)/)`)
)

// dataArchiveURL reports an archive download whose URL says it holds data.
func dataArchiveURL(u string) bool {
	if !reArchiveURL.MatchString(u) || reSourceArchive.MatchString(u) {
		return false
	}
	if reDatasetHost.MatchString(u) {
		return true
	}
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	_, p, _ := strings.Cut(rest, "/") // the host (data.example.com) is not evidence
	return reDataPathWord.MatchString(p)
}

// URL classifies a URL found in code or config: Hugging Face model
// and dataset pages, weight downloads, dataset downloads.
func URL(u string) (asset.Sighting, bool) {
	if m := reHFResolve.FindStringSubmatch(u); m != nil {
		switch m[1] {
		case "datasets/":
			return asset.Sighting{Kind: asset.KindDataset, Name: m[2], Provider: "huggingface", URL: u, Version: m[3], Confidence: 0.85}, true
		case "spaces/":
			return asset.Sighting{}, false
		}
		if strings.HasPrefix(m[2], "docs/") || strings.HasPrefix(m[2], "api/") || strings.HasPrefix(m[2], "blog/") {
			return asset.Sighting{}, false
		}
		// A link to a model page is documentation; a resolve/ URL or a
		// weight file is a download.
		if !strings.Contains(u, "/resolve/") && !reWeightURL.MatchString(u) {
			return asset.Sighting{}, false
		}
		return asset.Sighting{Kind: asset.KindModel, Name: m[2], Provider: "huggingface", URL: u, Version: m[3], Confidence: 0.85}, true
	}
	if reWeightURL.MatchString(u) {
		return asset.Sighting{Kind: asset.KindWeights, Name: u, Provider: "url", URL: u, Confidence: 0.8}, true
	}
	if reDataURL.MatchString(u) || dataArchiveURL(u) {
		return asset.Sighting{Kind: asset.KindDataset, Name: u, Provider: "url", URL: u, Confidence: 0.6}, true
	}
	return asset.Sighting{}, false
}

var reDataFileExt = regexp.MustCompile(`(?i)\.(csv|tsv|parquet|jsonl|ndjson|arrow|feather|avro|txt|json|xml|zip|tar|tgz|gz|bz2|xz)$`)

// DownloadedData reports a URL that code downloads as data: what URL
// already calls a dataset, or a file download (a data or archive extension)
// whose path names data (/data/, /datasets/, /corpus/, train, eval, ...).
// Pages and API endpoints (.php, no extension) are not.
func DownloadedData(u string) bool {
	if f, ok := URL(u); ok {
		return f.Kind == asset.KindDataset
	}
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	_, p, _ := strings.Cut(rest, "/")
	return reDataFileExt.MatchString(path.Base(p)) && reDataPathWord.MatchString(path.Dir(p))
}

// DataPath reports a repository path that names data by a directory or
// file word (data/, datasets/, eval_cases/, train.jsonl).
func DataPath(p string) bool { return reDataPathWord.MatchString(p) }

// DataFile reports a file name in a data format read whole by code
// (csv, tsv, parquet, jsonl, feather, arrow, ...), JSON excluded: JSON files
// are as often configuration.
func DataFile(p string) bool { return reDataURL.MatchString(p) }

var reURL = regexp.MustCompile(`https?://[^\s"'<>()\x60]+`)

var (
	reModelVar    = regexp.MustCompile(`(?i)(model|checkpoint|repo_id|embedding|embedder|llm|engine)`)
	reNotModelVar = regexp.MustCompile(`(?i)(_dir|_path|_file|_url|_root|_folder|_cache|_type|_class|_kwargs|_args|_config|_size|_max|_len|_version|_key|_token)$`)
)

// ModelVarName reports a variable, constant, option or environment name
// that holds a model id (MODEL_NAME, embedding_model, llm), not a path or a
// setting about one (MODEL_DIR, model_max_len).
func ModelVarName(name string) bool {
	return reModelVar.MatchString(name) && !reNotModelVar.MatchString(name)
}

var reModelShaped = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*([._:-][A-Za-z0-9]+)+$`)

// ModelShaped reports a name that reads as a model id where the position
// already says it is one (the key of a model table): letters first, runs of
// letters and digits joined by - . _ or :, with at least one digit
// (Meta-Llama-3.1-8B-Instruct, llama3.2:3b, QwQ-32B-Preview), or an
// "org/name" id. Plain words (default, large) are not. dashed also takes
// names of words joined by dashes without a digit (deepseek-chat).
func ModelShaped(s string, dashed bool) bool {
	if IsHFID(s) {
		return true
	}
	if len(s) < 4 || len(s) > 96 || !reModelShaped.MatchString(s) {
		return false
	}
	return strings.ContainsAny(s, "0123456789") || dashed && strings.Contains(s, "-")
}

// IsHFID reports an "org/name" Hugging Face id.
func IsHFID(s string) bool { return reHFID.MatchString(s) }

// IsBareModel reports a single-segment model name ("gpt2", "bert-base-uncased").
func IsBareModel(s string) bool { return reBareModel.MatchString(s) }

// URLsIn returns the http(s) URLs inside a string (a shell line, a literal).
func URLsIn(s string) []string { return reURL.FindAllString(s, -1) }
