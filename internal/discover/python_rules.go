package discover

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
)

var (
	reNotPrompt    = regexp.MustCompile(`(?i)(_path|_dir|_file|_url|_name|_id|_key|_version|_vars?|_variables|_env|_count|_len|_max|_tokens|_names|_ids|_files|_dirs|_class|_type)$`)
	reModelName    = regexp.MustCompile(`(?i)(model|checkpoint|repo_id|embedding|embedder|llm|engine)`)
	reNotModelName = regexp.MustCompile(`(?i)(_dir|_path|_file|_url|_root|_folder|_cache|_type|_class|_kwargs|_args|_config|_size|_max|_len|_version|_key|_token)$`)
	reUpperName    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

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
		if t.kind != tIdent || t.text != "add_argument" || !p.isOp(i+1, "(") {
			continue
		}
		close := p.matching(i + 1)
		args := p.splitArgs(i+1, close)
		def := p.kwarg(args, "default")
		if def == nil {
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
			if a.e == a.s+1 && p.toks[a.s].kind == tString && strings.HasPrefix(p.toks[a.s].text, "--") {
				dest = strings.ReplaceAll(strings.TrimPrefix(p.toks[a.s].text, "--"), "-", "_")
			}
		}
		if dest == "" {
			if a := p.positional(args, 0); a != nil && p.toks[a.s].kind == tString {
				dest = strings.ReplaceAll(strings.TrimLeft(p.toks[a.s].text, "-"), "-", "_")
			}
		}
		if dest != "" {
			p.argDefs[dest] = *def
			if reModelName.MatchString(dest) && !reNotModelName.MatchString(dest) {
				p.modelRef(def, hintAny, "python.argparse_default", p.toks[def.s].line, "", nil)
			}
		}
	}
}

