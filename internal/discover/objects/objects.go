// Package objects recognises assets in object trees: configuration files
// (JSON, YAML, TOML) and the dict and object literals of code. Model,
// dataset and prompt keys, tool schemas, MCP server maps and agent
// definitions look the same wherever they are written, so every detector
// that has a tree walks it here.
package objects

import (
	"cmp"
	"path"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/prompt"
	"github.com/mlbom/autopilot/internal/discover/refs"
	"github.com/mlbom/autopilot/internal/discover/tree"
	"github.com/mlbom/autopilot/internal/redact"
)

// Keys whose string value names a model in configs and dict literals.
var modelKeys = map[string]bool{
	"model": true, "model_id": true, "model_name": true, "model_name_or_path": true,
	"pretrained_model_name_or_path": true, "base_model": true, "base_model_name_or_path": true,
	"embedding_model": true, "embed_model": true, "embeddings_model": true, "llm_model": true,
	"chat_model": true, "modelId": true, "modelName": true, "model_repo": true, "hf_model": true,
	"tokenizer_name": true, "reranker_model": true, "generator_model": true, "teacher_model": true,
	"Model": true, "default_model": true, "default-model": true, "defaultModel": true,
}

var datasetKeys = map[string]bool{
	"dataset": true, "dataset_name": true, "dataset_id": true, "dataset_path": true,
	"train_dataset": true, "eval_dataset": true, "hf_dataset": true, "dataset_repo": true,
}

var promptKeys = map[string]bool{
	"system_prompt": true, "system_message": true, "prompt_template": true, "instructions": true,
	"systemPrompt": true, "system_instruction": true,
}

// IsModelKey reports a key whose string value names a model.
func IsModelKey(k string) bool { return modelKeys[k] }

// Walker matches the patterns over a tree, reporting into one file's report.
type Walker struct {
	File   *detect.File
	Report *detect.Report
	Det    string // detector prefix: "python", "js", "config"
	// Resolve returns the string values of an identifier node in code.
	Resolve func(n *tree.Node) []string
	// data-shaped JSON (records in arrays) is not configuration.
	SkipListModels bool
	Ollama         bool
	ConfigKeys     bool
	// NoModelTables: the file is a generated catalogue (a models.dev-style
	// registry of every provider's models), not configuration; its models:
	// tables list what exists, not what the project uses.
	NoModelTables bool
	// Stop ends the walk when the scan is cancelled or the file's time
	// budget is spent; nil never stops.
	Stop *detect.Interrupt
}

func (tc *Walker) strings(n *tree.Node) []string {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case tree.String:
		return []string{n.Text}
	case tree.Ident:
		if tc.Resolve != nil {
			return tc.Resolve(n)
		}
	}
	return nil
}

// Walk matches the patterns over the tree rooted at n.
func (tc *Walker) Walk(n *tree.Node) { tc.walk(n, nil, false, 0) }

