package discover

import (
	"context"
	"testing"
	"testing/fstest"
)

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

// FuzzSources feeds the same bytes to the detectors of C#, Ruby, Rust, Go,
// TypeScript and a torch.hub hubconf.py: none may fail or hang.
func FuzzSources(f *testing.F) {
	f.Add([]byte("[McpServerTool(Name = \"x\")]\npublic static string A() => \"\";\nbuilder.Services.AddMcpServer();\n"))
	f.Add([]byte("class A < MCP::Tool\n tool_name \"t\"\nend\nMCP::Server.new(\n name: \"s\",\n)\n"))
	f.Add([]byte("use rmcp;\n#[tool_router(server_handler)]\nimpl<S> X<S> {\n #[tool(name = \"a\")]\n fn b() {}\n}\nimpl ServerHandler for Y {}\nTool::new(\"t\", \"d\")\n"))
	f.Add([]byte("package a\nvar s = mcp.NewServer(&mcp.Implementation{Name: \"g\"}, nil)\nvar m = cfg.model ?? \"gpt-4o\"\n"))
	f.Add([]byte("def entry(pretrained=False):\n    url='https://x/y.pth'\nassert m in {'a'}\nAutoModel.from_pretrained(m)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"P/a.cs": {Data: data}, "a.rb": {Data: data}, "a.rs": {Data: data}, "a.go": {Data: data},
			"a.ts": {Data: data}, "hubconf.py": {Data: data}, "models.yaml": {Data: data}}
		if _, err := Discover(context.Background(), fsys, Options{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	})
}
