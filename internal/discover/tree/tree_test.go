package tree

import (
	"strings"
	"testing"
)

func TestParseTOML(t *testing.T) {
	root := ParseTOML([]byte(`# comment
name = "svc" # trailing
[tool.poetry.dependencies]
torch = "2.1.0"
llm.model = 'org/m'
[[servers]]
url = "http://a"
[[servers]]
url = "http://b"
deps = [
  "a",  # one
  "b",
]
nested = [[["x"]]]
inline = {model = "org/i", n = 1}
`))
	if got := root.Str("name"); got != "svc" {
		t.Errorf("name = %q", got)
	}
	deps := root.Get("tool").Get("poetry").Get("dependencies")
	if deps.Str("torch") != "2.1.0" || deps.Get("llm").Str("model") != "org/m" {
		t.Errorf("dependencies = %+v", deps)
	}
	servers := root.Get("servers")
	if servers == nil || servers.Kind != List || len(servers.Vals) != 2 || servers.Vals[1].Str("url") != "http://b" {
		t.Fatalf("servers = %+v", servers)
	}
	last := servers.Vals[1]
	if d := last.Get("deps"); d == nil || len(d.Vals) != 2 || d.Vals[1].Text != "b" || d.Vals[1].Line != 12 {
		t.Errorf("deps = %+v", d)
	}
	if n := last.Get("nested"); n == nil || n.Kind != List || n.Vals[0].Vals[0].Vals[0].Text != "x" {
		t.Errorf("nested = %+v", n)
	}
	if last.Get("inline").Str("model") != "org/i" {
		t.Errorf("inline = %+v", last.Get("inline"))
	}
}

// Nesting past maxTOMLDepth is one opaque value, whatever its length.
func TestParseTOMLDeepNesting(t *testing.T) {
	for _, in := range []string{"a = " + strings.Repeat("[", 100000) + "\nb = 1\n",
		"a = " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\nb = 1\n"} {
		root := ParseTOML([]byte(in))
		depth := 0
		for n := root.Get("a"); n != nil && n.Kind == List && len(n.Vals) > 0; n = n.Vals[0] {
			depth++
		}
		if depth > maxTOMLDepth+1 {
			t.Errorf("depth %d, want at most %d", depth, maxTOMLDepth+1)
		}
	}
}

// checkTree holds for every tree the parsers build: dict keys and their
// lines pair up, and every key has a value.
func checkTree(t *testing.T, n *Node, depth int) {
	if n == nil || depth > 1000 {
		return
	}
	if len(n.Keys) != len(n.KeyLines) || len(n.Vals) < len(n.Keys) {
		t.Fatalf("node with %d keys, %d key lines, %d values", len(n.Keys), len(n.KeyLines), len(n.Vals))
	}
	for _, v := range n.Vals {
		if v == nil {
			t.Fatal("nil value")
		}
		checkTree(t, v, depth+1)
	}
}

func FuzzParseTOML(f *testing.F) {
	f.Add([]byte("a = 1\n[t]\nb.c = \"x\"\n[[arr]]\nd = [\n\"y\",\n]\ne = {f = 'g'}\n"))
	f.Add([]byte("a = [[[[[\n"))
	f.Add([]byte("[a.b.c]\n[a]\n[[a.b]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTree(t, ParseTOML(data), 0)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, "b", {"c": null}], "d": {"e": "f"}}`))
	f.Add([]byte(strings.Repeat("[", 300)))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseJSON(data)
		if err == nil {
			checkTree(t, n, 0)
		}
		checkTree(t, nil, 0)
		_ = StripJSONComments(data)
	})
}

func FuzzSplitFrontMatter(f *testing.F) {
	f.Add([]byte("---\nlicense: mit\n---\n# Title\n"))
	f.Add([]byte("---\r\nx: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm, _, body, _, ok := SplitFrontMatter(data)
		if ok && len(fm)+len(body) > len(data) {
			t.Fatalf("front matter %d + body %d bytes from %d", len(fm), len(body), len(data))
		}
	})
}
