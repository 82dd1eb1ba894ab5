package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/store"
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
	logger, err := processLogger(ctx, cfg)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	m := metrics.New()
	// Temporal is needed for starting scans, decisions and schedules only:
	// the dashboard serves what the store holds while Temporal is down.
	c, err := workers.DialLazy(cfg, logger, m)
	if err != nil {
		return err
	}
	defer c.Close()
	h := api.New(api.Options{
		Store: db, Embedder: workers.Embedder(cfg),
		TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.TemporalNamespace,
		Logger: logger, Metrics: m, Runs: workers.NewRuns(c, cfg),
		Anonymous: cfg.HTTPAnonymous, LocalSources: cfg.HTTPLocalSources,
	})
	// Listen first so the address printed is the one bound (":0" included)
	// and a port in use fails before anything is announced.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s (--addr, MLBOM_HTTP_ADDR): %w", *addr, err)
	}
	scheme := "http"
	if cfg.HTTPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.HTTPTLSCert, cfg.HTTPTLSKey)
		if err != nil {
			ln.Close()
			return withCode(exitUsage, "MLBOM_HTTP_TLS_CERT/MLBOM_HTTP_TLS_KEY: %v", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	w := stderrOf(ctx)
	fmt.Fprintf(w, "mlbom dashboard and API on %s://%s/ (store %s); Ctrl-C stops it\n", scheme, ln.Addr(), db.Backend())
	if cfg.HTTPAnonymous != "" {
		fmt.Fprintf(w, "NOTE: anonymous read-only access is ON (MLBOM_HTTP_ANONYMOUS=%s): anyone who reaches this address can read every project\n", cfg.HTTPAnonymous)
	}
	if toks, err := db.ListTokens(ctx); err == nil && len(toks) == 0 {
		fmt.Fprintln(w, "no API tokens yet: create one with `mlbom token create --role admin --name YOUR-NAME` and sign in with it")
	}
	go expireSessions(ctx, db, logger)
	return api.ServeListener(ctx, ln, h)
}

// expireSessions deletes expired browser sessions now and every hour.
func expireSessions(ctx context.Context, db *store.DB, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := db.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			logger.Info("deleted expired sessions", "sessions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
