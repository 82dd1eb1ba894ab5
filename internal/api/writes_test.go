package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/store"
)

// send makes a JSON request as role and returns status and body.
func (f *fixture) send(t *testing.T, role, method, target, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.raw.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func TestStartScan(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		source     string // what reaches the workflow
	}{
		{"git URL", `{"source":"https://github.com/acme/app.git","project":"app"}`, 202, "https://github.com/acme/app.git"},
		{"hub", `{"source":"hf://acme/model"}`, 202, "hf://acme/model"},
		{"ssh", `{"source":"git@github.com:acme/app.git"}`, 202, "git@github.com:acme/app.git"},
		{"allowed local path", `{"source":"/srv/repos/app/../app","options":{"approvalTimeout":"1h"}}`, 202, "/srv/repos/app"},
		{"local path elsewhere", `{"source":"/etc"}`, 400, ""},
		{"escape by dot-dot", `{"source":"/srv/repos/../../etc"}`, 400, ""},
		{"relative path", `{"source":"repos/app"}`, 400, ""},
		{"credentials in URL", `{"source":"https://user:ghp_secret@github.com/acme/app.git"}`, 400, ""},
		{"token as user", `{"source":"https://ghp_secret@github.com/acme/app.git"}`, 400, ""},
		{"token parameter", `{"source":"https://git.example/acme/app.git?access_token=ghp_secret"}`, 400, ""},
		{"file scheme", `{"source":"file:///etc/passwd"}`, 400, ""},
		{"no source", `{}`, 400, ""},
		{"bad timeout", `{"source":"hf://a/b","options":{"approvalTimeout":"soon"}}`, 400, ""},
		{"unknown field", `{"source":"hf://a/b","sauce":"x"}`, 400, ""},
		{"two values", `{"source":"hf://a/b"} {}`, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			code, body := f.send(t, auth.Operator, "POST", "/api/scans", tc.body)
			if code != tc.status {
				t.Fatalf("%d, want %d: %s", code, tc.status, body)
			}
			if strings.Contains(string(body), "ghp_secret") {
				t.Errorf("the answer repeats the secret: %s", body)
			}
			if tc.status != 202 {
				if len(f.runs.started) != 0 {
					t.Errorf("started anyway: %+v", f.runs.started)
				}
				return
			}
			var got StartedScan
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if len(f.runs.started) != 1 || f.runs.started[0].Source != tc.source || f.runs.started[0].StartedBy != "test-operator" {
				t.Errorf("started %+v", f.runs.started)
			}
			if got.WorkflowID == "" || got.RunID == "" || got.ProgressURL != "/api/scans/"+strings.ReplaceAll(got.WorkflowID, "/", "%2F")+"/progress" ||
				!strings.HasPrefix(got.RunURL, "http://ui.example:8233/namespaces/prod%20ns/workflows/") {
				t.Errorf("answer %+v", got)
			}
		})
	}
	f := newFixture(t)
	f.runs.startErr = fmt.Errorf("workflow scan/x/1: %w", ErrConflict)
	if code, body := f.send(t, auth.Admin, "POST", "/api/scans", `{"source":"hf://a/b","id":"scan/x/1"}`); code != 409 {
		t.Errorf("ID in use: %d %s", code, body)
	}
	noTemporal := New(Options{Store: f.db})
	req := httptest.NewRequest("POST", "/api/scans", strings.NewReader(`{"source":"hf://a/b"}`))
	req.Header.Set("Authorization", "Bearer "+f.tokens[auth.Operator])
	rec := httptest.NewRecorder()
	noTemporal.ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "temporal_unavailable") {
		t.Errorf("without Temporal: %d %s", rec.Code, rec.Body)
	}
}

