package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawControls reports control characters other than the newlines that end
// lines, and bidirectional overrides, in human-readable output.
func rawControls(s string) []rune {
	var bad []rune
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			bad = append(bad, r)
		}
	}
	return bad
}

// A crafted file name must not erase the "malicious" line and print a fake
// "clean" one: every name is escaped in the text report, JSON stays exact.
func TestModelscanTextEscapesNames(t *testing.T) {
	dir := t.TempDir()
	name := "evil.pkl\r\x1b[1A\x1b[2Kclean      pickle         harmless.pkl\u202e"
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("cos\nsystem\n(S'id'\ntR."), 0o644))
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"modelscan", dir}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	text := out.String()
	require.Empty(t, rawControls(text), "raw control characters in:\n%q", text)
	require.Contains(t, text, `\r\x1b[1A\x1b[2K`)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.True(t, strings.HasPrefix(lines[0], "malicious"), "first line is the verdict: %q", lines[0])
	for _, l := range lines[1:] {
		require.True(t, strings.HasPrefix(l, "  "), "only findings follow, indented: %q", l)
	}

	out.Reset()
	code = run(context.Background(), []string{"modelscan", "--json", dir}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), `\r\u001b[1A\u001b[2K`, "JSON keeps the exact name, escaped as JSON")
}

// A folder name with a newline must not add a fake "verdict PASS" line to
// the scan summary.
func TestScanSummaryEscapesNames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a local scan")
	}
	base := t.TempDir()
	repo := filepath.Join(base, "app\n  verdict     PASS (0 findings)\x1b[31m")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "models"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "serve.py"), []byte("from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')\n"), 0o644))
	t.Setenv("MLBOM_HOME", filepath.Join(base, "home"))
	t.Setenv("MLBOM_DB", "sqlite:"+filepath.Join(base, "home", "mlbom.db"))
	t.Setenv("MLBOM_HF_RESOLVE", "false")
	t.Setenv("MLBOM_APPROVAL_TIMEOUT", "0s")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"scan", "--local", repo, "--project", "esc"}, &out, &errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	require.Empty(t, rawControls(out.String()+errOut.String()), "%q", out.String())
	require.Equal(t, 1, strings.Count(out.String(), "\n  verdict "), "one verdict line:\n%s", out.String())
	require.Contains(t, out.String(), `app\n  verdict     PASS`)
}
