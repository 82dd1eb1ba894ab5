package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/store"
)

func TestRuntimeObservationsRoute(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := f.db.UpsertObservations(context.Background(), []store.Observation{
		{Project: "demo", Kind: "path", Value: "/models/bert.safetensors", Node: "gpu-1", Epoch: "e", SeenAt: t0, SHA256: "aa", Tier: "verified", Count: 4},
		{Kind: "path", Value: "/root/.cache/x.gguf", Node: "gpu-1", Epoch: "e", SeenAt: t0.Add(time.Hour), Tier: "observed"},
		{Kind: "endpoint", Value: "api.openai.com", Node: "gpu-2", Epoch: "e", SeenAt: t0, Detail: store.ObservationDetail{Addrs: []string{"1.2.3.4:443"}}},
	}); err != nil {
		t.Fatal(err)
	}
	get := func(q string) (int, []store.Observation) {
		code, body := f.send(t, auth.Viewer, "GET", "/api/runtime/observations"+q, "")
		var out struct{ Observations []store.Observation }
		if code == 200 {
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
		}
		return code, out.Observations
	}
	if code, obs := get("?node=gpu-1&kind=path"); code != 200 || len(obs) != 2 || obs[0].Value != "/root/.cache/x.gguf" || obs[1].Tier != "verified" || obs[1].Count != 4 {
		t.Errorf("gpu-1 files: %d %+v", code, obs)
	}
	if code, obs := get("?kind=endpoint"); code != 200 || len(obs) != 1 || obs[0].Detail.Addrs[0] != "1.2.3.4:443" {
		t.Errorf("endpoints: %d %+v", code, obs)
	}
	if _, obs := get("?project=demo"); len(obs) != 1 {
		t.Errorf("project demo: %+v", obs)
	}
	for _, bad := range []string{"?kind=socket", "?since=yesterday", "?limit=0", "?colour=red"} {
		if code, _ := get(bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
}
