package workers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/logs"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// observed answers like noop, but with findings and a notification, and logs
// through slog from inside an activity.
type observed struct {
	noop
	log *slog.Logger
}

func (o observed) Scan(ctx context.Context, r activities.ScanRequest) (*activities.ScanResult, error) {
	o.log.InfoContext(ctx, "scanning", "source", r.Source)
	return o.noop.Scan(ctx, r)
}

func (observed) EvaluatePolicy(context.Context, activities.PolicyRequest) (*activities.PolicyResult, error) {
	return &activities.PolicyResult{Verdict: "deny", Findings: 3, BySeverity: map[string]int{"high": 2, "deny": 1}, DecisionRef: "d"}, nil
}

func (observed) Notify(context.Context, activities.NotifyRequest) (*activities.NotifyResult, error) {
	return &activities.NotifyResult{Channels: []string{"slack"}, Sent: 3}, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWorkerObservability runs a ScanWorkflow on a real dev server through
// the worker's interceptor and the SDK metrics handler, then reads the
// registry: our scan, finding, activity and notification series, the SDK's
// own temporal_* series, and an activity's slog line with the run's IDs.
func TestWorkerObservability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	srv := devserver.Start(t)
	m := metrics.New()
	cfg := &config.Config{TemporalAddress: srv.Address, TemporalNamespace: "default"}
	c, err := workers.DialMetrics(cfg, nil, m)
	require.NoError(t, err)
	defer c.Close()

	var logBuf syncBuffer
	logger, err := logs.New(&logBuf, "json", "info")
	require.NoError(t, err)
	w := worker.New(c, workflows.TaskQueue, worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.Observe(m)}})
	workers.RegisterWorkflows(w)
	w.RegisterActivityWithOptions(&observed{log: logger}, activity.RegisterOptions{})
	require.NoError(t, w.Start())
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "scan/observed/1", TaskQueue: workflows.TaskQueue,
		Memo: map[string]any{workers.MemoStartedVia: metrics.ViaAPI}},
		workflows.ScanWorkflowName, workflows.ScanInput{Source: "/x", Project: "p"})
	require.NoError(t, err)
	var sum workflows.ScanSummary
	require.NoError(t, run.Get(ctx, &sum))
	// A query replays the closed run; the counters must not count it again.
	_, err = c.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), workflows.ProgressQuery)
	require.NoError(t, err)

	text := gather(t, m)
	for _, want := range []string{
		`mlbom_scans_started_total{via="api"} 1`,
		`mlbom_scans_finished_total{status="completed",verdict="deny"} 1`,
		`mlbom_findings_total{severity="high"} 2`,
		`mlbom_findings_total{severity="deny"} 1`,
		`mlbom_notifications_total{channel="slack",outcome="sent"} 3`,
		`mlbom_activity_duration_seconds_count{activity="Scan",outcome="ok"} 1`,
		`mlbom_activity_duration_seconds_count{activity="Notify",outcome="ok"} 1`,
		`temporal_workflow_completed{`,
		`temporal_activity_execution_latency_seconds_bucket{`,
		`temporal_request{`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", text)
	}

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logBuf.String()), "\n") {
		if strings.Contains(l, `"scanning"`) {
			require.NoError(t, json.Unmarshal([]byte(l), &line))
		}
	}
	require.NotNil(t, line, "no log line from the activity: %s", logBuf.String())
	require.Equal(t, run.GetID(), line[logs.KeyWorkflowID])
	require.Equal(t, run.GetRunID(), line[logs.KeyRunID])
}

func gather(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	mfs, err := m.Gatherer().Gather()
	require.NoError(t, err)
	var b strings.Builder
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			var labels []string
			for _, l := range mt.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			name := mf.GetName()
			lb := "{" + strings.Join(labels, ",") + "}"
			switch {
			case mt.Counter != nil:
				b.WriteString(name + lb + " " + trimFloat(mt.GetCounter().GetValue()) + "\n")
			case mt.Gauge != nil:
				b.WriteString(name + lb + " " + trimFloat(mt.GetGauge().GetValue()) + "\n")
			case mt.Histogram != nil:
				b.WriteString(name + "_count" + lb + " " + trimFloat(float64(mt.GetHistogram().GetSampleCount())) + "\n")
				b.WriteString(name + "_bucket" + lb + "\n")
			}
		}
	}
	return b.String()
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
