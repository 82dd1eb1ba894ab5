package api

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/bomdiff"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

// form wraps a dashboard form handler: it parses the (bounded) form; the
// guard has already checked the role and, for a session, the CSRF token.
// Success is a 303 to a page; failure a page saying what to fix.
func (s *server) form(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return badRequest("form: %v", err)
		}
		return h(w, r)
	}
}

type diffData struct {
	Name, Href       string
	From, To         int
	Versions         []int
	Result           *bomdiff.Result
	Drift, Licensing int
}

func (s *server) diffPage(w http.ResponseWriter, r *http.Request) error {
	res, err := s.diffOf(r)
	if err != nil {
		return err
	}
	name := r.PathValue("project")
	versions, err := s.db.ListVersions(r.Context(), name)
	if err != nil {
		return err
	}
	d := diffData{Name: name, Href: "/projects/" + url.PathEscape(name), From: res.From, To: res.To, Result: res}
	for _, v := range versions {
		d.Versions = append(d.Versions, v.Number)
	}
	for _, it := range res.Changed {
		if it.HashDrift {
			d.Drift++
		}
		if it.LicenseChange {
			d.Licensing++
		}
	}
	// Drift first: a changed hash under an unchanged version is what a
	// reviewer must see before anything else.
	slices.SortStableFunc(res.Changed, func(a, b bomdiff.Item) int {
		return cmp.Or(boolRank(b.HashDrift)-boolRank(a.HashDrift), boolRank(b.LicenseChange)-boolRank(a.LicenseChange))
	})
	return s.renderPage(w, r, http.StatusOK, "diff", name+" v"+fmt.Sprint(res.From)+"→v"+fmt.Sprint(res.To)+" · ML-BOM", d)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

type searchData struct {
	Q, Kind, Project string
	Projects         []string
	Hits             []searchHit
	Searched         bool
}

type searchHit struct {
	search.Result
	Snippet       string
	ProjectHref   string
	ComponentHref string // the project's component table, filtered to it
}

func (s *server) searchPage(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "q", "kind", "project")
	if err != nil {
		return err
	}
	d := searchData{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Project: q.Get("project")}
	if d.Projects, err = s.db.ListProjects(r.Context()); err != nil {
		return err
	}
	if d.Q != "" {
		if len(d.Q) > maxQueryBytes {
			return badRequest("the search text is longer than %d bytes", maxQueryBytes)
		}
		hits, err := s.searcher.Search(r.Context(), d.Q, store.Filter{Project: d.Project, Kind: d.Kind}, 25)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		d.Searched = true
		// The text behind each hit (card text, descriptions) for a snippet.
		ids := make([]string, 0, len(hits))
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		docs, err := s.db.GetEvidence(r.Context(), ids)
		if err != nil {
			return err
		}
		text := make(map[string]string, len(docs))
		for _, e := range docs {
			text[e.ID] = e.Text
		}
		for _, h := range hits {
			d.Hits = append(d.Hits, searchHit{Result: h, Snippet: snippet(text[h.ID], d.Q, 240),
				ProjectHref:   "/projects/" + url.PathEscape(h.Project),
				ComponentHref: "/projects/" + url.PathEscape(h.Project) + "?q=" + url.QueryEscape(h.BOMRef) + "#components"})
		}
	}
	return s.renderPage(w, r, http.StatusOK, "search", "Search · ML-BOM", d)
}

// snippet cuts text to about n runes around the first query word it holds.
func snippet(text, q string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	start := 0
	lower := strings.ToLower(text)
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if i := strings.Index(lower, w); i >= 0 {
			start = max(0, len([]rune(lower[:i]))-n/4)
			break
		}
	}
	end := min(len(r), start+n)
	out := string(r[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}

type approvalsData struct {
	Pending      []Pending
	PendingError string
	Decisions    []approvalView
	Flash        string
}

func (s *server) approvalsPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	d := approvalsData{Flash: s.takeFlash(w, r)}
	switch {
	case s.runs == nil:
		d.PendingError = "This server runs without a Temporal connection: pending exceptions cannot be listed."
	default:
		list, err := s.runs.Pending(r.Context(), "")
		if err != nil {
			s.log.WarnContext(r.Context(), "list pending exceptions", "err", err)
			d.PendingError = "Temporal did not answer; pending exceptions cannot be listed right now."
		}
		for i := range list {
			list[i].RunURL = s.runURL(list[i].WorkflowID, list[i].RunID)
		}
		d.Pending = list
	}
	list, err := s.db.ListApprovals(r.Context(), "")
	if err != nil {
		return err
	}
	now := s.now()
	for _, a := range list {
		d.Decisions = append(d.Decisions, approvalView{Approval: a, Active: a.Expires.IsZero() || a.Expires.After(now)})
	}
	slices.SortStableFunc(d.Decisions, func(a, b approvalView) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return s.renderPage(w, r, http.StatusOK, "approvals", "Approvals · ML-BOM", d)
}

// decideForm is the approve/reject form of the approvals page.
func (s *server) decideForm(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	d := Decision{WorkflowID: f.Get("workflowId"), Component: f.Get("component"), Decision: f.Get("decision"), Reason: f.Get("reason")}
	if err := s.send(r, d); err != nil {
		return err
	}
	s.setFlash(w, r, fmt.Sprintf("%s: %s %s", d.WorkflowID, verb(d.Decision), d.Component))
	http.Redirect(w, r, "/approvals", http.StatusSeeOther)
	return nil
}

// The confirmation after a form travels in a short-lived cookie rather than
// the URL, so nobody can craft a link that shows "Signal sent" for a
// decision that was never made.
const flashCookie = "mlbom_flash"

func (s *server) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, s.cookie(r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), "/", 60))
}

