package tree

import (
	"strings"

	"github.com/mlbom/autopilot/internal/discover/lex"
)

// ParseLiteral parses a literal of code (dict, list, set, tuple, string,
// name, call) starting at token i into a Node, returning the index after
// it. lineOf maps lexed lines to reported lines.
func ParseLiteral(t []lex.Token, i, depth int, lineOf func(int) int) (*Node, int) {
	if i >= len(t) || depth > 64 {
		return &Node{Kind: Other}, i + 1
	}
	tk := t[i]
	isOp := func(j int, op string) bool { return j < len(t) && t[j].Kind == lex.Op && t[j].Text == op }
	switch {
	case tk.Kind == lex.String:
		// Adjacent literals ("a" "b") join; a Builder keeps a long run of
		// them linear.
		var b strings.Builder
		b.WriteString(tk.Text)
		j := i + 1
		for j < len(t) && t[j].Kind == lex.String {
			b.WriteString(t[j].Text)
			j++
		}
		s := b.String()
		if tk.FStr && strings.Contains(s, "{") {
			return &Node{Kind: Other, Text: s, Line: lineOf(tk.Line)}, skipExpr(t, j)
		}
		if j < len(t) && t[j].Kind == lex.Op && !isCloser(t[j].Text) {
			return &Node{Kind: Other, Line: lineOf(tk.Line)}, skipExpr(t, j)
		}
		return &Node{Kind: String, Text: s, Line: lineOf(tk.Line)}, j
	case tk.Kind == lex.Op && (tk.Text == "{" || tk.Text == "[" || tk.Text == "("):
		closer := map[string]string{"{": "}", "[": "]", "(": ")"}[tk.Text]
		n := &Node{Kind: List, Line: lineOf(tk.Line)}
		j := i + 1
		for j < len(t) && !isOp(j, closer) {
			if isOp(j, ",") {
				j++
				continue
			}
			start := j
			k, next := ParseLiteral(t, j, depth+1, lineOf)
			j = next
			if isOp(j, ":") && tk.Text == "{" {
				n.Kind = Dict
				v, next := ParseLiteral(t, j+1, depth+1, lineOf)
				j = next
				key := ""
				if k.Kind == String || k.Kind == Ident {
					key = k.Text
				}
				n.Keys = append(n.Keys, key)
				n.KeyLines = append(n.KeyLines, lineOf(t[start].Line))
				n.Vals = append(n.Vals, v)
			} else {
				n.Vals = append(n.Vals, k)
			}
			if j < len(t) && !isOp(j, ",") && !isOp(j, closer) {
				j = skipExpr(t, j)
			}
			if j <= start {
				j = start + 1
			}
		}
		return n, j + 1
	case tk.Kind == lex.Ident:
		name, j := DottedName(t, i, len(t))
		if isOp(j, "(") {
			k := matchingIn(t, j)
			return &Node{Kind: Call, Text: name, Line: lineOf(tk.Line), Ref: i}, skipExpr(t, k+1)
		}
		if j < len(t) && t[j].Kind == lex.Op && !isCloser(t[j].Text) && t[j].Text != "," && t[j].Text != ":" {
			return &Node{Kind: Other, Line: lineOf(tk.Line)}, skipExpr(t, j)
		}
		switch name {
		case "True", "False", "None", "true", "false", "null", "undefined":
			return &Node{Kind: Other, Text: name, Line: lineOf(tk.Line)}, j
		}
		return &Node{Kind: Ident, Text: name, Line: lineOf(tk.Line), Ref: i}, j
	}
	return &Node{Kind: Other, Line: lineOf(tk.Line)}, skipExpr(t, i)
}

func isCloser(op string) bool { return op == ")" || op == "]" || op == "}" || op == "," || op == ":" }

// skipExpr advances to the next top-level comma, colon or closer.
func skipExpr(t []lex.Token, j int) int {
	depth := 0
	for ; j < len(t); j++ {
		if t[j].Kind == lex.NL && depth == 0 {
			return j
		}
		if t[j].Kind != lex.Op {
			continue
		}
		switch t[j].Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return j
			}
			depth--
		case ",", ":":
			if depth == 0 {
				return j
			}
		}
	}
	return j
}

func matchingIn(t []lex.Token, i int) int {
	depth := 0
	for j := i; j < len(t); j++ {
		if t[j].Kind != lex.Op {
			continue
		}
		switch t[j].Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(t) - 1
}

// DottedName reads the name a.b.c starting at the identifier t[i], within
// t[:end], and returns it with the index after it. A Builder keeps a long
// chain linear.
func DottedName(t []lex.Token, i, end int) (string, int) {
	j := i + 1
	if !(j+1 < end && t[j].Kind == lex.Op && t[j].Text == "." && t[j+1].Kind == lex.Ident) {
		return t[i].Text, j
	}
	var b strings.Builder
	b.WriteString(t[i].Text)
	for j+1 < end && t[j].Kind == lex.Op && t[j].Text == "." && t[j+1].Kind == lex.Ident {
		b.WriteByte('.')
		b.WriteString(t[j+1].Text)
		j += 2
	}
	return b.String(), j
}
