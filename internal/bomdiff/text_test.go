package bomdiff

import (
	"bytes"
	"strings"
	"testing"
)

// Component names come from scanned repositories: a newline or an escape
// sequence in one must not add or rewrite lines of the diff.
func TestWriteTextEscapesNames(t *testing.T) {
	hostile := "model\n+ pkg:generic/trusted (approved)\x1b[1A\u202e"
	r := &Result{Project: "p\nq", From: 1, To: 2,
		Added:   []Item{{BOMRef: "pkg:generic/" + hostile, Name: hostile, Kind: "model"}},
		Changed: []Item{{BOMRef: "x", Name: "x", Changes: []Change{{Field: "license\n", Old: "MIT\r", New: hostile}}}},
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\r\x1b\u202e") {
		t.Errorf("control characters kept: %q", out)
	}
	if n := strings.Count(out, "\n+ "); n != 1 {
		t.Errorf("%d added lines, want 1:\n%s", n, out)
	}
	if lines := strings.Count(out, "\n"); lines != 5 {
		t.Errorf("%d lines, want 5 (title, added, changed, one change, summary):\n%s", lines, out)
	}
}