func (s *server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, s.cookie(r, flashCookie, "", "/", -1))
	msg, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(msg) > 1000 {
		return ""
	}
	return string(msg)
}

func verb(decision string) string {
	if decision == "approve" {
		return "approved"
	}
	return "rejected"
}

type newScanData struct {
	LocalSources []string
	Available    bool
}

func (s *server) newScanPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "newscan", "Start a scan · ML-BOM", newScanData{LocalSources: s.localSources, Available: s.runs != nil})
}

func (s *server) startScanForm(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	req := ScanRequest{Source: f.Get("source"), Project: strings.TrimSpace(f.Get("project")), Ref: strings.TrimSpace(f.Get("ref")),
		Options: ScanOptions{ApprovalTimeout: strings.TrimSpace(f.Get("approvalTimeout"))}}
	started, err := s.start(r, req)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/scans/"+url.PathEscape(started.WorkflowID), http.StatusSeeOther)
	return nil
}

type scanPageData struct {
	ID          string
	Progress    Progress
	Live        bool // the workflow answered its progress query
	LiveError   string
	Stored      *scanView
	ProjectHref string
	RunURL      string
	Running     bool
	Steps       []stepCell
}

type stepCell struct {
	Name, Class string
}

func (d scanPageData) refreshSeconds() int {
	if d.Running {
		return 2
	}
	return 0
}

// scanPage shows a scan: its live progress while the workflow runs (the page
// reloads itself every 2 s until it ends), then what the store recorded.
func (s *server) scanPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	id := r.PathValue("rest")
	d := scanPageData{ID: id}
	if s.runs != nil {
		p, err := s.runs.Progress(r.Context(), id, "")
		switch {
		case err == nil:
			d.Progress, d.Live = p, true
			d.Running = p.Status == "Running"
			d.RunURL = s.runURL(p.WorkflowID, p.RunID)
		case errors.Is(err, store.ErrNotFound):
		default:
			d.LiveError = "Temporal did not answer the progress query."
			s.log.WarnContext(r.Context(), "scan progress", "err", err)
		}
	}
	// The store knows scans by workflow ID/run ID; show the latest run's row.
	if d.Progress.RunID != "" {
		if sc, err := s.db.GetScan(r.Context(), id+"/"+d.Progress.RunID); err == nil {
			v := s.view(sc)
			d.Stored = &v
		}
	}
	if d.Stored == nil {
		if sc, err := s.db.GetScan(r.Context(), id); err == nil {
			v := s.view(sc)
			d.Stored = &v
		}
	}
	if !d.Live && d.Stored == nil {
		return fmt.Errorf("scan %q: %w", id, store.ErrNotFound)
	}
	project := d.Progress.Project
	if d.Stored != nil {
		project = cmp.Or(d.Stored.Project, project)
		if d.RunURL == "" {
			d.RunURL = d.Stored.RunURL
		}
	}
	if project != "" {
		d.ProjectHref = "/projects/" + url.PathEscape(project)
	}
	for i, st := range d.Progress.Steps {
		c := stepCell{Name: st, Class: "todo"}
		switch {
		case d.Progress.Step == "Done" || i < d.Progress.StepIndex:
			c.Class = "done"
		case i == d.Progress.StepIndex && d.Progress.Step == "Failed":
			c.Class = "failed"
		case i == d.Progress.StepIndex:
			c.Class = "current"
		}
		d.Steps = append(d.Steps, c)
	}
	return s.renderPage(w, r, http.StatusOK, "scan", "Scan "+id+" · ML-BOM", d)
}

// trendCell is one scan in a project's verdict history strip.
type trendCell struct {
	X       int
	Class   string
	Title   string
	Verdict string
}

func verdictTrend(scans []store.Scan) []trendCell {
	var out []trendCell
	for i := len(scans) - 1; i >= 0; i-- {
		sc := scans[i]
		v := cmp.Or(sc.Verdict, sc.Status)
		out = append(out, trendCell{X: len(out) * 14, Class: "t-" + verdictClassName(v), Verdict: v,
			Title: fmt.Sprintf("%s: %s (%s)", sc.StartedAt.UTC().Format(time.DateTime), v, sc.ID)})
	}
	return out
}

func verdictClassName(v string) string {
	switch v {
	case "pass", "warn", "deny", "running", "failed":
		return v
	}
	return "none"
}
