package bom

import (
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/modelscan"
)

const (
	sentimentSHA = "6b3a55e0261b0304143f805a24924d0c1c44524821305f31d9277843b8a10f4e"
	lfsOID       = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
	pickleSHA    = "0f343b0931126a20f133d67c2b018a3b5f3c5e7a9b4b8e5b6c1f0c8e2f7d9a11"
	pinnedRev    = "1c4513b2eedbda136f57676a34eea67aba266e5c"
)

var provDate = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// fixtureFindings is what discovery reports for a realistic repository: a
// fine-tuned model with card, safetensors weights and an LFS pointer, code
// referencing hub models (one pinned), a dataset, a hosted API, a prompt, a
// tool, an agent, frameworks, the repository license and a hostile pickle.
func fixtureFindings() *asset.Result {
	prov := &asset.Provenance{Author: "Dana Dev", Email: "dana@example.com", Commit: "9f2c1e7a0b5d4c3e2f1a0b9c8d7e6f5a4b3c2d1e", Date: provDate}
	card := &asset.ModelCard{
		License:       "apache-2.0",
		BaseModel:     []string{"distilbert/distilbert-base-uncased"},
		Datasets:      []string{"stanfordnlp/sst2"},
		Language:      []string{"en"},
		PipelineTag:   "text-classification",
		LibraryName:   "transformers",
		Tags:          []string{"sentiment", "support"},
		Architectures: []string{"DistilBertForSequenceClassification"},
		ModelType:     "distilbert",
		Metrics:       []asset.Metric{{Task: "text-classification", Dataset: "SST-2", Type: "accuracy", Value: "0.91"}},
		Description:   "A small sentiment head fine-tuned from DistilBERT for routing support tickets.\n\nMore text.",
		IntendedUse:   "Classifies short English customer messages as positive or negative.",
		Limitations:   "Not suited to other languages, sarcasm, or decisions about individuals.",
		TrainingData:  "Fine-tuned on SST-2 (stanfordnlp/sst2).",
		Environmental: "Trained for 20 minutes on one A10 GPU.",
		Inputs:        []string{"string"},
		Outputs:       []string{"label"},
	}
	return &asset.Result{
		Files: 42,
		Sightings: []asset.Sighting{
			// The fine-tuned model: card, config, weights (one LFS pointer), code reference.
			{Kind: asset.KindModel, Name: "acme/demo-sentiment", Path: "models/sentiment/README.md", Detector: "card.yaml", Confidence: 0.95, Provider: "huggingface", Card: card, Provenance: prov},
			{Kind: asset.KindModel, Name: "acme/demo-sentiment", Path: "models/sentiment/config.json", Detector: "config.json", Confidence: 0.9, Provider: "huggingface",
				Card: &asset.ModelCard{Architectures: []string{"DistilBertForSequenceClassification"}, ModelType: "distilbert"}},
			{Kind: asset.KindWeights, Name: "models/sentiment/model.safetensors", Path: "models/sentiment/model.safetensors", Detector: "weights.magic", Confidence: 1,
				Format: "safetensors", SHA256: sentimentSHA, Size: 224, Model: "acme/demo-sentiment", Provenance: prov},
			{Kind: asset.KindWeights, Name: "models/sentiment/pytorch_model.bin", Path: "models/sentiment/pytorch_model.bin", Detector: "weights.lfs-pointer", Confidence: 0.9,
				Format: "pytorch-zip", SHA256: lfsOID, Size: 267832560, LFS: true, Model: "acme/demo-sentiment"},
			{Kind: asset.KindModel, Name: "acme/demo-sentiment", Path: "app/classify.py", Line: 14, Detector: "python.from_pretrained", Confidence: 0.8, Provider: "huggingface"},
			// Base model referenced from code twice (same line reported twice is deduped).
			{Kind: asset.KindModel, Name: "distilbert/distilbert-base-uncased", Path: "app/classify.py", Line: 6, Detector: "python.string-constant", Confidence: 0.6, Provider: "huggingface"},
			{Kind: asset.KindModel, Name: "distilbert/distilbert-base-uncased", Path: "app/classify.py", Line: 13, Detector: "python.from_pretrained", Confidence: 0.85, Provider: "huggingface", Version: "main"},
			{Kind: asset.KindModel, Name: "distilbert/distilbert-base-uncased", Path: "app/classify.py", Line: 13, Detector: "python.from_pretrained", Confidence: 0.85, Provider: "huggingface", Version: "main"},
			// A pinned embedder with its license known from the hub.
			{Kind: asset.KindModel, Name: "sentence-transformers/all-MiniLM-L6-v2", Version: pinnedRev, Path: "app/embed.py", Line: 3, Detector: "python.SentenceTransformer", Confidence: 0.9, Provider: "huggingface", License: "apache-2.0"},
			// A gated model under a community license, card only.
			{Kind: asset.KindModel, Name: "meta-llama/Llama-3.1-8B-Instruct", Path: "agents/planner.py", Line: 9, Detector: "python.from_pretrained", Confidence: 0.9, Provider: "huggingface",
				Card: &asset.ModelCard{License: "llama3.1", Gated: true, PipelineTag: "text-generation"}},
			// Dataset used by a training script.
			{Kind: asset.KindDataset, Name: "stanfordnlp/sst2", Path: "train/train.py", Line: 21, Detector: "python.load_dataset", Confidence: 0.9, Provider: "huggingface", License: "unknown",
				Props: map[string]string{"classification": "public"}},
			// Hosted API.
			{Kind: asset.KindService, Name: "gpt-4o-mini", Path: "app/classify.py", Line: 22, Detector: "python.openai-sdk", Confidence: 0.95, Provider: "openai"},
			{Kind: asset.KindService, Name: "gpt-4o-mini", Path: "agents/planner.py", Line: 30, Detector: "python.openai-sdk", Confidence: 0.9, Provider: "openai"},
			// Prompt, tool, agent.
			{Kind: asset.KindPrompt, Name: "prompts/triage.prompt", Path: "prompts/triage.prompt", Detector: "prompt.file", Confidence: 0.9, Props: map[string]string{"variables": "ticket", "role": "system"}},
			{Kind: asset.KindPrompt, Name: "SYSTEM_PROMPT", Path: "app/classify.py", Line: 9, Detector: "python.prompt-constant", Confidence: 0.7},
			{Kind: asset.KindTool, Name: "search_tickets", Path: "agents/tools.py", Line: 12, Detector: "python.langchain-tool", Confidence: 0.85, Props: map[string]string{"framework": "langchain"}},
			{Kind: asset.KindAgent, Name: "planner", Path: "agents/planner.py", Line: 25, Detector: "python.langchain-agent", Confidence: 0.8, Props: map[string]string{"framework": "langchain", "tools": "search_tickets"}},
			// Frameworks: a pinned manifest entry and an import of the same package.
			{Kind: asset.KindFramework, Name: "transformers", Version: "4.44.2", Path: "requirements.txt", Line: 1, Detector: "requirements.txt", Confidence: 1, Provider: "pypi", License: "Apache-2.0"},
			{Kind: asset.KindFramework, Name: "Transformers", Path: "app/classify.py", Line: 2, Detector: "python.import", Confidence: 0.9, Provider: "pypi"},
			{Kind: asset.KindFramework, Name: "sentence_transformers", Version: "3.0.1", Path: "requirements.txt", Line: 2, Detector: "requirements.txt", Confidence: 1, Provider: "pypi"},
			{Kind: asset.KindFramework, Name: "openai", Version: ">=1.40", Path: "requirements.txt", Line: 3, Detector: "requirements.txt", Confidence: 1, Provider: "pypi"},
			// A pickle that the scanner flags.
			{Kind: asset.KindWeights, Name: "legacy/classifier.pkl", Path: "legacy/classifier.pkl", Detector: "weights.extension", Confidence: 0.7, Format: "pickle", SHA256: pickleSHA, Size: 4096},
			// Repository license.
			{Kind: asset.KindLicense, Name: "LICENSE", Path: "LICENSE", Detector: "license.file", Confidence: 1, License: "MIT"},
		},
		Warnings: []string{"models/broken/README.md: front matter: yaml: line 3: did not find expected key"},
		Skipped:  []asset.Skip{{Path: "data/huge.bin", Reason: "larger than 2 GiB"}},
	}
}

