package discover

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func FuzzNotebook(f *testing.F) {
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":["from transformers import pipeline\n","pipeline('ner', model='acme/x')"]}],"nbformat":4}`))
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":"!ollama pull llama3\nimport ollama"}]}`))
	f.Add([]byte(`{"worksheets":[{"cells":[{"cell_type":"code","input":["x = 1"]}]}]}`))
	f.Add([]byte(`{"cells":[{"cell_type":"code","source":["s = '''unterminated"]}]}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cells, err := parseNotebook(data)
		if err == nil {
			for _, c := range cells {
				if len(c.lines) != len(c.at) {
					t.Fatalf("lines and line map differ: %d vs %d", len(c.lines), len(c.at))
				}
			}
		}
		res, err := Discover(context.Background(), fstest.MapFS{"n.ipynb": {Data: data}}, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, fd := range res.Findings {
			if fd.Line < 0 || fd.Line > lines {
				t.Fatalf("line %d outside the %d-line file: %+v", fd.Line, lines, fd)
			}
		}
	})
}

func FuzzModelCard(f *testing.F) {
	f.Add([]byte("---\nlicense: mit\nbase_model: [a/b, c/d]\nmodel-index:\n- name: x\n  results:\n  - task: {type: t}\n    metrics: [{type: acc, value: 1}]\n---\n# Uses\nok\n"))
	f.Add([]byte("---\nlicense: [mit\n---\n"))
	f.Add([]byte("---\na: &a [*a]\n---\n"))
	f.Add([]byte("---\nlicense: {x: 1}\ntags: 3\n"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, data []byte) {
		card, _, ok := ParseModelCard(data)
		if ok && card == nil {
			t.Fatal("ok without a card")
		}
	})
}

func FuzzLFSPointer(f *testing.F) {
	f.Add([]byte(lfsPtr))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\next-0-foo sha256:00\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 0\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := ParseLFSPointer(data)
		if !ok {
			return
		}
		if len(p.OID) != 64 || p.Size < 0 {
			t.Fatalf("accepted %+v", p)
		}
		again := fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", p.OID, p.Size)
		q, ok := ParseLFSPointer([]byte(again))
		if !ok || q != p {
			t.Fatalf("round trip %+v -> %+v %v", p, q, ok)
		}
	})
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte(safetensorsBytes()), "m.safetensors")
	f.Add([]byte(onnxBytes), "m.onnx")
	f.Add([]byte(zipOf("archive/data.pkl")), "m.pt")
	f.Add([]byte("(dp0\nS'a'\n"), "m.pkl")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if format, ok := Sniff(data, name); ok && format == "" {
			t.Fatal("ok with an empty format")
		}
	})
}

func FuzzPython(f *testing.F) {
	f.Add([]byte("M = 'a/b'\nAutoModel.from_pretrained(M)\n"))
	f.Add([]byte("x = f'{x}'\nfrom_pretrained(x)\ndef f(a=f(a)):\n  pass\n"))
	f.Add([]byte("A = B\nB = A\nfrom_pretrained(A)\n"))
	f.Add([]byte("@tool(\ndef (\n[{'type':'function','function':{'name':"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Discover(context.Background(), fstest.MapFS{"a.py": {Data: data}, "a.js": {Data: data}}, Options{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	})
}
