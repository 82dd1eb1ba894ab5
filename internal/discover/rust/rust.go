// Package rust reads Rust sources and Cargo.toml: model ids, tool schemas
// and system messages in json!({...}) literals, and the ML frameworks a
// crate depends on.
package rust

import (
	"bytes"
	"context"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
)

// Source reads Rust files.
type Source struct{}

func (Source) Name() string { return "rust" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".rs" }

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	s := code.ParseContext(ctx, f, out, lex.Rust, "rust")
	t := s.Toks
	s.Constants(nil)
	s.Calls(nil)
	// json!({...}): tool schemas, system messages.
	s.Objects(func(prev int) bool {
		return prev >= 2 && s.IsOp(prev, "(") && s.IsOp(prev-1, "!") && t[prev-2].Text == "json"
	}, nil)
	if bytes.Contains(f.Data, []byte("rmcp")) || bytes.Contains(f.Data, []byte("ServerHandler")) || bytes.Contains(f.Data, []byte("tool_router")) {
		rmcp(s)
	}
	s.URLs()
}

// rmcp reads the official Rust SDK's servers: a type is an MCP server when
// it implements ServerHandler (impl ServerHandler for T, or
// #[tool_router(server_handler)] impl T), since from_build_env() announces
// only the crate name; every #[tool] function is a tool, named by the
// attribute's name = "..." or else by the function.
func rmcp(s *code.Source) {
	t := s.Toks
	add := func(name string, line int, det string) {
		s.Report.Add(asset.Sighting{Kind: asset.KindTool, Name: name, Path: s.File.Path, Line: line,
			Detector: s.Det + "." + det, Confidence: 0.85, Provider: "mcp"})
	}
	for i := 0; i+2 < len(t) && !s.Stop.Stop(); i++ {
		if t[i].Kind == lex.Ident && t[i].Text == "ServerHandler" && t[i+1].Text == "for" && t[i+2].Kind == lex.Ident && implBefore(s, i) {
			add(t[i+2].Text, t[i+2].Line, "mcp_server")
			continue
		}
		// A tool listed by hand: Tool::new("ask_llm", "description", schema).
		if t[i].Kind == lex.Ident && t[i].Text == "Tool" && s.IsOp(i+1, "::") && t[i+2].Text == "new" && s.IsOp(i+3, "(") {
			s.Tool(i+4, "mcp_tool")
			continue
		}
		if !s.IsOp(i, "#") || !s.IsOp(i+1, "[") || t[i+2].Kind != lex.Ident {
			continue
		}
		end := closing(s, i+1)
		if end < 0 {
			continue
		}
		switch t[i+2].Text {
		case "tool_router":
			handler := false
			for j := i + 3; j < end; j++ {
				handler = handler || t[j].Text == "server_handler"
			}
			if k := afterAttrs(s, end+1); handler && k+1 < len(t) && t[k].Text == "impl" {
				if n := typeAfterImpl(s, k+1); n >= 0 {
					add(t[n].Text, t[n].Line, "mcp_server")
				}
			}
		case "tool":
			name, line := "", t[i].Line
			for j := i + 3; j+2 < end; j++ {
				if t[j].Text == "name" && s.IsOp(j+1, "=") && t[j+2].Kind == lex.String {
					name, line = t[j+2].Text, t[j+2].Line
				}
			}
			if name == "" {
				k := afterAttrs(s, end+1)
				for ; k < len(t) && k < end+12 && t[k].Text != "fn"; k++ {
				}
				if k+1 < len(t) && t[k].Text == "fn" && t[k+1].Kind == lex.Ident {
					name, line = t[k+1].Text, t[k+1].Line
				}
			}
			if name != "" {
				add(name, line, "mcp_tool")
			}
		}
		i = end
	}
}

// implBefore reports an impl keyword shortly before token i (impl<S> X for).
func implBefore(s *code.Source, i int) bool {
	for j := i - 1; j >= 0 && j >= i-12; j-- {
		if s.Toks[j].Text == "impl" {
			return true
		}
		if s.IsOp(j, ";") || s.IsOp(j, "}") || s.IsOp(j, "{") {
			return false
		}
	}
	return false
}

// closing returns the index of the bracket closing the one at open, or -1.
func closing(s *code.Source, open int) int {
	depth := 0
	for j := open; j < len(s.Toks) && j < open+400; j++ {
		switch {
		case s.IsOp(j, "[") || s.IsOp(j, "(") || s.IsOp(j, "{"):
			depth++
		case s.IsOp(j, "]") || s.IsOp(j, ")") || s.IsOp(j, "}"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// afterAttrs skips further #[...] attributes from token k.
func afterAttrs(s *code.Source, k int) int {
	for k+1 < len(s.Toks) && s.IsOp(k, "#") && s.IsOp(k+1, "[") {
		end := closing(s, k+1)
		if end < 0 {
			return len(s.Toks)
		}
		k = end + 1
	}
	return k
}

// typeAfterImpl returns the token of the type an impl block is for,
// skipping generic parameters (impl<S: Store> T<S>).
func typeAfterImpl(s *code.Source, k int) int {
	if s.IsOp(k, "<") {
		// Bounded like closing: an unclosed < must not make every impl
		// scan the rest of the file.
		depth := 0
		for limit := k + 64; k < len(s.Toks) && k < limit; k++ {
			if s.IsOp(k, "<") {
				depth++
			} else if s.IsOp(k, ">") {
				depth--
				if depth == 0 {
					k++
					break
				}
			}
		}
		if depth != 0 {
			return -1
		}
	}
	if k < len(s.Toks) && s.Toks[k].Kind == lex.Ident {
		return k
	}
	return -1
}
