package license

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw      string
		wantID   string
		wantExpr string
		wantName string
		wantURL  string
	}{
		// SPDX ids, any case.
		{raw: "MIT", wantID: "MIT", wantName: "MIT License"},
		{raw: "mit", wantID: "MIT"},
		{raw: " apache-2.0 ", wantID: "Apache-2.0", wantName: "Apache License 2.0"},
		{raw: "bsd-3-clause", wantID: "BSD-3-Clause"},
		{raw: "CC-BY-NC-4.0", wantID: "CC-BY-NC-4.0"},
		{raw: "cc-by-sa-4.0", wantID: "CC-BY-SA-4.0"},
		{raw: "afl-3.0", wantID: "AFL-3.0"},
		{raw: "0bsd", wantID: "0BSD"},
		// Deprecated GNU ids become their explicit successors.
		{raw: "GPL-3.0", wantID: "GPL-3.0-only"},
		{raw: "gpl-3.0", wantID: "GPL-3.0-only"},
		{raw: "GPL-2.0+", wantID: "GPL-2.0-or-later"},
		{raw: "agpl-3.0", wantID: "AGPL-3.0-only"},
		{raw: "lgpl-2.1", wantID: "LGPL-2.1-only"},
		{raw: "lgpl-3.0", wantID: "LGPL-3.0-only"},
		{raw: "lgpl-lr", wantID: "LGPLLR"},
		{raw: "GPL-2.0-with-classpath-exception", wantExpr: "GPL-2.0-only WITH Classpath-exception-2.0"},
		// Expressions.
		{raw: "MIT OR Apache-2.0", wantExpr: "MIT OR Apache-2.0"},
		{raw: "mit or apache-2.0", wantExpr: "MIT OR Apache-2.0"},
		{raw: "(MIT AND BSD-3-Clause) OR GPL-2.0-only", wantExpr: "MIT AND BSD-3-Clause OR GPL-2.0-only"},
		{raw: "MIT AND (BSD-3-Clause OR GPL-2.0-only)", wantExpr: "MIT AND (BSD-3-Clause OR GPL-2.0-only)"},
		{raw: "Apache-2.0 WITH LLVM-exception", wantExpr: "Apache-2.0 WITH LLVM-exception"},
		{raw: "apache-2.0 with llvm-exception", wantExpr: "Apache-2.0 WITH LLVM-exception"},
		{raw: "(MIT)", wantID: "MIT"},
		{raw: "Apache-2.0+", wantExpr: "Apache-2.0+"},
		{raw: "MIT AND LicenseRef-foo", wantExpr: "MIT AND LicenseRef-foo"},
		// Invalid expressions are not guessed.
		{raw: "MIT OR", wantID: NoAssertion},
		{raw: "MIT AND Bogus-1.0", wantID: NoAssertion},
		{raw: "MIT WITH Apache-2.0", wantID: NoAssertion},
		{raw: "(MIT", wantID: "MIT"}, // a stray parenthesis hides no other license
		{raw: "MIT Apache-2.0", wantID: NoAssertion},
		// Hugging Face identifiers without an SPDX id.
		{raw: "openrail", wantID: "LicenseRef-openrail", wantName: "Open RAIL License"},
		{raw: "openrail++", wantID: "LicenseRef-openrail-pp"},
		{raw: "creativeml-openrail-m", wantID: "LicenseRef-creativeml-openrail-m", wantName: "CreativeML Open RAIL-M License"},
		{raw: "bigscience-openrail-m", wantID: "LicenseRef-bigscience-openrail-m"},
		{raw: "bigscience-bloom-rail-1.0", wantID: "LicenseRef-bigscience-bloom-rail-1.0"},
		{raw: "llama2", wantID: "LicenseRef-llama2", wantName: "Llama 2 Community License Agreement"},
		{raw: "llama3", wantID: "LicenseRef-llama3"},
		{raw: "llama3.1", wantID: "LicenseRef-llama3.1", wantName: "Llama 3.1 Community License Agreement", wantURL: "https://llama.meta.com/llama3_1/license/"},
		{raw: "LLAMA3.2", wantID: "LicenseRef-llama3.2"},
		{raw: "llama3.3", wantID: "LicenseRef-llama3.3"},
		{raw: "llama4", wantID: "LicenseRef-llama4"},
		{raw: "gemma", wantID: "LicenseRef-gemma", wantName: "Gemma Terms of Use"},
		{raw: "deepfloyd-if-license", wantID: "LicenseRef-deepfloyd-if-license"},
		{raw: "gpl", wantID: "LicenseRef-gpl"},
		{raw: "odbl", wantID: "ODbL-1.0"},
		{raw: "c-uda", wantID: "C-UDA-1.0"},
		// Unknown stays unknown.
		{raw: "", wantID: NoAssertion},
		{raw: "other", wantID: NoAssertion},
		{raw: "unknown", wantID: NoAssertion},
		{raw: "Proprietary, all rights reserved by ACME", wantID: NoAssertion},
		{raw: "some-license-nobody-knows", wantID: NoAssertion},
		{raw: "BSD", wantID: "LicenseRef-bsd"},
		// Names written by hand.
		{raw: "Apache License 2.0", wantID: "Apache-2.0"},
		{raw: "Apache License, Version 2.0", wantID: "Apache-2.0"},
		{raw: "The MIT License", wantID: "MIT"},
		{raw: "MIT License", wantID: "MIT"},
		{raw: "Apache 2.0", wantID: "Apache-2.0"},
		{raw: "GNU General Public License v3.0 only", wantID: "GPL-3.0-only"},
		// Lists: everything applies.
		{raw: "mit, apache-2.0", wantExpr: "MIT AND Apache-2.0"},
		{raw: "[mit, apache-2.0]", wantExpr: "MIT AND Apache-2.0"},
		{raw: "['mit', 'mit']", wantID: "MIT"},
		{raw: "mit; llama3", wantExpr: "MIT AND LicenseRef-llama3"},
		{raw: "mit, something odd", wantID: NoAssertion},
		{raw: "MIT OR Apache-2.0, BSD-3-Clause", wantExpr: "(MIT OR Apache-2.0) AND BSD-3-Clause"},
		// Hostile input is data.
		{raw: "mit\x00", wantID: "MIT"},
		{raw: "\xff\xfe", wantID: NoAssertion},
		{raw: "<script>alert(1)</script>", wantID: NoAssertion},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got := Normalize(tt.raw)
			if got.ID != tt.wantID || got.Expression != tt.wantExpr {
				t.Fatalf("Normalize(%q) = id %q expr %q, want id %q expr %q", tt.raw, got.ID, got.Expression, tt.wantID, tt.wantExpr)
			}
			if tt.wantName != "" && got.Name != tt.wantName {
				t.Errorf("name = %q, want %q", got.Name, tt.wantName)
			}
			if tt.wantURL != "" && got.URL != tt.wantURL {
				t.Errorf("url = %q, want %q", got.URL, tt.wantURL)
			}
			if !utf8.ValidString(got.Raw) {
				t.Errorf("raw is not valid UTF-8: %q", got.Raw)
			}
			if got.Known() == (got.ID == NoAssertion) {
				t.Errorf("Known() = %v for %+v", got.Known(), got)
			}
		})
	}
}