// walk matches tool schemas, MCP server maps, system messages, agent
// definitions and (for configs) model, dataset and prompt keys.
func (tc *Walker) walk(n *tree.Node, keyPath []string, inList bool, depth int) {
	if n == nil || depth > 64 || tc.Stop.Stop() {
		return
	}
	switch n.Kind {
	case tree.List:
		for _, v := range n.Vals {
			tc.walk(v, keyPath, true, depth+1)
		}
		return
	case tree.Dict:
	default:
		return
	}
	if tc.matchTool(n) {
		return
	}
	if role := n.Str("role"); role == "system" || role == "developer" {
		if c := n.Get("content"); c != nil {
			tc.prompt(c, "", tc.Det+".system_message")
		}
	}
	if tc.ConfigKeys {
		tc.matchConfigAgent(n, keyPath)
	} else if n.Get("instructions") != nil && n.Get("model") != nil && n.Get("name") != nil {
		// Code: an assistant or agent created from an object literal
		// (openai.beta.assistants.create({name, model, instructions, tools})).
		tc.matchConfigAgent(n, keyPath)
	}
	for i, k := range n.Keys {
		v := n.Vals[i]
		kl := n.KeyLines[i]
		switch {
		case k == "mcpServers" || k == "mcp_servers" || k == "mcp-servers" || k == "context_servers" || (k == "servers" && strings.Contains(tc.File.Base, "mcp")):
			if v.Kind == tree.Dict {
				tc.mcpServers(v)
				continue
			}
		case tc.ConfigKeys && modelKeys[k] && !(inList && tc.SkipListModels):
			for _, s := range tc.strings(v) {
				h := refs.Any
				if tc.Ollama || pathHas(keyPath, "ollama") {
					h = refs.Ollama
				}
				if fd, ok := refs.Model(tc.File.FS, tc.File.Dir, s, h); ok {
					fd.Path, fd.Line, fd.Detector = tc.File.Path, cmp.Or(v.Line, kl), tc.Det+".model_key"
					fd.Confidence = min(fd.Confidence, 0.8)
					tc.Report.Add(fd)
				}
			}
		case tc.ConfigKeys && (k == "environment" || k == "env") && (v.Kind == tree.List || v.Kind == tree.Dict):
			tc.envModels(v)
		case tc.ConfigKeys && !tc.NoModelTables && k == "models" && v.Kind == tree.Dict && !inList:
			if tc.modelTable(v, keyPath) {
				continue
			}
		case tc.ConfigKeys && datasetKeys[k] && !(inList && tc.SkipListModels):
			for _, s := range tc.strings(v) {
				tc.dataset(s, cmp.Or(v.Line, kl))
			}
		case tc.ConfigKeys && k == "DATASETS" && v.Kind == tree.Dict:
			// Detectron2: DATASETS: {TRAIN: ("coco_2017_train",), TEST: (...)}
			for i, split := range v.Keys {
				if x := v.Vals[i]; x.Kind == tree.String && (split == "TRAIN" || split == "TEST" || split == "VAL") {
					for _, n := range strings.Split(strings.Trim(x.Text, "()[] "), ",") {
						if n = strings.Trim(strings.TrimSpace(n), `"'`); n != "" && refs.IsBareModel(n) {
							tc.Report.Add(asset.Sighting{Kind: asset.KindDataset, Name: n, Provider: "detectron2", Path: tc.File.Path,
								Line: cmp.Or(x.Line, v.KeyLines[i]), Detector: tc.Det + ".dataset_key", Confidence: 0.75})
						}
					}
				}
			}
		case tc.ConfigKeys && k == "datasets" && v.Kind == tree.List:
			for _, it := range v.Vals {
				switch it.Kind {
				case tree.String:
					tc.dataset(it.Text, it.Line)
				case tree.Dict:
					if p := it.Get("path"); p != nil && p.Kind == tree.String {
						tc.dataset(p.Text, p.Line)
					}
				}
			}
		case tc.ConfigKeys && promptKeys[k] && v.Kind == tree.String && len(v.Text) >= 20 && prompt.Text(v.Text, false):
			tc.prompt(v, strings.Join(append(append([]string{}, keyPath...), k), "."), tc.Det+".prompt_key")
			continue
		case !tc.ConfigKeys && codePromptKey(k, n) && v.Kind == tree.String && len(v.Text) >= 20 && prompt.Text(v.Text, true):
			// Code: the system prompt of a request or sampling call, or the
			// instructions of an object that also names a model.
			tc.prompt(v, tc.File.Path, tc.Det+".prompt_key")
			continue
		case tc.ConfigKeys && v.Kind == tree.String && strings.HasPrefix(v.Text, "detectron2://"):
			// Detectron2 model-zoo weights (MODEL.WEIGHTS).
			tc.Report.Add(asset.Sighting{Kind: asset.KindModel, Name: v.Text, Provider: "detectron2", Path: tc.File.Path, Line: v.Line,
				Detector: tc.Det + ".model_uri", Confidence: 0.85})
		case tc.ConfigKeys && v.Kind == tree.String && strings.Contains(v.Text, "system-prompt"):
			tc.cliPrompts(v)
		case tc.ConfigKeys && v.Kind == tree.String && (strings.HasPrefix(v.Text, "https://") || strings.HasPrefix(v.Text, "http://")) && !(inList && tc.SkipListModels):
			if fd, ok := refs.URL(v.Text); ok {
				fd.Path, fd.Line, fd.Detector = tc.File.Path, v.Line, tc.Det+".url"
				tc.Report.Add(fd)
			}
		}
		tc.walk(v, append(keyPath, k), inList, depth+1)
	}
}

