package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/store"
)

// browserAccept is what a browser sends for a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func (f *fixture) page(t *testing.T, method, target, accept string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func wantHTML(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d\n%s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q, want text/html", ct)
	}
}

// svgChart is the part of a chart the tests read, parsed as XML (inline SVG
// in the page must be well-formed).
type svgChart struct {
	Label string `xml:"aria-label,attr"`
	Bars  []struct {
		Label string `xml:"data-label,attr"`
		Value string `xml:"data-value,attr"`
		Rect  struct {
			Class  string  `xml:"class,attr"`
			Height float64 `xml:"height,attr"`
		} `xml:"rect"`
		Texts []struct {
			Class string `xml:"class,attr"`
			Text  string `xml:",chardata"`
		} `xml:"text"`
	} `xml:"g"`
	Trend *struct {
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
}

var svgRE = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// charts parses every inline SVG chart of a page, keyed by its aria-label.
func charts(t *testing.T, body string) map[string]svgChart {
	t.Helper()
	out := map[string]svgChart{}
	for _, frag := range svgRE.FindAllString(body, -1) {
		var c svgChart
		if err := xml.Unmarshal([]byte(frag), &c); err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, frag)
		}
		out[c.Label] = c
	}
	return out
}

// counts reads a chart back as label → count, checking that each bar's
// printed count label says the same as its data attribute.
func (c svgChart) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, b := range c.Bars {
		n, err := strconv.Atoi(b.Value)
		if err != nil {
			t.Fatalf("bar %q value %q", b.Label, b.Value)
		}
		var printed string
		for _, tx := range b.Texts {
			if tx.Class == "count" {
				printed = tx.Text
			}
		}
		if printed != b.Value {
			t.Errorf("bar %q prints %q, carries %q", b.Label, printed, b.Value)
		}
		if _, dup := out[b.Label]; dup {
			t.Errorf("two bars for %q", b.Label)
		}
		out[b.Label] = n
	}
	return out
}

func TestDashboardIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	resp, body := f.page(t, http.MethodGet, "/", browserAccept)
	wantHTML(t, resp, body, 200)

	projects, err := f.db.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		if !strings.Contains(body, `<a href="/projects/`+p+`"><strong>`+p+`</strong></a>`) {
			t.Errorf("no link to project %q", p)
		}
	}
	// demo's latest scan says warn; quiet's only scan failed without one.
	if !strings.Contains(body, `<span class="badge warn">warn</span>`) {
		t.Error("demo's warn badge missing")
	}
	if !strings.Contains(body, `<span class="badge none">failed</span>`) {
		t.Error("quiet's failed scan missing")
	}

	// One bar per asset kind of demo's latest version, counted from the
	// stored rows.
	rows, err := f.db.ListComponents(ctx, "demo", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range rows {
		want[cmpOr(r.Kind, "unknown")]++
	}
	if len(want) < 3 {
		t.Fatalf("fixture has only %d kinds; the chart test needs several", len(want))
	}
	c, ok := charts(t, body)["Assets by kind in demo version 2"]
	if !ok {
		t.Fatalf("no kinds chart for demo in\n%s", body)
	}
	if got := c.counts(t); !maps.Equal(got, want) {
		t.Errorf("kind bars = %v, want %v", got, want)
	}
	kindCharts := 0
	for label := range charts(t, body) {
		if strings.HasPrefix(label, "Assets by kind") {
			kindCharts++
		}
	}
	if kindCharts != 1 {
		t.Errorf("%d kind charts; quiet has no version, so only demo's", kindCharts)
	}
	// The verdict strip shows demo's two scans, oldest first.
	if !regexp.MustCompile(`(?s)aria-label="verdicts of the last scans of demo">.*?data-verdict="warn".*?data-verdict="warn".*?</svg>`).MatchString(body) {
		t.Error("demo's verdict trend strip missing")
	}
	// The row shows the latest version and its component count.
	if !regexp.MustCompile(`(?s)/projects/demo"><strong>demo</strong></a></td>.*?<td class="num">v2</td>\s*<td class="num">` + strconv.Itoa(f.n2) + `</td>`).MatchString(body) {
		t.Error("demo row lacks version 2 or its component count")
	}
}

