// Package python reads Python modules, Jupyter notebooks and Python
// dependency manifests. Modules are lexed, not parsed: model ids are found
// in argument and value positions and followed through constants, defaults,
// argparse options, dicts and f-strings, and across modules by import.
package python

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/lex"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// Source reads Python modules (.py, .pyi).
type Source struct{}

func (Source) Name() string { return "python" }

func (Source) Wants(f *detect.File) bool { return f.Ext == ".py" || f.Ext == ".pyi" }

func (Source) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	newPyFile(ctx, f, out, f.Data, nil).analyse()
}

// pyFile is one Python module (or a notebook's code cells) under analysis.
type pyFile struct {
	f    *detect.File
	out  *detect.Report
	toks []lex.Token
	// lineMap maps lexed lines to reported lines (notebooks); nil is identity.
	lineMap []int
	module  string

	assigns     map[string][]assign // name -> assignments, in order
	defaults    map[string]span     // function parameter defaults
	argDefs     map[string]span     // argparse dest -> default
	argChoices  map[string]span     // argparse dest -> choices
	imports     map[string]string   // local name -> dotted "module" or "module.attr"
	bases       map[string]string   // provider -> base_url seen in the file
	ollama      bool
	mcp         bool                // imports an MCP SDK (mcp, fastmcp)
	funcs       map[string]bool     // functions defined in the file
	classes     map[string]bool     // classes defined in the file
	stars       []string            // modules imported with from M import *
	at          int                 // lexed line of the call being read, 0 outside calls
	choices     map[string][]string // NAME -> the strings it is checked against (indexChoices)
	class       string              // the top-level class whose body is being read
	classIndent int                 // indent of its body, -1 before its first statement
	prompts     bool                // a prompt module: every string constant is a prompt
	skipLit     map[int]bool

	// match[i] is the index of the bracket closing the opener at i
	// (len(toks) when unclosed), computed once so that nested or unclosed
	// calls cost one pass, not one pass per call.
	match  []int32
	opener []int32             // opener[i] is the bracket a closer at i closes, or -1
	best   map[string]assign   // bestAssign's choice without a call position, kept as assigns grow
	tops   map[string][]assign // module-level assignments of each name, in line order
	// memo holds resolved names once the lookup tables are complete
	// (after the argparse prepass); lits holds parsed literals. Together
	// they keep chains of constants that use each other many times from
	// being evaluated exponentially often.
	memo      map[memoKey]memoVal
	lits      map[int]litVal
	models    map[modelKey]modelVal
	collected map[*tree.Node][]string
	dictKeys  map[*tree.Node]map[string]int
	// work counts evaluation steps against limit: what the memo cannot
	// bound (values built by concatenation) stops there.
	work, limit int
	exhausted   bool
	stop        *detect.Interrupt
}

// memoKey: what a name resolves to depends on the call being read (p.at),
// since a name assigned again later means its last value before the call.
type memoKey struct {
	name      string
	depth, at int
}

type memoVal struct {
	vals []string
	pend string
}

type litVal struct {
	n   *tree.Node
	end int
}

// Bounds on evaluation: values a name or literal stands for, and the
// length of a value built by concatenation.
const (
	maxEvalValues = 64
	maxValueLen   = 256 << 10
)

type span struct{ s, e int }

type assign struct {
	val  span
	line int
	top  bool
	// class is the top-level class whose body assigns the name
	// (class CONFIG: MODEL_NAME = ...), "" elsewhere.
	class string
}

func newPyFile(ctx context.Context, f *detect.File, out *detect.Report, src []byte, lineMap []int) *pyFile {
	stop := detect.NewInterrupt(ctx)
	p := &pyFile{f: f, out: out, toks: lex.LexUntil(src, lex.Python, stop.Stop), lineMap: lineMap,
		assigns: map[string][]assign{}, defaults: map[string]span{}, argDefs: map[string]span{}, argChoices: map[string]span{},
		imports: map[string]string{}, bases: map[string]string{}, skipLit: map[int]bool{},
		funcs: map[string]bool{}, classes: map[string]bool{}, classIndent: -1,
		best: map[string]assign{}, tops: map[string][]assign{}, lits: map[int]litVal{}, models: map[modelKey]modelVal{},
		collected: map[*tree.Node][]string{}, dictKeys: map[*tree.Node]map[string]int{}, stop: stop}
	p.match, p.opener = matchBrackets(p.toks)
	p.limit = 64*(len(src)+len(p.toks)) + 1<<20
	p.module = pyModuleName(f.Path)
	base := strings.TrimSuffix(f.Base, ".py")
	p.prompts = base == "prompts" || base == "prompt" || strings.HasSuffix(base, "_prompts") ||
		strings.Contains("/"+strings.ToLower(f.Dir)+"/", "/prompts/")
	return p
}

