// Package csharp reads C# sources: MCP servers and tools of the official C#
// SDK (ModelContextProtocol), hosted model ids handed to chat clients, and
// the model and prompt constants every brace language shares (package code).
//
// Tokens come from the JavaScript lex mode: strings, comments and brackets
// are written alike, and C# has no regular-expression literals for it to
// mistake. Verbatim strings ending in a backslash (@"C:\dir\") are the one
// known misreading: the string runs on to the next quote, which can hide the
// assets on the rest of that line. Attributes and declarations are matched
// per line, as they are written one per line.
package csharp

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/refs"
)

// Source reads C# files.
type Source struct{}

func (Source) Name() string { return "csharp" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".cs" }

var (
	// [McpServerTool], [McpServerTool(Name = "add")], [McpServerTool, Description("...")]
	reToolAttr = regexp.MustCompile(`\[\s*McpServerTool\s*(?:\(([^\]]*?)\))?\s*[,\]]`)
	reNameArg  = regexp.MustCompile(`\bName\s*=\s*"([^"]+)"`)
	// The method an attribute stands on: its name before the parameter list.
	reMethod = regexp.MustCompile(`^\s*(?:(?:public|private|internal|protected|static|async|override|virtual|sealed|partial|unsafe|extern|new)\s+)*[\w<>\[\],.?]+(?:<[^()]*>)?\s+(\w+)\s*[(<]`)
	// McpServerTool.Create(handler, new() { Name = "run-report" })
	reToolCreate = regexp.MustCompile(`McpServerTool\.Create\(.*?\bName\s*=\s*"([^"]+)"`)
	// options.ServerInfo = new Implementation { Name = "weather-app-server", ... }
	reServerInfo = regexp.MustCompile(`\bServerInfo\s*=\s*new\b`)
	// A server is built here: AddMcpServer(...) or McpServer.Create(...).
	reServerBuild = regexp.MustCompile(`\.AddMcpServer\s*\(|\bMcpServer\.Create\s*\(`)
)

// Calls whose first argument is a hosted model id:
// new OpenAIClient(key).GetChatClient("gpt-4o-mini"), .AsIChatClient("claude-...").
var modelCalls = map[string]bool{
	"GetChatClient": true, "AsIChatClient": true, "GetEmbeddingClient": true, "GetResponsesClient": true,
	"GetAudioClient": true, "GetImageClient": true, "AsIEmbeddingGenerator": true, "GetOpenAIResponseClient": true,
}

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	s := code.ParseContext(ctx, f, out, lex.JS, "csharp")
	s.Constants(nil)
	s.Calls(func(i int, recv bool) {
		if modelCalls[s.Toks[i].Text] {
			if v, line, ok := s.Value(i + 2); ok {
				s.Model(v, line, refs.Any, "client_model")
			}
		}
	})
	if bytes.Contains(f.Data, []byte("McpServer")) {
		mcp(f, out, s.Stop)
	}
}

func mcp(f *detect.File, out *detect.Report, stop *detect.Interrupt) {
	add := func(name string, line int, det string) {
		out.Add(asset.Sighting{Kind: asset.KindTool, Name: name, Path: f.Path, Line: line,
			Detector: "csharp." + det, Confidence: 0.85, Provider: "mcp"})
	}
	lines := strings.Split(string(f.Data), "\n")
	named, built := false, 0
	for i, l := range lines {
		if stop.Stop() {
			return
		}
		if m := reToolAttr.FindStringSubmatch(l); m != nil {
			if n := reNameArg.FindStringSubmatch(m[1]); n != nil {
				add(n[1], i+1, "mcp_tool")
				continue
			}
			// Unnamed: the SDK announces the method name in snake_case.
			for j := i; j < len(lines) && j < i+8; j++ {
				cand := lines[j]
				if j == i {
					cand = l[strings.LastIndex(l, "]")+1:]
				}
				if strings.HasPrefix(strings.TrimSpace(cand), "[") {
					continue
				}
				if m := reMethod.FindStringSubmatch(cand); m != nil {
					add(code.Snake(m[1]), j+1, "mcp_tool")
					break
				}
			}
			continue
		}
		if m := reToolCreate.FindStringSubmatch(l); m != nil {
			add(m[1], i+1, "mcp_tool")
		}
		if reServerInfo.MatchString(l) {
			for j := i; j < len(lines) && j < i+6; j++ {
				if n := reNameArg.FindStringSubmatch(lines[j]); n != nil {
					add(n[1], j+1, "mcp_server")
					named = true
					break
				}
			}
		}
		if built == 0 && reServerBuild.MatchString(l) {
			built = i + 1
		}
	}
	// A server without ServerInfo announces its entry assembly: the project.
	if built > 0 && !named {
		add(projectName(f.FS, f.Dir), built, "mcp_server")
	}
}

// projectName is the name of the .csproj nearest above dir, or, for a
// file-based app without one, the directory's name.
func projectName(fsys fs.FS, dir string) string {
	for d := dir; ; d = path.Dir(d) {
		if fsys != nil {
			if es, err := fs.ReadDir(fsys, d); err == nil {
				for _, e := range es {
					if !e.IsDir() && strings.HasSuffix(e.Name(), ".csproj") {
						return strings.TrimSuffix(e.Name(), ".csproj")
					}
				}
			}
		}
		if d == "." || d == "/" || d == "" {
			break
		}
	}
	if dir == "." {
		return "mcp-server"
	}
	return path.Base(dir)
}
