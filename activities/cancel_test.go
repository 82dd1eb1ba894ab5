package activities

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A Scan cancelled (or timed out) while it scans model files stops there
// and returns the context's error: it does not scan the remaining files or
// store a record of a scan cut short.
func TestScanStopsWhenCancelledDuringModelScan(t *testing.T) {
	a := newActivities(t)
	repo := writeRepo(t)
	st, err := os.ReadFile(filepath.Join(repo, "model/model.safetensors"))
	require.NoError(t, err)
	for _, n := range []string{"a", "b", "c", "d"} {
		require.NoError(t, os.WriteFile(filepath.Join(repo, "model", n+".safetensors"), st, 0o644))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := runtime.NumGoroutine()
	var phases []string
	a.OnScanProgress = func(p ScanProgress) {
		phases = append(phases, p.Phase)
		if strings.HasPrefix(p.Phase, PhaseModelScan) {
			cancel()
		}
	}
	res, err := a.Scan(ctx, ScanRequest{ScanID: "s", Source: repo, Project: "p"})
	require.Error(t, err)
	require.True(t, errors.Is(err, context.Canceled), "error %v", err)
	require.Nil(t, res)
	modelscans := 0
	for _, p := range phases {
		if strings.HasPrefix(p, PhaseModelScan) {
			modelscans++
		}
	}
	require.Equal(t, 1, modelscans, "files scanned after the cancel: phases %v", phases)
	// Nothing the scan started runs on (an activity timeout is the same
	// cancellation): give exiting goroutines a moment, then count.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before the scan, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// A file that outlasts the per-file time budget is a skip with its reason in
// the scan's result, which the summary counts and the BOM lists.
func TestScanReportsFileTimeBudgetSkip(t *testing.T) {
	a := newActivities(t)
	a.Discover.FileTimeBudget = time.Nanosecond
	repo := writeRepo(t)
	res, err := a.Scan(context.Background(), ScanRequest{ScanID: "s", Source: repo, Project: "p"})
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.Skipped, 1)
	var rec ScanRecord
	require.NoError(t, a.getJSON(context.Background(), res.ResultRef, &rec))
	found := false
	for _, s := range rec.Result.Skipped {
		if s.Path == "serve.py" && strings.Contains(s.Reason, "time budget exceeded") {
			found = true
		}
	}
	require.True(t, found, "skipped: %+v", rec.Result.Skipped)
	require.Equal(t, 1, res.Weights, "weights are still scanned")
}
