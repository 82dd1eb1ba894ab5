package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

// The dashboard is server-rendered HTML for people who would rather look than
// read JSON. It has no script and loads nothing: the stylesheet is inline and
// allowed by its hash, the charts are inline SVG, so the page works under a
// Content-Security-Policy that forbids everything else.

//go:embed templates/*.tmpl templates/dashboard.css
var templateFS embed.FS

var (
	dashboardCSS = mustRead("templates/dashboard.css")
	// dashboardCSP allows exactly the inline stylesheet; an injected
	// <script> or style attribute would be refused by the browser even if
	// escaping ever failed.
	// Forms post only to this site.
	dashboardCSP = "default-src 'none'; style-src '" + cssHash(dashboardCSS) +
		"'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	dashboardTmpl = template.Must(template.New("dashboard").Funcs(template.FuncMap{
		"verdictClass":  verdictClass,
		"severityClass": severityClass,
		"date":          formatDate,
		"short":         shorten,
		"shortHash":     shortHash,
		"pathEscape":    url.PathEscape,
		"queryEscape":   url.QueryEscape,
		"add":           func(a, b int) int { return a + b },
		"allows":        auth.Allows,
		"verdictNames":  func() []string { return []string{"deny", "warn", "pass"} },
		"severityBadge": func(sev string) string {
			return strings.Replace(severityClass(sev), "bar", "badge", 1) + badgeFallback(sev)
		},
	}).ParseFS(templateFS, "templates/*.tmpl"))
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("read embedded %s: %v", name, err))
	}
	return string(b)
}

// cssHash is the CSP source expression for an inline <style> with body css.
func cssHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Chart geometry in SVG user units.
const (
	chartPlotHeight = 120.0 // the tallest bar
	chartBarWidth   = 36.0
	chartGap        = 28.0
	chartLabelRunes = 10   // what fits under a bar at the chart's font size
	chartTop        = 18.0 // room for the count above the tallest bar
	chartBottom     = 34.0 // room for the label under the bars
	chartSide       = 10.0
)

// chartBar is one bar, placed: the template draws it without arithmetic.
type chartBar struct {
	Label string
	Short string // Label cut to fit under the bar; the tooltip has it whole
	Value int
	Class string // CSS class naming its colour
	X, Y  float64
	W, H  float64
	MidX  float64 // centre, for the labels
	TextY float64 // baseline of the count label
	LabY  float64 // baseline of the category label
}

// barChart is an inline SVG bar chart.
type barChart struct {
	Title         string
	Width, Height float64
	BaseY         float64 // the axis line
	Bars          []chartBar
	Trend         string // polyline points through the bar tops; empty: no line
}

// barHeights scales values so the largest is full and the rest are
// proportional to it. All zero (or none) gives zero heights rather than a
// division by zero; negative values count as zero.
func barHeights(values []int, full float64) []float64 {
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	out := make([]float64, len(values))
	if top == 0 {
		return out
	}
	for i, v := range values {
		if v > 0 {
			out[i] = full * float64(v) / float64(top)
		}
	}
	return out
}

