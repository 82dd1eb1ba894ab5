package ruby

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestSource(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "MCP Ruby SDK server and tools", Files: map[string]string{"server.rb": "require \"mcp\"\n\nclass ExampleTool < MCP::Tool\n  description \"Adds\"\nend\n\nclass HTTPFetch < MCP::Tool\n  tool_name \"fetch_url\"\nend\n\nserver = MCP::Server.new(\n  name: \"example_server\",\n  tools: [ExampleTool],\n)\n\nserver.define_tool(\n  name: \"echo\",\n  description: \"Echo\",\n) do |message:|\nend\n"},
			Want: []string{
				"tool echo server.rb:17 ruby.mcp_tool",
				"tool example_server server.rb:12 ruby.mcp_server",
				"tool example_tool server.rb:3 ruby.mcp_tool",
				"tool fetch_url server.rb:7 ruby.mcp_tool",
			}},
		{Name: "trap: not the MCP SDK", Files: map[string]string{"app.rb": "class ExampleTool < Tool\nend\nserver = Server.new(name: \"web\")\nform.define_tool(name: \"x\")\n"},
			Want: nil},
	})
}
