package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/mlbom/autopilot/internal/store"
)

// Sentinels for failures that belong to the API rather than the store.
var (
	// ErrBadRequest marks a query parameter or path the API refuses.
	ErrBadRequest = errors.New("bad request")
	errNoRoute    = errors.New("no such endpoint")
	errMethod     = errors.New("method not allowed")
	errStoreDown  = errors.New("store unavailable")
	// ErrConflict marks a write that clashes with the current state (a
	// scan ID in use, an exception nobody waits for any more).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable marks a write or live read that needs Temporal when
	// it cannot be reached (or the server runs without it).
	ErrUnavailable = errors.New("temporal unavailable")
)

// errorKind is one row of the error table: the status and code a class of
// error maps to, and whether its message may reach the client. Store
// configuration errors can carry a DSN, and unclassified errors SQL text, so
// their details stay in the server log.
type errorKind struct {
	target  error
	status  int
	code    string
	public  bool
	message string // sent instead of the error text when !public
}

// errorTable is the one place errors become HTTP statuses; the first row whose
// target matches (errors.Is) wins.
var errorTable = []errorKind{
	{target: ErrBadRequest, status: http.StatusBadRequest, code: "bad_request", public: true},
	{target: errUnauthenticated, status: http.StatusUnauthorized, code: "unauthenticated", public: true},
	{target: errForbidden, status: http.StatusForbidden, code: "forbidden", public: true},
	{target: errCSRF, status: http.StatusForbidden, code: "csrf", public: true},
	{target: ErrConflict, status: http.StatusConflict, code: "conflict", public: true},
	{target: store.ErrExists, status: http.StatusConflict, code: "exists", public: true},
	{target: ErrUnavailable, status: http.StatusServiceUnavailable, code: "temporal_unavailable", public: true},
	{target: store.ErrInvalid, status: http.StatusBadRequest, code: "invalid", public: true},
	{target: store.ErrNotFound, status: http.StatusNotFound, code: "not_found", public: true},
	{target: errNoRoute, status: http.StatusNotFound, code: "not_found", public: true},
	{target: errMethod, status: http.StatusMethodNotAllowed, code: "method_not_allowed", public: true},
	{target: store.ErrConfig, status: http.StatusInternalServerError, code: "store_config", message: "the store is misconfigured; see the server log"},
	{target: errStoreDown, status: http.StatusServiceUnavailable, code: "unavailable", message: "the store does not answer"},
	{target: context.DeadlineExceeded, status: http.StatusGatewayTimeout, code: "timeout", message: "the request took too long"},
}

var internalError = errorKind{status: http.StatusInternalServerError, code: "internal", message: "internal error; see the server log"}

func classify(err error) errorKind {
	for _, k := range errorTable {
		if errors.Is(err, k.target) {
			return k
		}
	}
	return internalError
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// writeError answers with err's row of the error table. Errors the client
// cannot see the text of are logged in full; a request the client gave up on
// is only noted.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	k := classify(err)
	msg := k.message
	if k.public {
		msg = err.Error()
	}
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		log.DebugContext(r.Context(), "request cancelled", "path", r.URL.Path)
	case !k.public:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "code", k.code, "err", err)
	}
	writeJSON(w, k.status, errorBody{Error: msg, Code: k.code})
}

// inputError is ErrBadRequest with a message of its own, so clients read
// what to fix without a generic prefix.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrBadRequest }

func badRequest(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorBody{Error: internalError.message, Code: internalError.code})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}