func pyModuleName(p string) string {
	p = strings.TrimSuffix(p, ".py")
	p = strings.TrimSuffix(p, "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}

func (p *pyFile) line(l int) int {
	if p.lineMap != nil {
		if l >= 1 && l < len(p.lineMap) {
			return p.lineMap[l]
		}
		return 0
	}
	return l
}

func (p *pyFile) isOp(i int, op string) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].Kind == lex.Op && p.toks[i].Text == op
}

func (p *pyFile) isIdent(i int, name string) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].Kind == lex.Ident && p.toks[i].Text == name
}

// matchBrackets pairs every opening bracket with the one that closes it,
// whatever their kinds, as a depth count would: match maps openers to
// closers (len(toks) when unclosed), opener maps closers back (-1 when
// unopened).
func matchBrackets(toks []lex.Token) (match, opener []int32) {
	match = make([]int32, len(toks))
	opener = make([]int32, len(toks))
	var open []int32
	for j, t := range toks {
		match[j] = int32(len(toks))
		opener[j] = -1
		if t.Kind != lex.Op {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			open = append(open, int32(j))
		case ")", "]", "}":
			if n := len(open); n > 0 {
				match[open[n-1]] = int32(j)
				opener[j] = open[n-1]
				open = open[:n-1]
			}
		}
	}
	return match, opener
}

func isOpener(t lex.Token) bool {
	return t.Kind == lex.Op && (t.Text == "(" || t.Text == "[" || t.Text == "{")
}

