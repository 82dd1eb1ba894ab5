package discover

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// stallInput is a file shaped to make a careless parser super-linear: the
// same construct repeated n times (unclosed or deeply nested brackets,
// long chains). want, when set, is a sighting the file still holds, so a
// parser that gives up early does not pass for a fast one.
type stallInput struct {
	name string
	path string
	gen  func(n int) string // about n bytes of content
	want string
}

func rep(s string, n int) string { return strings.Repeat(s, max(n, 1)) }

var stallInputs = []stallInput{
	// TOML: the input, then nesting that closes, a multi-line
	// array and many tables.
	{"toml/open-brackets", "a.toml", func(n int) string { return "a = " + rep("[", n) + "\n" }, ""},
	{"toml/nested-brackets", "b.toml", func(n int) string {
		return "a = " + rep("[", n/2) + rep("]", n/2) + "\nmodel = \"org/toml-model\"\n"
	}, "org/toml-model"},
	{"toml/long-array", "c.toml", func(n int) string { return "a = [\n" + rep("\"x\",\n", n/5) + "]\nmodel = \"org/toml-array\"\n" }, "org/toml-array"},
	{"toml/many-tables", "d.toml", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "[t%d]\nk%d.v = 1\n", i, i)
		}
		return b.String() + "[x]\nmodel = \"org/toml-tables\"\n"
	}, "org/toml-tables"},
	// Python.
	{"python/nested-parens", "p1.py", func(n int) string {
		return "x = " + rep("(", n/2) + "'org/py-parens'" + rep(")", n/2) + "\nAutoModel.from_pretrained(x)\n"
	}, "org/py-parens"},
	{"python/open-from-pretrained", "p2.py", func(n int) string { return rep("from_pretrained(", n/16) }, ""},
	{"python/closed-from-pretrained", "p2b.py", func(n int) string {
		return rep("from_pretrained('org/py-many')\n", n/31)
	}, "org/py-many"},
	{"python/nested-calls", "p3.py", func(n int) string {
		return "from_pretrained(" + rep("f(", n/4) + "'x'" + rep(")", n/4) + ")\nfrom_pretrained('org/py-calls')\n"
	}, "org/py-calls"},
	{"python/open-lists", "p4.py", func(n int) string { return "x = " + rep("[", n) }, ""},
	{"python/nested-dicts", "p5.py", func(n int) string {
		return "x = " + rep("{'a':", n/5) + "1" + rep("}", n/5) + "\ncfg = {'model': 'org/py-dict'}\n"
	}, "org/py-dict"},
	{"python/dotted-chain", "p6.py", func(n int) string { return "x = a" + rep(".a", n/2) + "\nfrom_pretrained('org/py-dots')\n" }, "org/py-dots"},
	{"python/adjacent-strings", "p7.py", func(n int) string { return "x = ['a' " + rep("'a' ", n/4) + "]\nfrom_pretrained('org/py-adj')\n" }, "org/py-adj"},
	{"python/constant-fanout", "p8.py", func(n int) string {
		// Each constant joins the previous one twelve times: evaluated
		// naively, resolving the last one visits 12^10 names.
		var b strings.Builder
		b.WriteString("a0 = 'x'\n")
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(&b, "a%d = a%d%s\n", i, i-1, rep(fmt.Sprintf(" / a%d", i-1), 11))
		}
		b.WriteString("from_pretrained(a10)\nfrom_pretrained('org/py-fanout')\n")
		return b.String() + rep("#", n-b.Len())
	}, "org/py-fanout"},
	{"python/fstring-fanout", "p9.py", func(n int) string {
		var b strings.Builder
		b.WriteString("a0 = 'x'\n")
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(&b, "a%d = f'%s'\n", i, rep(fmt.Sprintf("{a%d}", i-1), 12))
		}
		b.WriteString("from_pretrained(a10)\nfrom_pretrained('org/py-ffan')\n")
		return b.String() + rep("#", n-b.Len())
	}, "org/py-ffan"},
	{"python/many-subscripts", "p10.py", func(n int) string {
		return "M = [" + rep("'a', ", n/10) + "]\n" + rep("from_pretrained(M[0])\n", n/40) + "from_pretrained('org/py-sub')\n"
	}, "org/py-sub"},
	{"notebook/split-source", "n.ipynb", func(n int) string {
		return `{"cells":[{"cell_type":"code","source":["from_pretrained('org/nb-split')\n",` + rep(`"x",`, n/4) + `"x"]}]}`
	}, "org/nb-split"},
	// JavaScript, Go, Rust.
	{"js/open-objects", "j.js", func(n int) string { return "x = " + rep("{", n) }, ""},
	{"js/nested-objects", "j2.js", func(n int) string {
		return "x = " + rep("{a:", n/3) + "1" + rep("}", n/3) + "\nconst c = {model: 'org/js-objs'}\n"
	}, "org/js-objs"},
	{"js/open-calls", "j3.js", func(n int) string { return "x = [" + rep("f(", n/2) }, ""},
	{"go/const-blocks", "g.go", func(n int) string {
		var b strings.Builder
		b.WriteString("package sdk\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "const (\n\tC%d = \"c%d\"\n)\n", i, i)
		}
		return b.String()
	}, ""},
	{"rust/raw-strings", "r.rs", func(n int) string {
		return "const MODEL: &str = \"org/rust-raw\";\n" + rep("let a = r\"x\";\n", n/14)
	}, "org/rust-raw"},
	// Shell continuations.
	{"shell/continuations", "s.sh", func(n int) string {
		return rep("echo a \\\n", n/9) + "\nollama pull llama3:8b\n"
	}, "llama3:8b"},
	{"python/open-tools-append", "p12.py", func(n int) string {
		return "def f(): pass\n" + rep("a.tools.append(f, ", n/18)
	}, ""},
	{"python/return-adjacent-strings", "p13.py", func(n int) string {
		return "def system_prompt():\n    return 'You are a helpful assistant. ' " + rep("'Answer briefly. ' ", n/19) + "\n"
	}, ""},
	{"python/star-prompts", "p14.py", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n/2; i++ {
			fmt.Fprintf(&b, "from m%d import *\n", i)
		}
		b.WriteString("Agent(instructions=" + strings.Repeat("A + ", n/8) + "A)\n")
		return b.String()
	}, ""},
	{"yaml/open-flow", "y.yaml", func(n int) string { return "a: " + rep("[", n) + "\n" }, ""},
}

