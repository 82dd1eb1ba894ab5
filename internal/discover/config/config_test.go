package config

import (
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestFiles runs Files alone over the cases of the discovery table that
// hold files it wants.
func TestFiles(t *testing.T) {
	detecttest.Check(t, Files{}, []detecttest.Case{
		{Name: "coreml mlpackage", Files: map[string]string{"M.mlpackage/Manifest.json": `{"fileFormatVersion":"1.0.0"}`, "M.mlpackage/Data/weights/weight.bin": "\x01\x02\x03\x04\x05"},
			Want: nil},
		{Name: "config keys in YAML and TOML", Files: map[string]string{"c.yaml": "llm:\n  model: gpt-4o\nembedder:\n  model_name: BAAI/bge-small-en-v1.5\n", "c.toml": "[ollama]\nmodel = \"phi3:mini\"\n"},
			Want: []string{
				"model BAAI/bge-small-en-v1.5 c.yaml:4 config.model_key",
				"model phi3:mini c.toml:2 config.model_key",
				"service gpt-4o c.yaml:2 config.model_key",
			}},
		{Name: "trap: model names as data", Files: map[string]string{"tests/fixtures/models.json": `{"model": "gpt-4o"}`, "data/names.json": `[{"model": "gpt-4o"}]`, "names.csv": "model\ngpt-4o\nacme/m\n", "results.json": `[{"model": "acme/m", "score": 1}]`},
			Want: nil},
		{Name: "mcp servers in YAML, assistant config", Files: map[string]string{"agent.yaml": "mcp_servers:\n  fetch:\n    command: uvx\n    args: [mcp-server-fetch]\n", "assistant.json": "{\n \"name\": \"Helper\",\n \"model\": \"gpt-4o\",\n \"instructions\": \"Help with billing questions politely.\",\n \"tools\": [{\"type\": \"code_interpreter\"}]\n}\n"},
			Want: []string{
				"agent Helper assistant.json:2 config.assistant",
				"prompt instructions assistant.json:4 config.prompt_key",
				"service gpt-4o assistant.json:3 config.model_key",
				"tool code_interpreter assistant.json:5 config.assistant_tool",
				"tool fetch agent.yaml:2 config.mcp_server",
			}},
		{Name: "model table under a provider", Files: map[string]string{"config.yml": "default-model: gpt-4o\napis:\n  openai:\n    models:\n      gpt-4o:\n        aliases: [\"4o\"]\n  sambanova:\n    models:\n      Meta-Llama-3.1-8B-Instruct:\n        max-input-chars: 49000\n      deepseek-chat:\n      default:\n  ollama:\n    models:\n      \"llama3.2:3b\":\n        aliases: [llama3.2]\n"},
			Want: []string{
				"model Meta-Llama-3.1-8B-Instruct config.yml:9 config.model_table",
				"model deepseek-chat config.yml:11 config.model_table",
				"model llama3.2:3b config.yml:15 config.model_table",
				"service gpt-4o config.yml:1 config.model_key",
				"service gpt-4o config.yml:5 config.model_table",
			}},
		{Name: "a catalogue provider's org/model keys; detectron2 weights", Files: map[string]string{
			"c.yml":   "apis:\n  github-models:\n    models:\n      openai/o3-mini:\n        max-input-chars: 1\n",
			"d2.yaml": "MODEL:\n  WEIGHTS: \"detectron2://ImageNetPretrained/torchvision/R-50.pkl\"\n"},
			Want: []string{
				"model detectron2://ImageNetPretrained/torchvision/R-50.pkl d2.yaml:2 config.model_uri",
				"service openai/o3-mini c.yml:4 config.model_table",
			}},
		{Name: "models set in a service's environment", Files: map[string]string{
			"docker-compose.yml": "services:\n  app:\n    environment:\n      - OPENAI_MODEL=gpt-4o\n      - PORT=8080\n  worker:\n    environment:\n      EMBEDDING_MODEL: BAAI/bge-small-en-v1.5\n",
			"deploy.yaml":        "spec:\n  containers:\n    - env:\n        - name: CHAT_MODEL\n          value: claude-3-5-haiku-latest\n        - name: MODEL_DIR\n          value: /models\n"},
			Want: []string{
				"model BAAI/bge-small-en-v1.5 docker-compose.yml:8 config.env_model",
				"service claude-3-5-haiku-latest deploy.yaml:5 config.env_model",
				"service gpt-4o docker-compose.yml:4 config.env_model",
			}},
		{Name: "trap: a generated catalogue of every provider's models", Files: map[string]string{
			"models.json": "{\"302ai\": {\"api\": \"https://api.302.ai/v1\", \"models\": {\"MiniMax-M1\": {\"limit\": 1}, \"glm-4.5\": {}}}, \"pad\": \"" + strings.Repeat("x", 300<<10) + "\"}"},
			Want: nil},
		{Name: "detectron2 datasets", Files: map[string]string{"configs/detr.yaml": "DATASETS:\n  TRAIN: (\"coco_2017_train\",)\n  TEST: (\"coco_2017_val\", \"lvis_v1_val\")\n"},
			Want: []string{
				"dataset coco_2017_train configs/detr.yaml:2 config.dataset_key",
				"dataset coco_2017_val configs/detr.yaml:3 config.dataset_key",
				"dataset lvis_v1_val configs/detr.yaml:3 config.dataset_key",
			}},
		{Name: "trap: models tables that are not model ids", Files: map[string]string{
			"app.yml":   "models:\n  User:\n    table: users\n  order-item:\n    table: items\n",
			"db.yml":    "api:\n  models:\n    user: app.User\n",
			"other.yml": "models:\n  resnet-v2:\n    path: a\n"},
			Want: nil},
		{Name: "an assistant named by its directory", Files: map[string]string{"assistants/user_interface/assistant.json": "[\n  {\n    \"model\": \"gpt-4-0125-preview\",\n    \"description\": \"Handles all interactions with the user.\",\n    \"tools\": [\"query_docs\"]\n  }\n]\n"},
			Want: []string{
				"agent user_interface assistants/user_interface/assistant.json:2 config.assistant",
			}},
		{Name: "system prompt on an agent command line", Files: map[string]string{".github/workflows/claude.yml": "jobs:\n  claude:\n    steps:\n      - uses: anthropics/claude-code-action@v1\n        with:\n          claude_args: |\n            --mcp-config .mcp.json\n            --append-system-prompt \"If posting a comment to GitHub, give a concise summary at the top.\"\n"},
			Want: []string{
				"prompt .github/workflows/claude.yml .github/workflows/claude.yml:8 config.cli_prompt",
			}},
		{Name: "manifests", Files: map[string]string{
			"pyproject.toml":  "[project]\ndependencies = [\n  \"torch>=2.1\",\n  \"requests\",\n]\n[tool.poetry.dependencies]\npython = \"^3.11\"\npeft = \"0.11.1\"\n",
			"environment.yml": "dependencies:\n  - pytorch=2.2.0\n  - numpy\n  - pip:\n    - vllm==0.5.0\n",
			"package.json":    "{\n  \"dependencies\": {\n    \"openai\": \"^4.52.0\",\n    \"@langchain/core\": \"0.2.1\",\n    \"react\": \"18.0.0\"\n  }\n}\n",
			"go.mod":          "module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.20.0\n\tgithub.com/spf13/cobra v1.8.0\n)\n"},
			Want: nil},
	})
}

// TestDVC runs DVC alone over the cases of the discovery table that
// hold files it wants.
func TestDVC(t *testing.T) {
	detecttest.Check(t, DVC{}, []detecttest.Case{
		{Name: "dvc", Files: map[string]string{"data/corpus.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 100\n  path: corpus\n"},
			Want: []string{
				"dataset data/corpus data/corpus.dvc:4 dvc.out",
			}},
	})
}