// matching returns the index of the bracket closing the one at i.
func (p *pyFile) matching(i int) int {
	if i >= 0 && i < len(p.toks) && isOpener(p.toks[i]) {
		return int(p.match[i])
	}
	depth := 0
	for j := i; j < len(p.toks); j++ {
		t := p.toks[j]
		if t.Kind != lex.Op {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(p.toks)
}

// analyse runs all passes: statements (imports, assignments, defs), then
// calls and literals.
func (p *pyFile) analyse() {
	p.statements()
	p.calls()
	p.literals()
	p.constants()
	p.strayStrings()
	p.applyBaseURLs()
	p.datasetNames()
	p.returnedPrompts()
	if p.f.Base == "hubconf.py" {
		p.hubconf()
	}
	if p.exhausted {
		p.out.Skip(p.f.Path, fmt.Sprintf("not fully analysed: evaluating its constants took more than %d steps", p.limit))
	}
}

// spend charges n steps of evaluation, reporting false once the file's
// budget is spent or its context has ended.
func (p *pyFile) spend(n int) bool {
	if p.exhausted {
		return false
	}
	p.work += n + 1
	if p.work > p.limit {
		p.exhausted = true
		return false
	}
	return !p.stop.Stop()
}

// statements walks logical lines for imports, assignments, defs, for-loops
// and decorators.
func (p *pyFile) statements() {
	toks := p.toks
	var decorators []span
	for i := 0; i < len(toks) && !p.stop.Stop(); {
		end := i
		for end < len(toks) && toks[end].Kind != lex.NL {
			end++
		}
		p.statement(i, end, &decorators)
		i = end + 1
	}
}

func (p *pyFile) statement(s, e int, decorators *[]span) {
	if s >= e {
		return
	}
	t := p.toks[s]
	top := t.Indent == 0
	// Track the body of a top-level class: its first statement sets the
	// body's indent; a statement back at column 0 ends it.
	if t.Indent == 0 {
		p.class, p.classIndent = "", -1
		if t.Kind == lex.Ident && t.Text == "class" && s+1 < e && p.toks[s+1].Kind == lex.Ident {
			p.class = p.toks[s+1].Text
		}
	} else if p.class != "" && p.classIndent < 0 && t.Indent > 0 {
		p.classIndent = t.Indent
	}
	switch {
	case p.isOp(s, "@"):
		*decorators = append(*decorators, span{s + 1, e})
		return
	case t.Kind == lex.Ident && t.Text == "import":
		p.importStmt(s+1, e, "")
	case t.Kind == lex.Ident && t.Text == "from" && e-s >= 4:
		var b strings.Builder
		j := s + 1
		for ; j < e && !p.isIdent(j, "import"); j++ {
			b.WriteString(p.toks[j].Text)
		}
		mod := b.String()
		if strings.HasPrefix(mod, ".") {
			pkg := path.Dir(p.f.Path)
			for strings.HasPrefix(mod, "..") {
				pkg = path.Dir(pkg)
				mod = mod[1:]
			}
			mod = strings.TrimPrefix(mod, ".")
			if pkg != "." {
				mod = strings.ReplaceAll(pkg, "/", ".") + "." + mod
			}
			mod = strings.TrimSuffix(mod, ".")
		}
		p.importStmt(j+1, e, mod)
		if p.isOp(j+1, "*") {
			p.stars = append(p.stars, mod)
		}
		if strings.Contains(mod, "ollama") {
			p.ollama = true
		}
	case t.Kind == lex.Ident && (t.Text == "def" || t.Text == "async"):
		j := s + 1
		if t.Text == "async" {
			j++
		}
		if j < e && p.toks[j].Kind == lex.Ident {
			p.funcs[p.toks[j].Text] = true
			p.defStmt(j, e, *decorators)
		}
	case t.Kind == lex.Ident && t.Text == "class" && s+1 < e && p.toks[s+1].Kind == lex.Ident:
		p.classes[p.toks[s+1].Text] = true
	case t.Kind == lex.Ident && t.Text == "for":
		// for NAME in <iterable>: loops over literals are simple indirection.
		if s+3 < e && p.toks[s+1].Kind == lex.Ident && p.isIdent(s+2, "in") {
			colon := e - 1
			for colon > s+3 && !p.isOp(colon, ":") {
				colon--
			}
			if colon > s+3 {
				name := p.toks[s+1].Text
				p.addAssign(name, assign{val: span{s + 3, colon}, line: t.Line, top: false})
			}
		}
	case t.Kind == lex.Ident && t.Text != "class" && t.Text != "return" && t.Text != "if" && t.Text != "with":
		p.assignStmt(s, e, top)
	}
	*decorators = (*decorators)[:0]
}

func (p *pyFile) importStmt(s, e int, from string) {
	for j := s; j < e; j++ {
		if p.toks[j].Kind != lex.Ident {
			continue
		}
		name, k := tree.DottedName(p.toks, j, e)
		local := name
		if k+1 < e && p.isIdent(k, "as") && p.toks[k+1].Kind == lex.Ident {
			local = p.toks[k+1].Text
			k += 2
		}
		full := name
		if from != "" {
			full = from + "." + name
		}
		if full == "mcp" || strings.HasPrefix(full, "mcp.") || strings.HasPrefix(full, "fastmcp") {
			p.mcp = true
		}
		if from != "" {
			p.imports[local] = from + "." + name
		} else {
			p.imports[local] = name
			if strings.HasPrefix(name, "ollama") {
				p.ollama = true
			}
		}
		j = k
	}
}

func (p *pyFile) assignStmt(s, e int, top bool) {
	// NAME [. NAME]* [: annotation] = value
	name, j := tree.DottedName(p.toks, s, e)
	if p.isOp(j, ":") {
		for j < e && !p.isOp(j, "=") {
			j++
		}
	}
	if !p.isOp(j, "=") || j+1 >= e {
		return
	}
	a := assign{val: span{j + 1, e}, line: p.toks[s].Line, top: top}
	if !top && p.class != "" && p.toks[s].Indent == p.classIndent {
		a.class = p.class
	}
	p.addAssign(name, a)
}

func (p *pyFile) addAssign(name string, a assign) {
	p.assigns[name] = append(p.assigns[name], a)
	if b, ok := p.best[name]; !ok || a.top && !b.top {
		p.best[name] = a
	}
	if a.top {
		p.tops[name] = append(p.tops[name], a)
	}
}

// defStmt records parameter defaults and applies decorators (@tool).
func (p *pyFile) defStmt(j, e int, decorators []span) {
	name := p.toks[j].Text
	if p.isOp(j+1, "(") {
		close := p.matching(j + 1)
		for _, a := range p.splitArgs(j+1, close) {
			if p.toks[a.s].Kind == lex.Ident && a.e-a.s >= 3 {
				k := a.s + 1
				if p.isOp(k, ":") {
					for k < a.e && !p.isOp(k, "=") {
						k++
					}
				}
				if p.isOp(k, "=") && k+1 < a.e {
					p.defaults[p.toks[a.s].Text] = span{k + 1, a.e}
				}
			}
		}
	}
	for _, d := range decorators {
		p.decorator(d, name, p.toks[j].Line)
	}
}

// Decorators that expose a function to a model.
var toolDecorators = map[string]bool{"tool": true, "function_tool": true, "kernel_function": true, "ai_function": true}

func (p *pyFile) decorator(d span, fn string, line int) {
	if d.s >= d.e || p.toks[d.s].Kind != lex.Ident {
		return
	}
	callee, k := tree.DottedName(p.toks, d.s, d.e)
	last := callee[strings.LastIndex(callee, ".")+1:]
	if !toolDecorators[last] {
		return
	}
	name := fn
	if p.isOp(k, "(") {
		close := p.matching(k)
		args := p.splitArgs(k, close)
		if len(args) > 0 && p.toks[args[0].s].Kind == lex.String && args[0].e == args[0].s+1 {
			name = p.toks[args[0].s].Text
		}
		if v := p.kwarg(args, "name"); v != nil {
			if vals := p.eval(*v, 0); len(vals) > 0 {
				name = vals[0]
			}
		}
	}
	fd := asset.Sighting{Kind: asset.KindTool, Name: name, Path: p.f.Path, Line: p.line(line), Detector: "python.tool_decorator", Confidence: 0.95}
	if strings.Contains(callee, ".") && last == "tool" && !strings.HasPrefix(callee, "langchain") {
		fd.Provider = "mcp" // @mcp.tool(), @server.tool(): FastMCP servers
		fd.Detector = "python.mcp_tool"
	}
	p.out.Add(fd)
}

// splitArgs splits the tokens between the bracket at open and close into
// top-level comma-separated spans.
func (p *pyFile) splitArgs(open, close int) []span {
	var out []span
	start := open + 1
	for j := open + 1; j < close && j < len(p.toks); j++ {
		t := p.toks[j]
		if t.Kind != lex.Op {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			// Nested brackets hold no top-level comma: jump over them,
			// so that nested calls cost one pass in all.
			j = int(p.match[j])
		case ",":
			if j > start {
				out = append(out, span{start, j})
			}
			start = j + 1
		}
	}
	if close > start {
		out = append(out, span{start, min(close, len(p.toks))})
	}
	return out
}

// kwarg returns the value span of keyword argument name.
func (p *pyFile) kwarg(args []span, name string) *span {
	for _, a := range args {
		if a.e-a.s >= 3 && p.isIdent(a.s, name) && p.isOp(a.s+1, "=") {
			return &span{a.s + 2, a.e}
		}
	}
	return nil
}

// positional returns the i-th positional argument.
func (p *pyFile) positional(args []span, i int) *span {
	n := 0
	for _, a := range args {
		if a.e-a.s >= 2 && p.toks[a.s].Kind == lex.Ident && p.isOp(a.s+1, "=") {
			continue
		}
		if p.isOp(a.s, "*") || p.isOp(a.s, "**") {
			continue
		}
		if n == i {
			return &a
		}
		n++
	}
	return nil
}

func (p *pyFile) arg(args []span, i int, names ...string) *span {
	for _, n := range names {
		if v := p.kwarg(args, n); v != nil {
			return v
		}
	}
	if i < 0 {
		return nil
	}
	return p.positional(args, i)
}

// eval resolves an expression span to the string values it can take, using
// module constants, parameter defaults, argparse defaults, dict values, sets
// and lists of literals, f-strings, os.path.join and Path joins. Names
// imported from other modules are resolved after the walk (see pending).
func (p *pyFile) eval(sp span, depth int) []string {
	vals, _ := p.evalP(sp, depth)
	return vals
}

// evalP also returns an imported name ("module.NAME") when that is what the
// expression is.
func (p *pyFile) evalP(sp span, depth int) ([]string, string) {
	if depth > 10 || sp.s >= sp.e || sp.e > len(p.toks) || !p.spend(1) {
		return nil, ""
	}
	t := p.toks
	for p.isOp(sp.s, "(") && p.matching(sp.s) == sp.e-1 {
		sp = span{sp.s + 1, sp.e - 1}
		if sp.s >= sp.e {
			return nil, ""
		}
	}
	// Concatenated string literals (implicit or with +).
	if t[sp.s].Kind == lex.String {
		var b strings.Builder
		for j := sp.s; j < sp.e; j++ {
			switch {
			case t[j].Kind == lex.String:
				s := t[j].Text
				if t[j].FStr {
					var ok bool
					if s, ok = p.fstring(s, depth); !ok {
						return nil, ""
					}
				}
				if !p.spend(len(s)) || b.Len()+len(s) > maxValueLen {
					return nil, ""
				}
				b.WriteString(s)
			case p.isOp(j, "+"):
			case t[j].Kind == lex.Ident && j > sp.s && p.isOp(j-1, "+"):
				v := p.eval(span{j, j + 1}, depth+1)
				if len(v) != 1 || !p.spend(len(v[0])) || b.Len()+len(v[0]) > maxValueLen {
					return nil, ""
				}
				b.WriteString(v[0])
			case p.isOp(j, "/") || p.isOp(j, "."):
				return nil, ""
			default:
				return nil, ""
			}
		}
		return []string{b.String()}, ""
	}
	// Literal collections: every string value.
	if t[sp.s].Kind == lex.Op && (t[sp.s].Text == "{" || t[sp.s].Text == "[" || t[sp.s].Text == "(") && p.matching(sp.s) == sp.e-1 {
		n, _ := p.parseLit(sp.s, 0)
		return p.values(n), ""
	}
	if t[sp.s].Kind != lex.Ident {
		return nil, ""
	}
	// Dotted name, possibly subscripted or called.
	name, j := tree.DottedName(t, sp.s, sp.e)
	if j == sp.e {
		return p.lookup(name, depth)
	}
	switch {
	case p.isOp(j, "["):
		close := p.matching(j)
		base, pend := p.lookupNode(name, depth)
		if base == nil {
			if pend != "" {
				return nil, ""
			}
			return nil, ""
		}
		key := p.eval(span{j + 1, close}, depth+1)
		if base.Kind == tree.Dict && len(key) == 1 {
			if v := p.get(base, key[0]); v != nil {
				return p.values(v), ""
			}
		}
		return p.values(base), ""
	case p.isOp(j, "("):
		close := p.matching(j)
		args := p.splitArgs(j, close)
		var rest []string
		if close+1 < sp.e {
			// Path(...) / "x" / "y"
			if !p.isOp(close+1, "/") {
				return nil, ""
			}
			segs := splitOps(p, close+1, sp.e, "/")
			if p.exhausted {
				return nil, ""
			}
			for _, seg := range segs {
				v := p.eval(seg, depth+1)
				if len(v) != 1 {
					return nil, ""
				}
				rest = append(rest, v[0])
			}
		}
		var vals []string
		switch name {
		case "os.path.join", "path.join", "posixpath.join", "Path", "pathlib.Path", "PurePath", "str", "os.fspath":
			parts := make([]string, 0, len(args))
			for _, a := range args {
				v := p.eval(a, depth+1)
				if len(v) != 1 {
					return nil, ""
				}
				parts = append(parts, v[0])
			}
			if len(parts) == 0 || !p.spend(joinedLen(parts)) {
				return nil, ""
			}
			vals = []string{path.Join(parts...)}
			if name == "str" || name == "os.fspath" {
				vals = []string{parts[0]}
			}
		case "os.getenv", "os.environ.get", "environ.get", "getenv":
			if d := p.arg(args, 1, "default"); d != nil {
				vals = p.eval(*d, depth+1)
			}
		default:
			return nil, ""
		}
		if len(rest) > 0 && len(vals) == 1 {
			vals = []string{path.Join(append([]string{vals[0]}, rest...)...)}
		}
		return vals, ""
	case p.isOp(j, "/"):
		var parts []string
		segs := splitOps(p, sp.s, sp.e, "/")
		for _, seg := range segs {
			v := p.eval(seg, depth+1)
			if len(v) != 1 {
				return nil, ""
			}
			parts = append(parts, v[0])
		}
		if !p.spend(joinedLen(parts)) {
			return nil, ""
		}
		return []string{path.Join(parts...)}, ""
	case p.isOp(j, "or"), p.isIdent(j, "or"):
		// x or "default"
		return p.eval(span{j + 1, sp.e}, depth+1), ""
	}
	return nil, ""
}

func splitOps(p *pyFile, s, e int, op string) []span {
	if !p.spend(e - s) {
		return nil
	}
	var out []span
	depth := 0
	start := s
	for j := s; j < e; j++ {
		t := p.toks[j]
		if t.Kind != lex.Op {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case op:
			if depth == 0 {
				if j > start {
					out = append(out, span{start, j})
				}
				start = j + 1
			}
		}
	}
	if e > start {
		out = append(out, span{start, e})
	}
	return out
}

func joinedLen(parts []string) int {
	n := 0
	for _, s := range parts {
		n += len(s) + 1
	}
	return n
}

// values returns the string values of a literal, at most maxEvalValues,
// collected once per node: a subscript of a long constant used at many
// call sites would otherwise walk and repeat the whole constant at each.
// Callers share the slice and must not change it.
func (p *pyFile) values(n *tree.Node) []string {
	if v, ok := p.collected[n]; ok {
		return v
	}
	var out []string
	collect(n, &out)
	p.spend(countNodes(n))
	p.collected[n] = out
	return out
}

// get is n.Get through an index built once per dict.
func (p *pyFile) get(n *tree.Node, key string) *tree.Node {
	idx, ok := p.dictKeys[n]
	if !ok {
		idx = make(map[string]int, len(n.Keys))
		for i := len(n.Keys) - 1; i >= 0; i-- {
			idx[n.Keys[i]] = i // the first occurrence wins, as in Get
		}
		p.dictKeys[n] = idx
	}
	if i, ok := idx[key]; ok {
		return n.Vals[i]
	}
	return nil
}

func collect(n *tree.Node, out *[]string) {
	if n == nil {
		return
	}
	switch n.Kind {
	case tree.String:
		*out = append(*out, n.Text)
	case tree.Dict, tree.List:
		for _, v := range n.Vals {
			if len(*out) >= maxEvalValues {
				return
			}
			collect(v, out)
		}
	}
}

func countNodes(n *tree.Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, v := range n.Vals {
		c += countNodes(v)
	}
	return c
}

var reFPlaceholder = regexp.MustCompile(`\{([A-Za-z_][\w.]*)(![rsa])?(:[^{}]*)?\}`)

// fstring substitutes {NAME} placeholders with resolvable values.
func (p *pyFile) fstring(s string, depth int) (string, bool) {
	ok := p.spend(len(s))
	if !ok {
		return s, false
	}
	size := len(s)
	out := reFPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		if !ok {
			return m
		}
		sub := reFPlaceholder.FindStringSubmatch(m)
		v, _ := p.lookup(sub[1], depth+1)
		if len(v) != 1 || !p.spend(len(v[0])) || size+len(v[0]) > maxValueLen {
			ok = false
			return m
		}
		size += len(v[0])
		return v[0]
	})
	if strings.ContainsAny(out, "{}") {
		return out, false
	}
	return out, ok
}

