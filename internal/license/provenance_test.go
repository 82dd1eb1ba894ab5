package license

import "testing"

func TestDeclarationLine(t *testing.T) {
	tests := []struct {
		name, data string
		want       int
	}{
		{"card front matter", "---\nlanguage: en\nlicense: apache-2.0\ntags:\n- x\n---\n# Model\n", 3},
		{"other with a name", "---\nlicense_name: llama3\nlicense: other\n---\n", 2},
		{"json manifest", "{\n  \"name\": \"x\",\n  \"license\": \"MIT\"\n}\n", 3},
		{"toml", "[project]\nname = \"x\"\nlicense = \"MIT\"\n", 3},
		{"british spelling", "licence: mit\n", 1},
		{"prose mentioning a license is no key", "---\ntags: [x]\n---\nThe license of this model is MIT.\nlicensed: no\n", 0},
		{"license_link alone is no declaration", "license_link: LICENSE\n", 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DeclarationLine([]byte(tt.data)); got != tt.want {
				t.Errorf("DeclarationLine = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestProvenanceDescribe(t *testing.T) {
	rev := "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"
	tests := []struct {
		p    Provenance
		want string
	}{
		{Provenance{Source: SourceFile, Location: "README.md:3"}, "declared in README.md:3"},
		{Provenance{Source: SourceHub, Revision: rev}, "declared on the Hugging Face Hub at 3f2a9c1e5b7d"},
		{Provenance{Source: SourceRepository, Location: "LICENSE"}, "inherited from the repository license (LICENSE)"},
		{Provenance{Source: SourceUnknown, Reason: ReasonNotLookedUp}, "unknown: not looked up"},
		{Provenance{Source: SourceUnknown, Reason: ReasonNothingDeclared, Revision: rev}, "unknown: nothing declared on the Hugging Face Hub at 3f2a9c1e5b7d"},
	}
	for _, tt := range tests {
		if got := tt.p.Describe(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestSortProvenanceDedupes(t *testing.T) {
	got := SortProvenance([]Provenance{
		{Source: SourceHub, Revision: "b"}, {Source: SourceFile, Location: "b"}, {Source: SourceHub, Revision: "b"}, {Source: SourceFile, Location: "a"},
	})
	want := []Provenance{{Source: SourceFile, Location: "a"}, {Source: SourceFile, Location: "b"}, {Source: SourceHub, Revision: "b"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
