package license

import (
	"fmt"
	"regexp"
	"strings"
)

// licenseRefRe is the SPDX idstring grammar for user-defined references.
var licenseRefRe = regexp.MustCompile(`^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$`)

// node is a parsed SPDX license expression.
type node struct {
	op    string // "", "AND", "OR", "WITH"
	id    string // leaf: canonical id, possibly with "+"
	left  *node
	right *node
}

func (n *node) String() string {
	switch n.op {
	case "":
		return n.id
	case "WITH":
		return n.left.String() + " WITH " + n.right.id
	case "AND":
		return n.paren(n.left, "OR") + " AND " + n.paren(n.right, "OR")
	default: // OR
		return n.left.String() + " OR " + n.right.String()
	}
}

// paren wraps child in parentheses when its operator binds looser than the parent's.
func (n *node) paren(child *node, looser string) string {
	if child.op == looser {
		return "(" + child.String() + ")"
	}
	return child.String()
}

// leaves returns the license ids (not exceptions) of the expression in order.
func (n *node) leaves(out []string) []string {
	switch n.op {
	case "":
		return append(out, n.id)
	case "WITH":
		return n.left.leaves(out)
	default:
		return n.right.leaves(n.left.leaves(out))
	}
}

type exprParser struct {
	toks []string
	pos  int
}

func tokenize(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

// ParseExpression validates an SPDX license expression against the embedded
// license list and returns it in canonical form (ids in their official case,
// operators upper case, deprecated GNU ids replaced by their successors).
// Operators are accepted in any case because hand-written cards use "or".
func ParseExpression(s string) (string, error) {
	n, err := parseExpression(s)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

func parseExpression(s string) (*node, error) {
	p := &exprParser{toks: tokenize(s)}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at token %d", p.toks[p.pos], p.pos+1)
	}
	return n, nil
}

func (p *exprParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *exprParser) or() (*node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "OR") {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &node{op: "OR", left: l, right: r}
	}
	return l, nil
}

func (p *exprParser) and() (*node, error) {
	l, err := p.with()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "AND") {
		p.pos++
		r, err := p.with()
		if err != nil {
			return nil, err
		}
		l = &node{op: "AND", left: l, right: r}
	}
	return l, nil
}

func (p *exprParser) with() (*node, error) {
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(p.peek(), "WITH") {
		if l.op != "" {
			return nil, fmt.Errorf("WITH must follow a license id")
		}
		p.pos++
		t := p.peek()
		if t == "" {
			return nil, fmt.Errorf("missing exception after WITH")
		}
		p.pos++
		in, ok := Lookup(t)
		if !ok || !in.Exception {
			return nil, fmt.Errorf("unknown license exception %q", t)
		}
		return &node{op: "WITH", left: l, right: &node{id: in.ID}}, nil
	}
	return l, nil
}

func (p *exprParser) primary() (*node, error) {
	t := p.peek()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end of expression")
	case t == "(":
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing closing parenthesis")
		}
		p.pos++
		return n, nil
	case t == ")" || isOperator(t):
		return nil, fmt.Errorf("unexpected %q", t)
	}
	p.pos++
	return leaf(t)
}

func isOperator(t string) bool {
	return strings.EqualFold(t, "AND") || strings.EqualFold(t, "OR") || strings.EqualFold(t, "WITH")
}

// leaf resolves one simple expression: an SPDX id (optionally with "+") or a
// LicenseRef.
func leaf(t string) (*node, error) {
	if licenseRefRe.MatchString(t) {
		return &node{id: t}, nil
	}
	plus := strings.HasSuffix(t, "+")
	in, ok := Lookup(t)
	if !ok && plus {
		in, ok = Lookup(strings.TrimSuffix(t, "+"))
	} else {
		plus = false
	}
	if !ok || in.Exception {
		return nil, fmt.Errorf("unknown license id %q", t)
	}
	id := in.ID
	if plus {
		id += "+"
		if r := deprecatedReplacement(id); r != "" {
			id = r
		}
	} else if r := deprecatedReplacement(id); r != "" {
		id = r
	} else if r, ok := withReplacement[id]; ok {
		// A deprecated "-with-" id is a whole WITH expression.
		return parseExpression(r)
	}
	return &node{id: id}, nil
}
