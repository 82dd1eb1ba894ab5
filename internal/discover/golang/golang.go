// Package golang reads Go sources and go.mod: model ids (literals,
// constants, SDK constants such as openai.GPT4o), mcp-go tools, and the ML
// frameworks a module requires.
package golang

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/discover/code"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/refs"
)

// Source reads Go files.
type Source struct{}

func (Source) Name() string { return "go" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".go" }

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	s := code.ParseContext(ctx, f, out, lex.Go, "go")
	s.Selector = goModelSelector
	s.Constants(goModelCatalogue(s.Toks, s.Consts, s.ConstTok))
	s.Calls(func(i int, _ bool) {
		switch s.Toks[i].Text {
		case "NewTool":
			// mcp-go: mcp.NewTool("name", ...)
			s.Tool(i+2, "mcp_tool")
		case "NewMCPServer":
			// mcp-go: server.NewMCPServer("name", "version", ...)
			s.Tool(i+2, "mcp_server")
		}
	})
	sdkLiterals(s)
	s.URLs()
}

// sdkLiterals reads the official Go SDK's struct literals:
// mcp.NewServer(&mcp.Implementation{Name: "greeter"}, nil) names a server,
// mcp.AddTool(server, &mcp.Tool{Name: "greet"}, h) a tool.
func sdkLiterals(s *code.Source) {
	t := s.Toks
	for i := 2; i+1 < len(t) && !s.Stop.Stop(); i++ {
		if t[i].Kind != lex.Ident || !s.IsOp(i+1, "{") || !s.IsOp(i-1, ".") || t[i-2].Text != "mcp" {
			continue
		}
		det := ""
		switch t[i].Text {
		case "Implementation":
			// A server's: mcp.NewServer(&mcp.Implementation{...}) or ServerInfo =;
			// a client announces itself with one too (ClientInfo).
			server := false
			for k := i - 3; k >= 0 && k >= i-6; k-- {
				server = server || t[k].Text == "NewServer" || t[k].Text == "ServerInfo"
			}
			if !server {
				continue
			}
			det = "mcp_server"
		case "Tool":
			det = "mcp_tool"
		default:
			continue
		}
		// Name: "..." among the literal's top-level fields.
		depth := 0
		for j := i + 1; j < len(t) && j < i+200; j++ {
			switch {
			case s.IsOp(j, "{") || s.IsOp(j, "(") || s.IsOp(j, "["):
				depth++
			case s.IsOp(j, "}") || s.IsOp(j, ")") || s.IsOp(j, "]"):
				depth--
			}
			if depth == 0 {
				break
			}
			if depth == 1 && t[j].Kind == lex.Ident && t[j].Text == "Name" && s.IsOp(j+1, ":") {
				s.Tool(j+2, det)
				break
			}
		}
	}
}

// SDK constants for model ids (sashabaranov/go-openai, openai-go).
var goModelConsts = map[string]string{
	"GPT4o": "gpt-4o", "GPT4oMini": "gpt-4o-mini", "GPT4": "gpt-4", "GPT4Turbo": "gpt-4-turbo",
	"GPT3Dot5Turbo": "gpt-3.5-turbo", "O1": "o1", "O1Mini": "o1-mini", "O3Mini": "o3-mini", "O3": "o3",
	"GPT4Dot1": "gpt-4.1", "GPT4Dot1Mini": "gpt-4.1-mini", "GPT4Dot1Nano": "gpt-4.1-nano", "O4Mini": "o4-mini",
	"GPT5": "gpt-5", "GPT5Mini": "gpt-5-mini", "AdaEmbeddingV2": "text-embedding-ada-002",
	"SmallEmbedding3": "text-embedding-3-small", "LargeEmbedding3": "text-embedding-3-large",
	"Whisper1": "whisper-1", "GPT4o20240806": "gpt-4o-2024-08-06",
}

var reClaudeConst = regexp.MustCompile(`^(?:Model)?(Claude[A-Za-z0-9_]+)$`)

// goModelSelector turns an SDK selector (openai.GPT4o, anthropic.ModelClaude3_5SonnetLatest)
// into a model id.
func goModelSelector(sel string) (string, bool) {
	s := strings.TrimPrefix(sel, "ChatModel")
	if v, ok := goModelConsts[s]; ok {
		return v, true
	}
	if m := reClaudeConst.FindStringSubmatch(sel); m != nil {
		var parts []string
		cur := ""
		for i, r := range m[1] {
			switch {
			case r == '_':
				parts, cur = append(parts, cur), ""
			case r >= 'A' && r <= 'Z' && i > 0:
				parts, cur = append(parts, cur), string(r)
			case r >= '0' && r <= '9' && cur != "" && !(cur[len(cur)-1] >= '0' && cur[len(cur)-1] <= '9'):
				parts, cur = append(parts, cur), string(r)
			default:
				cur += string(r)
			}
		}
		parts = append(parts, cur)
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, strings.ToLower(p))
			}
		}
		return strings.Join(keep, "-"), true
	}
	return "", false
}

// goModelCatalogue finds Go const ( ... ) blocks that list three or more
// model ids, as SDKs do (go-openai's CreateImageModelDallE2 = "dall-e-2"):
// such a block is the vocabulary of an API, data rather than a use. A use
// of one of its constants in a model position (Model: openai.GPT4o) is
// still reported where it happens.
func goModelCatalogue(t []lex.Token, consts map[string]string, constTok map[string]int) map[string]bool {
	for i := 0; i+1 < len(t); i++ {
		if t[i].Kind == lex.Ident && t[i].Text == "package" {
			if t[i+1].Text == "main" {
				return nil // a program's constants are its own choices
			}
			break
		}
	}
	type block struct{ s, e int }
	var blocks []block
	for i := 0; i+1 < len(t); i++ {
		if t[i].Kind != lex.Ident || t[i].Text != "const" || t[i+1].Kind != lex.Op || t[i+1].Text != "(" {
			continue
		}
		depth := 0
		for k := i + 1; k < len(t); k++ {
			if t[k].Kind != lex.Op {
				continue
			}
			switch t[k].Text {
			case "(":
				depth++
			case ")":
				depth--
			}
			if depth == 0 {
				blocks = append(blocks, block{i, k})
				i = k
				break
			}
		}
	}
	// Blocks are in token order and do not overlap: one sweep over the
	// constants in token order finds each block's members (a file of many
	// small blocks was quadratic when every block looked at every constant).
	type constAt struct {
		at   int
		name string
	}
	byTok := make([]constAt, 0, len(constTok))
	for name, at := range constTok {
		byTok = append(byTok, constAt{at, name})
	}
	sort.Slice(byTok, func(i, j int) bool { return byTok[i].at < byTok[j].at })
	out := map[string]bool{}
	next := 0
	for _, b := range blocks {
		var members []string
		models := 0
		for next < len(byTok) && byTok[next].at <= b.s {
			next++
		}
		for ; next < len(byTok) && byTok[next].at < b.e; next++ {
			name := byTok[next].name
			members = append(members, name)
			v := consts[name]
			// Exported: an API's vocabulary for its callers; unexported
			// constants are the package's own settings.
			if _, hosted := refs.Hosted(v); (hosted || refs.IsHFID(v)) && name[0] >= 'A' && name[0] <= 'Z' {
				models++
			}
		}
		if models >= 3 {
			for _, m := range members {
				out[m] = true
			}
		}
	}
	return out
}