// lookup resolves a (dotted) name: args.X via argparse defaults, then module
// assignments, parameter defaults, and finally imports (returned as pending).
func (p *pyFile) lookup(name string, depth int) ([]string, string) {
	if depth > 10 {
		return nil, ""
	}
	if p.memo == nil {
		return p.lookupOnce(name, depth)
	}
	k := memoKey{name, depth, p.at}
	if m, ok := p.memo[k]; ok {
		return m.vals, m.pend
	}
	vals, pend := p.lookupOnce(name, depth)
	p.memo[k] = memoVal{vals, pend}
	return vals, pend
}

func (p *pyFile) lookupOnce(name string, depth int) ([]string, string) {
	if a, ok := p.bestAssign(name); ok {
		return p.evalP(a.val, depth+1)
	}
	if d, ok := p.defaults[name]; ok {
		return p.evalP(d, depth+1)
	}
	if v, ok := p.enumMember(name, depth); ok {
		return v, ""
	}
	if i := strings.LastIndex(name, "."); i > 0 {
		attr := name[i+1:]
		if d, ok := p.argDefs[attr]; ok {
			return p.evalP(d, depth+1)
		}
		if mod, ok := p.imports[name[:i]]; ok {
			return nil, mod + "." + attr
		}
		if strings.HasPrefix(name, "self.") {
			if d, ok := p.defaults[attr]; ok {
				return p.evalP(d, depth+1)
			}
		}
		return nil, ""
	}
	if mod, ok := p.imports[name]; ok {
		return nil, mod
	}
	return nil, ""
}

