package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/runtime"
)

// traceFlags are the options shared by both ways of running the agent.
type traceFlags struct {
	stdout   bool
	project  string
	source   string
	duration time.Duration
	window   time.Duration
	interval time.Duration
	noHash   bool
	allExec  bool
	progs    listFlag
	eps      listFlag
	ringSize int
	stats    bool
	node     string
	// Temporal mode only.
	flushEvery  string
	metricsAddr string
}

func runTrace(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "trace")
	var tf traceFlags
	fs.BoolVar(&tf.stdout, "stdout", false, "print events as JSON lines instead of sending them to Temporal")
	fs.StringVar(&tf.project, "project", "", "attribute every event to this project")
	fs.StringVar(&tf.source, "source", runtime.SourceAuto, "auto (eBPF, else /proc polling), ebpf or proc")
	fs.DurationVar(&tf.duration, "duration", 0, "stop after this long (default: until interrupted)")
	fs.DurationVar(&tf.window, "window", 10*time.Second, "fold repeats of an event within this window into one count")
	fs.DurationVar(&tf.interval, "batch-interval", 2*time.Second, "longest wait before a batch is sent")
	fs.BoolVar(&tf.noHash, "no-hash", false, "do not hash model files (no verified tier)")
	fs.BoolVar(&tf.allExec, "all-exec", false, "report every program execution, not only configured runtimes")
	fs.Var(&tf.progs, "program", "also report executions of this program name (repeatable)")
	fs.Var(&tf.eps, "endpoint", "also report connections to HOST[:PORT][=NAME] (repeatable)")
	fs.IntVar(&tf.ringSize, "ring-buffer", 0, "eBPF ring buffer size in bytes (power of two; default 16 MiB)")
	fs.BoolVar(&tf.stats, "stats", false, "print the counters (events, folded, dropped) to stderr at exit")
	fs.StringVar(&tf.node, "node", "", "node name reported with every event and in the workflow ID tracer/NODE (default: the host name)")
	fs.StringVar(&tf.flushEvery, "flush-every", "", "how often the TracerWorkflow it starts persists and judges observations (default 1m)")
	fs.StringVar(&tf.metricsAddr, "metrics-addr", "", "serve Prometheus metrics (events, drops) at http://ADDR/metrics")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return withCode(exitUsage, "trace takes no arguments, got %q", pos)
	}
	opts, err := traceOptions(ctx, cfg, &tf)
	if err != nil {
		return err
	}
	if tf.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tf.duration)
		defer cancel()
	}
	if !tf.stdout {
		return traceToTemporal(ctx, cfg, opts, &tf)
	}
	agent, err := runtime.New(ctx, opts)
	if err != nil {
		return err
	}
	err = traceDone(agent.Run(ctx, &lineSink{w: stdoutOf(ctx)}))
	if tf.stats {
		printStats(ctx, agent)
	}
	return err
}

// traceDone: --duration ends the agent like an interrupt does, and both
// are a normal end.
func traceDone(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func traceOptions(ctx context.Context, cfg *config.Config, tf *traceFlags) (runtime.Options, error) {
	data, err := policy.Data(policy.Options{ExtraDir: cfg.PolicyDir})
	if err != nil {
		return runtime.Options{}, fmt.Errorf("read runtime lists from policy data: %w", err)
	}
	filters, err := runtime.FiltersFromData(data)
	if err != nil {
		return runtime.Options{}, fmt.Errorf("policy data: %w", err)
	}
	filters.Programs = append(filters.Programs, tf.progs...)
	filters.AllExec = tf.allExec
	for _, s := range tf.eps {
		ep, err := runtime.ParseEndpoint(s)
		if err != nil {
			return runtime.Options{}, withCode(exitUsage, "--endpoint: %v", err)
		}
		// Explicit endpoints come first so their names win for an address
		// a provider host also resolves to.
		filters.Endpoints = append([]runtime.EndpointSpec{ep}, filters.Endpoints...)
	}
	node := tf.node
	if node == "" {
		if node, err = os.Hostname(); err != nil {
			return runtime.Options{}, fmt.Errorf("host name (give --node): %w", err)
		}
	}
	pods, err := runtime.InClusterPods(node)
	if err != nil {
		return runtime.Options{}, fmt.Errorf("read pods from the Kubernetes API: %w", err)
	}
	return runtime.Options{
		Node: node, Metrics: metrics.New(), Pods: pods,
		Project: tf.project, Filters: filters, Source: tf.source, Window: tf.window,
		BatchInterval: tf.interval, NoHash: tf.noHash, RingBufferSize: tf.ringSize,
		Log: slog.New(slog.NewTextHandler(stderrOf(ctx), &slog.HandlerOptions{Level: slog.LevelInfo})),
		Ready: func(source string) {
			fmt.Fprintf(stderrOf(ctx), "mlbom trace: watching with %s (%d file extensions, %d programs, %d endpoints); Ctrl-C stops it\n",
				source, len(filters.Extensions()), len(filters.Programs), len(filters.Endpoints))
		},
	}, nil
}

func printStats(ctx context.Context, a *runtime.Agent) {
	s := a.Stats()
	fmt.Fprintf(stderrOf(ctx), "mlbom trace: %d events received, %d sent, %d folded (%d more in the kernel), %d dropped (kernel %d, queue %d), %d hashes skipped, %d batches refused by a full spool\n",
		s.Received, s.Sent, s.Folded, s.KernelFolded, s.Dropped(), s.KernelDropped, s.QueueDropped, s.HashSkipped, s.SpoolDropped)
}

// lineSink prints every event of a batch as one JSON line.
type lineSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *lineSink) Send(_ context.Context, b runtime.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc := json.NewEncoder(s.w)
	for i := range b.Events {
		if err := enc.Encode(&b.Events[i]); err != nil {
			return err
		}
	}
	return nil
}
