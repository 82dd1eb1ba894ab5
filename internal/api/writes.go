package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/logs"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/redact"
	"github.com/mlbom/autopilot/internal/store"
)

// maxBodyBytes bounds a JSON request body.
const maxBodyBytes = 64 << 10

// readJSON decodes a JSON body into v, refusing unknown fields (a misspelt
// "reson" is an error, not a decision without a reason) and trailing data.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return badRequest("send the body as application/json, not %s", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return badRequest("the request needs a JSON body")
		}
		return badRequest("request body: %v", err)
	}
	if dec.More() {
		return badRequest("request body: more than one JSON value")
	}
	return nil
}

// needRuns is the 503 of a server started without Temporal.
func (s *server) needRuns() error {
	if s.runs == nil {
		return fmt.Errorf("%w: this server was started without a Temporal connection", ErrUnavailable)
	}
	return nil
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz: ready when the store answers and, if configured, Temporal does.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	out := map[string]string{"status": "ready", "store": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := s.db.SQL().PingContext(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: store", "err", err)
		out["store"], out["status"], status = "unavailable", "not ready", http.StatusServiceUnavailable
	}
	switch {
	case s.runs == nil:
		out["temporal"] = "not configured"
	default:
		if err := s.runs.Health(ctx); err != nil {
			s.log.WarnContext(ctx, "readiness: temporal", "err", err)
			out["temporal"], out["status"], status = "unavailable", "not ready", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, out)
	return nil
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIJSON)
	return nil
}

// storeCounts feeds the store gauges of /metrics.
func (s *server) storeCounts(ctx context.Context) (metrics.StoreCounts, error) {
	st, err := s.db.Stats(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "metrics: read store counts", "err", err)
		return metrics.StoreCounts{}, err
	}
	c := metrics.StoreCounts{Scans: map[[2]string]int{}, OpenFindings: st.Findings}
	for _, sc := range st.Scans {
		c.Scans[[2]string{sc.Status, sc.Verdict}] += sc.N
	}
	return c, nil
}

func (s *server) metricsPage(w http.ResponseWriter, r *http.Request) error {
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}

// checkSource accepts what a worker may be asked to scan on someone's
// behalf: git and Hub URLs without credentials in them (tokens belong in the
// worker's configuration, never in a workflow's input and history), and
// local paths only under a configured directory.
func (s *server) checkSource(src string) (string, error) {
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		return "", badRequest("source is required: a git URL, hf://ORG/NAME or a path under MLBOM_HTTP_LOCAL_SOURCES")
	case strings.HasPrefix(src, "hf://"):
		return src, nil
	case strings.HasPrefix(src, "git@"):
		return src, nil
	case strings.Contains(src, "://"):
		u, err := url.Parse(src)
		if err != nil {
			return "", badRequest("source: %v", errors.Unwrap(err))
		}
		// redact.URL is the one definition of "a secret in a URL" (user
		// info, token parameters, token shapes); the message never repeats
		// the URL itself.
		if u.User != nil || redact.URL(src) != src {
			return "", badRequest("source: credentials in the URL are refused (they would be kept in the run's history); give the worker MLBOM_GIT_TOKEN instead")
		}
		switch u.Scheme {
		case "https", "http", "ssh", "git":
			return src, nil
		}
		return "", badRequest("source: scheme %q is not scanned; use https, ssh, git or hf", u.Scheme)
	}
	if !filepath.IsAbs(src) {
		return "", badRequest("source: a local path must be absolute (it is read on the worker's machine)")
	}
	clean := filepath.Clean(src)
	for _, root := range s.localSources {
		root = filepath.Clean(root)
		if clean == root || strings.HasPrefix(clean, root+string(filepath.Separator)) {
			return clean, nil
		}
	}
	return "", badRequest("source: local paths are scanned through the API only under MLBOM_HTTP_LOCAL_SOURCES (not set for %s)", clean)
}

