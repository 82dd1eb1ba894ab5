package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// The test binary doubles as `mlbom worker` for the end-to-end tests, so a
// worker can run in its own process and be killed with SIGKILL, and as
// `mlbom` itself (main's signal handling included) for tests that signal it.
func TestMain(m *testing.M) {
	switch os.Getenv("MLBOM_E2E_ROLE") {
	case "worker":
		os.Exit(testWorkerMain())
	case "mlbom":
		os.Exit(runMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// slowBuild stores the version, then stalls before reporting completion: the
// window in which a crashed worker leaves a stored version behind an activity
// the server still thinks is running.
type slowBuild struct {
	*activities.Activities
	stall time.Duration
}

func (s *slowBuild) BuildBOM(ctx context.Context, req activities.BuildBOMRequest) (*activities.BuildBOMResult, error) {
	res, err := s.Activities.BuildBOM(ctx, req)
	if err == nil {
		fmt.Fprintf(os.Stderr, "E2E: BuildBOM stored version %d, stalling\n", res.Version)
		time.Sleep(s.stall)
	}
	return res, err
}

func testWorkerMain() int {
	ctx := context.Background()
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	deps, err := workers.NewDeps(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer deps.Close()
	if d := os.Getenv("MLBOM_E2E_STALL_BUILD"); d != "" {
		stall, _ := time.ParseDuration(d)
		c, err := workers.Dial(cfg, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// Same registration as workers.Run, with BuildBOM wrapped.
		w := newTestWorker(c, cfg.TaskQueue)
		workers.RegisterWorkflows(w)
		w.RegisterActivity(&slowBuild{Activities: deps.Activities, stall: stall})
		if err := w.Run(nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	if err := runWorker(ctx, cfg, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type e2e struct {
	t      *testing.T
	srv    *devserver.Server
	env    []string
	dbPath string
	// workerLogs holds each worker process's combined output.
	workerLogs []*lockedBuffer
}

// lockedBuffer is written by a child process's output copier and read by
// the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newE2E(t *testing.T) *e2e {
	if testing.Short() {
		t.Skip("end-to-end test; -short")
	}
	srv := devserver.Start(t)
	dir := t.TempDir()
	e := &e2e{t: t, srv: srv, dbPath: filepath.Join(dir, "mlbom.db")}
	e.env = []string{
		"MLBOM_TEMPORAL_ADDRESS=" + srv.Address,
		"MLBOM_HOME=" + dir,
		"MLBOM_DB=sqlite:" + e.dbPath,
		"MLBOM_TEMPORAL_UI=http://127.0.0.1:" + fmt.Sprint(srv.UIPort),
		// The demo's models have no declared license; do not wait for a human.
		"MLBOM_APPROVAL_TIMEOUT=0s",
		// The demo's code refers to Hub models; tests must not reach the
		// real Hub (internal/source and activities test the lookups).
		"MLBOM_HF_RESOLVE=false",
	}
	for _, kv := range e.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return e
}

// startWorker runs the test binary as a worker process.
func (e *e2e) startWorker(extraEnv ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(append(os.Environ(), e.env...), "MLBOM_E2E_ROLE=worker"), extraEnv...)
	buf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	e.workerLogs = append(e.workerLogs, buf)
	require.NoError(e.t, cmd.Start())
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if e.t.Failed() {
			e.t.Logf("worker output:\n%s", buf.String())
		}
	})
	return cmd
}

func (e *e2e) mlbom(ctx context.Context, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// makeRepo commits testdata/repo (a card and a single safetensors file
// loaded by path from Python) into a fresh git repository.
func makeRepo(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "repo")
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	src, err := filepath.Abs("testdata/repo")
	require.NoError(t, err)
	out, err := exec.Command(filepath.Join(root, "scripts", "make-demo.sh"), dir, src).CombinedOutput()
	require.NoError(t, err, string(out))
	return dir
}

func fileSHA256(t *testing.T, path string) string {
	out, err := exec.Command("sha256sum", path).Output()
	require.NoError(t, err)
	return strings.Fields(string(out))[0]
}

func TestE2EScanThroughTemporal(t *testing.T) {
	e := newE2E(t)
	e.startWorker()
	repo := makeRepo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	bomFile := filepath.Join(t.TempDir(), "bom.json")
	out, errOut, code := e.mlbom(ctx, "scan", "file://"+repo, "--project", "e2e", "-o", bomFile, "--id", "scan/e2e/first")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	require.Contains(t, out, "BOM version 1")
	require.Contains(t, errOut, "[7/7] Done", "progress ends with the final state")

	data, err := os.ReadFile(bomFile)
	require.NoError(t, err)
	require.NoError(t, bom.Validate(data), "the stored BOM validates against the CycloneDX 1.6 schema")
	want := fileSHA256(t, filepath.Join(repo, "model/model.safetensors"))
	require.True(t, modelCarriesHash(t, data, want), "a machine-learning-model component carries the fixture's SHA-256 %s", want)

	// The store has version 1, and `mlbom bom` prints it.
	db, err := store.Open(ctx, "sqlite:"+e.dbPath)
	require.NoError(t, err)
	vs, err := db.ListVersions(ctx, "e2e")
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.True(t, strings.HasPrefix(vs[0].ScanID, "scan/e2e/first/"), "scan ID is workflow ID / run ID: %s", vs[0].ScanID)
	db.Close()
	printed, _, code := e.mlbom(ctx, "bom", "e2e")
	require.Equal(t, 0, code)
	require.JSONEq(t, string(data), printed)

	// A plain Temporal CLI start works the same, and `temporal workflow
	// result` returns the summary.
	input := fmt.Sprintf(`{"source":%q,"project":"e2e","options":{"approvalTimeout":"0s"}}`, repo)
	_, err = e.srv.CLI(ctx, "workflow", "start", "--type", "ScanWorkflow", "--task-queue", "mlbom-scan", "--workflow-id", "cli-start", "--input", input)
	require.NoError(t, err)
	res, err := e.srv.CLI(ctx, "workflow", "result", "--workflow-id", "cli-start", "--output", "json")
	require.NoError(t, err)
	var wrapped struct {
		Status string          `json:"status"`
		Result json.RawMessage `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(res), &wrapped), res)
	var sum workflows.ScanSummary
	require.NoError(t, json.Unmarshal(wrapped.Result, &sum), res)
	require.Equal(t, 2, sum.Version)
	require.Equal(t, 0, sum.Diff.Added+sum.Diff.Removed, "same commit, same components")

	// The same workflow ID started again (as a nightly job with a fixed ID
	// would) is a new scan: a new version, not the old one returned.
	_, err = e.srv.CLI(ctx, "workflow", "start", "--type", "ScanWorkflow", "--task-queue", "mlbom-scan", "--workflow-id", "cli-start", "--input", input)
	require.NoError(t, err)
	res, err = e.srv.CLI(ctx, "workflow", "result", "--workflow-id", "cli-start", "--output", "json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(res), &wrapped), res)
	require.NoError(t, json.Unmarshal(wrapped.Result, &sum), res)
	require.Equal(t, 3, sum.Version)
	require.True(t, sum.Created)

	if os.Getenv("MLBOM_UPDATE_REPLAY") == "1" {
		hist, err := e.srv.CLI(ctx, "workflow", "show", "--workflow-id", "scan/e2e/first", "--output", "json")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("../../workflows/testdata/replay/scan-v1.json", []byte(hist), 0o644))
	}
}

func modelCarriesHash(t *testing.T, bomJSON []byte, sha string) bool {
	var doc struct {
		Components []struct {
			Type   string `json:"type"`
			Hashes []struct {
				Alg     string `json:"alg"`
				Content string `json:"content"`
			} `json:"hashes"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(bomJSON, &doc))
	for _, c := range doc.Components {
		if c.Type != "machine-learning-model" {
			continue
		}
		for _, h := range c.Hashes {
			if h.Alg == "SHA-256" && h.Content == sha {
				return true
			}
		}
	}
	return false
}

func TestE2EBadSourceFailsFast(t *testing.T) {
	e := newE2E(t)
	e.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, errOut, code := e.mlbom(ctx, "scan", "/no/such/repository", "--project", "bad")
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "InvalidSource")
	require.Less(t, time.Since(start), 30*time.Second, "a bad input fails in seconds, not after retries")
}

// TestE2EKillWorkerMidScan kills the worker with SIGKILL after BuildBOM has
// stored the version but before the activity completed; a new worker
// finishes the workflow and exactly one version exists.
func TestE2EKillWorkerMidScan(t *testing.T) {
	e := newE2E(t)
	w1 := e.startWorker("MLBOM_E2E_STALL_BUILD=10m")
	repo := makeRepo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := e.mlbom(ctx, "scan", repo, "--project", "kill", "--id", "scan/kill/1")
		done <- result{out, errOut, code}
	}()

	db, err := store.Open(ctx, "sqlite:"+e.dbPath)
	require.NoError(t, err)
	defer db.Close()
	require.Eventually(t, func() bool {
		vs, err := db.ListVersions(ctx, "kill")
		return err == nil && len(vs) == 1
	}, 2*time.Minute, 100*time.Millisecond, "BuildBOM stores version 1")
	require.NoError(t, w1.Process.Signal(syscall.SIGKILL))
	_ = w1.Wait()

	e.startWorker()
	r := <-done
	require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	require.Contains(t, r.out, "already stored by an earlier attempt")
	vs, err := db.ListVersions(ctx, "kill")
	require.NoError(t, err)
	require.Len(t, vs, 1, "exactly one BOM version after the crash and retry")
}

// TestE2EApprovalBySignal: a non-commercial model makes the scan wait for a
// license-exception decision; `mlbom approvals --pending` shows it, `mlbom
// approve --all` sends the signal, the verdict is judged again with the
// approval on record, and the next scan reuses it without asking.
func TestE2EApprovalBySignal(t *testing.T) {
	e := newE2E(t)
	e.startWorker()
	dir := filepath.Join(t.TempDir(), "repo")
	src, err := filepath.Abs("testdata/repo-nc")
	require.NoError(t, err)
	out, err := exec.Command("../../scripts/make-demo.sh", dir, src).CombinedOutput()
	require.NoError(t, err, string(out))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := e.mlbom(ctx, "scan", dir, "--project", "nc", "--id", "scan/nc/1", "--approval-timeout", "1h", "--fail-on", "deny")
		done <- result{out, errOut, code}
	}()
	var pending string
	require.Eventually(t, func() bool {
		pending, _, _ = e.mlbom(ctx, "approvals", "--pending", "--json")
		return strings.Contains(pending, "CC-BY-NC-4.0")
	}, time.Minute, 200*time.Millisecond, "the running scan waits for a decision")
	require.Contains(t, pending, "scan/nc/1")

	_, errOut, code := e.mlbom(ctx, "approve", "scan/nc/1", "--component", "pkg:generic/not-waiting", "--reason", "x")
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "it waits for: pkg:generic/local/model")

	o, errOut, code := e.mlbom(ctx, "approve", "scan/nc/1", "--all", "--reason", "research use only, legal ticket LEG-42", "--approver", "alice")
	require.Equal(t, 0, code, o+errOut)
	r := <-done
	require.Equal(t, 0, r.code, "approved: the license finding is waived\nstdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	require.Contains(t, r.out, "approve by alice")

	list, _, code := e.mlbom(ctx, "approvals", "--json")
	require.Equal(t, 0, code)
	var approvals []store.Approval
	require.NoError(t, json.Unmarshal([]byte(list), &approvals))
	require.Len(t, approvals, 1)
	require.Equal(t, "alice", approvals[0].Approver)
	require.Equal(t, "CC-BY-NC-4.0", approvals[0].License)
	require.Equal(t, 1, approvals[0].Version, "the decision names the BOM version of its scan")
	require.True(t, strings.HasPrefix(approvals[0].ScanID, "scan/nc/1/"), approvals[0].ScanID)

	// The BOM of that very scan, version 1, carries the decision.
	v1, errOut, code := e.mlbom(ctx, "bom", "nc", "--version", "1")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, bom.Validate([]byte(v1)))
	requireAnnotation(t, []byte(v1), "alice", "License exception approved for pkg:generic/local/model (CC-BY-NC-4.0) by alice: research use only, legal ticket LEG-42 [decided in scan "+approvals[0].ScanID+", BOM version 1]")

	// The next scan finds the approval on record: no waiting, the finding is
	// waived and the BOM carries the approval as an annotation.
	bomFile := filepath.Join(t.TempDir(), "bom.json")
	o2, errOut2, code := e.mlbom(ctx, "scan", dir, "--project", "nc", "--id", "scan/nc/2", "--approval-timeout", "1h", "-o", bomFile, "--json")
	require.Equal(t, 0, code, o2+errOut2)
	var sum workflows.ScanSummary
	require.NoError(t, json.Unmarshal([]byte(o2), &sum))
	require.Empty(t, sum.Exceptions, "nobody is asked twice")
	require.GreaterOrEqual(t, sum.Waived, 1)
	data, err := os.ReadFile(bomFile)
	require.NoError(t, err)
	require.Contains(t, string(data), "research use only, legal ticket LEG-42")
	require.NoError(t, bom.Validate(data))

	if os.Getenv("MLBOM_UPDATE_REPLAY") == "1" {
		hist, err := e.srv.CLI(ctx, "workflow", "show", "--workflow-id", "scan/nc/1", "--output", "json")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("../../workflows/testdata/replay/scan-approval-v1.json", []byte(hist), 0o644))
	}
}