// TestParsersLinear runs every stall input at 1 MiB. A parser quadratic in
// its input needs hours for these; linear ones take well under a second.
// The deadline only turns a hang into a failure: it is ten times more
// than needed on a loaded machine, and no timing is asserted below it. The
// per-file time budget is set above the deadline, so a parser cannot pass
// by being cut short.
func TestParsersLinear(t *testing.T) {
	const size = 1 << 20
	for _, in := range stallInputs {
		t.Run(in.name, func(t *testing.T) {
			data := in.gen(size)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := Discover(ctx, fstest.MapFS{in.path: {Data: []byte(data)}}, Options{Workers: 1, SkipHash: true,
				FileTimeBudget: time.Hour, MaxLineLength: 2 * size})
			if err != nil {
				t.Fatalf("%d bytes: %v (a super-linear parser?)", len(data), err)
			}
			for _, s := range res.Skipped {
				t.Errorf("skipped %s: %s", s.Path, s.Reason)
			}
			if in.want == "" {
				return
			}
			for _, s := range res.Sightings {
				if s.Name == in.want {
					return
				}
			}
			t.Errorf("%s not found in %d bytes; sightings %v", in.want, len(data), res.Sightings)
		})
	}
}

// BenchmarkStallInputs reports ns/byte for each stall input at n and 8n
// bytes: linear parsers show the same figure for both sizes.
func BenchmarkStallInputs(b *testing.B) {
	for _, in := range stallInputs {
		for _, size := range []int{16 << 10, 128 << 10} {
			data := []byte(in.gen(size))
			fsys := fstest.MapFS{in.path: {Data: data}}
			b.Run(fmt.Sprintf("%s/%dKiB", in.name, size>>10), func(b *testing.B) {
				for b.Loop() {
					if _, err := Discover(context.Background(), fsys, Options{Workers: 1, SkipHash: true,
						FileTimeBudget: time.Hour, MaxLineLength: 1 << 30}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(data)), "ns/byte")
			})
		}
	}
}
