package csharp

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestSource(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "C# SDK tools, ServerInfo name, chat client model", Files: map[string]string{
			"Weather/Tools/WeatherTools.cs": "using ModelContextProtocol.Server;\n[McpServerToolType]\npublic sealed class WeatherTools\n{\n    [McpServerTool, Description(\"Alerts\")]\n    public static async Task<string> GetAlerts(string state) => \"\";\n\n    [McpServerTool(Name = \"weather_ui\")]\n    [Description(\"UI\")]\n    public static string WeatherUi() => \"\";\n}\n",
			"Weather/Program.cs":            "builder.Services.AddMcpServer(options =>\n{\n    options.ServerInfo = new Implementation { Name = \"weather-server\", Version = \"1.0.0\" };\n});\nvar c = new OpenAIClient(key).GetChatClient(\"gpt-4o-mini\");\n"},
			Want: []string{
				"service gpt-4o-mini Weather/Program.cs:5 csharp.client_model",
				"tool get_alerts Weather/Tools/WeatherTools.cs:6 csharp.mcp_tool",
				"tool weather-server Weather/Program.cs:3 csharp.mcp_server",
				"tool weather_ui Weather/Tools/WeatherTools.cs:8 csharp.mcp_tool",
			}},
		{Name: "server named after its project, McpServerTool.Create", Files: map[string]string{
			"Tasks/Tasks.csproj": "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>\n",
			"Tasks/Program.cs":   "services.AddMcpServer()\n    .WithTools([McpServerTool.Create(SlowTools.RunReport, new() { Name = \"run-report\" })]);\n"},
			Want: []string{
				"tool Tasks Tasks/Program.cs:1 csharp.mcp_server",
				"tool run-report Tasks/Program.cs:2 csharp.mcp_tool",
			}},
		{Name: "trap: attributes of other frameworks", Files: map[string]string{"Api/Controller.cs": "[HttpGet, Route(\"x\")]\npublic string Get() => \"\";\nvar name = \"McpServer\";\n"},
			Want: nil},
	})
}
