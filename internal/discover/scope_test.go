package discover

import (
	"context"
	"testing"
	"testing/fstest"
)

func TestCodeScope(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"app/main.py", ""},
		{"tests/test_core.py", "test"},
		{"pkg/test_util.py", "test"},
		{"pkg/util_test.py", "test"},
		{"pkg/conftest.py", "test"},
		{"cmd/x/main_test.go", "test"},
		{"web/app.test.ts", "test"},
		{"web/app.spec.js", "test"},
		{"crates/x/src/tests.rs", "test"},
		{"web/__tests__/a.js", "test"},
		{"spec/a_spec.rb", "test"},
		{"examples/basic/agent.py", "example"},
		{"Samples/Weather/Program.cs", "example"},
		{"demo/app.py", "example"},
		{"examples/x/tests/test_a.py", "test"},
		{"src/testament/a.py", ""},
		{"src/latest/a.py", ""},
		{"contest.py", ""},
	} {
		if got := codeScope(c.path); got != c.want {
			t.Errorf("codeScope(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

// Ids seen in example or test code are kept and marked, not dropped.
func TestDiscoverMarksExampleAndTestScope(t *testing.T) {
	fsys := fstest.MapFS{
		"app.py":              {Data: []byte("from transformers import AutoModel\nm = AutoModel.from_pretrained(\"org/shipped\")\n")},
		"examples/demo.py":    {Data: []byte("from transformers import AutoModel\nm = AutoModel.from_pretrained(\"org/example-only\")\n")},
		"tests/test_model.py": {Data: []byte("from transformers import AutoModel\nm = AutoModel.from_pretrained(\"org/test-only\")\n")},
	}
	res, err := Discover(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"org/shipped": "", "org/example-only": "example", "org/test-only": "test"}
	seen := map[string]bool{}
	for _, s := range res.Sightings {
		reason, ok := want[s.Name]
		if !ok {
			continue
		}
		seen[s.Name] = true
		if got := s.Props[PropScopeReason]; got != reason {
			t.Errorf("%s: scope.reason %q, want %q", s.Name, got, reason)
		}
		if (s.Props[PropScope] == "excluded") != (reason != "") {
			t.Errorf("%s: scope %q", s.Name, s.Props[PropScope])
		}
	}
	for n := range want {
		if !seen[n] {
			t.Errorf("%s not reported", n)
		}
	}
}

// Test source files and fixtures stay unread (their ids are mock data);
// code under tests/ is read and marked (TestDiscoverMarksExampleAndTestScope).
func TestTestSourceFilesAndFixturesUnread(t *testing.T) {
	fsys := fstest.MapFS{
		"client/chat_test.go":        {Data: []byte("package client\n\nfunc TestChat(t *testing.T) {\n\treq := Request{Model: \"claude-3-5-haiku-20241022\"}\n}\n")},
		"client/testdata/reply.json": {Data: []byte(`{"model": "gpt-4o"}`)},
		"web/chat.test.ts":           {Data: []byte("const r = await client.chat({ model: \"gpt-4o-mini\" });\n")},
	}
	res, err := Discover(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sightings) != 0 {
		t.Errorf("sightings %+v, want none", res.Sightings)
	}
}
