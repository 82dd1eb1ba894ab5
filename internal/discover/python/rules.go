package python

import (
	"cmp"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/objects"
	"github.com/mlbom/autopilot/internal/discover/prompt"
	"github.com/mlbom/autopilot/internal/discover/refs"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

var reUpperName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// Agent constructors: where their tools are, and how they are named.
type agentCtor struct {
	toolsPos int  // positional index of the tools list, -1 if keyword only
	namePos  int  // positional index of the name, -1 if none
	isAgent  bool // defines an agent (not only uses tools)
}

var agentCtors = map[string]agentCtor{
	"create_react_agent": {1, -1, true}, "create_tool_calling_agent": {1, -1, true},
	"create_openai_functions_agent": {1, -1, true}, "create_openai_tools_agent": {1, -1, true},
	"create_structured_chat_agent": {1, -1, true}, "initialize_agent": {0, -1, true},
	"AgentExecutor": {-1, -1, false}, "create_agent": {1, -1, true}, "Agent": {-1, -1, true},
	"AssistantAgent": {-1, 0, true}, "UserProxyAgent": {-1, 0, true}, "ConversableAgent": {-1, 0, true},
	"ReActAgent": {-1, -1, true}, "FunctionAgent": {-1, -1, true}, "FunctionCallingAgent": {-1, -1, true},
	"OpenAIAgent": {-1, -1, true}, "CodeAgent": {-1, -1, true}, "ToolCallingAgent": {-1, -1, true},
	"from_tools": {0, -1, true}, "create_supervisor": {-1, -1, true}, "bind_tools": {0, -1, false},
	"ToolNode": {0, -1, false}, "LlmAgent": {-1, -1, true}, "ChatAgent": {-1, -1, true},
}

// RAG document loaders: the positional index of their source and the
// keywords that may hold it.
var ragLoaders = map[string][]string{
	"PyPDFLoader": {"file_path"}, "PyMuPDFLoader": {"file_path"}, "PDFPlumberLoader": {"file_path"},
	"TextLoader": {"file_path"}, "CSVLoader": {"file_path"}, "JSONLoader": {"file_path"},
	"UnstructuredFileLoader": {"file_path"}, "UnstructuredPDFLoader": {"file_path"},
	"UnstructuredMarkdownLoader": {"file_path"}, "UnstructuredHTMLLoader": {"file_path"},
	"Docx2txtLoader": {"file_path"}, "BSHTMLLoader": {"file_path"}, "DirectoryLoader": {"path"},
	"PyPDFDirectoryLoader": {"path"}, "NotionDirectoryLoader": {"path"}, "WebBaseLoader": {"web_path", "web_paths"},
	"RecursiveUrlLoader": {"url"}, "SitemapLoader": {"web_path"}, "SimpleDirectoryReader": {"input_dir", "input_files"},
	"HuggingFaceDatasetLoader": {"path"}, "UnstructuredURLLoader": {"urls"}, "AsyncHtmlLoader": {"web_path"},
	"from_youtube_url": {"youtube_url"}, "YoutubeLoader": {"video_id"},
}

var hostedClients = map[string]string{
	"OpenAI": "openai", "AsyncOpenAI": "openai", "AzureOpenAI": "openai", "ChatOpenAI": "openai",
	"Anthropic": "anthropic", "AsyncAnthropic": "anthropic", "ChatAnthropic": "anthropic",
	"Mistral": "mistral", "MistralClient": "mistral", "ChatMistralAI": "mistral",
	"ClientV2": "cohere", "ChatCohere": "cohere",
}

// prepass fills argparse defaults before calls are evaluated.
func (p *pyFile) prepass() {
	for i, t := range p.toks {
		if p.stop.Stop() {
			return
		}
		if t.Kind != lex.Ident || t.Text != "add_argument" || !p.isOp(i+1, "(") {
			continue
		}
		close := p.matching(i + 1)
		args := p.splitArgs(i+1, close)
		def := p.kwarg(args, "default")
		choices := p.kwarg(args, "choices")
		if def == nil && choices == nil {
			continue
		}
		dest := ""
		if d := p.kwarg(args, "dest"); d != nil {
			if v := p.eval(*d, 0); len(v) == 1 {
				dest = v[0]
			}
		}
		for _, a := range args {
			if dest != "" {
				break
			}
			if a.e == a.s+1 && p.toks[a.s].Kind == lex.String && strings.HasPrefix(p.toks[a.s].Text, "--") {
				dest = strings.ReplaceAll(strings.TrimPrefix(p.toks[a.s].Text, "--"), "-", "_")
			}
		}
		if dest == "" {
			if a := p.positional(args, 0); a != nil && p.toks[a.s].Kind == lex.String {
				dest = strings.ReplaceAll(strings.TrimLeft(p.toks[a.s].Text, "-"), "-", "_")
			}
		}
		if choices != nil && dest != "" {
			p.argChoices[dest] = *choices
		}
		if dest != "" && def != nil {
			p.argDefs[dest] = *def
			if refs.ModelVarName(dest) {
				p.modelRef(def, refs.Any, "python.argparse_default", p.toks[def.s].Line, "", nil)
			}
		}
		if choices != nil && refs.ModelVarName(dest) {
			p.modelRef(choices, refs.Any, "python.argparse_choices", p.toks[choices.s].Line, "", nil)
		}
	}
}

func (p *pyFile) calls() {
	p.prepass()
	p.agentAttrTools()
	// Every table a name can be looked up in is complete: from here on a
	// name resolves the same way each time it is asked at one call.
	p.memo = map[memoKey]memoVal{}
	for i, t := range p.toks {
		if p.stop.Stop() {
			return
		}
		if t.Kind != lex.Ident || !p.isOp(i+1, "(") {
			continue
		}
		j := i
		for j >= 2 && p.isOp(j-1, ".") && p.toks[j-2].Kind == lex.Ident {
			j -= 2
		}
		callee, _ := tree.DottedName(p.toks, j, i+1)
		chained := j >= 2 && p.isOp(j-1, ".") && p.isOp(j-2, ")")
		if j >= 1 && (p.isIdent(j-1, "def") || p.isIdent(j-1, "class") || p.isOp(j-1, "@")) {
			continue
		}
		assigned := ""
		if !chained && j >= 2 && p.isOp(j-1, "=") && p.toks[j-2].Kind == lex.Ident && p.toks[j-2].Indent >= 0 {
			assigned = p.toks[j-2].Text
		}
		close := p.matching(i + 1)
		p.at = t.Line
		p.call(callee, chained, p.splitArgs(i+1, close), t.Line, assigned)
		p.at = 0
	}
}

func (p *pyFile) call(callee string, chained bool, args []span, line int, assigned string) {
	last := callee[strings.LastIndex(callee, ".")+1:]
	lc := strings.ToLower(callee)
	version := ""
	if v := p.kwarg(args, "revision"); v != nil {
		if vals := p.eval(*v, 0); len(vals) == 1 {
			version = vals[0]
		}
	}
	handledModel := false
	switch {
	case last == "from_pretrained" || last == "from_single_file":
		handledModel = true
		a := p.arg(args, 0, "pretrained_model_name_or_path", "pretrained_model_link_or_path")
		if strings.Contains(callee, "Peft") || strings.Contains(callee, "Adapter") {
			a = p.arg(args, 1, "model_id")
		}
		p.modelRef(a, refs.HF, "python.from_pretrained", line, version, nil)
	case last == "pipeline" || last == "StableDiffusionPipeline":
		handledModel = true
		a := p.arg(args, 1, "model")
		var props map[string]string
		if task := p.arg(args, 0, "task"); task != nil {
			if v := p.eval(*task, 0); len(v) == 1 {
				props = map[string]string{"task": v[0]}
			}
		}
		p.modelRef(a, refs.HF, "python.pipeline", line, version, props)
	case last == "SentenceTransformer" || last == "CrossEncoder" || last == "SparseEncoder":
		handledModel = true
		p.modelRef(p.arg(args, 0, "model_name_or_path", "model_name"), refs.SentenceTransformers, "python.sentence_transformers", line, version, nil)
	case last == "hf_hub_download" || last == "snapshot_download" || last == "hf_hub_url":
		handledModel = true
		a := p.arg(args, 0, "repo_id")
		kind := asset.KindModel
		if rt := p.kwarg(args, "repo_type"); rt != nil {
			if v := p.eval(*rt, 0); len(v) == 1 && v[0] == "dataset" {
				kind = asset.KindDataset
			}
		}
		var props map[string]string
		if fn := p.arg(args, 1, "filename"); fn != nil && last != "snapshot_download" {
			if v := p.eval(*fn, 0); len(v) == 1 {
				props = map[string]string{"filename": v[0]}
			}
		}
		if kind == asset.KindDataset {
			p.datasetRef(a, "python.hf_hub", line, version)
		} else {
			p.modelRef(a, refs.HF, "python.hf_hub", line, version, props)
		}
	case last == "load_dataset" || last == "load_from_hub":
		p.loadDataset(args, line, version)
	case strings.HasSuffix(callee, "hub.load") || callee == "hub.load":
		handledModel = true
		repo, model := p.arg(args, 0, "repo_or_dir"), p.arg(args, 1, "model")
		if repo != nil && model != nil {
			r, m := p.eval(*repo, 0), p.eval(*model, 0)
			if len(r) == 1 && len(m) == 1 {
				name, ver, _ := strings.Cut(r[0], ":")
				p.out.Add(asset.Sighting{Kind: asset.KindModel, Name: name + "/" + m[0], Version: ver, Path: p.f.Path, Line: p.line(line),
					Detector: "python.torch_hub", Confidence: 0.9, Provider: "torchhub"})
			}
		}
	case last == "create_model" && (strings.HasPrefix(callee, "timm") || p.imports["create_model"] == "timm.create_model"):
		handledModel = true
		if a := p.arg(args, 0, "model_name"); a != nil {
			for _, v := range p.eval(*a, 0) {
				if rest, ok := strings.CutPrefix(v, "hf_hub:"); ok {
					v = rest
				} else if rest, ok := strings.CutPrefix(v, "hf-hub:"); ok {
					v = rest
				} else if pt := p.kwarg(args, "pretrained"); pt != nil && p.isIdent(pt.s, "True") {
					v = "timm/" + v
				} else {
					continue
				}
				p.out.Add(asset.Sighting{Kind: asset.KindModel, Name: v, Path: p.f.Path, Line: p.line(line), Detector: "python.timm",
					Confidence: 0.9, Provider: "huggingface"})
			}
		}
	case callee == "hub.pull" || strings.HasSuffix(callee, ".hub.pull"):
		if a := p.arg(args, 0, "owner_repo_commit"); a != nil {
			for _, v := range p.eval(*a, 0) {
				name, ver, _ := strings.Cut(v, ":")
				fd := prompt.Sighting(p.f.Path, p.line(line), name, v, "python.langchain_hub")
				fd.Provider, fd.Version, fd.Props = "langchain-hub", ver, nil
				p.out.Add(fd)
			}
		}
	case last == "pull" && strings.Contains(lc, "ollama"):
		handledModel = true
		p.modelRef(p.arg(args, 0, "model"), refs.Ollama, "python.ollama", line, "", nil)
	case p.whisperLoad(callee, last):
		handledModel = true
		p.modelRef(p.arg(args, 0, "name", "model_size_or_path", "whisper_arch"), refs.Whisper, "python.whisper", line, "", nil)
	case last == "GenerativeModel" || last == "ChatGoogleGenerativeAI":
		handledModel = true
		p.modelRef(p.arg(args, 0, "model_name", "model"), refs.Any, "python.hosted_model", line, "", nil)
	}

	// Base URLs of hosted clients name the endpoint of their services.
	if prov, ok := hostedClients[last]; ok {
		for _, k := range []string{"base_url", "api_base", "openai_api_base", "azure_endpoint", "endpoint", "server_url"} {
			if v := p.kwarg(args, k); v != nil {
				if vals := p.eval(*v, 0); len(vals) == 1 {
					p.bases[prov] = vals[0]
				}
			}
		}
	}

	// Prompts handed to template constructors or as system/instructions.
	switch {
	case last == "PromptTemplate" || last == "from_template" || last == "SystemMessage" || last == "SystemMessagePromptTemplate" || last == "PromptTemplate.from_template":
		p.promptArg(p.arg(args, 0, "template", "content"), "python.prompt_template", line)
	case last == "from_messages":
		if a := p.arg(args, 0, "messages"); a != nil && p.isOp(a.s, "[") {
			n, _ := p.parseLit(a.s, 0)
			for _, m := range n.Vals {
				if m.Kind == tree.List && len(m.Vals) == 2 && m.Vals[0].Kind == tree.String && (m.Vals[0].Text == "system" || m.Vals[0].Text == "developer") {
					p.promptNode(m.Vals[1], "python.prompt_template")
				}
			}
		}
	}
	for _, k := range []string{"system", "instructions", "system_prompt", "system_message", "system_instruction", "backstory"} {
		if v := p.kwarg(args, k); v != nil {
			p.promptArg(v, "python.system_prompt", line)
		}
	}

	// Structured-output schemas handed to a model: response_model=Cls
	// (instructor), response_format=Cls, .with_structured_output(Cls).
	for _, k := range []string{"response_model", "response_format", "output_type", "output_schema"} {
		if v := p.kwarg(args, k); v != nil {
			p.schemaClass(*v, line)
		}
	}
	if last == "with_structured_output" || last == "as_structured_llm" {
		if a := p.arg(args, 0, "schema", "output_cls"); a != nil {
			p.schemaClass(*a, line)
		}
	}

	// Tools.
	switch {
	case last == "Tool" || last == "StructuredTool" || (last == "from_function" && strings.Contains(callee, "Tool")) || (last == "from_defaults" && strings.Contains(callee, "Tool")):
		name := ""
		if v := p.kwarg(args, "name"); v != nil {
			if vals := p.eval(*v, 0); len(vals) == 1 {
				name = vals[0]
			}
		}
		if name == "" {
			if fn := p.arg(args, -1, "func", "fn"); fn != nil && p.toks[fn.s].Kind == lex.Ident {
				name = p.toks[fn.s].Text
			}
		}
		if name != "" {
			fd := asset.Sighting{Kind: asset.KindTool, Name: name, Path: p.f.Path, Line: p.line(line), Detector: "python.tool", Confidence: 0.9}
			if p.mcp && last == "Tool" {
				// mcp.types.Tool(name=...) listed by a low-level Server.
				fd.Provider, fd.Detector = "mcp", "python.mcp_tool"
			}
			p.out.Add(fd)
		}
	case p.mcp && (last == "Server" || last == "FastMCP" || last == "MCPServer"):
		// The name an MCP server announces: Server("mcp-fetch"), FastMCP("weather").
		if a := p.arg(args, 0, "name"); a != nil {
			if vals := p.eval(*a, 0); len(vals) == 1 && vals[0] != "" {
				p.out.Add(asset.Sighting{Kind: asset.KindTool, Name: vals[0], Path: p.f.Path, Line: p.line(line), Detector: "python.mcp_server",
					Confidence: 0.9, Provider: "mcp"})
			}
		}
	}
	if ctor, ok := agentCtors[last]; ok && !(last == "Agent" && (strings.Contains(lc, "ollama") || !p.llmAgentArgs(args))) {
		p.agent(callee, last, ctor, args, line, assigned)
	}

	p.dataCall(callee, last, args, line)

	// RAG document sources.
	if kws, ok := ragLoaders[last]; ok {
		a := p.arg(args, 0, kws...)
		if a != nil {
			for _, v := range p.eval(*a, 0) {
				p.docSource(v, last, line)
			}
		}
	}

	// Generic model= keyword: hosted services, HF ids, ollama tags.
	if handledModel {
		return
	}
	for _, k := range []string{"model", "model_name", "model_id", "embed_model", "embedding_model", "llm_model", "engine"} {
		v := p.kwarg(args, k)
		if v == nil {
			continue
		}
		h := refs.Any
		if strings.Contains(lc, "ollama") {
			h = refs.Ollama
		}
		if h == refs.Any && p.ollama && !chained {
			h = refs.Ollama
			if vals := p.eval(*v, 0); len(vals) == 1 {
				if _, hosted := refs.Hosted(vals[0]); hosted || refs.IsHFID(vals[0]) {
					h = refs.Any
				}
			}
		}
		det := "python.model_kwarg"
		p.modelRef(v, h, det, line, "", nil)
		break
	}
}

// llmAgentArgs tells a bare Agent(...) of an LLM framework (CrewAI's role
// and goal, the Agents SDK's instructions, a model or tools) from any other
// class named Agent, such as a reinforcement-learning actor built from a
// world size.
func (p *pyFile) llmAgentArgs(args []span) bool {
	for _, k := range []string{"role", "goal", "backstory", "instructions", "model", "llm", "tools", "system_prompt", "handoffs", "name", "description"} {
		if p.kwarg(args, k) != nil {
			return true
		}
	}
	return false
}

func (p *pyFile) agent(callee, last string, ctor agentCtor, args []span, line int, assigned string) {
	if ctor.isAgent {
		name := ""
		for _, k := range []string{"name", "role", "agent_name"} {
			if v := p.kwarg(args, k); v != nil {
				if vals := p.eval(*v, 0); len(vals) == 1 {
					name = vals[0]
					break
				}
			}
		}
		if name == "" && ctor.namePos >= 0 {
			if v := p.positional(args, ctor.namePos); v != nil {
				if vals := p.eval(*v, 0); len(vals) == 1 {
					name = vals[0]
				}
			}
		}
		if name == "" {
			name = assigned
		}
		if name == "" && last != "Agent" {
			name = last
		}
		if name != "" {
			p.out.Add(asset.Sighting{Kind: asset.KindAgent, Name: name, Path: p.f.Path, Line: p.line(line), Detector: "python.agent",
				Confidence: 0.85, Props: map[string]string{"constructor": callee}})
		}
	}
	var tools *span
	if v := p.kwarg(args, "tools"); v != nil {
		tools = v
	} else if v := p.kwarg(args, "functions"); v != nil {
		tools = v
	} else if ctor.toolsPos >= 0 {
		tools = p.positional(args, ctor.toolsPos)
	}
	if tools != nil {
		p.toolList(*tools, 0)
	}
}

// toolList reports each function in a tools=[...] list (or a name bound to
// one) as a tool exposed to a model.
func (p *pyFile) toolList(sp span, depth int) {
	if depth > 4 || sp.s >= sp.e {
		return
	}
	if p.toks[sp.s].Kind == lex.Ident && sp.e == sp.s+1 {
		if a, ok := p.bestAssign(p.toks[sp.s].Text); ok {
			p.toolList(a.val, depth+1)
		}
		return
	}
	if !p.isOp(sp.s, "[") && !p.isOp(sp.s, "(") {
		return
	}
	n, _ := p.parseLit(sp.s, 0)
	for _, it := range n.Vals {
		switch it.Kind {
		case tree.Ident:
			if a, ok := p.bestAssign(it.Text); ok && p.isOp(a.val.s, "[") {
				p.toolList(a.val, depth+1)
				continue
			}
			p.out.Add(asset.Sighting{Kind: asset.KindTool, Name: it.Text, Path: p.f.Path, Line: it.Line, Detector: "python.agent_tools", Confidence: 0.85})
		case tree.Call:
			last := it.Text[strings.LastIndex(it.Text, ".")+1:]
			switch last {
			case "Tool", "StructuredTool", "from_function", "from_defaults", "FunctionTool":
				continue // reported at the constructor
			}
			p.out.Add(asset.Sighting{Kind: asset.KindTool, Name: last, Path: p.f.Path, Line: it.Line, Detector: "python.agent_tools", Confidence: 0.8})
		}
	}
}

func (p *pyFile) loadDataset(args []span, line int, version string) {
	a := p.arg(args, 0, "path")
	if a == nil {
		return
	}
	vals := p.eval(*a, 0)
	for _, v := range vals {
		switch v {
		case "json", "csv", "parquet", "text", "imagefolder", "audiofolder", "arrow", "webdataset", "pandas", "xml":
			if df := p.arg(args, -1, "data_files", "data_dir"); df != nil {
				for _, f := range p.eval(*df, 0) {
					p.docSourceKind(f, "load_dataset", line, "python.load_dataset")
				}
			}
			continue
		}
		fd := asset.Sighting{Kind: asset.KindDataset, Name: v, Version: version, Path: p.f.Path, Line: p.line(line),
			Detector: "python.load_dataset", Confidence: 0.9, Provider: "huggingface"}
		if lp, ok := refs.LocalPath(p.f.FS, p.f.Dir, v); ok {
			fd.Name, fd.Provider = lp, "local"
		} else if !refs.IsHFID(v) && !refs.IsBareModel(v) {
			continue
		}
		if c := p.arg(args, 1, "name"); c != nil {
			if cv := p.eval(*c, 0); len(cv) == 1 {
				fd.Props = map[string]string{"config": cv[0]}
			}
		}
		p.out.Add(fd)
	}
	if len(vals) == 0 {
		p.deferRef(a, line, func(fsys fs.FS, v string) (asset.Sighting, bool) {
			if !refs.IsHFID(v) {
				return asset.Sighting{}, false
			}
			return asset.Sighting{Kind: asset.KindDataset, Name: v, Version: version, Detector: "python.load_dataset", Confidence: 0.85, Provider: "huggingface"}, true
		})
	}
}

func (p *pyFile) docSource(v, loader string, line int) {
	p.docSourceKind(v, loader, line, "python.rag_loader")
}

func (p *pyFile) docSourceKind(v, loader string, line int, det string) {
	fd := asset.Sighting{Kind: asset.KindDataset, Path: p.f.Path, Line: p.line(line), Detector: det, Confidence: 0.8,
		Props: map[string]string{"loader": loader}}
	switch {
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		fd.Name, fd.URL, fd.Provider = v, v, "url"
	case loader == "HuggingFaceDatasetLoader" && refs.IsHFID(v):
		fd.Name, fd.Provider = v, "huggingface"
	default:
		if lp, ok := refs.LocalPath(p.f.FS, p.f.Dir, v); ok {
			fd.Name = lp
		} else {
			fd.Name = path.Clean(v)
			fd.Confidence = 0.6
		}
		fd.Provider = "local"
	}
	p.out.Add(fd)
}

// choicesOf returns the strings a name is checked against in this file:
// NAME in {"a", "b"} (also lists and tuples), the keys of a dict literal
// subscripted by it ({"a": x, "b": y}[NAME]) and its argparse choices.
//
// The literals are indexed once per file (indexChoices), so a parameter
// passed at many call sites costs no rescan.
func (p *pyFile) choicesOf(name string) []string {
	if p.choices == nil {
		p.indexChoices()
	}
	out := append([]string(nil), p.choices[name]...)
	if c, ok := p.argChoices[name]; ok {
		out = append(out, p.eval(c, 0)...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return out[:min(len(out), maxEvalValues)]
}

// indexChoices finds, in one pass over the file, every NAME in {literal}
// and {literal}[NAME], so that choicesOf costs no rescan per call.
func (p *pyFile) indexChoices() {
	p.choices = map[string][]string{}
	t := p.toks
	for i := 0; i+2 < len(t); i++ {
		if t[i].Kind != lex.Ident {
			continue
		}
		name := t[i].Text
		if p.isIdent(i+1, "in") && (p.isOp(i+2, "{") || p.isOp(i+2, "[") || p.isOp(i+2, "(")) && !(i > 0 && p.isOp(i-1, ".")) {
			n, _ := p.parseLit(i+2, 0)
			var vals []string
			collect(n, &vals)
			p.choices[name] = append(p.choices[name], vals...)
		}
		if i >= 2 && p.isOp(i-1, "[") && p.isOp(i+1, "]") && p.isOp(i-2, "}") {
			// The dict's "{" from the file's bracket table (matchBrackets).
			if j := int(p.opener[i-2]); j >= 0 && p.isOp(j, "{") {
				if n, _ := p.parseLit(j, 0); n != nil && n.Kind == tree.Dict {
					p.choices[name] = append(p.choices[name], n.Keys...)
				}
			}
		}
	}
}

// modelRef evaluates a model argument and records what it names; names
// imported from other modules are resolved after the walk.
func (p *pyFile) modelRef(a *span, h refs.Hint, det string, line int, version string, props map[string]string) {
	if a == nil {
		return
	}
	vals, pend := p.evalP(*a, 0)
	if len(vals) == 0 && pend == "" && a.e == a.s+1 && p.toks[a.s].Kind == lex.Ident {
		// A parameter checked against a fixed set is each of its members:
		// assert model_type in {'gpt2', 'gpt2-xl'}; {'gpt2': ..}[model_type].
		vals = p.choicesOf(p.toks[a.s].Text)
	}
	for _, v := range vals {
		if fd, ok := p.model(v, h); ok {
			fd.Path, fd.Line, fd.Detector = p.f.Path, p.line(line), det
			if version != "" {
				fd.Version = version
			}
			if props != nil {
				fd.Props = detect.MergeProps(fd.Props, props)
			}
			if !isLiteral(p, *a) {
				fd.Confidence = min(fd.Confidence, 0.85)
			}
			p.out.Add(fd)
		}
	}
	if len(vals) == 0 && pend != "" {
		dir := p.f.Dir // the closure outlives the file's tokens; keep it small
		p.out.Defer(detect.Pending{Ref: pend, Path: p.f.Path, Line: p.line(line),
			Make: func(fsys fs.FS, v string) (asset.Sighting, bool) {
				fd, ok := refs.Model(fsys, dir, v, h)
				fd.Detector, fd.Version = det, version
				fd.Confidence = min(fd.Confidence, 0.8)
				return fd, ok
			}})
	}
}

// model reads v as refs.Model does, once per value and hint in a file: a
// constant used at many call sites is not looked up on disk at each.
func (p *pyFile) model(v string, h refs.Hint) (asset.Sighting, bool) {
	k := modelKey{v, h}
	if m, ok := p.models[k]; ok {
		if m.ok {
			m.fd.Props = maps.Clone(m.fd.Props)
		}
		return m.fd, m.ok
	}
	fd, ok := refs.Model(p.f.FS, p.f.Dir, v, h)
	p.models[k] = modelVal{fd, ok}
	if ok {
		fd.Props = maps.Clone(fd.Props)
	}
	return fd, ok
}

type modelKey struct {
	v string
	h refs.Hint
}

type modelVal struct {
	fd asset.Sighting
	ok bool
}

func (p *pyFile) deferRef(a *span, line int, mk func(fs.FS, string) (asset.Sighting, bool)) {
	if _, pend := p.evalP(*a, 0); pend != "" {
		p.out.Defer(detect.Pending{Ref: pend, Path: p.f.Path, Line: p.line(line), Make: mk})
	}
}

func (p *pyFile) datasetRef(a *span, det string, line int, version string) {
	if a == nil {
		return
	}
	for _, v := range p.eval(*a, 0) {
		if refs.IsHFID(v) {
			p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: v, Version: version, Path: p.f.Path, Line: p.line(line),
				Detector: det, Confidence: 0.9, Provider: "huggingface"})
		}
	}
}

func isLiteral(p *pyFile, a span) bool {
	for j := a.s; j < a.e; j++ {
		if p.toks[j].Kind != lex.String || p.toks[j].FStr {
			return false
		}
	}
	return true
}

// promptArg records the prompt passed as an argument: a literal (named
// after the file) or a constant (named after the constant).
func (p *pyFile) promptArg(a *span, det string, line int) {
	if a == nil {
		return
	}
	name := ""
	if a.e == a.s+1 && p.toks[a.s].Kind == lex.Ident {
		name = p.toks[a.s].Text
	} else if a.e == a.s+3 && p.toks[a.s].Kind == lex.Ident && p.isOp(a.s+1, ".") {
		name = p.toks[a.s+2].Text
	}
	vals, pend := p.evalP(*a, 0)
	if len(vals) != 1 && pend == "" {
		p.starPrompts(*a, det, line)
	}
	if len(vals) != 1 {
		if pend != "" && name != "" {
			// Imported prompt constant: the occurrence is what matters here.
			p.out.Add(asset.Sighting{Kind: asset.KindPrompt, Name: name, Path: p.f.Path, Line: p.line(line), Detector: det, Confidence: 0.75})
		}
		return
	}
	if strings.TrimSpace(vals[0]) == "" {
		return
	}
	if name == "" {
		name = p.f.Path
	}
	p.out.Add(prompt.Sighting(p.f.Path, p.line(p.toks[a.s].Line), name, vals[0], det))
}

func (p *pyFile) promptNode(n *tree.Node, det string) {
	switch n.Kind {
	case tree.String:
		if strings.TrimSpace(n.Text) != "" {
			p.out.Add(prompt.Sighting(p.f.Path, n.Line, p.f.Path, n.Text, det))
		}
	case tree.Ident:
		if vals := p.eval(span{n.Ref, n.Ref + 1}, 0); len(vals) == 1 {
			p.out.Add(prompt.Sighting(p.f.Path, n.Line, n.Text, vals[0], det))
		}
	}
}

// literals runs the tree patterns (tool schemas, system messages, model
// keys) over dict and list literals.
func (p *pyFile) literals() {
	tc := &objects.Walker{File: p.f, Report: p.out, Det: "python", SkipListModels: true, ConfigKeys: true, Ollama: p.ollama, Stop: p.stop,
		Resolve: func(n *tree.Node) []string {
			end := n.Ref + 1 + 2*strings.Count(n.Text, ".")
			return p.eval(span{n.Ref, end}, 0)
		}}
	for i := 0; i < len(p.toks) && !p.stop.Stop(); i++ {
		if !p.isOp(i, "{") && !p.isOp(i, "[") {
			continue
		}
		// Subscripts and comprehensions are not literals worth walking.
		if p.isOp(i, "[") && i > 0 && (p.toks[i-1].Kind == lex.Ident || p.isOp(i-1, ")") || p.isOp(i-1, "]")) {
			continue
		}
		n, end := p.parseLit(i, 0)
		tc.Walk(n)
		if end > i {
			i = end - 1
		}
	}
}

// constants reports prompt constants and model constants, and registers
// module-level strings for other modules that import them.
func (p *pyFile) constants() {
	for name, as := range p.assigns {
		for _, a := range as {
			if p.stop.Stop() {
				return
			}
			if a.val.s >= a.val.e {
				continue
			}
			short := name[strings.LastIndex(name, ".")+1:]
			literal := isLiteral(p, a.val)
			isStr := p.toks[a.val.s].Kind == lex.String
			switch {
			case isStr && prompt.Name(short) != prompt.NoName && !prompt.SettingName(short) && !strings.HasPrefix(name, "self.") || (isStr && p.prompts && a.top && reUpperName.MatchString(short)):
				vals := p.eval(a.val, 0)
				text := ""
				if len(vals) == 1 {
					text = vals[0]
				} else if !literal {
					// An f-string with runtime placeholders is still a prompt.
					for j := a.val.s; j < a.val.e; j++ {
						if p.toks[j].Kind == lex.String {
							text += p.toks[j].Text
						}
					}
				}
				if len(strings.TrimSpace(text)) < 8 || (!a.top && len(text) < 20) || refs.LooksLikePath(text) && !strings.Contains(text, " ") {
					continue
				}
				// In a prompt module every upper-case constant counts as a
				// prompt by name; elsewhere the name's convention decides
				// how much the value has to prove.
				strength := prompt.Name(short)
				if p.prompts && a.top && reUpperName.MatchString(short) {
					strength = prompt.StrongName
				}
				if !prompt.Text(text, strength == prompt.WeakName) {
					continue
				}
				p.out.Add(prompt.Sighting(p.f.Path, p.line(a.line), short, text, "python.prompt_constant"))
			case refs.ModelVarName(short) && !prompt.HasPromptWord(short) && a.top:
				p.modelConstant(a)
			}
			if a.top && p.module != "" && !strings.Contains(name, ".") {
				if vals := p.eval(a.val, 0); len(vals) > 0 {
					p.out.Constant(p.module, name, vals)
				}
			}
			// Settings classes: other modules read CONFIG.MODEL_NAME.
			if a.class != "" && p.module != "" && reUpperName.MatchString(name) {
				if vals := p.eval(a.val, 0); len(vals) > 0 {
					p.out.Constant(p.module+"."+a.class, name, vals)
				}
			}
		}
	}
	// Default parameters with model-ish names: def load(model_id="org/x").
	for name, d := range p.defaults {
		if refs.ModelVarName(name) {
			p.modelRef(&d, refs.Any, "python.default_param", p.toks[d.s].Line, "", nil)
		}
	}
}

func (p *pyFile) modelConstant(a assign) {
	t := p.toks[a.val.s]
	if t.Kind == lex.Op && (t.Text == "{" || t.Text == "[" || t.Text == "(") {
		n, _ := p.parseLit(a.val.s, 0)
		var items []*tree.Node
		if n.Kind == tree.Dict || n.Kind == tree.List {
			items = n.Vals
		}
		for _, it := range items {
			if it.Kind != tree.String {
				continue
			}
			if fd, ok := refs.Model(p.f.FS, p.f.Dir, it.Text, refs.Any); ok {
				fd.Path, fd.Line, fd.Detector = p.f.Path, it.Line, "python.model_constant"
				fd.Confidence = min(fd.Confidence, 0.8)
				p.out.Add(fd)
			}
		}
		return
	}
	if t.Kind != lex.String {
		if !(t.Kind == lex.Ident && (strings.HasPrefix(t.Text, "os") || t.Text == "getenv")) {
			return
		}
	}
	p.modelRef(&a.val, refs.Any, "python.model_constant", a.line, "", nil)
}

// strayStrings reports string literals that are whole weight or dataset
// URLs; docstrings (strings standing as statements) are prose and skipped.
func (p *pyFile) strayStrings() {
	for i, t := range p.toks {
		if p.stop.Stop() {
			return
		}
		if t.Kind != lex.String || t.Indent >= 0 && i+1 < len(p.toks) && p.toks[i+1].Kind == lex.NL {
			continue
		}
		s := strings.TrimSpace(t.Text)
		if !strings.HasPrefix(s, "http") || strings.ContainsAny(s, " \n") {
			continue
		}
		if fd, ok := refs.URL(s); ok {
			fd.Path, fd.Line, fd.Detector = p.f.Path, p.line(t.Line), "python.url"
			p.out.Add(fd)
		}
	}
}

func (p *pyFile) applyBaseURLs() {
	if len(p.bases) == 0 {
		return
	}
	for i := range p.out.Sightings {
		f := &p.out.Sightings[i]
		if f.Kind == asset.KindService && f.Path == p.f.Path {
			if u, ok := p.bases[f.Provider]; ok {
				f.URL = u
			}
		}
	}
}

// hubconf reports the entry points of a torch.hub repository: every public
// top-level function of hubconf.py is a model torch.hub.load can name. A
// checkpoint URL inside an entry point's body is that model's weights, so
// its sighting becomes the entry point's, with the URL.
func (p *pyFile) hubconf() {
	t := p.toks
	type entry struct {
		name      string
		line, end int
	}
	var es []entry
	for i := 0; i+1 < len(t); i++ {
		if t[i].Indent != 0 || !p.isIdent(i, "def") || t[i+1].Kind != lex.Ident || strings.HasPrefix(t[i+1].Text, "_") {
			continue
		}
		es = append(es, entry{t[i+1].Text, t[i].Line, 1 << 30})
		// The body ends at the next top-level statement.
		for j := i + 2; j < len(t); j++ {
			if t[j].Indent == 0 {
				es[len(es)-1].end = t[j].Line
				i = j - 1
				break
			}
		}
	}
	// Entries are in line order and do not overlap: one pass over the
	// sightings finds each URL's entry by binary search.
	found := make([]bool, len(es))
	for k := range p.out.Sightings {
		fd := &p.out.Sightings[k]
		if fd.Path != p.f.Path || fd.Kind != asset.KindWeights || fd.Provider != "url" {
			continue
		}
		n, _ := slices.BinarySearchFunc(es, fd.Line, func(e entry, line int) int { return cmp.Compare(e.line, line+1) })
		if n == 0 || fd.Line >= es[n-1].end {
			continue
		}
		e := es[n-1]
		fd.Kind, fd.Name, fd.Provider, fd.Detector, fd.Confidence = asset.KindModel, e.name, "torchhub", "python.hubconf", 0.9
		found[n-1] = true
	}
	for i, e := range es {
		if !found[i] {
			p.out.Add(asset.Sighting{Kind: asset.KindModel, Name: e.name, Path: p.f.Path, Line: e.line, Detector: "python.hubconf",
				Confidence: 0.85, Provider: "torchhub"})
		}
	}
}

// Calls that download a URL.
var downloadCalls = map[string]bool{
	"requests.get": true, "urllib.request.urlretrieve": true, "request.urlretrieve": true, "urlretrieve": true,
	"urllib.request.urlopen": true, "request.urlopen": true, "urlopen": true, "wget.download": true,
	"download_url": true, "download_url_to_file": true, "gdown.download": true, "httpx.get": true,
}

// Words that name a split or a setting, not a dataset (dataset="train").
var notDatasetNames = map[string]bool{
	"train": true, "test": true, "val": true, "valid": true, "validation": true, "dev": true, "eval": true,
	"all": true, "none": true, "default": true, "auto": true, "custom": true, "dummy": true, "fake": true, "random": true,
}

// dataCall reports data the code reads or downloads: directories and files
// read through a data API (ImageFolder, pandas readers), data-format files
// opened for reading, data directories listed, data URLs downloaded, and the
// named datasets of torchvision, torchaudio, torchtext and TFDS.
func (p *pyFile) dataCall(callee, last string, args []span, line int) {
	full := callee
	if first, rest, ok := strings.Cut(callee, "."); ok {
		if m, ok := p.imports[first]; ok {
			full = m + "." + rest
		}
	} else if m, ok := p.imports[callee]; ok {
		full = m
	}
	vals := func(names ...string) []string {
		if a := p.arg(args, 0, names...); a != nil {
			return p.eval(*a, 0)
		}
		return nil
	}
	switch {
	case last == "ImageFolder" || last == "DatasetFolder":
		for _, v := range vals("root") {
			p.localData(v, line, "python.data_folder", false)
		}
	case (strings.HasPrefix(full, "pandas.read_") || strings.HasPrefix(callee, "pd.read_")) && last != "read_sql" && last != "read_clipboard":
		for _, v := range vals("filepath_or_buffer", "path", "io") {
			if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
				p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: v, URL: v, Provider: "url", Path: p.f.Path, Line: p.line(line),
					Detector: "python.data_read", Confidence: 0.8})
				continue
			}
			p.localData(v, line, "python.data_read", false)
		}
	case callee == "open" || callee == "io.open":
		if m := p.arg(args, 1, "mode"); m != nil {
			if mv := p.eval(*m, 0); len(mv) != 1 || strings.ContainsAny(mv[0], "wax+") {
				return
			}
		}
		for _, v := range vals("file") {
			if refs.DataFile(v) || strings.HasSuffix(strings.ToLower(v), ".json") && refs.DataPath(v) {
				p.localData(v, line, "python.data_read", true)
			}
		}
	case callee == "os.listdir" || callee == "glob.glob" || callee == "glob.iglob" || callee == "os.scandir" || callee == "os.walk":
		for _, v := range vals("path", "pathname", "top") {
			dir := v
			if i := strings.IndexAny(dir, "*?["); i >= 0 {
				// data/tmp* lists some files of a directory, not a data set;
				// data/**/*.png and data/train_*.csv read one.
				if seg := dir[strings.LastIndex(dir[:i], "/")+1 : i]; seg != "" && !refs.DataFile(v) {
					continue
				}
				dir = path.Dir(dir[:i] + "x")
			}
			if dir != "" && dir != "." && refs.DataPath(dir) {
				p.localData(dir, line, "python.data_dir", true)
			}
		}
	case downloadCalls[callee] || downloadCalls[last] && strings.Contains(full, "."):
		for _, v := range vals("url", "uri") {
			if (strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) && refs.DownloadedData(v) {
				p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: v, URL: v, Provider: "url", Path: p.f.Path, Line: p.line(line),
					Detector: "python.download", Confidence: 0.75})
			}
		}
	case strings.HasPrefix(full, "torchvision.datasets.") || strings.HasPrefix(full, "torchaudio.datasets.") || strings.HasPrefix(full, "torchtext.datasets."):
		if last[0] >= 'A' && last[0] <= 'Z' && !strings.HasSuffix(last, "Folder") && last != "VisionDataset" {
			p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: last, Provider: full[:strings.Index(full, ".")], Path: p.f.Path, Line: p.line(line),
				Detector: "python.dataset_class", Confidence: 0.85})
		}
	case full == "tensorflow_datasets.load" || full == "tensorflow_datasets.builder":
		for _, v := range vals("name") {
			name, _, _ := strings.Cut(v, ":")
			p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: name, Provider: "tfds", Path: p.f.Path, Line: p.line(line),
				Detector: "python.tfds", Confidence: 0.85})
		}
	}
}