// modelTable reports the keys of a models: mapping as models, the way
// multi-provider clients configure them (apis.<provider>.models.<id>:
// {aliases, max-input-chars}). A key is a model when refs reads it as one
// (hosted, Hub or, under an ollama key, an Ollama tag), or, in a table
// that sits under an api/provider/llm key or holds at least one such id,
// when it is shaped like a model name: letters and digits with a
// separator (Meta-Llama-3.1-8B-Instruct, QwQ-32B-Preview). The provider is
// the key the table sits under. Entries must be mappings or empty, as model
// settings are; a table of strings is something else.
func (tc *Walker) modelTable(v *tree.Node, keyPath []string) bool {
	h := refs.Any
	if tc.Ollama || pathHas(keyPath, "ollama") {
		h = refs.Ollama
	}
	type entry struct {
		fd   asset.Sighting
		ok   bool
		name string
		line int
	}
	var es []entry
	known := false
	for i, name := range v.Keys {
		if e := v.Vals[i]; e != nil && e.Kind != tree.Dict && !(e.Kind == tree.Other && e.Text == "") {
			return false
		}
		fd, ok := refs.Model(tc.File.FS, tc.File.Dir, name, h)
		known = known || ok
		es = append(es, entry{fd, ok, name, v.KeyLines[i]})
	}
	context := known || pathHas(keyPath, "api") || pathHas(keyPath, "provider") || pathHas(keyPath, "llm")
	if !context {
		return false
	}
	provider := ""
	if len(keyPath) > 0 {
		provider = strings.ToLower(keyPath[len(keyPath)-1])
	}
	for _, e := range es {
		fd := e.fd
		if strings.Contains(e.name, "/") && provider != "" && h != refs.Ollama && !refs.LooksLikePath(e.name) {
			// org/model in a provider's table is that provider's catalogue
			// entry (GitHub Models' openai/o3-mini), not the org's own API.
			fd = asset.Sighting{Kind: asset.KindService, Name: e.name, Provider: provider, Confidence: 0.8}
		} else if !e.ok {
			if !refs.ModelShaped(e.name, true) {
				continue
			}
			fd = asset.Sighting{Kind: asset.KindModel, Name: e.name, Provider: provider, Confidence: 0.7}
		}
		fd.Path, fd.Line, fd.Detector = tc.File.Path, e.line, tc.Det+".model_table"
		fd.Confidence = min(fd.Confidence, 0.8)
		tc.Report.Add(fd)
	}
	return true
}

var reCLIPrompt = regexp.MustCompile(`--(?:append-)?system-prompt[= ]+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`)

// cliPrompts reports the system prompts a configured command line passes
// to an agent CLI (claude --append-system-prompt "...", --system-prompt).
// A block scalar's text starts on the line after its key.
func (tc *Walker) cliPrompts(v *tree.Node) {
	for _, m := range reCLIPrompt.FindAllStringSubmatchIndex(v.Text, -1) {
		text := ""
		if m[2] >= 0 {
			text = v.Text[m[2]:m[3]]
		} else if m[4] >= 0 {
			text = v.Text[m[4]:m[5]]
		}
		if len(text) < 20 || !prompt.Text(text, false) {
			continue
		}
		line := v.Line + strings.Count(v.Text[:m[0]], "\n")
		if strings.Contains(v.Text, "\n") {
			line++
		}
		tc.Report.Add(prompt.Sighting(tc.File.Path, line, tc.File.Path, text, tc.Det+".cli_prompt"))
	}
}

// envModels reports models set through a service's environment
// (compose environment: [OPENAI_MODEL=gpt-4o] or {OPENAI_MODEL: gpt-4o};
// Kubernetes env: [{name: OPENAI_MODEL, value: gpt-4o}]) when the variable
// is named for a model.
func (tc *Walker) envModels(v *tree.Node) {
	add := func(name, val string, line int) {
		if !refs.ModelVarName(name) || strings.ToUpper(name) != name {
			return
		}
		if fd, ok := refs.Model(tc.File.FS, tc.File.Dir, val, refs.Any); ok {
			fd.Path, fd.Line, fd.Detector = tc.File.Path, line, tc.Det+".env_model"
			fd.Confidence = min(fd.Confidence, 0.8)
			tc.Report.Add(fd)
		}
	}
	if v.Kind == tree.Dict {
		for i, k := range v.Keys {
			if x := v.Vals[i]; x.Kind == tree.String {
				add(k, x.Text, cmp.Or(x.Line, v.KeyLines[i]))
			}
		}
		return
	}
	for _, it := range v.Vals {
		switch it.Kind {
		case tree.String:
			if k, val, ok := strings.Cut(it.Text, "="); ok {
				add(k, val, it.Line)
			}
		case tree.Dict:
			if val := it.Get("value"); val != nil && val.Kind == tree.String {
				add(it.Str("name"), val.Text, val.Line)
			}
		}
	}
}

