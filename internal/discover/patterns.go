package discover

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"unicode/utf8"
)

// Keys whose string value names a model in configs and dict literals.
var modelKeys = map[string]bool{
	"model": true, "model_id": true, "model_name": true, "model_name_or_path": true,
	"pretrained_model_name_or_path": true, "base_model": true, "base_model_name_or_path": true,
	"embedding_model": true, "embed_model": true, "embeddings_model": true, "llm_model": true,
	"chat_model": true, "modelId": true, "modelName": true, "model_repo": true, "hf_model": true,
	"tokenizer_name": true, "reranker_model": true, "generator_model": true, "teacher_model": true,
	"Model": true,
}

var datasetKeys = map[string]bool{
	"dataset": true, "dataset_name": true, "dataset_id": true, "dataset_path": true,
	"train_dataset": true, "eval_dataset": true, "hf_dataset": true, "dataset_repo": true,
}

var promptKeys = map[string]bool{
	"system_prompt": true, "system_message": true, "prompt_template": true, "instructions": true,
	"systemPrompt": true, "system_instruction": true,
}

// treeCtx carries what pattern matching over a node tree needs.
type treeCtx struct {
	f   *file
	out *sink
	det string // detector prefix: "python", "js", "config"
	// resolve returns the string values of an identifier node in code.
	resolve func(n *node) []string
	// data-shaped JSON (records in arrays) is not configuration.
	skipListModels bool
	ollama         bool
	configKeys     bool
}

func (tc *treeCtx) strings(n *node) []string {
	if n == nil {
		return nil
	}
	switch n.kind {
	case nStr:
		return []string{n.s}
	case nIdent:
		if tc.resolve != nil {
			return tc.resolve(n)
		}
	}
	return nil
}

// walkTree matches tool schemas, MCP server maps, system messages, agent
// definitions and (for configs) model, dataset and prompt keys.
func (tc *treeCtx) walk(n *node, keyPath []string, inList bool, depth int) {
	if n == nil || depth > 64 {
		return
	}
	switch n.kind {
	case nList:
		for _, v := range n.vals {
			tc.walk(v, keyPath, true, depth+1)
		}
		return
	case nDict:
	default:
		return
	}
	if tc.matchTool(n) {
		return
	}
	if role := n.str("role"); role == "system" || role == "developer" {
		if c := n.get("content"); c != nil {
			tc.prompt(c, "", tc.det+".system_message")
		}
	}
	if tc.configKeys {
		tc.matchConfigAgent(n, keyPath)
	}
	for i, k := range n.keys {
		v := n.vals[i]
		kl := n.keyLines[i]
		switch {
		case k == "mcpServers" || k == "mcp_servers" || k == "context_servers" || (k == "servers" && strings.Contains(tc.f.base, "mcp")):
			if v.kind == nDict {
				tc.mcpServers(v)
				continue
			}
		case tc.configKeys && modelKeys[k] && !(inList && tc.skipListModels):
			for _, s := range tc.strings(v) {
				h := hintAny
				if tc.ollama || pathHas(keyPath, "ollama") {
					h = hintOllama
				}
				if fd, ok := classify(tc.f.fsys, tc.f.dir, s, h); ok {
					fd.Path, fd.Line, fd.Detector = tc.f.path, nonzero(v.line, kl), tc.det+".model_key"
					fd.Confidence = min(fd.Confidence, 0.8)
					tc.out.add(fd)
				}
			}
		case tc.configKeys && datasetKeys[k] && !(inList && tc.skipListModels):
			for _, s := range tc.strings(v) {
				tc.dataset(s, nonzero(v.line, kl))
			}
		case tc.configKeys && k == "datasets" && v.kind == nList:
			for _, it := range v.vals {
				switch it.kind {
				case nStr:
					tc.dataset(it.s, it.line)
				case nDict:
					if p := it.get("path"); p != nil && p.kind == nStr {
						tc.dataset(p.s, p.line)
					}
				}
			}
		case tc.configKeys && promptKeys[k] && v.kind == nStr && len(v.s) >= 20 && promptText(v.s, false):
			tc.prompt(v, strings.Join(append(append([]string{}, keyPath...), k), "."), tc.det+".prompt_key")
			continue
		case tc.configKeys && v.kind == nStr && (strings.HasPrefix(v.s, "https://") || strings.HasPrefix(v.s, "http://")) && !(inList && tc.skipListModels):
			if fd, ok := urlFinding(v.s); ok {
				fd.Path, fd.Line, fd.Detector = tc.f.path, v.line, tc.det+".url"
				tc.out.add(fd)
			}
		}
		tc.walk(v, append(keyPath, k), inList, depth+1)
	}
}

func pathHas(p []string, sub string) bool {
	for _, k := range p {
		if strings.Contains(strings.ToLower(k), sub) {
			return true
		}
	}
	return false
}

