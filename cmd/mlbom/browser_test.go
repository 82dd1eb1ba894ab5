package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/browsertest"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers/devserver"
)

// Repository text that must stay text: model card fields and a weight file
// name that would run script if the dashboard ever put them into the page
// as markup.
const (
	xssTask = `<script>window.__xss = "card-script"</script>`
	xssTag  = `<img src=x onerror="window.__xss = 'card-tag'">`
	xssFile = `<img src=x onerror=window.__xss=1>.safetensors`
)

// hostileRepo is testdata/repo-nc (a CC-BY-NC model, so a scan waits for a
// license-exception decision) with hostile text in its card's front matter
// (which becomes the BOM's model card task and tags, and so searchable
// evidence) and a hostile weight file name, committed by make-demo.sh.
func hostileRepo(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	out, err := exec.Command("cp", "-R", "testdata/repo-nc", src).CombinedOutput()
	require.NoError(t, err, string(out))
	card, err := os.ReadFile(filepath.Join(src, "model", "README.md"))
	require.NoError(t, err)
	hostile := strings.Replace(string(card), "pipeline_tag: text-classification",
		"pipeline_tag: '"+xssTask+"'\ntags:\n- '"+strings.ReplaceAll(xssTag, "'", "''")+"'", 1)
	require.NotEqual(t, string(card), hostile)
	require.NoError(t, os.WriteFile(filepath.Join(src, "model", "README.md"), []byte(hostile), 0o644))
	weights, err := os.ReadFile(filepath.Join(src, "model", "model.safetensors"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(src, "model", xssFile), weights, 0o644))
	dir := filepath.Join(t.TempDir(), "repos", "nc")
	out, err = exec.Command("../../scripts/make-demo.sh", dir, src).CombinedOutput()
	require.NoError(t, err, string(out))
	return dir
}

// startServe runs `mlbom serve` on a free port until the test ends and
// returns its base URL.
func startServe(t *testing.T) string {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", devserver.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", addr}, &out, &out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("mlbom serve did not stop")
		}
		if t.Failed() {
			t.Logf("mlbom serve output:\n%s", out.String())
		}
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, 30*time.Second, 100*time.Millisecond, "mlbom serve did not come up:\n%s", out.String())
	return base
}

func createToken(t *testing.T, e *e2e, role, name string) string {
	t.Helper()
	out, errOut, code := e.mlbom(context.Background(), "token", "create", "--role", role, "--name", name)
	require.Equal(t, 0, code, errOut)
	return strings.TrimSpace(out)
}

// page drives one browser tab with a per-step timeout.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	// shots is where screenshots go (MLBOM_SCREENSHOTS), or "" for none.
	shots string
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	require.NoError(p.t, chromedp.Do(ctx, steps...))
}