func TestNormalizeKeepsRaw(t *testing.T) {
	got := Normalize("  Weird License  ")
	if got.ID != NoAssertion || got.Raw != "Weird License" {
		t.Fatalf("got %+v", got)
	}
	long := strings.Repeat("x", 5000)
	if got := Normalize(long); len(got.Raw) > maxRaw+len("…") {
		t.Fatalf("raw not bounded: %d bytes", len(got.Raw))
	}
}

func TestNormalizeCard(t *testing.T) {
	tests := []struct {
		license, name, link string
		wantID, wantName    string
		wantURL             string
	}{
		{"other", "my-custom-license", "https://example.com/LICENSE", "LicenseRef-my-custom-license", "my-custom-license", "https://example.com/LICENSE"},
		{"other", "Acme Model License v2 (research only)", "", "LicenseRef-Acme-Model-License-v2-research-only", "Acme Model License v2 (research only)", ""},
		{"other", "llama3", "", "LicenseRef-llama3", "Meta Llama 3 Community License Agreement", "https://llama.meta.com/llama3/license/"},
		{"other", "", "", NoAssertion, "", ""},
		{"other", "!!!", "", NoAssertion, "", ""},
		{"apache-2.0", "", "", "Apache-2.0", "Apache License 2.0", ""},
		{"", "", "", NoAssertion, "", ""},
	}
	for _, tt := range tests {
		got := NormalizeCard(tt.license, tt.name, tt.link)
		if got.ID != tt.wantID || got.Name != tt.wantName || got.URL != tt.wantURL {
			t.Errorf("NormalizeCard(%q, %q, %q) = %+v, want id %q name %q url %q", tt.license, tt.name, tt.link, got, tt.wantID, tt.wantName, tt.wantURL)
		}
	}
}