// localData reports a local file or directory the code reads as data,
// named by its repository path when it exists; one that is not in the
// repository (downloaded first) is kept under its cleaned path only when
// mustExist is false.
func (p *pyFile) localData(v string, line int, det string, mustExist bool) {
	if v == "" || strings.Contains(v, "://") || strings.ContainsAny(v, "{}") {
		return
	}
	fd := asset.Sighting{Kind: asset.KindDataset, Path: p.f.Path, Line: p.line(line), Detector: det, Confidence: 0.8, Provider: "local"}
	if lp, ok := refs.LocalPath(p.f.FS, p.f.Dir, strings.TrimSuffix(v, "/")); ok {
		fd.Name = lp
	} else if mustExist || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~") {
		return
	} else {
		fd.Name = path.Clean(v)
		fd.Confidence = 0.6
	}
	p.out.Add(fd)
}

// datasetNames reports datasets chosen by name through a variable or option
// named for them: args.dataset_file == 'coco', and argparse defaults and
// choices of a --dataset option, when the value is a name (not a path, a
// Hub id or a split).
func (p *pyFile) datasetNames() {
	t := p.toks
	add := func(v string, line int, det string) {
		if v == "" || notDatasetNames[strings.ToLower(v)] || strings.ContainsAny(v, "/.\\ {}:") || !refs.IsBareModel(v) {
			return
		}
		p.out.Add(asset.Sighting{Kind: asset.KindDataset, Name: v, Provider: "unknown", Path: p.f.Path, Line: p.line(line),
			Detector: det, Confidence: 0.6})
	}
	for i := 0; i+2 < len(t); i++ {
		if t[i].Kind != lex.Ident || !datasetVarName(t[i].Text) {
			continue
		}
		if (p.isOp(i+1, "==") || p.isOp(i+1, "!=")) && t[i+2].Kind == lex.String && !t[i+2].FStr {
			add(t[i+2].Text, t[i+2].Line, "python.dataset_choice")
		}
	}
	for dest, d := range p.argDefs {
		if datasetVarName(dest) {
			for _, v := range p.eval(d, 0) {
				add(v, p.toks[d.s].Line, "python.argparse_default")
			}
		}
	}
	for dest, c := range p.argChoices {
		if datasetVarName(dest) {
			for _, v := range p.eval(c, 0) {
				add(v, p.toks[c.s].Line, "python.argparse_choices")
			}
		}
	}
}

