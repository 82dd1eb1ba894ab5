// Package tree reads JSON, YAML, TOML, front matter and the literals of
// code into one small tree with line numbers, so that the same patterns
// (package objects) recognise assets wherever they are written.
package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Node is a literal value with line numbers, from JSON, YAML, TOML or a
// dict/list literal in code: enough structure to recognise tool schemas,
// MCP server maps and model keys wherever they are written.
type Node struct {
	Kind     Kind
	Text     string // string value, identifier name, or scalar text
	Line     int
	Keys     []string // dict keys, in order
	KeyLines []int
	Vals     []*Node // dict values or list items
	// Ref locates an identifier in code so it can be resolved later.
	Ref int
}

// Kind is the shape of a Node.
type Kind uint8

const (
	Other Kind = iota
	String
	Dict
	List
	Ident // a name in code (a constant or a function)
	Call  // a call in code; s is the callee
)

// Get returns the value of key in a dict, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Dict {
		return nil
	}
	for i, k := range n.Keys {
		if k == key {
			return n.Vals[i]
		}
	}
	return nil
}

// Str returns the string value of key in a dict, or "".
func (n *Node) Str(key string) string {
	if v := n.Get(key); v != nil && v.Kind == String {
		return v.Text
	}
	return ""
}

// ParseJSON decodes JSON keeping the line of every value. JSON strings
// cannot hold raw newlines, so a value's line is that of its end offset.
func ParseJSON(data []byte) (*Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := newLineIndex(data)
	var parse func(depth int) (*Node, error)
	parse = func(depth int) (*Node, error) {
		if depth > 200 {
			return nil, errors.New("nesting too deep")
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		line := lines.line(int(dec.InputOffset()))
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &Node{Kind: Dict, Line: line}
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return nil, err
					}
					k, _ := kt.(string)
					kl := lines.line(int(dec.InputOffset()))
					v, err := parse(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Keys = append(n.Keys, k)
					n.KeyLines = append(n.KeyLines, kl)
					n.Vals = append(n.Vals, v)
				}
				_, err := dec.Token()
				return n, err
			case '[':
				n := &Node{Kind: List, Line: line}
				for dec.More() {
					v, err := parse(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Vals = append(n.Vals, v)
				}
				_, err := dec.Token()
				return n, err
			}
			return nil, fmt.Errorf("unexpected %v", t)
		case string:
			return &Node{Kind: String, Text: t, Line: line}, nil
		default:
			return &Node{Kind: Other, Text: fmt.Sprint(t), Line: line}, nil
		}
	}
	n, err := parse(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return n, errors.New("trailing data after JSON value")
	}
	return n, nil
}

// lineIndex maps byte offsets to 1-based lines.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) line(off int) int {
	lo, hi := 0, len(li)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if li[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// FromYAML converts a yaml.v3 node into a node tree; aliases are not
// expanded (a billion-laughs document stays small).
func FromYAML(y *yaml.Node, depth int) *Node {
	if y == nil || depth > 100 {
		return nil
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil
		}
		return FromYAML(y.Content[0], depth+1)
	case yaml.MappingNode:
		n := &Node{Kind: Dict, Line: y.Line}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			n.Keys = append(n.Keys, k.Value)
			n.KeyLines = append(n.KeyLines, k.Line)
			c := FromYAML(v, depth+1)
			if c == nil {
				c = &Node{Kind: Other, Line: v.Line}
			}
			n.Vals = append(n.Vals, c)
		}
		return n
	case yaml.SequenceNode:
		n := &Node{Kind: List, Line: y.Line}
		for _, v := range y.Content {
			if c := FromYAML(v, depth+1); c != nil {
				n.Vals = append(n.Vals, c)
			}
		}
		return n
	case yaml.ScalarNode:
		if y.Tag == "!!str" || y.Tag == "" {
			return &Node{Kind: String, Text: y.Value, Line: y.Line}
		}
		return &Node{Kind: Other, Text: y.Value, Line: y.Line}
	}
	return &Node{Kind: Other, Line: y.Line}
}

