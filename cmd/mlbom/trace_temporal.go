package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/runtime"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workflows"
)

// traceToTemporal runs the agent with batches going through the spool under
// MLBOM_HOME to the node's TracerWorkflow. The Temporal client connects
// lazily: a server that is down at start (or later) only means batches wait
// in the spool.
func traceToTemporal(ctx context.Context, cfg *config.Config, opts runtime.Options, tf *traceFlags) error {
	c, err := workers.DialLazy(cfg, slog.New(slog.NewTextHandler(stderrOf(ctx), &slog.HandlerOptions{Level: slog.LevelError})), opts.Metrics)
	if err != nil {
		return err
	}
	defer c.Close()
	sender := &workers.TracerSender{Client: c, TaskQueue: cfg.TaskQueue, FlushEvery: tf.flushEvery}
	dir := filepath.Join(cfg.DataDir, "spool", "tracer")
	spool, err := runtime.OpenSpool(dir, sender, runtime.SpoolOptions{Log: opts.Log})
	if err != nil {
		return err
	}
	if tf.metricsAddr != "" {
		ln, err := net.Listen("tcp", tf.metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr %s: %w", tf.metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", opts.Metrics.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln) //nolint:errcheck // ends with the process
		defer srv.Close()
	}
	agent, err := runtime.New(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderrOf(ctx), "mlbom trace: sending to workflow %s%s at %s (spool %s)\n", workflows.TracerIDPrefix, opts.Node, cfg.TemporalAddress, dir)
	fwdCtx, stopFwd := context.WithCancel(context.WithoutCancel(ctx))
	fwdDone := make(chan struct{})
	go func() { spool.Forward(fwdCtx); close(fwdDone) }()
	runErr := traceDone(agent.Run(ctx, spool))
	stopFwd()
	<-fwdDone
	// One last try to deliver what is spooled; what fails waits for the
	// next start.
	fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := spool.Flush(fctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderrOf(ctx), "mlbom trace: %d batches stay in %s until the next start: %v\n", spool.Pending(), dir, err)
	}
	if tf.stats {
		printStats(ctx, agent)
	}
	return runErr
}
