package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

// Benchmarks of the endpoints that do work beyond one query: XML conversion,
// diffing two decoded BOMs, hybrid search (offline embedder).
func BenchmarkEndpoints(b *testing.B) {
	f := newFixture(b)
	for _, bm := range []struct{ name, target string }{
		{"bom-json", "/api/projects/demo/bom"},
		{"bom-xml", "/api/projects/demo/bom?format=xml"},
		{"diff", "/api/projects/demo/diff"},
		{"search", "/api/search?q=sentiment+model&k=10"},
		{"scans", "/api/projects/demo/scans"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bm.target, nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", bm.target, rec.Code, rec.Body)
				}
			}
		})
	}
}

// TestProjectNameWithSlash: a --project name may hold a slash; escaped, it
// is one path segment.
func TestProjectNameWithSlash(t *testing.T) {
	f := newFixture(t)
	if err := f.db.UpsertScan(context.Background(), store.Scan{ID: "scan/team/app/1", RunID: "r1", Project: "team/app", Source: "/src", Status: "running", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/projects/team%2Fapp/scans", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	got := decode[struct{ Scans []scanJSON }](t, rec.Body.Bytes())
	if len(got.Scans) != 1 || got.Scans[0].Project != "team/app" {
		t.Errorf("scans = %+v", got.Scans)
	}
}
