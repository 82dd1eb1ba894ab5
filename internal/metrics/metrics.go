// Package metrics is mlbom's Prometheus registry: the application metrics
// every process exports (HTTP requests, scans, findings by severity, step
// latencies, notifications, approvals, tracer events and drops) and the
// handler that serves them at /metrics.
//
// A *Metrics is made once per process and passed down. Every method is safe on
// a nil *Metrics and then does nothing, so a package can hold an optional
// *Metrics and `mlbom scan --local` need not build one.
//
// Label values come from small closed sets: anything else (a severity a user
// policy invented, an unknown channel) is counted under "other", so repository
// content can never grow the number of series.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric of ours; the Temporal SDK's own metrics
// keep their temporal_ prefix.
const Namespace = "mlbom"

// Metrics holds the process's registry and the collectors of ours.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	scansStarted  *prometheus.CounterVec
	scansFinished *prometheus.CounterVec
	findings      *prometheus.CounterVec
	activity      *prometheus.HistogramVec
	notifications *prometheus.CounterVec
	approvals     *prometheus.CounterVec
	tracerEvents  *prometheus.CounterVec
	tracerDrops   *prometheus.CounterVec
}

// Buckets for request and step latencies, in seconds: page loads are
// milliseconds, a Scan step of a large repository minutes.
var (
	httpBuckets     = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	activityBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}
)

// New makes a registry with the Go runtime and process collectors and every
// metric of ours registered.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.httpRequests = m.counter("http_requests_total", "HTTP requests answered, by method, route pattern and status code.", "method", "route", "code")
	m.httpDuration = m.histogram("http_request_duration_seconds", "Time to answer an HTTP request, by method and route pattern.", httpBuckets, "method", "route")
	m.scansStarted = m.counter("scans_started_total", "Scans started, by who started them (api, schedule, cli).", "via")
	m.scansFinished = m.counter("scans_finished_total", "Scans finished, by status (completed, failed) and verdict.", "status", "verdict")
	m.findings = m.counter("findings_total", "Policy findings raised by finished scans, by severity.", "severity")
	m.activity = m.histogram("activity_duration_seconds", "Time a pipeline step (Temporal activity) took, by step and outcome.", activityBuckets, "activity", "outcome")
	m.notifications = m.counter("notifications_total", "Notifications by channel and outcome (sent, skipped as already sent, resolved, recorded, failed).", "channel", "outcome")
	m.approvals = m.counter("approvals_total", "License-exception decisions sent to waiting scans, by decision.", "decision")
	m.tracerEvents = m.counter("tracer_events_total", "Runtime events the tracer received, by kind (path, binary, endpoint).", "kind")
	m.tracerDrops = m.counter("tracer_events_dropped_total", "Runtime events the tracer lost, by reason (ringbuf_full, queue_full, ...).", "reason")
	return m
}

func (m *Metrics) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}

func (m *Metrics) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
	m.reg.MustRegister(h)
	return h
}

// Registerer is where other collectors (the Temporal SDK's metrics) join
// ours, so one scrape returns them all.
func (m *Metrics) Registerer() prometheus.Registerer {
	if m == nil {
		return prometheus.NewRegistry() // registered into nothing anyone scrapes
	}
	return m.reg
}

// Gatherer reads the current values (tests, the text handler).
func (m *Metrics) Gatherer() prometheus.Gatherer {
	if m == nil {
		return prometheus.NewRegistry()
	}
	return m.reg
}

