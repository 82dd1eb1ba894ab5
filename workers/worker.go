package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/workflows"
)

// Dial connects to the Temporal server named by the configuration.
func Dial(cfg *config.Config, logger *slog.Logger) (client.Client, error) {
	return DialMetrics(cfg, logger, nil)
}

// clientOptions are the client's options from the configuration, with the
// SDK's metrics going to m (nil: nowhere).
func clientOptions(cfg *config.Config, logger *slog.Logger, m *metrics.Metrics) client.Options {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    newLogger(logger),
	}
	if m != nil {
		opts.MetricsHandler = TemporalMetrics(m)
	}
	return opts
}

// DialMetrics is Dial with the SDK's metrics going to m (nil: nowhere).
func DialMetrics(cfg *config.Config, logger *slog.Logger, m *metrics.Metrics) (client.Client, error) {
	c, err := client.Dial(clientOptions(cfg, logger, m))
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (MLBOM_TEMPORAL_ADDRESS): %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// DialLazy is DialMetrics that connects on first use, so a server that needs
// Temporal only for some requests starts (and reports itself not ready)
// while Temporal is down.
func DialLazy(cfg *config.Config, logger *slog.Logger, m *metrics.Metrics) (client.Client, error) {
	c, err := client.NewLazyClient(clientOptions(cfg, logger, m))
	if err != nil {
		return nil, fmt.Errorf("Temporal client for %s (MLBOM_TEMPORAL_ADDRESS): %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// EnsureSearchAttributes registers the custom search attributes the workflows
// set, if the server does not have them yet.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	want := map[string]enumspb.IndexedValueType{
		workflows.SearchAttributeProject: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		workflows.SearchAttributeVerdict: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
	ops := c.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, t := range want {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = t
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// Run polls the scan task queue until ctx is done.
func Run(ctx context.Context, c client.Client, cfg *config.Config, deps *Deps) error {
	if err := EnsureSearchAttributes(ctx, c, cfg.TemporalNamespace); err != nil {
		return err
	}
	w := worker.New(c, cfg.TaskQueue, worker.Options{
		// Scans are I/O and hash bound; a few at a time keep the machine responsive.
		MaxConcurrentActivityExecutionSize: 8,
		// Workflow and activity tasks of one scan follow each other closely;
		// a short sticky timeout keeps the cache warm between steps.
		StickyScheduleToStartTimeout: 5 * time.Second,
		Interceptors:                 []interceptor.WorkerInterceptor{Observe(deps.Metrics)},
	})
	Register(w, deps.Activities)
	go reembed(ctx, deps)
	stop := make(chan any)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	if err := w.Run(stop); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}

// reembed brings stored evidence up to the configured embedder (after a
// change of embedder or dimension, vectors of the old one no longer match
// queries), a batch at a time, in the background of a running worker.
func reembed(ctx context.Context, deps *Deps) {
	s := search.NewSearcher(deps.Store, deps.Activities.Embedder, search.Options{})
	total := 0
	for ctx.Err() == nil {
		n, err := s.Reembed(ctx, 256)
		if err != nil {
			slog.Warn("re-embedding stored evidence", "error", err, "done", total)
			return
		}
		if n == 0 {
			break
		}
		total += n
	}
	if total > 0 {
		slog.Info("re-embedded stored evidence", "documents", total, "embedder", deps.Activities.Embedder.Name())
	}
}

// ServeMetrics serves m at http://addr/metrics until ctx is done. The worker
// has no other HTTP surface; addr defaults to loopback so that exposing it
// is a deliberate choice. A port in use is logged, not fatal: scans matter
// more than their counters.
func ServeMetrics(ctx context.Context, addr string, m *metrics.Metrics, logger *slog.Logger) {
	if addr == "" || addr == "off" {
		return
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		logger.Error("metrics endpoint not served (MLBOM_METRICS_ADDR)", "addr", addr, "error", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	logger.Info("metrics endpoint", "url", "http://"+ln.Addr().String()+"/metrics")
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics endpoint stopped", "error", err)
		}
	}()
}
