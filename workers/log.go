package workers

import (
	"log/slog"
	"os"

	"go.temporal.io/sdk/log"
)

// newLogger routes the SDK's logs through slog; nil keeps the SDK quiet at
// warn level so the CLI's own output stays readable.
func newLogger(l *slog.Logger) log.Logger {
	if l == nil {
		l = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return log.NewStructuredLogger(l)
}

var stderr = os.Stderr