func TestDecide(t *testing.T) {
	future := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name, body string
		status     int
	}{
		{"approve", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"legal ok","expires":"` + future + `"}`, 202},
		{"reject", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"reject","reason":"non-commercial"}`, 202},
		{"no reason", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"  "}`, 400},
		{"bad decision", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"maybe","reason":"r"}`, 400},
		{"no component", `{"workflowId":"scan/demo/1","decision":"approve","reason":"r"}`, 400},
		{"approver in body", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"r","approver":"ceo"}`, 400},
		{"expired already", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"r","expires":"2001-01-01T00:00:00Z"}`, 400},
		{"bad expiry", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"r","expires":"tomorrow"}`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			code, body := f.send(t, auth.Approver, "POST", "/api/approvals", tc.body)
			if code != tc.status {
				t.Fatalf("%d, want %d: %s", code, tc.status, body)
			}
			if code == 202 {
				if len(f.runs.decided) != 1 || f.runs.decided[0].Approver != "test-approver" {
					t.Errorf("decided %+v", f.runs.decided)
				}
				var got map[string]string
				json.Unmarshal(body, &got)
				if got["approver"] != "test-approver" {
					t.Errorf("answer %s", body)
				}
			} else if len(f.runs.decided) != 0 {
				t.Errorf("signalled anyway: %+v", f.runs.decided)
			}
		})
	}
	f := newFixture(t)
	for _, tc := range []struct {
		err    error
		status int
	}{
		{fmt.Errorf("scan/demo/1 is not waiting for pkg:x: %w", ErrConflict), 409},
		{fmt.Errorf("workflow scan/demo/1: %w", store.ErrNotFound), 404},
		{fmt.Errorf("%w: connection refused", ErrUnavailable), 503},
	} {
		f.runs.decideErr = tc.err
		if code, body := f.send(t, auth.Admin, "POST", "/api/approvals", `{"workflowId":"scan/demo/1","component":"pkg:x","decision":"approve","reason":"r"}`); code != tc.status {
			t.Errorf("%v: %d, want %d: %s", tc.err, code, tc.status, body)
		}
	}
}

func TestTokensAPI(t *testing.T) {
	f := newFixture(t)
	code, body := f.send(t, auth.Admin, "POST", "/api/tokens", `{"name":"ci-bot","role":"operator"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct {
		Token, Name, Role, Hint string
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Token, auth.TokenPrefix) || created.Role != "operator" || !strings.HasPrefix(created.Token, strings.TrimSuffix(created.Hint, "…")) {
		t.Fatalf("created %+v", created)
	}
	// The new token works, with its role.
	req := httptest.NewRequest("GET", "/api/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+created.Token)
	rec := httptest.NewRecorder()
	f.raw.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"ci-bot","role":"operator","via":"token"`) {
		t.Errorf("whoami with the new token: %d %s", rec.Code, rec.Body)
	}
	// Listing never shows a secret or a hash.
	code, body = f.send(t, auth.Admin, "GET", "/api/tokens", "")
	if code != 200 || !strings.Contains(string(body), `"name":"ci-bot"`) || strings.Contains(string(body), created.Token) || strings.Contains(string(body), auth.Hash(created.Token)) {
		t.Errorf("list: %d %s", code, body)
	}
	var list struct{ Tokens []store.Token }
	json.Unmarshal(body, &list)
	for _, tok := range list.Tokens {
		if tok.Name == "ci-bot" && tok.CreatedBy != "test-admin" {
			t.Errorf("created by %q", tok.CreatedBy)
		}
	}
	for _, bad := range []string{`{"name":"ci-bot","role":"viewer"}`, `{"name":"x y","role":"viewer"}`, `{"name":"z","role":"root"}`} {
		if code, body := f.send(t, auth.Admin, "POST", "/api/tokens", bad); code != 400 && code != 409 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, _ := f.send(t, auth.Admin, "POST", "/api/tokens", `{"name":"ci-bot","role":"viewer"}`); code != 409 {
		t.Errorf("name reuse: %d, want 409", code)
	}
	if code, _ := f.send(t, auth.Admin, "DELETE", "/api/tokens/ci-bot", ""); code != 204 {
		t.Errorf("revoke: %d", code)
	}
	rec = httptest.NewRecorder()
	f.raw.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("revoked token still works: %d", rec.Code)
	}
	if code, _ := f.send(t, auth.Admin, "DELETE", "/api/tokens/nobody", ""); code != 404 {
		t.Errorf("revoke unknown: %d", code)
	}
}

func TestSchedulesAPI(t *testing.T) {
	f := newFixture(t)
	code, body := f.send(t, auth.Admin, "POST", "/api/schedules", `{"project":"app","source":"https://github.com/acme/app.git","cron":"0 3 * * *"}`)
	if code != 201 || !strings.Contains(string(body), `"id":"mlbom-scan-app"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	for _, bad := range []string{
		`{"project":"app","source":"https://u:p@h/r.git"}`,
		`{"project":"","source":"hf://a/b"}`,
		`{"project":"app","source":"hf://a/b","cron":"* * * * *","every":"1h"}`,
		`{"project":"app","source":"hf://a/b","every":"5s"}`,
	} {
		if code, body := f.send(t, auth.Admin, "POST", "/api/schedules", bad); code != 400 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, _ := f.send(t, auth.Admin, "DELETE", "/api/schedules/app", ""); code != 204 || len(f.runs.deleted) != 1 || f.runs.deleted[0] != "app" {
		t.Errorf("delete: %d %v", code, f.runs.deleted)
	}
	if code, body := f.send(t, auth.Viewer, "GET", "/api/schedules", ""); code != 200 || !strings.Contains(string(body), `"schedules":[]`) {
		t.Errorf("list: %d %s", code, body)
	}
}

func TestProgressAndPending(t *testing.T) {
	f := newFixture(t)
	f.runs.progress = map[string]Progress{"scan/demo/9": {WorkflowID: "scan/demo/9", RunID: "r9", Status: "Running", Step: "EvaluatePolicy",
		WaitingFor: []Waiting{{Component: "pkg:x", License: "unknown"}}}}
	f.runs.pending = []Pending{{WorkflowID: "scan/demo/9", RunID: "r9", Project: "demo", Component: "pkg:x", License: "unknown"},
		{WorkflowID: "scan/other/1", RunID: "r1", Project: "other", Component: "pkg:y", License: "gpl"}}
	code, body := f.send(t, auth.Viewer, "GET", "/api/scans/scan%2Fdemo%2F9/progress", "")
	if code != 200 || !strings.Contains(string(body), `"step":"EvaluatePolicy"`) || !strings.Contains(string(body), `"component":"pkg:x"`) {
		t.Errorf("progress: %d %s", code, body)
	}
	if code, _ := f.send(t, auth.Viewer, "GET", "/api/scans/scan/demo/9/progress", ""); code != 200 {
		t.Errorf("progress with plain slashes: %d", code)
	}
	if code, _ := f.send(t, auth.Viewer, "GET", "/api/scans/scan%2Fnope/progress", ""); code != 404 {
		t.Errorf("progress of an unknown scan: %d", code)
	}
	code, body = f.send(t, auth.Viewer, "GET", "/api/approvals/pending?project=demo", "")
	var got struct{ Pending []Pending }
	json.Unmarshal(body, &got)
	if code != 200 || len(got.Pending) != 1 || got.Pending[0].RunURL == "" {
		t.Errorf("pending: %d %s", code, body)
	}
}

func TestComponentsFilter(t *testing.T) {
	f := newFixture(t)
	get := func(q string) (int, struct {
		Version, Total, Matched int
		Components              []componentView
	}) {
		code, body := f.send(t, auth.Viewer, "GET", "/api/projects/demo/components"+q, "")
		var out struct {
			Version, Total, Matched int
			Components              []componentView
		}
		json.Unmarshal(body, &out)
		return code, out
	}
	code, all := get("")
	if code != 200 || all.Version != 2 || all.Total != f.n2 || all.Matched != f.n2 {
		t.Fatalf("all: %d %+v", code, all)
	}
	// The deny finding of scan v2 is on the pickle file: it sorts first.
	if all.Components[0].BOMRef != "pkg:generic/legacy/classifier.pkl" || all.Components[0].Verdict != "deny" || all.Components[0].Findings != 1 {
		t.Errorf("first component %+v", all.Components[0])
	}
	for _, tc := range []struct {
		q    string
		want func(componentView) bool
		min  int
	}{
		{"?kind=model", func(c componentView) bool { return c.Kind == "model" }, 2},
		{"?verdict=warn", func(c componentView) bool { return c.Verdict == "warn" }, 1},
		{"?q=SENTIMENT", func(c componentView) bool { return strings.Contains(strings.ToLower(c.Name+c.BOMRef), "sentiment") }, 2},
		{"?q=sentiment+safetensors", func(c componentView) bool { return strings.Contains(c.BOMRef, "model.safetensors") }, 1},
		{"?license=none", func(c componentView) bool { return c.License == "" }, 1},
		{"?version=1&kind=tool", func(c componentView) bool { return c.Kind == "tool" }, 1},
	} {
		code, got := get(tc.q)
		if code != 200 || len(got.Components) < tc.min || got.Matched != len(got.Components) {
			t.Errorf("%s: %d, %d of %d", tc.q, code, len(got.Components), got.Total)
		}
		for _, c := range got.Components {
			if !tc.want(c) {
				t.Errorf("%s matched %+v", tc.q, c)
			}
		}
	}
	for _, bad := range []string{"?verdict=evil", "?version=0", "?colour=red"} {
		if code, _ := get(bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	if code, _ := f.send(t, auth.Viewer, "GET", "/api/projects/nope/components", ""); code != 404 {
		t.Errorf("unknown project: %d", code)
	}
}

func TestObservationsRoute(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := f.db.SaveObservations(context.Background(), []store.Observation{
		{Project: "demo", Kind: "path", Value: "/models/llama.gguf", PID: 7, Comm: "python3", SeenAt: t0},
		{Project: "demo", Kind: "endpoint", Value: "api.openai.com:443", PID: 7, Comm: "python3", SeenAt: t0.Add(time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	code, body := f.send(t, auth.Viewer, "GET", "/api/projects/demo/observations?since=2026-03-01T00:30:00Z", "")
	if code != 200 || !strings.Contains(string(body), "api.openai.com:443") || strings.Contains(string(body), "llama.gguf") {
		t.Errorf("observations: %d %s", code, body)
	}
	if code, _ := f.send(t, auth.Viewer, "GET", "/api/projects/nope/observations", ""); code != 404 {
		t.Errorf("unknown project: %d", code)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	f := newFixture(t)
	rec := httptest.NewRecorder()
	f.raw.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Errorf("healthz: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	f.raw.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"temporal":"ok"`) {
		t.Errorf("readyz: %d %s", rec.Code, rec.Body)
	}
	f.runs.healthErr = errors.New("connection refused")
	rec = httptest.NewRecorder()
	f.raw.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"temporal":"unavailable"`) || strings.Contains(rec.Body.String(), "refused") {
		t.Errorf("readyz with Temporal down: %d %s", rec.Code, rec.Body)
	}

	f.send(t, auth.Viewer, "GET", "/api/projects/demo/versions", "")
	f.send(t, auth.Viewer, "GET", "/api/projects/quiet/versions", "")
	f.send(t, auth.Approver, "POST", "/api/approvals", `{"workflowId":"w","component":"c","decision":"reject","reason":"r"}`)
	code, body := f.send(t, auth.Viewer, "GET", "/metrics", "")
	text := string(body)
	for _, want := range []string{
		`mlbom_http_requests_total{code="200",method="GET",route="GET /api/projects/{project}/versions"} 2`,
		`mlbom_approvals_total{decision="reject"} 1`,
		`mlbom_http_request_duration_seconds_bucket{method="GET",route="GET /api/projects/{project}/versions",le=`,
		// From the store: demo's two completed scans, quiet's failed one,
		// and the findings of demo's latest scan (deny and warn).
		`mlbom_stored_scans{status="completed",verdict="warn"} 2`,
		`mlbom_stored_scans{status="failed",verdict="none"} 1`,
		`mlbom_open_findings{severity="deny"} 1`,
		`mlbom_open_findings{severity="warn"} 1`,
	} {
		if code != 200 || !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "quiet") {
		t.Error("a raw path became a label")
	}
}

func TestProjectPageShowsWaitingScan(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.db.UpsertScan(ctx, store.Scan{ID: "scan/demo/3/r3", RunID: "r3", Project: "demo", Source: "/src/demo", Status: "running", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.runs.progress = map[string]Progress{"scan/demo/3": {WorkflowID: "scan/demo/3", RunID: "r3", Status: "Running",
		WaitingFor: []Waiting{{Component: "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct", License: "llama3.1"}}}}
	_, body := f.page(t, "GET", "/projects/demo", browserAccept)
	if !strings.Contains(body, `id="project-waiting"`) || !strings.Contains(body, "Llama-3.1-8B-Instruct</code> (llama3.1)") || !strings.Contains(body, `href="/scans/scan%2Fdemo%2F3"`) {
		t.Errorf("no waiting banner:\n%s", body)
	}
	f.runs.progress = nil
	if _, body := f.page(t, "GET", "/projects/demo", browserAccept); strings.Contains(body, `id="project-waiting"`) {
		t.Error("banner without a waiting scan")
	}
}

// TestDiffPageHighlightsDrift: a weight file whose hash changed while its
// version did not is listed first among the changes, marked, and counted in
// an alarm box; the page is served as HTML with the dashboard's CSP.
func TestDiffPageHighlightsDrift(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	b, err := bom.Decode(f.v2)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range *b.Components {
		if c.BOMRef == "pkg:generic/models/sentiment/model.safetensors" {
			(*b.Components)[i].Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.Repeat("e", 64)}}
		}
	}
	data, err := bom.EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.SaveVersion(ctx, store.NewVersion{Project: "demo", ScanID: "scan/demo/3/r3", RunID: "r3", BOM: data, Components: rows(b)}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.page(t, "GET", "/projects/demo/diff?from=2&to=3", browserAccept)
	wantHTML(t, resp, body, 200)
	if resp.Header.Get("Content-Security-Policy") != dashboardCSP {
		t.Error("diff page without the dashboard's CSP")
	}
	for _, want := range []string{
		`<h1>demo: v2 → v3</h1>`,
		`<div class="stat alarm"><span class="n">1</span><span class="l">hash drift</span></div>`,
		`<strong>Hash drift:</strong> 1 component(s)`,
		`<tr class="changed drift">`,
		`<span class="badge deny">hash drift</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("diff page lacks %s", want)
		}
	}
	if i := strings.Index(body, `<tr class="changed`); i < 0 || !strings.HasPrefix(body[i:], `<tr class="changed drift">`) {
		t.Error("the drifted component is not the first change")
	}
	if resp, _ := f.page(t, "GET", "/projects/demo/diff?from=3&to=2", browserAccept); resp.StatusCode != 400 {
		t.Errorf("backwards diff: %d", resp.StatusCode)
	}
}

// TestDecisionsShown: the project page lists the decisions recorded with
// the version it shows, and the approvals page says in which BOM version
// each decision was made; both read what the store says.
func TestDecisionsShown(t *testing.T) {
	f := newFixture(t)
	_, body := f.page(t, "GET", "/projects/demo", browserAccept)
	if !strings.Contains(body, `<h2>License decisions in v2</h2>`) || !strings.Contains(body, "public benchmark") {
		t.Errorf("project page lacks v2's decisions:\n%s", body)
	}
	if _, body := f.page(t, "GET", "/projects/demo?version=1", browserAccept); strings.Contains(body, "License decisions in") {
		t.Error("v1 shows decisions made in v2's scan")
	}
	_, body = f.page(t, "GET", "/approvals", browserAccept)
	if !strings.Contains(body, `<a href="/projects/demo?version=2#decisions">v2</a>`) || !strings.Contains(body, `<td class="approver">Dana</td>`) {
		t.Errorf("approvals page lacks the version of Dana's decision:\n%s", body)
	}
}
