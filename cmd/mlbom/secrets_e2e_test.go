package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/source/gittest"
	"github.com/mlbom/autopilot/internal/store"
)

// leak reports where secret occurs in text: as written, or base64-encoded
// at any alignment (Temporal payloads and some logs are base64).
func leak(text, secret string) bool {
	if strings.Contains(text, secret) {
		return true
	}
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("A", pad) + secret))
		// Skip the characters the padding and the unaligned tail touch.
		inner := enc[(pad*4+2)/3+1 : len(enc)-4]
		if len(inner) >= 8 && strings.Contains(text, inner) {
			return true
		}
	}
	return false
}

// TestE2ESecretsNeverLeave plants secrets in a git URL, the worker's git
// token, Slack and webhook URLs and the webhook signing key, runs scans
// through a real Temporal dev server and in-process, and looks for the
// secrets in every output: CLI stdout and stderr, the worker's logs, error
// text, the BOM, the API's answers, the store's files, everything under
// MLBOM_HOME and the workflow histories.
func TestE2ESecretsNeverLeave(t *testing.T) {
	e := newE2E(t)
	const (
		gitUser     = "alice"
		gitPass     = "GitPassw0rd-Secret-4711"
		hookSecret  = "HookPathSecret-0815"
		slackSecret = "SlackPathSecret-1234"
		hmacSecret  = "HmacSigningSecret-99"
	)
	secrets := []string{gitPass, hookSecret, slackSecret, hmacSecret}

	repo := makeRepo(t)
	name := filepath.Base(repo)
	tlsGit := gittest.ServeTLS(t, filepath.Dir(repo), gitUser, gitPass)
	plainGit := gittest.Serve(t, filepath.Dir(repo), gitUser, gitPass)
	withCreds := func(u string) string {
		return strings.Replace(strings.Replace(u, "https://", "https://"+gitUser+":"+gitPass+"@", 1), "http://", "http://"+gitUser+":"+gitPass+"@", 1)
	}

	// Slack's incoming webhook and the generic webhook: accepted at first,
	// later refused with an answer that echoes what was sent.
	var refuse atomic.Bool
	var posts atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		posts.Add(1)
		if refuse.Load() {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "refused %s signature=%s", r.URL.String(), r.Header.Get("X-MLBOM-Signature"))
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer recv.Close()
	notifyEnv := map[string]string{
		"MLBOM_SLACK_WEBHOOK_URL": recv.URL + "/services/T000/B000/" + slackSecret,
		"MLBOM_WEBHOOK_URL":       recv.URL + "/hooks/" + hookSecret,
		"MLBOM_WEBHOOK_SECRET":    hmacSecret,
	}
	workerEnv := []string{
		// The worker trusts the test forge's certificate and holds the
		// git credentials as its own secret configuration.
		"SSL_CERT_FILE=" + tlsGit.CertFile(t, t.TempDir()),
		"MLBOM_GIT_USERNAME=" + gitUser, "MLBOM_GIT_TOKEN=" + gitPass,
	}
	for k, v := range notifyEnv {
		workerEnv = append(workerEnv, k+"="+v)
		t.Setenv(k, v) // the in-process (--local) run notifies too
	}
	e.startWorker(workerEnv...)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	var outputs []string
	record := func(what string, parts ...string) {
		outputs = append(outputs, what+":\n"+strings.Join(parts, "\n"))
	}

	// 1. Through Temporal: credentials typed into the URL are taken out by
	// the CLI; the worker clones with its own token.
	out, errOut, code := e.mlbom(ctx, "scan", withCreds(tlsGit.RepoURL(name)), "--project", "sec", "--id", "scan/sec/remote")
	record("remote scan", out, errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s\nworker:\n%s", out, errOut, e.workerLogs[0])
	require.Contains(t, errOut, "credentials removed from the source URL")
	require.Contains(t, out, "Scan of "+tlsGit.RepoURL(name))
	require.Greater(t, posts.Load(), int32(0), "the findings were announced")

	// 2. In-process: the credentials are used from memory for the clone.
	out, errOut, code = e.mlbom(ctx, "scan", "--local", withCreds(plainGit.RepoURL(name)), "--project", "sec", "--json")
	record("local scan", out, errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	require.Contains(t, out, plainGit.RepoURL(name))

	// 3. A channel that refuses and echoes the request: the run fails with
	// the error shown, still without the secrets.
	refuse.Store(true)
	out, errOut, code = e.mlbom(ctx, "scan", withCreds(tlsGit.RepoURL(name)), "--project", "sec-refused", "--id", "scan/sec-refused/1")
	record("refused notify", out, errOut)
	require.Equal(t, exitError, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	require.Contains(t, errOut, "403")

	// 4. A plain `temporal workflow start` with credentials in the source
	// fails at once; only the input the user typed holds them.
	input := fmt.Sprintf(`{"source":%q,"project":"sec-cli"}`, withCreds(tlsGit.RepoURL(name)))
	_, err := e.srv.CLI(ctx, "workflow", "start", "--type", "ScanWorkflow", "--task-queue", "mlbom-scan", "--workflow-id", "scan/sec-cli/1", "--input", input)
	require.NoError(t, err)
	res, _ := e.srv.CLI(ctx, "workflow", "result", "--workflow-id", "scan/sec-cli/1", "--output", "json")
	require.Contains(t, res, "carries credentials")
	record("credentialed start result", res)

	// The BOM, as the CLI prints it.
	bomOut, errOut, code := e.mlbom(ctx, "bom", "sec")
	require.Equal(t, 0, code, errOut)
	record("bom", bomOut, errOut)

	// The API's answers, scans and their summaries included.
	db, err := store.Open(ctx, "sqlite:"+e.dbPath)
	require.NoError(t, err)
	h := api.New(api.Options{Store: db, Anonymous: auth.Viewer})
	get := func(path string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	for _, p := range []string{"/api/projects", "/api/projects/sec/scans", "/api/projects/sec-refused/scans", "/api/projects/sec/bom",
		"/api/projects/sec/versions", "/api/projects/sec/diff", "/api/search?q=model"} {
		body := get(p)
		record("GET "+p, body)
	}
	scans := get("/api/projects/sec/scans")
	require.Contains(t, scans, tlsGit.RepoURL(name), "the stored source is the URL without credentials")
	ids := regexp.MustCompile(`"(?:id|scanId)":\s*"([^"]+)"`).FindAllStringSubmatch(scans+get("/api/projects/sec-refused/scans"), -1)
	require.NotEmpty(t, ids)
	for _, m := range ids {
		record("GET scan "+m[1], get("/api/scans/"+url.PathEscape(m[1])))
	}
	db.Close()

	// The workflow histories.
	for _, id := range []string{"scan/sec/remote", "scan/sec-refused/1"} {
		hist, err := e.srv.CLI(ctx, "workflow", "show", "--workflow-id", id, "--output", "json")
		require.NoError(t, err)
		require.True(t, leak(hist, strings.TrimPrefix(tlsGit.URL, "https://")), "history of %s shows the source (the search is sensitive)", id)
		record("history "+id, hist)
	}
	hist, err := e.srv.CLI(ctx, "workflow", "show", "--workflow-id", "scan/sec-cli/1", "--output", "json")
	require.NoError(t, err)
	require.True(t, leak(hist, gitPass), "the typed input holds the password: the search finds secrets in histories")
	require.Equal(t, 1, strings.Count(hist, "WorkflowExecutionStarted")+strings.Count(hist, "WORKFLOW_EXECUTION_STARTED"), "one start event")
	require.NotContains(t, hist, "ActivityTaskScheduled", "no activity ran with the credentialed source")
	require.NotContains(t, hist, "ACTIVITY_TASK_SCHEDULED", "no activity ran with the credentialed source")

	// Every file under MLBOM_HOME: the store (and its WAL), clones, blobs.
	home := filepath.Dir(e.dbPath)
	require.NoError(t, filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		record("file "+p, string(data))
		return nil
	}))
	for _, l := range e.workerLogs {
		record("worker log", l.String())
	}

	for _, o := range outputs {
		what, _, _ := strings.Cut(o, "\n")
		for _, s := range secrets {
			if leak(o, s) {
				i := strings.Index(o, s)
				t.Errorf("secret %q leaks in %s: ...%s...", s, what, o[max(0, i-120):min(len(o), i+len(s)+40)])
			}
		}
	}
}
