package modelscan

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mlbom/autopilot/internal/modelscan/jinja"
)

// Chat templates are Jinja2. A renderer without a sandbox (llama-cpp-python
// before 0.2.72, CVE-2024-34359; any tool that builds a plain
// jinja2.Environment) lets a template walk from any object to Python's
// internals: ''.__class__.__mro__[1].__subclasses__() and the __globals__
// of a template global (cycler, joiner, namespace, lipsum) lead to os and
// eval. The analysis parses the template and follows the values an
// attribute or item access is made on, with names resolved as far as the
// template itself computes them (concatenation, join, format, escapes,
// base64/hex decoding):
//
//   - any attribute or item whose resolved name is a dunder, or a
//     reached os/subprocess/eval/exec/popen/system/import on such an
//     object, is template.ssti (critical): no chat template needs it;
//   - a private attribute (leading underscore, blocked by Jinja's sandbox)
//     is template.private-attribute (high);
//   - a gadget root used as a value rather than called (lipsum, cycler,
//     joiner, namespace, request, config, self, url_for,
//     get_flashed_messages, g, session), an attribute name the template
//     cannot resolve (|attr of data), and an include/import/extends whose
//     name comes from data are medium, and so is any include/import/
//     extends (a chat template has no reason to load another one);
//   - code under a constant-false condition, or in a macro that is never
//     called, never runs: what it would reach is reported as low.
//
// Comments and raw blocks are text, not code; a dangerous word printed as
// a string is data.

// templateIssue is one finding of the template analysis.
type templateIssue struct {
	rule      string
	sev       Severity
	off       int
	construct string
	why       string
}

// Names that reach code once an object's internals are in hand.
var templateCodeNames = map[string]bool{
	"os": true, "popen": true, "system": true, "subprocess": true, "eval": true, "exec": true,
	"import_module": true, "import_string": true, "getattr": true, "check_output": true, "Popen": true,
	"spawn": true, "spawnl": true, "execv": true, "execve": true, "run": true, "call": true, "compile": true,
	"open": true, "load_module": true, "builtins": true, "sys": true, "modules": true, "_module": true,
}

var templateGadgets = map[string]bool{
	"lipsum": true, "cycler": true, "joiner": true, "namespace": true, "request": true, "config": true,
	"self": true, "url_for": true, "get_flashed_messages": true, "g": true, "session": true,
}

type valKind int

const (
	vData     valKind = iota // ordinary data: constants, messages, tools
	vGadget                  // a gadget root itself
	vInternal                // a Python object reached past the template's data model
)

// tval is what the analysis knows of a value.
type tval struct {
	kind   valKind
	strs   []string // possible string values, when known
	num    int64    // the integer value, when hasNum (char codes)
	hasNum bool
	items  []tval   // elements of a list or tuple of known values
	keys   []string // keyword names of dict(...), which |join joins
	path   string   // how an internal value was reached
}

const maxStrs = 16

type templateAnalysis struct {
	scope   map[string]tval
	macros  map[string]*jinja.Macro
	called  map[string]bool
	issues  []templateIssue
	seen    map[string]bool
	dead    int // > 0 inside code that never runs
	steps   int
	maxStep int

	parser jinja.Parser
	// ones holds the one-string value lists of constants: most values the
	// analysis sees are a literal's text.
	ones []string
}

// one is a one-element value list holding s, carved from a chunk kept
// for the next analysis (capacity 1, so adding to it copies).
func (a *templateAnalysis) one(s string) []string {
	if len(a.ones) == cap(a.ones) {
		if a.ones != nil && cap(a.ones) < 4096 {
			a.ones = make([]string, 0, 2*cap(a.ones))
		} else {
			a.ones = make([]string, 0, max(cap(a.ones), 256))
		}
	}
	a.ones = append(a.ones, s)
	n := len(a.ones)
	return a.ones[n-1 : n : n]
}

