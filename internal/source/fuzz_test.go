package source

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path"
	"strings"
	"testing"
)

func FuzzParseHFSpec(f *testing.F) {
	for _, s := range []string{
		"hf://acme-ai/sentiment-bert", "hf://datasets/acme-ai/product-reviews@main", "hf://spaces/acme/demo",
		"hf://gpt2", "hf://acme/x@refs/pr/1", "hf://acme/../etc", "hf://acme/x@..", "hf://models/a/b/c",
		"hf://acme/x?y=1", "hf://acme/x@v1#frag", "HF://Org/Name@0a1b2c3d", "hf://", "hf://spaces/solo",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseHFSpec(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		for _, p := range strings.Split(r.ID, "/") {
			if p == "" || p == "." || p == ".." || strings.ContainsAny(p, "?#%\\ @") {
				t.Fatalf("unsafe id %q from %q", r.ID, s)
			}
		}
		// The id must survive a trip through a URL path unchanged.
		u, err := url.Parse("https://hub.example" + r.apiPath())
		if err != nil || u.Path != r.apiPath() || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("api path %q from %q does not round-trip", r.apiPath(), s)
		}
		if r.Revision != "" {
			if checkHFRevision(r.Revision) != nil {
				t.Fatalf("accepted bad revision %q", r.Revision)
			}
			esc := url.PathEscape(r.Revision)
			if strings.ContainsAny(esc, "/?#") {
				t.Fatalf("revision %q escapes to %q", r.Revision, esc)
			}
		}
		back, err := parseHFSpec(r.String())
		if err != nil || back.ID != r.ID || back.Type != r.Type {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), back, err)
		}
	})
}

func FuzzParseGitmodules(f *testing.F) {
	f.Add([]byte("[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://user:pw@example.com/lib.git\n"))
	f.Add([]byte("[submodule \"a\"]\npath = ../escape\nurl = x\n[submodule \"b\"]\npath=b\nurl=git@host:b.git\n"))
	f.Add([]byte("[submodule \"..\"]\n\tpath = x\n\turl = ./rel\n"))
	f.Add([]byte("[submodule\n"))
	f.Add([]byte("\x00\xff[[[="))
	f.Fuzz(func(t *testing.T, data []byte) {
		mods, err := parseGitmodules(data)
		if err != nil {
			return
		}
		for _, m := range mods {
			if m.Path == "" || path.IsAbs(m.Path) || m.Path == ".." || strings.HasPrefix(m.Path, "../") || path.Clean(m.Path) != m.Path {
				t.Fatalf("unsafe submodule path %q", m.Path)
			}
			if u, err := url.Parse(m.URL); err == nil && u.Scheme != "" && u.User != nil {
				t.Fatalf("credentials kept in %q", m.URL)
			}
		}
	})
}

// FuzzHFInfo feeds Hub API answers (untrusted network bytes) to the decoder
// and the finding builder.
func FuzzHFInfo(f *testing.F) {
	for _, p := range []string{
		"testdata/hf/api/models/acme-ai/sentiment-bert.json",
		"testdata/hf/api/models/acme-ai/guarded-llm.json",
		"testdata/hf/api/datasets/acme-ai/product-reviews.json",
		"testdata/hf/api/spaces/acme-ai/sentiment-demo.json",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
	f.Add([]byte(`{"sha":1,"cardData":{"license":["mit",2,null],"base_model":{"x":1},"model-index":"nope"},"gated":true}`), uint8(1))
	f.Add([]byte(`{"cardData":{"model-index":[{"results":[{"metrics":[{"type":"acc","value":[1]}]}]}]}}`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, typ uint8) {
		var info hfInfo
		if json.Unmarshal(data, &info) != nil {
			return
		}
		repo := hfRepo{Type: []string{"model", "dataset", "space"}[int(typ)%3], ID: "acme/x"}
		for _, fd := range hfFindings(repo, &info, "https://hub.example") {
			if fd.Name == "" || fd.Provider != "huggingface" {
				t.Fatalf("finding without name or provider: %+v", fd)
			}
		}
	})
}

func FuzzSymlinkEscapes(f *testing.F) {
	for _, s := range [][2]string{{"a/link", "../b"}, {"link", "../x"}, {"a/b/l", "../../c"}, {"l", "/etc/passwd"}, {"l", "a/../../x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, target string) {
		if !strings.HasPrefix(name, "/") && path.Clean(name) == name && !strings.HasPrefix(name, "..") && !symlinkEscapes(name, target) {
			// Resolved lexically from the link's directory it must stay inside.
			p := path.Clean(path.Join(path.Dir(name), target))
			if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(target) {
				t.Fatalf("%s -> %s judged safe", name, target)
			}
		}
	})
}