// TestE2ESchedule: a recurring scan is a Temporal Schedule; its runs store
// versions like any other scan, each its own scan.
func TestE2ESchedule(t *testing.T) {
	e := newE2E(t)
	e.startWorker()
	repo := makeRepo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	out, errOut, code := e.mlbom(ctx, "schedule", "create", "sched", repo, "--every", "1h", "--now")
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "mlbom-scan-sched")
	// Schedule listings come from visibility, which is eventually consistent.
	require.Eventually(t, func() bool {
		list, _, code := e.mlbom(ctx, "schedule", "list")
		return code == 0 && strings.Contains(list, "mlbom-scan-sched")
	}, 30*time.Second, 200*time.Millisecond, "the schedule is listed")

	db, err := store.Open(ctx, "sqlite:"+e.dbPath)
	require.NoError(t, err)
	defer db.Close()
	require.Eventually(t, func() bool {
		vs, err := db.ListVersions(ctx, "sched")
		return err == nil && len(vs) == 1
	}, time.Minute, 200*time.Millisecond, "the triggered run stores version 1")
	vs, err := db.ListVersions(ctx, "sched")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(vs[0].ScanID, "scan/sched/scheduled"), vs[0].ScanID)

	_, _, code = e.mlbom(ctx, "schedule", "delete", "sched")
	require.Equal(t, 0, code)
	require.Eventually(t, func() bool {
		list, _, code := e.mlbom(ctx, "schedule", "list")
		return code == 0 && !strings.Contains(list, "mlbom-scan-sched")
	}, 30*time.Second, 200*time.Millisecond, "the deleted schedule is no longer listed")
}
