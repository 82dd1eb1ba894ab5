package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/bomdiff"
	"github.com/mlbom/autopilot/internal/store"
)

// Bounds on list sizes a client may ask for.
const (
	maxSearchK    = 100
	defaultScans  = 50
	maxScans      = 1000
	maxQueryBytes = 1000
)

func (s *server) health(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.SQL().PingContext(r.Context()); err != nil {
		return fmt.Errorf("%w: %w", errStoreDown, err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "store": s.db.Backend()})
	return nil
}

func (s *server) projects(w http.ResponseWriter, r *http.Request) error {
	list, err := s.db.ListProjects(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": nonNil(list)})
	return nil
}

// requireProject turns an empty listing of an unknown project into a 404,
// so a typo is not mistaken for a project with no history.
func (s *server) requireProject(r *http.Request, project string) error {
	list, err := s.db.ListProjects(r.Context())
	if err != nil {
		return err
	}
	if !slices.Contains(list, project) {
		return fmt.Errorf("project %q: %w", project, store.ErrNotFound)
	}
	return nil
}

func (s *server) versions(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	list, err := s.db.ListVersions(r.Context(), project)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if err := s.requireProject(r, project); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": nonNil(list)})
	return nil
}

func (s *server) bom(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "version", "format")
	if err != nil {
		return err
	}
	number, err := intParam(q, "version", 0, 1, -1)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		format = FormatJSON
	}
	v, data, err := StoredBOM(r.Context(), s.db, r.PathValue("project"), number, format)
	if err != nil {
		return err
	}
	ct := MediaTypeJSON
	if format == FormatXML {
		ct = MediaTypeXML
	}
	w.Header().Set("Content-Type", ct)
	// The number of the version served matters when "latest" was asked.
	w.Header().Set("X-Mlbom-Version", strconv.Itoa(v.Number))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
	return nil
}

// diffOf reads from and to, as the API and the diff page take them, and
// diffs the project's versions.
func (s *server) diffOf(r *http.Request) (*bomdiff.Result, error) {
	q, err := query(r, "from", "to")
	if err != nil {
		return nil, err
	}
	// from absent: the version before to; from 0: against nothing.
	from, err := intParam(q, "from", -1, 0, -1)
	if err != nil {
		return nil, err
	}
	to, err := intParam(q, "to", 0, 1, -1)
	if err != nil {
		return nil, err
	}
	if from > 0 && to > 0 && from > to {
		return nil, badRequest("from (%d) is after to (%d)", from, to)
	}
	return DiffVersions(r.Context(), s.db, r.PathValue("project"), from, to)
}

func (s *server) diff(w http.ResponseWriter, r *http.Request) error {
	res, err := s.diffOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// scanView is a scan as the API shows it: the summary inline as JSON rather
// than base64, and the link to its Temporal run.
type scanView struct {
	store.Scan
	Summary json.RawMessage `json:"summary,omitempty"`
	RunURL  string          `json:"runUrl,omitempty"`
}

func (s *server) view(sc store.Scan) scanView {
	v := scanView{Scan: sc, RunURL: s.runURL(sc.ID, sc.RunID)}
	if json.Valid(sc.Summary) {
		v.Summary = sc.Summary
	}
	return v
}

func (s *server) scans(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "limit")
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", defaultScans, 1, maxScans)
	if err != nil {
		return err
	}
	project := r.PathValue("project")
	list, err := s.db.ListScans(r.Context(), project, limit)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if err := s.requireProject(r, project); err != nil {
			return err
		}
	}
	views := make([]scanView, 0, len(list))
	for _, sc := range list {
		views = append(views, s.view(sc))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scans": views})
	return nil
}

// scan serves /api/scans/{id}, /api/scans/{id}/findings and
// /api/scans/{id}/progress.
func (s *server) scan(w http.ResponseWriter, r *http.Request) error {
	if id, ok := strings.CutSuffix(r.PathValue("rest"), "/progress"); ok && id != "" {
		return s.progress(w, r, id)
	}
	if _, err := query(r); err != nil {
		return err
	}
	id, findings := strings.CutSuffix(r.PathValue("rest"), "/findings")
	if id == "" {
		return badRequest("want /api/scans/{scan id} or /api/scans/{scan id}/findings")
	}
	if !findings {
		sc, err := s.db.GetScan(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.view(sc))
		return nil
	}
	list, err := s.db.ListFindings(r.Context(), id)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		// No findings of a scan that exists is an answer; of one that does
		// not, a mistake.
		if _, err := s.db.GetScan(r.Context(), id); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"scanId": id, "findings": nonNil(list)})
	return nil
}

func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "q", "kind", "project", "k")
	if err != nil {
		return err
	}
	text := strings.TrimSpace(q.Get("q"))
	if text == "" {
		return badRequest("q (the search text) is required")
	}
	if len(text) > maxQueryBytes {
		return badRequest("q is longer than %d bytes", maxQueryBytes)
	}
	k, err := intParam(q, "k", 10, 1, maxSearchK)
	if err != nil {
		return err
	}
	hits, err := s.searcher.Search(r.Context(), text, store.Filter{Project: q.Get("project"), Kind: q.Get("kind")}, k)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"hits": nonNil(hits)})
	return nil
}

// approvalView adds whether an approval still applies, which a reader of
// expires would otherwise compute against their own clock.
type approvalView struct {
	store.Approval
	Active bool `json:"active"`
}

func (s *server) approvals(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "project")
	if err != nil {
		return err
	}
	list, err := s.db.ListApprovals(r.Context(), q.Get("project"))
	if err != nil {
		return err
	}
	now := time.Now()
	views := make([]approvalView, 0, len(list))
	for _, a := range list {
		// Only the decision on record applies; a superseded one or a
		// timeout is history.
		views = append(views, approvalView{Approval: a, Active: a.Current && (a.Expires.IsZero() || a.Expires.After(now))})
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": views})
	return nil
}

// query parses the query string and refuses parameters the endpoint does not
// take, so a misspelt ?verison=2 is an error rather than the latest version.
func query(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("query string: %v", err)
	}
	for name, vals := range q {
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return nil, badRequest("unknown parameter %q (this endpoint takes none)", name)
			}
			return nil, badRequest("unknown parameter %q (this endpoint takes %s)", name, strings.Join(allowed, ", "))
		}
		if len(vals) > 1 {
			return nil, badRequest("parameter %q given %d times", name, len(vals))
		}
	}
	return q, nil
}

// intParam reads an integer parameter: def when absent, else it must lie in
// [lo, hi] (hi < 0: no upper bound).
// window reads the since (RFC 3339) and limit parameters that every list of
// observations takes: what happened after a moment, newest first, at most limit.
func window(q url.Values) (since time.Time, limit int, err error) {
	if v := q.Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			return since, 0, badRequest("since: want an RFC 3339 time")
		}
	}
	limit, err = intParam(q, "limit", 1000, 1, 10000)
	return since, limit, err
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	vals := q[name]
	// An empty value is what a form's "any" choice sends: the default.
	if len(vals) == 0 || vals[0] == "" {
		return def, nil
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil || n < lo || (hi >= 0 && n > hi) {
		if hi >= 0 {
			return 0, badRequest("%s must be an integer from %d to %d, not %q", name, lo, hi, vals[0])
		}
		return 0, badRequest("%s must be an integer of at least %d, not %q", name, lo, vals[0])
	}
	return n, nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