func (p *pyFile) calls() {
	p.prepass()
	for i, t := range p.toks {
		if t.kind != tIdent || !p.isOp(i+1, "(") {
			continue
		}
		j := i
		callee := t.text
		for j >= 2 && p.isOp(j-1, ".") && p.toks[j-2].kind == tIdent {
			callee = p.toks[j-2].text + "." + callee
			j -= 2
		}
		chained := j >= 2 && p.isOp(j-1, ".") && p.isOp(j-2, ")")
		if j >= 1 && (p.isIdent(j-1, "def") || p.isIdent(j-1, "class") || p.isOp(j-1, "@")) {
			continue
		}
		assigned := ""
		if !chained && j >= 2 && p.isOp(j-1, "=") && p.toks[j-2].kind == tIdent && p.toks[j-2].indent >= 0 {
			assigned = p.toks[j-2].text
		}
		close := p.matching(i + 1)
		p.call(callee, chained, p.splitArgs(i+1, close), t.line, assigned)
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
		p.modelRef(a, hintHF, "python.from_pretrained", line, version, nil)
	case last == "pipeline" || last == "StableDiffusionPipeline":
		handledModel = true
		a := p.arg(args, 1, "model")
		var props map[string]string
		if task := p.arg(args, 0, "task"); task != nil {
			if v := p.eval(*task, 0); len(v) == 1 {
				props = map[string]string{"task": v[0]}
			}
		}
		p.modelRef(a, hintHF, "python.pipeline", line, version, props)
	case last == "SentenceTransformer" || last == "CrossEncoder" || last == "SparseEncoder":
		handledModel = true
		p.modelRef(p.arg(args, 0, "model_name_or_path", "model_name"), hintST, "python.sentence_transformers", line, version, nil)
	case last == "hf_hub_download" || last == "snapshot_download" || last == "hf_hub_url":
		handledModel = true
		a := p.arg(args, 0, "repo_id")
		kind := KindModel
		if rt := p.kwarg(args, "repo_type"); rt != nil {
			if v := p.eval(*rt, 0); len(v) == 1 && v[0] == "dataset" {
				kind = KindDataset
			}
		}
		var props map[string]string
		if fn := p.arg(args, 1, "filename"); fn != nil && last != "snapshot_download" {
			if v := p.eval(*fn, 0); len(v) == 1 {
				props = map[string]string{"filename": v[0]}
			}
		}
		if kind == KindDataset {
			p.datasetRef(a, "python.hf_hub", line, version)
		} else {
			p.modelRef(a, hintHF, "python.hf_hub", line, version, props)
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
				p.out.add(Finding{Kind: KindModel, Name: name + "/" + m[0], Version: ver, Path: p.f.path, Line: p.line(line),
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
				p.out.add(Finding{Kind: KindModel, Name: v, Path: p.f.path, Line: p.line(line), Detector: "python.timm",
					Confidence: 0.9, Provider: "huggingface"})
			}
		}
	case callee == "hub.pull" || strings.HasSuffix(callee, ".hub.pull"):
		if a := p.arg(args, 0, "owner_repo_commit"); a != nil {
			for _, v := range p.eval(*a, 0) {
				name, ver, _ := strings.Cut(v, ":")
				fd := promptFinding(p.f.path, p.line(line), name, v, "python.langchain_hub")
				fd.Provider, fd.Version, fd.Props = "langchain-hub", ver, nil
				p.out.add(fd)
			}
		}
	case last == "pull" && strings.Contains(lc, "ollama"):
		handledModel = true
		p.modelRef(p.arg(args, 0, "model"), hintOllama, "python.ollama", line, "", nil)
	case last == "GenerativeModel" || last == "ChatGoogleGenerativeAI":
		handledModel = true
		p.modelRef(p.arg(args, 0, "model_name", "model"), hintAny, "python.hosted_model", line, "", nil)
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
			for _, m := range n.vals {
				if m.kind == nList && len(m.vals) == 2 && m.vals[0].kind == nStr && (m.vals[0].s == "system" || m.vals[0].s == "developer") {
					p.promptNode(m.vals[1], "python.prompt_template")
				}
			}
		}
	}
	for _, k := range []string{"system", "instructions", "system_prompt", "system_message", "system_instruction", "backstory"} {
		if v := p.kwarg(args, k); v != nil {
			p.promptArg(v, "python.system_prompt", line)
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
			if fn := p.arg(args, -1, "func", "fn"); fn != nil && p.toks[fn.s].kind == tIdent {
				name = p.toks[fn.s].text
			}
		}
		if name != "" {
			p.out.add(Finding{Kind: KindTool, Name: name, Path: p.f.path, Line: p.line(line), Detector: "python.tool", Confidence: 0.9})
		}
	}
	if ctor, ok := agentCtors[last]; ok && !(last == "Agent" && (strings.Contains(lc, "ollama") || !p.llmAgentArgs(args))) {
		p.agent(callee, last, ctor, args, line, assigned)
	}

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
		h := hintAny
		if strings.Contains(lc, "ollama") {
			h = hintOllama
		}
		if h == hintAny && p.ollama && !chained {
			h = hintOllama
			if vals := p.eval(*v, 0); len(vals) == 1 {
				if _, hosted := hostedProvider(vals[0]); hosted || reHFID.MatchString(vals[0]) {
					h = hintAny
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
			p.out.add(Finding{Kind: KindAgent, Name: name, Path: p.f.path, Line: p.line(line), Detector: "python.agent",
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
	if p.toks[sp.s].kind == tIdent && sp.e == sp.s+1 {
		if a, ok := p.bestAssign(p.toks[sp.s].text); ok {
			p.toolList(a.val, depth+1)
		}
		return
	}
	if !p.isOp(sp.s, "[") && !p.isOp(sp.s, "(") {
		return
	}
	n, _ := p.parseLit(sp.s, 0)
	for _, it := range n.vals {
		switch it.kind {
		case nIdent:
			if a, ok := p.bestAssign(it.s); ok && p.isOp(a.val.s, "[") {
				p.toolList(a.val, depth+1)
				continue
			}
			p.out.add(Finding{Kind: KindTool, Name: it.s, Path: p.f.path, Line: it.line, Detector: "python.agent_tools", Confidence: 0.85})
		case nCall:
			last := it.s[strings.LastIndex(it.s, ".")+1:]
			switch last {
			case "Tool", "StructuredTool", "from_function", "from_defaults", "FunctionTool":
				continue // reported at the constructor
			}
			p.out.add(Finding{Kind: KindTool, Name: last, Path: p.f.path, Line: it.line, Detector: "python.agent_tools", Confidence: 0.8})
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
		fd := Finding{Kind: KindDataset, Name: v, Version: version, Path: p.f.path, Line: p.line(line),
			Detector: "python.load_dataset", Confidence: 0.9, Provider: "huggingface"}
		if lp, ok := localPath(p.f.fsys, p.f.dir, v); ok {
			fd.Name, fd.Provider = lp, "local"
		} else if !reHFID.MatchString(v) && !reBareModel.MatchString(v) {
			continue
		}
		if c := p.arg(args, 1, "name"); c != nil {
			if cv := p.eval(*c, 0); len(cv) == 1 {
				fd.Props = map[string]string{"config": cv[0]}
			}
		}
		p.out.add(fd)
	}
	if len(vals) == 0 {
		p.pendingRef(a, line, func(fsys fs.FS, v string) (Finding, bool) {
			if !reHFID.MatchString(v) {
				return Finding{}, false
			}
			return Finding{Kind: KindDataset, Name: v, Version: version, Detector: "python.load_dataset", Confidence: 0.85, Provider: "huggingface"}, true
		})
	}
}

func (p *pyFile) docSource(v, loader string, line int) {
	p.docSourceKind(v, loader, line, "python.rag_loader")
}

func (p *pyFile) docSourceKind(v, loader string, line int, det string) {
	fd := Finding{Kind: KindDataset, Path: p.f.path, Line: p.line(line), Detector: det, Confidence: 0.8,
		Props: map[string]string{"loader": loader}}
	switch {
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		fd.Name, fd.URL, fd.Provider = v, v, "url"
	case loader == "HuggingFaceDatasetLoader" && reHFID.MatchString(v):
		fd.Name, fd.Provider = v, "huggingface"
	default:
		if lp, ok := localPath(p.f.fsys, p.f.dir, v); ok {
			fd.Name = lp
		} else {
			fd.Name = path.Clean(v)
			fd.Confidence = 0.6
		}
		fd.Provider = "local"
	}
	p.out.add(fd)
}

// modelRef evaluates a model argument and records what it names; names
// imported from other modules are resolved after the walk.
func (p *pyFile) modelRef(a *span, h hint, det string, line int, version string, props map[string]string) {
	if a == nil {
		return
	}
	vals, pend := p.evalP(*a, 0)
	for _, v := range vals {
		if fd, ok := classify(p.f.fsys, p.f.dir, v, h); ok {
			fd.Path, fd.Line, fd.Detector = p.f.path, p.line(line), det
			if version != "" {
				fd.Version = version
			}
			if props != nil {
				fd.Props = mergeProps(fd.Props, props)
			}
			if !isLiteral(p, *a) {
				fd.Confidence = min(fd.Confidence, 0.85)
			}
			p.out.add(fd)
		}
	}
	if len(vals) == 0 && pend != "" {
		dir := p.f.dir // the closure outlives the file's tokens; keep it small
		p.f.s.addPending(pendingRef{ref: pend, path: p.f.path, line: p.line(line), dir: dir,
			make: func(fsys fs.FS, v string) (Finding, bool) {
				fd, ok := classify(fsys, dir, v, h)
				fd.Detector, fd.Version = det, version
				fd.Confidence = min(fd.Confidence, 0.8)
				return fd, ok
			}})
	}
}

func (p *pyFile) pendingRef(a *span, line int, mk func(fs.FS, string) (Finding, bool)) {
	if _, pend := p.evalP(*a, 0); pend != "" {
		p.f.s.addPending(pendingRef{ref: pend, path: p.f.path, line: p.line(line), dir: p.f.dir, make: mk})
	}
}

func (p *pyFile) datasetRef(a *span, det string, line int, version string) {
	if a == nil {
		return
	}
	for _, v := range p.eval(*a, 0) {
		if reHFID.MatchString(v) {
			p.out.add(Finding{Kind: KindDataset, Name: v, Version: version, Path: p.f.path, Line: p.line(line),
				Detector: det, Confidence: 0.9, Provider: "huggingface"})
		}
	}
}

func isLiteral(p *pyFile, a span) bool {
	for j := a.s; j < a.e; j++ {
		if p.toks[j].kind != tString || p.toks[j].fstr {
			return false
		}
	}
	return true
}

func mergeProps(a, b map[string]string) map[string]string {
	if a == nil {
		a = map[string]string{}
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}

// promptArg records the prompt passed as an argument: a literal (named
// after the file) or a constant (named after the constant).
func (p *pyFile) promptArg(a *span, det string, line int) {
	if a == nil {
		return
	}
	name := ""
	if a.e == a.s+1 && p.toks[a.s].kind == tIdent {
		name = p.toks[a.s].text
	} else if a.e == a.s+3 && p.toks[a.s].kind == tIdent && p.isOp(a.s+1, ".") {
		name = p.toks[a.s+2].text
	}
	vals, pend := p.evalP(*a, 0)
	if len(vals) != 1 {
		if pend != "" && name != "" {
			// Imported prompt constant: the occurrence is what matters here.
			p.out.add(Finding{Kind: KindPrompt, Name: name, Path: p.f.path, Line: p.line(line), Detector: det, Confidence: 0.75})
		}
		return
	}
	if strings.TrimSpace(vals[0]) == "" {
		return
	}
	if name == "" {
		name = p.f.path
	}
	p.out.add(promptFinding(p.f.path, p.line(p.toks[a.s].line), name, vals[0], det))
}

func (p *pyFile) promptNode(n *node, det string) {
	switch n.kind {
	case nStr:
		if strings.TrimSpace(n.s) != "" {
			p.out.add(promptFinding(p.f.path, n.line, p.f.path, n.s, det))
		}
	case nIdent:
		if vals := p.eval(span{n.ref, n.ref + 1}, 0); len(vals) == 1 {
			p.out.add(promptFinding(p.f.path, n.line, n.s, vals[0], det))
		}
	}
}

// literals runs the tree patterns (tool schemas, system messages, model
// keys) over dict and list literals.
func (p *pyFile) literals() {
	tc := &treeCtx{f: p.f, out: p.out, det: "python", skipListModels: true, configKeys: true, ollama: p.ollama,
		resolve: func(n *node) []string {
			end := n.ref + 1 + 2*strings.Count(n.s, ".")
			return p.eval(span{n.ref, end}, 0)
		}}
	for i := 0; i < len(p.toks); i++ {
		if !p.isOp(i, "{") && !p.isOp(i, "[") {
			continue
		}
		// Subscripts and comprehensions are not literals worth walking.
		if p.isOp(i, "[") && i > 0 && (p.toks[i-1].kind == tIdent || p.isOp(i-1, ")") || p.isOp(i-1, "]")) {
			continue
		}
		n, end := p.parseLit(i, 0)
		tc.walk(n, nil, false, 0)
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
			if a.val.s >= a.val.e {
				continue
			}
			short := name[strings.LastIndex(name, ".")+1:]
			literal := isLiteral(p, a.val)
			isStr := p.toks[a.val.s].kind == tString
			switch {
			case isStr && promptName(short) != promptNameNo && !reNotPrompt.MatchString(short) && !strings.HasPrefix(name, "self.") || (isStr && p.prompts && a.top && reUpperName.MatchString(short)):
				vals := p.eval(a.val, 0)
				text := ""
				if len(vals) == 1 {
					text = vals[0]
				} else if !literal {
					// An f-string with runtime placeholders is still a prompt.
					for j := a.val.s; j < a.val.e; j++ {
						if p.toks[j].kind == tString {
							text += p.toks[j].text
						}
					}
				}
				if len(strings.TrimSpace(text)) < 8 || (!a.top && len(text) < 20) || looksLikePath(text) && !strings.Contains(text, " ") {
					continue
				}
				// In a prompt module every upper-case constant counts as a
				// prompt by name; elsewhere the name's convention decides
				// how much the value has to prove.
				strength := promptName(short)
				if p.prompts && a.top && reUpperName.MatchString(short) {
					strength = promptNameStrong
				}
				if !promptText(text, strength == promptNameWeak) {
					continue
				}
				p.out.add(promptFinding(p.f.path, p.line(a.line), short, text, "python.prompt_constant"))
			case reModelName.MatchString(short) && !reNotModelName.MatchString(short) && !reAnyPromptWord.MatchString(short) && a.top:
				p.modelConstant(a)
			}
			if a.top && p.module != "" && !strings.Contains(name, ".") {
				if vals := p.eval(a.val, 0); len(vals) > 0 {
					p.f.s.registerConstant(p.module, name, vals)
				}
			}
		}
	}
	// Default parameters with model-ish names: def load(model_id="org/x").
	for name, d := range p.defaults {
		if reModelName.MatchString(name) && !reNotModelName.MatchString(name) {
			p.modelRef(&d, hintAny, "python.default_param", p.toks[d.s].line, "", nil)
		}
	}
}

func (p *pyFile) modelConstant(a assign) {
	t := p.toks[a.val.s]
	if t.kind == tOp && (t.text == "{" || t.text == "[" || t.text == "(") {
		n, _ := p.parseLit(a.val.s, 0)
		var items []*node
		if n.kind == nDict || n.kind == nList {
			items = n.vals
		}
		for _, it := range items {
			if it.kind != nStr {
				continue
			}
			if fd, ok := classify(p.f.fsys, p.f.dir, it.s, hintAny); ok {
				fd.Path, fd.Line, fd.Detector = p.f.path, it.line, "python.model_constant"
				fd.Confidence = min(fd.Confidence, 0.8)
				p.out.add(fd)
			}
		}
		return
	}
	if t.kind != tString {
		if !(t.kind == tIdent && (strings.HasPrefix(t.text, "os") || t.text == "getenv")) {
			return
		}
	}
	p.modelRef(&a.val, hintAny, "python.model_constant", a.line, "", nil)
}

// strayStrings reports string literals that are whole weight or dataset
// URLs; docstrings (strings standing as statements) are prose and skipped.
func (p *pyFile) strayStrings() {
	for i, t := range p.toks {
		if t.kind != tString || t.indent >= 0 && i+1 < len(p.toks) && p.toks[i+1].kind == tNL {
			continue
		}
		s := strings.TrimSpace(t.text)
		if !strings.HasPrefix(s, "http") || strings.ContainsAny(s, " \n") {
			continue
		}
		if fd, ok := urlFinding(s); ok {
			fd.Path, fd.Line, fd.Detector = p.f.path, p.line(t.line), "python.url"
			p.out.add(fd)
		}
	}
}

func (p *pyFile) applyBaseURLs() {
	if len(p.bases) == 0 {
		return
	}
	for i := range p.out.findings {
		f := &p.out.findings[i]
		if f.Kind == KindService && f.Path == p.f.path {
			if u, ok := p.bases[f.Provider]; ok {
				f.URL = u
			}
		}
	}
}
