package javascript

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
				"model Xenova/distilbert-base-uncased-finetuned-sst-2-english w.ts:2 js.pipeline",
				"service gpt-4o w.ts:3 js.model_key",
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
				"prompt CONTENT_POLICY chat.ts:1 js.prompt_constant",
				"prompt promptTemplate chat.ts:2 js.prompt_constant",
			}},
	})
}

// TestPackages runs Packages alone over the cases of the discovery table that
// hold files it wants.
func TestMCP(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "McpServer name, registerTool by constant, task tools", Files: map[string]string{
			"index.ts": "import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\nconst server = new McpServer({\n  name: \"memory-server\",\n  version: \"0.6.3\",\n});\nserver.registerTool(\"read_graph\", {}, h);\n",
			"echo.ts":  "const name = \"echo\";\nexport const register = (server) => {\n  server.registerTool(name, config, h);\n  server.experimental.tasks.registerToolTask(\"research\", {}, h);\n};\n"},
			Want: []string{
				"tool echo echo.ts:3 js.mcp_tool",
				"tool memory-server index.ts:3 js.mcp_server",
				"tool read_graph index.ts:6 js.mcp_tool",
				"tool research echo.ts:4 js.mcp_tool",
			}},
		{Name: "trap: a tool name that is a variable", Files: map[string]string{"x.ts": "server.registerTool(toolName, config, h);\nserver.tool(name + \"x\", h);\n"},
			Want: nil},
	})
}

func TestModelDefaults(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "fallbacks of a model variable", Files: map[string]string{"a.ts": "const model = process.env.OPENAI_MODEL || \"gpt-4o\";\nconst m2 = cfg.chatModel ?? \"gpt-4o-mini\";\nconst name = cfg.title || \"gpt-4o-2024\";\n"},
			Want: []string{
				"service gpt-4o a.ts:1 js.model_default",
				"service gpt-4o-mini a.ts:2 js.model_default",
			}},
	})
}

func TestAssistantsAndPromptKeys(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "assistant created from an object literal; sampling systemPrompt", Files: map[string]string{
			"route.ts":    "const a = await openai.beta.assistants.create({\n  instructions: \"You are a helpful assistant for the billing team.\",\n  name: \"Billing Assistant\",\n  model: \"gpt-4o\",\n  tools: [{ type: \"code_interpreter\" }, { type: \"file_search\" }],\n});\n",
			"sampling.ts": "const req = { params: { messages: [], systemPrompt: \"You are a helpful test server.\", maxTokens } };\n"},
			Want: []string{
				"agent Billing Assistant route.ts:3 js.assistant",
				"prompt route.ts route.ts:2 js.prompt_key",
				"prompt sampling.ts sampling.ts:1 js.prompt_key",
				"service gpt-4o route.ts:4 js.model_key",
				"tool code_interpreter route.ts:5 js.assistant_tool",
				"tool file_search route.ts:5 js.assistant_tool",
			}},
		{Name: "trap: instructions of a form", Files: map[string]string{"form.tsx": "const step = { title: \"Email\", instructions: \"Please enter your email address in the field below.\" };\n"},
			Want: nil},
	})
}

func TestPackageLicense(t *testing.T) {
	detecttest.Check(t, Packages{}, []detecttest.Case{
		{Name: "package.json license", Files: map[string]string{
			"a/package.json": "{\n  \"name\": \"a\",\n  \"license\": \"MIT\"\n}\n",
			"b/package.json": "{\n  \"name\": \"b\",\n  \"license\": \"SEE LICENSE IN LICENSE\"\n}\n"},
			Want: []string{"license MIT a/package.json:3 license.package_json"}},
	})
}

func TestPackages(t *testing.T) {
	detecttest.Check(t, Packages{}, []detecttest.Case{
		{Name: "manifests", Files: map[string]string{
			"pyproject.toml":  "[project]\ndependencies = [\n  \"torch>=2.1\",\n  \"requests\",\n]\n[tool.poetry.dependencies]\npython = \"^3.11\"\npeft = \"0.11.1\"\n",
			"environment.yml": "dependencies:\n  - pytorch=2.2.0\n  - numpy\n  - pip:\n    - vllm==0.5.0\n",
			"package.json":    "{\n  \"dependencies\": {\n    \"openai\": \"^4.52.0\",\n    \"@langchain/core\": \"0.2.1\",\n    \"react\": \"18.0.0\"\n  }\n}\n",
			"go.mod":          "module x\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.20.0\n\tgithub.com/spf13/cobra v1.8.0\n)\n"},
			Want: []string{
				"framework @langchain/core package.json:4 package.json",
				"framework openai package.json:3 package.json",
			}},
	})
}
