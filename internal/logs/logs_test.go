package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONCarriesRunIDs(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRun(context.Background(), "scan/demo/1", "run-9")
	l.With("component", "api").InfoContext(ctx, "scan started", "project", "demo")
	l.InfoContext(context.Background(), "no run here")
	l.DebugContext(ctx, "below the level")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d:\n%s", len(lines), buf.String())
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	if first[KeyWorkflowID] != "scan/demo/1" || first[KeyRunID] != "run-9" || first["component"] != "api" || first["project"] != "demo" {
		t.Errorf("first line = %v", first)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if _, ok := second[KeyWorkflowID]; ok {
		t.Errorf("a context without a run gained IDs: %v", second)
	}
	if w, r := Run(ctx); w != "scan/demo/1" || r != "run-9" {
		t.Errorf("Run = %q %q", w, r)
	}
}

func TestBadSettings(t *testing.T) {
	for _, tc := range []struct{ format, level string }{{"xml", "info"}, {"json", "loud"}} {
		if _, err := New(&bytes.Buffer{}, tc.format, tc.level); err == nil {
			t.Errorf("New(%q, %q) accepted", tc.format, tc.level)
		}
	}
	var buf bytes.Buffer
	l, err := New(&buf, "text", "debug")
	if err != nil {
		t.Fatal(err)
	}
	l.DebugContext(WithRun(context.Background(), "w", ""), "x")
	if !strings.Contains(buf.String(), "WorkflowID=w") || strings.Contains(buf.String(), "RunID") {
		t.Errorf("text line = %q", buf.String())
	}
}
