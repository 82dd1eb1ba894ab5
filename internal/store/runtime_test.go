package store

import (
	"context"
	"testing"
	"time"
)

func testRuntimeObservations(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o := Observation{
		Project: "demo", Kind: ObservedPath, Value: "/srv/models/bert/model.safetensors", PID: 7, Comm: "python3",
		Node: "gpu-1", Epoch: "tracer/gpu-1/run-a", FirstSeen: t0, SeenAt: t0.Add(time.Minute), Count: 3,
		SHA256: "ab12", Tier: TierVerified, Fidelity: "ebpf",
		Detail: ObservationDetail{Processes: []string{"python3"}, Pods: []string{"1a2b"}},
	}
	if err := d.UpsertObservations(ctx, []Observation{o}); err != nil {
		t.Fatal(err)
	}
	// A retry writes the same row; a later flush moves last-seen forward
	// and never first-seen back; an older write never moves last-seen back.
	later := o
	later.FirstSeen, later.SeenAt, later.Count = t0.Add(time.Hour), t0.Add(2*time.Hour), 9
	older := o
	older.SeenAt = t0
	for _, batch := range [][]Observation{{o}, {later}, {older}} {
		if err := d.UpsertObservations(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	other := o
	other.Node, other.Epoch, other.Project = "gpu-2", "tracer/gpu-2/run-b", ""
	if err := d.UpsertObservations(ctx, []Observation{other}); err != nil {
		t.Fatal(err)
	}
	got, err := d.QueryObservations(ctx, ObservationQuery{Node: "gpu-1"})
	if err != nil || len(got) != 1 {
		t.Fatalf("QueryObservations(gpu-1) = %+v, %v; want one row", got, err)
	}
	g := got[0]
	if !g.FirstSeen.Equal(t0) || !g.SeenAt.Equal(t0.Add(2*time.Hour)) || g.Count != 3 || g.Tier != TierVerified || g.SHA256 != "ab12" || len(g.Detail.Pods) != 1 {
		t.Errorf("row = %+v; want first seen %v, last seen %v, count 3 (the older write's), verified", g, t0, t0.Add(2*time.Hour))
	}
	if all, _ := d.QueryObservations(ctx, ObservationQuery{Kind: ObservedPath}); len(all) != 2 {
		t.Errorf("all nodes: %d rows, want 2", len(all))
	}
	if p, _ := d.ListObservations(ctx, "demo", t0.Add(time.Hour), 0); len(p) != 1 {
		t.Errorf("ListObservations(demo) = %+v", p)
	}
	if err := d.UpsertObservations(ctx, []Observation{{Kind: ObservedPath}}); err == nil {
		t.Error("observation without a value accepted")
	}

	rows := []ComponentRow{
		{BOMRef: "weights:models/bert/model.safetensors", Kind: "weights", Name: "models/bert/model.safetensors", SHA256: "ab12"},
		{BOMRef: "weights:x_model.safetensors", Kind: "weights", Name: "x_model.safetensors"},
		{BOMRef: "weights:other.gguf", Kind: "weights", Name: "other.gguf", SHA256: "ff00"},
	}
	if _, _, err := d.SaveVersion(ctx, NewVersion{Project: "demo", ScanID: "s1", BOM: []byte(`{}`), ContentHash: "h", Components: rows}); err != nil {
		t.Fatal(err)
	}
	ms, err := d.MatchComponents(ctx, []string{"AB12"}, []string{"model.safetensors", "a%b_c.gguf"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].BOMRef != "weights:models/bert/model.safetensors" || ms[0].Version != 1 || ms[0].Project != "demo" {
		t.Errorf("MatchComponents = %+v; want only models/bert/model.safetensors (x_model is no path suffix, LIKE wildcards are escaped)", ms)
	}
}
