package discover

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/asset"
)

// want is a finding's identity in the case table: kind, name, path, line.
type want struct {
	kind asset.Kind
	name string
	path string
	line int
}

func (w want) String() string { return fmt.Sprintf("%s %q %s:%d", w.kind, w.name, w.path, w.line) }

func zipOf(names ...string) string {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte("payload of " + n))
	}
	zw.Close()
	return b.String()
}

func safetensorsBytes() string {
	hdr := `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	n := len(hdr)
	return string([]byte{byte(n), 0, 0, 0, 0, 0, 0, 0}) + hdr + "\x00\x00\x80\x3f"
}

const (
	lfsPtr    = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1234\n"
	mitText   = "Permission is hereby granted, free of charge, to any person obtaining a copy ... The above copyright notice and this permission notice shall be included in all copies"
	onnxBytes = "\x08\x07\x12\x07pytorch\x1a\x032.1\x3a\x10\x0a\x05Gemm0"
)

var detectorCases = []struct {
	name  string
	files map[string]string
	want  []want
	// only compares findings of these kinds (all when empty)
	kinds []asset.Kind
}{
	// Weights by content.
	{"safetensors without extension", map[string]string{"blob": safetensorsBytes()}, []want{{asset.KindWeights, "blob", "blob", 0}}, nil},
	{"pytorch zip", map[string]string{"m.pt": zipOf("archive/data.pkl", "archive/data/0", "archive/version")}, []want{{asset.KindWeights, "m.pt", "m.pt", 0}}, nil},
	{"pytorch legacy", map[string]string{"old.bin": "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02M\xe9\x03."}, []want{{asset.KindWeights, "old.bin", "old.bin", 0}}, nil},
	{"pickle protocol 4", map[string]string{"clf.pkl": "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."}, []want{{asset.KindWeights, "clf.pkl", "clf.pkl", 0}}, nil},
	{"pickle protocol 0", map[string]string{"old.pkl": "(dp0\nS'a'\np1\nI1\ns."}, []want{{asset.KindWeights, "old.pkl", "old.pkl", 0}}, nil},
	{"joblib", map[string]string{"model.joblib": "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x06joblib\x94."}, []want{{asset.KindWeights, "model.joblib", "model.joblib", 0}}, nil},
	{"gguf", map[string]string{"llm.gguf": "GGUF\x03\x00\x00\x00\x00\x00"}, []want{{asset.KindWeights, "llm.gguf", "llm.gguf", 0}}, nil},
	{"onnx", map[string]string{"m.onnx": onnxBytes}, []want{{asset.KindWeights, "m.onnx", "m.onnx", 0}}, nil},
	{"keras zip", map[string]string{"m.keras": zipOf("metadata.json", "config.json", "model.weights.h5")}, []want{{asset.KindWeights, "m.keras", "m.keras", 0}}, nil},
	{"hdf5", map[string]string{"m.h5": "\x89HDF\r\n\x1a\n\x00\x00\x00\x00"}, []want{{asset.KindWeights, "m.h5", "m.h5", 0}}, nil},
	{"savedmodel", map[string]string{"sm/saved_model.pb": "\x08\x01\x12\x04abcd", "sm/variables/variables.index": "\x00\x01\x02index"},
		[]want{{asset.KindWeights, "sm/saved_model.pb", "sm/saved_model.pb", 0}}, nil},
	{"savedmodel needs variables/", map[string]string{"x/saved_model.pb": "\x08\x01\x12\x04abcd"}, nil, nil},
	{"tflite", map[string]string{"m.tflite": "\x1c\x00\x00\x00TFL3\x00\x00\x00\x00"}, []want{{asset.KindWeights, "m.tflite", "m.tflite", 0}}, nil},
	{"coreml mlmodel", map[string]string{"m.mlmodel": "\x08\x04\x12\x05\x0a\x03abc"}, []want{{asset.KindWeights, "m.mlmodel", "m.mlmodel", 0}}, nil},
	{"coreml mlpackage", map[string]string{"M.mlpackage/Manifest.json": `{"fileFormatVersion":"1.0.0"}`, "M.mlpackage/Data/weights/weight.bin": "\x01\x02\x03\x04\x05"},
		[]want{{asset.KindWeights, "M.mlpackage", "M.mlpackage", 0}}, nil},
	{"openvino xml and bin", map[string]string{"ir/model.xml": "<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n</net>\n", "ir/model.bin": "\x11\x22\x33\x44"},
		[]want{{asset.KindWeights, "ir/model.xml", "ir/model.xml", 0}, {asset.KindWeights, "ir/model.bin", "ir/model.bin", 0}}, nil},
	{"npy", map[string]string{"a.npy": "\x93NUMPY\x01\x00v\x00{'descr': '<f4'"}, []want{{asset.KindWeights, "a.npy", "a.npy", 0}}, nil},
	{"npz", map[string]string{"a.npz": zipOf("w.npy", "b.npy")}, []want{{asset.KindWeights, "a.npz", "a.npz", 0}}, nil},
	{"lfs pointer to safetensors", map[string]string{"m.safetensors": lfsPtr}, []want{{asset.KindWeights, "m.safetensors", "m.safetensors", 0}}, nil},
	{"lfs pointer to parquet is a dataset", map[string]string{"d/train.parquet": lfsPtr}, []want{{asset.KindDataset, "d/train.parquet", "d/train.parquet", 0}}, nil},
	{"lfs pointer with bad oid", map[string]string{"m.bin": strings.Replace(lfsPtr, "4d7a", "XXXX", 1)}, nil, nil},
	// Look-alikes that are not models.
	{"trap: ELF named model.bin", map[string]string{"model.bin": "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"}, nil, nil},
	{"trap: token ids in a .bin", map[string]string{"tokens.bin": "\x01\x00\x02\x00\x03\x00\x04\x00\xff\xfe"}, nil, nil},
	{"trap: text named .pt", map[string]string{"notes.pt": "just some notes\n"}, nil, nil},
	{"trap: plain zip named .pt", map[string]string{"m.pt": zipOf("readme.txt")}, nil, nil},

	// Models referenced in Python, with indirection.
	{"from_pretrained via constant and f-string", map[string]string{"a.py": "ORG = 'acme'\nNAME = 'bert-tiny'\nMODEL = f\"{ORG}/{NAME}\"\nm = AutoModel.from_pretrained(MODEL, revision='abc123')\n"},
		[]want{{asset.KindModel, "acme/bert-tiny", "a.py", 3}, {asset.KindModel, "acme/bert-tiny", "a.py", 4}}, []asset.Kind{asset.KindModel}},
	{"os.path.join to a local model dir", map[string]string{"a.py": "import os\nBASE = 'models'\nm = AutoModel.from_pretrained(os.path.join(BASE, 'local-bert'))\n", "models/local-bert/config.json": `{"foo": 1}`},
		[]want{{asset.KindModel, "models/local-bert", "a.py", 3}}, nil},
	{"Path join", map[string]string{"a.py": "from pathlib import Path\nROOT = Path('models')\nm = AutoModel.from_pretrained(ROOT / 'local-bert')\n", "models/local-bert/config.json": `{}`},
		[]want{{asset.KindModel, "models/local-bert", "a.py", 3}}, nil},
	{"dict values and set loops", map[string]string{"a.py": "CHOICES = {'s': 'acme/small', 'l': 'acme/large'}\ndef f(size):\n    return AutoModel.from_pretrained(CHOICES[size])\nfor n in {'acme/x1'}:\n    pipeline('fill-mask', model=n)\n"},
		[]want{{asset.KindModel, "acme/small", "a.py", 3}, {asset.KindModel, "acme/large", "a.py", 3}, {asset.KindModel, "acme/x1", "a.py", 5}}, nil},
	{"argparse and getenv defaults", map[string]string{"a.py": "import os\np.add_argument('--base', default='acme/base-7b')\nargs = p.parse_args()\nmodel = AutoModel.from_pretrained(args.base)\nX = os.getenv('ENC', 'acme/enc')\nSentenceTransformer(X)\n"},
		[]want{{asset.KindModel, "acme/base-7b", "a.py", 4}, {asset.KindModel, "acme/enc", "a.py", 6}}, nil},
	{"default parameter", map[string]string{"a.py": "def load(model_id='acme/default'):\n    return AutoModel.from_pretrained(model_id)\n"},
		[]want{{asset.KindModel, "acme/default", "a.py", 1}, {asset.KindModel, "acme/default", "a.py", 2}}, nil},
	{"cross-module constant", map[string]string{"pkg/settings.py": "LLM = 'acme/llm-1b'\n", "pkg/run.py": "from .settings import LLM\nAutoModelForCausalLM.from_pretrained(LLM)\n"},
		[]want{{asset.KindModel, "acme/llm-1b", "pkg/settings.py", 1}, {asset.KindModel, "acme/llm-1b", "pkg/run.py", 2}}, nil},
	{"pipeline positional and sentence-transformers bare name", map[string]string{"a.py": "pipeline('ner', 'dslim/bert-base-NER')\nSentenceTransformer('all-mpnet-base-v2')\n"},
		[]want{{asset.KindModel, "dslim/bert-base-NER", "a.py", 1}, {asset.KindModel, "sentence-transformers/all-mpnet-base-v2", "a.py", 2}}, nil},
	{"hub downloads", map[string]string{"a.py": "hf_hub_download(repo_id='acme/m', filename='m.gguf', revision='v2')\nsnapshot_download('acme/corpus', repo_type='dataset')\n"},
		[]want{{asset.KindModel, "acme/m", "a.py", 1}, {asset.KindDataset, "acme/corpus", "a.py", 2}}, nil},
	{"torch hub and timm", map[string]string{"a.py": "torch.hub.load('pytorch/vision:v0.10.0', 'resnet18')\ntimm.create_model('hf_hub:timm/vit_base_patch16_224.augreg_in21k')\ntimm.create_model('resnet50', pretrained=True)\n"},
		[]want{{asset.KindModel, "pytorch/vision/resnet18", "a.py", 1}, {asset.KindModel, "timm/vit_base_patch16_224.augreg_in21k", "a.py", 2}, {asset.KindModel, "timm/resnet50", "a.py", 3}}, nil},
	{"ollama", map[string]string{"a.py": "import ollama\nollama.chat(model='llama3.1:8b', messages=[])\n", "Modelfile": "FROM mistral:7b\nPARAMETER temperature 0.2\n", "run.sh": "#!/bin/sh\nollama pull qwen2:0.5b\n"},
		[]want{{asset.KindModel, "llama3.1:8b", "a.py", 2}, {asset.KindModel, "mistral:7b", "Modelfile", 1}, {asset.KindModel, "qwen2:0.5b", "run.sh", 2}}, nil},
	{"hosted models", map[string]string{"a.py": "import anthropic\nc.messages.create(model='claude-3-5-sonnet-20241022', max_tokens=1)\ngenai.GenerativeModel('gemini-1.5-pro')\nclient.chat.complete(model='mistral-large-latest')\nco.chat(model='command-r-plus')\nlitellm.completion(model='anthropic/claude-3-haiku-20240307')\n"},
		[]want{{asset.KindService, "claude-3-5-sonnet-20241022", "a.py", 2}, {asset.KindService, "gemini-1.5-pro", "a.py", 3}, {asset.KindService, "mistral-large-latest", "a.py", 4}, {asset.KindService, "command-r-plus", "a.py", 5}, {asset.KindService, "claude-3-haiku-20240307", "a.py", 6}}, nil},
	{"weight download URL", map[string]string{"a.py": "URL = 'https://huggingface.co/acme/m/resolve/main/model.safetensors'\nOTHER = 'https://example.com/files/w.gguf'\n"},
		[]want{{asset.KindModel, "acme/m", "a.py", 1}, {asset.KindWeights, "https://example.com/files/w.gguf", "a.py", 2}}, nil},
	{"huggingface-cli in a Dockerfile", map[string]string{"Dockerfile": "FROM python:3.12\nRUN huggingface-cli download acme/m --revision r1 && \\\n    echo done\n# RUN huggingface-cli download acme/commented\n"},
		[]want{{asset.KindModel, "acme/m", "Dockerfile", 2}}, nil},
	{"javascript, go and rust", map[string]string{
		"w.ts":    "import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');\nconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages });\n",
		"main.go": "package main\n\nfunc f() {\n\treq := openai.ChatCompletionRequest{\n\t\tModel: openai.GPT4o,\n\t}\n\t_ = anthropic.MessageNewParams{Model: anthropic.ModelClaude3_5HaikuLatest}\n}\n",
		"lib.rs":  "let req = CreateChatCompletionRequestArgs::default().model(\"gpt-4o-mini\").build()?;\n"},
		[]want{{asset.KindModel, "Xenova/distilbert-base-uncased-finetuned-sst-2-english", "w.ts", 2}, {asset.KindService, "gpt-4o", "w.ts", 3}, {asset.KindService, "gpt-4o", "main.go", 5}, {asset.KindService, "claude-3-5-haiku-latest", "main.go", 7}, {asset.KindService, "gpt-4o-mini", "lib.rs", 1}}, nil},
	{"config keys in YAML and TOML", map[string]string{"c.yaml": "llm:\n  model: gpt-4o\nembedder:\n  model_name: BAAI/bge-small-en-v1.5\n", "c.toml": "[ollama]\nmodel = \"phi3:mini\"\n"},
		[]want{{asset.KindService, "gpt-4o", "c.yaml", 2}, {asset.KindModel, "BAAI/bge-small-en-v1.5", "c.yaml", 4}, {asset.KindModel, "phi3:mini", "c.toml", 2}}, nil},
	// Traps in code.
	{"trap: ids in comments, docstrings, prose strings", map[string]string{"a.py": "\"\"\"Uses acme/doc-model.\"\"\"\n# from_pretrained('acme/commented')\nprint('we use gpt-4o here')\nx = 'acme/not-a-model-position'\n"}, nil, nil},
	{"trap: notebook outputs and markdown", map[string]string{"n.ipynb": `{"cells":[{"cell_type":"markdown","source":["AutoModel.from_pretrained('acme/md')"]},{"cell_type":"code","source":["x = 1\n"],"outputs":[{"output_type":"stream","text":["AutoModel.from_pretrained('acme/out')"]}]}],"nbformat":4}`}, nil, nil},
	{"notebook code cells and line mapping", map[string]string{"n.ipynb": "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import x\\n\",\n    \"m = AutoModel.from_pretrained(\\\"acme/nb\\\")\"\n   ]\n  }\n ],\n \"nbformat\": 4\n}\n"},
		[]want{{asset.KindModel, "acme/nb", "n.ipynb", 7}}, nil},
	{"trap: an SDK's exported model-id constants are its vocabulary", map[string]string{
		"openai/image.go": "package openai\n\nconst (\n\tCreateImageModelDallE2 = \"dall-e-2\"\n\tCreateImageModelDallE3 = \"dall-e-3\"\n\tCreateImageModelGptImage1 = \"gpt-image-1\"\n)\n",
		"cmd/app/main.go": "package main\n\nconst (\n\tchatModel = \"gpt-4o\"\n\tembedModel = \"text-embedding-3-small\"\n\tvisionModel = \"gpt-4o-mini\"\n)\n\nfunc f() { _ = openai.ImageRequest{Model: openai.CreateImageModelDallE3} }\n"},
		[]want{{asset.KindService, "gpt-4o", "cmd/app/main.go", 4}, {asset.KindService, "text-embedding-3-small", "cmd/app/main.go", 5}, {asset.KindService, "gpt-4o-mini", "cmd/app/main.go", 6}}, nil},
	{"trap: an Agent class that is not an LLM agent", map[string]string{"rl.py": "agent = Agent(self.world_size)\nrun_agent(agent, n_steps=10)\n"}, nil, nil},
	{"trap: model names as data", map[string]string{"tests/fixtures/models.json": `{"model": "gpt-4o"}`, "data/names.json": `[{"model": "gpt-4o"}]`, "names.csv": "model\ngpt-4o\nacme/m\n", "results.json": `[{"model": "acme/m", "score": 1}]`}, nil, nil},

	// Datasets.
	{"load_dataset, RAG loaders", map[string]string{"a.py": "load_dataset('acme/reviews', 'en', revision='r3')\nPyPDFLoader('docs/handbook.pdf')\nWebBaseLoader('https://example.com/faq')\nSimpleDirectoryReader('docs')\n", "docs/handbook.pdf": "%PDF-1.4"},
		[]want{{asset.KindDataset, "acme/reviews", "a.py", 1}, {asset.KindDataset, "docs/handbook.pdf", "a.py", 2}, {asset.KindDataset, "https://example.com/faq", "a.py", 3}, {asset.KindDataset, "docs", "a.py", 4}}, nil},
	{"dataset card and data files", map[string]string{"ds/README.md": "---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n# Reviews\n", "ds/data/train.parquet": strings.Repeat("PAR1", 300)},
		[]want{{asset.KindDataset, "ds", "ds/README.md", 0}, {asset.KindDataset, "ds", "ds/data/train.parquet", 0}}, nil},
	// A download URL is a dataset when it says data: a data file, a dataset
	// host, a data-ish path; source and release archives are not.
	{"dataset URLs need data context", map[string]string{"get.sh": "#!/bin/sh\n" +
		"curl -L -o regal.zip \"https://github.com/open-policy-agent/regal/archive/refs/$ref.zip\"\n" +
		"curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v25.1/protoc-25.1-linux-x86_64.zip\n" +
		"curl -LO https://example.com/downloads/tool-1.2.tar.gz\n" +
		"wget https://zenodo.org/records/123/files/corpus.zip\n" +
		"wget https://example.com/datasets/reviews.tar.gz\n" +
		"wget https://example.com/shards/train-00001.tfrecord\n" +
		"curl -O https://example.com/exports/prices.csv\n" +
		"wget https://github.com/acme/bench/releases/download/v1/eval_data.zip\n"},
		[]want{{asset.KindDataset, "https://zenodo.org/records/123/files/corpus.zip", "get.sh", 5}, {asset.KindDataset, "https://example.com/datasets/reviews.tar.gz", "get.sh", 6},
			{asset.KindDataset, "https://example.com/shards/train-00001.tfrecord", "get.sh", 7}, {asset.KindDataset, "https://example.com/exports/prices.csv", "get.sh", 8},
			{asset.KindDataset, "https://github.com/acme/bench/releases/download/v1/eval_data.zip", "get.sh", 9}}, nil},
	{"dvc", map[string]string{"data/corpus.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 100\n  path: corpus\n"},
		[]want{{asset.KindDataset, "data/corpus", "data/corpus.dvc", 4}}, nil},

	// Prompts.
	{"prompt files", map[string]string{"p/a.prompty": "---\nname: a\nmodel:\n  api: chat\n  configuration:\n    name: gpt-4o\n---\nsystem:\nYou are helpful.\n", "t/chat.jinja": "{% for message in messages %}{{ message['role'] }}{% endfor %}", "web/page.j2": "<html>{{ title }}</html>"},
		[]want{{asset.KindPrompt, "p/a.prompty", "p/a.prompty", 0}, {asset.KindService, "gpt-4o", "p/a.prompty", 6}, {asset.KindPrompt, "t/chat.jinja", "t/chat.jinja", 0}}, nil},
	{"prompt constants, templates, hub", map[string]string{"a.py": "QA_TEMPLATE = 'Answer using the context: {context}'\nPROMPT_PATH = 'prompts/x.txt'\nt = PromptTemplate.from_template('Summarize: {text}')\nc = ChatPromptTemplate.from_messages([('system', 'Be terse.'), ('human', '{q}')])\np = hub.pull('rlm/rag-prompt')\n"},
		[]want{{asset.KindPrompt, "QA_TEMPLATE", "a.py", 1}, {asset.KindPrompt, "a.py", "a.py", 3}, {asset.KindPrompt, "a.py", "a.py", 4}, {asset.KindPrompt, "rlm/rag-prompt", "a.py", 5}}, nil},
	{"chat template in tokenizer config", map[string]string{"tokenizer_config.json": "{\n  \"chat_template\": \"{% for m in messages %}{{ m.content }}{% endfor %}\"\n}\n"},
		[]want{{asset.KindPrompt, "tokenizer_config.json", "tokenizer_config.json", 2}}, nil},

	// Prompt constants need a prompt-by-convention name and a prose value
	// (negative cases taken from OPA, Temporal and the Python stdlib's
	// neighbours; see testdata/negative for the files themselves).
	{"trap: identifiers merely containing Policy, Template or Prompt", map[string]string{
		"authz.go": "package authz\n\nconst Policy = `package policy.restauthz\n\ndefault allow := false\n`\n\nconst (\n\tPolicyNotSupportedErr = \"storage_policy_not_supported_error\"\n\tcoreValidationPolicyName = \"opa/config/validate.rego\"\n)\n\nconst exitPromptMessage = \"Do you want to exit ([y]/n)? \"\n",
		"run.go":   "package cmd\n\nfunc f() {\n\tusageTemplate := `Usage:\n  {{.UseLine}} [files]\n\nFlags:\n{{.LocalFlags.FlagUsages | trimRightSpace}}\n`\n\t_ = usageTemplate\n}\n\nconst TemplateGetQueueQuery = `SELECT metadata_payload, version FROM queues WHERE queue_type = ? AND queue_name = ?`\nconst urlPathTemplate = \"/namespaces/%s/workflows/%s/%s/history\"\n",
		"page.jsx": "export default function P() {\n  return <iframe title=\"video\" referrerPolicy=\"strict-origin-when-cross-origin\" />;\n}\nconst templateFile = 'test-keywords-in-ref_v0.yaml.template';\n",
		"gen.py":   "h_template = r\"\"\"\n#if defined(_MULTIARRAYMODULE)\ntypedef struct { int x; } S;\n#endif\n\"\"\"\nHTML_TEMPLATE = '<div class=\"animation\">{body} and more words here</div>'\ndef check(attr, value):\n    tmpl = '{attr!r} must be a boolean value (got {value!r})'\n    raise ValueError(tmpl.format(attr=attr, value=value))\n_MESSAGE_TEMPLATE = \"Usage of '{old_location}' is deprecated; please use '{new_location}' instead.\"\nACCESS_POLICY = 'allow read on the bucket for everyone in the group'\n"}, nil, nil},
	{"prompt constants by convention in Go, JavaScript and Python", map[string]string{
		"bot.go":  "package bot\n\nconst systemPrompt = \"You are a release assistant. Answer in two short sentences.\"\n\nconst (\n\tSUMMARY_PROMPT_TEMPLATE = \"Summarize the following ticket for an engineer: %s\"\n\texampleInstructions = \"# Release review\\n\\nReview the supplied release plan and identify the three largest risks.\"\n)\n",
		"chat.ts": "const CONTENT_POLICY = 'Do not reveal personal data and refuse requests for medical advice.';\nexport const promptTemplate = `Translate the user's message into French: ${msg}`;\n",
		"p.py":    "SAFETY_POLICY = 'Never give medical advice; always refer the user to a doctor.'\nPROMPT_SUMMARIZE = 'Summarize the text below in three bullet points.'\n"},
		[]want{{asset.KindPrompt, "systemPrompt", "bot.go", 3}, {asset.KindPrompt, "SUMMARY_PROMPT_TEMPLATE", "bot.go", 6}, {asset.KindPrompt, "exampleInstructions", "bot.go", 7},
			{asset.KindPrompt, "CONTENT_POLICY", "chat.ts", 1}, {asset.KindPrompt, "promptTemplate", "chat.ts", 2}, {asset.KindPrompt, "SAFETY_POLICY", "p.py", 1}, {asset.KindPrompt, "PROMPT_SUMMARIZE", "p.py", 2}}, []asset.Kind{asset.KindPrompt}},

	// Tools and agents.
	{"tool schemas and decorators", map[string]string{"a.py": "TOOLS = [{'type': 'function', 'function': {'name': 'get_time'}}]\nANTH = {'name': 'calc', 'description': 'x', 'input_schema': {'type': 'object'}}\n@tool('web_search')\ndef search(q):\n    pass\n@mcp.tool()\ndef read_file(p):\n    pass\n"},
		[]want{{asset.KindTool, "get_time", "a.py", 1}, {asset.KindTool, "calc", "a.py", 2}, {asset.KindTool, "web_search", "a.py", 4}, {asset.KindTool, "read_file", "a.py", 7}}, nil},
	{"trap: tool schema quoted in a prompt", map[string]string{"a.py": "SYSTEM_PROMPT = '''Tools look like {\"type\": \"function\", \"function\": {\"name\": \"fake\"}}'''\n"}, []want{{asset.KindPrompt, "SYSTEM_PROMPT", "a.py", 1}}, nil},
	{"agents", map[string]string{"a.py": "r = Agent(role='Researcher', goal='g', backstory='b')\np = AssistantAgent('planner', llm_config=cfg)\nt = Agent(name='Triage', instructions='Route the user to the right team.')\n"},
		[]want{{asset.KindAgent, "Researcher", "a.py", 1}, {asset.KindAgent, "planner", "a.py", 2}, {asset.KindAgent, "Triage", "a.py", 3}}, []asset.Kind{asset.KindAgent}},
	{"mcp servers in YAML, assistant config", map[string]string{"agent.yaml": "mcp_servers:\n  fetch:\n    command: uvx\n    args: [mcp-server-fetch]\n", "assistant.json": "{\n \"name\": \"Helper\",\n \"model\": \"gpt-4o\",\n \"instructions\": \"Help with billing questions politely.\",\n \"tools\": [{\"type\": \"code_interpreter\"}]\n}\n"},
		[]want{{asset.KindTool, "fetch", "agent.yaml", 2}, {asset.KindAgent, "Helper", "assistant.json", 2}, {asset.KindTool, "code_interpreter", "assistant.json", 5}}, []asset.Kind{asset.KindTool, asset.KindAgent}},

	// Frameworks.
	{"manifests", map[string]string{
		"pyproject.toml":  "[project]\ndependencies = [\n  \"torch>=2.1\",\n  \"requests\",\n]\n[tool.poetry.dependencies]\npython = \"^3.11\"\npeft = \"0.11.1\"\n",
		"environment.yml": "dependencies:\n  - pytorch=2.2.0\n  - numpy\n  - pip:\n    - vllm==0.5.0\n",
		"package.json":    "{\n  \"dependencies\": {\n    \"openai\": \"^4.52.0\",\n    \"@langchain/core\": \"0.2.1\",\n    \"react\": \"18.0.0\"\n  }\n}\n",
		"go.mod":          "module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.20.0\n\tgithub.com/spf13/cobra v1.8.0\n)\n"},
		[]want{{asset.KindFramework, "torch", "pyproject.toml", 3}, {asset.KindFramework, "peft", "pyproject.toml", 8}, {asset.KindFramework, "torch", "environment.yml", 2}, {asset.KindFramework, "vllm", "environment.yml", 5},
			{asset.KindFramework, "openai", "package.json", 3}, {asset.KindFramework, "@langchain/core", "package.json", 4}, {asset.KindFramework, "github.com/sashabaranov/go-openai", "go.mod", 4}}, nil},

	// Licenses.
	{"license text and SPDX line", map[string]string{"LICENSE": mitText, "vendor/x/COPYING": "SPDX-License-Identifier: GPL-2.0-only\n"},
		[]want{{asset.KindLicense, "MIT", "LICENSE", 0}, {asset.KindLicense, "GPL-2.0-only", "vendor/x/COPYING", 1}}, nil},

	// Cards.
	{"model card with base models and datasets", map[string]string{"m/README.md": "---\nlicense: llama3\nbase_model:\n- meta-llama/Meta-Llama-3-8B\ndatasets: acme/sft\n---\n# m\nWe also compare with acme/prose-only.\n"},
		[]want{{asset.KindModel, "m", "m/README.md", 0}, {asset.KindModel, "meta-llama/Meta-Llama-3-8B", "m/README.md", 4}, {asset.KindDataset, "acme/sft", "m/README.md", 5}}, nil},
}

