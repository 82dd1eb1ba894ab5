// Package code holds the token patterns that JavaScript/TypeScript, Go and
// Rust sources share: string constants, object keys and struct fields
// named like a model, builder calls (.model("...")), from_pretrained and
// pipeline calls, object literals and URL strings. The language packages
// (javascript, golang, rust) lex a file with Parse and add what only their
// language has.
package code

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"unicode"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/objects"
	"github.com/mlbom/autopilot/internal/discover/prompt"
	"github.com/mlbom/autopilot/internal/discover/refs"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// Source is one lexed file with its string constants.
type Source struct {
	File   *detect.File
	Report *detect.Report
	Lang   lex.Lang
	// Det prefixes detector names: "js", "go", "rust".
	Det  string
	Toks []lex.Token
	// Consts maps NAME to the string of NAME = "..." (the first one);
	// ConstLine and ConstTok locate it.
	Consts    map[string]string
	ConstLine map[string]int
	ConstTok  map[string]int
	// Assigns is every NAME = "..." in order, repeats included (a variable
	// given one prompt and then another).
	Assigns []Assign
	// Selector turns a pkg.Name expression into a model id (Go SDK
	// constants); nil when the language has none.
	Selector func(name string) (string, bool)
	// ollama: the file imports an Ollama client, so bare model names are
	// Ollama tags.
	ollama bool
	// Stop ends the loops over tokens when the scan is cancelled or the
	// file's time budget is spent; nil never stops.
	Stop *detect.Interrupt
}

var reOllamaImport = regexp.MustCompile(`from ["']ollama|require\(["']ollama|"github.com/ollama/ollama|ollama_rs|ollama-rs`)

// Assign is one NAME = "..." of a file.
type Assign struct {
	Name, Value string
	Line        int
}

// goKeywords precede a name on its line without being its type.
var goKeywords = map[string]bool{"const": true, "var": true, "return": true, "case": true, "go": true, "defer": true, "if": true, "for": true, "range": true, "else": true}

// Parse lexes f and collects its string constants:
// NAME = "..." / NAME := "..." / const NAME: &str = "...".
func Parse(f *detect.File, out *detect.Report, l lex.Lang, det string) *Source {
	return ParseContext(context.Background(), f, out, l, det)
}

// ParseContext is Parse whose lexing and later loops over tokens (Stop)
// end when ctx does.
func ParseContext(ctx context.Context, f *detect.File, out *detect.Report, l lex.Lang, det string) *Source {
	stop := detect.NewInterrupt(ctx)
	t := lex.LexUntil(f.Data, l, stop.Stop)
	s := &Source{File: f, Report: out, Lang: l, Det: det, Toks: t,
		Consts: map[string]string{}, ConstLine: map[string]int{}, ConstTok: map[string]int{},
		ollama: bytes.Contains(f.Data, []byte("ollama")) && reOllamaImport.Match(f.Data), Stop: stop}
	for i := 0; i+2 < len(t) && !stop.Stop(); i++ {
		if t[i].Kind != lex.Ident {
			continue
		}
		j := i + 1
		if l == lex.Rust && s.IsOp(j, ":") {
			for k := j; k < len(t) && k < j+6; k++ {
				if s.IsOp(k, "=") {
					j = k
					break
				}
			}
		}
		if (s.IsOp(j, "=") || s.IsOp(j, ":=")) && j+1 < len(t) && t[j+1].Kind == lex.String && !s.IsOp(j+2, "+") && (!s.IsOp(j+2, ".") || ownedString(s, j+2)) {
			name := t[i].Text
			// Go typed constants: NAME TYPE = "v" names NAME, not TYPE.
			if l == lex.Go && i > 0 && t[i-1].Kind == lex.Ident && t[i-1].Line == t[i].Line && !goKeywords[t[i-1].Text] {
				name = t[i-1].Text
			}
			s.Assigns = append(s.Assigns, Assign{Name: name, Value: t[j+1].Text, Line: t[i].Line})
			if _, dup := s.Consts[name]; !dup {
				s.Consts[name] = t[j+1].Text
				s.ConstLine[name] = t[i].Line
				s.ConstTok[name] = i
			}
		}
	}
	return s
}

// ownedString reports a Rust conversion of the literal before token i into
// an owned string ("...".to_string(), .to_owned(), .into()), which is still
// the literal's value.
func ownedString(s *Source, i int) bool {
	if s.Lang != lex.Rust || i+3 >= len(s.Toks) || !s.IsOp(i+2, "(") || !s.IsOp(i+3, ")") {
		return false
	}
	switch s.Toks[i+1].Text {
	case "to_string", "to_owned", "into":
		return true
	}
	return false
}

