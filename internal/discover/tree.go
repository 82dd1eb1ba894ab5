package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// node is a literal value with line numbers, from JSON, YAML, TOML or a
// dict/list literal in code: enough structure to recognise tool schemas,
// MCP server maps and model keys wherever they are written.
type node struct {
	kind     nodeKind
	s        string // string value, identifier name, or scalar text
	line     int
	keys     []string // dict keys, in order
	keyLines []int
	vals     []*node // dict values or list items
	// ref locates an identifier in code so it can be resolved later.
	ref int
}

type nodeKind uint8

const (
	nOther nodeKind = iota
	nStr
	nDict
	nList
	nIdent // a name in code (a constant or a function)
	nCall  // a call in code; s is the callee
)

func (n *node) get(key string) *node {
	if n == nil || n.kind != nDict {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) str(key string) string {
	if v := n.get(key); v != nil && v.kind == nStr {
		return v.s
	}
	return ""
}

// parseJSONTree decodes JSON keeping the line of every value. JSON strings
// cannot hold raw newlines, so a value's line is that of its end offset.
func parseJSONTree(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := newLineIndex(data)
	var parse func(depth int) (*node, error)
	parse = func(depth int) (*node, error) {
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
				n := &node{kind: nDict, line: line}
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
					n.keys = append(n.keys, k)
					n.keyLines = append(n.keyLines, kl)
					n.vals = append(n.vals, v)
				}
				_, err := dec.Token()
				return n, err
			case '[':
				n := &node{kind: nList, line: line}
				for dec.More() {
					v, err := parse(depth + 1)
					if err != nil {
						return nil, err
					}
					n.vals = append(n.vals, v)
				}
				_, err := dec.Token()
				return n, err
			}
			return nil, fmt.Errorf("unexpected %v", t)
		case string:
			return &node{kind: nStr, s: t, line: line}, nil
		default:
			return &node{kind: nOther, s: fmt.Sprint(t), line: line}, nil
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

// yamlTree converts a yaml.v3 node into a node tree; aliases are not
// expanded (a billion-laughs document stays small).
func yamlTree(y *yaml.Node, depth int) *node {
	if y == nil || depth > 100 {
		return nil
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil
		}
		return yamlTree(y.Content[0], depth+1)
	case yaml.MappingNode:
		n := &node{kind: nDict, line: y.Line}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			n.keys = append(n.keys, k.Value)
			n.keyLines = append(n.keyLines, k.Line)
			c := yamlTree(v, depth+1)
			if c == nil {
				c = &node{kind: nOther, line: v.Line}
			}
			n.vals = append(n.vals, c)
		}
		return n
	case yaml.SequenceNode:
		n := &node{kind: nList, line: y.Line}
		for _, v := range y.Content {
			if c := yamlTree(v, depth+1); c != nil {
				n.vals = append(n.vals, c)
			}
		}
		return n
	case yaml.ScalarNode:
		if y.Tag == "!!str" || y.Tag == "" {
			return &node{kind: nStr, s: y.Value, line: y.Line}
		}
		return &node{kind: nOther, s: y.Value, line: y.Line}
	}
	return &node{kind: nOther, line: y.Line}
}

// parseYAMLDocs parses every document of a YAML stream.
func parseYAMLDocs(data []byte) ([]*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*node
	for i := 0; i < 64; i++ {
		var y yaml.Node
		err := dec.Decode(&y)
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		if n := yamlTree(&y, 0); n != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// parseTOMLTree reads the subset of TOML that configs use: tables, dotted
// keys, strings, inline tables and (multi-line) arrays of strings. It is
// lenient: lines it does not understand are skipped.
func parseTOMLTree(data []byte) *node {
	root := &node{kind: nDict, line: 1}
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
				next := cur.get(p)
				if j == len(parts)-1 && arr {
					if next == nil {
						next = &node{kind: nList, line: ln}
						cur.keys, cur.keyLines, cur.vals = append(cur.keys, p), append(cur.keyLines, ln), append(cur.vals, next)
					}
					item := &node{kind: nDict, line: ln}
					next.vals = append(next.vals, item)
					cur = item
					break
				}
				if next == nil || next.kind != nDict {
					next = &node{kind: nDict, line: ln}
					cur.keys, cur.keyLines, cur.vals = append(cur.keys, p), append(cur.keyLines, ln), append(cur.vals, next)
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
		if strings.HasPrefix(v, "[") && strings.Count(v, "[") > strings.Count(v, "]") {
			for i+1 < len(lines) && strings.Count(v, "[") > strings.Count(v, "]") {
				i++
				v += "\n" + stripTOMLComment(lines[i])
			}
		}
		parts := splitTOMLKey(strings.TrimSpace(k))
		t := cur
		for _, p := range parts[:len(parts)-1] {
			next := t.get(p)
			if next == nil || next.kind != nDict {
				next = &node{kind: nDict, line: ln}
				t.keys, t.keyLines, t.vals = append(t.keys, p), append(t.keyLines, ln), append(t.vals, next)
			}
			t = next
		}
		t.keys = append(t.keys, parts[len(parts)-1])
		t.keyLines = append(t.keyLines, ln)
		t.vals = append(t.vals, tomlValue(v, ln))
	}
	return root
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

func tomlValue(v string, line int) *node {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, `'''`):
		return &node{kind: nStr, s: strings.Trim(v, `"'`), line: line}
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`):
		q := v[0]
		if j := strings.IndexByte(v[1:], q); j >= 0 {
			return &node{kind: nStr, s: v[1 : j+1], line: line}
		}
		return &node{kind: nStr, s: v[1:], line: line}
	case strings.HasPrefix(v, "["):
		n := &node{kind: nList, line: line}
		body := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
		l := line
		for _, seg := range strings.Split(body, "\n") {
			for _, item := range splitTOMLArray(seg) {
				n.vals = append(n.vals, tomlValue(item, l))
			}
			l++
		}
		return n
	case strings.HasPrefix(v, "{"):
		n := &node{kind: nDict, line: line}
		body := strings.TrimSuffix(strings.TrimPrefix(v, "{"), "}")
		for _, item := range splitTOMLArray(body) {
			if k, val, ok := strings.Cut(item, "="); ok {
				n.keys = append(n.keys, strings.Trim(strings.TrimSpace(k), `"'`))
				n.keyLines = append(n.keyLines, line)
				n.vals = append(n.vals, tomlValue(val, line))
			}
		}
		return n
	}
	return &node{kind: nOther, s: v, line: line}
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
