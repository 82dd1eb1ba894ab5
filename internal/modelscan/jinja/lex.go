// Package jinja parses the Jinja2 template language into a syntax tree,
// for static analysis of templates found in model files (chat templates).
// It never renders anything.
//
// The grammar is Jinja2's default one (delimiters {{ }}, {% %}, {# #},
// whitespace control with - and +, raw blocks), with the statements
// Hugging Face's chat-template environment enables (loopcontrols' break
// and continue, generation blocks) and the expression grammar of
// jinja2.parser: conditional expressions, or/and/not, comparisons and
// tests, + - ~ * / // % **, filters, attribute/item/slice/call postfixes,
// and list/tuple/dict literals. Input is bounded (MaxSource) and nesting is
// bounded (MaxDepth), so parsing is linear in the size of the template.
//
// Chat templates are scanned by the thousand, so a Parser keeps its memory
// from one template to the next: nodes come from per-type chunks, child
// lists from shared chunks, tokens from one buffer, literals are typed
// fields rather than interfaces, and strings are sub-slices of the source
// unless an escape had to be decoded. A warm Parser allocates only for
// decoded strings.
package jinja

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits on hostile input.
const (
	MaxSource = 8 << 20 // bytes of template text
	MaxDepth  = 256     // nesting of expressions and blocks
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tData
	tVarBegin   // {{
	tVarEnd     // }}
	tBlockBegin // {%
	tBlockEnd   // %}
	tName
	tString
	tNumber
	tOp
)

// token is kept small (24 bytes): templates are dense in tokens.
type token struct {
	val  string // name, decoded string, number text, operator, data
	pos  int32  // byte offset; MaxSource fits
	kind tokKind
}

func (t *token) off() int { return int(t.pos) }

// Error is a syntax error at a byte offset of the template.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("jinja: offset %d: %s", e.Pos, e.Msg) }

// lex splits the source into tokens, appended to toks (a reused buffer).
// Data between tags is one token; comments are dropped; raw blocks become
// data.
func lex(src string, toks []token) ([]token, error) {
	if len(src) > MaxSource {
		return toks, &Error{0, fmt.Sprintf("template longer than %d bytes", MaxSource)}
	}
	if want := len(src)/6 + 16; cap(toks) < want {
		toks = make([]token, 0, want)
	}
	i := 0
	data := func(s string, pos int, lstripNext bool) {
		if lstripNext {
			n := len(s)
			for n > 0 && (s[n-1] == ' ' || s[n-1] == '\t' || s[n-1] == '\r' || s[n-1] == '\n') {
				n--
			}
			s = s[:n]
		}
		if s != "" {
			toks = append(toks, token{val: s, pos: int32(pos), kind: tData})
		}
	}
	for i < len(src) {
		j := strings.IndexByte(src[i:], '{')
		for j >= 0 && i+j+1 < len(src) && !opensTag(src[i+j+1]) {
			k := strings.IndexByte(src[i+j+1:], '{')
			if k < 0 {
				j = -1
				break
			}
			j += k + 1
		}
		if j < 0 || i+j+1 >= len(src) {
			data(src[i:], i, false)
			break
		}
		start := i + j
		trim := start+2 < len(src) && src[start+2] == '-'
		data(src[i:start], i, trim)
		switch src[start+1] {
		case '#':
			end := strings.Index(src[start+2:], "#}")
			if end < 0 {
				return toks, &Error{start, "unclosed comment"}
			}
			i = start + 2 + end + 2
			if src[start+2+end-1] == '-' && end > 0 {
				i = skipSpace(src, i)
			}
			continue
		case '{':
			toks = append(toks, token{val: "{{", pos: int32(start), kind: tVarBegin})
			p := start + 2
			if p < len(src) && (src[p] == '-' || src[p] == '+') {
				p++
			}
			n, err := lexExpr(src, p, "}}", &toks)
			if err != nil {
				return toks, err
			}
			toks = append(toks, token{val: "}}", pos: int32(n), kind: tVarEnd})
			i = n + 2
			if src[n-1] == '-' {
				i = skipSpace(src, i)
			}
		case '%':
			p := start + 2
			if p < len(src) && (src[p] == '-' || src[p] == '+') {
				p++
			}
			// raw blocks: everything up to {% endraw %} is data
			if q := skipSpace(src, p); strings.HasPrefix(src[q:], "raw") && q+3 <= len(src) && (q+3 == len(src) || !isIdent(src[q+3])) {
				close := strings.Index(src[q+3:], "%}")
				if close < 0 {
					return toks, &Error{start, "unclosed raw tag"}
				}
				body := q + 3 + close + 2
				end, endTag := findEndraw(src, body)
				if end < 0 {
					return toks, &Error{start, "raw block without endraw"}
				}
				toks = append(toks, token{val: src[body:end], pos: int32(body), kind: tData})
				i = endTag
				continue
			}
			toks = append(toks, token{val: "{%", pos: int32(start), kind: tBlockBegin})
			n, err := lexExpr(src, p, "%}", &toks)
			if err != nil {
				return toks, err
			}
			toks = append(toks, token{val: "%}", pos: int32(n), kind: tBlockEnd})
			i = n + 2
			if src[n-1] == '-' {
				i = skipSpace(src, i)
			}
		}
	}
	toks = append(toks, token{val: "", pos: int32(len(src)), kind: tEOF})
	return toks, nil
}

