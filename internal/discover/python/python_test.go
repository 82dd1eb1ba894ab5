package python

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestSource runs Source alone over the cases of the discovery table that
// hold files it wants.
func TestSource(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "from_pretrained via constant and f-string", Files: map[string]string{"a.py": "ORG = 'acme'\nNAME = 'bert-tiny'\nMODEL = f\"{ORG}/{NAME}\"\nm = AutoModel.from_pretrained(MODEL, revision='abc123')\n"},
			Want: []string{
				"model acme/bert-tiny a.py:3 python.model_constant",
				"model acme/bert-tiny a.py:4 python.from_pretrained",
			}},
		{Name: "os.path.join to a local model dir", Files: map[string]string{"a.py": "import os\nBASE = 'models'\nm = AutoModel.from_pretrained(os.path.join(BASE, 'local-bert'))\n", "models/local-bert/config.json": `{"foo": 1}`},
			Want: []string{
				"model models/local-bert a.py:3 python.from_pretrained",
			}},
		{Name: "Path join", Files: map[string]string{"a.py": "from pathlib import Path\nROOT = Path('models')\nm = AutoModel.from_pretrained(ROOT / 'local-bert')\n", "models/local-bert/config.json": `{}`},
			Want: []string{
				"model models/local-bert a.py:3 python.from_pretrained",
			}},
		{Name: "dict values and set loops", Files: map[string]string{"a.py": "CHOICES = {'s': 'acme/small', 'l': 'acme/large'}\ndef f(size):\n    return AutoModel.from_pretrained(CHOICES[size])\nfor n in {'acme/x1'}:\n    pipeline('fill-mask', model=n)\n"},
			Want: []string{
				"model acme/large a.py:3 python.from_pretrained",
				"model acme/small a.py:3 python.from_pretrained",
				"model acme/x1 a.py:5 python.pipeline",
			}},
		{Name: "argparse and getenv defaults", Files: map[string]string{"a.py": "import os\np.add_argument('--base', default='acme/base-7b')\nargs = p.parse_args()\nmodel = AutoModel.from_pretrained(args.base)\nX = os.getenv('ENC', 'acme/enc')\nSentenceTransformer(X)\n"},
			Want: []string{
				"model acme/base-7b a.py:4 python.from_pretrained",
				"model acme/enc a.py:6 python.sentence_transformers",
			}},
		{Name: "default parameter", Files: map[string]string{"a.py": "def load(model_id='acme/default'):\n    return AutoModel.from_pretrained(model_id)\n"},
			Want: []string{
				"model acme/default a.py:1 python.default_param",
				"model acme/default a.py:2 python.from_pretrained",
			}},
		{Name: "cross-module constant", Files: map[string]string{"pkg/settings.py": "LLM = 'acme/llm-1b'\n", "pkg/run.py": "from .settings import LLM\nAutoModelForCausalLM.from_pretrained(LLM)\n"},
			Want: []string{
				"model acme/llm-1b pkg/settings.py:1 python.model_constant",
			}},
		{Name: "pipeline positional and sentence-transformers bare name", Files: map[string]string{"a.py": "pipeline('ner', 'dslim/bert-base-NER')\nSentenceTransformer('all-mpnet-base-v2')\n"},
			Want: []string{
				"model dslim/bert-base-NER a.py:1 python.pipeline",
				"model sentence-transformers/all-mpnet-base-v2 a.py:2 python.sentence_transformers",
			}},
		{Name: "hub downloads", Files: map[string]string{"a.py": "hf_hub_download(repo_id='acme/m', filename='m.gguf', revision='v2')\nsnapshot_download('acme/corpus', repo_type='dataset')\n"},
			Want: []string{
				"dataset acme/corpus a.py:2 python.hf_hub",
				"model acme/m a.py:1 python.hf_hub",
			}},
		{Name: "torch hub and timm", Files: map[string]string{"a.py": "torch.hub.load('pytorch/vision:v0.10.0', 'resnet18')\ntimm.create_model('hf_hub:timm/vit_base_patch16_224.augreg_in21k')\ntimm.create_model('resnet50', pretrained=True)\n"},
			Want: []string{
				"model pytorch/vision/resnet18 a.py:1 python.torch_hub",
				"model timm/resnet50 a.py:3 python.timm",
				"model timm/vit_base_patch16_224.augreg_in21k a.py:2 python.timm",
			}},
		{Name: "ollama", Files: map[string]string{"a.py": "import ollama\nollama.chat(model='llama3.1:8b', messages=[])\n", "Modelfile": "FROM mistral:7b\nPARAMETER temperature 0.2\n", "run.sh": "#!/bin/sh\nollama pull qwen2:0.5b\n"},
			Want: []string{
				"model llama3.1:8b a.py:2 python.model_kwarg",
			}},
		{Name: "hosted models", Files: map[string]string{"a.py": "import anthropic\nc.messages.create(model='claude-3-5-sonnet-20241022', max_tokens=1)\ngenai.GenerativeModel('gemini-1.5-pro')\nclient.chat.complete(model='mistral-large-latest')\nco.chat(model='command-r-plus')\nlitellm.completion(model='anthropic/claude-3-haiku-20240307')\n"},
			Want: []string{
				"service claude-3-5-sonnet-20241022 a.py:2 python.model_kwarg",
				"service claude-3-haiku-20240307 a.py:6 python.model_kwarg",
				"service command-r-plus a.py:5 python.model_kwarg",
				"service gemini-1.5-pro a.py:3 python.hosted_model",
				"service mistral-large-latest a.py:4 python.model_kwarg",
			}},
		{Name: "weight download URL", Files: map[string]string{"a.py": "URL = 'https://huggingface.co/acme/m/resolve/main/model.safetensors'\nOTHER = 'https://example.com/files/w.gguf'\n"},
			Want: []string{
				"model acme/m a.py:1 python.url",
				"weights https://example.com/files/w.gguf a.py:2 python.url",
			}},
		{Name: "trap: ids in comments, docstrings, prose strings", Files: map[string]string{"a.py": "\"\"\"Uses acme/doc-model.\"\"\"\n# from_pretrained('acme/commented')\nprint('we use gpt-4o here')\nx = 'acme/not-a-model-position'\n"},
			Want: nil},
		{Name: "trap: an Agent class that is not an LLM agent", Files: map[string]string{"rl.py": "agent = Agent(self.world_size)\nrun_agent(agent, n_steps=10)\n"},
			Want: nil},
		{Name: "load_dataset, RAG loaders", Files: map[string]string{"a.py": "load_dataset('acme/reviews', 'en', revision='r3')\nPyPDFLoader('docs/handbook.pdf')\nWebBaseLoader('https://example.com/faq')\nSimpleDirectoryReader('docs')\n", "docs/handbook.pdf": "%PDF-1.4"},
			Want: []string{
				"dataset acme/reviews a.py:1 python.load_dataset",
				"dataset docs a.py:4 python.rag_loader",
				"dataset docs/handbook.pdf a.py:2 python.rag_loader",
				"dataset https://example.com/faq a.py:3 python.rag_loader",
			}},
		{Name: "prompt constants, templates, hub", Files: map[string]string{"a.py": "QA_TEMPLATE = 'Answer using the context: {context}'\nPROMPT_PATH = 'prompts/x.txt'\nt = PromptTemplate.from_template('Summarize: {text}')\nc = ChatPromptTemplate.from_messages([('system', 'Be terse.'), ('human', '{q}')])\np = hub.pull('rlm/rag-prompt')\n"},
			Want: []string{
				"prompt QA_TEMPLATE a.py:1 python.prompt_constant",
				"prompt a.py a.py:3 python.prompt_template",
				"prompt a.py a.py:4 python.prompt_template",
				"prompt rlm/rag-prompt a.py:5 python.langchain_hub",
			}},
		{Name: "trap: identifiers merely containing Policy, Template or Prompt", Files: map[string]string{
			"authz.go": "package authz\n\nconst Policy = `package policy.restauthz\n\ndefault allow := false\n`\n\nconst (\n\tPolicyNotSupportedErr = \"storage_policy_not_supported_error\"\n\tcoreValidationPolicyName = \"opa/config/validate.rego\"\n)\n\nconst exitPromptMessage = \"Do you want to exit ([y]/n)? \"\n",
			"run.go":   "package cmd\n\nfunc f() {\n\tusageTemplate := `Usage:\n  {{.UseLine}} [files]\n\nFlags:\n{{.LocalFlags.FlagUsages | trimRightSpace}}\n`\n\t_ = usageTemplate\n}\n\nconst TemplateGetQueueQuery = `SELECT metadata_payload, version FROM queues WHERE queue_type = ? AND queue_name = ?`\nconst urlPathTemplate = \"/namespaces/%s/workflows/%s/%s/history\"\n",
			"page.jsx": "export default function P() {\n  return <iframe title=\"video\" referrerPolicy=\"strict-origin-when-cross-origin\" />;\n}\nconst templateFile = 'test-keywords-in-ref_v0.yaml.template';\n",
			"gen.py":   "h_template = r\"\"\"\n#if defined(_MULTIARRAYMODULE)\ntypedef struct { int x; } S;\n#endif\n\"\"\"\nHTML_TEMPLATE = '<div class=\"animation\">{body} and more words here</div>'\ndef check(attr, value):\n    tmpl = '{attr!r} must be a boolean value (got {value!r})'\n    raise ValueError(tmpl.format(attr=attr, value=value))\n_MESSAGE_TEMPLATE = \"Usage of '{old_location}' is deprecated; please use '{new_location}' instead.\"\nACCESS_POLICY = 'allow read on the bucket for everyone in the group'\n"},
			Want: nil},
		{Name: "prompt constants by convention in Go, JavaScript and Python", Files: map[string]string{
			"bot.go":  "package bot\n\nconst systemPrompt = \"You are a release assistant. Answer in two short sentences.\"\n\nconst (\n\tSUMMARY_PROMPT_TEMPLATE = \"Summarize the following ticket for an engineer: %s\"\n\texampleInstructions = \"# Release review\\n\\nReview the supplied release plan and identify the three largest risks.\"\n)\n",
			"chat.ts": "const CONTENT_POLICY = 'Do not reveal personal data and refuse requests for medical advice.';\nexport const promptTemplate = `Translate the user's message into French: ${msg}`;\n",
			"p.py":    "SAFETY_POLICY = 'Never give medical advice; always refer the user to a doctor.'\nPROMPT_SUMMARIZE = 'Summarize the text below in three bullet points.'\n"},
			Want: []string{
				"prompt PROMPT_SUMMARIZE p.py:2 python.prompt_constant",
				"prompt SAFETY_POLICY p.py:1 python.prompt_constant",
			}},
		{Name: "tool schemas and decorators", Files: map[string]string{"a.py": "TOOLS = [{'type': 'function', 'function': {'name': 'get_time'}}]\nANTH = {'name': 'calc', 'description': 'x', 'input_schema': {'type': 'object'}}\n@tool('web_search')\ndef search(q):\n    pass\n@mcp.tool()\ndef read_file(p):\n    pass\n"},
			Want: []string{
				"tool calc a.py:2 python.tool_schema",
				"tool get_time a.py:1 python.tool_schema",
				"tool read_file a.py:7 python.mcp_tool",
				"tool web_search a.py:4 python.tool_decorator",
			}},
		{Name: "trap: tool schema quoted in a prompt", Files: map[string]string{"a.py": "SYSTEM_PROMPT = '''Tools look like {\"type\": \"function\", \"function\": {\"name\": \"fake\"}}'''\n"},
			Want: []string{
				"prompt SYSTEM_PROMPT a.py:1 python.prompt_constant",
			}},
		{Name: "agents", Files: map[string]string{"a.py": "r = Agent(role='Researcher', goal='g', backstory='b')\np = AssistantAgent('planner', llm_config=cfg)\nt = Agent(name='Triage', instructions='Route the user to the right team.')\n"},
			Want: []string{
				"agent Researcher a.py:1 python.agent",
				"agent Triage a.py:3 python.agent",
				"agent planner a.py:2 python.agent",
				"prompt a.py a.py:1 python.system_prompt",
				"prompt a.py a.py:3 python.system_prompt",
			}},
	})
}

