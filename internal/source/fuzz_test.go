package source

import (
	"net/url"
	"path"
	"strings"
	"testing"
)

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
