package discover

import (
	"regexp"
	"strings"
)

// codeDetector handles JavaScript/TypeScript, Go and Rust with one lexer
// and a few token patterns: constants, object keys and struct fields named
// like a model, transformers.js pipeline/from_pretrained, builder calls
// (.model("...")), MCP and LangChain.js tool registrations, and object
// literals (tool schemas, system messages) in JavaScript.
type codeDetector struct{}

func (codeDetector) name() string { return "code" }
func (codeDetector) wants(f *file) bool {
	switch f.ext {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".go", ".rs":
		return true
	}
	return false
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

var reOllamaImport = regexp.MustCompile(`from ["']ollama|require\(["']ollama|"github.com/ollama/ollama|ollama_rs|ollama-rs`)

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

func (codeDetector) detect(f *file, out *sink) {
	l := langJS
	det := "js"
	switch f.ext {
	case ".go":
		l, det = langGo, "go"
	case ".rs":
		l, det = langRust, "rust"
	}
	t := lex(f.data, l)
	isOp := func(i int, op string) bool { return i >= 0 && i < len(t) && t[i].kind == tOp && t[i].text == op }
	consts := map[string]string{}
	constLine := map[string]int{}
	constTok := map[string]int{}
	// Constants: NAME = "..." / NAME := "..." / const NAME: &str = "...".
	for i := 0; i+2 < len(t); i++ {
		if t[i].kind != tIdent {
			continue
		}
		j := i + 1
		if l == langRust && isOp(j, ":") {
			for k := j; k < len(t) && k < j+6; k++ {
				if isOp(k, "=") {
					j = k
					break
				}
			}
		}
		if (isOp(j, "=") || isOp(j, ":=")) && j+1 < len(t) && t[j+1].kind == tString && !isOp(j+2, "+") && !isOp(j+2, ".") {
			name := t[i].text
			// Go typed constants: NAME TYPE = "v" names NAME, not TYPE.
			if l == langGo && i > 0 && t[i-1].kind == tIdent && t[i-1].line == t[i].line && !goKeywords[t[i-1].text] {
				name = t[i-1].text
			}
			if _, dup := consts[name]; !dup {
				consts[name] = t[j+1].text
				constLine[name] = t[i].line
				constTok[name] = i
			}
		}
	}
	catalogue := map[string]bool{}
	if l == langGo {
		catalogue = goModelCatalogue(t, consts, constTok)
	}
	ollama := reOllamaImport.Match(f.data)
	value := func(i int) (string, int, bool) {
		if i >= len(t) {
			return "", 0, false
		}
		switch t[i].kind {
		case tString:
			if t[i].fstr {
				return "", 0, false
			}
			return t[i].text, t[i].line, true
		case tIdent:
			if isOp(i+1, ".") && i+2 < len(t) && t[i+2].kind == tIdent && l == langGo {
				if v, ok := goModelSelector(t[i+2].text); ok {
					return v, t[i].line, true
				}
				return "", 0, false
			}
			if v, ok := consts[t[i].text]; ok && !isOp(i+1, ".") && !isOp(i+1, "(") {
				return v, t[i].line, true
			}
		}
		return "", 0, false
	}
	emitModel := func(v string, line int, h hint, d string) {
		if h == hintAny && ollama {
			if _, hosted := hostedProvider(v); !hosted && !reHFID.MatchString(v) {
				h = hintOllama
			}
		}
		if fd, ok := classify(f.fsys, f.dir, v, h); ok {
			fd.Path, fd.Line, fd.Detector = f.path, line, det+"."+d
			out.add(fd)
		}
	}
	for name, v := range consts {
		switch {
		case !reNotPrompt.MatchString(name) && len(strings.TrimSpace(v)) >= 20 && promptConstant(name, v):
			out.add(promptFinding(f.path, constLine[name], name, v, det+".prompt_constant"))
		case reModelName.MatchString(name) && !reNotModelName.MatchString(name) && !reAnyPromptWord.MatchString(name) && !catalogue[name]:
			emitModel(v, constLine[name], hintAny, "model_constant")
		}
	}
	for i := 0; i+1 < len(t); i++ {
		tk := t[i]
		// Object keys and struct fields: model: "...", Model: openai.GPT4o.
		if (tk.kind == tIdent || tk.kind == tString) && isOp(i+1, ":") && modelKeys[tk.text] {
			if v, line, ok := value(i + 2); ok {
				emitModel(v, line, hintAny, "model_key")
			}
			continue
		}
		if tk.kind != tIdent || !isOp(i+1, "(") {
			continue
		}
		recv := i >= 2 && isOp(i-1, ".")
		switch tk.text {
		case "pipeline":
			// transformers.js: pipeline("task", "Xenova/model")
			if v, line, ok := value(i + 4); ok && isOp(i+3, ",") {
				emitModel(v, line, hintHF, "pipeline")
			}
		case "from_pretrained", "fromPretrained":
			if v, line, ok := value(i + 2); ok {
				emitModel(v, line, hintHF, "from_pretrained")
			}
		case "model", "with_model", "new_model":
			if recv {
				if v, line, ok := value(i + 2); ok {
					emitModel(v, line, hintAny, "builder")
				}
			}
		case "tool", "registerTool", "addTool":
			// MCP TypeScript SDK: server.tool("name", ...); server.registerTool("name", ...)
			if recv && i+2 < len(t) && t[i+2].kind == tString && l == langJS {
				out.add(Finding{Kind: KindTool, Name: t[i+2].text, Path: f.path, Line: t[i+2].line, Detector: det + ".mcp_tool",
					Confidence: 0.9, Provider: "mcp"})
			}
		case "AddTool", "NewTool":
			// mcp-go: mcp.NewTool("name", ...)
			if i+2 < len(t) && t[i+2].kind == tString && l == langGo && tk.text == "NewTool" {
				out.add(Finding{Kind: KindTool, Name: t[i+2].text, Path: f.path, Line: t[i+2].line, Detector: det + ".mcp_tool",
					Confidence: 0.9, Provider: "mcp"})
			}
		}
	}
	// Object literals (JavaScript) and json!({...}) (Rust): tool schemas,
	// system messages, agent definitions.
	if l == langJS || l == langRust {
		tc := &treeCtx{f: f, out: out, det: det, skipListModels: true,
			resolve: func(n *node) []string {
				if v, ok := consts[n.s]; ok {
					return []string{v}
				}
				return nil
			}}
		for i := 0; i < len(t); i++ {
			if !isOp(i, "{") {
				continue
			}
			prev := i - 1
			objectPos := prev >= 0 && (isOp(prev, "(") || isOp(prev, "=") || isOp(prev, ",") || isOp(prev, ":") || isOp(prev, "[") ||
				(t[prev].kind == tIdent && t[prev].text == "return"))
			if l == langRust {
				objectPos = prev >= 2 && isOp(prev, "(") && isOp(prev-1, "!") && t[prev-2].text == "json"
			}
			if !objectPos {
				continue
			}
			n, end := parseLiteral(t, i, 0, func(x int) int { return x })
			tc.walk(n, nil, false, 0)
			if l == langJS && prev >= 1 && isOp(prev, "(") {
				jsAgentOrTool(f, out, t, prev-1, n, det)
			}
			if end > i {
				i = end - 1
			}
		}
	}
	for _, tk := range t {
		if tk.kind != tString {
			continue
		}
		s := strings.TrimSpace(tk.text)
		if strings.HasPrefix(s, "http") && !strings.ContainsAny(s, " \n") {
			if fd, ok := urlFinding(s); ok {
				fd.Path, fd.Line, fd.Detector = f.path, tk.line, det+".url"
				out.add(fd)
			}
		}
	}
}

// jsAgentOrTool recognises new Agent({name}), new DynamicTool({name}) and
// tool(fn, {name}) calls whose object argument was parsed as n.
func jsAgentOrTool(f *file, out *sink, t []token, calleeAt int, n *node, det string) {
	if calleeAt < 0 || t[calleeAt].kind != tIdent || n.kind != nDict {
		return
	}
	name := n.get("name")
	if name == nil || name.kind != nStr {
		return
	}
	switch t[calleeAt].text {
	case "Agent":
		out.add(Finding{Kind: KindAgent, Name: name.s, Path: f.path, Line: name.line, Detector: det + ".agent", Confidence: 0.85})
	case "DynamicTool", "DynamicStructuredTool", "tool", "FunctionTool":
		out.add(Finding{Kind: KindTool, Name: name.s, Path: f.path, Line: name.line, Detector: det + ".tool", Confidence: 0.9})
	}
}

var goKeywords = map[string]bool{"const": true, "var": true, "return": true, "case": true, "go": true, "defer": true, "if": true, "for": true, "range": true, "else": true}

// goModelCatalogue finds Go const ( ... ) blocks that list three or more
// model ids, as SDKs do (go-openai's CreateImageModelDallE2 = "dall-e-2"):
// such a block is the vocabulary of an API, data rather than a use. A use
// of one of its constants in a model position (Model: openai.GPT4o) is
// still reported where it happens.
func goModelCatalogue(t []token, consts map[string]string, constTok map[string]int) map[string]bool {
	for i := 0; i+1 < len(t); i++ {
		if t[i].kind == tIdent && t[i].text == "package" {
			if t[i+1].text == "main" {
				return nil // a program's constants are its own choices
			}
			break
		}
	}
	type block struct{ s, e int }
	var blocks []block
	for i := 0; i+1 < len(t); i++ {
		if t[i].kind != tIdent || t[i].text != "const" || t[i+1].kind != tOp || t[i+1].text != "(" {
			continue
		}
		depth := 0
		for k := i + 1; k < len(t); k++ {
			if t[k].kind != tOp {
				continue
			}
			switch t[k].text {
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
	out := map[string]bool{}
	for _, b := range blocks {
		var members []string
		models := 0
		for name, at := range constTok {
			if at <= b.s || at >= b.e {
				continue
			}
			members = append(members, name)
			v := consts[name]
			// Exported: an API's vocabulary for its callers; unexported
			// constants are the package's own settings.
			if _, hosted := hostedProvider(v); (hosted || reHFID.MatchString(v)) && name[0] >= 'A' && name[0] <= 'Z' {
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
