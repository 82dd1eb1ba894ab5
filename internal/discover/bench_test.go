package discover

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeSyntheticRepo lays out n source files across directories: Python
// with and without model references, JavaScript, Markdown, JSON configs.
func writeSyntheticRepo(b *testing.B, root string, n int) {
	b.Helper()
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("pkg%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		var name, body string
		switch i % 5 {
		case 0:
			name = fmt.Sprintf("m%d.py", i)
			body = fmt.Sprintf("import os\nMODEL_ID = 'acme/model-%d'\n\ndef load():\n    return AutoModel.from_pretrained(MODEL_ID)\n", i)
		case 1:
			name = fmt.Sprintf("u%d.py", i)
			body = "def add(a, b):\n    \"\"\"Add numbers.\"\"\"\n    return a + b\n\nclass K:\n    x = [1, 2, 3]\n"
		case 2:
			name = fmt.Sprintf("w%d.ts", i)
			body = "export function f(x: number) {\n  return { value: x * 2, label: 'x' };\n}\n"
		case 3:
			name = fmt.Sprintf("c%d.json", i)
			body = `{"name": "svc", "replicas": 3, "llm": {"model": "gpt-4o-mini"}}`
		default:
			name = fmt.Sprintf("n%d.md", i)
			body = "# Notes\nNothing here.\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiscover(b *testing.B) {
	const n = 50000
	root := b.TempDir()
	writeSyntheticRepo(b, root, n)
	fsys := os.DirFS(root)
	b.Run("50k-files", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := Discover(context.Background(), fsys, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if res.Files != n {
				b.Fatalf("files = %d", res.Files)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	})
}
