package jinja

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is a statement of the template.
type Node interface{ Offset() int }

// Expr is an expression.
type Expr interface{ Offset() int }

type at struct{ Pos int }

func (a at) Offset() int { return a.Pos }

// Statements.
type (
	// Data is literal text (including raw blocks).
	Data struct {
		at
		Text string
	}
	// Output is {{ expr }}.
	Output struct {
		at
		X Expr
	}
	// If is if/elif/else; Elif chains are nested Ifs in Else.
	If struct {
		at
		Cond       Expr
		Body, Else []Node
	}
	// For is a for loop with an optional filter (for x in y if cond) and else.
	For struct {
		at
		Target     Expr
		Iter       Expr
		Filter     Expr // may be nil
		Body, Else []Node
		Recursive  bool
	}
	// Set is {% set target = value %} or the block form with Body.
	Set struct {
		at
		Target Expr
		Value  Expr   // nil for the block form
		Body   []Node // block form
		Filter Expr   // block form filter, may be nil
	}
	// Macro defines a macro; Call is {% call %}.
	Macro struct {
		at
		Name     string
		Params   []string
		Defaults []Expr
		Body     []Node
	}
	CallBlock struct {
		at
		Call   Expr
		Params []string
		Body   []Node
	}
	// FilterBlock is {% filter f %}...{% endfilter %}.
	FilterBlock struct {
		at
		Filter Expr
		Body   []Node
	}
	// With scopes assignments.
	With struct {
		at
		Targets []Expr
		Values  []Expr
		Body    []Node
	}
	// Include, Import, FromImport and Extends load other templates.
	Include struct {
		at
		Kind     string // include, import, from, extends
		Template Expr
	}
	// Block is a named block (template inheritance) or a body-carrying tag
	// the grammar knows only by name (generation).
	Block struct {
		at
		Name string
		Body []Node
	}
	// Do evaluates an expression for its effect ({% do %}).
	Do struct {
		at
		X Expr
	}
	// LoopControl is break or continue.
	LoopControl struct {
		at
		Kind string
	}
)

// Expressions.
type (
	Name struct {
		at
		Name string
	}
	// Const is a literal; Kind says which field holds its value. (Typed
	// fields rather than an interface: boxing every literal cost an
	// allocation each.)
	Const struct {
		at
		Kind  ConstKind
		Bool  bool
		Int   int64
		Float float64
		Str   string
	}
	List struct {
		at
		Items []Expr
	}
	Tuple struct {
		at
		Items []Expr
	}
	Dict struct {
		at
		Keys, Values []Expr
	}
	// Getattr is x.name; Getitem is x[index]; Slice is x[a:b:c].
	Getattr struct {
		at
		X    Expr
		Attr string
	}
	Getitem struct {
		at
		X, Index Expr
	}
	Slice struct {
		at
		X, Lo, Hi, Step Expr
	}
	Call struct {
		at
		Fn       Expr
		Args     []Expr
		KwNames  []string
		KwValues []Expr
		Star     Expr // *args
		StarStar Expr // **kwargs
	}
	// Filter is x|name(args); Test is x is name(args).
	Filter struct {
		at
		X        Expr
		Name     string
		Args     []Expr
		KwNames  []string
		KwValues []Expr
	}
	Test struct {
		at
		X      Expr
		Name   string
		Args   []Expr
		Negate bool
	}
	BinOp struct {
		at
		Op   string // + - * / // % ** ~ and or in notin == != < > <= >=
		L, R Expr
	}
	UnOp struct {
		at
		Op string // not - +
		X  Expr
	}
	CondExpr struct {
		at
		Cond, Then, Else Expr // Else may be nil
	}
)

// ConstKind is the type of a Const.
type ConstKind uint8

const (
	ConstNone ConstKind = iota // none / None
	ConstBool
	ConstInt
	ConstFloat
	ConstString
)

// Parse parses a template. The tree is the caller's; to parse many
// templates, a Parser reuses its memory.
func Parse(src string) ([]Node, error) {
	var p Parser
	return p.Parse(src)
}

