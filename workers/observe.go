package workers

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/logs"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/workflows"
)

// MemoStartedVia is the memo key a starter sets to say how a scan was
// started ("api"); the Temporal UI shows it with the run, and the worker
// counts scans by it.
const MemoStartedVia = "mlbomStartedVia"

// MemoStartedBy is the memo key naming who started a scan (an API token's
// name), kept with the run in Temporal.
const MemoStartedBy = "mlbomStartedBy"

// Observe is the worker interceptor that feeds our metrics and logs: every
// activity's latency and outcome, scans started and finished with their
// verdict, findings by severity, notifications; and each activity's context
// carries its workflow and run IDs, so whatever an activity logs through
// slog carries them too.
func Observe(m *metrics.Metrics) interceptor.WorkerInterceptor { return &observe{m: m} }

type observe struct {
	interceptor.WorkerInterceptorBase
	m *metrics.Metrics
}

func (o *observe) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &observeActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, m: o.m}
}

func (o *observe) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &observeWorkflow{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, m: o.m}
}

type observeActivity struct {
	interceptor.ActivityInboundInterceptorBase
	m *metrics.Metrics
}

func (a *observeActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	ctx = logs.WithRun(ctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	start := time.Now()
	res, err := a.Next.ExecuteActivity(ctx, in)
	a.m.Activity(info.ActivityType.Name, time.Since(start), err)
	if err == nil {
		if r, ok := res.(*activities.NotifyResult); ok && r != nil {
			countNotifications(a.m, r)
		}
	}
	return res, err
}

// countNotifications labels a result with its channel when there is one
// channel; several channels' counts arrive summed, and are counted as "all".
func countNotifications(m *metrics.Metrics, r *activities.NotifyResult) {
	ch := "all"
	switch {
	case r.DryRun:
		ch = "dry-run"
	case len(r.Channels) == 1:
		ch = r.Channels[0]
	}
	m.Notifications(ch, metrics.NotifySent, r.Sent)
	m.Notifications(ch, metrics.NotifySkipped, r.Skipped)
	m.Notifications(ch, metrics.NotifyResolved, r.Resolved)
	m.Notifications(ch, metrics.NotifyRecorded, r.Recorded)
}

type observeWorkflow struct {
	interceptor.WorkflowInboundInterceptorBase
	m *metrics.Metrics
}

// ExecuteWorkflow counts a scan when it starts and when it ends, but not
// when a replay (a query on a closed run, a worker picking up a run from
// history) passes the same points again.
func (w *observeWorkflow) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	info := workflow.GetInfo(ctx)
	scan := info.WorkflowType.Name == workflows.ScanWorkflowName
	if scan && !workflow.IsReplaying(ctx) {
		w.m.ScanStarted(startedVia(info))
	}
	res, err := w.Next.ExecuteWorkflow(ctx, in)
	if !scan || workflow.IsReplaying(ctx) {
		return res, err
	}
	if err != nil {
		w.m.ScanFinished("failed", "")
		return res, err
	}
	if sum, ok := res.(*workflows.ScanSummary); ok && sum != nil {
		w.m.ScanFinished("completed", sum.Verdict)
		// Deterministic order is not needed for counters, but keeps the
		// workflowcheck-minded reader calm.
		sevs := make([]string, 0, len(sum.BySeverity))
		for s := range sum.BySeverity {
			sevs = append(sevs, s)
		}
		sort.Strings(sevs)
		for _, s := range sevs {
			w.m.Findings(s, sum.BySeverity[s])
		}
	}
	return res, err
}

// startedVia: a Temporal Schedule marks its runs with TemporalScheduledById;
// the API says so in the memo; anything else came from the CLI (or the
// temporal CLI, which is the same to us).
func startedVia(info *workflow.Info) string {
	if info.SearchAttributes != nil && info.SearchAttributes.GetIndexedFields()["TemporalScheduledById"] != nil {
		return metrics.ViaSchedule
	}
	if info.Memo != nil {
		if p := info.Memo.GetFields()[MemoStartedVia]; p != nil {
			var via string
			if converter.GetDefaultDataConverter().FromPayload(p, &via) == nil && via != "" {
				return via
			}
		}
	}
	return metrics.ViaCLI
}

// TemporalMetrics turns the SDK's metrics (requests, polls, task latencies,
// workflow and activity outcomes) into Prometheus series in m's registry, so
// one scrape of the worker returns the SDK's metrics and ours. Timers become
// histograms in seconds.
func TemporalMetrics(m *metrics.Metrics) client.MetricsHandler {
	s := &sdkSeries{series: map[string]prometheus.Collector{}}
	if err := m.Registerer().Register(s); err != nil {
		// Registered once per registry; a second call reuses nothing and
		// still works, only unscraped.
		s = &sdkSeries{series: map[string]prometheus.Collector{}}
	}
	return &sdkHandler{s: s}
}

// sdkSeries is an unchecked collector: the SDK tags one metric name with
// different tag sets (namespace only, or namespace and task queue), which a
// fixed-label vector cannot hold.
type sdkSeries struct {
	mu     sync.Mutex
	series map[string]prometheus.Collector
}

func (s *sdkSeries) Describe(chan<- *prometheus.Desc) {}

func (s *sdkSeries) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	cs := make([]prometheus.Collector, 0, len(s.series))
	for _, c := range s.series {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.Collect(ch)
	}
}

// get returns the series for kind+name+tags, made by mk on first use.
func (s *sdkSeries) get(kind, name string, tags map[string]string, mk func(prometheus.Labels) prometheus.Collector) prometheus.Collector {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var id strings.Builder
	id.WriteString(kind + "\x00" + name)
	labels := prometheus.Labels{}
	for _, k := range keys {
		id.WriteString("\x00" + k + "=" + tags[k])
		labels[promName(k)] = tags[k]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.series[id.String()]
	if !ok {
		c = mk(labels)
		s.series[id.String()] = c
	}
	return c
}

var invalidName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

func promName(s string) string {
	s = invalidName.ReplaceAllString(s, "_")
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "_" + s
	}
	return s
}

// SDK timers span milliseconds (polls, task latencies) to hours (a scan
// waiting days for an approval shows in end-to-end latency).
var sdkBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 86400}

type sdkHandler struct {
	s    *sdkSeries
	tags map[string]string
}

func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &sdkHandler{s: h.s, tags: merged}
}

func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	c := h.s.get("c", name, h.tags, func(l prometheus.Labels) prometheus.Collector {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: promName(name), Help: "Temporal SDK counter " + name + ".", ConstLabels: l})
	}).(prometheus.Counter)
	return counterFunc(func(d int64) {
		if d > 0 {
			c.Add(float64(d))
		}
	})
}

func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	g := h.s.get("g", name, h.tags, func(l prometheus.Labels) prometheus.Collector {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: promName(name), Help: "Temporal SDK gauge " + name + ".", ConstLabels: l})
	}).(prometheus.Gauge)
	return gaugeFunc(g.Set)
}

func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	o := h.s.get("t", name, h.tags, func(l prometheus.Labels) prometheus.Collector {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: promName(name) + "_seconds", Help: "Temporal SDK timer " + name + ".", ConstLabels: l, Buckets: sdkBuckets})
	}).(prometheus.Histogram)
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
