// Package logs builds the process logger: log/slog, JSON by default for the
// long-running commands (worker, serve) so log pipelines can index it, text
// when a person reads it. A context can carry the workflow and run IDs of the
// work being done; every record logged with that context carries them too, so
// one scan's lines are found by its IDs, whichever package wrote them.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Formats.
const (
	FormatJSON = "json"
	FormatText = "text"
)

// Keys of the IDs, the same the Temporal SDK's loggers use, so SDK lines and
// ours are selected by one filter.
const (
	KeyWorkflowID = "WorkflowID"
	KeyRunID      = "RunID"
)

// New returns a logger writing format (json or text) at level (debug, info,
// warn, error) to w, which adds the IDs a context carries.
func New(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.TrimSpace(level))); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatJSON, "":
		h = slog.NewJSONHandler(w, opts)
	case FormatText:
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want json or text", format)
	}
	return slog.New(WithIDs(h)), nil
}

type runKey struct{}

type run struct{ workflowID, runID string }

// WithRun returns ctx carrying a workflow and run ID for the logs.
func WithRun(ctx context.Context, workflowID, runID string) context.Context {
	return context.WithValue(ctx, runKey{}, run{workflowID, runID})
}

// Run returns the IDs ctx carries, if any.
func Run(ctx context.Context) (workflowID, runID string) {
	r, _ := ctx.Value(runKey{}).(run)
	return r.workflowID, r.runID
}

// WithIDs wraps h so that records logged with a context from WithRun carry
// its workflow and run IDs.
func WithIDs(h slog.Handler) slog.Handler { return idHandler{h} }

type idHandler struct{ slog.Handler }

func (h idHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if rr, ok := ctx.Value(runKey{}).(run); ok {
			if rr.workflowID != "" {
				r.AddAttrs(slog.String(KeyWorkflowID, rr.workflowID))
			}
			if rr.runID != "" {
				r.AddAttrs(slog.String(KeyRunID, rr.runID))
			}
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h idHandler) WithAttrs(as []slog.Attr) slog.Handler { return idHandler{h.Handler.WithAttrs(as)} }
func (h idHandler) WithGroup(name string) slog.Handler    { return idHandler{h.Handler.WithGroup(name)} }
