// Package api serves mlbom over HTTP: a JSON API (projects, BOM versions and
// their diffs, components, scans with links to their Temporal runs,
// findings, hybrid search, approvals, schedules, tokens), the server-rendered
// dashboard, health checks and Prometheus metrics. Every route is an
// operation of the embedded OpenAPI document, which also names the role it
// needs (see openapi.go and auth.go).
//
// Writes that are workflow operations (start a scan, decide an exception,
// schedules) go through the Runs interface; workers/ implements it over the
// Temporal client, so this package knows nothing of Temporal.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

// Options are the handler's dependencies.
type Options struct {
	Store *store.DB
	// Embedder must be the one the worker indexes with, or the vector half
	// of search finds nothing (the keyword half still answers). Nil: the
	// offline embedder at its default dimension.
	Embedder search.Embedder
	// TemporalUIURL and Namespace build each scan's runUrl; no link when
	// TemporalUIURL is empty.
	TemporalUIURL, Namespace string
	Logger                   *slog.Logger // nil: slog.Default()
	// Runs starts, queries and signals workflows; nil makes the routes that
	// need Temporal answer 503 and the rest work.
	Runs Runs
	// Metrics counts requests (and scans started, approvals sent); nil
	// serves an empty /metrics.
	Metrics *metrics.Metrics
	// Anonymous is the role of a request without credentials: "" (the
	// default: 401) or auth.Viewer.
	Anonymous string
	// LocalSources are directories under which POST /api/scans accepts a
	// local path as source; none means only URLs and hf:// are accepted, so
	// an operator cannot make the worker read arbitrary local files.
	LocalSources []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

type server struct {
	db           *store.DB
	searcher     *search.Searcher
	uiURL        string
	ns           string
	log          *slog.Logger
	mux          *http.ServeMux
	runs         Runs
	metrics      *metrics.Metrics
	anonymous    string
	localSources []string
	now          func() time.Time

	cache  *versionCache
	ops    map[string]Operation // documented operations by "METHOD /path"
	served map[string]bool      // the documented operations a route serves
	// touched throttles the last-used write of each token to one a minute.
	touchMu sync.Mutex
	touched map[string]time.Time
}

// New returns the API handler. Every response, errors included, is JSON
// except the BOM documents themselves, /metrics and the dashboard's pages.
// It panics when a route is missing from openapi.json: the document is the
// access table, and a route without a role must not be served.
func New(opts Options) http.Handler {
	s := newServer(opts)
	return s.logRequests(s.mux)
}

func newServer(opts Options) *server {
	s := &server{
		db:           opts.Store,
		uiURL:        strings.TrimRight(opts.TemporalUIURL, "/"),
		ns:           opts.Namespace,
		log:          opts.Logger,
		mux:          http.NewServeMux(),
		runs:         opts.Runs,
		metrics:      opts.Metrics,
		anonymous:    opts.Anonymous,
		localSources: opts.LocalSources,
		now:          opts.Now,
		ops:          mustOperations(),
		cache:        newVersionCache(8),
		served:       map[string]bool{},
		touched:      map[string]time.Time{},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ns == "" {
		s.ns = "default"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.anonymous != "" && s.anonymous != auth.Viewer {
		panic(fmt.Sprintf("api: anonymous role %q: only viewer may be anonymous", s.anonymous))
	}
	s.metrics.StoreGauges(s.storeCounts)
	emb := opts.Embedder
	if emb == nil {
		emb = search.NewOffline(0)
	}
	s.searcher = search.NewSearcher(opts.Store, emb, search.Options{})

	// Operations and health.
	s.route("GET /healthz", s.healthz)
	s.route("GET /readyz", s.readyz)
	s.route("GET /openapi.json", s.openapi)
	s.route("GET /metrics", s.metricsPage)
	s.route("GET /signin", s.signinPage)
	s.route("POST /signin", s.signin)
	s.route("POST /signout", s.signout)

	// Reads.
	s.route("GET /api/health", s.health)
	s.route("GET /api/whoami", s.whoami)
	s.route("GET /api/projects", s.projects)
	s.route("GET /api/projects/{project}/versions", s.versions)
	s.route("GET /api/projects/{project}/bom", s.bom)
	s.route("GET /api/projects/{project}/diff", s.diff)
	s.route("GET /api/projects/{project}/attestation", s.attestation)
	s.route("GET /api/projects/{project}/scans", s.scans)
	s.route("GET /api/projects/{project}/components", s.components)
	s.route("GET /api/projects/{project}/observations", s.observations)
	s.route("GET /api/runtime/observations", s.runtimeObservations)
	// Scan IDs are Temporal workflow IDs such as scan/demo/20260314T092653Z:
	// the rest of the path is the ID, plain or with its slashes escaped.
	s.route("GET /api/scans/{rest...}", s.scan, "/api/scans/{scan}", "/api/scans/{scan}/findings", "/api/scans/{scan}/progress")
	s.route("GET /api/search", s.search)
	s.route("GET /api/approvals", s.approvals)
	s.route("GET /api/admissions", s.admissions)
	s.route("GET /api/approvals/pending", s.pending)
	s.route("GET /api/schedules", s.schedules)

	// Writes.
	s.route("POST /api/scans", s.startScan)
	s.route("POST /api/approvals", s.decide)
	s.route("POST /api/schedules", s.createSchedule)
	s.route("DELETE /api/schedules/{project}", s.deleteSchedule)
	s.route("GET /api/tokens", s.tokens)
	s.route("POST /api/tokens", s.createToken)
	s.route("DELETE /api/tokens/{name}", s.revokeToken)

	// Dashboard.
	s.route("GET /{$}", s.dashboard(s.index), "/")
	s.route("GET /projects/{project}", s.dashboard(s.projectPage))
	s.route("GET /projects/{project}/diff", s.dashboard(s.diffPage))
	s.route("GET /search", s.dashboard(s.searchPage))
	s.route("GET /approvals", s.dashboard(s.approvalsPage))
	s.route("POST /approvals", s.form(s.decideForm))
	s.route("GET /scans/new", s.dashboard(s.newScanPage))
	s.route("POST /scans", s.form(s.startScanForm))
	s.route("GET /scans/{rest...}", s.dashboard(s.scanPage), "/scans/{scan}")

	// Anything else: 404 (405 for a known path with another method), after
	// authentication like every other route, so it tells strangers nothing.
	s.mux.HandleFunc("/", s.guard(auth.Viewer, s.notFound))
	return s
}

// handlerFunc is a handler that reports failure by returning an error, which
// the error table turns into a status.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route registers h for pattern ("METHOD /path") behind the role its
// documented operations demand. docPaths are the documented paths the
// pattern serves; by default the pattern's own path.
func (s *server) route(pattern string, h handlerFunc, docPaths ...string) {
	method, path, _ := strings.Cut(pattern, " ")
	if len(docPaths) == 0 {
		docPaths = []string{path}
	}
	role := ""
	for _, dp := range docPaths {
		op, ok := s.ops[method+" "+dp]
		if !ok {
			panic(fmt.Sprintf("api: route %s serves %s %s, which openapi.json does not document", pattern, method, dp))
		}
		if role != "" && op.Role != role {
			panic(fmt.Sprintf("api: route %s serves operations with different roles (%s, %s)", pattern, role, op.Role))
		}
		role = op.Role
		s.served[method+" "+dp] = true
	}
	s.mux.HandleFunc(pattern, s.guard(role, h))
}

// fail answers err: a page for a browser on a dashboard path, JSON
// everywhere else (API clients always get JSON, errors included).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errUnauthenticated) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mlbom"`)
	}
	if !strings.HasPrefix(r.URL.Path, "/api/") && wantsHTML(r) {
		if errors.Is(err, errUnauthenticated) && r.Method == http.MethodGet {
			next := "/"
			if r.URL.Path != "/signin" {
				next = r.URL.RequestURI()
			}
			if rerr := s.renderSignin(w, r, http.StatusUnauthorized, next, signInHint); rerr == nil {
				return
			}
		}
		s.renderError(w, r, err)
		return
	}
	writeError(w, r, s.log, err)
}

// notFound answers paths no route takes, in JSON; a path some route takes
// with another method is 405, as the mux itself would say.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		probe := r.Clone(r.Context())
		probe.Method = http.MethodGet
		if _, pattern := s.mux.Handler(probe); pattern != "/" {
			w.Header().Set("Allow", "GET, HEAD")
			return fmt.Errorf("%w: %s %s (use GET)", errMethod, r.Method, r.URL.Path)
		}
	}
	return fmt.Errorf("%w: %s", errNoRoute, r.URL.Path)
}

