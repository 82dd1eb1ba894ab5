package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTraceStdout runs `mlbom trace --stdout` with real eBPF and checks the
// JSON line a child's open of a model file produces.
func TestTraceStdout(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "llama.gguf")
	if err := os.WriteFile(model, []byte("GGUF"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MLBOM_HOME", t.TempDir())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- run(ctx, []string{"trace", "--stdout", "--source", "ebpf", "--duration", "2m", "--batch-interval", "100ms"}, &out, &errOut)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errOut.String(), "watching") {
		if time.Now().After(deadline) || strings.Contains(errOut.String(), "mlbom trace:") && !strings.Contains(errOut.String(), "watching") {
			code := <-done
			msg := errOut.String()
			if strings.Contains(msg, "eBPF tracing unavailable") && os.Getenv("MLBOM_REQUIRE_EBPF") != "1" {
				t.Skipf("skipping: %s", msg)
			}
			t.Fatalf("trace did not start (exit %d): %s", code, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cat := exec.Command("cat", model)
	if err := cat.Run(); err != nil {
		t.Fatal(err)
	}
	// Stopping reads what the kernel already queued: the open is not lost.
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if ev["path"] != model {
			continue
		}
		if ev["type"] != "open" || ev["comm"] != "cat" || int(ev["pid"].(float64)) != cat.Process.Pid || ev["cgroup"] == "" || ev["time"] == "" {
			t.Errorf("event = %v, want type open by cat pid %d with cgroup and time", ev, cat.Process.Pid)
		}
		return
	}
	t.Fatalf("no event for %s in:\n%s", model, out.String())
}