// IsOp reports whether token i is the operator op.
func (s *Source) IsOp(i int, op string) bool {
	return i >= 0 && i < len(s.Toks) && s.Toks[i].Kind == lex.Op && s.Toks[i].Text == op
}

// Value is the string token i stands for: a literal, a constant, or (with a
// Selector) an SDK constant.
func (s *Source) Value(i int) (string, int, bool) {
	t := s.Toks
	if i >= len(t) {
		return "", 0, false
	}
	switch t[i].Kind {
	case lex.String:
		if t[i].FStr {
			return "", 0, false
		}
		return t[i].Text, t[i].Line, true
	case lex.Ident:
		if s.IsOp(i+1, ".") && i+2 < len(t) && t[i+2].Kind == lex.Ident && s.Selector != nil {
			if v, ok := s.Selector(t[i+2].Text); ok {
				return v, t[i].Line, true
			}
			return "", 0, false
		}
		if v, ok := s.Consts[t[i].Text]; ok && !s.IsOp(i+1, ".") && !s.IsOp(i+1, "(") {
			return v, t[i].Line, true
		}
	}
	return "", 0, false
}

// Model reports v, found in a model position, as what it names.
func (s *Source) Model(v string, line int, h refs.Hint, d string) {
	if h == refs.Any && s.ollama {
		if _, hosted := refs.Hosted(v); !hosted && !refs.IsHFID(v) {
			h = refs.Ollama
		}
	}
	if fd, ok := refs.Model(s.File.FS, s.File.Dir, v, h); ok {
		fd.Path, fd.Line, fd.Detector = s.File.Path, line, s.Det+"."+d
		s.Report.Add(fd)
	}
}

// Constants reports prompt constants and constants named like a model,
// except those in skip (an SDK's vocabulary).
func (s *Source) Constants(skip map[string]bool) {
	for _, a := range s.Assigns {
		if !prompt.SettingName(a.Name) && len(strings.TrimSpace(a.Value)) >= 20 && prompt.Constant(a.Name, a.Value) {
			s.Report.Add(prompt.Sighting(s.File.Path, a.Line, a.Name, a.Value, s.Det+".prompt_constant"))
		}
	}
	for name, v := range s.Consts {
		if !(!prompt.SettingName(name) && len(strings.TrimSpace(v)) >= 20 && prompt.Constant(name, v)) &&
			refs.ModelVarName(name) && !prompt.HasPromptWord(name) && !skip[name] {
			s.Model(v, s.ConstLine[name], refs.Any, "model_constant")
		}
	}
}

// Calls reports model keys (model: "...", Model: openai.GPT4o) and the
// calls every language shares: pipeline, from_pretrained and builder
// .model(...). call, when set, sees every other call: the callee's token
// index, and whether it has a receiver.
func (s *Source) Calls(call func(i int, recv bool)) {
	t := s.Toks
	for i := 0; i+1 < len(t) && !s.Stop.Stop(); i++ {
		tk := t[i]
		// Object keys and struct fields: model: "...", Model: openai.GPT4o.
		if (tk.Kind == lex.Ident || tk.Kind == lex.String) && s.IsOp(i+1, ":") && objects.IsModelKey(tk.Text) {
			if v, line, ok := s.Value(i + 2); ok {
				s.Model(v, line, refs.Any, "model_key")
			}
			continue
		}
		if tk.Kind == lex.Ident && (s.IsOp(i+1, "||") || s.IsOp(i+1, "??") || s.IsOp(i+1, "?") || s.IsOp(i+1, ".") && i+2 < len(t) && strings.HasPrefix(t[i+2].Text, "unwrap_or")) &&
			refs.ModelVarName(tk.Text) {
			s.defaultModel(i)
		}
		if tk.Kind != lex.Ident || !s.IsOp(i+1, "(") {
			continue
		}
		s.envDefault(i)
		recv := i >= 2 && s.IsOp(i-1, ".")
		switch tk.Text {
		case "pipeline":
			// transformers.js: pipeline("task", "Xenova/model")
			if v, line, ok := s.Value(i + 4); ok && s.IsOp(i+3, ",") {
				s.Model(v, line, refs.HF, "pipeline")
			}
		case "from_pretrained", "fromPretrained":
			if v, line, ok := s.Value(i + 2); ok {
				s.Model(v, line, refs.HF, "from_pretrained")
			}
		case "model", "with_model", "new_model":
			if recv {
				if v, line, ok := s.Value(i + 2); ok {
					s.Model(v, line, refs.Any, "builder")
				}
			}
		default:
			if call != nil {
				call(i, recv)
			}
		}
	}
}

