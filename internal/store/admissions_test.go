package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestAdmissionsSQLite(t *testing.T) {
	testAdmissions(t, "sqlite:"+filepath.Join(t.TempDir(), "mlbom.db"))
}

func TestAdmissionsMySQL(t *testing.T) {
	testAdmissions(t, freshMySQL(t, mysqlServer(t)))
}

func testAdmissions(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	as := []Admission{
		{UID: "u1", Namespace: "ml", Kind: "Pod", Name: "a", Operation: "CREATE", User: "alice", Allowed: true, Enforced: true,
			BOMProject: "demo", BOMVersion: 3, CreatedAt: t0, Models: []byte(`[{"ref":"demo@3","verified":true}]`)},
		{UID: "u2", Namespace: "ml", Kind: "Deployment", Name: "b", Operation: "UPDATE", User: "bob", Allowed: false, Enforced: true,
			Message: "mlbom denied", Findings: []byte(`[{"policy":"kubernetes.unapproved-registry"}]`), CreatedAt: t0.Add(time.Minute)},
		{UID: "u3", Namespace: "web", Kind: "CronJob", Name: "c", Operation: "CREATE", Allowed: true, CreatedAt: t0.Add(2 * time.Minute)},
	}
	if err := d.SaveAdmissions(ctx, as); err != nil {
		t.Fatal(err)
	}
	// A retried batch changes nothing.
	if err := d.SaveAdmissions(ctx, as[:2]); err != nil {
		t.Fatal(err)
	}
	all, err := d.ListAdmissions(ctx, AdmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].UID != "u3" || all[2].UID != "u1" {
		t.Fatalf("all: %+v", all)
	}
	if a := all[2]; !a.Allowed || !a.Enforced || a.BOMProject != "demo" || a.BOMVersion != 3 || a.User != "alice" ||
		string(a.Models) != `[{"ref":"demo@3","verified":true}]` || !a.CreatedAt.Equal(t0) {
		t.Errorf("u1: %+v", a)
	}
	denied, err := d.ListAdmissions(ctx, AdmissionFilter{Namespace: "ml", Denied: true})
	if err != nil || len(denied) != 1 || denied[0].UID != "u2" || string(denied[0].Findings) != `[{"policy":"kubernetes.unapproved-registry"}]` {
		t.Fatalf("denied: %+v %v", denied, err)
	}
	if err := d.SaveAdmissions(ctx, []Admission{{}}); err == nil {
		t.Fatal("empty uid accepted")
	}
}
