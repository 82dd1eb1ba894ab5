package workers

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/logs"
)

// Log lines stay one line each, whatever a logged name holds: the text
// handler quotes and escapes control characters, the JSON handler escapes
// them as JSON. A regression guard for anyone swapping the handlers.
func TestLogsEscapeControlCharacters(t *testing.T) {
	hostile := "models/x\n2026-01-01 INFO scan finished verdict=pass\r\x1b[2K\u202e"
	for _, format := range []string{logs.FormatText, logs.FormatJSON} {
		var buf bytes.Buffer
		l, err := logs.New(&buf, format, "info")
		if err != nil {
			t.Fatal(err)
		}
		l.Info("skipped "+hostile, "path", hostile)
		l.With("file", hostile).Warn("unreadable", slog.String("reason", hostile))
		out := buf.String()
		if n := strings.Count(out, "\n"); n != 2 {
			t.Errorf("%s: %d lines for 2 records:\n%s", format, n, out)
		}
		if strings.ContainsAny(out, "\r\x1b") {
			t.Errorf("%s: raw control characters: %q", format, out)
		}
		if format == logs.FormatText && strings.ContainsRune(out, '\u202e') {
			t.Errorf("text log keeps a bidi override: %q", out)
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := stderr
	stderr = f
	defer func() { stderr = saved }()
	newLogger(nil).Warn("scan "+hostile, "path", hostile)
	data, _ := os.ReadFile(f.Name())
	if strings.Count(string(data), "\n") != 1 || strings.ContainsAny(string(data), "\r\x1b\u202e") {
		t.Errorf("SDK logger: %q", data)
	}
}
