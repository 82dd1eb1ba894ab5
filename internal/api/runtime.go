package api

import (
	"net/http"

	"github.com/mlbom/autopilot/internal/store"
)

// runtimeObservations lists what the runtime tracer saw across nodes and
// projects (including files no project accounts for), newest first.
func (s *server) runtimeObservations(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "node", "project", "kind", "since", "limit")
	if err != nil {
		return err
	}
	since, limit, err := window(q)
	if err != nil {
		return err
	}
	kind := q.Get("kind")
	switch kind {
	case "", store.ObservedPath, store.ObservedBinary, store.ObservedEndpoint:
	default:
		return badRequest("kind: want path, binary or endpoint")
	}
	list, err := s.db.QueryObservations(r.Context(), store.ObservationQuery{
		Node: q.Get("node"), Project: q.Get("project"), Kind: kind, Since: since, Limit: limit,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"observations": nonNil(list)})
	return nil
}