// TestNotebook runs Notebook alone over the cases of the discovery table that
// hold files it wants.
func TestNotebook(t *testing.T) {
	detecttest.Check(t, Notebook{}, []detecttest.Case{
		{Name: "trap: notebook outputs and markdown", Files: map[string]string{"n.ipynb": `{"cells":[{"cell_type":"markdown","source":["AutoModel.from_pretrained('acme/md')"]},{"cell_type":"code","source":["x = 1\n"],"outputs":[{"output_type":"stream","text":["AutoModel.from_pretrained('acme/out')"]}]}],"nbformat":4}`},
			Want: nil},
		{Name: "notebook code cells and line mapping", Files: map[string]string{"n.ipynb": "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import x\\n\",\n    \"m = AutoModel.from_pretrained(\\\"acme/nb\\\")\"\n   ]\n  }\n ],\n \"nbformat\": 4\n}\n"},
			Want: []string{
				"model acme/nb n.ipynb:7 python.from_pretrained",
			}},
	})
}

// TestPackages runs Packages alone over the cases of the discovery table that
// hold files it wants.
func TestPackages(t *testing.T) {
	detecttest.Check(t, Packages{}, []detecttest.Case{
		{Name: "manifests", Files: map[string]string{
			"pyproject.toml":  "[project]\ndependencies = [\n  \"torch>=2.1\",\n  \"requests\",\n]\n[tool.poetry.dependencies]\npython = \"^3.11\"\npeft = \"0.11.1\"\n",
			"environment.yml": "dependencies:\n  - pytorch=2.2.0\n  - numpy\n  - pip:\n    - vllm==0.5.0\n",
			"package.json":    "{\n  \"dependencies\": {\n    \"openai\": \"^4.52.0\",\n    \"@langchain/core\": \"0.2.1\",\n    \"react\": \"18.0.0\"\n  }\n}\n",
			"go.mod":          "module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.20.0\n\tgithub.com/spf13/cobra v1.8.0\n)\n"},
			Want: []string{
				"framework peft pyproject.toml:8 pyproject.poetry",
				"framework torch environment.yml:2 environment.yml",
				"framework torch pyproject.toml:3 pyproject.dependencies",
				"framework vllm environment.yml:5 environment.yml",
			}},
	})
}

func FuzzNotebook(f *testing.F) {
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":["from transformers import pipeline\n","pipeline('ner', model='acme/x')"]}],"nbformat":4}`))
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":"!ollama pull llama3\nimport ollama"}]}`))
	f.Add([]byte(`{"worksheets":[{"cells":[{"cell_type":"code","input":["x = 1"]}]}]}`))
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":["s = '''unterminated"]}]}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cells, err := parseNotebook(data)
		if err == nil {
			for _, c := range cells {
				if len(c.lines) != len(c.at) {
					t.Fatalf("lines and line map differ: %d vs %d", len(c.lines), len(c.at))
				}
			}
		}
		r := detecttest.Run(t, Notebook{}, fstest.MapFS{"n.ipynb": {Data: data}}, false)
		lines := strings.Count(string(data), "\n") + 1
		for _, fd := range r.Sightings {
			if fd.Line < 0 || fd.Line > lines {
				t.Fatalf("line %d outside the %d-line file: %+v", fd.Line, lines, fd)
			}
		}
	})
}
