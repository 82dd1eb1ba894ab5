package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

func TestAdmissionsEndpoint(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := f.db.SaveAdmissions(context.Background(), []store.Admission{
		{UID: "u1", Namespace: "ml", Kind: "Pod", Name: "a", Operation: "CREATE", Allowed: true, Enforced: true, BOMProject: "demo", BOMVersion: 1, CreatedAt: t0},
		{UID: "u2", Namespace: "ml", Kind: "Deployment", Name: "b", Operation: "UPDATE", Allowed: false, Enforced: true, Message: "mlbom denied", CreatedAt: t0.Add(time.Minute),
			Findings: []byte(`[{"policy":"kubernetes.unapproved-registry"}]`)},
		{UID: "u3", Namespace: "web", Kind: "Job", Name: "c", Operation: "CREATE", Allowed: true, CreatedAt: t0.Add(2 * time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}
	get := func(target string) (int, []store.Admission) {
		resp := f.get(t, http.MethodGet, target)
		body, _ := io.ReadAll(resp.Body)
		var out struct {
			Admissions []store.Admission `json:"admissions"`
		}
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("%s: %s", target, body)
			}
		}
		return resp.StatusCode, out.Admissions
	}
	if code, all := get("/api/admissions"); code != http.StatusOK || len(all) != 3 || all[0].UID != "u3" {
		t.Fatalf("all: %d %+v", code, all)
	}
	if code, d := get("/api/admissions?namespace=ml&denied=true"); code != http.StatusOK || len(d) != 1 || d[0].UID != "u2" ||
		string(d[0].Findings) != `[{"policy":"kubernetes.unapproved-registry"}]` {
		t.Fatalf("denied: %d %+v", code, d)
	}
	if code, d := get("/api/admissions?limit=1"); code != http.StatusOK || len(d) != 1 {
		t.Fatalf("limit: %d %+v", code, d)
	}
	for _, bad := range []string{"/api/admissions?denied=maybe", "/api/admissions?limit=0", "/api/admissions?nspace=ml"} {
		if code, _ := get(bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, code)
		}
	}
}
