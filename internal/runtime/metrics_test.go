package runtime

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/mlbom/autopilot/internal/metrics"
)

// The agent reports what it sent by kind and what the kernel dropped, as
// deltas between batches.
func TestAgentMetrics(t *testing.T) {
	m := metrics.New()
	a := &Agent{opts: Options{Metrics: m}}
	a.countMetrics(Batch{Events: []Event{{Type: TypeOpen, Count: 3}, {Type: TypeExec, Count: 1}, {Type: TypeConnect, Count: 2}}, Stats: Stats{KernelDropped: 5}})
	a.countMetrics(Batch{Events: []Event{{Type: TypeOpen, Count: 1}}, Stats: Stats{KernelDropped: 7}})
	want := `
# HELP mlbom_tracer_events_dropped_total Runtime events the tracer lost, by reason (ringbuf_full, queue_full, ...).
# TYPE mlbom_tracer_events_dropped_total counter
mlbom_tracer_events_dropped_total{reason="ringbuf_full"} 7
# HELP mlbom_tracer_events_total Runtime events the tracer received, by kind (path, binary, endpoint).
# TYPE mlbom_tracer_events_total counter
mlbom_tracer_events_total{kind="binary"} 1
mlbom_tracer_events_total{kind="endpoint"} 2
mlbom_tracer_events_total{kind="path"} 4
`
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(want), "mlbom_tracer_events_total", "mlbom_tracer_events_dropped_total"); err != nil {
		t.Error(err)
	}
}
