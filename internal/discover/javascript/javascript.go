// Package javascript reads JavaScript and TypeScript sources and
// package.json: model ids, MCP and LangChain.js tool registrations, agents
// and tool schemas in object literals, and the ML frameworks a package
// depends on.
package javascript

import (
	"context"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// Source reads JavaScript and TypeScript files.
type Source struct{}

func (Source) Name() string { return "javascript" }

func (Source) Wants(f *detect.File) bool {
	switch f.Ext {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts":
		return true
	}
	return false
}

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	s := code.ParseContext(ctx, f, out, lex.JS, "js")
	t := s.Toks
	s.Constants(nil)
	s.Calls(func(i int, recv bool) {
		switch t[i].Text {
		case "tool", "registerTool", "addTool", "registerToolTask":
			// MCP TypeScript SDK: server.tool("name", ...); server.registerTool("name", ...);
			// server.experimental.tasks.registerToolTask("name", ...)
			if recv {
				s.Tool(i+2, "mcp_tool")
			}
		}
	})
	// Object literals: tool schemas, system messages, agent definitions.
	s.Objects(func(prev int) bool {
		return prev >= 0 && (s.IsOp(prev, "(") || s.IsOp(prev, "=") || s.IsOp(prev, ",") || s.IsOp(prev, ":") || s.IsOp(prev, "[") ||
			(t[prev].Kind == lex.Ident && t[prev].Text == "return"))
	}, func(prev int, n *tree.Node) {
		if prev >= 1 && s.IsOp(prev, "(") {
			agentOrTool(f, out, t, prev-1, n, s.Det)
		}
	})
	s.URLs()
}

// agentOrTool recognises new Agent({name}), new DynamicTool({name}) and
// tool(fn, {name}) calls whose object argument was parsed as n.
func agentOrTool(f *detect.File, out *detect.Report, t []lex.Token, calleeAt int, n *tree.Node, det string) {
	if calleeAt < 0 || t[calleeAt].Kind != lex.Ident || n.Kind != tree.Dict {
		return
	}
	name := n.Get("name")
	if name == nil || name.Kind != tree.String {
		return
	}
	switch t[calleeAt].Text {
	case "Agent":
		out.Add(asset.Sighting{Kind: asset.KindAgent, Name: name.Text, Path: f.Path, Line: name.Line, Detector: det + ".agent", Confidence: 0.85})
	case "McpServer":
		// MCP TypeScript SDK: new McpServer({name: "memory-server", version})
		out.Add(asset.Sighting{Kind: asset.KindTool, Name: name.Text, Path: f.Path, Line: name.Line, Detector: det + ".mcp_server",
			Confidence: 0.9, Provider: "mcp"})
	case "DynamicTool", "DynamicStructuredTool", "tool", "FunctionTool":
		out.Add(asset.Sighting{Kind: asset.KindTool, Name: name.Text, Path: f.Path, Line: name.Line, Detector: det + ".tool", Confidence: 0.9})
	}
}
