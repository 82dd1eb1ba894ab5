package discover

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mlbom/autopilot/internal/discover/config"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/golang"
	"github.com/mlbom/autopilot/internal/discover/javascript"
	"github.com/mlbom/autopilot/internal/discover/python"
	"github.com/mlbom/autopilot/internal/discover/rust"
	"github.com/mlbom/autopilot/internal/discover/shell"
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
	{"rust/open-impl-generics", "r2.rs", func(n int) string {
		return "use rmcp;\n" + rep("#[tool_router(server_handler)]\nimpl<<<<<<<<<< ", n/40) + "\nconst MODEL: &str = \"org/rust-impl\";\n"
	}, "org/rust-impl"},
	{"python/hubconf", "hubconf.py", func(n int) string {
		return rep("def e():\n    u = 'https://example.com/w.safetensors'\n", n/56)
	}, ""},
	{"python/many-choices", "p11.py", func(n int) string {
		return "assert m in {'org/a', 'org/b'}\n" + rep("from_pretrained(m)\n", n/19)
	}, "org/a"},
	{"prompt/alias-bomb", "a.prompt", func(n int) string {
		// Billion laughs in the front matter's model field, which is
		// decoded into Go values (aliases expanded).
		b := "---\nname: x\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		for i := 1; i < 9; i++ {
			b += fmt.Sprintf("a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
		}
		return b + "model: *a8\n---\nSay hi.\n" + rep("x", n-len(b))
	}, ""},
	{"card/deep-yaml", "README.md", func(n int) string {
		var b strings.Builder
		b.WriteString("---\nlicense: mit\nbase_model: org/card-deep\nx:\n")
		for i := 0; b.Len() < n/2 && i < 2000; i++ {
			b.WriteString(strings.Repeat(" ", i+1) + "- \n")
		}
		return b.String() + "---\n# Card\n" + rep("text\n", (n-b.Len())/5)
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
	size := 1 << 20
	if testing.Short() {
		size = 256 << 10
	}
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

// Every text detector stops when its context ends: given a cancelled
// context and a file with thousands of model references, it reports only
// those it met before its first check, where a live context gets them all.
func TestDetectorsStopWhenCancelled(t *testing.T) {
	const n = 20000
	many := func(format string) []byte {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, format, i)
		}
		return []byte(b.String())
	}
	nb := func() []byte {
		var b strings.Builder
		b.WriteString(`{"cells":[{"cell_type":"code","source":[`)
		for i := range n {
			fmt.Fprintf(&b, `"AutoModel.from_pretrained('org/m%d')\\n",`, i)
		}
		b.WriteString(`"x"]}]}`)
		return []byte(b.String())
	}
	for _, tc := range []struct {
		d    detect.Detector
		path string
		data []byte
	}{
		{python.Source{}, "a.py", many("AutoModel.from_pretrained('org/m%d')\n")},
		{python.Notebook{}, "a.ipynb", nb()},
		{javascript.Source{}, "a.js", many("const c%[1]d = {model: 'org/m%[1]d'};\n")},
		{golang.Source{}, "a.go", many("var c%[1]d = Config{Model: \"org/m%[1]d\"}\n")},
		{rust.Source{}, "a.rs", many("let c%[1]d = x.from_pretrained(\"org/m%[1]d\");\n")},
		{config.Files{}, "a.json", append(append([]byte("{"), many(`"m%[1]d": {"model": "org/m%[1]d"},`)...), []byte(`"z": {}}`)...)},
		{config.Files{}, "a.yaml", many("m%[1]d:\n  model: org/m%[1]d\n")},
		{shell.Scripts{}, "a.sh", many("ollama pull org/m%d\n")},
	} {
		t.Run(tc.d.Name()+"/"+tc.path, func(t *testing.T) {
			f := detect.NewFile(fstest.MapFS{}, tc.path, int64(len(tc.data)), tc.data)
			if !tc.d.Wants(f) {
				t.Fatalf("%s does not want %s", tc.d.Name(), tc.path)
			}
			live := &detect.Report{}
			tc.d.Detect(context.Background(), f, live)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			stopped := &detect.Report{}
			tc.d.Detect(ctx, f, stopped)
			if len(live.Sightings) < n/2 {
				t.Fatalf("a live run found %d of %d references; the input does not exercise the detector", len(live.Sightings), n)
			}
			if len(stopped.Sightings) > n/10 {
				t.Errorf("cancelled: %d sightings of %d; the detector ignores its context", len(stopped.Sightings), len(live.Sightings))
			}
		})
	}
}

// countingFS counts the files opened and calls first once the first file
// is opened.
type countingFS struct {
	fs.FS
	opened atomic.Int64
	first  func()
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && st.Mode().IsRegular() && c.opened.Add(1) == 1 {
			c.first()
		}
	}
	return f, err
}