// codePromptKey reports a key of a code object literal whose string value
// is a prompt: systemPrompt and its spellings anywhere, instructions only
// beside a model.
func codePromptKey(k string, n *tree.Node) bool {
	switch k {
	case "systemPrompt", "system_prompt", "systemMessage", "system_message", "systemInstruction", "system_instruction":
		return true
	case "instructions":
		return n.Get("model") != nil
	}
	return false
}

func pathHas(p []string, sub string) bool {
	for _, k := range p {
		if strings.Contains(strings.ToLower(k), sub) {
			return true
		}
	}
	return false
}

func (tc *Walker) dataset(s string, line int) {
	if !refs.IsHFID(s) || refs.LooksLikePath(s) {
		if p, ok := refs.LocalPath(tc.File.FS, tc.File.Dir, s); ok {
			tc.Report.Add(asset.Sighting{Kind: asset.KindDataset, Name: p, Path: tc.File.Path, Line: line, Detector: tc.Det + ".dataset_key",
				Confidence: 0.75, Provider: "local"})
		}
		return
	}
	tc.Report.Add(asset.Sighting{Kind: asset.KindDataset, Name: s, Path: tc.File.Path, Line: line, Detector: tc.Det + ".dataset_key",
		Confidence: 0.8, Provider: "huggingface"})
}

// matchTool recognises function/tool schemas: OpenAI chat tools
// ({"type":"function","function":{"name":...}}), Responses/Assistants tools
// ({"type":"function","name":...,"parameters":...}), legacy functions
// ({"name":...,"parameters":{"properties"...}}), Anthropic tools
// ({"name":...,"input_schema":...}).
func (tc *Walker) matchTool(n *tree.Node) bool {
	typ := n.Str("type")
	if fn := n.Get("function"); typ == "function" && fn != nil && fn.Kind == tree.Dict {
		if nm := fn.Get("name"); nm != nil {
			for _, s := range tc.strings(nm) {
				tc.Report.Add(asset.Sighting{Kind: asset.KindTool, Name: s, Path: tc.File.Path, Line: nm.Line, Detector: tc.Det + ".tool_schema",
					Confidence: 0.95, Props: map[string]string{"schema": "openai-function"}})
			}
			return true
		}
	}
	nm := n.Get("name")
	if nm == nil || nm.Kind != tree.String {
		return false
	}
	schema := ""
	switch {
	case typ == "function" && n.Get("parameters") != nil:
		schema = "openai-function"
	case n.Get("input_schema") != nil:
		schema = "anthropic-tool"
	case n.Get("parameters") != nil && n.Get("parameters").Get("properties") != nil && n.Get("description") != nil:
		schema = "openai-function"
	default:
		return false
	}
	tc.Report.Add(asset.Sighting{Kind: asset.KindTool, Name: nm.Text, Path: tc.File.Path, Line: nm.Line, Detector: tc.Det + ".tool_schema",
		Confidence: 0.9, Props: map[string]string{"schema": schema}})
	return true
}