// Analyses are reused: their maps, parser and value chunks are warm, so
// judging a template allocates little beyond the issues it returns. Only
// strings leave an analysis, never nodes or values.
var analyses = sync.Pool{New: func() any {
	return &templateAnalysis{scope: map[string]tval{}, macros: map[string]*jinja.Macro{}, called: map[string]bool{}, seen: map[string]bool{}}
}}

// maxPooledTemplate keeps the memory of huge templates (their trees take
// about ten times their size) out of the pool.
const maxPooledTemplate = 256 << 10

// reset forgets the template analysed (nothing of it stays in the pool).
func (a *templateAnalysis) reset() {
	clear(a.scope)
	clear(a.macros)
	clear(a.called)
	clear(a.seen)
	a.issues, a.dead, a.steps = nil, 0, 0
	clear(a.ones)
	a.ones = a.ones[:0]
	a.parser.Reset()
}

// analyzeTemplate parses and judges one template.
func analyzeTemplate(src string) []templateIssue {
	a := analyses.Get().(*templateAnalysis)
	a.maxStep = 64 * (len(src) + 64)
	defer func() {
		if len(src) <= maxPooledTemplate {
			a.reset()
			analyses.Put(a)
		}
	}()
	body, err := a.parser.Parse(src)
	if err != nil {
		return []templateIssue{{rule: "template.unparsable", sev: SeverityLow, why: "the template does not parse as Jinja2 (" + err.Error() + "); renderers reject it too, so nothing in it runs"}}
	}
	a.nodes(body)
	// macros nobody calls never run
	names := make([]string, 0, len(a.macros))
	for n := range a.macros {
		if !a.called[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		a.dead++
		a.called[n] = true
		a.nodes(a.macros[n].Body)
		a.dead--
	}
	return a.issues
}

func (a *templateAnalysis) report(rule string, sev Severity, off int, construct, why string) {
	if a.dead > 0 {
		rule, sev = "template.unreachable-gadget", SeverityLow
		why += "; it sits in code that never runs (a constant-false condition or a macro nobody calls)"
	}
	key := rule + "\x00" + construct
	if a.seen[key] || len(a.issues) >= 64 {
		return
	}
	a.seen[key] = true
	a.issues = append(a.issues, templateIssue{rule: rule, sev: sev, off: off, construct: construct, why: why})
}

func (a *templateAnalysis) nodes(ns []jinja.Node) {
	for _, n := range ns {
		a.node(n)
	}
}

func isFalse(x jinja.Expr) (known, false_ bool) {
	c, ok := x.(*jinja.Const)
	if !ok {
		return false, false
	}
	switch c.Kind {
	case jinja.ConstNone:
		return true, true
	case jinja.ConstBool:
		return true, !c.Bool
	case jinja.ConstInt:
		return true, c.Int == 0
	case jinja.ConstFloat:
		return true, c.Float == 0
	case jinja.ConstString:
		return true, c.Str == ""
	}
	return false, false
}

func (a *templateAnalysis) node(n jinja.Node) {
	switch n := n.(type) {
	case *jinja.Output:
		a.eval(n.X)
	case *jinja.If:
		a.eval(n.Cond)
		known, f := isFalse(n.Cond)
		a.branch(known && f, n.Body)
		a.branch(known && !f, n.Else)
	case *jinja.For:
		it := a.eval(n.Iter)
		elem := tval{kind: it.kind, path: it.path}
		if len(it.items) > 0 {
			elem = merge(it.items...)
		}
		a.bind(n.Target, elem)
		if n.Filter != nil {
			a.eval(n.Filter)
		}
		a.nodes(n.Body)
		a.nodes(n.Else)
	case *jinja.Set:
		if n.Value != nil {
			v := a.eval(n.Value)
			a.bind(n.Target, v)
			return
		}
		a.nodes(n.Body)
		if n.Filter != nil {
			a.eval(n.Filter)
		}
		a.bind(n.Target, tval{})
	case *jinja.Macro:
		a.macros[n.Name] = n
		for _, d := range n.Defaults {
			if d != nil {
				a.eval(d)
			}
		}
	case *jinja.CallBlock:
		a.eval(n.Call)
		a.nodes(n.Body)
	case *jinja.FilterBlock:
		a.nodes(n.Body)
		a.eval(n.Filter)
	case *jinja.With:
		for i, t := range n.Targets {
			a.bind(t, a.eval(n.Values[i]))
		}
		a.nodes(n.Body)
	case *jinja.Include:
		v := a.eval(n.Template)
		if len(v.strs) == 0 {
			a.report("template.include", SeverityMedium, n.Offset(), n.Kind, "{% "+n.Kind+" %} loads a template whose name comes from data; a renderer with a loader reads whatever the input names")
		} else {
			a.report("template.include", SeverityMedium, n.Offset(), n.Kind+" "+v.strs[0], "{% "+n.Kind+" %} loads another template: a chat template has no reason to, and with a loader configured it reads a file")
		}
	case *jinja.Block:
		a.nodes(n.Body)
	case *jinja.Do:
		a.eval(n.X)
	}
}

func (a *templateAnalysis) branch(dead bool, body []jinja.Node) {
	if dead {
		a.dead++
		defer func() { a.dead-- }()
	}
	a.nodes(body)
}

// bind assigns v to a target; names assigned several times keep every
// string they may hold.
func (a *templateAnalysis) bind(target jinja.Expr, v tval) {
	switch t := target.(type) {
	case *jinja.Name:
		a.bindName(t.Name, v)
	case *jinja.Tuple:
		for i, it := range t.Items {
			if i < len(v.items) {
				a.bind(it, v.items[i])
			} else {
				a.bind(it, tval{kind: v.kind, path: v.path})
			}
		}
	case *jinja.Getattr: // {% set ns.attr = ... %}
		a.eval(t.X)
	}
}

func (a *templateAnalysis) bindName(name string, v tval) {
	if old, ok := a.scope[name]; ok {
		v = merge(old, v)
	}
	a.scope[name] = v
}

func merge(vs ...tval) tval {
	var out tval
	for _, v := range vs {
		if v.kind > out.kind {
			out.kind, out.path = v.kind, v.path
		}
		out.strs = addStrs(out.strs, v.strs...)
	}
	return out
}

func addStrs(to []string, s ...string) []string {
	for _, x := range s {
		if len(to) >= maxStrs {
			break
		}
		dup := false
		for _, y := range to {
			if x == y {
				dup = true
				break
			}
		}
		if !dup {
			to = append(to, x)
		}
	}
	return to
}

func str(s ...string) tval { return tval{strs: s} }

func (a *templateAnalysis) eval(x jinja.Expr) (out tval) {
	if x == nil {
		return tval{}
	}
	if a.steps++; a.steps > a.maxStep {
		return tval{}
	}
	switch x := x.(type) {
	case *jinja.Const:
		switch x.Kind {
		case jinja.ConstString:
			return tval{strs: a.one(x.Str)}
		case jinja.ConstInt:
			return tval{num: x.Int, hasNum: true}
		}
		return tval{}
	case *jinja.Name:
		if v, ok := a.scope[x.Name]; ok {
			return v
		}
		if isDunder(x.Name) {
			a.report("template.ssti", SeverityCritical, x.Offset(), x.Name, "template names "+x.Name+", a Python internal")
			return tval{kind: vInternal, path: x.Name}
		}
		if templateGadgets[x.Name] {
			a.report("template.gadget-root", SeverityMedium, x.Offset(), x.Name,
				x.Name+" is used as a value; it is a stepping stone to Python internals in template injection, and chat templates only ever call namespace()")
			return tval{kind: vGadget, path: x.Name}
		}
		return tval{}
	case *jinja.List:
		return a.seq(x.Items)
	case *jinja.Tuple:
		return a.seq(x.Items)
	case *jinja.Dict:
		for i := range x.Keys {
			a.eval(x.Keys[i])
			a.eval(x.Values[i])
		}
		return tval{}
	case *jinja.Getattr:
		names := [1]string{x.Attr}
		return a.access(a.eval(x.X), names[:], false, x.Offset())
	case *jinja.Getitem:
		base := a.eval(x.X)
		idx := a.eval(x.Index)
		if len(idx.strs) == 0 {
			if base.kind != vData {
				return a.access(base, nil, true, x.Offset())
			}
			if len(base.items) > 0 {
				return merge(base.items...)
			}
			return tval{kind: base.kind}
		}
		return a.access(base, idx.strs, false, x.Offset())
	case *jinja.Slice:
		base := a.eval(x.X)
		a.eval(x.Lo)
		a.eval(x.Hi)
		a.eval(x.Step)
		if c, ok := x.Step.(*jinja.UnOp); ok && c.Op == "-" && x.Lo == nil && x.Hi == nil {
			if k, ok := c.X.(*jinja.Const); ok && k.Kind == jinja.ConstInt && k.Int == 1 {
				var rev []string
				for _, s := range base.strs {
					rev = append(rev, reverse(s))
				}
				return tval{kind: base.kind, path: base.path, strs: rev}
			}
		}
		return tval{kind: base.kind, path: base.path}
	case *jinja.Call:
		return a.call(x)
	case *jinja.Filter:
		return a.filter(x)
	case *jinja.Test:
		a.eval(x.X)
		for _, e := range x.Args {
			a.eval(e)
		}
		return tval{}
	case *jinja.BinOp:
		l, r := a.eval(x.L), a.eval(x.R)
		switch x.Op {
		case "~", "+":
			if len(l.strs) > 0 && len(r.strs) > 0 {
				var out []string
				for _, p := range l.strs {
					for _, q := range r.strs {
						out = addStrs(out, p+q)
					}
				}
				return str(out...)
			}
			if x.Op == "+" && (len(l.items) > 0 || len(r.items) > 0) {
				return tval{items: append(append([]tval(nil), l.items...), r.items...)}
			}
		case "%":
			if len(l.strs) == 1 {
				if s, ok := pyFormat(l.strs[0], argList(r)); ok {
					return str(s)
				}
			}
		}
		if x.Op == "~" || x.Op == "+" { // concatenating an internal object keeps it in hand
			k := merge(l, r)
			return tval{kind: k.kind, path: k.path}
		}
		return tval{}
	case *jinja.UnOp:
		a.eval(x.X)
		return tval{}
	case *jinja.CondExpr:
		a.eval(x.Cond)
		known, f := isFalse(x.Cond)
		var t, e tval
		func() {
			if known && f {
				a.dead++
				defer func() { a.dead-- }()
			}
			t = a.eval(x.Then)
		}()
		func() {
			if known && !f {
				a.dead++
				defer func() { a.dead-- }()
			}
			e = a.eval(x.Else)
		}()
		return merge(t, e)
	}
	return tval{}
}

func argList(v tval) []tval {
	if len(v.items) > 0 {
		return v.items
	}
	return []tval{v}
}

func (a *templateAnalysis) seq(items []jinja.Expr) tval {
	out := tval{}
	for _, it := range items {
		v := a.eval(it)
		out.items = append(out.items, v)
		if v.kind > out.kind {
			out.kind, out.path = v.kind, v.path
		}
	}
	return out
}

func isDunder(s string) bool {
	return len(s) > 4 && strings.HasPrefix(s, "__") && strings.HasSuffix(s, "__")
}

// access judges base.name for each name the template may mean; dynamic is
// an attribute or item whose name the template does not determine.
func (a *templateAnalysis) access(base tval, names []string, dynamic bool, off int) tval {
	out := tval{kind: base.kind, path: base.path}
	if dynamic {
		if base.kind != vData {
			a.report("template.dynamic-name", SeverityHigh, off, base.path+"[?]", "an attribute or item of "+base.path+" is taken by a name the template computes from data")
		}
		return out
	}
	for _, n := range names {
		where := n
		if base.path != "" {
			where = base.path + "." + n
		}
		switch {
		case isDunder(n):
			a.report("template.ssti", SeverityCritical, off, where, "reaches Python internals through "+n+"; rendering outside a sandbox walks from here to os and eval")
			out.kind, out.path = vInternal, where
		case base.kind != vData && templateCodeNames[n]:
			a.report("template.ssti", SeverityCritical, off, where, "reaches "+n+" from Python internals: the template runs code or commands when rendered")
			out.kind, out.path = vInternal, where
		case strings.HasPrefix(n, "_"):
			a.report("template.private-attribute", SeverityHigh, off, where, "reads private attribute "+n+", which Jinja's sandbox forbids; it is used to reach a template's context and globals")
			out.kind, out.path = vInternal, where
		case base.kind == vGadget:
			out.kind, out.path = vInternal, where
		}
	}
	if out.kind == vData && len(base.items) > 0 {
		return merge(base.items...)
	}
	return out
}

func (a *templateAnalysis) call(x *jinja.Call) tval {
	var buf [4]tval
	args := buf[:0]
	for _, e := range x.Args {
		args = append(args, a.eval(e))
	}
	for _, e := range x.KwValues {
		a.eval(e)
	}
	a.eval(x.Star)
	a.eval(x.StarStar)
	if n, ok := x.Fn.(*jinja.Name); ok {
		if _, local := a.scope[n.Name]; !local {
			switch n.Name {
			case "dict":
				return tval{keys: x.KwNames}
			case "namespace", "range", "cycler", "joiner", "lipsum", "raise_exception", "strftime_now":
				return tval{} // called as the template language intends
			}
			if m := a.macros[n.Name]; m != nil {
				if !a.called[n.Name] {
					a.called[n.Name] = true
					for i, p := range m.Params {
						if i < len(args) {
							a.bindName(p, args[i])
						} else {
							a.bindName(p, tval{})
						}
					}
					a.nodes(m.Body)
				}
				return tval{}
			}
		}
	}
	if ga, ok := x.Fn.(*jinja.Getattr); ok {
		recv := a.eval(ga.X)
		if ga.Attr == "format" {
			for _, s := range recv.strs {
				if formatWalksAttributes(s) {
					a.report("template.ssti", SeverityCritical, x.Offset(), "str.format "+strconv.Quote(s),
						"str.format with a field that walks attributes or items reaches Python internals")
				}
			}
		}
		if len(recv.strs) > 0 {
			if r, ok := strMethod(recv.strs, ga.Attr, args); ok {
				return r
			}
		}
		fn := a.access(recv, []string{ga.Attr}, false, ga.Offset())
		return tval{kind: fn.kind, path: fn.path}
	}
	fn := a.eval(x.Fn)
	return tval{kind: fn.kind, path: fn.path}
}

func formatWalksAttributes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return false
		}
		field := s[i+1 : i+j]
		if strings.Contains(field, "__") || strings.ContainsAny(field, ".[") && strings.Contains(field, "_") {
			return true
		}
		i += j
	}
	return false
}