// A Parser parses templates one after another in the same memory: the
// nodes, lists and tokens of one template are reused for the next, so a
// warm Parser allocates next to nothing. The tree Parse returns is valid
// until the next call of Parse on the same Parser; copy out what must
// outlive it (strings are immutable and stay valid). A Parser is not safe
// for concurrent use.
type Parser struct{ p parser }

// Reset drops the last tree: its nodes are zeroed, so the Parser keeps no
// reference to the template it parsed. Parse does it first anyway.
func (ps *Parser) Reset() { ps.p.reset() }

// Parse parses a template, reusing the memory of the previous one.
func (ps *Parser) Parse(src string) (body []Node, err error) {
	p := &ps.p
	p.reset()
	p.toks, err = lex(src, p.toks[:0])
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			body, err = nil, e
		}
	}()
	body = p.nodes(nil)
	if p.peek().kind != tEOF {
		p.fail("unexpected {%% %s %%}", p.peekTagName())
	}
	return body, nil
}

// arena hands out values of one type from chunks that grow with the
// template (a tree of n nodes costs a few allocations per node type, not
// n), and hands the same chunks out again after reset. Slices it hands out
// have their capacity capped, so an append by the caller copies rather
// than overwrites a neighbour.
type arena[T any] struct {
	chunks [][]T
	c, i   int // next free value: chunks[c][i]
}

// take returns n zero or freshly overwritable values.
func (a *arena[T]) take(n int) []T {
	for a.c < len(a.chunks) {
		if ch := a.chunks[a.c]; len(ch)-a.i >= n {
			a.i += n
			return ch[a.i-n : a.i : a.i]
		}
		a.c, a.i = a.c+1, 0
	}
	ch := make([]T, max(min(8<<len(a.chunks), 1024), n))
	a.chunks = append(a.chunks, ch)
	a.c, a.i = len(a.chunks)-1, n
	return ch[:n:n]
}

// alloc returns one node.
func (a *arena[T]) alloc() *T { return &a.take(1)[0] }

// of copies items into the arena; nil for none.
func (a *arena[T]) of(items []T) []T {
	if len(items) == 0 {
		return nil
	}
	out := a.take(len(items))
	copy(out, items)
	return out
}

// reset zeroes what was handed out (so a reused Parser keeps no reference
// into the previous template) and starts over.
func (a *arena[T]) reset() {
	for c := 0; c < len(a.chunks) && c <= a.c; c++ {
		ch := a.chunks[c]
		if c == a.c {
			ch = ch[:a.i]
		}
		clear(ch)
	}
	a.c, a.i = 0, 0
}

type parser struct {
	toks  []token
	i     int
	depth int

	// stmts is the stack of statements of the bodies being parsed; each
	// body takes its own from it when it ends.
	stmts []Node

	nodeLists arena[Node]
	exprLists arena[Expr]
	strLists  arena[string]

	data      arena[Data]
	outputs   arena[Output]
	ifs       arena[If]
	fors      arena[For]
	sets      arena[Set]
	macros    arena[Macro]
	callBlks  arena[CallBlock]
	filterBlk arena[FilterBlock]
	withs     arena[With]
	includes  arena[Include]
	blocks    arena[Block]
	dos       arena[Do]
	loopCtls  arena[LoopControl]

	names     arena[Name]
	consts    arena[Const]
	listLits  arena[List]
	tuples    arena[Tuple]
	dicts     arena[Dict]
	getattrs  arena[Getattr]
	getitems  arena[Getitem]
	slices    arena[Slice]
	calls     arena[Call]
	filterNs  arena[Filter]
	tests     arena[Test]
	binops    arena[BinOp]
	unops     arena[UnOp]
	condExprs arena[CondExpr]
}

// reset readies the parser for another template.
func (p *parser) reset() {
	clear(p.toks)
	p.toks, p.i, p.depth = p.toks[:0], 0, 0
	clear(p.stmts)
	p.stmts = p.stmts[:0]
	p.nodeLists.reset()
	p.exprLists.reset()
	p.strLists.reset()
	p.data.reset()
	p.outputs.reset()
	p.ifs.reset()
	p.fors.reset()
	p.sets.reset()
	p.macros.reset()
	p.callBlks.reset()
	p.filterBlk.reset()
	p.withs.reset()
	p.includes.reset()
	p.blocks.reset()
	p.dos.reset()
	p.loopCtls.reset()
	p.names.reset()
	p.consts.reset()
	p.listLits.reset()
	p.tuples.reset()
	p.dicts.reset()
	p.getattrs.reset()
	p.getitems.reset()
	p.slices.reset()
	p.calls.reset()
	p.filterNs.reset()
	p.tests.reset()
	p.binops.reset()
	p.unops.reset()
	p.condExprs.reset()
}

