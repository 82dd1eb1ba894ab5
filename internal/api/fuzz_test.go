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
