package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary paths and query strings: whatever a client
// sends, the answer is never a 5xx (the store is healthy) and, except for a
// BOM document or the mux's path-cleaning redirect, is JSON; errors carry
// a message and a code.
func FuzzRequest(f *testing.F) {
	fx := newFixture(f)
	for _, seed := range []string{
		"/api/health",
		"/api/projects/demo/versions",
		"/api/projects/demo/bom?version=1&format=xml",
		"/api/projects/demo/bom?version=99999999999999999999",
		"/api/projects/demo/diff?from=0&to=2",
		"/api/projects/demo/diff?from=-5&to=x",
		"/api/projects/demo/scans?limit=1",
		"/api/projects/%2E%2E/scans",
		"/api/scans/scan%2Fdemo%2F20260315T101500Z/findings",
		"/api/scans//findings",
		"/api/scans/findings",
		"/api/search?q=sentiment&kind=model&k=3",
		"/api/search?q=%00%ff&project=demo",
		"/api/search?q=" + strings.Repeat("a", 2000),
		"/api/approvals?project=demo;x=1",
		"/api/../etc/passwd",
		"/api/projects/demo/components?kind=model&verdict=deny&q=llama%20gguf&version=2",
		"/api/projects/demo/observations?since=2026-01-01T00:00:00Z&limit=5",
		"/api/scans/scan%2Fdemo%2F1/progress?runId=x",
		"/api/approvals/pending?project=it's",
		"/api/whoami",
		"/openapi.json",
		"/healthz",
		"/readyz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, target string) {
		req, err := http.NewRequest(http.MethodGet, "http://api.test"+target, nil)
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %q: %d %s", target, rec.Code, rec.Body)
		}
		ct := rec.Header().Get("Content-Type")
		switch {
		case rec.Code >= 300 && rec.Code < 400:
		case req.URL.Path == "/metrics" && strings.HasPrefix(ct, "text/plain"):
		case strings.HasPrefix(ct, "application/vnd.cyclonedx+"):
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %q: BOM with status %d", target, rec.Code)
			}
		case strings.HasPrefix(ct, "application/json"):
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("GET %q: invalid JSON %q", target, rec.Body)
			}
			if rec.Code >= 400 {
				var e errorBody
				if json.Unmarshal(rec.Body.Bytes(), &e); e.Error == "" || e.Code == "" {
					t.Fatalf("GET %q: error body %s", target, rec.Body)
				}
			}
		default:
			t.Fatalf("GET %q: %d with Content-Type %q", target, rec.Code, ct)
		}
	})
}

// FuzzWrite sends arbitrary JSON bodies to the write endpoints as an admin:
// whatever arrives, the answer is JSON and never a 5xx, and nothing reaches
// the workflow engine unless it passed the checks (no source with
// credentials, a decision with a reason).
func FuzzWrite(f *testing.F) {
	fx := newFixture(f)
	for _, seed := range []struct{ path, body string }{
		{"/api/scans", `{"source":"https://github.com/acme/app.git","project":"app"}`},
		{"/api/scans", `{"source":"https://u:p@h/r.git"}`},
		{"/api/scans", `{"source":"/srv/repos/../../etc","options":{"approvalTimeout":"-1h"}}`},
		{"/api/approvals", `{"workflowId":"w","component":"c","decision":"approve","reason":"r","expires":"2099-01-01T00:00:00Z"}`},
		{"/api/approvals", `{"workflowId":"w","component":"c","decision":"approve","reason":"","approver":"x"}`},
		{"/api/tokens", `{"name":"ci","role":"operator"}`},
		{"/api/tokens", `{"name":"\u0000","role":"admin","expires":"yesterday"}`},
		{"/api/schedules", `{"project":"p","source":"hf://a/b","every":"1ns"}`},
		{"/api/scans", `[1,2,3]`},
		{"/api/scans", `{"source":` + strings.Repeat(`"a`, 100)},
	} {
		f.Add(seed.path, seed.body)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		switch path {
		case "/api/scans", "/api/approvals", "/api/tokens", "/api/schedules":
		default:
			return
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fx.tokens["admin"])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fx.raw.ServeHTTP(rec, req)
		if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		for _, sc := range fx.runs.started {
			if strings.Contains(sc.Source, "@") && strings.Contains(sc.Source, "://") && strings.Contains(strings.SplitN(sc.Source, "@", 2)[0], ":") {
				t.Fatalf("a source with credentials was started: %q", sc.Source)
			}
		}
		for _, d := range fx.runs.decided {
			if strings.TrimSpace(d.Reason) == "" || d.Approver != "test-admin" {
				t.Fatalf("decision without reason or with another approver: %+v", d)
			}
		}
	})
}