// datasetVarName reports a name that holds a dataset's name (dataset,
// dataset_name, dataset_file), not its location or a setting about it.
func datasetVarName(n string) bool {
	l := strings.ToLower(n)
	if !strings.Contains(l, "dataset") {
		return false
	}
	for _, suf := range []string{"_dir", "_path", "_root", "_folder", "_size", "_len", "_url", "_kwargs", "_args", "_config", "_cls", "_class", "_type"} {
		if strings.HasSuffix(l, suf) {
			return false
		}
	}
	return true
}

// schemaClass reports a class handed to a model as its output schema (a
// Pydantic model), named by the class, as the model sees it.
func (p *pyFile) schemaClass(a span, line int) {
	if a.e != a.s+1 || p.toks[a.s].Kind != lex.Ident {
		return
	}
	n := p.toks[a.s].Text
	if n == "" || n[0] < 'A' || n[0] > 'Z' || n == "None" || n == "True" || n == "False" || !p.classes[n] {
		return
	}
	p.out.Add(asset.Sighting{Kind: asset.KindTool, Name: n, Path: p.f.Path, Line: p.line(line), Detector: "python.structured_output",
		Confidence: 0.8, Props: map[string]string{"schema": "structured-output"}})
}

// agentAttrTools reports functions given to an agent after it is built:
// agent.functions = [f, g], agent.tools = [f], agent.functions.append(f),
// agent.tools.extend([f, g]). Only functions this file defines or imports
// count, so that an attribute named tools holding anything else is not a
// tool list.
func (p *pyFile) agentAttrTools() {
	report := func(n string, line int) {
		if p.funcs[n] || p.imports[n] != "" {
			p.out.Add(asset.Sighting{Kind: asset.KindTool, Name: n, Path: p.f.Path, Line: p.line(line), Detector: "python.agent_tools", Confidence: 0.8})
		}
	}
	for name, as := range p.assigns {
		if !strings.HasSuffix(name, ".functions") && !strings.HasSuffix(name, ".tools") || strings.HasPrefix(name, "self.") {
			continue
		}
		for _, a := range as {
			if !p.isOp(a.val.s, "[") {
				continue
			}
			n, _ := p.parseLit(a.val.s, 0)
			for _, it := range n.Vals {
				if it.Kind == tree.Ident {
					report(it.Text, it.Line)
				}
			}
		}
	}
	t := p.toks
	for i := 0; i+4 < len(t); i++ {
		if !p.isOp(i, ".") || t[i+1].Kind != lex.Ident || (t[i+1].Text != "functions" && t[i+1].Text != "tools") ||
			!p.isOp(i+2, ".") || (!p.isIdent(i+3, "append") && !p.isIdent(i+3, "extend")) || !p.isOp(i+4, "(") {
			continue
		}
		if i >= 1 && p.isIdent(i-1, "self") {
			continue
		}
		j := i + 5
		for ; j < len(t) && j < i+64 && !p.isOp(j, ")"); j++ {
			if t[j].Kind == lex.Ident {
				report(t[j].Text, t[j].Line)
			}
		}
		// Go on after the arguments just read: an append nested in them
		// names nothing they did not, and many unclosed appends would
		// each read to the end of the file.
		i = j
	}
}