func TestDetectorCases(t *testing.T) {
	for _, tc := range detectorCases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, c := range tc.files {
				fsys[p] = &fstest.MapFile{Data: []byte(c)}
			}
			res, err := Discover(context.Background(), fsys, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			keep := func(k asset.Kind) bool {
				if len(tc.kinds) == 0 {
					return true
				}
				for _, x := range tc.kinds {
					if x == k {
						return true
					}
				}
				return false
			}
			var got, exp []string
			for _, f := range res.Sightings {
				if keep(f.Kind) {
					got = append(got, want{f.Kind, f.Name, f.Path, f.Line}.String())
				}
				if f.Path == "" || f.Detector == "" || f.Confidence <= 0 || f.Confidence > 1 {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			for _, w := range tc.want {
				exp = append(exp, w.String())
			}
			sort.Strings(got)
			sort.Strings(exp)
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Errorf("findings:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(exp, "\n       "))
			}
		})
	}
}

// flakyFS fails to open one file, as an unreadable file on disk would.
type flakyFS struct {
	fstest.MapFS
	bad string
}

func (f flakyFS) Open(name string) (fs.File, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func TestBadInputIsSkippedNotFatal(t *testing.T) {
	bigNB := `{"cells":[{"cell_type":"code","source":["x=1\n"],"outputs":[{"text":"` + strings.Repeat("A", 5000) + `"}]}]}`
	fsys := fstest.MapFS{
		"bin.py":                        {Data: []byte("import x\x00\x00\x01\x02 from_pretrained('acme/bin')")},
		"latin1.py":                     {Data: bytes.Repeat([]byte{0xe9, 0xff, 0xfe, 'a'}, 100)},
		"big.ipynb":                     {Data: []byte(bigNB)},
		"app.min.js":                    {Data: []byte("var a=1;" + strings.Repeat("b=2;", 6000))},
		"node_modules/x/index.py":       {Data: []byte("AutoModel.from_pretrained('acme/vendored')")},
		"node_modules/y/index.py":       {Data: []byte("x")},
		"link.py":                       {Data: []byte("../../etc/passwd"), Mode: fs.ModeSymlink},
		"secret.py":                     {Data: []byte("AutoModel.from_pretrained('acme/secret')")},
		"ok.py":                         {Data: []byte("AutoModel.from_pretrained('acme/ok')\n")},
		"broken/README.md":              {Data: []byte("---\nlicense: mit\nbase_model: [acme/a, acme/b\ndatasets: {\n---\n")},
		"freetext/README.md":            {Data: []byte("---\nlicense: Free for research use only\ntags: 5\n---\n")},
		"badjson/tokenizer_config.json": {Data: []byte("{not json")},
		"nb/bad.ipynb":                  {Data: []byte("{\"cells\": 3}")},
	}
	res, err := Discover(context.Background(), flakyFS{fsys, "secret.py"}, Options{MaxNotebookSize: 4096, MaxLineLength: 10000})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, s := range res.Skipped {
		if _, dup := reasons[s.Path]; dup {
			t.Errorf("%s skipped twice", s.Path)
		}
		reasons[s.Path] = s.Reason
	}
	for p, sub := range map[string]string{
		"bin.py": "binary", "latin1.py": "UTF-8", "big.ipynb": "too large", "app.min.js": "minified",
		"node_modules": "excluded", "link.py": "symlink", "secret.py": "unreadable", "nb/bad.ipynb": "malformed",
	} {
		if !strings.Contains(reasons[p], sub) {
			t.Errorf("skip reason for %s = %q, want it to mention %q", p, reasons[p], sub)
		}
	}
	var names []string
	for _, f := range res.Sightings {
		names = append(names, f.Name)
	}
	if len(res.Sightings) == 0 || res.Sightings[len(res.Sightings)-1].Name != "acme/ok" {
		t.Errorf("the good file must still be analysed; findings %v", names)
	}
	var licenses []string
	for _, f := range res.Sightings {
		if f.Kind == asset.KindModel && f.Detector == "card.front_matter" {
			licenses = append(licenses, f.Path+"="+f.License)
		}
	}
	sort.Strings(licenses)
	if got := strings.Join(licenses, ","); got != "broken/README.md=mit,freetext/README.md=Free for research use only" {
		t.Errorf("card licenses = %s", got)
	}
	warn := strings.Join(res.Warnings, "\n")
	for _, sub := range []string{"broken/README.md: front matter is not valid YAML", "free text", "badjson/tokenizer_config.json"} {
		if !strings.Contains(warn, sub) {
			t.Errorf("warnings lack %q:\n%s", sub, warn)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Discover(ctx, fstest.MapFS{"a.py": {Data: []byte("x")}}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
