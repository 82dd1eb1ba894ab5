package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mlbom/autopilot/internal/redact"
)

// opener makes a fresh, empty store for one test and a location string that
// opens the same database again.
type opener func(t *testing.T) (location string)

func TestSQLite(t *testing.T) {
	runSuite(t, func(t *testing.T) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "sub", "mlbom.db")
	})
}

// mysqlServer returns the admin location of the test server, or skips.
func mysqlServer(t testing.TB) string {
	loc := os.Getenv("MLBOM_TEST_MYSQL_DSN")
	if loc == "" {
		loc = "mysql://root@127.0.0.1:3306/test"
	}
	cfg, err := mysqlConfig(loc)
	if err != nil {
		t.Fatalf("MLBOM_TEST_MYSQL_DSN: %v", err)
	}
	cfg.Timeout = 2 * time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err == nil {
		err = db.Ping()
		db.Close()
	}
	if err != nil {
		msg := fmt.Sprintf("no MySQL/MariaDB server at %s: %v", redact.DSN(loc), err)
		if os.Getenv("MLBOM_REQUIRE_MYSQL") == "1" {
			t.Fatal(msg + " (MLBOM_REQUIRE_MYSQL=1)")
		}
		t.Skip(msg)
	}
	return loc
}

// freshMySQL creates a uniquely named database, dropped when t ends, and
// returns a location that points at it.
func freshMySQL(t testing.TB, admin string) string {
	cfg, _ := mysqlConfig(admin)
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "mlbom_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + name)
		db.Close()
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

func TestMySQL(t *testing.T) {
	admin := mysqlServer(t)
	runSuite(t, func(t *testing.T) string { return freshMySQL(t, admin) })
}

func open(t *testing.T, loc string) *DB {
	t.Helper()
	d, err := Open(context.Background(), loc)
	if err != nil {
		t.Fatalf("Open(%s): %v", redact.DSN(loc), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func runSuite(t *testing.T, fresh opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, loc string)
	}{
		{"Migrations", testMigrations},
		{"ConcurrentOpen", testConcurrentOpen},
		{"Blobs", testBlobs},
		{"Scans", testScans},
		{"ScansBySource", testScansBySource},
		{"SaveVersionIdempotent", testSaveVersionIdempotent},
		{"SaveVersionConcurrent", testSaveVersionConcurrent},
		{"SaveVersionAtomic", testSaveVersionAtomic},
		{"Diffs", testDiffs},
		{"Findings", testFindings},
		{"Approvals", testApprovals},
		{"Decisions", testDecisions},
		{"DecisionsBackfill", testDecisionsBackfill},
		{"Ledger", testLedger},
		{"Evidence", testEvidence},
		{"Observations", testObservations},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"Stats", testStats},
		{"RuntimeObservations", testRuntimeObservations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func testMigrations(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	v, err := d.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	ms, _ := loadMigrations(d.dialect)
	if v != ms[len(ms)-1].version {
		t.Errorf("schema version %d, latest migration %d", v, ms[len(ms)-1].version)
	}
	// Re-opening applies nothing twice and keeps data.
	if _, err := d.PutBlob(ctx, []byte("keep")); err != nil {
		t.Fatal(err)
	}
	d2 := open(t, loc)
	var n int
	if err := d2.SQL().QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Errorf("schema_migrations rows = %d (%v), want %d", n, err, len(ms))
	}
	if _, err := d2.GetBlob(ctx, sha("keep")); err != nil {
		t.Errorf("data lost on reopen: %v", err)
	}
	if d.Backend() != BackendSQLite && d.Backend() != BackendMySQL && d.Backend() != BackendTiDB {
		t.Errorf("Backend() = %q", d.Backend())
	}
}

func testConcurrentOpen(t *testing.T, loc string) {
	const n = 4
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := Open(context.Background(), loc)
			if err != nil {
				errs <- err
				return
			}
			d.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Open: %v", err)
	}
	d := open(t, loc)
	var rows, distinct int
	if err := d.SQL().QueryRow("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != distinct || rows == 0 {
		t.Errorf("schema_migrations: %d rows, %d distinct versions", rows, distinct)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testBlobs(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	data := []byte(strings.Repeat("model weights? no, a BOM. ", 1000))
	h1, err := d.PutBlob(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := d.PutBlob(ctx, data)
	if err != nil || h1 != h2 {
		t.Fatalf("second PutBlob = %s, %v; want %s", h2, err, h1)
	}
	if h1 != sha(string(data)) || len(h1) != 64 {
		t.Errorf("hash %s is not the sha256 hex", h1)
	}
	got, err := d.GetBlob(ctx, h1)
	if err != nil || string(got) != string(data) {
		t.Fatalf("GetBlob: %d bytes, %v", len(got), err)
	}
	empty, err := d.PutBlob(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := d.GetBlob(ctx, empty); err != nil || len(got) != 0 {
		t.Errorf("empty blob: %q, %v", got, err)
	}
	if _, err := d.GetBlob(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing blob: %v, want ErrNotFound", err)
	}
}

// testScansBySource: the scans that made a version from a source, matched
// ignoring case and with a revision in the source string, newest first;
// scans without a version, other sources and LIKE wildcards do not match.
func testScansBySource(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, s := range []Scan{
		{ID: "plain", Project: "bert", Source: "hf://acme-ai/sentiment-bert", Version: 1},
		{ID: "at-rev", Project: "bert", Source: "hf://Acme-AI/Sentiment-BERT@v2", Version: 2},
		{ID: "models-prefix", Project: "bert2", Source: "hf://models/acme-ai/sentiment-bert", Ref: "main", Version: 1},
		{ID: "running", Project: "bert", Source: "hf://acme-ai/sentiment-bert"},
		{ID: "longer-name", Project: "x", Source: "hf://acme-ai/sentiment-bert-large", Version: 1},
		{ID: "wildcard", Project: "y", Source: "hf://acme_ai/sentiment-bert", Version: 1},
	} {
		s.Status, s.StartedAt = "completed", t0.Add(time.Duration(i)*time.Minute)
		if err := d.UpsertScan(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.ListScansBySource(ctx, []string{"hf://acme-ai/sentiment-bert", "hf://models/acme-ai/sentiment-bert", ""}, 0)
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if err != nil || strings.Join(ids, ",") != "models-prefix,at-rev,plain" {
		t.Fatalf("ListScansBySource = %v, %v; want models-prefix,at-rev,plain", ids, err)
	}
	if got[1].Source != "hf://Acme-AI/Sentiment-BERT@v2" || got[1].Version != 2 || got[0].Ref != "main" {
		t.Errorf("rows %+v", got)
	}
	if got, err := d.ListScansBySource(ctx, []string{"hf://acme-ai/sentiment-bert"}, 1); err != nil || len(got) != 1 || got[0].ID != "at-rev" {
		t.Errorf("limit 1: %+v, %v", got, err)
	}
	if got, err := d.ListScansBySource(ctx, nil, 0); err != nil || len(got) != 0 {
		t.Errorf("no sources: %+v, %v", got, err)
	}
}

func testScans(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC)
	s := Scan{ID: "scan-a/1", RunID: "run-1", Project: "acme/chat", Source: "git+https://example.com/acme/chat", Ref: "main",
		Status: "running", StartedAt: t0}
	if err := d.UpsertScan(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Status, s.Verdict, s.Version, s.Summary, s.EndedAt = "completed", "pass", 1, []byte(`{"components":3}`), t0.Add(time.Minute)
	if err := d.UpsertScan(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := d.GetScan(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "completed" || got.Verdict != "pass" || got.Version != 1 || string(got.Summary) != `{"components":3}` ||
		!got.StartedAt.Equal(t0) || !got.EndedAt.Equal(t0.Add(time.Minute)) || got.RunID != "run-1" {
		t.Errorf("GetScan = %+v", got)
	}
	if err := d.UpsertScan(ctx, Scan{ID: "scan-b", Project: "acme/chat", Status: "running", StartedAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := d.UpsertScan(ctx, Scan{ID: "scan-c", Project: "other", StartedAt: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	list, err := d.ListScans(ctx, "acme/chat", 10)
	if err != nil || len(list) != 2 || list[0].ID != "scan-b" || list[1].ID != "scan-a/1" {
		t.Errorf("ListScans = %+v, %v; want scan-b then scan-a/1", list, err)
	}
	if list, _ := d.ListScans(ctx, "", 1); len(list) != 1 || list[0].ID != "scan-c" {
		t.Errorf("ListScans(all, 1) = %+v", list)
	}
	if _, err := d.GetScan(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetScan(nope) = %v", err)
	}
	if err := d.UpsertScan(ctx, Scan{ID: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("scan without project: %v, want ErrInvalid", err)
	}
	ps, err := d.ListProjects(ctx)
	if err != nil || strings.Join(ps, ",") != "acme/chat,other" {
		t.Errorf("ListProjects = %v, %v", ps, err)
	}
}

func comps(n int, prefix string) []ComponentRow {
	out := make([]ComponentRow, n)
	for i := range out {
		out[i] = ComponentRow{BOMRef: fmt.Sprintf("%s-%d", prefix, i), Kind: "model", Name: fmt.Sprintf("m%d", i),
			Version: "1.0", License: "apache-2.0", SHA256: strings.Repeat("a", 64)}
	}
	return out
}

func testSaveVersionIdempotent(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	nv := NewVersion{Project: "p", ScanID: "scan-1", RunID: "r1", BOM: []byte(`{"bomFormat":"CycloneDX"}`), ContentHash: "h1", Components: comps(3, "c")}
	v1, created, err := d.SaveVersion(ctx, nv)
	if err != nil || !created || v1.Number != 1 || v1.Components != 3 {
		t.Fatalf("first SaveVersion = %+v, %v, %v", v1, created, err)
	}
	// A retried activity: same scan, even with different bytes.
	nv.BOM = []byte(`{"different":true}`)
	v1b, created, err := d.SaveVersion(ctx, nv)
	if err != nil || created || v1b.Number != 1 || string(v1b.BOM) != `{"bomFormat":"CycloneDX"}` {
		t.Fatalf("retried SaveVersion = %+v, %v, %v; want version 1, created=false", v1b, created, err)
	}
	v2, created, err := d.SaveVersion(ctx, NewVersion{Project: "p", ScanID: "scan-2", BOM: []byte(`{}`), ContentHash: "h2"})
	if err != nil || !created || v2.Number != 2 {
		t.Fatalf("second scan = %+v, %v, %v", v2, created, err)
	}
	if v, _, _ := d.SaveVersion(ctx, NewVersion{Project: "q", ScanID: "scan-q"}); v.Number != 1 {
		t.Errorf("numbers are per project: got %d for q", v.Number)
	}
	vs, err := d.ListVersions(ctx, "p")
	if err != nil || len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 || vs[0].BOM != nil || vs[0].ScanID != "scan-1" || vs[0].RunID != "r1" {
		t.Fatalf("ListVersions = %+v, %v", vs, err)
	}
	latest, err := d.GetVersion(ctx, "p", 0)
	if err != nil || latest.Number != 2 || latest.ContentHash != "h2" {
		t.Errorf("GetVersion(latest) = %+v, %v", latest, err)
	}
	first, err := d.GetVersion(ctx, "p", 1)
	if err != nil || string(first.BOM) != `{"bomFormat":"CycloneDX"}` || first.CreatedAt.IsZero() || !first.CreatedAt.Equal(v1.CreatedAt) {
		t.Errorf("GetVersion(1) = %+v, %v (saved %v)", first, err, v1.CreatedAt)
	}
	if _, err := d.GetVersion(ctx, "p", 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetVersion(9) = %v", err)
	}
	if _, err := d.GetVersion(ctx, "none", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetVersion(none, latest) = %v", err)
	}
	cs, err := d.ListComponents(ctx, "p", 1)
	if err != nil || len(cs) != 3 || cs[0].BOMRef != "c-0" || cs[0].License != "apache-2.0" {
		t.Errorf("ListComponents = %+v, %v", cs, err)
	}
	if _, _, err := d.SaveVersion(ctx, NewVersion{Project: "p", ScanID: "dup", Components: []ComponentRow{{BOMRef: "x"}, {BOMRef: "x"}}}); !errors.Is(err, ErrInvalid) || IsRetryable(err) {
		t.Errorf("duplicate bom-ref: %v, want ErrInvalid", err)
	}
}

func testSaveVersionConcurrent(t *testing.T, loc string) {
	ctx := context.Background()
	// Two handles, as two workers would have.
	d1, d2 := open(t, loc), open(t, loc)
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	numbers := map[int]string{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := d1
			if i%2 == 1 {
				d = d2
			}
			// Every scan is saved twice concurrently (a retry racing the original).
			for range 2 {
				v, _, err := d.SaveVersion(ctx, NewVersion{Project: "race", ScanID: fmt.Sprintf("s%d", i), BOM: []byte("{}"), Components: comps(20, "c")})
				if err != nil {
					t.Errorf("SaveVersion s%d: %v", i, err)
					return
				}
				mu.Lock()
				if prev, ok := numbers[v.Number]; ok && prev != v.ScanID {
					t.Errorf("number %d given to %s and %s", v.Number, prev, v.ScanID)
				}
				numbers[v.Number] = v.ScanID
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	vs, err := d1.ListVersions(ctx, "race")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != n {
		t.Fatalf("%d versions, want %d (one per scan)", len(vs), n)
	}
	for i, v := range vs {
		if v.Number != i+1 {
			t.Errorf("version %d has number %d: want 1..%d without gaps", i, v.Number, n)
		}
	}
}

// failingComponentsTrigger makes the database itself reject a component row
// named "boom", in the middle of SaveVersion's transaction.
func failingComponentsTrigger(t *testing.T, d *DB) {
	var q string
	if d.dialect == "sqlite" {
		q = `CREATE TRIGGER boom BEFORE INSERT ON components WHEN new.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`
	} else {
		q = `CREATE TRIGGER boom BEFORE INSERT ON components FOR EACH ROW BEGIN IF NEW.name = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; END`
	}
	if _, err := d.SQL().Exec(q); err != nil {
		t.Fatalf("create trigger: %v", err)
	}
}

func testSaveVersionAtomic(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	failingComponentsTrigger(t, d)
	cs := comps(450, "c") // more than one insert batch: the failure is in the third
	cs[420].Name = "boom"
	_, _, err := d.SaveVersion(ctx, NewVersion{Project: "atomic", ScanID: "s1", BOM: []byte("{}"), Components: cs})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("SaveVersion = %v, want the trigger's error", err)
	}
	var versions, components int
	d.SQL().QueryRow("SELECT COUNT(*) FROM bom_versions").Scan(&versions)
	d.SQL().QueryRow("SELECT COUNT(*) FROM components").Scan(&components)
	if versions != 0 || components != 0 {
		t.Fatalf("after a failed SaveVersion: %d versions, %d components; want nothing", versions, components)
	}
	cs[420].Name = "fine"
	v, created, err := d.SaveVersion(ctx, NewVersion{Project: "atomic", ScanID: "s1", BOM: []byte("{}"), Components: cs})
	if err != nil || !created || v.Number != 1 {
		t.Fatalf("retry = %+v, %v, %v; want version 1", v, created, err)
	}
	d.SQL().QueryRow("SELECT COUNT(*) FROM components").Scan(&components)
	if components != 450 {
		t.Errorf("%d components stored, want 450", components)
	}
}

func testDiffs(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	if _, err := d.GetDiff(ctx, "p", 1, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetDiff before save: %v", err)
	}
	for _, body := range []string{`{"added":[]}`, `{"added":[1]}`} {
		if err := d.SaveDiff(ctx, "p", 1, 2, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.GetDiff(ctx, "p", 1, 2)
	if err != nil || string(got) != `{"added":[1]}` {
		t.Errorf("GetDiff = %s, %v", got, err)
	}
}

func testFindings(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	fs := []Finding{
		{ID: "p/license/m1", Project: "p", Policy: "license", Severity: "high", Component: "m1", Message: "GPL"},
		{ID: "p/pickle/m2", Project: "p", Policy: "pickle", Severity: "critical", Component: "m2", Message: "os.system"},
	}
	for range 2 {
		if err := d.SaveFindings(ctx, "s1", fs); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.ListFindings(ctx, "s1")
	if err != nil || len(got) != 2 || got[1].Message != "os.system" || got[0].ScanID != "s1" {
		t.Fatalf("ListFindings = %+v, %v", got, err)
	}
	if err := d.SaveFindings(ctx, "s1", fs[:1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.ListFindings(ctx, "s1"); len(got) != 1 {
		t.Errorf("replace: %d findings, want 1", len(got))
	}
	if got, _ := d.ListFindings(ctx, "s2"); len(got) != 0 {
		t.Errorf("other scan: %d findings", len(got))
	}
}

func testApprovals(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	as := []Approval{
		{Project: "p", Component: "model-a", License: "llama3", Decision: "approve", Approver: "ana", CreatedAt: now},
		{Project: "p", Component: "model-b", License: "cc-by-nc-4.0", Decision: "approve", Approver: "bo", CreatedAt: now, Expires: now.Add(24 * time.Hour)},
		{Project: "q", Component: "model-c", License: "gpl-3.0", Decision: "reject", Approver: "cy", CreatedAt: now},
	}
	for _, a := range as {
		if err := d.SaveApproval(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// Same key: replaced, not duplicated.
	as[0].Reason = "legal signed off"
	if err := d.SaveApproval(ctx, as[0]); err != nil {
		t.Fatal(err)
	}
	all, err := d.ListApprovals(ctx, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("ListApprovals(all) = %d, %v", len(all), err)
	}
	p, _ := d.ListApprovals(ctx, "p")
	if len(p) != 2 || p[0].Reason != "legal signed off" || !p[1].Expires.Equal(now.Add(24*time.Hour)) {
		t.Errorf("ListApprovals(p) = %+v", p)
	}
	active, _ := d.ActiveApprovals(ctx, "p", now.Add(time.Hour))
	if len(active) != 2 {
		t.Errorf("before expiry: %d active, want 2", len(active))
	}
	active, _ = d.ActiveApprovals(ctx, "p", now.Add(25*time.Hour))
	if len(active) != 1 || active[0].Component != "model-a" {
		t.Errorf("after expiry: %+v, want only model-a (never expires)", active)
	}
	if active, _ := d.ActiveApprovals(ctx, "", now.Add(25*time.Hour)); len(active) != 2 {
		t.Errorf("all projects after expiry: %d, want 2", len(active))
	}
}

func testLedger(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, claimed, err := d.ClaimNotification(ctx, "p/license/m1", "slack", fmt.Sprintf("s%d", i))
			if err != nil {
				t.Error(err)
				return
			}
			if got.State != NotificationPending && got.State != NotificationSent {
				t.Errorf("state %q", got.State)
			}
			if claimed {
				mu.Lock()
				claims++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if claims != 1 {
		t.Fatalf("%d claims of one (key, channel), want exactly 1", claims)
	}
	if err := d.CompleteNotification(ctx, "p/license/m1", "slack", "1700000000.0001", NotificationSent); err != nil {
		t.Fatal(err)
	}
	got, claimed, err := d.ClaimNotification(ctx, "p/license/m1", "slack", "later")
	if err != nil || claimed || got.State != NotificationSent || got.ExtRef != "1700000000.0001" {
		t.Errorf("claim after send = %+v, %v, %v", got, claimed, err)
	}
	if _, claimed, _ := d.ClaimNotification(ctx, "p/license/m1", "jira", "s9"); !claimed {
		t.Error("another channel must be claimable")
	}
	if err := d.CompleteNotification(ctx, "p/license/m1", "slack", "1700000000.0001", NotificationSent); err != nil {
		t.Errorf("completing twice with the same values: %v", err)
	}
	if err := d.CompleteNotification(ctx, "nope", "slack", "x", NotificationSent); !errors.Is(err, ErrNotFound) {
		t.Errorf("complete unclaimed: %v, want ErrNotFound", err)
	}
	sent, _ := d.ListNotifications(ctx, "slack", NotificationSent)
	pending, _ := d.ListNotifications(ctx, "", NotificationPending)
	all, _ := d.ListNotifications(ctx, "", "")
	if len(sent) != 1 || len(pending) != 1 || pending[0].Channel != "jira" || len(all) != 2 {
		t.Errorf("ListNotifications: sent %v, pending %v, all %d", sent, pending, len(all))
	}
}

func vec(xs ...float32) []float32 { return xs }

func testEvidence(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	docs := []Evidence{
		{ID: "p@1#a", Project: "p", Version: 1, BOMRef: "a", Name: "llama", Kind: "model", Location: "models/llama.gguf:1", Text: "llama gguf weights"},
		{ID: "p@1#b", Project: "p", Version: 1, BOMRef: "b", Name: "squad", Kind: "dataset", Text: "question answering dataset"},
	}
	if err := d.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	missing, err := d.EvidenceWithoutVectors(ctx, "emb-a", 0)
	if err != nil || len(missing) != 2 {
		t.Fatalf("EvidenceWithoutVectors = %d, %v", len(missing), err)
	}
	docs[0].Vector, docs[0].Embedder = vec(1, 0, 0), "emb-a"
	docs[1].Vector, docs[1].Embedder = vec(0, 1, 0), "emb-a"
	if err := d.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if missing, _ := d.EvidenceWithoutVectors(ctx, "emb-a", 0); len(missing) != 0 {
		t.Errorf("after embedding: %d without vectors", len(missing))
	}
	// A new embedder (name or dimension changed) needs everything re-embedded.
	if missing, _ := d.EvidenceWithoutVectors(ctx, "emb-b", 0); len(missing) != 2 {
		t.Errorf("other embedder: %d without vectors, want 2", len(missing))
	}
	// Same text without a vector keeps the vector; changed text drops it.
	if err := d.UpsertEvidence(ctx, []Evidence{{ID: "p@1#a", Project: "p", Version: 1, BOMRef: "a", Name: "llama", Kind: "model", Location: "models/llama.gguf:1", Text: "llama gguf weights"}}); err != nil {
		t.Fatal(err)
	}
	if missing, _ := d.EvidenceWithoutVectors(ctx, "emb-a", 0); len(missing) != 0 {
		t.Errorf("unchanged upsert dropped a vector")
	}
	// Seen again in version 2 at another line: updated in place, vector kept.
	if err := d.UpsertEvidence(ctx, []Evidence{{ID: "p@1#a", Project: "p", Version: 2, BOMRef: "a", Name: "llama", Kind: "model", Location: "models/llama.gguf:9", Text: "llama gguf weights"}}); err != nil {
		t.Fatal(err)
	}
	if missing, _ := d.EvidenceWithoutVectors(ctx, "emb-a", 0); len(missing) != 0 {
		t.Errorf("a new version with the same text dropped the vector")
	}
	if got, _ := d.GetEvidence(ctx, []string{"p@1#a"}); len(got) != 1 || got[0].Version != 2 || got[0].Location != "models/llama.gguf:9" {
		t.Errorf("after version update: %+v", got)
	}
	if err := d.UpsertEvidence(ctx, []Evidence{{ID: "p@1#b", Project: "p", Version: 1, BOMRef: "b", Name: "squad", Kind: "dataset", Text: "squad v2 reading comprehension"}}); err != nil {
		t.Fatal(err)
	}
	missing, _ = d.EvidenceWithoutVectors(ctx, "emb-a", 0)
	if len(missing) != 1 || missing[0].ID != "p@1#b" || missing[0].Text != "squad v2 reading comprehension" {
		t.Errorf("changed text: without vectors = %+v, want p@1#b", missing)
	}
	got, err := d.GetEvidence(ctx, []string{"p@1#a", "nope"})
	if err != nil || len(got) != 1 || got[0].Embedder != "emb-a" || len(got[0].Vector) != 3 || got[0].Vector[0] != 1 || got[0].Location != "models/llama.gguf:9" {
		t.Errorf("GetEvidence = %+v, %v", got, err)
	}
	all, err := d.AllVectors(ctx, Filter{Kind: "model"}, "emb-a")
	if err != nil || len(all) != 1 || all[0].ID != "p@1#a" {
		t.Errorf("AllVectors = %+v, %v", all, err)
	}
	if err := d.UpsertEvidence(ctx, []Evidence{{ID: "x", Vector: vec(1)}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("vector without embedder: %v", err)
	}
}

func testObservations(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	obs := []Observation{
		{Project: "p", Kind: "path", Value: "/models/llama.gguf", PID: 42, Comm: "python3", SeenAt: t0},
		{Project: "p", Kind: "endpoint", Value: "api.openai.com:443", PID: 42, Comm: "python3", SeenAt: t0.Add(time.Minute)},
	}
	if err := d.SaveObservations(ctx, obs); err != nil {
		t.Fatal(err)
	}
	got, err := d.ListObservations(ctx, "p", t0.Add(time.Second), 0)
	if err != nil || len(got) != 1 || got[0].Value != "api.openai.com:443" || !got[0].SeenAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("ListObservations = %+v, %v", got, err)
	}
}

// Configuration errors: no server needed.
func TestOpenConfigErrors(t *testing.T) {
	for _, loc := range []string{
		"postgres://u:p@h/db",
		"no-scheme-at-all",
		"sqlite:",
		"mysql://user:s3cret@/db",
		"mysql://user:s3cret@host:3306/",
		"mysql://user:s3cret@host:3306/db?tls=maybe-not",
		"mysql://user:s3cret@host:99999999/db%zz",
	} {
		_, err := Open(context.Background(), loc)
		if !errors.Is(err, ErrConfig) {
			t.Errorf("Open(%q) = %v, want ErrConfig", loc, err)
			continue
		}
		if IsRetryable(err) {
			t.Errorf("Open(%q): config error reported retryable", loc)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): password in message: %v", loc, err)
		}
	}
}

func TestMySQLDSN(t *testing.T) {
	cfg, err := mysqlConfig("mysql://svc:p%40ss:w@db.example:4000/mlbom?tls=skip-verify&timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "svc" || cfg.Passwd != "p@ss:w" || cfg.Addr != "db.example:4000" || cfg.DBName != "mlbom" ||
		!cfg.ParseTime || cfg.MultiStatements || cfg.Timeout != 3*time.Second || cfg.TLSConfig != "skip-verify" {
		t.Errorf("config = %+v", cfg)
	}
	dsn := cfg.FormatDSN()
	back, err := mysql.ParseDSN(dsn)
	if err != nil || back.Passwd != "p@ss:w" || !back.ParseTime {
		t.Errorf("FormatDSN round trip: %s → %+v, %v", dsn, back, err)
	}
	if cfg, _ := mysqlConfig("mysql://root@localhost/x"); cfg.Addr != "localhost:3306" {
		t.Errorf("default port: %s", cfg.Addr)
	}
}

func TestMySQLConfigErrors(t *testing.T) {
	admin := mysqlServer(t)
	ctx := context.Background()
	u, _ := url.Parse(admin)

	// Unknown database.
	unknown := *u
	unknown.Path = "/mlbom_no_such_db_" + hex.EncodeToString([]byte{byte(time.Now().UnixNano())})
	_, err := Open(ctx, unknown.String())
	if !errors.Is(err, ErrConfig) || IsRetryable(err) || !strings.Contains(err.Error(), "unknown database") {
		t.Errorf("unknown database: %v, want ErrConfig", err)
	}

	// A user with a password, used with the wrong one.
	cfg, _ := mysqlConfig(admin)
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE USER IF NOT EXISTS 'mlbom_test_pw'@'%' IDENTIFIED BY 'right-horse'",
		"CREATE USER IF NOT EXISTS 'mlbom_test_pw'@'localhost' IDENTIFIED BY 'right-horse'",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Skipf("cannot create a test user (%v): skipping the wrong-password case", err)
		}
	}
	wrong := *u
	wrong.User = url.UserPassword("mlbom_test_pw", "wrong-battery-staple")
	_, err = Open(ctx, wrong.String())
	if !errors.Is(err, ErrConfig) || IsRetryable(err) {
		t.Errorf("wrong password: %v, want ErrConfig", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong-battery-staple") {
		t.Errorf("password leaked into error: %v", err)
	}

	// Nothing listening: retryable, not a configuration error.
	_, err = Open(ctx, "mysql://root@127.0.0.1:1/test?timeout=1s")
	if err == nil || errors.Is(err, ErrConfig) || !IsRetryable(err) {
		t.Errorf("refused connection: %v, want a retryable error", err)
	}
}

func testTokens(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h1, h2 := sha("secret-1"), sha("secret-2")
	if err := d.CreateToken(ctx, Token{Name: "dana", Role: "approver", Hint: "mlbom_ab", CreatedBy: "cli", CreatedAt: t0}, h1); err != nil {
		t.Fatal(err)
	}
	// Names are identities: taken forever, whatever the case or the secret.
	for _, name := range []string{"dana", "DANA"} {
		if err := d.CreateToken(ctx, Token{Name: name, Role: "viewer"}, h2); !errors.Is(err, ErrExists) {
			t.Errorf("CreateToken(%q) again = %v, want ErrExists", name, err)
		}
	}
	if err := d.CreateToken(ctx, Token{Name: "lee", Role: "viewer"}, h1); err == nil {
		t.Error("a second token with the same hash was stored")
	}
	if err := d.CreateToken(ctx, Token{Name: "", Role: "viewer"}, h2); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty name = %v, want ErrInvalid", err)
	}
	if err := d.CreateToken(ctx, Token{Name: "ci", Role: "operator", Expires: t0.Add(time.Hour)}, h2); err != nil {
		t.Fatal(err)
	}

	got, err := d.TokenByHash(ctx, h1)
	if err != nil || got.Name != "dana" || got.Role != "approver" || got.Hint != "mlbom_ab" || !got.CreatedAt.Equal(t0) || !got.Active(t0) {
		t.Errorf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := d.TokenByHash(ctx, sha("nobody")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown hash = %v, want ErrNotFound", err)
	}
	ci, _ := d.GetToken(ctx, "ci")
	if !ci.Active(t0) || ci.Active(t0.Add(2*time.Hour)) {
		t.Errorf("expiry not honoured: %+v", ci)
	}
	if err := d.TouchToken(ctx, "dana", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeToken(ctx, "dana", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeToken(ctx, "dana", t0.Add(3*time.Minute)); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := d.RevokeToken(ctx, "nobody", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown = %v, want ErrNotFound", err)
	}
	list, err := d.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "ci" || list[1].Name != "dana" {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	dana := list[1]
	if !dana.Revoked.Equal(t0.Add(2*time.Minute)) || !dana.LastUsed.Equal(t0.Add(time.Minute)) || dana.Active(t0.Add(time.Hour)) {
		t.Errorf("revoked token = %+v", dana)
	}
}

func testSessions(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := d.CreateToken(ctx, Token{Name: "dana", Role: "approver"}, sha("tok")); err != nil {
		t.Fatal(err)
	}
	live, old := sha("cookie-live"), sha("cookie-old")
	if err := d.CreateSession(ctx, live, Session{TokenName: "dana", CSRF: "csrf-1", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateSession(ctx, old, Session{TokenName: "dana", CSRF: "csrf-2", Expires: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateSession(ctx, sha("x"), Session{TokenName: "dana"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("session without CSRF token = %v, want ErrInvalid", err)
	}
	s, tok, err := d.SessionByHash(ctx, live, now)
	if err != nil || s.CSRF != "csrf-1" || tok.Name != "dana" || tok.Role != "approver" {
		t.Fatalf("SessionByHash = %+v %+v %v", s, tok, err)
	}
	if _, _, err := d.SessionByHash(ctx, old, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session = %v, want ErrNotFound", err)
	}
	if n, err := d.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	// Revoking the token ends its sessions at once.
	if err := d.RevokeToken(ctx, "dana", now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.SessionByHash(ctx, live, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("session of a revoked token = %v, want ErrNotFound", err)
	}
	if err := d.DeleteSession(ctx, live); err != nil {
		t.Errorf("DeleteSession of a gone session: %v", err)
	}
}

// testDecisions: the audit trail keeps every decision with the scan and
// version it was made in, a timeout included; later versions carry the
// approvals that waived their findings; the decision on record is marked.
func testDecisions(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, scan := range []string{"wf/1/run", "wf/2/run", "wf/3/run"} {
		if _, _, err := d.SaveVersion(ctx, NewVersion{Project: "p", ScanID: scan, BOM: []byte("{}")}); err != nil {
			t.Fatalf("version %d: %v", i+1, err)
		}
	}
	// Scan 1: model-a approved, model-b timed out.
	approveA := Approval{Project: "p", Component: "model-a", License: "CC-BY-NC-4.0", Decision: DecisionApprove, Approver: "alice",
		Reason: "research only", ScanID: "wf/1/run", CreatedAt: now, Expires: now.Add(48 * time.Hour)}
	timeoutB := Approval{Project: "p", Component: "model-b", License: "NOASSERTION", Decision: DecisionTimeout, ScanID: "wf/1/run", CreatedAt: now.Add(time.Hour)}
	for _, a := range []Approval{approveA, timeoutB, approveA} { // the retry changes nothing
		if err := d.SaveApproval(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// Version 2 is waived by the approval from version 1.
	if err := d.CarryApprovals(ctx, "p", 2, []Approval{{Component: "model-a", License: "CC-BY-NC-4.0", Decision: DecisionApprove, Approver: "alice",
		Reason: "research only", ScanID: "wf/1/run", Version: 1, CreatedAt: now, Expires: now.Add(48 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	// Scan 3: model-a rejected this time, which supersedes the approval.
	rejectA := Approval{Project: "p", Component: "model-a", License: "CC-BY-NC-4.0", Decision: DecisionReject, Approver: "bob",
		Reason: "commercial launch", ScanID: "wf/3/run", CreatedAt: now.Add(72 * time.Hour)}
	if err := d.SaveApproval(ctx, rejectA); err != nil {
		t.Fatal(err)
	}

	trail, err := d.ListApprovals(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Component, Decision, Approver string
		Version                       int
		Current                       bool
	}
	var got []row
	for _, a := range trail {
		got = append(got, row{a.Component, a.Decision, a.Approver, a.Version, a.Current})
	}
	want := []row{
		{"model-a", DecisionApprove, "alice", 1, false},
		{"model-b", DecisionTimeout, "", 1, false},
		{"model-a", DecisionReject, "bob", 3, true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trail = %+v\nwant %+v", got, want)
	}
	if trail[0].Reason != "research only" || !trail[0].Expires.Equal(now.Add(48*time.Hour)) || trail[0].ScanID != "wf/1/run" {
		t.Errorf("approval on the trail = %+v", trail[0])
	}

	v1, _ := d.VersionDecisions(ctx, "p", 1)
	if len(v1) != 2 || v1[0].Decision != DecisionApprove || v1[1].Decision != DecisionTimeout {
		t.Errorf("version 1 decisions = %+v", v1)
	}
	v2, _ := d.VersionDecisions(ctx, "p", 2)
	if len(v2) != 1 || v2[0].Version != 1 || v2[0].Approver != "alice" || v2[0].ScanID != "wf/1/run" {
		t.Errorf("version 2 carries = %+v, want alice's approval made in version 1", v2)
	}
	if v3, _ := d.VersionDecisions(ctx, "p", 3); len(v3) != 1 || v3[0].Decision != DecisionReject {
		t.Errorf("version 3 decisions = %+v", v3)
	}
	// A timeout is never reused: only the reject is on record.
	active, _ := d.ActiveApprovals(ctx, "p", now.Add(100*time.Hour))
	if len(active) != 1 || active[0].Decision != DecisionReject || active[0].Version != 3 || !active[0].Current {
		t.Errorf("on record = %+v", active)
	}
	if err := d.SaveApproval(ctx, Approval{Project: "p", Component: "x", Decision: "maybe"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown decision: %v", err)
	}
}

// testDecisionsBackfill: approvals recorded before the audit trail existed
// appear on it, on the version their scan stored.
func testDecisionsBackfill(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	if _, _, err := d.SaveVersion(ctx, NewVersion{Project: "p", ScanID: "old/1", BOM: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	// As schema 2 left it: an approval row, no trail.
	if _, err := d.SQL().ExecContext(ctx, `INSERT INTO approvals (id, project, component, license, decision, approver, reason, scan_id, created_at, expires_at)
		VALUES ('legacy-id', 'p', 'model-a', 'llama3', 'approve', 'ana', 'pilot', 'old/1', 1000, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, "DELETE FROM decisions"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = 3"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d = open(t, loc)
	trail, err := d.ListApprovals(ctx, "p")
	if err != nil || len(trail) != 1 {
		t.Fatalf("trail after migration = %+v, %v", trail, err)
	}
	if a := trail[0]; a.Version != 1 || a.Approver != "ana" || a.Reason != "pilot" || a.ScanID != "old/1" || !a.Current {
		t.Errorf("backfilled = %+v", a)
	}
	if v1, _ := d.VersionDecisions(ctx, "p", 1); len(v1) != 1 {
		t.Errorf("version 1 decisions after backfill = %+v", v1)
	}
}

func testStats(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []Scan{
		{ID: "a/1", Project: "a", Status: "completed", Verdict: "deny", StartedAt: t0},
		{ID: "a/2", Project: "a", Status: "completed", Verdict: "warn", StartedAt: t0.Add(time.Hour)},
		{ID: "a/3", Project: "a", Status: "running", StartedAt: t0.Add(2 * time.Hour)},
		{ID: "b/1", Project: "b", Status: "completed", Verdict: "warn", StartedAt: t0},
	} {
		if err := d.UpsertScan(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	save := func(scan string, sevs ...string) {
		var fs []Finding
		for i, s := range sevs {
			fs = append(fs, Finding{ID: fmt.Sprint(i), Severity: s})
		}
		if err := d.SaveFindings(ctx, scan, fs); err != nil {
			t.Fatal(err)
		}
	}
	save("a/1", "high", "high", "low") // superseded by a/2
	save("a/2", "high", "warn")
	save("a/3", "high", "high", "high") // still running
	save("b/1", "warn")
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []ScanCount{{"completed", "deny", 1}, {"completed", "warn", 2}, {"running", "", 1}}
	if fmt.Sprint(st.Scans) != fmt.Sprint(want) {
		t.Errorf("scans = %v, want %v", st.Scans, want)
	}
	if st.Findings["high"] != 1 || st.Findings["warn"] != 2 || st.Findings["low"] != 0 {
		t.Errorf("open findings = %v, want high:1 warn:2", st.Findings)
	}
}
