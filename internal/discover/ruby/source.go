package ruby

import (
	"bytes"
	"context"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
)

// Source reads Ruby files for the MCP Ruby SDK's servers and tools:
// MCP::Server.new(name: "..."), classes deriving from MCP::Tool (named by
// tool_name "..." or else the snake_case of the class, as the SDK does) and
// server.define_tool(name: "...").
type Source struct{}

func (Source) Name() string { return "ruby" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".rb" }

var (
	reToolClass = regexp.MustCompile(`^\s*class\s+([A-Z]\w*)\s*<\s*(?:::)?MCP::Tool\b`)
	reToolName  = regexp.MustCompile(`^\s*tool_name\s*\(?\s*["']([^"']+)["']`)
	reServerNew = regexp.MustCompile(`MCP::Server\.new\b`)
	reDefine    = regexp.MustCompile(`\.define_tool\b`)
	reNameKw    = regexp.MustCompile(`(?:^|[\s(,{])name:\s*["']([^"'#]+)["']`)
	reClassLine = regexp.MustCompile(`^\s*class\s`)
)

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	if !bytes.Contains(f.Data, []byte("MCP::")) {
		return
	}
	lines := strings.Split(string(f.Data), "\n")
	add := func(name string, line int, det string) {
		out.Add(asset.Sighting{Kind: asset.KindTool, Name: name, Path: f.Path, Line: line,
			Detector: "ruby." + det, Confidence: 0.85, Provider: "mcp"})
	}
	for i, l := range lines {
		if stop.Stop() {
			return
		}
		if m := reToolClass.FindStringSubmatch(l); m != nil {
			name := code.Snake(m[1])
			for j := i + 1; j < len(lines) && j < i+40 && !reClassLine.MatchString(lines[j]); j++ {
				if n := reToolName.FindStringSubmatch(lines[j]); n != nil {
					name = n[1]
					break
				}
			}
			add(name, i+1, "mcp_tool")
			continue
		}
		det := ""
		switch {
		case reServerNew.MatchString(l):
			det = "mcp_server"
		case reDefine.MatchString(l):
			det = "mcp_tool"
		default:
			continue
		}
		// name: "..." among the call's first keyword arguments.
		for j := i; j < len(lines) && j < i+8; j++ {
			if n := reNameKw.FindStringSubmatch(lines[j]); n != nil {
				add(n[1], j+1, det)
				break
			}
			if j > i && strings.Contains(lines[j], ")") && !strings.Contains(lines[j], "(") {
				break
			}
		}
	}
}