// Cancelling the context stops a discovery in the middle of its files
// (and of the file being analysed): Discover returns the context's error,
// leaves most files unopened, and no goroutine of it runs on.
func TestCancelStopsDiscovery(t *testing.T) {
	const files = 200
	tree := fstest.MapFS{}
	slow := []byte(stallInputs[7].gen(256 << 10)) // nested calls, closed
	for i := range files {
		tree[fmt.Sprintf("d%d/m%d.py", i%10, i)] = &fstest.MapFile{Data: slow}
	}
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfs := &countingFS{FS: tree, first: cancel}
	res, err := Discover(ctx, cfs, Options{Workers: 2, FileTimeBudget: time.Hour})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Discover after cancel = %v, %v; want context.Canceled", res, err)
	}
	if n := cfs.opened.Load(); n > 2*2*8+2 {
		t.Errorf("%d of %d files opened after the cancel at the first", n, files)
	}
	// Discover waits for its workers; allow the runtime a moment to reap
	// them before counting.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// A text file that outlasts the per-file time budget is listed as skipped
// with the reason, and the scan goes on; binary files (hashed weights) are
// not bound by it.
func TestFileTimeBudgetSkips(t *testing.T) {
	tree := fstest.MapFS{
		"slow.py":                 {Data: []byte(stallInputs[7].gen(1 << 20))},
		"model/model.safetensors": {Data: append([]byte{8, 0, 0, 0, 0, 0, 0, 0}, []byte(`{"a":1}`)...)},
	}
	res, err := Discover(context.Background(), tree, Options{Workers: 1, FileTimeBudget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, s := range res.Skipped {
		reasons = append(reasons, s.Path+": "+s.Reason)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Path != "slow.py" || !strings.Contains(res.Skipped[0].Reason, "time budget exceeded") {
		t.Errorf("skipped = %q, want slow.py for its time budget", reasons)
	}
	hashed := false
	for _, s := range res.Sightings {
		if s.Path == "model/model.safetensors" && len(s.SHA256) == 64 {
			hashed = true
		}
	}
	if !hashed {
		t.Errorf("the weight file was not hashed: %+v", res.Sightings)
	}
	// With the default budget the same file is analysed in full.
	res, err = Discover(context.Background(), tree, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("default budget: skipped %+v", res.Skipped)
	}
}

// FuzzNoStall feeds the same bytes to every text detector, as each kind of
// file the walk reads. A file of fuzzer size that meets the time budget is
// super-linear (or exponential) somewhere, which fails the target.
func FuzzNoStall(f *testing.F) {
	for _, in := range stallInputs {
		f.Add([]byte(in.gen(256)))
	}
	f.Add([]byte("a0 = 'x'\na1 = f'{a0}{a0}{a0}'\na2 = a1 + a1 + a1\nfrom_pretrained(a2)\n"))
	names := []string{"a.py", "a.ipynb", "a.js", "a.go", "a.rs", "a.cs", "a.rb", "a.toml", "pyproject.toml", "Cargo.toml",
		"a.yaml", "a.json", "a.sh", "Dockerfile", "README.md", "a.prompt", "a.dvc", "requirements.txt", "go.mod", "Gemfile", "hubconf.py"}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree := fstest.MapFS{}
		for _, n := range names {
			tree["d/"+n] = &fstest.MapFile{Data: data}
		}
		res, err := Discover(context.Background(), tree, Options{Workers: 1, SkipHash: true, FileTimeBudget: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Skipped {
			if strings.Contains(s.Reason, "time budget") || strings.Contains(s.Reason, "not fully analysed") {
				t.Errorf("%d bytes: %s: %s", len(data), s.Path, s.Reason)
			}
		}
	})
}

// References to constants of other modules resolve in time linear in the
// tree: many modules, many references by a module suffix. It also checks
// the suffix rule: a name defined once under the suffix resolves, a name
// two modules define does not.
func TestCrossModuleReferencesLinear(t *testing.T) {
	tree := fstest.MapFS{}
	const mods, refs = 4000, 40
	for i := range mods {
		tree[fmt.Sprintf("app%d/cfg/models.py", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf("NAME%d = 'org/m%d'\nSHARED = 'org/shared'\n", i, i))}
	}
	var b strings.Builder
	b.WriteString("from transformers import AutoModel\nimport cfg.models as models\n")
	for i := range mods {
		for range refs / 10 {
			fmt.Fprintf(&b, "AutoModel.from_pretrained(models.NAME%d)\n", i)
		}
	}
	b.WriteString("AutoModel.from_pretrained(models.SHARED)\n")
	tree["main.py"] = &fstest.MapFile{Data: []byte(b.String())}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Discover(ctx, tree, Options{Workers: 2, SkipHash: true})
	if err != nil {
		t.Fatal(err)
	}
	resolved, shared := map[string]bool{}, false
	for _, s := range res.Sightings {
		if s.Path != "main.py" {
			continue
		}
		resolved[s.Name] = true
		shared = shared || s.Name == "org/shared"
	}
	if len(resolved) != mods || shared {
		t.Errorf("%d of %d references resolved; ambiguous SHARED resolved: %v", len(resolved), mods, shared)
	}
}