func (s *server) startScan(w http.ResponseWriter, r *http.Request) error {
	var req ScanRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	started, err := s.start(r, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", started.ProgressURL)
	writeJSON(w, http.StatusAccepted, started)
	return nil
}

// start checks and starts a scan for the request's identity.
func (s *server) start(r *http.Request, req ScanRequest) (StartedScan, error) {
	if err := s.needRuns(); err != nil {
		return StartedScan{}, err
	}
	src, err := s.checkSource(req.Source)
	if err != nil {
		return StartedScan{}, err
	}
	req.Source = src
	if req.Options.ApprovalTimeout != "" {
		if _, err := time.ParseDuration(req.Options.ApprovalTimeout); err != nil {
			return StartedScan{}, badRequest("options.approvalTimeout: want a duration such as 72h, not %q", req.Options.ApprovalTimeout)
		}
	}
	if len(req.Project) > 255 || len(req.ID) > 255 {
		return StartedScan{}, badRequest("project and id are at most 255 bytes")
	}
	req.StartedBy = identityOf(r.Context()).Name
	started, err := s.runs.StartScan(r.Context(), req)
	if err != nil {
		return StartedScan{}, err
	}
	started.RunURL = s.runURL(started.WorkflowID, started.RunID)
	started.ProgressURL = "/api/scans/" + url.PathEscape(started.WorkflowID) + "/progress"
	s.log.InfoContext(logs.WithRun(r.Context(), started.WorkflowID, started.RunID), "scan started",
		"project", started.Project, "by", req.StartedBy)
	return started, nil
}

func (s *server) progress(w http.ResponseWriter, r *http.Request, id string) error {
	q, err := query(r, "runId")
	if err != nil {
		return err
	}
	if err := s.needRuns(); err != nil {
		return err
	}
	p, err := s.runs.Progress(r.Context(), id, q.Get("runId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) decide(w http.ResponseWriter, r *http.Request) error {
	var d Decision
	if err := readJSON(w, r, &d); err != nil {
		return err
	}
	if err := s.send(r, d); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"workflowId": d.WorkflowID, "component": d.Component,
		"decision": d.Decision, "approver": identityOf(r.Context()).Name})
	return nil
}

// send checks a decision and signals it, as the request's identity.
func (s *server) send(r *http.Request, d Decision) error {
	if err := s.needRuns(); err != nil {
		return err
	}
	d.WorkflowID, d.Component, d.Reason = strings.TrimSpace(d.WorkflowID), strings.TrimSpace(d.Component), strings.TrimSpace(d.Reason)
	switch {
	case d.WorkflowID == "" || d.Component == "":
		return badRequest("workflowId and component are required")
	case d.Decision != "approve" && d.Decision != "reject":
		return badRequest("decision must be approve or reject, not %q", d.Decision)
	case d.Reason == "":
		return badRequest("reason is required: the decision is kept on record")
	case len(d.Reason) > 2000:
		return badRequest("reason is longer than 2000 bytes")
	}
	if d.Expires != "" {
		t, err := time.Parse(time.RFC3339, d.Expires)
		if err != nil {
			return badRequest("expires: want an RFC 3339 time such as 2027-01-31T00:00:00Z")
		}
		if d.Decision == "approve" && !t.After(s.now()) {
			return badRequest("expires is in the past")
		}
	}
	id := identityOf(r.Context())
	d.Approver = id.Name
	if err := s.runs.Decide(r.Context(), d); err != nil {
		return err
	}
	s.metrics.Approval(d.Decision)
	s.log.InfoContext(logs.WithRun(r.Context(), d.WorkflowID, ""), "license exception decided",
		"component", d.Component, "decision", d.Decision, "approver", d.Approver)
	return nil
}

func (s *server) pending(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "project")
	if err != nil {
		return err
	}
	if err := s.needRuns(); err != nil {
		return err
	}
	list, err := s.runs.Pending(r.Context(), q.Get("project"))
	if err != nil {
		return err
	}
	for i := range list {
		list[i].RunURL = s.runURL(list[i].WorkflowID, list[i].RunID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pending": nonNil(list)})
	return nil
}

func (s *server) schedules(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	if err := s.needRuns(); err != nil {
		return err
	}
	list, err := s.runs.Schedules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": nonNil(list)})
	return nil
}

func (s *server) createSchedule(w http.ResponseWriter, r *http.Request) error {
	var ns NewSchedule
	if err := readJSON(w, r, &ns); err != nil {
		return err
	}
	if err := s.needRuns(); err != nil {
		return err
	}
	if strings.TrimSpace(ns.Project) == "" {
		return badRequest("project is required")
	}
	src, err := s.checkSource(ns.Source)
	if err != nil {
		return err
	}
	ns.Source = src
	if ns.Cron != "" && ns.Every != "" {
		return badRequest("give cron or every, not both")
	}
	if ns.Every != "" {
		if d, err := time.ParseDuration(ns.Every); err != nil || d < time.Minute {
			return badRequest("every: want a duration of at least 1m, such as 24h")
		}
	}
	sc, err := s.runs.CreateSchedule(r.Context(), ns)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "schedule created", "schedule", sc.ID, "by", identityOf(r.Context()).Name)
	writeJSON(w, http.StatusCreated, sc)
	return nil
}

func (s *server) deleteSchedule(w http.ResponseWriter, r *http.Request) error {
	if err := s.needRuns(); err != nil {
		return err
	}
	project := r.PathValue("project")
	if err := s.runs.DeleteSchedule(r.Context(), project); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "schedule deleted", "project", project, "by", identityOf(r.Context()).Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) tokens(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	list, err := s.db.ListTokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
	return nil
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		Expires string `json:"expires,omitempty"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if err := auth.CheckName(req.Name); err != nil {
		return badRequest("%v", err)
	}
	if _, err := auth.ParseRole(req.Role); err != nil {
		return badRequest("%v", err)
	}
	t := store.Token{Name: req.Name, Role: req.Role, CreatedBy: identityOf(r.Context()).Name, CreatedAt: s.now()}
	if req.Expires != "" {
		exp, err := time.Parse(time.RFC3339, req.Expires)
		if err != nil || !exp.After(s.now()) {
			return badRequest("expires: want a future RFC 3339 time")
		}
		t.Expires = exp
	}
	secret := auth.NewSecret(auth.TokenPrefix)
	t.Hint = auth.Hint(secret)
	if err := s.db.CreateToken(r.Context(), t, auth.Hash(secret)); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "token created", "token", t.Name, "role", t.Role, "by", t.CreatedBy)
	// The secret is in this answer only; the store keeps its hash.
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "name": t.Name, "role": t.Role, "hint": t.Hint,
		"createdAt": t.CreatedAt, "expiresAt": t.Expires})
	return nil
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.db.RevokeToken(r.Context(), name, s.now()); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "token revoked", "token", name, "by", identityOf(r.Context()).Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) observations(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "since", "limit")
	if err != nil {
		return err
	}
	since, limit, err := window(q)
	if err != nil {
		return err
	}
	project := r.PathValue("project")
	list, err := s.db.ListObservations(r.Context(), project, since, limit)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if err := s.requireProject(r, project); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"observations": nonNil(list)})
	return nil
}