func TestDashboardProject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	resp, body := f.page(t, http.MethodGet, "/projects/demo", browserAccept)
	wantHTML(t, resp, body, 200)
	all := charts(t, body)

	versions, err := f.db.ListVersions(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	wantHist := map[string]int{}
	for _, v := range versions {
		wantHist[fmt.Sprintf("v%d", v.Number)] = v.Components
	}
	hist := all["Components per version of demo"]
	if got := hist.counts(t); !maps.Equal(got, wantHist) {
		t.Errorf("history bars = %v, want %v", got, wantHist)
	}
	if hist.Trend == nil || len(strings.Fields(hist.Trend.Points)) != len(versions) {
		t.Errorf("trend line %+v, want one point per version", hist.Trend)
	}

	findings, err := f.db.ListFindings(ctx, scanV2)
	if err != nil {
		t.Fatal(err)
	}
	wantSev := map[string]int{}
	for _, fd := range findings {
		wantSev[fd.Severity]++
	}
	sev := all["Findings by severity of scan "+scanV2]
	if got := sev.counts(t); !maps.Equal(got, wantSev) {
		t.Errorf("severity bars = %v, want %v", got, wantSev)
	}
	for _, b := range sev.Bars {
		if b.Rect.Class != "bar "+b.Label {
			t.Errorf("severity %q drawn with class %q", b.Label, b.Rect.Class)
		}
	}
	if len(sev.Bars) > 0 && sev.Bars[0].Label != "deny" {
		t.Errorf("first severity bar %q, want deny (worst first)", sev.Bars[0].Label)
	}

	// Each version links to its BOM and its diff, and the links work.
	for _, v := range versions {
		bomHref := fmt.Sprintf("/api/projects/demo/bom?version=%d", v.Number)
		diffHref := fmt.Sprintf("/projects/demo/diff?from=%d&amp;to=%d", v.Number-1, v.Number)
		for _, h := range []string{bomHref, diffHref} {
			if !strings.Contains(body, `href="`+h+`"`) {
				t.Errorf("no link %s", h)
			}
		}
		got := f.get(t, http.MethodGet, bomHref)
		data, _ := io.ReadAll(got.Body)
		stored := map[int][]byte{1: f.v1, 2: f.v2}[v.Number]
		if v.Number == 2 {
			// Dana's approval was made in the scan of version 2: the
			// version is served with it, its content unchanged.
			want, _ := bom.ContentHash(stored)
			have, _ := bom.ContentHash(data)
			if got.StatusCode != 200 || want != have || !strings.Contains(string(data), "by Dana: public benchmark") {
				t.Errorf("%s: status %d, not the stored BOM with its decision", bomHref, got.StatusCode)
			}
		} else if got.StatusCode != 200 || string(data) != string(stored) {
			t.Errorf("%s: status %d, not the stored BOM", bomHref, got.StatusCode)
		}
		if got, page := f.page(t, http.MethodGet, strings.ReplaceAll(diffHref, "&amp;", "&"), browserAccept); got.StatusCode != 200 {
			t.Errorf("%s: status %d\n%s", diffHref, got.StatusCode, page)
		}
	}
	// Every scan with a run links to it in the Temporal UI.
	for i, id := range []string{scanV1, scanV2} {
		run := fmt.Sprintf(`href="http://ui.example:8233/namespaces/prod%%20ns/workflows/%s/run-%d/history"`, url.PathEscape(id), i+1)
		if !strings.Contains(body, run) {
			t.Errorf("no run link %s", run)
		}
	}
}