// newBarChart lays out one bar per label, in the order given; class picks
// each bar's colour class from its label (nil: the plain bar colour).
func newBarChart(title string, labels []string, values []int, class func(string) string) barChart {
	heights := barHeights(values, chartPlotHeight)
	base := chartTop + chartPlotHeight
	c := barChart{
		Title:  title,
		Width:  2*chartSide + float64(len(labels))*(chartBarWidth+chartGap) - chartGap,
		Height: base + chartBottom,
		BaseY:  base,
	}
	if len(labels) == 0 {
		c.Width = 2 * chartSide
	}
	for i, label := range labels {
		x := chartSide + float64(i)*(chartBarWidth+chartGap)
		b := chartBar{
			Label: label, Short: shorten(label, chartLabelRunes), Value: values[i], Class: "bar",
			X: x, Y: round1(base - heights[i]), W: chartBarWidth, H: round1(heights[i]),
			MidX: x + chartBarWidth/2, TextY: round1(base - heights[i] - 4), LabY: base + 14,
		}
		if class != nil {
			b.Class = class(label)
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// withTrend adds a line through the tops of the bars, which reads as change
// over time where the bars are successive versions.
func (c barChart) withTrend() barChart {
	if len(c.Bars) < 2 {
		return c
	}
	pts := make([]string, len(c.Bars))
	for i, b := range c.Bars {
		pts[i] = strconv.FormatFloat(b.MidX, 'f', -1, 64) + "," + strconv.FormatFloat(b.Y, 'f', -1, 64)
	}
	c.Trend = strings.Join(pts, " ")
	return c
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// countBy counts items by key, returning keys by descending count, then name,
// so the biggest kinds come first and the order is stable.
func countBy[T any](items []T, key func(T) string) (keys []string, counts []int) {
	m := map[string]int{}
	for _, it := range items {
		m[key(it)]++
	}
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	for _, k := range keys {
		counts = append(counts, m[k])
	}
	return keys, counts
}

// verdictClass maps a verdict to a badge colour; anything unknown is neutral,
// so repository text never becomes an arbitrary class name.
func verdictClass(v string) string {
	switch v {
	case "pass", "warn", "deny":
		return "badge " + v
	}
	return "badge none"
}

// severityOrder puts the findings chart's bars worst first.
var severityOrder = []string{"deny", "error", "critical", "high", "warn", "medium", "low", "info"}

func severityClass(s string) string {
	switch s {
	case "deny", "error", "critical", "high":
		return "bar deny"
	case "warn", "medium":
		return "bar warn"
	case "low", "info":
		return "bar pass"
	}
	return "bar"
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}

// wantsHTML reports whether the client listed text/html as acceptable: a
// browser does, an API client asking for JSON (or nothing) does not. It keeps
// the API's promise that its own clients always get JSON, errors included.
func wantsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || (mt != "text/html" && mt != "application/xhtml+xml") {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q <= 0 {
			continue
		}
		return true
	}
	return false
}

// page is what every dashboard template receives.
type page struct {
	Title string
	CSS   template.CSS
	User  identity // who is signed in; zero on the sign-in page
	CSRF  string   // the session's form token; empty for bearer and anonymous
	Nav   string   // the section the page belongs to
	// Refresh reloads the page after this many seconds (a scan in
	// progress); a meta refresh needs no script.
	Refresh int
	Body    any
}

// refresher is a page body that asks for a reload.
type refresher interface{ refreshSeconds() int }

// navOf names the section of a page template for the header.
var navOf = map[string]string{"index": "projects", "project": "projects", "diff": "projects",
	"search": "search", "approvals": "approvals", "newscan": "scans", "scan": "scans"}

// badgeFallback gives severities without a colour the neutral badge.
func badgeFallback(sev string) string {
	if severityClass(sev) == "bar" {
		return " none"
	}
	return ""
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

type projectRow struct {
	Name, Href     string
	Version        int // 0: no version yet
	Verdict        string
	VerdictTitle   string
	Components     int
	Date           time.Time
	Kinds          barChart
	HasKinds       bool
	LatestScanLink string
	Trend          []trendCell // verdicts of the last scans, oldest first
	TrendWidth     int
}

type indexData struct {
	Projects []projectRow
}

type versionRow struct {
	Number     int
	Prev       int // the version the diff link compares with; 0: none
	Components int
	Date       time.Time
	BOMHref    string
	DiffHref   string
	RunURL     string
}

type scanRow struct {
	ID, Status, Verdict, RunURL string
	Href                        string // the scan's page (by workflow ID)
	Version                     int
	Started                     time.Time
}

type projectData struct {
	Name       string
	Href       string
	Versions   []versionRow // newest first
	History    barChart
	Findings   barChart
	NFindings  int
	LatestScan *scanRow
	Scans      []scanRow

	// The component table of version Shown, filtered.
	Shown      int
	Filter     componentFilterForm
	Kinds      []string // options of the kind filter
	Licenses   []string
	Components []componentView // this page of the matches
	Total      int
	Matched    int
	Page       int
	Pages      int
	PrevHref   string
	NextHref   string
	ClearHref  string
	Lineage    lineage
	HasLineage bool
	// Decisions are the license decisions recorded with version Shown.
	Decisions []store.Approval
	// Waiting are the license exceptions the running scan waits for.
	Waiting     []Waiting
	WaitingHref string
	// Findings of the latest scan, worst first, with where they were seen.
	FindingRows  []findingRow
	MoreFindings int
	FindingsHref string
}

// componentFilterForm is the filter as the form shows it.
type componentFilterForm struct {
	Q, Kind, License, Verdict string
	Version                   int
}

type findingRow struct {
	Severity, Policy, Component, Message, Remediation, Evidence string
}

// findingsShown bounds the findings listed on a project page.
const findingsShown = 100

// componentsPerPage bounds the table rows of one page; the filter and the
// page links reach the rest.
const componentsPerPage = 250

// trendScans is how many scans the verdict strip of the index shows.
const trendScans = 12

// dashboardScans bounds the scans listed on a project page.
const dashboardScans = 50

// dashboard serves an HTML page when the client asks for HTML, and otherwise
// answers as the JSON API does for a path it does not serve.
func (s *server) dashboard(render func(http.ResponseWriter, *http.Request) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !wantsHTML(r) {
			return s.notFound(w, r)
		}
		if err := render(w, r); err != nil {
			s.renderError(w, r, err)
		}
		return nil
	}
}

func (s *server) index(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	names, err := s.db.ListProjects(ctx)
	if err != nil {
		return err
	}
	data := indexData{}
	for _, name := range names {
		row, err := s.projectSummary(ctx, name)
		if err != nil {
			return err
		}
		data.Projects = append(data.Projects, row)
	}
	return s.renderPage(w, r, http.StatusOK, "index", "ML-BOM projects", data)
}

func (s *server) projectSummary(ctx context.Context, name string) (projectRow, error) {
	row := projectRow{Name: name, Href: "/projects/" + url.PathEscape(name)}
	versions, err := s.db.ListVersions(ctx, name)
	if err != nil {
		return row, err
	}
	scans, err := s.db.ListScans(ctx, name, trendScans)
	if err != nil {
		return row, err
	}
	row.Trend = verdictTrend(scans)
	row.TrendWidth = len(row.Trend) * 14
	if len(scans) > 0 {
		sc := scans[0]
		row.Verdict = cmp.Or(sc.Verdict, sc.Status)
		row.VerdictTitle = sc.ID
		row.Date = cmp.Or(sc.EndedAt, sc.StartedAt)
		row.LatestScanLink = s.runURL(sc.ID, sc.RunID)
	}
	if len(versions) == 0 {
		return row, nil
	}
	latest := versions[len(versions)-1]
	row.Version, row.Components = latest.Number, latest.Components
	if row.Date.IsZero() {
		row.Date = latest.CreatedAt
	}
	comps, err := s.cache.rows(ctx, s.db, latest)
	if err != nil {
		return row, err
	}
	kinds, counts := countBy(comps, func(c store.ComponentRow) string { return cmp.Or(c.Kind, "unknown") })
	row.Kinds = newBarChart(fmt.Sprintf("Assets by kind in %s version %d", name, latest.Number), kinds, counts, nil)
	row.HasKinds = len(kinds) > 0
	return row, nil
}

func (s *server) projectPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name := r.PathValue("project")
	q, err := query(r, "version", "kind", "license", "verdict", "q", "page")
	if err != nil {
		return err
	}
	filter, err := parseComponentFilter(q)
	if err != nil {
		return err
	}
	number, err := intParam(q, "version", 0, 1, -1)
	if err != nil {
		return err
	}
	pageNo, err := intParam(q, "page", 1, 1, -1)
	if err != nil {
		return err
	}
	versions, err := s.db.ListVersions(ctx, name)
	if err != nil {
		return err
	}
	scans, err := s.db.ListScans(ctx, name, dashboardScans)
	if err != nil {
		return err
	}
	if len(versions) == 0 && len(scans) == 0 {
		if err := s.requireProject(r, name); err != nil {
			return err
		}
	}
	esc := url.PathEscape(name)
	data := projectData{Name: name, Href: "/projects/" + esc}
	labels := make([]string, 0, len(versions))
	counts := make([]int, 0, len(versions))
	for _, v := range versions {
		labels = append(labels, "v"+strconv.Itoa(v.Number))
		counts = append(counts, v.Components)
		data.Versions = append(data.Versions, versionRow{
			Number: v.Number, Prev: v.Number - 1, Components: v.Components, Date: v.CreatedAt,
			BOMHref:  fmt.Sprintf("/api/projects/%s/bom?version=%d", esc, v.Number),
			DiffHref: fmt.Sprintf("/projects/%s/diff?from=%d&to=%d", esc, v.Number-1, v.Number),
			RunURL:   s.runURL(v.ScanID, v.RunID),
		})
	}
	slices.Reverse(data.Versions)
	data.History = newBarChart("Components per version of "+name, labels, counts, nil).withTrend()

	for _, sc := range scans {
		// Stored scan IDs are WORKFLOW_ID/RUN_ID; the page goes by workflow ID.
		wf := strings.TrimSuffix(sc.ID, "/"+sc.RunID)
		data.Scans = append(data.Scans, scanRow{ID: sc.ID, Status: sc.Status, Verdict: sc.Verdict, Href: "/scans/" + url.PathEscape(wf),
			RunURL: s.runURL(sc.ID, sc.RunID), Version: sc.Version, Started: sc.StartedAt})
	}
	if len(scans) > 0 {
		data.LatestScan = &data.Scans[0]
		findings, err := s.db.ListFindings(ctx, scans[0].ID)
		if err != nil {
			return err
		}
		data.NFindings = len(findings)
		sevs, n := countBy(findings, func(f store.Finding) string { return cmp.Or(f.Severity, "unknown") })
		sevs, n = orderSeverities(sevs, n)
		data.Findings = newBarChart("Findings by severity of scan "+scans[0].ID, sevs, n, severityClass)
		if data.FindingRows, err = s.findingRows(ctx, name, findings); err != nil {
			return err
		}
		// The worst come first; the rest are a click away (the API lists
		// them all, the verdict filter of the table finds their components).
		if len(data.FindingRows) > findingsShown {
			data.MoreFindings = len(data.FindingRows) - findingsShown
			data.FindingRows = data.FindingRows[:findingsShown]
			data.FindingsHref = "/api/scans/" + url.PathEscape(scans[0].ID) + "/findings"
		}
	}
	// A scan of this project still running may be waiting for a person:
	// say so on the project, not only on the approvals page. One progress
	// query, bounded, and the page does without it when Temporal is slow.
	if len(scans) > 0 && scans[0].Status == "running" && s.runs != nil {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		p, err := s.runs.Progress(qctx, strings.TrimSuffix(scans[0].ID, "/"+scans[0].RunID), scans[0].RunID)
		cancel()
		if err == nil && len(p.WaitingFor) > 0 {
			data.Waiting, data.WaitingHref = p.WaitingFor, data.Scans[0].Href
		}
	}
	if len(versions) > 0 {
		if err := s.componentTable(r, &data, name, number, filter, pageNo); err != nil {
			return err
		}
	}
	return s.renderPage(w, r, http.StatusOK, "project", name+" · ML-BOM", data)
}

// componentTable fills the component table, its filter options and the
// lineage picture of version number (0: latest).
func (s *server) componentTable(r *http.Request, data *projectData, name string, number int, f componentFilter, pageNo int) error {
	ctx := r.Context()
	v, all, err := s.versionComponents(ctx, name, number)
	if err != nil {
		return err
	}
	data.Shown, data.Total = v.Number, len(all)
	if data.Decisions, err = s.db.VersionDecisions(ctx, name, v.Number); err != nil {
		return err
	}
	data.Filter = componentFilterForm{Q: r.URL.Query().Get("q"), Kind: f.Kind, License: f.License, Verdict: f.Verdict, Version: number}
	kinds, licenses := map[string]bool{}, map[string]bool{}
	verdicts := make(map[string]string, len(all))
	var matched []componentView
	for _, c := range all {
		kinds[c.Kind] = true
		licenses[cmp.Or(c.License, "none")] = true
		verdicts[c.BOMRef] = c.Verdict
		if f.match(c) {
			matched = append(matched, c)
		}
	}
	data.Kinds = sortedKeys(kinds)
	data.Licenses = sortedKeys(licenses)
	data.Matched = len(matched)
	data.Pages = max(1, (len(matched)+componentsPerPage-1)/componentsPerPage)
	data.Page = min(pageNo, data.Pages)
	lo := (data.Page - 1) * componentsPerPage
	data.Components = matched[lo:min(lo+componentsPerPage, len(matched))]
	link := func(page int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		return data.Href + "?" + q.Encode() + "#components"
	}
	if data.Page > 1 {
		data.PrevHref = link(data.Page - 1)
	}
	if data.Page < data.Pages {
		data.NextHref = link(data.Page + 1)
	}
	data.ClearHref = data.Href + "#components"
	g, err := s.cache.lineage(v)
	if err != nil {
		return err
	}
	data.Lineage = g.layout(verdicts)
	data.HasLineage = !data.Lineage.Empty
	return nil
}

// findingRows orders findings worst first and adds where each component was
// seen (file:line), from the search evidence of the project.
func (s *server) findingRows(ctx context.Context, project string, findings []store.Finding) ([]findingRow, error) {
	ids := make([]string, 0, len(findings))
	for _, f := range findings {
		ids = append(ids, search.EvidenceID(project, f.Component))
	}
	ev, err := s.db.GetEvidence(ctx, ids)
	if err != nil {
		return nil, err
	}
	where := make(map[string]string, len(ev))
	for _, e := range ev {
		where[e.BOMRef] = e.Location
	}
	rows := make([]findingRow, 0, len(findings))
	for _, f := range findings {
		rows = append(rows, findingRow{Severity: f.Severity, Policy: f.Policy, Component: f.Component,
			Message: f.Message, Remediation: f.Remediation, Evidence: where[f.Component]})
	}
	rank := func(sev string) int {
		if i := slices.Index(severityOrder, sev); i >= 0 {
			return i
		}
		return len(severityOrder)
	}
	slices.SortStableFunc(rows, func(a, b findingRow) int { return cmp.Compare(rank(a.Severity), rank(b.Severity)) })
	return rows, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// orderSeverities sorts severities worst first; unknown ones keep their
// count order after the known ones.
func orderSeverities(sevs []string, counts []int) ([]string, []int) {
	rank := func(s string) int {
		if i := slices.Index(severityOrder, s); i >= 0 {
			return i
		}
		return len(severityOrder)
	}
	idx := make([]int, len(sevs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rank(sevs[a]), rank(sevs[b])) })
	os, oc := make([]string, len(idx)), make([]int, len(idx))
	for i, j := range idx {
		os[i], oc[i] = sevs[j], counts[j]
	}
	return os, oc
}

type errorData struct {
	Status  int
	Code    string
	Message string
}

// renderError is writeError for people: the same table decides the status
// and whether the message may be shown.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	k := classify(err)
	msg := k.message
	if k.public {
		msg = err.Error()
	}
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.log.DebugContext(r.Context(), "request cancelled", "path", r.URL.Path)
	case !k.public:
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "code", k.code, "err", err)
	}
	if rerr := s.renderPage(w, r, k.status, "error", http.StatusText(k.status), errorData{Status: k.status, Code: k.code, Message: msg}); rerr != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, msg, k.status)
	}
}

// renderPage executes a template into a buffer first, so a template error
// becomes an error page instead of half a page with status 200.
func (s *server) renderPage(w http.ResponseWriter, r *http.Request, status int, name, title string, body any) error {
	id := identityOf(r.Context())
	p := page{Title: title, CSS: template.CSS(dashboardCSS), User: id, CSRF: id.csrf, Nav: navOf[name], Body: body}
	if rf, ok := body.(refresher); ok {
		p.Refresh = rf.refreshSeconds()
	}
	var buf bytes.Buffer
	if err := dashboardTmpl.ExecuteTemplate(&buf, name, p); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
	return nil
}
