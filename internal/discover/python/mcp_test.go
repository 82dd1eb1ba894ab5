package python

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestMCPServers(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "low-level Server, Tool names from an Enum", Files: map[string]string{"server.py": "from enum import Enum\nfrom mcp.server import Server\nfrom mcp.types import Tool\n\nclass GitTools(str, Enum):\n    STATUS = \"git_status\"\n    DIFF = \"git_diff\"\n\nasync def serve():\n    server = Server(\"mcp-git\")\n    @server.list_tools()\n    async def list_tools():\n        return [\n            Tool(name=GitTools.STATUS, description=\"s\", inputSchema={}),\n            Tool(name=GitTools.DIFF.value, description=\"d\", inputSchema={}),\n            Tool(name=\"fetch\", description=\"f\", inputSchema={}),\n        ]\n"},
			Want: []string{
				"tool fetch server.py:16 python.mcp_tool",
				"tool git_diff server.py:15 python.mcp_tool",
				"tool git_status server.py:14 python.mcp_tool",
				"tool mcp-git server.py:10 python.mcp_server",
			}},
		{Name: "FastMCP", Files: map[string]string{"w.py": "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP(\"weather\")\n"},
			Want: []string{"tool weather w.py:2 python.mcp_server"}},
		{Name: "trap: Server and Tool of other libraries", Files: map[string]string{"app.py": "from http.server import Server\nfrom langchain.tools import Tool\ns = Server(\"web\")\nt = Tool(name=\"search\", func=f, description=\"d\")\n"},
			Want: []string{"tool search app.py:4 python.tool"}},
	})
}