func nonzero(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func (tc *treeCtx) dataset(s string, line int) {
	if !reHFID.MatchString(s) || looksLikePath(s) {
		if p, ok := localPath(tc.f.fsys, tc.f.dir, s); ok {
			tc.out.add(Finding{Kind: KindDataset, Name: p, Path: tc.f.path, Line: line, Detector: tc.det + ".dataset_key",
				Confidence: 0.75, Provider: "local"})
		}
		return
	}
	tc.out.add(Finding{Kind: KindDataset, Name: s, Path: tc.f.path, Line: line, Detector: tc.det + ".dataset_key",
		Confidence: 0.8, Provider: "huggingface"})
}

// matchTool recognises function/tool schemas: OpenAI chat tools
// ({"type":"function","function":{"name":...}}), Responses/Assistants tools
// ({"type":"function","name":...,"parameters":...}), legacy functions
// ({"name":...,"parameters":{"properties"...}}), Anthropic tools
// ({"name":...,"input_schema":...}).
func (tc *treeCtx) matchTool(n *node) bool {
	typ := n.str("type")
	if fn := n.get("function"); typ == "function" && fn != nil && fn.kind == nDict {
		if nm := fn.get("name"); nm != nil {
			for _, s := range tc.strings(nm) {
				tc.out.add(Finding{Kind: KindTool, Name: s, Path: tc.f.path, Line: nm.line, Detector: tc.det + ".tool_schema",
					Confidence: 0.95, Props: map[string]string{"schema": "openai-function"}})
			}
			return true
		}
	}
	nm := n.get("name")
	if nm == nil || nm.kind != nStr {
		return false
	}
	schema := ""
	switch {
	case typ == "function" && n.get("parameters") != nil:
		schema = "openai-function"
	case n.get("input_schema") != nil:
		schema = "anthropic-tool"
	case n.get("parameters") != nil && n.get("parameters").get("properties") != nil && n.get("description") != nil:
		schema = "openai-function"
	default:
		return false
	}
	tc.out.add(Finding{Kind: KindTool, Name: nm.s, Path: tc.f.path, Line: nm.line, Detector: tc.det + ".tool_schema",
		Confidence: 0.9, Props: map[string]string{"schema": schema}})
	return true
}

func (tc *treeCtx) mcpServers(v *node) {
	for i, name := range v.keys {
		srv := v.vals[i]
		if srv.kind != nDict {
			continue
		}
		props := map[string]string{}
		for _, k := range []string{"command", "url", "type", "transport", "serverUrl", "httpUrl"} {
			if s := srv.str(k); s != "" {
				props[k] = s
			}
		}
		if a := srv.get("args"); a != nil && a.kind == nList {
			var args []string
			for _, x := range a.vals {
				if x.kind == nStr {
					args = append(args, x.s)
				}
			}
			props["args"] = strings.Join(args, " ")
		}
		if props["command"] == "" && props["url"] == "" && props["serverUrl"] == "" && props["httpUrl"] == "" {
			continue
		}
		fd := Finding{Kind: KindTool, Name: name, Path: tc.f.path, Line: v.keyLines[i], Detector: tc.det + ".mcp_server",
			Confidence: 0.95, Provider: "mcp", Props: props}
		if u := nonEmpty(props["url"], props["serverUrl"], props["httpUrl"]); u != "" {
			fd.URL = u
		}
		tc.out.add(fd)
	}
}

func nonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// matchConfigAgent recognises agents declared in config: OpenAI Assistants
// exports (name, model, instructions) and CrewAI agents.yaml (role, goal).
func (tc *treeCtx) matchConfigAgent(n *node, keyPath []string) {
	if n.str("role") != "" && n.get("goal") != nil && len(keyPath) > 0 {
		tc.out.add(Finding{Kind: KindAgent, Name: keyPath[len(keyPath)-1], Path: tc.f.path, Line: n.line - 1,
			Detector: tc.det + ".crewai_agent", Confidence: 0.85, Props: map[string]string{"role": n.str("role")}})
		return
	}
	if n.get("instructions") != nil && n.get("model") != nil && (n.get("tools") != nil || n.get("name") != nil) {
		name := n.str("name")
		line := n.line
		if nm := n.get("name"); nm != nil {
			line = nm.line
		}
		if name == "" {
			name = strings.TrimSuffix(path.Base(tc.f.path), path.Ext(tc.f.path))
		}
		tc.out.add(Finding{Kind: KindAgent, Name: name, Path: tc.f.path, Line: line,
			Detector: tc.det + ".assistant", Confidence: 0.85})
		if t := n.get("tools"); t != nil && t.kind == nList {
			for _, it := range t.vals {
				if typ := it.str("type"); typ != "" && typ != "function" {
					tc.out.add(Finding{Kind: KindTool, Name: typ, Path: tc.f.path, Line: it.line,
						Detector: tc.det + ".assistant_tool", Confidence: 0.85, Provider: "openai"})
				}
			}
		}
	}
}

// prompt records a prompt whose text is n (a string, or a constant in code).
// name is the constant or key; empty means the file path.
func (tc *treeCtx) prompt(n *node, name, det string) {
	vals := tc.strings(n)
	if len(vals) == 0 {
		return
	}
	if name == "" && n.kind == nIdent {
		name = n.s
	}
	if name == "" {
		name = tc.f.path
	}
	tc.out.add(promptFinding(tc.f.path, n.line, name, vals[0], det))
}

func promptFinding(p string, line int, name, text, det string) Finding {
	sum := sha256.Sum256([]byte(text))
	return Finding{Kind: KindPrompt, Name: name, Path: p, Line: line, Detector: det, Confidence: 0.85,
		Provider: "local",
		Props:    map[string]string{"sha256": hex.EncodeToString(sum[:]), "preview": preview(text)}}
}

func preview(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 120 {
		return s
	}
	cut := 120
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// detectConfigTree runs the tree patterns over a parsed JSON/YAML/TOML file.
func detectConfigTree(f *file, out *sink, root *node, skipListModels bool) {
	tc := &treeCtx{f: f, out: out, det: "config", skipListModels: skipListModels, configKeys: !isDataPath(f.path)}
	tc.walk(root, nil, false, 0)
}

// isDataPath reports test fixtures and data directories: names in them are
// data, not configuration.
func isDataPath(p string) bool {
	for _, seg := range strings.Split(strings.ToLower(path.Dir(p)), "/") {
		switch seg {
		case "test", "tests", "testdata", "fixtures", "__fixtures__", "__tests__", "spec", "mocks", "data", "examples_data", "snapshots", "__snapshots__":
			return true
		}
	}
	return false
}
