package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/workers"
)

func runServe(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "serve")
	addr := fs.String("addr", cfg.HTTPAddr, "listen address (MLBOM_HTTP_ADDR)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return withCode(exitUsage, "serve takes no arguments, got %q", pos)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(stderrOf(ctx), &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := api.New(api.Options{
		Store: db, Embedder: workers.Embedder(cfg),
		TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.TemporalNamespace,
		Logger: logger,
	})
	// Listen first so the address printed is the one bound (":0" included)
	// and a port in use fails before anything is announced.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s (--addr, MLBOM_HTTP_ADDR): %w", *addr, err)
	}
	fmt.Fprintf(stderrOf(ctx), "mlbom API on http://%s/api/ (store %s); Ctrl-C stops it\n", ln.Addr(), db.Backend())
	return api.ServeListener(ctx, ln, h)
}
