// Package devserver starts the pinned Temporal CLI's dev server for tests:
// a real server on free loopback ports with its own SQLite file.
package devserver

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running dev server.
type Server struct {
	Address string // host:port of the frontend
	UIPort  int
	Bin     string // the temporal CLI
	cmd     *exec.Cmd
	log     *bytes.Buffer
	mu      sync.Mutex
}

// Bin finds the temporal CLI: $MLBOM_TEMPORAL_BIN, else bin/temporal in the
// module root (where `make temporal` puts it), else $PATH.
func Bin() (string, error) {
	if p := os.Getenv("MLBOM_TEMPORAL_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("MLBOM_TEMPORAL_BIN=%s does not exist", p)
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "bin", "temporal")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no temporal CLI: run `make temporal` (builds ./bin/temporal) or set MLBOM_TEMPORAL_BIN")
}

// Require skips the test when the temporal CLI is missing, or fails it when
// MLBOM_REQUIRE_TEMPORAL=1 (CI).
func Require(t testing.TB) string {
	t.Helper()
	bin, err := Bin()
	if err != nil {
		if os.Getenv("MLBOM_REQUIRE_TEMPORAL") == "1" {
			t.Fatalf("MLBOM_REQUIRE_TEMPORAL=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return bin
}

// FreePort asks the kernel for an unused loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start starts a dev server with mlbom's search attributes registered, and
// stops it when the test ends.
func Start(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	return start(t, true, extraArgs)
}

// StartPlain starts a dev server that knows no custom search attributes, as
// a fresh production namespace would.
func StartPlain(t testing.TB) *Server {
	t.Helper()
	return start(t, false, nil)
}

// StartOn starts a dev server like Start on a given port: a test can start
// a client first, against a server that is not there yet.
func StartOn(t testing.TB, port int) *Server {
	t.Helper()
	return startOn(t, port, true, nil)
}

func start(t testing.TB, withSearchAttributes bool, extraArgs []string) *Server {
	t.Helper()
	return startOn(t, FreePort(t), withSearchAttributes, extraArgs)
}

func startOn(t testing.TB, port int, withSearchAttributes bool, extraArgs []string) *Server {
	t.Helper()
	bin := Require(t)
	uiPort := FreePort(t)
	dir := t.TempDir()
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", fmt.Sprint(port),
		"--ui-port", fmt.Sprint(uiPort), "--headless", "--db-filename", filepath.Join(dir, "temporal.db"),
		"--log-level", "error",
		"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
		"--dynamic-config-value", "system.enableActivityEagerExecution=true"}
	if withSearchAttributes {
		args = append(args, "--search-attribute", "MlbomProject=Keyword", "--search-attribute", "MlbomVerdict=Keyword")
	}
	args = append(args, extraArgs...)
	s := &Server{Address: fmt.Sprintf("127.0.0.1:%d", port), UIPort: uiPort, Bin: bin, log: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s, s
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start dev server: %v", err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := exec.CommandContext(ctx, bin, "operator", "cluster", "health", "--address", s.Address).Run()
		cancel()
		if err == nil {
			return s
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("dev server at %s did not become healthy; its output:\n%s", s.Address, s.Log())
	return nil
}

func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

// Log is what the server printed.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// CLI runs the temporal CLI against this server and returns its output.
func (s *Server) CLI(ctx context.Context, args ...string) (string, error) {
	args = append(args, "--address", s.Address)
	out, err := exec.CommandContext(ctx, s.Bin, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("temporal %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
