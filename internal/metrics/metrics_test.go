package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCounters(t *testing.T) {
	m := New()
	m.ScanStarted(ViaAPI)
	m.ScanStarted(ViaAPI)
	m.ScanStarted("carrier pigeon")
	m.ScanFinished("completed", "deny")
	m.ScanFinished("failed", "")
	m.Findings("high", 3)
	m.Findings("high", 2)
	m.Findings("<script>", 1) // user policies may invent severities
	m.Findings("low", 0)
	m.Notifications("slack", NotifySent, 4)
	m.Notifications("jira", NotifySkipped, 1)
	m.Approval("approve")
	m.TracerEvents("path", 10)
	m.TracerDropped("ringbuf_full", 2)
	m.TracerDropped("Dropped Because Of Things!", 1)
	m.Activity("Scan", 1500*time.Millisecond, nil)
	m.Activity("Scan", time.Second, errors.New("boom"))
	m.HTTPRequest("GET", "GET /api/projects", 200, 3*time.Millisecond)
	m.HTTPRequest("GET", "", 404, time.Millisecond)

	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"api starts", testutil.ToFloat64(m.scansStarted.WithLabelValues("api")), 2},
		{"unknown via is other", testutil.ToFloat64(m.scansStarted.WithLabelValues("other")), 1},
		{"completed deny", testutil.ToFloat64(m.scansFinished.WithLabelValues("completed", "deny")), 1},
		{"failed without verdict", testutil.ToFloat64(m.scansFinished.WithLabelValues("failed", "none")), 1},
		{"high findings add up", testutil.ToFloat64(m.findings.WithLabelValues("high")), 5},
		{"invented severity is other", testutil.ToFloat64(m.findings.WithLabelValues("other")), 1},
		{"slack sent", testutil.ToFloat64(m.notifications.WithLabelValues("slack", "sent")), 4},
		{"jira skipped", testutil.ToFloat64(m.notifications.WithLabelValues("jira", "skipped")), 1},
		{"approvals", testutil.ToFloat64(m.approvals.WithLabelValues("approve")), 1},
		{"tracer events", testutil.ToFloat64(m.tracerEvents.WithLabelValues("path")), 10},
		{"tracer drops", testutil.ToFloat64(m.tracerDrops.WithLabelValues("ringbuf_full")), 2},
		{"free-text drop reason is other", testutil.ToFloat64(m.tracerDrops.WithLabelValues("other")), 1},
		{"http by route", testutil.ToFloat64(m.httpRequests.WithLabelValues("GET", "GET /api/projects", "200")), 1},
		{"http without route", testutil.ToFloat64(m.httpRequests.WithLabelValues("GET", "unmatched", "404")), 1},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m.findings); n != 2 {
		t.Errorf("findings series = %d, want 2 (zero adds make none)", n)
	}
	if n := testutil.CollectAndCount(m.activity); n != 2 {
		t.Errorf("activity series = %d, want ok and error", n)
	}
}

// TestNilIsNoop: packages hold an optional *Metrics; nil must never panic.
func TestNilIsNoop(t *testing.T) {
	var m *Metrics
	m.ScanStarted(ViaCLI)
	m.ScanFinished("completed", "pass")
	m.Findings("high", 1)
	m.Activity("Scan", time.Second, nil)
	m.Notifications("slack", NotifySent, 1)
	m.Approval("reject")
	m.TracerEvents("path", 1)
	m.TracerDropped("x", 1)
	m.HTTPRequest("GET", "/", 200, 0)
	if err := m.Registerer().Register(New().findings); err != nil {
		t.Errorf("Register on nil: %v", err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("nil handler: %d", rec.Code)
	}
}

func TestHandlerExposition(t *testing.T) {
	m := New()
	m.Findings("deny", 2)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`mlbom_findings_total{severity="deny"} 2`,
		"# TYPE mlbom_activity_duration_seconds histogram",
		"go_goroutines",
		"process_cpu_seconds_total",
	} {
		if !strings.Contains(string(body), want) && !strings.Contains(string(body), strings.SplitN(want, " ", 2)[0]) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if !strings.Contains(string(body), `mlbom_findings_total{severity="deny"} 2`) {
		t.Errorf("findings value missing:\n%s", body)
	}
}

func TestStoreGauges(t *testing.T) {
	m := New()
	calls := 0
	m.StoreGauges(func(context.Context) (StoreCounts, error) {
		calls++
		return StoreCounts{
			Scans:        map[[2]string]int{{"completed", "deny"}: 2, {"running", ""}: 1, {"completed", "<b>"}: 1},
			OpenFindings: map[string]int{"high": 3, "made-up": 1},
		}, nil
	})
	m.StoreGauges(func(context.Context) (StoreCounts, error) {
		t.Error("second registration used")
		return StoreCounts{}, nil
	})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`mlbom_stored_scans{status="completed",verdict="deny"} 2`,
		`mlbom_stored_scans{status="running",verdict="none"} 1`,
		`mlbom_stored_scans{status="completed",verdict="other"} 1`,
		`mlbom_open_findings{severity="high"} 3`,
		`mlbom_open_findings{severity="other"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %s", want)
		}
	}
	if calls != 1 {
		t.Errorf("read %d times for one scrape", calls)
	}
}
