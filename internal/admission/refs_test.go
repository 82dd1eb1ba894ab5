package admission

import (
	"errors"
	"strings"
	"testing"
)

func TestParseModelRef(t *testing.T) {
	digest := strings.Repeat("0a", 32)
	cases := []struct {
		in   string
		want ModelRef // Kind "" : an error
	}{
		{"demo", ModelRef{Kind: RefProject, Project: "demo"}},
		{"demo@3", ModelRef{Kind: RefProject, Project: "demo", Version: 3}},
		{"acme/chat@v2", ModelRef{Kind: RefProject, Project: "acme/chat", Version: 2}},
		{"demo@x", ModelRef{}},
		{"hf://acme-ai/sentiment-bert", ModelRef{Kind: RefHub}},
		{"HF://acme-ai/sentiment-bert@main", ModelRef{Kind: RefHub}},
		{"hf://datasets/acme/reviews@" + strings.Repeat("a", 40), ModelRef{Kind: RefHub}},
		{"hf://acme/../etc", ModelRef{}},
		{"hf://acme/x@a?b", ModelRef{}},
		{"ghcr.io/acme/sentiment@sha256:" + digest, ModelRef{Kind: RefOCI, OCI: OCIRef{Name: "ghcr.io/acme/sentiment", Digest: digest}}},
		{"oci://registry.local:5000/models/bert:1.0@sha256:" + digest, ModelRef{Kind: RefOCI, OCI: OCIRef{Name: "registry.local:5000/models/bert", Tag: "1.0", Digest: digest}}},
		{"OCI://ghcr.io/acme/sentiment", ModelRef{Kind: RefOCI, OCI: OCIRef{Name: "ghcr.io/acme/sentiment"}}},
		{"ollama/llama3:8b", ModelRef{Kind: RefOCI, OCI: OCIRef{Name: "ollama/llama3", Tag: "8b"}}},
		{"ghcr.io/acme/sentiment@sha256:" + strings.ToUpper(digest), ModelRef{}},
		{"ghcr.io/acme/sentiment@sha512:" + digest, ModelRef{}},
		{"ghcr.io/acme/sentiment@sha256:abc", ModelRef{}},
		{"ghcr.io/Acme/sentiment:1", ModelRef{}},
		{"ghcr.io/acme/sentiment:bad tag", ModelRef{}},
		{"oci://", ModelRef{}},
		{"https://example.com/x", ModelRef{}},
		{"", ModelRef{}},
	}
	for _, c := range cases {
		got, err := ParseModelRef(c.in)
		if c.want.Kind == "" {
			if err == nil || !errors.Is(err, errBadRef) {
				t.Errorf("ParseModelRef(%q) = %+v, %v; want a bad-reference error", c.in, got, err)
			}
			continue
		}
		if err != nil || got.Kind != c.want.Kind {
			t.Errorf("ParseModelRef(%q) = %+v, %v; want kind %s", c.in, got, err, c.want.Kind)
			continue
		}
		switch got.Kind {
		case RefProject:
			if got.Project != c.want.Project || got.Version != c.want.Version {
				t.Errorf("ParseModelRef(%q) = %+v", c.in, got)
			}
		case RefOCI:
			if got.OCI != c.want.OCI {
				t.Errorf("ParseModelRef(%q) = %+v, want %+v", c.in, got.OCI, c.want.OCI)
			}
		}
	}
}

// FuzzParseModelRef: annotation values come from whoever may create pods;
// parsing never panics, and a parsed OCI digest is always 64 hex digits.
func FuzzParseModelRef(f *testing.F) {
	for _, s := range []string{"demo@1", "hf://acme/x@main", "ghcr.io/a/b:1@sha256:" + strings.Repeat("f", 64), "oci://a/b", "a/b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseModelRef(s)
		if err != nil {
			return
		}
		if r.Kind == RefOCI && r.OCI.Digest != "" && !sha256Hex.MatchString(r.OCI.Digest) {
			t.Fatalf("digest %q", r.OCI.Digest)
		}
		if r.Kind == "" {
			t.Fatalf("no kind for %q", s)
		}
	})
}
