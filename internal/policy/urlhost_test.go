package policy

import (
	"regexp"
	"testing"
)

// The regular expression of lib.host; urlHost must agree with it.
var libHostRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/:?#]+)`)

func checkURLHost(t *testing.T, u string) {
	got, ok := urlHost(u)
	m := libHostRE.FindStringSubmatch(u)
	if (m != nil) != ok || (ok && got != m[1]) {
		t.Errorf("urlHost(%q) = %q, %v; lib.host's regexp gives %q", u, got, ok, m)
	}
}

func FuzzURLHost(f *testing.F) {
	for _, u := range []string{
		"https://huggingface.co/x", "http://user:pw@Host.Example:8443/p?q#f", "s3://bucket/key",
		"https://a@b@c/", "https://@x", "https://", "ftp://h?x", "1http://x", "git+ssh://git@github.com:org/r",
		"https://h#a@b", "://x", "a://:80", "noscheme", "",
	} {
		f.Add(u)
	}
	f.Fuzz(checkURLHost)
}
