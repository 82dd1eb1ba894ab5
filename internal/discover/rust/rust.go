// Package rust reads Rust sources and Cargo.toml: model ids, tool schemas
// and system messages in json!({...}) literals, and the ML frameworks a
// crate depends on.
package rust

import (
	"context"

	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
)

// Source reads Rust files.
type Source struct{}

func (Source) Name() string { return "rust" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".rs" }

func (Source) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	s := code.Parse(f, out, lex.Rust, "rust")
	t := s.Toks
	s.Constants(nil)
	s.Calls(nil)
	// json!({...}): tool schemas, system messages.
	s.Objects(func(prev int) bool {
		return prev >= 2 && s.IsOp(prev, "(") && s.IsOp(prev-1, "!") && t[prev-2].Text == "json"
	}, nil)
	s.URLs()
}
