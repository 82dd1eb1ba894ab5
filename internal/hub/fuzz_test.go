package hub

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
)

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"hf://acme-ai/sentiment-bert", "hf://datasets/acme-ai/product-reviews@main", "hf://spaces/acme/demo",
		"hf://gpt2", "hf://acme/x@refs/pr/1", "hf://acme/../etc", "hf://acme/x@..", "hf://models/a/b/c",
		"hf://acme/x?y=1", "hf://acme/x@v1#frag", "HF://Org/Name@0a1b2c3d", "hf://", "hf://spaces/solo",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseSpec(s)
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
		u, err := url.Parse("https://example" + r.APIPath())
		if err != nil || u.Path != r.APIPath() || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("api path %q from %q does not round-trip", r.APIPath(), s)
		}
		if r.Revision != "" {
			if CheckRevision(r.Revision) != nil {
				t.Fatalf("accepted bad revision %q", r.Revision)
			}
			esc := url.PathEscape(r.Revision)
			if strings.ContainsAny(esc, "/?#") {
				t.Fatalf("revision %q escapes to %q", r.Revision, esc)
			}
		}
		back, err := ParseSpec(r.String())
		if err != nil || back.ID != r.ID || back.Type != r.Type {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), back, err)
		}
	})
}

// FuzzInfo feeds Hub API answers (untrusted network bytes) to the decoder
// and the finding builder.
func FuzzInfo(f *testing.F) {
	for _, p := range []string{
		"../source/testdata/hf/api/models/acme-ai/sentiment-bert.json",
		"../source/testdata/hf/api/models/acme-ai/guarded-llm.json",
		"../source/testdata/hf/api/datasets/acme-ai/product-reviews.json",
		"../source/testdata/hf/api/spaces/acme-ai/sentiment-demo.json",
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
		var info Info
		if json.Unmarshal(data, &info) != nil {
			return
		}
		repo := Repo{Type: []string{"model", "dataset", "space"}[int(typ)%3], ID: "acme/x"}
		for _, fd := range Sightings(repo, &info, "https://example") {
			if fd.Name == "" || fd.Provider != "huggingface" {
				t.Fatalf("finding without name or provider: %+v", fd)
			}
		}
	})
}
