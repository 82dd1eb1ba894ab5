// Package asset holds the types every stage after discovery shares: the
// Sighting (one place an asset was seen), its model card, provenance and the
// files that could not be analysed. It imports nothing of the project, so
// source, discover, inventory and bom can all depend on it.
package asset

import "time"

// Kind is the asset family of a sighting; the same values appear in the BOM as
// the mlbom:asset.kind property.
type Kind string

const (
	KindModel     Kind = "model"
	KindDataset   Kind = "dataset"
	KindWeights   Kind = "weights"
	KindPrompt    Kind = "prompt"
	KindTool      Kind = "tool"
	KindAgent     Kind = "agent"
	KindService   Kind = "service"
	KindFramework Kind = "framework"
	// KindLicense marks a license file of the repository itself; it is not a
	// component but feeds the application's license.
	KindLicense Kind = "license"
)

// Sighting is one place where an asset was seen (a discovery "finding" in
// the JSON it is stored as). Many sightings may describe the same asset (a
// weight file, its model card and three code references); the inventory
// package merges them into one component.
type Sighting struct {
	Kind Kind `json:"kind"`
	// Name identifies the asset as found: a Hugging Face id ("org/name"), a
	// hosted model ("gpt-4o"), a dataset id, a prompt or tool name, a package
	// name, or for a weight file its repository-relative path.
	Name    string `json:"name"`
	Version string `json:"version,omitempty"` // revision, tag or package version when pinned
	// Path is repository-relative with forward slashes; Line is 1-based (0 when
	// the sighting is about the whole file).
	Path       string  `json:"path"`
	Line       int     `json:"line,omitempty"`
	Detector   string  `json:"detector"`   // detection method, e.g. "weights.magic", "python.from_pretrained"
	Confidence float64 `json:"confidence"` // 0..1
	// Provider is where the asset comes from: huggingface, openai, anthropic,
	// google, mistral, cohere, litellm, ollama, torchhub, pypi, npm, go, url, local.
	Provider string `json:"provider,omitempty"`
	// Weights: format by content (safetensors, pytorch-zip, pytorch-legacy,
	// pickle, joblib, gguf, onnx, keras, hdf5, savedmodel, tflite, coreml,
	// openvino, npy, npz), hash and size. LFS pointers carry the oid and size
	// of the object they point to, with LFS true.
	Format string `json:"format,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	LFS    bool   `json:"lfs,omitempty"`
	// License as written where the asset was seen (SPDX id, HF id or free text); the
	// inventory package normalizes it.
	License string `json:"license,omitempty"`
	// Model is, for weight files and configs, the model they belong to when
	// known (e.g. the Hugging Face id of the repository or card).
	Model string `json:"model,omitempty"`
	// URL for download URLs, endpoints and dataset sources.
	URL   string            `json:"url,omitempty"`
	Card  *ModelCard        `json:"card,omitempty"`
	Props map[string]string `json:"props,omitempty"`
	// Provenance of the file holding the sighting (git log of its path).
	Provenance *Provenance `json:"provenance,omitempty"`
}

// PropSecrets is the Props key that says secrets were present where the
// asset was seen and were masked before the sighting left discovery: the
// kinds found (internal/redact), comma-separated and sorted. The BOM writes
// it as the property mlbom:secrets.
const PropSecrets = "secrets"

// ModelCard is what a model or dataset card (README front matter) and
// config.json say. Fields are empty when absent.
type ModelCard struct {
	License       string   `json:"license,omitempty"`
	LicenseName   string   `json:"licenseName,omitempty"`
	LicenseLink   string   `json:"licenseLink,omitempty"`
	BaseModel     []string `json:"baseModel,omitempty"`
	Datasets      []string `json:"datasets,omitempty"`
	Language      []string `json:"language,omitempty"`
	PipelineTag   string   `json:"pipelineTag,omitempty"`
	LibraryName   string   `json:"libraryName,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Architectures []string `json:"architectures,omitempty"`
	ModelType     string   `json:"modelType,omitempty"`
	Gated         bool     `json:"gated,omitempty"`
	Metrics       []Metric `json:"metrics,omitempty"`
	// Prose sections of the card, by topic.
	Description           string   `json:"description,omitempty"`
	IntendedUse           string   `json:"intendedUse,omitempty"`
	Limitations           string   `json:"limitations,omitempty"`
	TrainingData          string   `json:"trainingData,omitempty"`
	EthicalConsiderations string   `json:"ethicalConsiderations,omitempty"`
	Environmental         string   `json:"environmental,omitempty"`
	Inputs                []string `json:"inputs,omitempty"`
	Outputs               []string `json:"outputs,omitempty"`
}

// Metric is one model-index result.
type Metric struct {
	Task    string `json:"task,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	Type    string `json:"type"`
	Value   string `json:"value"`
}

// Provenance says who last changed a file and when.
type Provenance struct {
	Author string    `json:"author,omitempty"`
	Email  string    `json:"email,omitempty"`
	Commit string    `json:"commit,omitempty"`
	Date   time.Time `json:"date,omitempty"`
}

// Skip records a file that was not (fully) analysed, and why.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Result is everything one discovery run found. Sightings keeps its JSON
// name "findings": stored scan records hold it.
type Result struct {
	Sightings []Sighting `json:"findings"`
	Skipped   []Skip     `json:"skipped,omitempty"`
	Warnings  []string   `json:"warnings,omitempty"`
	Files     int        `json:"files"` // files visited
}

// SightingLess is the order sightings are reported in: by path, line, kind,
// name and detector. Later stages sort by it too, so that whatever they keep
// "first" does not depend on the order sightings arrived in.
func SightingLess(a, b Sighting) bool {
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Detector < b.Detector
}