// put stores v in a node of a.
func put[T any](a *arena[T], v T) *T {
	x := a.alloc()
	*x = v
	return x
}

func (p *parser) peek() *token { return &p.toks[p.i] }
func (p *parser) next() *token {
	t := &p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(format string, args ...any) {
	panic(&Error{p.peek().off(), fmt.Sprintf(format, args...)})
}

func (p *parser) enter() {
	if p.depth++; p.depth > MaxDepth {
		p.fail("nested deeper than %d", MaxDepth)
	}
}
func (p *parser) leave() { p.depth-- }

func (p *parser) isOp(v string) bool {
	t := p.peek()
	return t.kind == tOp && t.val == v
}
func (p *parser) isName(v string) bool {
	t := p.peek()
	return t.kind == tName && t.val == v
}
func (p *parser) expectOp(v string) *token {
	if !p.isOp(v) {
		p.fail("expected %q", v)
	}
	return p.next()
}
func (p *parser) expectName() string {
	t := p.peek()
	if t.kind != tName {
		p.fail("expected a name")
	}
	p.next()
	return t.val
}
func (p *parser) expectKind(k tokKind, what string) {
	if p.peek().kind != k {
		p.fail("expected %s", what)
	}
	p.next()
}

// peekTagName is the name after {% at the current token, or "".
func (p *parser) peekTagName() string {
	if p.peek().kind == tBlockBegin && p.toks[p.i+1].kind == tName {
		return p.toks[p.i+1].val
	}
	return ""
}

func (p *parser) name(pos int, s string) *Name { return put(&p.names, Name{at{pos}, s}) }

func (p *parser) constant(pos int, c Const) *Const {
	c.Pos = pos
	return put(&p.consts, c)
}

// The end tags bodies stop at.
var (
	endsFor    = []string{"endfor", "else"}
	endsIf     = []string{"elif", "else", "endif"}
	endsEndfor = []string{"endfor"}
	endsEndif  = []string{"endif"}
)

// nodes parses statements until one of the end tags (not consumed).
func (p *parser) nodes(ends []string) []Node {
	p.enter()
	defer p.leave()
	mark := len(p.stmts)
	for {
		t := p.peek()
		switch t.kind {
		case tEOF:
			if len(ends) > 0 {
				p.fail("missing {%% %s %%}", ends[0])
			}
			return p.body(mark)
		case tData:
			p.next()
			d := put(&p.data, Data{at{t.off()}, t.val})
			p.stmts = append(p.stmts, d)
		case tVarBegin:
			p.next()
			x := p.expr()
			p.expectKind(tVarEnd, "}}")
			o := put(&p.outputs, Output{at{t.off()}, x})
			p.stmts = append(p.stmts, o)
		case tBlockBegin:
			name := p.peekTagName()
			for _, e := range ends {
				if name == e {
					return p.body(mark)
				}
			}
			p.next()
			n := p.statement(t.off())
			p.stmts = append(p.stmts, n)
		default:
			p.fail("unexpected token %q", t.val)
		}
	}
}

// body pops the statements pushed since mark as one body.
func (p *parser) body(mark int) []Node {
	out := p.nodeLists.of(p.stmts[mark:])
	clear(p.stmts[mark:])
	p.stmts = p.stmts[:mark]
	return out
}

func (p *parser) endTag(name string) {
	p.expectKind(tBlockBegin, "{%")
	if p.expectName() != name {
		p.fail("expected %s", name)
	}
	for p.peek().kind == tName { // {% endmacro name %}, {% endblock name %}
		p.next()
	}
	p.expectKind(tBlockEnd, "%}")
}

func (p *parser) statement(pos int) Node {
	name := p.expectName()
	switch name {
	case "if":
		return p.ifStmt(pos)
	case "for":
		n := put(&p.fors, For{at: at{pos}})
		n.Target = p.assignTarget()
		if !p.isName("in") {
			p.fail("expected 'in'")
		}
		p.next()
		n.Iter = p.noCondExpr()
		if p.isName("if") {
			p.next()
			n.Filter = p.expr()
		}
		if p.isName("recursive") {
			p.next()
			n.Recursive = true
		}
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes(endsFor)
		if p.peekTagName() == "else" {
			p.next()
			p.next()
			p.expectKind(tBlockEnd, "%}")
			n.Else = p.nodes(endsEndfor)
		}
		p.endTag("endfor")
		return n
	case "set":
		n := put(&p.sets, Set{at: at{pos}})
		n.Target = p.assignTarget()
		if p.isOp("=") {
			p.next()
			n.Value = p.exprList()
			p.expectKind(tBlockEnd, "%}")
			return n
		}
		if p.isOp("|") {
			n.Filter = p.filters(p.name(pos, "(block)"))
		}
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endset"})
		p.endTag("endset")
		return n
	case "macro":
		n := put(&p.macros, Macro{at: at{pos}, Name: p.expectName()})
		p.expectOp("(")
		var pbuf [8]string
		var dbuf [8]Expr
		params, defaults := pbuf[:0], dbuf[:0]
		for !p.isOp(")") {
			params = append(params, p.expectName())
			var d Expr
			if p.isOp("=") {
				p.next()
				d = p.expr()
			}
			defaults = append(defaults, d)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		n.Params, n.Defaults = p.strLists.of(params), p.exprLists.of(defaults)
		p.expectOp(")")
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endmacro"})
		p.endTag("endmacro")
		return n
	case "call":
		n := put(&p.callBlks, CallBlock{at: at{pos}})
		if p.isOp("(") {
			p.next()
			var pbuf [8]string
			params := pbuf[:0]
			for !p.isOp(")") {
				params = append(params, p.expectName())
				if p.isOp("=") {
					p.next()
					p.expr()
				}
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			n.Params = p.strLists.of(params)
			p.expectOp(")")
		}
		n.Call = p.expr()
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endcall"})
		p.endTag("endcall")
		return n
	case "filter":
		n := put(&p.filterBlk, FilterBlock{at: at{pos}})
		n.Filter = p.filters(p.filterChain(p.name(pos, "(block)")))
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endfilter"})
		p.endTag("endfilter")
		return n
	case "with":
		n := put(&p.withs, With{at: at{pos}})
		var tbuf, vbuf [4]Expr
		targets, values := tbuf[:0], vbuf[:0]
		for p.peek().kind != tBlockEnd {
			targets = append(targets, p.assignTarget())
			p.expectOp("=")
			values = append(values, p.expr())
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		n.Targets, n.Values = p.exprLists.of(targets), p.exprLists.of(values)
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endwith"})
		p.endTag("endwith")
		return n
	case "include", "import", "extends", "from":
		n := put(&p.includes, Include{at: at{pos}, Kind: name, Template: p.expr()})
		for p.peek().kind != tBlockEnd && p.peek().kind != tEOF { // as x, import a, b, ignore missing, with context
			p.next()
		}
		p.expectKind(tBlockEnd, "%}")
		return n
	case "block", "generation", "autoescape", "trans", "spaceless":
		n := put(&p.blocks, Block{at: at{pos}, Name: name})
		for p.peek().kind != tBlockEnd && p.peek().kind != tEOF {
			if name == "autoescape" {
				p.expr()
				continue
			}
			p.next()
		}
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"end" + name})
		p.endTag("end" + name)
		return n
	case "do":
		n := put(&p.dos, Do{at{pos}, p.expr()})
		p.expectKind(tBlockEnd, "%}")
		return n
	case "break", "continue":
		p.expectKind(tBlockEnd, "%}")
		return put(&p.loopCtls, LoopControl{at{pos}, name})
	}
	p.i-- // report at the tag name
	p.fail("unknown tag %q", name)
	return nil
}

func (p *parser) ifStmt(pos int) Node {
	n := put(&p.ifs, If{at: at{pos}, Cond: p.expr()})
	p.expectKind(tBlockEnd, "%}")
	n.Body = p.nodes(endsIf)
	switch p.peekTagName() {
	case "elif":
		bp := p.peek().off()
		p.next()
		p.next()
		n.Else = p.nodeLists.of([]Node{p.ifStmt(bp)})
		return n // the nested if consumed endif
	case "else":
		p.next()
		p.next()
		p.expectKind(tBlockEnd, "%}")
		n.Else = p.nodes(endsEndif)
	}
	p.endTag("endif")
	return n
}

// assignTarget parses a name, a dotted namespace attribute, or a tuple of names.
func (p *parser) assignTarget() Expr {
	pos := p.peek().off()
	first := p.targetItem(pos)
	if !p.isOp(",") {
		return first
	}
	var buf [4]Expr
	items := append(buf[:0], first)
	for p.isOp(",") {
		p.next()
		items = append(items, p.targetItem(pos))
	}
	return put(&p.tuples, Tuple{at{pos}, p.exprLists.of(items)})
}

func (p *parser) targetItem(pos int) Expr {
	if p.isOp("(") {
		p.next()
		x := p.assignTarget()
		p.expectOp(")")
		return x
	}
	var x Expr = p.name(p.peek().off(), p.expectName())
	if p.isOp(".") {
		p.next()
		g := put(&p.getattrs, Getattr{at{pos}, x, p.expectName()})
		x = g
	}
	return x
}

// exprList parses a, b, c (an implicit tuple) or one expression.
func (p *parser) exprList() Expr {
	pos := p.peek().off()
	x := p.expr()
	if !p.isOp(",") {
		return x
	}
	var buf [8]Expr
	items := append(buf[:0], x)
	for p.isOp(",") {
		p.next()
		if p.peek().kind == tBlockEnd {
			break
		}
		items = append(items, p.expr())
	}
	return put(&p.tuples, Tuple{at{pos}, p.exprLists.of(items)})
}

func (p *parser) expr() Expr {
	p.enter()
	pos := p.peek().off()
	x := p.binary(1)
	for p.isName("if") {
		p.next()
		c := put(&p.condExprs, CondExpr{at: at{pos}, Then: x, Cond: p.binary(1)})
		if p.isName("else") {
			p.next()
			c.Else = p.expr()
		}
		x = c
	}
	p.leave()
	return x
}

// noCondExpr is an expression without a trailing "if" (for-loop iterables).
func (p *parser) noCondExpr() Expr { return p.binary(1) }

// Binary operator precedence, as jinja2.parser nests them: or < and <
// not (prefix) < comparisons and in < + - < ~ < * / // % < **.
const precNot = 3

// binop returns the binary operator at the current token, its name in the
// tree, its precedence and how many tokens it takes; prec 0 when none.
func (p *parser) binop() (op string, prec, width int) {
	t := p.peek()
	switch t.kind {
	case tOp:
		switch t.val {
		case "==", "!=", "<", ">", "<=", ">=":
			return t.val, 4, 1
		case "+", "-":
			return t.val, 5, 1
		case "~":
			return t.val, 6, 1
		case "*", "/", "//", "%":
			return t.val, 7, 1
		case "**":
			return t.val, 8, 1
		}
	case tName:
		switch t.val {
		case "or":
			return "or", 1, 1
		case "and":
			return "and", 2, 1
		case "in":
			return "in", 4, 1
		case "not":
			if n := p.toks[p.i+1]; n.kind == tName && n.val == "in" {
				return "notin", 4, 2
			}
		}
	}
	return "", 0, 0
}

// binary parses operators of precedence min and above (precedence
// climbing; every operator is left-associative, as in Jinja).
func (p *parser) binary(min int) Expr {
	p.enter()
	var x Expr
	if min <= precNot && p.isName("not") {
		t := p.next()
		u := put(&p.unops, UnOp{at{t.off()}, "not", p.binary(precNot)})
		x = u
	} else {
		x = p.unary(true)
	}
	for {
		op, prec, width := p.binop()
		if prec == 0 || prec < min {
			break
		}
		pos := p.peek().off()
		p.i += width
		b := put(&p.binops, BinOp{at{pos}, op, x, p.binary(prec + 1)})
		x = b
	}
	p.leave()
	return x
}

func (p *parser) unary(withFilter bool) Expr {
	p.enter()
	t := p.peek()
	var x Expr
	if t.kind == tOp && (t.val == "-" || t.val == "+") {
		p.next()
		u := put(&p.unops, UnOp{at{t.off()}, t.val, p.unary(false)})
		x = u
	} else {
		x = p.postfix(p.primary())
	}
	if withFilter {
		x = p.filterTests(x)
	}
	p.leave()
	return x
}

func (p *parser) primary() Expr {
	t := p.next()
	switch t.kind {
	case tName:
		switch t.val {
		case "true", "True":
			return p.constant(t.off(), Const{Kind: ConstBool, Bool: true})
		case "false", "False":
			return p.constant(t.off(), Const{Kind: ConstBool})
		case "none", "None":
			return p.constant(t.off(), Const{Kind: ConstNone})
		}
		return p.name(t.off(), t.val)
	case tString:
		s := t.val
		if p.peek().kind == tString { // implicit concatenation
			var sb strings.Builder
			sb.WriteString(s)
			for p.peek().kind == tString {
				sb.WriteString(p.next().val)
			}
			s = sb.String()
		}
		return p.constant(t.off(), Const{Kind: ConstString, Str: s})
	case tNumber:
		return p.constant(t.off(), number(t.val))
	case tOp:
		switch t.val {
		case "(":
			if p.isOp(")") {
				p.next()
				return put(&p.tuples, Tuple{at{t.off()}, nil})
			}
			x := p.expr()
			if p.isOp(",") {
				var buf [8]Expr
				items := append(buf[:0], x)
				for p.isOp(",") {
					p.next()
					if p.isOp(")") {
						break
					}
					items = append(items, p.expr())
				}
				x = put(&p.tuples, Tuple{at{t.off()}, p.exprLists.of(items)})
			}
			p.expectOp(")")
			return x
		case "[":
			l := put(&p.listLits, List{at: at{t.off()}})
			var buf [8]Expr
			items := buf[:0]
			for !p.isOp("]") {
				items = append(items, p.expr())
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			l.Items = p.exprLists.of(items)
			p.expectOp("]")
			return l
		case "{":
			d := put(&p.dicts, Dict{at: at{t.off()}})
			var kbuf, vbuf [8]Expr
			keys, values := kbuf[:0], vbuf[:0]
			for !p.isOp("}") {
				keys = append(keys, p.expr())
				p.expectOp(":")
				values = append(values, p.expr())
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			d.Keys, d.Values = p.exprLists.of(keys), p.exprLists.of(values)
			p.expectOp("}")
			return d
		}
	}
	p.i--
	p.fail("unexpected %q", t.val)
	return nil
}

// number reads a number token as Python would, short of exotic forms.
func number(s string) Const {
	s = strings.ReplaceAll(s, "_", "")
	if plainDecimal(s) {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Const{Kind: ConstInt, Int: i}
		}
	}
	// Prefixed, octal-looking, out of range or malformed: fmt's scanner
	// reads these as it always has (rare; not worth a parser of our own).
	var i int64
	if _, err := fmt.Sscan(s, &i); err == nil && !strings.ContainsAny(s, ".eE") {
		return Const{Kind: ConstInt, Int: i}
	}
	var f float64
	fmt.Sscan(s, &f)
	return Const{Kind: ConstFloat, Float: f}
}

// plainDecimal: digits only, without the leading zero fmt reads as octal.
func plainDecimal(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (p *parser) postfix(x Expr) Expr {
	for n := 0; ; n++ {
		if n > MaxDepth {
			p.fail("postfix chain longer than %d", MaxDepth)
		}
		t := p.peek()
		switch {
		case p.isOp("."):
			p.next()
			a := p.next()
			switch a.kind {
			case tName:
				g := put(&p.getattrs, Getattr{at{t.off()}, x, a.val})
				x = g
			case tNumber:
				g := put(&p.getitems, Getitem{at{t.off()}, x, p.constant(a.off(), number(a.val))})
				x = g
			default:
				p.i--
				p.fail("expected an attribute name")
			}
		case p.isOp("["):
			p.next()
			x = p.subscript(x, t.off())
			p.expectOp("]")
		case p.isOp("("):
			x = p.call(x)
		default:
			return x
		}
	}
}

func (p *parser) subscript(x Expr, pos int) Expr {
	var parts [3]Expr
	idx, isSlice := 0, false
	for {
		if p.isOp(":") {
			p.next()
			isSlice = true
			if idx++; idx > 2 {
				p.fail("bad slice")
			}
			continue
		}
		if p.isOp("]") {
			break
		}
		if parts[idx] != nil {
			p.fail("bad subscript")
		}
		parts[idx] = p.expr()
		if p.isOp(",") { // x[a, b]: a tuple key
			var buf [4]Expr
			items := append(buf[:0], parts[idx])
			for p.isOp(",") {
				p.next()
				if p.isOp("]") {
					break
				}
				items = append(items, p.expr())
			}
			parts[idx] = put(&p.tuples, Tuple{at{pos}, p.exprLists.of(items)})
		}
	}
	if isSlice {
		return put(&p.slices, Slice{at{pos}, x, parts[0], parts[1], parts[2]})
	}
	g := put(&p.getitems, Getitem{at{pos}, x, parts[0]})
	return g
}

func (p *parser) call(fn Expr) Expr {
	t := p.expectOp("(")
	c := put(&p.calls, Call{at: at{t.off()}, Fn: fn})
	c.Args, c.KwNames, c.KwValues, c.Star, c.StarStar = p.args()
	return c
}

// args parses a parenthesised argument list; the "(" is already consumed.
func (p *parser) args() (args []Expr, kwn []string, kwv []Expr, star, starstar Expr) {
	var abuf, vbuf [8]Expr
	var nbuf [8]string
	pos, names, values := abuf[:0], nbuf[:0], vbuf[:0]
	for !p.isOp(")") {
		switch {
		case p.isOp("*") || p.isOp("**"):
			op := p.next().val
			if op == "*" {
				star = p.expr()
			} else {
				starstar = p.expr()
			}
		case p.peek().kind == tName && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].val == "=":
			names = append(names, p.next().val)
			p.next()
			values = append(values, p.expr())
		default:
			pos = append(pos, p.expr())
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	p.expectOp(")")
	return p.exprLists.of(pos), p.strLists.of(names), p.exprLists.of(values), star, starstar
}

// filterTests applies |filters and "is" tests to x.
func (p *parser) filterTests(x Expr) Expr {
	for {
		switch {
		case p.isOp("|"):
			x = p.filters(x)
		case p.isOp("("): // x|f(...)(...): the filter's result is called
			x = p.call(x)
		case p.isName("is"):
			t := p.next()
			neg := false
			if p.isName("not") {
				p.next()
				neg = true
			}
			name := p.dottedName()
			ts := put(&p.tests, Test{at: at{t.off()}, X: x, Name: name, Negate: neg})
			switch pk := p.peek(); {
			case p.isOp("("):
				p.next()
				ts.Args, _, _, _, _ = p.args()
			case pk.kind == tString || pk.kind == tNumber || (pk.kind == tName && pk.val != "and" && pk.val != "or" && pk.val != "else" && pk.val != "if" && pk.val != "in" && pk.val != "is" && pk.val != "not") || p.isOp("["):
				ts.Args = p.exprLists.of([]Expr{p.postfix(p.primary())})
			}
			x = ts
		default:
			return x
		}
	}
}

// dottedName reads name(.name)*; a plain name is the token's own string.
func (p *parser) dottedName() string {
	name := p.expectName()
	for p.isOp(".") {
		p.next()
		name += "." + p.expectName()
	}
	return name
}

// filters parses one or more |name(args) applied to x.
func (p *parser) filters(x Expr) Expr {
	for p.isOp("|") {
		x = p.filterChain(x)
	}
	return x
}

func (p *parser) filterChain(x Expr) Expr {
	if p.isOp("|") {
		p.next()
	}
	t := p.peek()
	name := p.dottedName()
	f := put(&p.filterNs, Filter{at: at{t.off()}, X: x, Name: name})
	if p.isOp("(") {
		p.next()
		f.Args, f.KwNames, f.KwValues, _, _ = p.args()
	}
	return f
}