// ParseYAML parses every document of a YAML stream.
func ParseYAML(data []byte) ([]*Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Node
	for i := 0; i < 64; i++ {
		var y yaml.Node
		err := dec.Decode(&y)
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		if n := FromYAML(&y, 0); n != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// ParseTOML reads the subset of TOML that configs use: tables, dotted
// keys, strings, inline tables and (multi-line) arrays of strings. It is
// lenient: lines it does not understand are skipped. Its work is linear in
// the input: keys are found through an index, a multi-line array is
// gathered with a running bracket count, and nesting deeper than
// maxTOMLDepth is kept as one opaque value.
func ParseTOML(data []byte) *Node {
	root := &Node{Kind: Dict, Line: 1}
	tb := tomlTables{}
	cur := root
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		ln := i + 1
		l := strings.TrimSpace(stripTOMLComment(lines[i]))
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "[") {
			name := strings.Trim(l, "[] ")
			arr := strings.HasPrefix(l, "[[")
			cur = root
			parts := splitTOMLKey(name)
			for j, p := range parts {
				next := tb.get(cur, p)
				if j == len(parts)-1 && arr {
					if next == nil {
						next = &Node{Kind: List, Line: ln}
						tb.add(cur, p, ln, next)
					}
					item := &Node{Kind: Dict, Line: ln}
					next.Vals = append(next.Vals, item)
					cur = item
					break
				}
				if next == nil || next.Kind != Dict {
					next = &Node{Kind: Dict, Line: ln}
					tb.add(cur, p, ln, next)
				}
				cur = next
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		// Gather a multi-line array.
		if strings.HasPrefix(v, "[") {
			if open := strings.Count(v, "[") - strings.Count(v, "]"); open > 0 && i+1 < len(lines) {
				var b strings.Builder
				b.WriteString(v)
				for i+1 < len(lines) && open > 0 {
					i++
					more := stripTOMLComment(lines[i])
					open += strings.Count(more, "[") - strings.Count(more, "]")
					b.WriteByte('\n')
					b.WriteString(more)
				}
				v = b.String()
			}
		}
		parts := splitTOMLKey(strings.TrimSpace(k))
		t := cur
		for _, p := range parts[:len(parts)-1] {
			next := tb.get(t, p)
			if next == nil || next.Kind != Dict {
				next = &Node{Kind: Dict, Line: ln}
				tb.add(t, p, ln, next)
			}
			t = next
		}
		tb.add(t, parts[len(parts)-1], ln, tomlValue(v, ln, 0))
	}
	return root
}

// tomlTables indexes the keys of the tables ParseTOML builds, so that a
// file of many tables or dotted keys is not quadratic. Like Node.Get, a
// key names its first occurrence.
type tomlTables map[*Node]map[string]int

func (tb tomlTables) get(n *Node, key string) *Node {
	if i, ok := tb[n][key]; ok {
		return n.Vals[i]
	}
	return nil
}

func (tb tomlTables) add(n *Node, key string, line int, v *Node) {
	m := tb[n]
	if m == nil {
		m = map[string]int{}
		tb[n] = m
	}
	if _, dup := m[key]; !dup {
		m[key] = len(n.Vals)
	}
	n.Keys, n.KeyLines, n.Vals = append(n.Keys, key), append(n.KeyLines, line), append(n.Vals, v)
}

func stripTOMLComment(l string) string {
	inStr := byte(0)
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case inStr != 0 && c == '\\' && inStr == '"':
			i++
		case inStr != 0 && c == inStr:
			inStr = 0
		case inStr == 0 && (c == '"' || c == '\''):
			inStr = c
		case inStr == 0 && c == '#':
			return l[:i]
		}
	}
	return l
}

func splitTOMLKey(k string) []string {
	var parts []string
	for _, p := range strings.Split(k, ".") {
		parts = append(parts, strings.Trim(strings.TrimSpace(p), `"'`))
	}
	return parts
}

// maxTOMLDepth bounds the nesting of arrays and inline tables that
// tomlValue reads; configs nest a few levels, and each level costs a pass
// over the value.
const maxTOMLDepth = 32

func tomlValue(v string, line, depth int) *Node {
	v = strings.TrimSpace(v)
	if depth > maxTOMLDepth {
		return &Node{Kind: Other, Line: line}
	}
	switch {
	case strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, `'''`):
		return &Node{Kind: String, Text: strings.Trim(v, `"'`), Line: line}
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`):
		q := v[0]
		if j := strings.IndexByte(v[1:], q); j >= 0 {
			return &Node{Kind: String, Text: v[1 : j+1], Line: line}
		}
		return &Node{Kind: String, Text: v[1:], Line: line}
	case strings.HasPrefix(v, "["):
		n := &Node{Kind: List, Line: line}
		body := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
		l := line
		for _, seg := range strings.Split(body, "\n") {
			for _, item := range splitTOMLArray(seg) {
				n.Vals = append(n.Vals, tomlValue(item, l, depth+1))
			}
			l++
		}
		return n
	case strings.HasPrefix(v, "{"):
		n := &Node{Kind: Dict, Line: line}
		body := strings.TrimSuffix(strings.TrimPrefix(v, "{"), "}")
		for _, item := range splitTOMLArray(body) {
			if k, val, ok := strings.Cut(item, "="); ok {
				n.Keys = append(n.Keys, strings.Trim(strings.TrimSpace(k), `"'`))
				n.KeyLines = append(n.KeyLines, line)
				n.Vals = append(n.Vals, tomlValue(val, line, depth+1))
			}
		}
		return n
	}
	return &Node{Kind: Other, Text: v, Line: line}
}

// splitTOMLArray splits on commas outside strings and brackets.
func splitTOMLArray(s string) []string {
	var out []string
	depth, start := 0, 0
	inStr := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' && inStr == '"' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			if t := strings.TrimSpace(s[start:i]); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// StripJSONComments blanks // and /* */ comments outside strings, keeping
// newlines so lines stay true.
func StripJSONComments(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	inStr := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && c == '/' && i+1 < len(out) && out[i+1] == '/':
			for i < len(out) && out[i] != '\n' {
				out[i] = ' '
				i++
			}
		case !inStr && c == '/' && i+1 < len(out) && out[i+1] == '*':
			for i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/') {
				if out[i] != '\n' {
					out[i] = ' '
				}
				i++
			}
			if i+1 < len(out) {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		}
	}
	return out
}