// strMethod computes the string methods used to build names.
func strMethod(recv []string, m string, args []tval) (tval, bool) {
	var out []string
	for _, s := range recv {
		switch m {
		case "lower":
			out = addStrs(out, strings.ToLower(s))
		case "upper":
			out = addStrs(out, strings.ToUpper(s))
		case "strip":
			out = addStrs(out, strings.TrimSpace(s))
		case "replace":
			if len(args) >= 2 && len(args[0].strs) == 1 && len(args[1].strs) == 1 {
				out = addStrs(out, strings.ReplaceAll(s, args[0].strs[0], args[1].strs[0]))
			}
		case "join":
			if len(args) == 1 {
				if j, ok := joinOf(args[0], s); ok {
					out = addStrs(out, j)
				}
			}
		case "format":
			if f, ok := braceFormat(s, args); ok {
				out = addStrs(out, f)
			}
		case "decode":
			if len(args) == 1 && len(args[0].strs) == 1 {
				if d, ok := decodeAs(s, args[0].strs[0]); ok {
					out = addStrs(out, d)
				}
			}
		default:
			return tval{}, false
		}
	}
	if len(out) == 0 {
		return tval{}, false
	}
	return str(out...), true
}

func (a *templateAnalysis) filter(f *jinja.Filter) tval {
	x := a.eval(f.X)
	var buf [4]tval
	args := buf[:0]
	for _, e := range f.Args {
		args = append(args, a.eval(e))
	}
	var v tval
	attribute := false
	for i, n := range f.KwNames {
		if kv := a.eval(f.KwValues[i]); n == "attribute" {
			v, attribute = kv, true
		}
	}
	// filters that take attribute names
	if attribute {
		if len(v.strs) == 0 {
			a.access(tval{kind: x.kind, path: x.path}, nil, true, f.Offset())
		} else {
			a.access(tval{kind: x.kind, path: x.path}, v.strs, false, f.Offset())
		}
	}
	switch f.Name {
	case "attr":
		if len(args) == 0 {
			return tval{}
		}
		if len(args[0].strs) == 0 {
			a.report("template.dynamic-name", SeverityMedium, f.Offset(), "attr", "|attr takes an attribute name the template computes from data; attr exists to reach attributes the template cannot name")
			return tval{kind: x.kind, path: x.path}
		}
		return a.access(x, args[0].strs, false, f.Offset())
	case "selectattr", "rejectattr":
		if len(args) > 0 && len(args[0].strs) > 0 {
			a.access(tval{kind: x.kind, path: x.path}, args[0].strs, false, f.Offset())
		}
		return tval{kind: x.kind, path: x.path}
	case "map":
		if len(args) >= 2 && len(args[0].strs) == 1 && args[0].strs[0] == "attr" && len(args[1].strs) > 0 {
			return a.access(tval{kind: x.kind, path: x.path}, args[1].strs, false, f.Offset())
		}
		return tval{kind: x.kind, path: x.path}
	case "join":
		sep := ""
		if len(args) > 0 && len(args[0].strs) == 1 {
			sep = args[0].strs[0]
		}
		if j, ok := joinOf(x, sep); ok {
			return str(j)
		}
		return tval{kind: x.kind, path: x.path}
	case "format":
		var out []string
		for _, s := range x.strs {
			if r, ok := pyFormat(s, args); ok {
				out = addStrs(out, r)
			}
		}
		if len(out) > 0 {
			return str(out...)
		}
		return tval{}
	case "replace":
		if r, ok := strMethod(x.strs, "replace", args); ok {
			return r
		}
	case "lower", "upper", "trim":
		m := map[string]string{"trim": "strip"}[f.Name]
		if m == "" {
			m = f.Name
		}
		if r, ok := strMethod(x.strs, m, nil); ok {
			return r
		}
	case "reverse":
		if len(x.strs) > 0 {
			var out []string
			for _, s := range x.strs {
				out = addStrs(out, reverse(s))
			}
			return str(out...)
		}
		if len(x.items) > 0 {
			rev := make([]tval, len(x.items))
			for i, it := range x.items {
				rev[len(rev)-1-i] = it
			}
			return tval{items: rev}
		}
	case "string", "safe", "e", "escape", "list", "first", "last":
		if f.Name == "first" && len(x.items) > 0 {
			return x.items[0]
		}
		if f.Name == "last" && len(x.items) > 0 {
			return x.items[len(x.items)-1]
		}
		if f.Name == "list" && len(x.strs) == 1 && len([]rune(x.strs[0])) <= 64 {
			var items []tval
			for _, r := range x.strs[0] {
				items = append(items, str(string(r)))
			}
			return tval{items: items}
		}
		return x
	case "b64decode", "base64decode", "b64_decode", "from_base64", "unhexlify", "fromhex", "hex_decode", "from_hex":
		var out []string
		for _, s := range x.strs {
			kind := "hex"
			if strings.Contains(f.Name, "64") {
				kind = "base64"
			}
			if d, ok := decodeAs(s, kind); ok {
				out = addStrs(out, d)
			}
		}
		return str(out...)
	}
	if x.kind != vData {
		return tval{kind: x.kind, path: x.path}
	}
	return tval{}
}

