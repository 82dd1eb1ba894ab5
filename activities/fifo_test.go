package activities

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Named pipes among the source files and as .git must not hang a scan: they
// are skipped with a reason and everything else is scanned.
func TestScanSkipsNamedPipes(t *testing.T) {
	a := newActivities(t)
	repo := writeRepo(t)
	for _, p := range []string{".git", "model/weights.safetensors", "data/train.jsonl", "app.yaml"} {
		full := filepath.Join(repo, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if err := syscall.Mkfifo(full, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	done := make(chan error, 1)
	var res *ScanResult
	go func() {
		var err error
		res, err = a.Scan(context.Background(), ScanRequest{ScanID: "s", Source: repo, Project: "p"})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
		require.Equal(t, 1, res.Weights, "the real safetensors file is scanned")
		require.GreaterOrEqual(t, res.Skipped, 4, "each pipe is reported")
	case <-time.After(20 * time.Second):
		t.Fatal("a scan with named pipes in the tree hangs")
	}
}
