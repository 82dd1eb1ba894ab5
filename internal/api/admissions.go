package api

import (
	"net/http"
	"strconv"

	"github.com/mlbom/autopilot/internal/store"
)

// admissions lists Kubernetes admission decisions (mlbom admission), newest
// first: who asked to run what, when, whether it was allowed, the findings
// and the signed BOM version a model was verified against.
func (s *server) admissions(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "namespace", "denied", "limit")
	if err != nil {
		return err
	}
	f := store.AdmissionFilter{Namespace: q.Get("namespace")}
	if v := q.Get("denied"); v != "" {
		if f.Denied, err = strconv.ParseBool(v); err != nil {
			return badRequest("denied takes true or false, not %q", v)
		}
	}
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		return err
	}
	list, err := s.db.ListAdmissions(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"admissions": list})
	return nil
}