func decodeAs(s, kind string) (string, bool) {
	switch strings.ToLower(kind) {
	case "base64", "b64", "base_64":
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return string(b), true
		}
		if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
			return string(b), true
		}
	case "hex", "hex_codec":
		if b, err := hex.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

func joinOf(v tval, sep string) (string, bool) {
	if len(v.keys) > 0 {
		return strings.Join(v.keys, sep), true
	}
	if len(v.items) == 0 {
		if len(v.strs) == 1 { // a string joins its characters
			return strings.Join(strings.Split(v.strs[0], ""), sep), true
		}
		return "", false
	}
	parts := make([]string, len(v.items))
	for i, it := range v.items {
		if len(it.strs) != 1 {
			return "", false
		}
		parts[i] = it.strs[0]
	}
	return strings.Join(parts, sep), true
}

// pyFormat applies Python %-formatting with known arguments.
func pyFormat(f string, args []tval) (string, bool) {
	var sb strings.Builder
	ai := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			sb.WriteByte(f[i])
			continue
		}
		i++
		if f[i] == '%' {
			sb.WriteByte('%')
			continue
		}
		if ai >= len(args) {
			return "", false
		}
		arg := args[ai]
		ai++
		switch f[i] {
		case 's', 'r':
			if len(arg.strs) != 1 {
				return "", false
			}
			sb.WriteString(arg.strs[0])
		case 'c', 'd', 'x':
			n, ok := constInt(arg)
			if !ok {
				return "", false
			}
			switch f[i] {
			case 'c':
				sb.WriteRune(rune(n))
			case 'd':
				sb.WriteString(strconv.FormatInt(n, 10))
			default:
				sb.WriteString(strconv.FormatInt(n, 16))
			}
		default:
			return "", false
		}
	}
	return sb.String(), true
}