// findEndraw returns the start of the {% endraw %} tag after from and the
// offset just past it.
func findEndraw(src string, from int) (int, int) {
	for k := from; k < len(src); {
		j := strings.Index(src[k:], "{%")
		if j < 0 {
			return -1, -1
		}
		p := k + j + 2
		if p < len(src) && (src[p] == '-' || src[p] == '+') {
			p++
		}
		p = skipSpace(src, p)
		if strings.HasPrefix(src[p:], "endraw") {
			q := skipSpace(src, p+6)
			if q < len(src) && src[q] == '-' {
				q++
			}
			if strings.HasPrefix(src[q:], "%}") {
				return k + j, q + 2
			}
		}
		k = k + j + 2
	}
	return -1, -1
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isIdent(c byte) bool { return charClass[c]&cIdent != 0 }

func opensTag(c byte) bool { return c == '{' || c == '%' || c == '#' }

// Character classes of the expression lexer, one table lookup per byte.
const (
	cIdent = 1 << iota
	cOp
	cNumber // a byte that continues a number token (digits, _, e, x, o, b, hex)
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80 {
			t[c] |= cIdent
		}
		if b >= '0' && b <= '9' || b == '_' || b == 'e' || b == 'E' || b == 'x' || b == 'o' || b == 'b' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			t[c] |= cNumber
		}
	}
	for _, b := range []byte("+-*/%~=<>!.,:|()[]{}") {
		t[b] |= cOp
	}
	return t
}()

var ops2 = []string{"//", "**", "==", "!=", ">=", "<="}

// lexExpr tokenizes an expression region up to the closing delimiter
// (outside strings) and returns the offset of the delimiter, after an
// optional whitespace-control sign.
func lexExpr(src string, i int, end string, toks *[]token) (int, error) {
	depth := 0
	e0, e1 := end[0], end[1]
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case depth == 0 && c == e0 && i+1 < len(src) && src[i+1] == e1:
			return i, nil
		case (c == '-' || c == '+') && depth == 0 && i+2 < len(src) && src[i+1] == e0 && src[i+2] == e1:
			return i + 1, nil
		case c == '\'' || c == '"':
			s, n, err := lexString(src, i)
			if err != nil {
				return 0, err
			}
			*toks = append(*toks, token{val: s, pos: int32(i), kind: tString})
			i = n
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (charClass[src[j]]&cNumber != 0 || src[j] == '.' && j+1 < len(src) && src[j+1] >= '0' && src[j+1] <= '9') {
				j++
			}
			*toks = append(*toks, token{val: src[i:j], pos: int32(i), kind: tNumber})
			i = j
		case isIdent(c):
			// Every byte of a multi-byte UTF-8 character is >= 0x80, so an
			// identifier (letters beyond ASCII included) ends at the first
			// byte that is not an identifier byte.
			j := i + 1
			for j < len(src) && charClass[src[j]]&cIdent != 0 {
				j++
			}
			*toks = append(*toks, token{val: src[i:j], pos: int32(i), kind: tName})
			i = j
		default:
			op := src[i : i+1]
			if i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*' || src[i+1] == '=') {
				for _, o := range ops2 {
					if strings.HasPrefix(src[i:], o) {
						op = o
					}
				}
			}
			if charClass[c]&cOp == 0 {
				return 0, &Error{i, fmt.Sprintf("unexpected character %q", c)}
			}
			switch c {
			case '(', '[', '{':
				depth++
				if depth > MaxDepth {
					return 0, &Error{i, "brackets nested too deep"}
				}
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			*toks = append(*toks, token{val: op, pos: int32(i), kind: tOp})
			i += len(op)
		}
	}
	return 0, &Error{i, "unclosed " + map[string]string{"}}": "{{", "%}": "{%"}[end]}
}

// lexString decodes a Python string literal starting at src[i].
func lexString(src string, i int) (string, int, error) {
	q := src[i]
	// most literals have no escapes: the text is the source itself
	for j := i + 1; j < len(src) && src[j] != '\\'; j++ {
		if src[j] == q {
			return src[i+1 : j], j + 1, nil
		}
	}
	// The decoded text is no longer than the literal: size it once.
	end := i + 1
	for end < len(src) && src[end] != q {
		if src[end] == '\\' {
			end++
		}
		end++
	}
	var sb strings.Builder
	sb.Grow(min(end, len(src)) - i)
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == q:
			return sb.String(), j + 1, nil
		case c == '\\' && j+1 < len(src):
			j++
			switch e := src[j]; e {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				k := j
				for k < len(src) && k < j+3 && src[k] >= '0' && src[k] <= '7' {
					k++
				}
				v, _ := strconv.ParseUint(src[j:k], 8, 16)
				sb.WriteRune(rune(v))
				j = k - 1
			case 'x', 'u', 'U':
				w := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if j+1+w <= len(src) {
					if v, err := strconv.ParseUint(src[j+1:j+1+w], 16, 32); err == nil {
						sb.WriteRune(rune(v))
						j += w
						continue
					}
				}
				sb.WriteByte('\\')
				sb.WriteByte(e)
			case 'N':
				// \N{NAME}: the name table is not carried; keep the escape.
				sb.WriteString("\\N")
			case '\n':
			default:
				if e != '\\' && e != '\'' && e != '"' {
					sb.WriteByte('\\')
				}
				sb.WriteByte(e)
			}
		default:
			// copy the run up to the next quote or escape at once
			k := j + 1
			for k < len(src) && src[k] != q && src[k] != '\\' {
				k++
			}
			sb.WriteString(src[j:k])
			j = k - 1
		}
	}
	return "", 0, &Error{i, "unterminated string"}
}
