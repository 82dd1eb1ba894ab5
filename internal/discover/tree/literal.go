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
		s := tk.Text
		j := i + 1
		for j < len(t) && t[j].Kind == lex.String {
			s += t[j].Text
			j++
		}
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
		name := tk.Text
		j := i + 1
		for j+1 < len(t) && isOp(j, ".") && t[j+1].Kind == lex.Ident {
			name += "." + t[j+1].Text
			j += 2
		}
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