// enumMember resolves Class.MEMBER and Class.MEMBER.value to the string a
// class body in this file assigns to MEMBER (an Enum of tool names).
func (p *pyFile) enumMember(name string, depth int) ([]string, bool) {
	n := strings.TrimSuffix(name, ".value")
	cls, member, ok := strings.Cut(n, ".")
	if !ok || cls == "" || cls[0] < 'A' || cls[0] > 'Z' || !reUpperName.MatchString(member) {
		return nil, false
	}
	if _, imported := p.imports[cls]; imported {
		return nil, false
	}
	for _, a := range p.assigns[member] {
		if !a.top && a.val.e == a.val.s+1 && p.toks[a.val.s].Kind == lex.String {
			return p.eval(a.val, depth+1), true
		}
	}
	return nil, false
}

// bestAssign prefers a module-level assignment: the last one before the
// call being read (p.at) when the name is assigned again later, as
// notebooks do from cell to cell; else the first. Without one, the first
// assignment anywhere.
func (p *pyFile) bestAssign(name string) (assign, bool) {
	if tops := p.tops[name]; len(tops) > 1 && p.at > 0 {
		// Top-level assignments come in line order: the last one at or
		// before the call, found by bisection rather than a scan per call.
		if i := sort.Search(len(tops), func(i int) bool { return tops[i].line > p.at }); i > 0 {
			return tops[i-1], true
		}
	}
	a, ok := p.best[name]
	return a, ok
}