// starPrompts resolves the names of a prompt expression (A, or A + B) that
// this file neither assigns nor imports by name against the modules it
// imports with *, after the walk: instructions=STARTER_PROMPT + POLICY.
func (p *pyFile) starPrompts(a span, det string, line int) {
	if len(p.stars) == 0 {
		return
	}
	seen := map[string]bool{}
	for _, sp := range splitOps(p, a.s, a.e, "+") {
		if sp.e != sp.s+1 || p.toks[sp.s].Kind != lex.Ident {
			continue
		}
		n := p.toks[sp.s].Text
		// Each name once, and no more than a report holds: names times
		// star-imported modules must not multiply into hours of work.
		if seen[n] || len(p.out.Pending)+len(p.stars) > detect.MaxPending {
			continue
		}
		seen[n] = true
		if _, local := p.bestAssign(n); local || p.imports[n] != "" || p.funcs[n] {
			continue
		}
		path, at := p.f.Path, p.line(p.toks[sp.s].Line)
		for _, mod := range p.stars {
			p.out.Defer(detect.Pending{Ref: mod + "." + n, Path: path, Line: at,
				Make: func(_ fs.FS, v string) (asset.Sighting, bool) {
					if len(strings.TrimSpace(v)) < 20 || !prompt.Text(v, false) {
						return asset.Sighting{}, false
					}
					return prompt.Sighting(path, at, n, v, det), true
				}})
		}
	}
}

