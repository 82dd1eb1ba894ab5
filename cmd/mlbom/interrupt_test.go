package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C (and SIGTERM) stops `mlbom scan --local` in the middle of discovery: the process
// (this test binary running main, signal handling included) exits with 130
// and says it was interrupted, instead of running on to the end. The tree
// takes tens of CPU seconds to analyse (files of deeply nested calls, linear
// but slow to read), far more than the bound below, which is generous so
// that a loaded machine does not fail the test: the point is that the scan
// stops rather than runs on.
func TestInterruptStopsLocalScan(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and scans a large tree; -short")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	// About 0.3 s of analysis per MiB on an idle core.
	const files, size = 48, 2 << 20
	body := "from_pretrained(" + strings.Repeat("f(", size/4) + "'x'" + strings.Repeat(")", size/4) + ")\n"
	for i := range files {
		p := filepath.Join(src, fmt.Sprintf("pkg%d", i%6), fmt.Sprintf("m%d.py", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sig := range []struct {
		sig  syscall.Signal
		text string
	}{{syscall.SIGINT, "interrupt"}, {syscall.SIGTERM, "terminated"}} {
		t.Run(sig.text, func(t *testing.T) { interruptScan(t, src, filepath.Join(dir, sig.text), sig.sig, sig.text) })
	}
}

// interruptScan starts mlbom scan --local on src, sends sig once discovery
// reports progress, and checks that it stops at once and says why.
func interruptScan(t *testing.T, src, home string, sig syscall.Signal, text string) {
	cmd := exec.Command(os.Args[0], "scan", "--local", "--project", "big", src)
	cmd.Env = append(os.Environ(), "MLBOM_E2E_ROLE=mlbom", "MLBOM_HOME="+home, "MLBOM_DB=sqlite:"+filepath.Join(home, "m.db"),
		"MLBOM_HF_RESOLVE=false", "MLBOM_FILE_TIME_BUDGET=1h")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // already exited when the test passes

	// Wait until discovery is under way.
	lines := make(chan string, 64)
	var errText strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	started := time.After(2 * time.Minute)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("mlbom ended before discovery started:\n%s", errText.String())
			}
			errText.WriteString(l + "\n")
			if strings.Contains(l, "(discover)") {
				break wait
			}
		case <-started:
			t.Fatalf("no discovery progress after 2 minutes:\n%s", errText.String())
		}
	}

	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			errText.WriteString(l + "\n")
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("mlbom scan --local still running 20 s after %v", sig)
	}
	t.Logf("exited %s after %v", time.Since(sent).Round(time.Millisecond), sig)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("exit = %v, want code %d\n%s", err, exitInterrupted, errText.String())
	}
	if !strings.Contains(errText.String(), "mlbom scan: interrupted ("+text+" signal received): stopped before finishing") {
		t.Errorf("no clear message on stderr:\n%s", errText.String())
	}
	if strings.Contains(errText.String(), "Done") || stdout.Len() > 0 {
		t.Errorf("the scan ran to the end:\n%s\n%s", errText.String(), stdout.String())
	}
}
