package jinja

import (
	"fmt"
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
	Const struct {
		at
		Value any // string, int64, float64, bool, nil
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

// Parse parses a template.
func Parse(src string) (body []Node, err error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
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

type parser struct {
	toks  []token
	i     int
	depth int
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

// nodes parses statements until one of the end tags (not consumed).
func (p *parser) nodes(ends []string) []Node {
	p.enter()
	defer p.leave()
	var out []Node
	for {
		t := p.peek()
		switch t.kind {
		case tEOF:
			if len(ends) > 0 {
				p.fail("missing {%% %s %%}", ends[0])
			}
			return out
		case tData:
			p.next()
			out = append(out, &Data{at{t.off()}, t.val})
		case tVarBegin:
			p.next()
			x := p.expr()
			p.expectKind(tVarEnd, "}}")
			out = append(out, &Output{at{t.off()}, x})
		case tBlockBegin:
			name := p.peekTagName()
			for _, e := range ends {
				if name == e {
					return out
				}
			}
			p.next()
			out = append(out, p.statement(t.off()))
		default:
			p.fail("unexpected token %q", t.val)
		}
	}
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
		n := &For{at: at{pos}}
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
		n.Body = p.nodes([]string{"endfor", "else"})
		if p.peekTagName() == "else" {
			p.next()
			p.next()
			p.expectKind(tBlockEnd, "%}")
			n.Else = p.nodes([]string{"endfor"})
		}
		p.endTag("endfor")
		return n
	case "set":
		n := &Set{at: at{pos}}
		n.Target = p.assignTarget()
		if p.isOp("=") {
			p.next()
			n.Value = p.exprList()
			p.expectKind(tBlockEnd, "%}")
			return n
		}
		if p.isOp("|") {
			n.Filter = p.filters(&Name{at{pos}, "(block)"})
		}
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endset"})
		p.endTag("endset")
		return n
	case "macro":
		n := &Macro{at: at{pos}, Name: p.expectName()}
		p.expectOp("(")
		for !p.isOp(")") {
			n.Params = append(n.Params, p.expectName())
			var d Expr
			if p.isOp("=") {
				p.next()
				d = p.expr()
			}
			n.Defaults = append(n.Defaults, d)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		p.expectOp(")")
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endmacro"})
		p.endTag("endmacro")
		return n
	case "call":
		n := &CallBlock{at: at{pos}}
		if p.isOp("(") {
			p.next()
			for !p.isOp(")") {
				n.Params = append(n.Params, p.expectName())
				if p.isOp("=") {
					p.next()
					p.expr()
				}
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			p.expectOp(")")
		}
		n.Call = p.expr()
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endcall"})
		p.endTag("endcall")
		return n
	case "filter":
		n := &FilterBlock{at: at{pos}}
		n.Filter = p.filters(p.filterChain(&Name{at{pos}, "(block)"}))
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endfilter"})
		p.endTag("endfilter")
		return n
	case "with":
		n := &With{at: at{pos}}
		for p.peek().kind != tBlockEnd {
			n.Targets = append(n.Targets, p.assignTarget())
			p.expectOp("=")
			n.Values = append(n.Values, p.expr())
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		p.expectKind(tBlockEnd, "%}")
		n.Body = p.nodes([]string{"endwith"})
		p.endTag("endwith")
		return n
	case "include", "import", "extends", "from":
		n := &Include{at: at{pos}, Kind: name, Template: p.expr()}
		for p.peek().kind != tBlockEnd && p.peek().kind != tEOF { // as x, import a, b, ignore missing, with context
			p.next()
		}
		p.expectKind(tBlockEnd, "%}")
		return n
	case "block", "generation", "autoescape", "trans", "spaceless":
		n := &Block{at: at{pos}, Name: name}
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
		n := &Do{at{pos}, p.expr()}
		p.expectKind(tBlockEnd, "%}")
		return n
	case "break", "continue":
		p.expectKind(tBlockEnd, "%}")
		return &LoopControl{at{pos}, name}
	}
	p.i-- // report at the tag name
	p.fail("unknown tag %q", name)
	return nil
}

func (p *parser) ifStmt(pos int) Node {
	n := &If{at: at{pos}, Cond: p.expr()}
	p.expectKind(tBlockEnd, "%}")
	n.Body = p.nodes([]string{"elif", "else", "endif"})
	switch p.peekTagName() {
	case "elif":
		bp := p.peek().off()
		p.next()
		p.next()
		n.Else = []Node{p.ifStmt(bp)}
		return n // the nested if consumed endif
	case "else":
		p.next()
		p.next()
		p.expectKind(tBlockEnd, "%}")
		n.Else = p.nodes([]string{"endif"})
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
	items := []Expr{first}
	for p.isOp(",") {
		p.next()
		items = append(items, p.targetItem(pos))
	}
	return &Tuple{at{pos}, items}
}

func (p *parser) targetItem(pos int) Expr {
	if p.isOp("(") {
		p.next()
		x := p.assignTarget()
		p.expectOp(")")
		return x
	}
	var x Expr = &Name{at{p.peek().off()}, p.expectName()}
	if p.isOp(".") {
		p.next()
		x = &Getattr{at{pos}, x, p.expectName()}
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
	items := []Expr{x}
	for p.isOp(",") {
		p.next()
		if p.peek().kind == tBlockEnd {
			break
		}
		items = append(items, p.expr())
	}
	return &Tuple{at{pos}, items}
}

func (p *parser) expr() Expr {
	p.enter()
	pos := p.peek().off()
	x := p.binary(1)
	for p.isName("if") {
		p.next()
		c := &CondExpr{at: at{pos}, Then: x, Cond: p.binary(1)}
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
		x = &UnOp{at{t.off()}, "not", p.binary(precNot)}
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
		x = &BinOp{at{pos}, op, x, p.binary(prec + 1)}
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
		x = &UnOp{at{t.off()}, t.val, p.unary(false)}
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
			return &Const{at{t.off()}, true}
		case "false", "False":
			return &Const{at{t.off()}, false}
		case "none", "None":
			return &Const{at{t.off()}, nil}
		}
		return &Name{at{t.off()}, t.val}
	case tString:
		s := t.val
		for p.peek().kind == tString { // implicit concatenation
			s += p.next().val
		}
		return &Const{at{t.off()}, s}
	case tNumber:
		return &Const{at{t.off()}, number(t.val)}
	case tOp:
		switch t.val {
		case "(":
			if p.isOp(")") {
				p.next()
				return &Tuple{at{t.off()}, nil}
			}
			x := p.expr()
			if p.isOp(",") {
				items := []Expr{x}
				for p.isOp(",") {
					p.next()
					if p.isOp(")") {
						break
					}
					items = append(items, p.expr())
				}
				x = &Tuple{at{t.off()}, items}
			}
			p.expectOp(")")
			return x
		case "[":
			l := &List{at: at{t.off()}}
			for !p.isOp("]") {
				l.Items = append(l.Items, p.expr())
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			p.expectOp("]")
			return l
		case "{":
			d := &Dict{at: at{t.off()}}
			for !p.isOp("}") {
				d.Keys = append(d.Keys, p.expr())
				p.expectOp(":")
				d.Values = append(d.Values, p.expr())
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			p.expectOp("}")
			return d
		}
	}
	p.i--
	p.fail("unexpected %q", t.val)
	return nil
}

func number(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	var i int64
	if _, err := fmt.Sscan(s, &i); err == nil && !strings.ContainsAny(s, ".eE") {
		return i
	}
	var f float64
	fmt.Sscan(s, &f)
	return f
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
				x = &Getattr{at{t.off()}, x, a.val}
			case tNumber:
				x = &Getitem{at{t.off()}, x, &Const{at{a.off()}, number(a.val)}}
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
			items := []Expr{parts[idx]}
			for p.isOp(",") {
				p.next()
				if p.isOp("]") {
					break
				}
				items = append(items, p.expr())
			}
			parts[idx] = &Tuple{at{pos}, items}
		}
	}
	if isSlice {
		return &Slice{at{pos}, x, parts[0], parts[1], parts[2]}
	}
	return &Getitem{at{pos}, x, parts[0]}
}

func (p *parser) call(fn Expr) Expr {
	t := p.expectOp("(")
	c := &Call{at: at{t.off()}, Fn: fn}
	c.Args, c.KwNames, c.KwValues, c.Star, c.StarStar = p.args()
	return c
}

// args parses a parenthesised argument list; the "(" is already consumed.
func (p *parser) args() (args []Expr, kwn []string, kwv []Expr, star, starstar Expr) {
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
			kwn = append(kwn, p.next().val)
			p.next()
			kwv = append(kwv, p.expr())
		default:
			args = append(args, p.expr())
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	p.expectOp(")")
	return
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
			name := p.expectName()
			for p.isOp(".") {
				p.next()
				name += "." + p.expectName()
			}
			ts := &Test{at: at{t.off()}, X: x, Name: name, Negate: neg}
			switch pk := p.peek(); {
			case p.isOp("("):
				p.next()
				ts.Args, _, _, _, _ = p.args()
			case pk.kind == tString || pk.kind == tNumber || (pk.kind == tName && pk.val != "and" && pk.val != "or" && pk.val != "else" && pk.val != "if" && pk.val != "in" && pk.val != "is" && pk.val != "not") || p.isOp("["):
				ts.Args = []Expr{p.postfix(p.primary())}
			}
			x = ts
		default:
			return x
		}
	}
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
	name := p.expectName()
	for p.isOp(".") {
		p.next()
		name += "." + p.expectName()
	}
	f := &Filter{at: at{t.off()}, X: x, Name: name}
	if p.isOp("(") {
		p.next()
		f.Args, f.KwNames, f.KwValues, _, _ = p.args()
	}
	return f
}