func (tc *Walker) mcpServers(v *tree.Node) {
	for i, name := range v.Keys {
		srv := v.Vals[i]
		if srv.Kind != tree.Dict {
			continue
		}
		props := map[string]string{}
		var secrets []redact.Kind
		for _, k := range []string{"command", "url", "type", "transport", "serverUrl", "httpUrl"} {
			if s := srv.Str(k); s != "" {
				props[k] = s
			}
		}
		if a := srv.Get("args"); a != nil && a.Kind == tree.List {
			var args []string
			for _, x := range a.Vals {
				if x.Kind == tree.String {
					args = append(args, x.Text)
				}
			}
			// A flag's value is a secret by the flag's name (--token X),
			// which only the list of arguments tells.
			masked, kinds := redact.Args(args)
			props["args"] = strings.Join(masked, " ")
			secrets = append(secrets, kinds...)
		}
		// The environment a server is given, names and values, its
		// secrets masked by name (GITHUB_TOKEN) or by shape.
		if e := srv.Get("env"); e != nil && e.Kind == tree.Dict {
			var env []string
			for j, k := range e.Keys {
				if x := e.Vals[j]; x.Kind == tree.String {
					v, kinds := redact.Env(k, x.Text)
					env = append(env, k+"="+v)
					secrets = append(secrets, kinds...)
				}
			}
			if len(env) > 0 {
				props["env"] = strings.Join(env, " ")
			}
		}
		if len(secrets) > 0 {
			ks := make([]string, len(secrets))
			for i, k := range secrets {
				ks[i] = string(k)
			}
			props[asset.PropSecrets] = strings.Join(ks, ",")
		}
		if props["command"] == "" && props["url"] == "" && props["serverUrl"] == "" && props["httpUrl"] == "" {
			continue
		}
		fd := asset.Sighting{Kind: asset.KindTool, Name: name, Path: tc.File.Path, Line: v.KeyLines[i], Detector: tc.Det + ".mcp_server",
			Confidence: 0.95, Provider: "mcp", Props: props}
		if u := cmp.Or(props["url"], props["serverUrl"], props["httpUrl"]); u != "" {
			fd.URL = u
		}
		tc.Report.Add(fd)
	}
}

// matchConfigAgent recognises agents declared in config: OpenAI Assistants
// exports (name, model, instructions) and CrewAI agents.yaml (role, goal).
func (tc *Walker) matchConfigAgent(n *tree.Node, keyPath []string) {
	if n.Str("role") != "" && n.Get("goal") != nil && len(keyPath) > 0 {
		tc.Report.Add(asset.Sighting{Kind: asset.KindAgent, Name: keyPath[len(keyPath)-1], Path: tc.File.Path, Line: n.Line - 1,
			Detector: tc.Det + ".crewai_agent", Confidence: 0.85, Props: map[string]string{"role": n.Str("role")}})
		return
	}
	// A file named for one assistant (assistants/<name>/assistant.json) may
	// describe it without instructions and name it by its directory.
	ownFile := false
	switch strings.TrimSuffix(tc.File.Base, path.Ext(tc.File.Base)) {
	case "assistant", "agent":
		ownFile = n.Get("model") != nil && (n.Get("tools") != nil || n.Get("description") != nil)
	}
	if ownFile || n.Get("instructions") != nil && n.Get("model") != nil && (n.Get("tools") != nil || n.Get("name") != nil) {
		name := n.Str("name")
		line := n.Line
		if nm := n.Get("name"); nm != nil {
			line = nm.Line
		}
		if name == "" && ownFile && tc.File.Dir != "." {
			name = path.Base(tc.File.Dir)
		}
		if name == "" {
			name = strings.TrimSuffix(path.Base(tc.File.Path), path.Ext(tc.File.Path))
		}
		tc.Report.Add(asset.Sighting{Kind: asset.KindAgent, Name: name, Path: tc.File.Path, Line: line,
			Detector: tc.Det + ".assistant", Confidence: 0.85})
		if t := n.Get("tools"); t != nil && t.Kind == tree.List {
			for _, it := range t.Vals {
				if typ := it.Str("type"); typ != "" && typ != "function" {
					tc.Report.Add(asset.Sighting{Kind: asset.KindTool, Name: typ, Path: tc.File.Path, Line: it.Line,
						Detector: tc.Det + ".assistant_tool", Confidence: 0.85, Provider: "openai"})
				}
			}
		}
	}
}

// prompt records a prompt whose text is n (a string, or a constant in code).
// name is the constant or key; empty means the file path.
func (tc *Walker) prompt(n *tree.Node, name, det string) {
	vals := tc.strings(n)
	if len(vals) == 0 {
		return
	}
	if name == "" && n.Kind == tree.Ident {
		name = n.Text
	}
	if name == "" {
		name = tc.File.Path
	}
	tc.Report.Add(prompt.Sighting(tc.File.Path, n.Line, name, vals[0], det))
}
