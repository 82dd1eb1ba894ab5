package jinja

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseConstructs(t *testing.T) {
	ok := []string{
		"plain text",
		"{{ a.b['c'][0] | upper | replace('x', 'y') }}",
		"{%- for m in messages if m.role != 'system' recursive -%}{{ loop.index }}{% else %}none{% endfor %}",
		"{% if a %}1{% elif b %}2{% elif c %}3{% else %}4{% endif %}",
		"{% set ns = namespace(a=1, b='x') %}{% set ns.a = ns.a + 1 %}{% set x, y = 1, 2 %}",
		"{% set block %}text{% endset %}{% set f | upper %}t{% endset %}",
		"{% macro m(a, b=2) %}{{ a ~ b }}{% endmacro %}{{ m(1, b=3) }}",
		"{% call(x) m(1) %}{{ x }}{% endcall %}",
		"{% filter upper | trim %}x{% endfilter %}{% with a = 1, b = 2 %}{{ a }}{% endwith %}",
		"{{ x if y else z }}{{ x if y }}{{ not a and b or c }}{{ a is not defined }}{{ a is divisibleby 3 }}{{ a is sameas(b) }}",
		"{{ -a ** 2 // 3 % 4 }}{{ a[1:2] }}{{ a[::-1] }}{{ a[:] }}{{ 'a' 'b' }}{{ {'k': [1, (2,), ()]} }}",
		"{{ f(*args, **kw) }}{{ x|attr('y')() }}{{ a not in b }}{{ 1_000 }}{{ 1.5e3 }}",
		"{# comment {{ not code }} #}{% raw %}{{ not code }}{% endraw %}{%- raw -%} x {%- endraw -%}",
		"{% generation %}{{ content }}{% endgeneration %}{% for x in y %}{% break %}{% continue %}{% endfor %}",
		"{% include 'a' ignore missing with context %}{% import 'm' as m %}{% from 'f' import a, b %}{% do l.append(1) %}",
		"{{ '\\x5f\\u005f\\n' }}{{ \"it's\" }}",
	}
	for _, src := range ok {
		if _, err := Parse(src); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
	bad := []string{"{{ a ", "{% if a %}", "{% for %}", "{{ a b }}", "{% endfor %}", "{% frobnicate %}", "{# x", "{{ 'x }}", "{% raw %}x", "{{ ) }}"}
	for _, src := range bad {
		if _, err := Parse(src); err == nil {
			t.Errorf("%q: want an error", src)
		}
	}
}

func TestParseBounded(t *testing.T) {
	deep := strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000)
	if _, err := Parse("{{ " + deep + " }}"); err == nil {
		t.Error("deep nesting accepted")
	}
	blocks := strings.Repeat("{% if a %}", 5000) + strings.Repeat("{% endif %}", 5000)
	if _, err := Parse(blocks); err == nil {
		t.Error("deep blocks accepted")
	}
	if _, err := Parse(strings.Repeat("x", MaxSource+1)); err == nil {
		t.Error("oversized source accepted")
	}
}

func TestStringEscapes(t *testing.T) {
	body, err := Parse(`{{ '\x5f\x5fclass\u005f\u005f' }}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := body[0].(*Output).X.(*Const).Str; got != "__class__" {
		t.Fatalf("got %q", got)
	}
}

// Every real chat template of the labelled sample set parses.
func TestParseRealTemplates(t *testing.T) {
	root := filepath.Join("..", "..", "..", "bench", "modelscan", "samples")
	n := 0
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var tpls []string
		switch filepath.Ext(p) {
		case ".jinja", ".j2", ".jinja2", ".template":
			tpls = []string{string(b)}
		case ".json":
			var m map[string]json.RawMessage
			if json.Unmarshal(b, &m) != nil {
				return nil
			}
			var s string
			var named []struct{ Template string }
			if json.Unmarshal(m["chat_template"], &s) == nil {
				tpls = []string{s}
			} else if json.Unmarshal(m["chat_template"], &named) == nil {
				for _, x := range named {
					tpls = append(tpls, x.Template)
				}
			}
		}
		for _, s := range tpls {
			n++
			if _, err := Parse(s); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 60 {
		t.Fatalf("only %d templates found under %s", n, root)
	}
}

// A Parser reused across templates builds the same trees as fresh parses,
// also after a template that failed, and a warm one does not allocate.
func TestParserReuse(t *testing.T) {
	srcs := []string{
		"{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] }}{% endfor %}",
		"{{ a ",
		"{% macro m(a, b=2) %}{{ a ~ b }}{% endmacro %}{{ m(1, b=3) }}{% set x, y = [1, 2], {'k': (3,)} %}",
		"{% if a %}1{% elif b %}2{% else %}{{ x[1:2] | join(', ') is string }}{% endif %}",
		"{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] }}{% endfor %}",
	}
	var p Parser
	for i, src := range srcs {
		want, werr := Parse(src)
		got, gerr := p.Parse(src)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("template %d: reused parser gave %v (%v), fresh parse %v (%v)", i, got, gerr, want, werr)
		}
	}
	chatML := "{% for m in messages %}{{ '<|im_start|>' + m['role'] }}{% if m.content is string %}{{ m.content }}{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant{% endif %}"
	p.Parse(chatML)
	if n := testing.AllocsPerRun(20, func() { p.Parse(chatML) }); n != 0 {
		t.Errorf("a warm parser allocated %v times per template", n)
	}
}

// BenchmarkParse parses the real chat templates of the sample set with one
// warm Parser.
func BenchmarkParse(b *testing.B) {
	var tpls []string
	filepath.Walk(filepath.Join("..", "..", "..", "bench", "modelscan", "samples", "public"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.HasSuffix(p, ".jinja") {
			if data, err := os.ReadFile(p); err == nil {
				tpls = append(tpls, string(data))
			}
		}
		return nil
	})
	if len(tpls) == 0 {
		b.Skip("no templates under bench/modelscan/samples/public")
	}
	n := 0
	for _, s := range tpls {
		n += len(s)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	var p Parser
	for i := 0; i < b.N; i++ {
		for _, s := range tpls {
			if _, err := p.Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
