package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/property"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

const (
	scanV1    = "scan/demo/20260314T092653Z"
	scanV2    = "scan/demo/20260315T101500Z"
	quietScan = "scan/quiet/20260316T080000Z"
	uiBase    = "http://ui.example:8233/"
	fraudRef  = "pkg:huggingface/acme/fraud-detector"
	toolRef   = "tool:search_tickets"
	transRef  = "pkg:pypi/transformers@4.44.2"
)

// fixture is a store holding two versions of project "demo" (the second
// changes transformers' version, drops a tool and adds a model), their scans,
// findings, indexed evidence and approvals, plus project "quiet" with a scan
// and no version.
type fixture struct {
	db     *store.DB
	h      http.Handler      // raw, acting as the viewer token
	raw    http.Handler      // no credentials added
	tokens map[string]string // secret by role
	runs   *fakeRuns
	v1, v2 []byte // stored BOM JSON
	n2     int    // components of version 2
	logs   *bytes.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	golden, err := os.ReadFile("../bom/testdata/fixture.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	b1, err := bom.Decode(golden)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := bom.Decode(golden)
	if err != nil {
		t.Fatal(err)
	}
	comps := (*b2.Components)[:0]
	for _, c := range *b2.Components {
		switch c.BOMRef {
		case toolRef:
			continue
		case transRef:
			c.Version = "4.46.0"
		}
		comps = append(comps, c)
	}
	comps = append(comps, cdx.Component{
		BOMRef: fraudRef, Type: cdx.ComponentTypeMachineLearningModel, Name: "fraud-detector", Group: "acme",
		Description: "Gradient boosted fraud detector for card payments",
		Properties:  &[]cdx.Property{{Name: property.AssetKind, Value: "model"}},
	})
	b2.Components = &comps

	emb := search.NewOffline(64)
	searcher := search.NewSearcher(db, emb, search.Options{})
	f := &fixture{db: db, logs: &bytes.Buffer{}}
	for i, step := range []struct {
		b      *cdx.BOM
		scanID string
		out    *[]byte
	}{{b1, scanV1, &f.v1}, {b2, scanV2, &f.v2}} {
		data, err := bom.EncodeJSON(step.b)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := bom.ContentHash(data)
		if err != nil {
			t.Fatal(err)
		}
		runID := fmt.Sprintf("run-%d", i+1)
		if err := db.UpsertScan(ctx, store.Scan{ID: step.scanID, RunID: runID, Project: "demo", Source: "/src/demo", Status: "completed",
			Verdict: "warn", Version: i + 1, Summary: []byte(`{"verdict":"warn","components":` + fmt.Sprint(len(*step.b.Components)) + `}`),
			StartedAt: time.Date(2026, 3, 14+i, 9, 0, 0, 0, time.UTC), EndedAt: time.Date(2026, 3, 14+i, 9, 1, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		v, _, err := db.SaveVersion(ctx, store.NewVersion{Project: "demo", ScanID: step.scanID, RunID: runID,
			BOM: data, ContentHash: hash, Components: rows(step.b)})
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != i+1 {
			t.Fatalf("stored version %d, want %d", v.Number, i+1)
		}
		if err := searcher.Index(ctx, search.EvidenceFromBOM("demo", v.Number, step.b)); err != nil {
			t.Fatal(err)
		}
		*step.out = data
	}
	f.n2 = len(comps)
	if err := db.SaveFindings(ctx, scanV2, []store.Finding{
		{ID: "f-license", ScanID: scanV2, Project: "demo", Policy: "license", Severity: "warn", Component: "dataset:huggingface/stanfordnlp/sst2", Message: "unknown license"},
		{ID: "f-pickle", ScanID: scanV2, Project: "demo", Policy: "serialization", Severity: "deny", Component: "pkg:generic/legacy/classifier.pkl", Message: "pickle weights"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertScan(ctx, store.Scan{ID: quietScan, Project: "quiet", Source: "/src/quiet", Status: "failed", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Approval{
		{Project: "demo", Component: "dataset:huggingface/stanfordnlp/sst2", License: "unknown", Decision: "approve", Approver: "Dana", Reason: "public benchmark", ScanID: scanV2, CreatedAt: time.Now()},
		{Project: "demo", Component: "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct", License: "llama3.1", Decision: "approve", Approver: "Lee", Reason: "pilot",
			CreatedAt: time.Now().Add(-48 * time.Hour), Expires: time.Now().Add(-time.Hour)},
		{Project: "other", Component: "pkg:huggingface/x/y", License: "cc-by-nc-4.0", Decision: "reject", Approver: "Lee", Reason: "non-commercial", CreatedAt: time.Now()},
	} {
		if err := db.SaveApproval(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	f.tokens = map[string]string{}
	for _, role := range auth.Roles {
		secret := auth.NewSecret(auth.TokenPrefix)
		if err := db.CreateToken(ctx, store.Token{Name: "test-" + role, Role: role, Hint: auth.Hint(secret)}, auth.Hash(secret)); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	f.runs = &fakeRuns{}
	f.raw = New(Options{Store: db, Embedder: emb, TemporalUIURL: uiBase, Namespace: "prod ns", Runs: f.runs,
		Metrics: metrics.New(), LocalSources: []string{"/srv/repos"},
		Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	f.h = as(f.raw, f.tokens[auth.Viewer])
	return f
}

// as sends requests that carry no credentials of their own with token.
func as(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(w, r)
	})
}

// rows is the component projection BuildBOM stores with a version.
func rows(b *cdx.BOM) []store.ComponentRow {
	var out []store.ComponentRow
	for _, c := range *b.Components {
		r := store.ComponentRow{BOMRef: c.BOMRef, Name: c.Name, Version: c.Version, PURL: c.PackageURL}
		if c.Properties != nil {
			for _, p := range *c.Properties {
				if p.Name == property.AssetKind {
					r.Kind = p.Value
				}
			}
		}
		out = append(out, r)
	}
	return out
}

func (f *fixture) get(t *testing.T, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T: %v\nbody: %s", v, err, body)
	}
	return v
}

// Wire shapes as a client sees them.
type (
	versionJSON struct {
		Version     int       `json:"version"`
		ScanID      string    `json:"scanId"`
		RunID       string    `json:"runId"`
		ContentHash string    `json:"contentHash"`
		CreatedAt   time.Time `json:"createdAt"`
		Components  int       `json:"components"`
		Project     string    `json:"project"`
	}
	changeJSON struct {
		Field    string `json:"field"`
		Old, New any
	}
	itemJSON struct {
		BOMRef        string       `json:"bom-ref"`
		Name          string       `json:"name"`
		Kind          string       `json:"kind"`
		Changes       []changeJSON `json:"changes"`
		HashDrift     bool         `json:"hashDrift"`
		LicenseChange bool         `json:"licenseChange"`
	}
	diffJSON struct {
		Project      string            `json:"project"`
		From         int               `json:"from"`
		To           int               `json:"to"`
		Added        []itemJSON        `json:"added"`
		Removed      []itemJSON        `json:"removed"`
		Changed      []itemJSON        `json:"changed"`
		EdgesAdded   []json.RawMessage `json:"edgesAdded"`
		EdgesRemoved []json.RawMessage `json:"edgesRemoved"`
	}
	scanJSON struct {
		ID        string          `json:"id"`
		RunID     string          `json:"runId"`
		Project   string          `json:"project"`
		Source    string          `json:"source"`
		Status    string          `json:"status"`
		Verdict   string          `json:"verdict"`
		Version   int             `json:"version"`
		Summary   json.RawMessage `json:"summary"`
		StartedAt time.Time       `json:"startedAt"`
		EndedAt   time.Time       `json:"endedAt"`
		RunURL    string          `json:"runUrl"`
	}
	findingsJSON struct {
		ScanID   string          `json:"scanId"`
		Findings []store.Finding `json:"findings"`
	}
	hitJSON struct {
		BOMRef   string  `json:"bom-ref"`
		Name     string  `json:"name"`
		Kind     string  `json:"kind"`
		Score    float64 `json:"score"`
		Project  string  `json:"project"`
		Version  int     `json:"version"`
		Location string  `json:"location"`
	}
	approvalJSON struct {
		store.Approval
		Active bool `json:"active"`
	}
)

func refs(items []itemJSON) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.BOMRef)
	}
	return out
}

func TestEndpoints(t *testing.T) {
	f := newFixture(t)
	wantRunURL := func(id string, run int) string {
		return fmt.Sprintf("http://ui.example:8233/namespaces/prod%%20ns/workflows/%s/run-%d/history", strings.ReplaceAll(id, "/", "%2F"), run)
	}
	tests := []struct {
		name   string
		method string // GET when empty
		target string
		status int
		ctype  string // prefix; application/json when empty
		check  func(t *testing.T, resp *http.Response, body []byte)
	}{
		{name: "health", target: "/api/health", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[map[string]string](t, body)
			if got["status"] != "ok" || got["store"] != store.BackendSQLite {
				t.Errorf("health = %v", got)
			}
		}},
		{name: "projects", target: "/api/projects", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Projects []string }](t, body)
			if !slices.Equal(got.Projects, []string{"demo", "quiet"}) {
				t.Errorf("projects = %v, want [demo quiet]", got.Projects)
			}
		}},
		{name: "versions", target: "/api/projects/demo/versions", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Versions []versionJSON }](t, body)
			if len(got.Versions) != 2 {
				t.Fatalf("versions = %+v", got.Versions)
			}
			v1, v2 := got.Versions[0], got.Versions[1]
			if v1.Version != 1 || v1.ScanID != scanV1 || v1.RunID != "run-1" || v2.Version != 2 || v2.ScanID != scanV2 {
				t.Errorf("versions = %+v", got.Versions)
			}
			if v2.Components != f.n2 || v1.Components != v2.Components {
				t.Errorf("components = %d, %d; want %d each (one removed, one added)", v1.Components, v2.Components, f.n2)
			}
			if h, _ := bom.ContentHash(f.v2); v2.ContentHash != h || v1.ContentHash == v2.ContentHash {
				t.Errorf("content hashes %q %q, want v2 %q", v1.ContentHash, v2.ContentHash, h)
			}
			if v1.CreatedAt.IsZero() {
				t.Error("createdAt missing")
			}
		}},
		{name: "versions of a project without any", target: "/api/projects/quiet/versions", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			if strings.TrimSpace(string(body)) != `{"versions":[]}` {
				t.Errorf("body = %s", body)
			}
		}},
		{name: "versions of an unknown project", target: "/api/projects/nope/versions", status: 404},
		{name: "latest bom", target: "/api/projects/demo/bom", status: 200, ctype: "application/vnd.cyclonedx+json; version=1.6", check: func(t *testing.T, resp *http.Response, body []byte) {
			// Version 2 is served with the decision made in its scan.
			want, _ := bom.ContentHash(f.v2)
			have, _ := bom.ContentHash(body)
			if want != have || !bytes.Contains(body, []byte("License exception approved for dataset:huggingface/stanfordnlp/sst2 (unknown) by Dana: public benchmark")) {
				t.Error("latest BOM is not the stored version 2 with its decision")
			}
			if resp.Header.Get("X-Mlbom-Version") != "2" {
				t.Errorf("X-Mlbom-Version = %q", resp.Header.Get("X-Mlbom-Version"))
			}
		}},
		{name: "bom version 1", target: "/api/projects/demo/bom?version=1&format=json", status: 200, ctype: "application/vnd.cyclonedx+json", check: func(t *testing.T, _ *http.Response, body []byte) {
			if !bytes.Equal(body, f.v1) {
				t.Error("BOM is not the stored version 1")
			}
		}},
		{name: "bom as xml", target: "/api/projects/demo/bom?format=xml&version=2", status: 200, ctype: "application/vnd.cyclonedx+xml; version=1.6", check: func(t *testing.T, _ *http.Response, body []byte) {
			var doc struct {
				XMLName    xml.Name
				Components struct {
					Component []struct {
						BOMRef string `xml:"bom-ref,attr"`
					} `xml:"component"`
				} `xml:"components"`
			}
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatalf("xml: %v", err)
			}
			if doc.XMLName.Local != "bom" || doc.XMLName.Space != "http://cyclonedx.org/schema/bom/1.6" {
				t.Errorf("root = %v", doc.XMLName)
			}
			var got []string
			for _, c := range doc.Components.Component {
				got = append(got, c.BOMRef)
			}
			if len(got) != f.n2 || !slices.Contains(got, fraudRef) || slices.Contains(got, toolRef) {
				t.Errorf("xml components = %v", got)
			}
		}},
		{name: "bom head", method: http.MethodHead, target: "/api/projects/demo/bom", status: 200, ctype: "application/vnd.cyclonedx+json", check: func(t *testing.T, resp *http.Response, body []byte) {
			full, _ := io.ReadAll(f.get(t, http.MethodGet, "/api/projects/demo/bom").Body)
			if len(body) != 0 || resp.Header.Get("Content-Length") != fmt.Sprint(len(full)) {
				t.Errorf("HEAD: %d body bytes, Content-Length %q", len(body), resp.Header.Get("Content-Length"))
			}
		}},
		{name: "bom version missing", target: "/api/projects/demo/bom?version=3", status: 404},
		{name: "bom of unknown project", target: "/api/projects/nope/bom", status: 404},
		{name: "bom of project without versions", target: "/api/projects/quiet/bom", status: 404},
		{name: "bom version 0", target: "/api/projects/demo/bom?version=0", status: 400},
		{name: "bom version not a number", target: "/api/projects/demo/bom?version=two", status: 400},
		{name: "bom format yaml", target: "/api/projects/demo/bom?format=yaml", status: 400},
		{name: "bom misspelt parameter", target: "/api/projects/demo/bom?verison=1", status: 400},
		{name: "bom repeated parameter", target: "/api/projects/demo/bom?version=1&version=2", status: 400},
		{name: "diff latest against previous", target: "/api/projects/demo/diff", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			d := decode[diffJSON](t, body)
			if d.Project != "demo" || d.From != 1 || d.To != 2 {
				t.Errorf("diff %s %d..%d", d.Project, d.From, d.To)
			}
			if !slices.Equal(refs(d.Added), []string{fraudRef}) || !slices.Equal(refs(d.Removed), []string{toolRef}) || !slices.Equal(refs(d.Changed), []string{transRef}) {
				t.Fatalf("added %v removed %v changed %v", refs(d.Added), refs(d.Removed), refs(d.Changed))
			}
			if d.Added[0].Name != "acme/fraud-detector" || d.Removed[0].Name != "search_tickets" {
				t.Errorf("names: %q %q", d.Added[0].Name, d.Removed[0].Name)
			}
			ch := d.Changed[0].Changes
			if !slices.ContainsFunc(ch, func(c changeJSON) bool { return c.Field == "version" && c.Old == "4.44.2" && c.New == "4.46.0" }) {
				t.Errorf("changes of transformers = %+v", ch)
			}
		}},
		{name: "diff from 0 adds everything", target: "/api/projects/demo/diff?from=0", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			d := decode[diffJSON](t, body)
			if d.From != 0 || d.To != 2 || len(d.Added) != f.n2+1 || len(d.Removed) != 0 || len(d.Changed) != 0 { // +1: the service
				t.Errorf("from 0: %d..%d added %d removed %d changed %d", d.From, d.To, len(d.Added), len(d.Removed), len(d.Changed))
			}
		}},
		{name: "diff to version 1", target: "/api/projects/demo/diff?to=1", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			d := decode[diffJSON](t, body)
			if d.From != 0 || d.To != 1 || !slices.Contains(refs(d.Added), toolRef) || slices.Contains(refs(d.Added), fraudRef) {
				t.Errorf("to 1: %d..%d added %v", d.From, d.To, refs(d.Added))
			}
		}},
		{name: "diff backwards", target: "/api/projects/demo/diff?from=2&to=1", status: 400},
		{name: "diff negative from", target: "/api/projects/demo/diff?from=-1", status: 400},
		{name: "diff to 0", target: "/api/projects/demo/diff?to=0", status: 400},
		{name: "diff missing from", target: "/api/projects/demo/diff?from=3", status: 404},
		{name: "diff missing to", target: "/api/projects/demo/diff?to=5", status: 404},
		{name: "diff unknown project", target: "/api/projects/nope/diff", status: 404},
		{name: "scans", target: "/api/projects/demo/scans", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Scans []scanJSON }](t, body)
			if len(got.Scans) != 2 || got.Scans[0].ID != scanV2 || got.Scans[1].ID != scanV1 {
				t.Fatalf("scans (want newest first) = %+v", got.Scans)
			}
			s := got.Scans[0]
			if s.RunID != "run-2" || s.Version != 2 || s.Status != "completed" || s.Verdict != "warn" || s.Project != "demo" {
				t.Errorf("scan = %+v", s)
			}
			if s.RunURL != wantRunURL(scanV2, 2) {
				t.Errorf("runUrl = %q, want %q", s.RunURL, wantRunURL(scanV2, 2))
			}
			var sum struct{ Verdict string }
			if err := json.Unmarshal(s.Summary, &sum); err != nil || sum.Verdict != "warn" {
				t.Errorf("summary is not the stored JSON object: %s (%v)", s.Summary, err)
			}
		}},
		{name: "scans limit", target: "/api/projects/demo/scans?limit=1", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Scans []scanJSON }](t, body)
			if len(got.Scans) != 1 || got.Scans[0].ID != scanV2 {
				t.Errorf("scans = %+v", got.Scans)
			}
		}},
		{name: "scan without run has no link", target: "/api/projects/quiet/scans", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Scans []scanJSON }](t, body)
			if len(got.Scans) != 1 || got.Scans[0].RunURL != "" || got.Scans[0].Status != "failed" {
				t.Errorf("scans = %+v", got.Scans)
			}
		}},
		{name: "scans limit 0", target: "/api/projects/demo/scans?limit=0", status: 400},
		{name: "scans limit too big", target: "/api/projects/demo/scans?limit=100000", status: 400},
		{name: "scans of unknown project", target: "/api/projects/nope/scans", status: 404},
		{name: "findings, slashes plain", target: "/api/scans/" + scanV2 + "/findings", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[findingsJSON](t, body)
			if got.ScanID != scanV2 || len(got.Findings) != 2 || got.Findings[0].ID != "f-license" || got.Findings[1].Severity != "deny" {
				t.Errorf("findings = %+v", got)
			}
		}},
		{name: "findings, slashes escaped", target: "/api/scans/" + strings.ReplaceAll(scanV2, "/", "%2F") + "/findings", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[findingsJSON](t, body)
			if got.ScanID != scanV2 || len(got.Findings) != 2 {
				t.Errorf("findings = %+v", got)
			}
		}},
		{name: "findings of a clean scan", target: "/api/scans/" + scanV1 + "/findings", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			if got := decode[findingsJSON](t, body); got.Findings == nil || len(got.Findings) != 0 {
				t.Errorf("findings = %+v, want []", got)
			}
		}},
		{name: "findings of an unknown scan", target: "/api/scans/scan/demo/19990101T000000Z/findings", status: 404},
		{name: "scan itself", target: "/api/scans/" + scanV1, status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[scanJSON](t, body)
			if got.ID != scanV1 || got.RunURL != wantRunURL(scanV1, 1) {
				t.Errorf("scan = %+v", got)
			}
		}},
		{name: "unknown scan", target: "/api/scans/scan/x", status: 404},
		{name: "search", target: "/api/search?q=demo-sentiment+fine-tuned+distilbert+support+tickets&k=5", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Hits []hitJSON }](t, body)
			if len(got.Hits) == 0 || len(got.Hits) > 5 {
				t.Fatalf("%d hits", len(got.Hits))
			}
			// Ranking is the search package's business; the API's is that
			// each hit carries its link to the evidence.
			i := slices.IndexFunc(got.Hits, func(h hitJSON) bool { return h.BOMRef == "pkg:huggingface/acme/demo-sentiment" })
			if i < 0 {
				t.Fatalf("the fine-tuned model is not among %+v", got.Hits)
			}
			if h := got.Hits[i]; h.Name != "acme/demo-sentiment" || h.Kind != "model" || h.Project != "demo" || h.Version != 2 || h.Score <= 0 || h.Location == "" {
				t.Errorf("hit = %+v", h)
			}
			for i := 1; i < len(got.Hits); i++ {
				if got.Hits[i].Score > got.Hits[i-1].Score {
					t.Errorf("hits not best first: %+v", got.Hits)
				}
			}
		}},
		{name: "search by kind", target: "/api/search?q=sst2+stanfordnlp+sentiment&kind=dataset", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Hits []hitJSON }](t, body)
			if len(got.Hits) == 0 {
				t.Fatal("no dataset hits")
			}
			for _, h := range got.Hits {
				if h.Kind != "dataset" {
					t.Errorf("kind filter let through %+v", h)
				}
			}
		}},
		{name: "search finds only the latest evidence", target: "/api/search?q=fraud+detector+payments&project=demo", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Hits []hitJSON }](t, body)
			if len(got.Hits) == 0 || got.Hits[0].BOMRef != fraudRef || got.Hits[0].Version != 2 {
				t.Errorf("hits = %+v", got.Hits)
			}
		}},
		{name: "search other project", target: "/api/search?q=sentiment&project=other", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			if strings.TrimSpace(string(body)) != `{"hits":[]}` {
				t.Errorf("body = %s", body)
			}
		}},
		{name: "search without q", target: "/api/search?kind=model", status: 400},
		{name: "search blank q", target: "/api/search?q=+++", status: 400},
		{name: "search k 0", target: "/api/search?q=bert&k=0", status: 400},
		{name: "search k too big", target: "/api/search?q=bert&k=101", status: 400},
		{name: "search bad escape", target: "/api/search?q=%zz", status: 400},
		{name: "approvals", target: "/api/approvals", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Approvals []approvalJSON }](t, body)
			if len(got.Approvals) != 3 {
				t.Fatalf("approvals = %+v", got.Approvals)
			}
			active := map[string]bool{}
			for _, a := range got.Approvals {
				active[a.License] = a.Active
			}
			if !active["unknown"] || active["llama3.1"] || !active["cc-by-nc-4.0"] {
				t.Errorf("active = %v (llama3.1 expired an hour ago)", active)
			}
			// Each decision names the scan and BOM version it was made in.
			for _, a := range got.Approvals {
				if a.License == "unknown" && (a.ScanID != scanV2 || a.Version != 2 || !a.Current) {
					t.Errorf("decision made in the scan of version 2: %+v", a)
				}
			}
		}},
		{name: "approvals of a project", target: "/api/approvals?project=demo", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			got := decode[struct{ Approvals []approvalJSON }](t, body)
			if len(got.Approvals) != 2 {
				t.Fatalf("approvals = %+v", got.Approvals)
			}
			for _, a := range got.Approvals {
				if a.Project != "demo" || a.Approver == "" || a.Reason == "" || a.CreatedAt.IsZero() {
					t.Errorf("approval = %+v", a)
				}
			}
		}},
		{name: "approvals of nobody", target: "/api/approvals?project=nope", status: 200, check: func(t *testing.T, _ *http.Response, body []byte) {
			if strings.TrimSpace(string(body)) != `{"approvals":[]}` {
				t.Errorf("body = %s", body)
			}
		}},
		{name: "approvals --pending is not served", target: "/api/approvals?pending=1", status: 400},
		{name: "unknown path", target: "/api/nope", status: 404},
		{name: "root", target: "/", status: 404},
		{name: "post", method: http.MethodPost, target: "/api/projects", status: 405, check: func(t *testing.T, resp *http.Response, _ []byte) {
			if resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
		}},
		{name: "delete a scan", method: http.MethodDelete, target: "/api/scans/" + scanV1, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := cmpOr(tt.method, http.MethodGet)
			resp := f.get(t, method, tt.target)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, tt.target, resp.StatusCode, tt.status, body)
			}
			ctype := cmpOr(tt.ctype, "application/json")
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), ctype)
			}
			if resp.StatusCode >= 400 {
				e := decode[errorBody](t, body)
				want := classifyStatus(resp.StatusCode)
				if e.Error == "" || e.Code != want {
					t.Errorf("error body %+v, want code %q", e, want)
				}
			}
			if tt.check != nil {
				tt.check(t, resp, body)
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// classifyStatus is the code a client should see with a status in these tests.
func classifyStatus(status int) string {
	switch status {
	case 400:
		return "bad_request"
	case 404:
		return "not_found"
	case 405:
		return "method_not_allowed"
	}
	return fmt.Sprint("unexpected status ", status)
}

func TestRequestsAreLogged(t *testing.T) {
	f := newFixture(t)
	f.get(t, http.MethodGet, "/api/search?q=secret-query-text")
	f.get(t, http.MethodGet, "/api/projects/nope/versions")
	logs := f.logs.String()
	for _, want := range []string{"path=/api/search status=200", "path=/api/projects/nope/versions status=404"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "secret-query-text") {
		t.Errorf("query string logged:\n%s", logs)
	}
}

// TestErrorTable checks that errors whose text may hold configuration or SQL
// stay in the log and that the client gets a status and a generic message.
func TestErrorTable(t *testing.T) {
	const secret = "hunter2"
	tests := []struct {
		err    error
		status int
		code   string
		public bool
	}{
		{fmt.Errorf("read x: %w", store.ErrNotFound), 404, "not_found", true},
		{badRequest("k must be positive"), 400, "bad_request", true},
		{fmt.Errorf("save: %w", store.ErrInvalid), 400, "invalid", true},
		{fmt.Errorf("%w: MLBOM_DB mysql://root:%s@db:3306/x: access denied", store.ErrConfig, secret), 500, "store_config", false},
		{fmt.Errorf("%w: dial tcp %s", errStoreDown, secret), 503, "unavailable", false},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 504, "timeout", false},
		{errors.New("near \"SELEKT\": syntax error " + secret), 500, "internal", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			var logs bytes.Buffer
			rec := httptest.NewRecorder()
			writeError(rec, httptest.NewRequest("GET", "/api/x", nil), slog.New(slog.NewTextHandler(&logs, nil)), tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Code != tt.code {
				t.Errorf("code %q, want %q", body.Code, tt.code)
			}
			if tt.public && body.Error != tt.err.Error() {
				t.Errorf("message %q, want %q", body.Error, tt.err.Error())
			}
			if !tt.public {
				if strings.Contains(rec.Body.String(), secret) || body.Error == "" {
					t.Errorf("client sees %q", body.Error)
				}
				if !strings.Contains(logs.String(), "request failed") {
					t.Errorf("hidden error not logged: %s", logs.String())
				}
			}
		})
	}
}

