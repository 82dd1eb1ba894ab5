package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// TestE2ETraceSpoolAndWorkflow: the agent runs while the Temporal server is
// down, is restarted, and only then the server comes up. Every model file
// opened in between reaches the node's TracerWorkflow (all batches accepted
// into the spool arrive), which persists them into runtime_observations.
func TestE2ETraceSpoolAndWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; -short")
	}
	devserver.Require(t)
	port := devserver.FreePort(t)
	home := t.TempDir()
	dbPath := filepath.Join(home, "mlbom.db")
	env := []string{
		fmt.Sprintf("MLBOM_TEMPORAL_ADDRESS=127.0.0.1:%d", port),
		"MLBOM_HOME=" + home, "MLBOM_DB=sqlite:" + dbPath, "MLBOM_HF_RESOLVE=false",
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	models := t.TempDir()
	names := []string{"first.safetensors", "second.gguf", "third.onnx"}
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(models, n), []byte("weights of "+n), 0o644))
	}
	spool := filepath.Join(home, "spool", "tracer")
	spooled := func(substr string) bool {
		files, _ := filepath.Glob(filepath.Join(spool, "*.json"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), substr) {
				return true
			}
		}
		return false
	}
	const node = "e2e-node"
	startAgent := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"trace", "--node", node, "--source", "ebpf", "--batch-interval", "100ms", "--flush-every", "2s"}, &out, &errOut)
		}()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(errOut.String(), "sending to workflow") {
			select {
			case code := <-done:
				if strings.Contains(errOut.String(), "eBPF tracing unavailable") && os.Getenv("MLBOM_REQUIRE_EBPF") != "1" {
					t.Skipf("skipping: %s", errOut.String())
				}
				t.Fatalf("agent exited %d: %s", code, errOut.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("agent did not start: %s", errOut.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		return func() {
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("agent exit %d: %s", code, errOut.String())
			}
		}
	}
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	cat := func(n string) {
		require.NoError(t, exec.Command("cat", filepath.Join(models, n)).Run())
	}

	// Server down: events are accepted into the spool.
	stop := startAgent()
	cat(names[0])
	cat(names[1])
	waitFor("the first batches in the spool", 30*time.Second, func() bool { return spooled(names[0]) && spooled(names[1]) })
	stop()
	// Agent restart, server still down: the spool keeps the old batches and
	// takes new ones.
	stop = startAgent()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	cat(names[2])
	waitFor("the third file in the spool", 30*time.Second, func() bool { return spooled(names[2]) })
	require.True(t, spooled(names[0]), "batches from before the restart are still spooled")

	// Server up (on the address the agent was given all along) and a worker.
	srv := devserver.StartOn(t, port)
	e := &e2e{t: t, srv: srv, env: env, dbPath: dbPath}
	e.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	wfID := workflows.TracerIDPrefix + node
	var state workflows.TracerState
	waitFor("all three files in the workflow", 2*time.Minute, func() bool {
		res, err := srv.CLI(ctx, "workflow", "query", "--workflow-id", wfID, "--type", workflows.ObservedQuery, "--output", "json")
		if err != nil {
			return false
		}
		var wrapped struct {
			QueryResult []workflows.TracerState `json:"queryResult"`
		}
		if json.Unmarshal([]byte(res), &wrapped) != nil || len(wrapped.QueryResult) == 0 {
			return false
		}
		state = wrapped.QueryResult[0]
		found := 0
		for _, a := range state.Artifacts {
			for _, n := range names {
				if a.Path == filepath.Join(models, n) {
					found++
				}
			}
		}
		return found == len(names)
	})
	for _, a := range state.Artifacts {
		if strings.HasPrefix(a.Path, models) && (a.SHA256 == "" || a.Fidelity != "ebpf" || a.Count < 1) {
			t.Errorf("artifact %+v: want a hash, fidelity ebpf", a)
		}
	}
	waitFor("the spool to drain", time.Minute, func() bool { files, _ := filepath.Glob(filepath.Join(spool, "*.json")); return len(files) == 0 })
	stop()
	stop = nil

	// Persisted by the workflow's RecordRuntime, judged and notified.
	db, err := store.Open(ctx, "sqlite:"+dbPath)
	require.NoError(t, err)
	defer db.Close()
	waitFor("runtime_observations rows", time.Minute, func() bool {
		rows, err := db.QueryObservations(ctx, store.ObservationQuery{Node: node, Kind: store.ObservedPath})
		if err != nil {
			return false
		}
		n := 0
		for _, r := range rows {
			if strings.HasPrefix(r.Value, models) && r.Tier == store.TierObserved && r.SHA256 != "" {
				n++
			}
		}
		return n == len(names)
	})

	// End the workflow cleanly (it flushes on cancel) so its history is
	// complete; it is the replay fixture.
	_, err = srv.CLI(ctx, "workflow", "cancel", "--workflow-id", wfID)
	require.NoError(t, err)
	_, _ = srv.CLI(ctx, "workflow", "result", "--workflow-id", wfID)
	if os.Getenv("MLBOM_UPDATE_REPLAY") == "1" {
		hist, err := srv.CLI(ctx, "workflow", "show", "--workflow-id", wfID, "--output", "json")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("../../workflows/testdata/replay/tracer-v1.json", []byte(hist), 0o644))
	}
}