func TestIdentifyText(t *testing.T) {
	files, err := filepath.Glob("testdata/texts/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no license texts in testdata/texts: %v", err)
	}
	for _, f := range files {
		want := strings.TrimSuffix(filepath.Base(f), ".txt")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got := IdentifyText(string(data))
		if want == "unknown" {
			want = NoAssertion
		}
		if got.Key() != want {
			t.Errorf("%s: identified %q, want %q", f, got.Key(), want)
		}
		// A text given to Normalize is identified the same way.
		if n := Normalize(string(data)); n.Key() != want {
			t.Errorf("%s: Normalize gives %q, want %q", f, n.Key(), want)
		}
	}
}

func TestListIsComplete(t *testing.T) {
	all := All()
	var licenses, exceptions, osi, deprecated int
	for _, in := range all {
		if in.Exception {
			exceptions++
		} else {
			licenses++
		}
		if in.OSIApproved {
			osi++
		}
		if in.Deprecated {
			deprecated++
		}
		if in.Name == "" {
			t.Errorf("%s has no name", in.ID)
		}
	}
	// SPDX 3.28 has over 700 licenses and 80 exceptions; a truncated file would show here.
	if licenses < 700 || exceptions < 70 || osi < 100 || deprecated < 20 {
		t.Fatalf("list looks truncated: %d licenses, %d exceptions, %d OSI, %d deprecated", licenses, exceptions, osi, deprecated)
	}
	if ListVersion() == "" {
		t.Error("no list version")
	}
	for _, id := range []string{"Apache-2.0", "MIT", "GPL-3.0-only"} {
		if in, ok := Lookup(id); !ok || !in.OSIApproved || in.Deprecated {
			t.Errorf("Lookup(%s) = %+v, %v", id, in, ok)
		}
	}
	if in, ok := Lookup("gpl-2.0"); !ok || !in.Deprecated {
		t.Errorf("GPL-2.0 should be a deprecated id: %+v", in)
	}
	if in, ok := Lookup("LLVM-exception"); !ok || !in.Exception {
		t.Errorf("LLVM-exception should be an exception: %+v", in)
	}
	if _, ok := Lookup("CC-BY-NC-4.0"); !ok {
		t.Error("CC-BY-NC-4.0 missing")
	}
}

func TestParseExpressionRoundTrip(t *testing.T) {
	for _, e := range []string{"MIT", "MIT OR Apache-2.0", "MIT AND (Apache-2.0 OR BSD-2-Clause)", "GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT"} {
		got, err := ParseExpression(e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		again, err := ParseExpression(got)
		if err != nil || again != got {
			t.Fatalf("canonical form not stable: %q -> %q -> %q (%v)", e, got, again, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"MIT", "mit or apache-2.0", "((MIT", "llama3.1", "[a, b]", "Apache License 2.0", "GPL-2.0+ WITH", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := Normalize(s)
		if !utf8.ValidString(l.Raw) || !utf8.ValidString(l.Name) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if l.Expression != "" {
			if _, err := ParseExpression(l.Expression); err != nil {
				t.Fatalf("Normalize(%q) produced invalid expression %q: %v", s, l.Expression, err)
			}
		}
		if l.ID != "" && l.ID != NoAssertion && !l.IsRef() {
			if _, ok := Lookup(l.ID); !ok {
				t.Fatalf("Normalize(%q) produced unknown id %q", s, l.ID)
			}
		}
	})
}
