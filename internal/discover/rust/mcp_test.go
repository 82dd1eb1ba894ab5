package rust

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestRMCP(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "tool router with server_handler, named and unnamed tools", Files: map[string]string{"calc.rs": "use rmcp::{tool, tool_router};\n\n#[derive(Clone)]\npub struct Calculator;\n\n#[tool_router(server_handler)]\nimpl Calculator {\n    #[tool(description = \"Sum\")]\n    fn sum(&self) -> String { String::new() }\n\n    #[tool(name = \"get_weather\", description = \"x\")]\n    #[allow(dead_code)]\n    pub async fn weather(&self) -> String { String::new() }\n}\n"},
			Want: []string{
				"tool Calculator calc.rs:7 rust.mcp_server",
				"tool get_weather calc.rs:11 rust.mcp_tool",
				"tool sum calc.rs:9 rust.mcp_tool",
			}},
		{Name: "impl ServerHandler, Tool::new", Files: map[string]string{"s.rs": "use rmcp::ServerHandler;\nimpl<S: Store> ServerHandler for Generic<S> {\n    fn list(&self) -> Vec<Tool> {\n        vec![Tool::new(\n            \"ask_llm\",\n            \"Ask\",\n            schema,\n        )]\n    }\n}\n"},
			Want: []string{
				"tool Generic s.rs:2 rust.mcp_server",
				"tool ask_llm s.rs:5 rust.mcp_tool",
			}},
		{Name: "a model option's fallback", Files: map[string]string{"chat.rs": "let s = ChatSession::new(\n    client,\n    config.model_name.unwrap_or_else(|| \"gpt-4o-mini\".to_string()),\n);\nlet t = config.title.unwrap_or(\"gpt-4o\");\n"},
			Want: []string{"service gpt-4o-mini chat.rs:3 rust.model_default"}},
		{Name: "system prompt variable given two texts, owned strings", Files: map[string]string{"chat.rs": "let mut system_prompt;\nif plain {\n    system_prompt =\n        \"you are a assistant, you can help user to complete various tasks. you have the following tools:\\n\".to_string();\n} else {\n    system_prompt = \"you are a assistant, you can help user to complete various tasks.\".to_string();\n}\n"},
			Want: []string{
				"prompt system_prompt chat.rs:3 rust.prompt_constant",
				"prompt system_prompt chat.rs:6 rust.prompt_constant",
			}},
		{Name: "trap: #[tool] outside rmcp", Files: map[string]string{"lib.rs": "#[tool(description = \"x\")]\nfn sum() {}\nimpl Handler for X {}\n"},
			Want: nil},
	})
}
