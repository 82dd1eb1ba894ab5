package golang

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestSource runs Source alone over the cases of the discovery table that
// hold files it wants.
func TestSource(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "javascript, go and rust", Files: map[string]string{
			"w.ts":    "import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');\nconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages });\n",
			"main.go": "package main\n\nfunc f() {\n\treq := openai.ChatCompletionRequest{\n\t\tModel: openai.GPT4o,\n\t}\n\t_ = anthropic.MessageNewParams{Model: anthropic.ModelClaude3_5HaikuLatest}\n}\n",
			"lib.rs":  "let req = CreateChatCompletionRequestArgs::default().model(\"gpt-4o-mini\").build()?;\n"},
			Want: []string{
				"service claude-3-5-haiku-latest main.go:7 go.model_key",
				"service gpt-4o main.go:5 go.model_key",
			}},
		{Name: "trap: an SDK's exported model-id constants are its vocabulary", Files: map[string]string{
			"openai/image.go": "package openai\n\nconst (\n\tCreateImageModelDallE2 = \"dall-e-2\"\n\tCreateImageModelDallE3 = \"dall-e-3\"\n\tCreateImageModelGptImage1 = \"gpt-image-1\"\n)\n",
			"cmd/app/main.go": "package main\n\nconst (\n\tchatModel = \"gpt-4o\"\n\tembedModel = \"text-embedding-3-small\"\n\tvisionModel = \"gpt-4o-mini\"\n)\n\nfunc f() { _ = openai.ImageRequest{Model: openai.CreateImageModelDallE3} }\n"},
			Want: []string{
				"service gpt-4o cmd/app/main.go:4 go.model_constant",
				"service gpt-4o-mini cmd/app/main.go:6 go.model_constant",
				"service text-embedding-3-small cmd/app/main.go:5 go.model_constant",
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
				"prompt SUMMARY_PROMPT_TEMPLATE bot.go:6 go.prompt_constant",
				"prompt exampleInstructions bot.go:7 go.prompt_constant",
				"prompt systemPrompt bot.go:3 go.prompt_constant",
			}},
	})
}

// TestModule runs Module alone over the cases of the discovery table that
// hold files it wants.
func TestMCP(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "mcp-go and the official Go SDK", Files: map[string]string{
			"a.go": "package a\n\nfunc New() {\n\ts := server.NewMCPServer(\n\t\t\"secure-filesystem-server\",\n\t\t\"1.0.0\",\n\t)\n\ts.AddTool(mcp.NewTool(\"read_file\"), h)\n}\n",
			"b.go": "package b\n\nfunc New() {\n\tserver := mcp.NewServer(&mcp.Implementation{Name: \"greeter\", Version: \"v1\"}, nil)\n\tmcp.AddTool(server, &mcp.Tool{\n\t\tDescription: \"say hi\",\n\t\tName: \"greet\",\n\t}, SayHi)\n}\n"},
			Want: []string{
				"tool greet b.go:7 go.mcp_tool",
				"tool greeter b.go:4 go.mcp_server",
				"tool read_file a.go:8 go.mcp_tool",
				"tool secure-filesystem-server a.go:5 go.mcp_server",
			}},
		{Name: "trap: other packages' Tool and Implementation; a client's Implementation", Files: map[string]string{"c.go": "package c\n\nvar t = tools.Tool{Name: \"x\"}\nvar i = api.Implementation{Name: \"y\"}\n\nfunc f() {\n\treq.Params.ClientInfo = mcp.Implementation{\n\t\tName: \"test-client\",\n\t}\n}\n"},
			Want: nil},
	})
}

func TestEnvDefaults(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "model settings read from the environment with a default", Files: map[string]string{"cfg.go": "package cfg\n\nvar (\n\tmodel = cmp.Or(os.Getenv(\"OPENAI_MODEL\"), \"gpt-4o-mini\")\n\tembed = getEnv(\"EMBEDDING_MODEL\", \"text-embedding-3-small\")\n\tport  = getEnv(\"PORT\", \"gpt-4o\")\n)\n"},
			Want: []string{
				"service gpt-4o-mini cfg.go:4 go.env_default",
				"service text-embedding-3-small cfg.go:5 go.env_default",
			}},
	})
}

func TestModule(t *testing.T) {
	detecttest.Check(t, Module{}, []detecttest.Case{
		{Name: "manifests", Files: map[string]string{
			"pyproject.toml":  "[project]\ndependencies = [\n  \"torch>=2.1\",\n  \"requests\",\n]\n[tool.poetry.dependencies]\npython = \"^3.11\"\npeft = \"0.11.1\"\n",
			"environment.yml": "dependencies:\n  - pytorch=2.2.0\n  - numpy\n  - pip:\n    - vllm==0.5.0\n",
			"package.json":    "{\n  \"dependencies\": {\n    \"openai\": \"^4.52.0\",\n    \"@langchain/core\": \"0.2.1\",\n    \"react\": \"18.0.0\"\n  }\n}\n",
			"go.mod":          "module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.20.0\n\tgithub.com/spf13/cobra v1.8.0\n)\n"},
			Want: []string{
				"framework github.com/sashabaranov/go-openai go.mod:4 go.mod",
			}},
	})
}