// submit runs steps that send a form (or follow a link) and waits until
// the browser shows the next document, so a check that follows cannot read
// the page the form was on.
func (p *page) submit(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__mlbomOld = true`))
	require.NoError(p.t, err)
	require.NoError(p.t, chromedp.Do(ctx, steps...))
	for {
		// Evaluating while the old document goes away fails; try again.
		next, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__mlbomOld !== true && document.readyState !== 'loading'`))
		if err == nil && next {
			return
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("the form did not lead to a new page: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func eval[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(p.t, err, js)
	return v
}

func (p *page) location() string {
	p.t.Helper()
	return eval[string](p, "location.pathname + location.search")
}

// until reloads path until js is true in it.
func (p *page) until(path, js string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p.open(path)
		if eval[bool](p, js) {
			return
		}
		if time.Now().After(deadline) {
			body := eval[string](p, "document.body.innerText")
			p.t.Fatalf("%s: %s did not become true in %s; the page says:\n%s", path, js, timeout, body)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// inert checks, in the live DOM, that no repository text became markup:
// no element carries an event handler attribute, no script or img element
// exists (the dashboard uses neither), and nothing ran.
func (p *page) inert(where string) {
	p.t.Helper()
	got := eval[map[string]any](p, `({
		handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
		scripts: document.querySelectorAll('script').length,
		imgs: document.querySelectorAll('img').length,
		ran: typeof window.__xss !== 'undefined'
	})`)
	require.Equal(p.t, map[string]any{"handlers": float64(0), "scripts": float64(0), "imgs": float64(0), "ran": false}, got, "%s: repository text became markup", where)
}

func (p *page) shot(name string) {
	p.t.Helper()
	if p.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err)
	require.NoError(p.t, os.WriteFile(filepath.Join(p.shots, name+".png"), png, 0o644))
}

// TestBrowserE2E is the dashboard as a person uses it, in a real headless
// Chromium against `mlbom serve`, a worker and a Temporal dev server: sign
// in with a token, start a scan from the form, watch it wait for a license
// exception, filter the component table, search, approve the exception and
// see the scan finish; repository text with <script> and onerror= stays
// inert in the DOM throughout. MLBOM_SCREENSHOTS=DIR keeps screenshots.
func TestBrowserE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; -short")
	}
	browsertest.Require(t)
	e := newE2E(t)
	repo := hostileRepo(t)
	t.Setenv("MLBOM_HTTP_LOCAL_SOURCES", filepath.Dir(repo))
	e.startWorker()
	approver := createToken(t, e, "approver", "dana")
	viewer := createToken(t, e, "viewer", "val")
	base := startServe(t)

	p := &page{t: t, ctx: browsertest.New(t), base: base, shots: os.Getenv("MLBOM_SCREENSHOTS")}

	// Signed out, every page is the sign-in form.
	p.open("/approvals")
	require.Equal(t, "Sign in", eval[string](p, `document.querySelector('h1').textContent`))
	p.shot("signin")
	p.submit(chromedp.SendKeys(chromedp.CSS("#token"), "mlbom_not-a-token"), chromedp.Submit(chromedp.CSS("#token")))
	require.Contains(t, eval[string](p, `document.querySelector('.flash.error').textContent`), "unknown, revoked or expired")
	p.submit(chromedp.SendKeys(chromedp.CSS("#token"), approver), chromedp.Submit(chromedp.CSS("#token")))
	require.Equal(t, "/approvals", p.location(), "sign-in returns to the page asked for")
	require.Contains(t, eval[string](p, `document.querySelector('header .who').textContent`), "dana")
	require.False(t, eval[bool](p, `document.cookie.includes('mlbom_session')`), "the session cookie is HttpOnly")

	// Start a scan from the form; it waits for the license exception.
	p.open("/scans/new")
	p.submit(chromedp.SetValue(chromedp.CSS("#source"), repo), chromedp.SetValue(chromedp.CSS("#project"), "nc"),
		chromedp.SetValue(chromedp.CSS("#approvalTimeout"), "1h"), chromedp.Submit(chromedp.CSS("#source")))
	scanPath := p.location()
	require.True(t, strings.HasPrefix(scanPath, "/scans/scan%2Fnc%2F"), scanPath)
	workflowID, err := url.PathUnescape(strings.TrimPrefix(scanPath, "/scans/"))
	require.NoError(t, err)
	p.until(scanPath, `document.querySelector('#waiting') !== null`, 2*time.Minute)
	require.Contains(t, eval[string](p, `document.querySelector('#waiting').textContent`), "CC-BY-NC-4.0")
	p.shot("scan-waiting")

	// The project: lineage, the component table, its filters.
	// The banner comes from a progress query the page gives up on after 2 s
	// (the page must not hang on a slow Temporal); on a loaded machine the
	// first load can miss it, so load the page until it says so.
	p.until("/projects/nc", `document.querySelector('#project-waiting') !== null`, time.Minute)
	p.inert("project page")
	require.True(t, eval[bool](p, `document.querySelector('svg.lineage g.model') !== null`), "lineage shows the model")
	total := eval[int](p, `document.querySelectorAll('tr.component').length`)
	require.GreaterOrEqual(t, total, 3)
	p.shot("project")
	p.submit(chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "weights"), chromedp.Submit(chromedp.CSS(`select[name=kind]`)))
	kinds := eval[[]string](p, `[...document.querySelectorAll('tr.component')].map(r => r.dataset.kind)`)
	require.GreaterOrEqual(t, len(kinds), 2, "both weight files")
	require.Less(t, len(kinds), total)
	for _, k := range kinds {
		require.Equal(t, "weights", k)
	}
	require.Contains(t, p.location(), "kind=weights", "the filter is in the URL, so it can be shared")
	p.submit(chromedp.SetValue(chromedp.CSS(`form.filters input[name=q]`), "onerror"), chromedp.Submit(chromedp.CSS(`form.filters input[name=q]`)))
	names := eval[[]string](p, `[...document.querySelectorAll('tr.component td.name')].map(td => td.textContent)`)
	require.Len(t, names, 1)
	require.Contains(t, names[0], "<img src=x onerror=window.__xss=1>", "the file name shows as text")
	p.inert("filtered component table")

	// Search from the header box: the card's text is shown, as text.
	p.submit(chromedp.SendKeys(chromedp.CSS(".search-top input"), "window.__xss card-script\r"))
	require.Equal(t, "/search", eval[string](p, "location.pathname"))
	snippets := eval[string](p, `[...document.querySelectorAll('.hit .snippet')].map(s => s.textContent).join('\n')`)
	require.Contains(t, snippets, xssTask, "the card's text is shown as text")
	p.inert("search results")
	p.shot("search")

	// Approve the exception; the scan goes on and finishes.
	p.open("/approvals")
	require.Equal(t, 1, eval[int](p, `document.querySelectorAll('tr.pending-row').length`))
	p.shot("approvals")
	p.submit(chromedp.SendKeys(chromedp.CSS(`tr.pending-row input[name=reason]`), "research use only, legal ticket LEG-7"),
		chromedp.Click(chromedp.CSS(`tr.pending-row button.approve`)))
	require.True(t, eval[bool](p, `document.querySelector('.flash.ok') !== null`), "the approvals page confirms the signal")
	p.until(scanPath, `document.querySelector('#scan-status').dataset.status === 'Completed'`, 2*time.Minute)
	// Without the approval the non-commercial license denies (see
	// TestE2EApprovalBySignal); approved, it is waived.
	require.NotEqual(t, "deny", eval[string](p, `document.querySelector('#scan-verdict').textContent`), "the approval waived the license finding")
	p.shot("scan-done")
	p.until("/approvals", `document.querySelector('td.approver') !== null`, 30*time.Second)
	require.Equal(t, "dana", eval[string](p, `document.querySelector('td.approver').textContent`), "the approver is the token's name")

	// The store agrees, and the decision names dana.
	db, err := store.Open(context.Background(), "sqlite:"+e.dbPath)
	require.NoError(t, err)
	approvals, err := db.ListApprovals(context.Background(), "nc")
	db.Close()
	require.NoError(t, err)
	require.Len(t, approvals, 1)
	require.Equal(t, "dana", approvals[0].Approver)
	require.True(t, strings.HasPrefix(approvals[0].ScanID, workflowID+"/"), approvals[0].ScanID)

	p.open("/")
	p.shot("index")
	p.open("/projects/nc/diff")
	p.shot("diff")

	// A viewer sees the same pages without the forms of the roles above.
	v := &page{t: t, ctx: browsertest.New(t), base: base}
	v.open("/")
	v.submit(chromedp.SendKeys(chromedp.CSS("#token"), viewer), chromedp.Submit(chromedp.CSS("#token")))
	require.False(t, eval[bool](v, `[...document.querySelectorAll('header nav a')].some(a => a.textContent === 'Start a scan')`))
	v.open("/scans/new")
	require.Contains(t, eval[string](v, "document.body.innerText"), "needs the operator role")

	// Sign out ends the session.
	p.open("/")
	p.submit(chromedp.Click(chromedp.CSS(`header form button`)))
	require.True(t, eval[bool](p, `document.querySelector('#token') !== null`), "signed out, the sign-in form")
	p.open("/projects/nc")
	require.Equal(t, "Sign in", eval[string](p, `document.querySelector('h1').textContent`))

	out, _, code := e.mlbom(context.Background(), "approvals", "--json")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"approver": "dana"`)
}
