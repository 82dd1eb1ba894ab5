// Package api serves the store over HTTP as JSON: projects, BOM versions and
// their diffs, scans with links to their Temporal runs, findings, hybrid
// search and approvals. It reads only; scans and decisions go through
// Temporal.
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
	"time"

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
}

type server struct {
	db       *store.DB
	searcher *search.Searcher
	uiURL    string
	ns       string
	log      *slog.Logger
	mux      *http.ServeMux
}

// New returns the API handler. Every response, errors included, is JSON
// except the BOM documents themselves.
func New(opts Options) http.Handler {
	s := &server{
		db:    opts.Store,
		uiURL: strings.TrimRight(opts.TemporalUIURL, "/"),
		ns:    opts.Namespace,
		log:   opts.Logger,
		mux:   http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ns == "" {
		s.ns = "default"
	}
	emb := opts.Embedder
	if emb == nil {
		emb = search.NewOffline(0)
	}
	s.searcher = search.NewSearcher(opts.Store, emb, search.Options{})

	s.handle("GET /api/health", s.health)
	s.handle("GET /api/projects", s.projects)
	s.handle("GET /api/projects/{project}/versions", s.versions)
	s.handle("GET /api/projects/{project}/bom", s.bom)
	s.handle("GET /api/projects/{project}/diff", s.diff)
	s.handle("GET /api/projects/{project}/attestation", s.attestation)
	s.handle("GET /api/projects/{project}/scans", s.scans)
	// Scan IDs are Temporal workflow IDs such as scan/demo/20260314T092653Z:
	// the rest of the path is the ID, plain or with its slashes escaped.
	s.handle("GET /api/scans/{rest...}", s.scan)
	s.handle("GET /api/search", s.search)
	s.handle("GET /api/approvals", s.approvals)
	s.handle("GET /{$}", s.dashboard(s.index))
	s.handle("GET /projects/{project}", s.dashboard(s.projectPage))
	s.handle("/", s.notFound)
	return s.logRequests(s.mux)
}

// handlerFunc is a handler that reports failure by returning an error, which
// the error table turns into a status.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
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
		rec.Header().Set("X-Content-Type-Options", "nosniff")
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
			s.log.InfoContext(r.Context(), "http request", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "bytes", rec.bytes, "duration", time.Since(start).Round(time.Microsecond))
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
