// Package lex tokenises Python, JavaScript/TypeScript, Go and Rust source
// for the detectors. Lexing source, rather than matching regular
// expressions over whole files, keeps ids in comments and docstrings out:
// detectors only ever look at string tokens in argument and value
// positions.
package lex

import (
	"bytes"
	"strings"
)

// Kind is the kind of a token.
type Kind uint8

const (
	Ident Kind = iota + 1
	String
	Number
	Op
	NL // end of a logical line (Python only)
)

// Token is one lexed token.
type Token struct {
	Kind Kind
	Text string // identifier, operator, number, or the decoded string value
	Line int
	// FStr marks an f-string or a template literal whose {placeholders} are
	// substituted when evaluated.
	FStr bool
	// Indent is the column of a token that starts a logical line, else -1.
	Indent int
}

// Lang is a language the lexer knows.
type Lang uint8

const (
	Python Lang = iota
	JS
	Go
	Rust
)

// Lex tokenises src. It never fails: unterminated strings end at the end of
// input, unknown bytes become operators.
func Lex(src []byte, l Lang) []Token { return LexUntil(src, l, nil) }

// LexUntil is Lex that asks stop (when not nil) before each token and
// returns the tokens read so far once it says yes: a scan that is
// cancelled, or a file whose time budget is spent, stops mid-file.
func LexUntil(src []byte, l Lang, stop func() bool) []Token {
	// Source code runs at about one token per five bytes: sized once, the
	// slice is not copied over and over as it grows (a third of lexing
	// time on large trees went to those copies).
	toks := make([]Token, 0, len(src)/5+16)
	line := 1
	depth := 0
	lineStart := true
	col := 0
	i := 0
	n := len(src)
	emit := func(t Token) {
		t.Indent = -1
		if lineStart && depth == 0 {
			t.Indent = col
		}
		if t.Kind != NL {
			lineStart = false
		}
		toks = append(toks, t)
	}
	for i < n {
		if stop != nil && stop() {
			return toks
		}
		c := src[i]
		switch {
		case c == '\n':
			if l == Python && depth == 0 && !lineStart {
				toks = append(toks, Token{Kind: NL, Line: line, Indent: -1})
			}
			line++
			i++
			if depth == 0 {
				lineStart = true
				col = 0
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			if lineStart {
				col++
			}
			i++
			continue
		case c == '\\' && i+1 < n && (src[i+1] == '\n' || src[i+1] == '\r'):
			i++
			continue
		case l == Python && c == '#':
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case l != Python && c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case l != Python && c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i < n && !(src[i] == '*' && i+1 < n && src[i+1] == '/') {
				if src[i] == '\n' {
					line++
				}
				i++
			}
			i += 2
			continue
		}
		startLine := line
		// Identifiers, which in Python may prefix a string.
		if isIdentStart(c) {
			j := i
			for j < n && isIdentPart(src[j]) {
				j++
			}
			word := string(src[i:j])
			if j < n && (src[j] == '"' || src[j] == '\'') && l == Python && isStrPrefix(word) {
				lw := strings.ToLower(word)
				s, end, nl := lexPyString(src, j, strings.Contains(lw, "r"))
				emit(Token{Kind: String, Text: s, Line: startLine, FStr: strings.Contains(lw, "f")})
				line += nl
				i = end
				continue
			}
			if l == Rust && word == "r" && j < n && (src[j] == '"' || src[j] == '#') {
				s, end, nl, ok := lexRustRaw(src, j)
				if ok {
					emit(Token{Kind: String, Text: s, Line: startLine})
					line += nl
					i = end
					continue
				}
			}
			emit(Token{Kind: Ident, Text: word, Line: startLine})
			i = j
			continue
		}
		if c >= '0' && c <= '9' {
			j := i
			for j < n && (isIdentPart(src[j]) || src[j] == '.') {
				j++
			}
			emit(Token{Kind: Number, Text: string(src[i:j]), Line: startLine})
			i = j
			continue
		}
		if c == '"' || c == '\'' || (c == '`' && (l == JS || l == Go)) {
			if l == Rust && c == '\'' {
				// A char literal or a lifetime; neither matters here.
				if i+2 < n && src[i+2] == '\'' {
					i += 3
				} else if i+3 < n && src[i+1] == '\\' && src[i+3] == '\'' {
					i += 4
				} else {
					i++
				}
				continue
			}
			var s string
			var end, nl int
			fstr := false
			switch {
			case l == Python:
				s, end, nl = lexPyString(src, i, false)
			case c == '`' && l == Go:
				s, end, nl = lexRaw(src, i, '`')
			case c == '`':
				s, end, nl = lexQuoted(src, i, '`', true)
				fstr = strings.Contains(s, "${")
			default:
				s, end, nl = lexQuoted(src, i, c, false)
			}
			emit(Token{Kind: String, Text: s, Line: startLine, FStr: fstr})
			line += nl
			i = end
			continue
		}
		// Operators.
		op := string(c)
		if i+1 < n {
			two := string(src[i : i+2])
			switch two {
			case "==", "!=", "<=", ">=", "**", ":=", "->", "+=", "-=", "*=", "/=", "=>", "::", "&&", "||":
				op = two
			}
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
		emit(Token{Kind: Op, Text: op, Line: startLine})
		i += len(op)
	}
	if l == Python && len(toks) > 0 && toks[len(toks)-1].Kind != NL {
		toks = append(toks, Token{Kind: NL, Line: line, Indent: -1})
	}
	return toks
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isStrPrefix(w string) bool {
	if len(w) > 2 {
		return false
	}
	for _, c := range strings.ToLower(w) {
		if !strings.ContainsRune("rbuf", c) {
			return false
		}
	}
	return true
}

// lexPyString reads a Python string literal starting at the quote at i.
func lexPyString(src []byte, i int, raw bool) (string, int, int) {
	q := src[i]
	triple := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	var b strings.Builder
	nl := 0
	j := i + 1
	if triple {
		j = i + 3
	}
	for j < len(src) {
		c := src[j]
		if c == '\\' && j+1 < len(src) {
			if src[j+1] == '\n' {
				nl++
				if raw {
					b.WriteString("\\\n")
				}
				j += 2
				continue
			}
			if raw {
				b.WriteByte(c)
				b.WriteByte(src[j+1])
			} else {
				b.WriteString(unescape(src[j+1]))
			}
			j += 2
			continue
		}
		if c == q {
			if !triple {
				return b.String(), j + 1, nl
			}
			if j+2 < len(src) && src[j+1] == q && src[j+2] == q {
				return b.String(), j + 3, nl
			}
		}
		if c == '\n' {
			nl++
			if !triple {
				return b.String(), j, nl - 1 // unterminated: stop at the line end
			}
		}
		b.WriteByte(c)
		j++
	}
	return b.String(), j, nl
}

func lexQuoted(src []byte, i int, q byte, multiline bool) (string, int, int) {
	var b strings.Builder
	nl := 0
	j := i + 1
	for j < len(src) {
		c := src[j]
		if c == '\\' && j+1 < len(src) {
			if src[j+1] == '\n' {
				nl++
			}
			b.WriteString(unescape(src[j+1]))
			j += 2
			continue
		}
		if c == q {
			return b.String(), j + 1, nl
		}
		if c == '\n' {
			if !multiline {
				return b.String(), j, nl
			}
			nl++
		}
		b.WriteByte(c)
		j++
	}
	return b.String(), j, nl
}

func lexRaw(src []byte, i int, q byte) (string, int, int) {
	nl := 0
	for j := i + 1; j < len(src); j++ {
		if src[j] == '\n' {
			nl++
		}
		if src[j] == q {
			return string(src[i+1 : j]), j + 1, nl
		}
	}
	return string(src[i+1:]), len(src), nl
}

func lexRustRaw(src []byte, i int) (string, int, int, bool) {
	hashes := 0
	j := i
	for j < len(src) && src[j] == '#' {
		hashes++
		j++
	}
	if j >= len(src) || src[j] != '"' {
		return "", 0, 0, false
	}
	closing := []byte("\"" + strings.Repeat("#", hashes))
	// Search the source in place: copying the rest of the file for every
	// raw string made a file of many r"..." literals quadratic.
	rest := src[j+1:]
	k := bytes.Index(rest, closing)
	if k < 0 {
		return string(rest), len(src), bytes.Count(rest, []byte("\n")), true
	}
	s := rest[:k]
	return string(s), j + 1 + k + len(closing), bytes.Count(s, []byte("\n")), true
}

func unescape(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case '0':
		return "\x00"
	}
	return string(c)
}