// statusRecorder remembers what a handler answered, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs one line per request (the path only: query strings hold
// search text) and turns a panic into a 500 instead of a dropped connection.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h := rec.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "handler panic", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{Error: internalError.message, Code: internalError.code})
				}
			}
			d := time.Since(start)
			s.metrics.HTTPRequest(r.Method, r.Pattern, rec.status, d)
			s.log.InfoContext(r.Context(), "http request", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "bytes", rec.bytes, "duration", d.Round(time.Microsecond))
		}()
		next.ServeHTTP(rec, r)
	})
}

// runURL links a scan to its run in the Temporal UI, in the format of the
// CLI's run links.
func (s *server) runURL(workflowID, runID string) string {
	if s.uiURL == "" || workflowID == "" || runID == "" {
		return ""
	}
	// Stored scan IDs are WORKFLOW_ID/RUN_ID (one scan per run).
	workflowID = strings.TrimSuffix(workflowID, "/"+runID)
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history", s.uiURL,
		url.PathEscape(s.ns), url.PathEscape(workflowID), url.PathEscape(runID))
}

// Server timeouts. Writes get long enough for a search with a remote
// embedder or a large BOM; headers must arrive quickly (slowloris).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
)

// Serve listens on addr and serves h until ctx is cancelled, then shuts down
// gracefully: in-flight requests get shutdownTimeout to finish.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on a listener the caller opened (to learn the port
// of ":0", or to print the address before serving). It closes ln.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shut down server on %s: %w", ln.Addr(), err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	return nil
}