// Handler serves the Prometheus text (or OpenMetrics) exposition.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Gatherer(), promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// HTTPRequest counts one answered request. route is the pattern that served
// it ("GET /api/projects/{project}/bom"), never the raw path, which would
// make a series per project or scan ID.
func (m *Metrics) HTTPRequest(method, route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Ways a scan is started.
const (
	ViaAPI      = "api"
	ViaSchedule = "schedule"
	ViaCLI      = "cli"
)

// ScanStarted counts a scan started by via (ViaAPI, ViaSchedule, ViaCLI).
func (m *Metrics) ScanStarted(via string) {
	if m == nil {
		return
	}
	m.scansStarted.WithLabelValues(oneOf(via, ViaAPI, ViaSchedule, ViaCLI)).Inc()
}

// ScanFinished counts a finished scan with its status and verdict.
func (m *Metrics) ScanFinished(status, verdict string) {
	if m == nil {
		return
	}
	if verdict == "" {
		verdict = "none"
	}
	m.scansFinished.WithLabelValues(oneOf(status, "completed", "failed", "running"), oneOf(verdict, "pass", "warn", "deny", "none")).Inc()
}

// Severities are the finding severities counted by name.
var Severities = []string{"deny", "error", "critical", "high", "warn", "medium", "low", "info"}

// Findings adds n findings of one severity.
func (m *Metrics) Findings(severity string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.findings.WithLabelValues(oneOf(severity, Severities...)).Add(float64(n))
}

// Activity records how long one pipeline step took and whether it failed.
// Step names are the activity type names, a closed set chosen by our code.
func (m *Metrics) Activity(name string, d time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.activity.WithLabelValues(name, outcome).Observe(d.Seconds())
}

// Notification outcomes.
const (
	NotifySent     = "sent"
	NotifySkipped  = "skipped"
	NotifyResolved = "resolved"
	NotifyRecorded = "recorded"
	NotifyFailed   = "failed"
)

// Notifications adds n notifications on channel with an outcome (NotifySent, ...).
func (m *Metrics) Notifications(channel, outcome string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.notifications.WithLabelValues(oneOf(channel, "slack", "jira", "webhook", "record", "dry-run"),
		oneOf(outcome, NotifySent, NotifySkipped, NotifyResolved, NotifyRecorded, NotifyFailed)).Add(float64(n))
}

// Approval counts a license-exception decision (approve or reject).
func (m *Metrics) Approval(decision string) {
	if m == nil {
		return
	}
	m.approvals.WithLabelValues(oneOf(decision, "approve", "reject")).Inc()
}

// TracerEvents adds n runtime events of kind (path, binary, endpoint) that the
// tracer received.
func (m *Metrics) TracerEvents(kind string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.tracerEvents.WithLabelValues(oneOf(kind, "path", "binary", "endpoint")).Add(float64(n))
}

// TracerDropped adds n runtime events the tracer lost, with why; reason should
// be a short constant of the tracer's own ("ringbuf_full", "queue_full",
// "signal_failed").
func (m *Metrics) TracerDropped(reason string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.tracerDrops.WithLabelValues(label(reason)).Add(float64(n))
}

// oneOf keeps v when it is one of the allowed values and says "other" when
// it is not.
func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return "other"
}

// label bounds a free label value chosen by our own code: short, and made of
// the characters a constant would use.
func label(v string) string {
	if v == "" || len(v) > 40 {
		return "other"
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "other"
		}
	}
	return v
}

// StoreCounts are counts read from the store at scrape time.
type StoreCounts struct {
	// Scans by status and verdict.
	Scans map[[2]string]int
	// OpenFindings are the findings of each project's latest completed
	// scan, by severity.
	OpenFindings map[string]int
}

// StoreGauges registers gauges that read the store at each scrape
// (mlbom_stored_scans, mlbom_open_findings), so the API's /metrics shows the
// state of every project whichever worker did the work. A failed read is
// logged by the caller's read function and yields no samples.
func (m *Metrics) StoreGauges(read func(context.Context) (StoreCounts, error)) {
	if m == nil {
		return
	}
	// Registering twice (two servers on one registry) keeps the first.
	_ = m.reg.Register(&storeGauges{read: read,
		scans:    prometheus.NewDesc(Namespace+"_stored_scans", "Scans in the store, by status and verdict.", []string{"status", "verdict"}, nil),
		findings: prometheus.NewDesc(Namespace+"_open_findings", "Findings of each project's latest completed scan, by severity.", []string{"severity"}, nil)})
}

type storeGauges struct {
	read            func(context.Context) (StoreCounts, error)
	scans, findings *prometheus.Desc
}

func (g *storeGauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.scans
	ch <- g.findings
}

func (g *storeGauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := g.read(ctx)
	if err != nil {
		return
	}
	scans := map[[2]string]int{}
	for k, n := range c.Scans {
		v := k[1]
		if v == "" {
			v = "none"
		}
		scans[[2]string{oneOf(k[0], "completed", "failed", "running"), oneOf(v, "pass", "warn", "deny", "none")}] += n
	}
	for k, n := range scans {
		ch <- prometheus.MustNewConstMetric(g.scans, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	sevs := map[string]int{}
	for s, n := range c.OpenFindings {
		sevs[oneOf(s, Severities...)] += n
	}
	for s, n := range sevs {
		ch <- prometheus.MustNewConstMetric(g.findings, prometheus.GaugeValue, float64(n), s)
	}
}