func (p *pyFile) lookupNode(name string, depth int) (*tree.Node, string) {
	a, ok := p.bestAssign(name)
	if !ok {
		if mod, ok := p.imports[name]; ok {
			return nil, mod
		}
		return nil, ""
	}
	if p.toks[a.val.s].Kind == lex.Op && (p.toks[a.val.s].Text == "{" || p.toks[a.val.s].Text == "[") {
		n, _ := p.parseLit(a.val.s, 0)
		return n, ""
	}
	if a.val.e-a.val.s == 1 && p.toks[a.val.s].Kind == lex.Ident && depth < 10 {
		return p.lookupNode(p.toks[a.val.s].Text, depth+1)
	}
	return nil, ""
}

// parseLit parses a literal (dict, list, set, tuple, string, name, call)
// starting at token i, returning the node and the index after it.
// Literals are parsed once: a constant list subscripted at many call sites
// is not parsed again at each.
func (p *pyFile) parseLit(i, depth int) (*tree.Node, int) {
	if depth != 0 {
		return tree.ParseLiteral(p.toks, i, depth, p.line)
	}
	if l, ok := p.lits[i]; ok {
		return l.n, l.end
	}
	n, end := tree.ParseLiteral(p.toks, i, depth, p.line)
	p.lits[i] = litVal{n, end}
	return n, end
}