// returnedPrompts reports the text functions named for a prompt return:
// agents take instructions as a function of their context
// (def instructions(context_variables): return f"You are ...").
func (p *pyFile) returnedPrompts() {
	t := p.toks
	for i := 0; i+2 < len(t); i++ {
		if !p.isIdent(i, "def") || t[i+1].Kind != lex.Ident || prompt.Name(t[i+1].Text) != prompt.StrongName ||
			strings.HasPrefix(t[i+1].Text, "test") {
			continue // test_..._prompts is a test, not a prompt
		}
		indent := -1
		for k := i; k >= 0 && k > i-64; k-- {
			if t[k].Indent >= 0 {
				indent = t[k].Indent
				break
			}
		}
		// Bodies longer than this are not prompt builders; the bound keeps
		// nested defs from making the scan quadratic.
		for j := i + 2; j+1 < len(t) && j < i+5000; j++ {
			if t[j].Indent >= 0 && t[j].Indent <= indent {
				break
			}
			if !p.isIdent(j, "return") || t[j+1].Kind != lex.String {
				continue
			}
			var b strings.Builder
			for k := j + 1; k < len(t) && t[k].Kind == lex.String; k++ {
				b.WriteString(t[k].Text)
			}
			text := b.String()
			if len(strings.TrimSpace(text)) >= 20 && prompt.Text(text, false) {
				p.out.Add(prompt.Sighting(p.f.Path, p.line(t[j+1].Line), t[i+1].Text, text, "python.prompt_function"))
			}
		}
	}
}

// whisperLoad reports a call that loads a Whisper checkpoint by size name:
// whisper.load_model("base"), faster_whisper's WhisperModel("small"),
// whisperx.load_model("large-v2").
func (p *pyFile) whisperLoad(callee, last string) bool {
	full := callee
	if first, rest, ok := strings.Cut(callee, "."); ok {
		if m, ok := p.imports[first]; ok {
			full = m + "." + rest
		}
	} else if m, ok := p.imports[callee]; ok {
		full = m
	}
	switch {
	case full == "whisper.load_model" || full == "whisperx.load_model" || full == "mlx_whisper.load_models.load_model":
		return true
	case last == "WhisperModel" && strings.HasPrefix(full, "faster_whisper"):
		return true
	}
	return false
}