// braceFormat applies str.format with positional {} / {0} fields.
func braceFormat(f string, args []tval) (string, bool) {
	var sb strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '{' {
			sb.WriteByte(f[i])
			continue
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			return "", false
		}
		field := f[i+1 : i+j]
		idx := next
		if field != "" {
			n, err := strconv.Atoi(field)
			if err != nil {
				return "", false
			}
			idx = n
		}
		next++
		if idx >= len(args) || len(args[idx].strs) != 1 {
			return "", false
		}
		sb.WriteString(args[idx].strs[0])
		i += j
	}
	return sb.String(), true
}

// constInt is the one integer v is known to be.
func constInt(v tval) (int64, bool) {
	if v.hasNum {
		return v.num, true
	}
	return 0, false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// checkTemplate turns the analysis of one template into findings. where
// names the template (a JSON key, a GGUF key); base is the offset of the
// template in the file, when known; ruleFor renames rules for a carrier
// that shipped its own rule ids.
func (s *scanner) checkTemplate(member, where string, base int64, tmpl string, ruleFor func(string) string) {
	for _, is := range analyzeTemplate(tmpl) {
		rule := is.rule
		if ruleFor != nil {
			rule = ruleFor(rule)
		}
		s.add(member, Finding{Rule: rule, Severity: is.sev, Offset: base + int64(is.off), Global: fmt.Sprintf("%s: %s", where, is.construct),
			Reason: "chat template " + where + ": " + is.why})
	}
}
