package printable

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := map[string]string{
		"model.safetensors":                "model.safetensors",
		"models/ünïcødé/模型.bin":            "models/ünïcødé/模型.bin",
		`C:\path\with\backslashes`:         `C:\path\with\backslashes`,
		"evil\r\x1b[2Kclean.pt":            `evil\r\x1b[2Kclean.pt`,
		"dir\n  verdict     PASS":          `dir\n  verdict     PASS`,
		"tab\there":                        `tab\there`,
		"bidi\u202egnp.exe":                `bidi\u202egnp.exe`,
		"isolate\u2067x\u2069":             `isolate\u2067x\u2069`,
		"c1\u009b31mred":                   `c1\u009b31mred`,
		"sep\u2028line":                    `sep\u2028line`,
		"zero\u200bwidth\ufeff":            `zero\u200bwidth\ufeff`,
		"bad\xffutf8":                      `bad\xffutf8`,
		"del\x7f":                          `del\x7f`,
		"emoji 👩‍💻 keeps its joiner\u200d": "emoji 👩‍💻 keeps its joiner\u200d",
	}
	for in, want := range tests {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShell(t *testing.T) {
	if got := Shell("pkg:generic/a'b; rm -rf /\n"); got != `'pkg:generic/a'\''b; rm -rf /\n'` {
		t.Errorf("Shell = %s", got)
	}
}

func TestLines(t *testing.T) {
	if got := Lines("a\r\nb\x1b[1Ac\nd\re"); got != "a\nb\\x1b[1Ac\nd\\re" {
		t.Errorf("Lines = %q", got)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"a\nb", "\x1b[31m", "\u202e", "\xff\xfe", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unsafe(r) {
				t.Fatalf("Line(%q) kept %U", s, r)
			}
		}
		if clean(s) && out != s {
			t.Fatalf("printable ASCII changed: %q", s)
		}
		if strings.ContainsAny(out, "\n\r") {
			t.Fatal("line break kept")
		}
	})
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"bert-base-uncased", "bert-base-uncased"},
		{"a\tb\nc\rd", "a\tb\nc\rd"},       // XML 1.0 whitespace stays
		{"x\x00y\x1b[2Kz\x7f", "xy[2Kz"},   // C0 controls and DEL dropped
		{"bad\xffbyte", "bad\uFFFDbyte"},   // not UTF-8: replaced, not dropped
		{"end\uFFFE\uFFFF", "end"},         // XML non-characters
		{"modèle \u202e", "modèle \u202e"}, // bidi is legal text; Line escapes it for terminals
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