func fixtureReports() []modelscan.Report {
	return []modelscan.Report{
		{File: "models/sentiment/model.safetensors", Format: "safetensors", Status: modelscan.StatusClean, SHA256: sentimentSHA, Size: 224, Findings: []modelscan.Finding{},
			Facts: &modelscan.Facts{Tensors: 2, Parameters: 48, DTypes: []string{"F32"}, License: "apache-2.0", Author: "Example Lab"}},
		{File: "legacy/classifier.pkl", Format: "pickle", Status: modelscan.StatusMalicious, SHA256: pickleSHA, Size: 4096,
			Facts: &modelscan.Facts{Architecture: "llama", Quantization: "Q4_K_M", Opsets: []string{"ai.onnx 17"},
				Inputs: []modelscan.TensorSpec{{Name: "input_ids", DType: "int64", Shape: []string{"batch", "sequence"}}}}, Findings: []modelscan.Finding{
				{Rule: "pickle.denylisted-global", Severity: modelscan.SeverityCritical, File: "legacy/classifier.pkl", Offset: 58, Opcode: "STACK_GLOBAL", Global: "os.system", Reason: "pickle imports os.system, which runs shell commands when loaded"},
				{Rule: "pickle.reduce-call", Severity: modelscan.SeverityHigh, File: "legacy/classifier.pkl", Offset: 71, Opcode: "REDUCE", Global: "os.system", Reason: "the imported callable is invoked during unpickling"},
			}},
	}
}

func fixtureSource() inventory.Source {
	return inventory.Source{Kind: "git", URL: "https://github.com/acme/ticket-triage.git", Ref: "refs/heads/main",
		Commit: "0123456789abcdef0123456789abcdef01234567", Name: "ticket-triage"}
}

func fixtureInventory() *inventory.Inventory {
	return inventory.Normalize(inventory.Input{Source: fixtureSource(), Result: fixtureFindings(), Reports: fixtureReports()})
}

func fixtureApprovals() []Approval {
	return []Approval{{
		Component: "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct", License: "LicenseRef-llama3.1", Decision: "approve",
		Approver: "Ada Legal", Reason: "internal evaluation only, no redistribution",
		Time: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), Expires: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
	}}
}

var fixedTime = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

const fixedSerial = "urn:uuid:00000000-0000-4000-8000-000000000000"