func TestHealthWithClosedStore(t *testing.T) {
	f := newFixture(t)
	f.db.Close()
	resp := f.get(t, http.MethodGet, "/api/health")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if e := decode[errorBody](t, body); e.Code != "unavailable" {
		t.Errorf("body %+v", e)
	}
}

func TestPanicIsJSON500(t *testing.T) {
	var logs bytes.Buffer
	s := &server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := s.logRequests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic answered %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log: %s", logs.String())
	}
}

func TestDiffVersionsMatchesCLI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		from, to         int
		wantFrom, wantTo int
		added            int
	}{
		{-1, 0, 1, 2, 1},
		{-1, 2, 1, 2, 1},
		{-1, 1, 0, 1, f.n2 + 1},
		{0, 0, 0, 2, f.n2 + 1},
		{2, 1, 2, 1, 1}, // the helper allows backwards; the API refuses it
	}
	for _, tt := range tests {
		res, err := DiffVersions(ctx, f.db, "demo", tt.from, tt.to)
		if err != nil {
			t.Fatalf("DiffVersions(%d, %d): %v", tt.from, tt.to, err)
		}
		if res.From != tt.wantFrom || res.To != tt.wantTo || len(res.Added) != tt.added {
			t.Errorf("DiffVersions(%d, %d) = %d..%d added %d, want %d..%d added %d", tt.from, tt.to, res.From, res.To, len(res.Added), tt.wantFrom, tt.wantTo, tt.added)
		}
	}
	if _, err := DiffVersions(ctx, f.db, "demo", 7, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing from: %v", err)
	}
}