// defaultModel reports the fallback a model variable is given where it is
// read: model || "gpt-4o", model ?? "gpt-4o" (JavaScript), and
// model_name.unwrap_or("gpt-4o") or .unwrap_or_else(|| "gpt-4o".to_string())
// (Rust).
func (s *Source) defaultModel(i int) {
	j := i + 1
	switch {
	case s.IsOp(j, "||") || s.IsOp(j, "??"):
		j++
	case s.IsOp(j, "?") && s.IsOp(j+1, "?"):
		j += 2
	case s.IsOp(j, ".") && j+2 < len(s.Toks) && s.Toks[j+1].Kind == lex.Ident && s.IsOp(j+2, "(") &&
		(s.Toks[j+1].Text == "unwrap_or" || s.Toks[j+1].Text == "unwrap_or_else"):
		j += 3
		if s.IsOp(j, "||") {
			j++
		} else if s.IsOp(j, "|") && s.IsOp(j+1, "|") {
			j += 2
		}
	default:
		return
	}
	if j < len(s.Toks) && s.Toks[j].Kind == lex.String {
		if v, line, ok := s.Value(j); ok {
			s.Model(v, line, refs.Any, "model_default")
		}
	}
}

var reEnvName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// envDefault reports the default of a model setting read from the
// environment through a helper, getEnv("OPENAI_MODEL", "gpt-4o"), or Go's
// cmp.Or(os.Getenv("OPENAI_MODEL"), "gpt-4o"): the call at token i.
func (s *Source) envDefault(i int) {
	t := s.Toks
	if i+5 >= len(t) {
		return
	}
	name, def := i+2, i+4
	if t[i].Text == "Or" && t[name].Kind == lex.Ident && t[name].Text == "os" && s.IsOp(i+3, ".") && i+10 < len(t) &&
		t[i+4].Text == "Getenv" && s.IsOp(i+5, "(") && s.IsOp(i+7, ")") {
		name, def = i+6, i+9 // cmp.Or(os.Getenv("X"), "d")
		if !s.IsOp(i+8, ",") {
			return
		}
	} else if !s.IsOp(i+3, ",") {
		return
	}
	if t[name].Kind != lex.String || t[def].Kind != lex.String || !reEnvName.MatchString(t[name].Text) || !refs.ModelVarName(t[name].Text) {
		return
	}
	if v, line, ok := s.Value(def); ok && (def+1 >= len(t) || s.IsOp(def+1, ")")) {
		s.Model(v, line, refs.Any, "env_default")
	}
}

// Tool reports the tool a registration call names with the string token
// at i (server.tool("name"), mcp.NewTool("name")).
// The name may be a constant of the file (const name = "echo").
func (s *Source) Tool(i int, d string) {
	if v, line, ok := s.Value(i); ok && v != "" && (i+1 >= len(s.Toks) || s.IsOp(i+1, ",") || s.IsOp(i+1, ")")) {
		s.Report.Add(asset.Sighting{Kind: asset.KindTool, Name: v, Path: s.File.Path, Line: line,
			Detector: s.Det + "." + d, Confidence: 0.9, Provider: "mcp"})
	}
}

// Objects walks the object literals that open at a "{" for which at says
// yes (given the token before it) with the shared tree patterns; then, the
// parsed literal goes to after, when set.
func (s *Source) Objects(at func(prev int) bool, after func(prev int, n *tree.Node)) {
	w := &objects.Walker{File: s.File, Report: s.Report, Det: s.Det, SkipListModels: true, Stop: s.Stop,
		Resolve: func(n *tree.Node) []string {
			if v, ok := s.Consts[n.Text]; ok {
				return []string{v}
			}
			return nil
		}}
	for i := 0; i < len(s.Toks) && !s.Stop.Stop(); i++ {
		if !s.IsOp(i, "{") || !at(i-1) {
			continue
		}
		n, end := tree.ParseLiteral(s.Toks, i, 0, func(x int) int { return x })
		w.Walk(n)
		if after != nil {
			after(i-1, n)
		}
		if end > i {
			i = end - 1
		}
	}
}

// URLs reports string literals that are whole weight, model or dataset
// download URLs.
func (s *Source) URLs() {
	for _, tk := range s.Toks {
		if s.Stop.Stop() {
			return
		}
		if tk.Kind != lex.String {
			continue
		}
		u := strings.TrimSpace(tk.Text)
		if strings.HasPrefix(u, "http") && !strings.ContainsAny(u, " \n") {
			if fd, ok := refs.URL(u); ok {
				fd.Path, fd.Line, fd.Detector = s.File.Path, tk.Line, s.Det+".url"
				s.Report.Add(fd)
			}
		}
	}
}

// Snake turns a class or method name into the snake_case name SDKs derive
// from it for a tool (GetAlerts -> get_alerts, HTTPFetch -> http_fetch):
// the MCP Ruby SDK for MCP::Tool subclasses, the C# SDK for unnamed
// [McpServerTool] methods.
func Snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
