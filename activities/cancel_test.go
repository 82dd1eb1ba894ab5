package activities

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
}