func TestDashboardProjectWithoutVersions(t *testing.T) {
	f := newFixture(t)
	resp, body := f.page(t, http.MethodGet, "/projects/quiet", browserAccept)
	wantHTML(t, resp, body, 200)
	if !strings.Contains(body, "No stored version.") || !strings.Contains(body, "<code>"+quietScan+"</code>") {
		t.Errorf("quiet page lacks its scan or the no-version note:\n%s", body)
	}
	if !strings.Contains(body, "No findings.") {
		t.Error("a scan without findings should say so rather than draw an empty chart")
	}
}

func TestDashboardEscapesRepositoryText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const (
		evil     = `<script>alert(1)</script>`
		evilKind = `<img src=x onerror=alert(2)>`
		scanID   = "scan/evil/1"
	)
	if err := f.db.UpsertScan(ctx, store.Scan{ID: scanID, RunID: `r"><script>alert(3)</script>`, Project: evil, Source: "/src/evil",
		Status: "completed", Verdict: `deny"><script>alert(4)</script>`, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.SaveVersion(ctx, store.NewVersion{Project: evil, ScanID: scanID, BOM: f.v1, ContentHash: "h-evil",
		Components: []store.ComponentRow{{BOMRef: "a", Kind: evilKind, Name: evil}, {BOMRef: "b", Kind: "model", Name: "m"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveFindings(ctx, scanID, []store.Finding{{ID: "x", ScanID: scanID, Project: evil, Policy: "p", Severity: evilKind, Component: "a", Message: evil}}); err != nil {
		t.Fatal(err)
	}

	resp, body := f.page(t, http.MethodGet, "/", browserAccept)
	wantHTML(t, resp, body, 200)
	href := "/projects/" + url.PathEscape(evil)
	resp2, body2 := f.page(t, http.MethodGet, href, browserAccept)
	wantHTML(t, resp2, body2, 200)
	for name, b := range map[string]string{"index": body, "project page": body2} {
		for _, raw := range []string{"<script", "<img", "alert(3)</script>"} {
			if strings.Contains(strings.ToLower(b), raw) {
				t.Errorf("%s contains unescaped %q", name, raw)
			}
		}
		if !strings.Contains(b, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s lacks the escaped project name", name)
		}
	}
	if !strings.Contains(body, `href="`+href+`"`) {
		t.Errorf("index lacks the link %s", href)
	}
	// The untrusted verdict gets the neutral badge, not a class of its own.
	if !strings.Contains(body, `<span class="badge none">deny&#34;&gt;&lt;script&gt;`) {
		t.Error("untrusted verdict not shown escaped in a neutral badge")
	}
	c := charts(t, body)["Assets by kind in "+evil+" version 1"]
	if got := c.counts(t); !maps.Equal(got, map[string]int{evilKind: 1, "model": 1}) {
		t.Errorf("evil kind bars = %v", got)
	}
}

func TestDashboardNotFound(t *testing.T) {
	f := newFixture(t)
	resp, body := f.page(t, http.MethodGet, "/projects/nope", browserAccept)
	wantHTML(t, resp, body, 404)
	if !strings.Contains(body, "<h1>404 · not_found</h1>") || !strings.Contains(body, "project &#34;nope&#34;: not found") {
		t.Errorf("404 page:\n%s", body)
	}
}

// TestDashboardNegotiation: the pages are for browsers; a client that does not
// ask for HTML keeps getting the API's JSON answers.
func TestDashboardNegotiation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		target, accept string
		status         int
		ctype          string
	}{
		{"/", browserAccept, 200, "text/html"},
		{"/", "text/html", 200, "text/html"},
		{"/", "", 404, "application/json"},
		{"/", "application/json", 404, "application/json"},
		{"/", "text/html;q=0, application/json", 404, "application/json"},
		{"/projects/demo", "", 404, "application/json"},
		{"/projects/nope", "application/json", 404, "application/json"},
		{"/projects/demo/extra", browserAccept, 404, "text/html"},
		{"/projects/demo/extra", "", 404, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.accept, func(t *testing.T) {
			resp, body := f.page(t, http.MethodGet, tt.target, tt.accept)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) {
				t.Errorf("%d %q, want %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.ctype, body)
			}
		})
	}
}

func TestDashboardHead(t *testing.T) {
	f := newFixture(t)
	resp, body := f.page(t, http.MethodHead, "/", browserAccept)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD /: %d, %d body bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
}

// TestDashboardCSP: the policy allows the page's one inline stylesheet by
// hash, and nothing else runs or loads.
func TestDashboardCSP(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/", "/projects/demo", "/projects/nope"} {
		resp, body := f.page(t, http.MethodGet, target, browserAccept)
		csp := resp.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(body, -1)
		if len(m) != 1 {
			t.Fatalf("%s: %d <style> elements, want 1", target, len(m))
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", target, csp, want)
		}
		if !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, " style=") {
			t.Errorf("%s: page has script or inline style attributes the CSP would block", target)
		}
	}
}

func TestBarHeights(t *testing.T) {
	tests := []struct {
		name   string
		values []int
		full   float64
		want   []float64
	}{
		{"none", nil, 120, []float64{}},
		{"all zero", []int{0, 0, 0}, 120, []float64{0, 0, 0}},
		{"one", []int{7}, 120, []float64{120}},
		{"proportional", []int{4, 2, 1, 0}, 120, []float64{120, 60, 30, 0}},
		{"max not first", []int{1, 3, 2}, 90, []float64{30, 90, 60}},
		{"ties", []int{5, 5}, 10, []float64{10, 10}},
		{"negative counts as zero", []int{-4, 2}, 50, []float64{0, 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := barHeights(tt.values, tt.full)
			if len(got) != len(tt.want) {
				t.Fatalf("barHeights(%v) = %v, want %v", tt.values, got, tt.want)
			}
			for i := range got {
				if d := got[i] - tt.want[i]; d > 1e-9 || d < -1e-9 {
					t.Errorf("barHeights(%v) = %v, want %v", tt.values, got, tt.want)
					break
				}
			}
		})
	}
}

func TestNewBarChart(t *testing.T) {
	c := newBarChart("t", []string{"a", "a-very-long-kind-name", "c"}, []int{2, 4, 0}, nil)
	if len(c.Bars) != 3 {
		t.Fatalf("%d bars", len(c.Bars))
	}
	base := c.BaseY
	for _, b := range c.Bars {
		if b.Y+b.H != base {
			t.Errorf("bar %q does not stand on the axis: y %v + h %v != %v", b.Label, b.Y, b.H, base)
		}
		if b.X < 0 || b.X+b.W > c.Width {
			t.Errorf("bar %q outside the chart (x %v, width %v)", b.Label, b.X, c.Width)
		}
	}
	if c.Bars[1].H != chartPlotHeight || c.Bars[0].H != chartPlotHeight/2 || c.Bars[2].H != 0 {
		t.Errorf("heights %v %v %v", c.Bars[0].H, c.Bars[1].H, c.Bars[2].H)
	}
	if c.Bars[0].X+c.Bars[0].W > c.Bars[1].X {
		t.Error("bars overlap")
	}
	if got := c.Bars[1].Short; len([]rune(got)) != chartLabelRunes || !strings.HasSuffix(got, "…") {
		t.Errorf("long label shortened to %q", got)
	}
	if empty := newBarChart("t", nil, nil, nil); len(empty.Bars) != 0 || empty.Width <= 0 {
		t.Errorf("empty chart %+v", empty)
	}
}

func TestWantsHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                  false,
		"*/*":                               false,
		"application/json":                  false,
		"text/html":                         true,
		"TEXT/HTML; charset=utf-8":          true,
		browserAccept:                       true,
		"application/xhtml+xml":             true,
		"text/html;q=0":                     false,
		"text/html;q=0.0, application/json": false,
		"garbage;;;, text/html;q=0.5":       true,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept", accept)
		if got := wantsHTML(req); got != want {
			t.Errorf("wantsHTML(%q) = %v, want %v", accept, got, want)
		}
	}
}
