package search

// The ranking tests run on every store backend: SQLite always, MySQL or
// MariaDB when the test server is there (MLBOM_TEST_MYSQL_DSN, default
// mysql://root@127.0.0.1:3306/test; MLBOM_REQUIRE_MYSQL=1 makes its absence
// a failure).

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mlbom/autopilot/internal/store"
)

func TestRankerSQLite(t *testing.T) {
	runRankerSuite(t, func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "mlbom.db") })
}

func TestRankerMySQL(t *testing.T) {
	admin := mysqlServer(t)
	runRankerSuite(t, func(t *testing.T) string { return freshMySQL(t, admin) })
}

func runRankerSuite(t *testing.T, fresh func(t *testing.T) string) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, loc string)
	}{
		{"SearchText", testSearchText},
		{"SearchTextInProcessBM25", testSearchTextMem},
		{"SearchVectors", testSearchVectors},
		{"TermSample", testTermSample},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func openStore(t *testing.T, loc string) *store.DB {
	t.Helper()
	d, err := store.Open(context.Background(), loc)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// adminConfig is the driver configuration of a mysql:// test location.
func adminConfig(t testing.TB, loc string) *mysql.Config {
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("MLBOM_TEST_MYSQL_DSN: %v", err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.Timeout = 2 * time.Second
	return cfg
}

// mysqlServer returns the admin location of the test server, or skips.
func mysqlServer(t testing.TB) string {
	loc := os.Getenv("MLBOM_TEST_MYSQL_DSN")
	if loc == "" {
		loc = "mysql://root@127.0.0.1:3306/test"
	}
	db, err := sql.Open("mysql", adminConfig(t, loc).FormatDSN())
	if err == nil {
		err = db.Ping()
		db.Close()
	}
	if err != nil {
		msg := fmt.Sprintf("no MySQL/MariaDB server for the ranking tests: %v", err)
		if os.Getenv("MLBOM_REQUIRE_MYSQL") == "1" {
			t.Fatal(msg + " (MLBOM_REQUIRE_MYSQL=1)")
		}
		t.Skip(msg)
	}
	return loc
}

// freshMySQL creates a uniquely named database, dropped when t ends.
func freshMySQL(t testing.TB, admin string) string {
	db, err := sql.Open("mysql", adminConfig(t, admin).FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "mlbom_search_" + hex.EncodeToString(b)
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

func vec(xs ...float32) []float32 { return xs }

var searchDocs = []store.Evidence{
	{ID: "1", Project: "p", Name: "llama-3-8b-instruct", Kind: "model", Text: "Meta Llama 3 8B instruction tuned chat model safetensors weights"},
	{ID: "2", Project: "p", Name: "whisper-large-v3", Kind: "model", Text: "OpenAI Whisper speech recognition transcription model"},
	{ID: "3", Project: "p", Name: "squad", Kind: "dataset", Text: "Stanford question answering dataset reading comprehension"},
	{ID: "4", Project: "q", Name: "resnet50", Kind: "model", Text: "image classification convolutional network trained on imagenet"},
	{ID: "5", Project: "q", Name: "system-prompt", Kind: "prompt", Text: "You are a helpful assistant for customer support chat"},
	{ID: "6", Project: "q", Name: "imagenet-1k", Kind: "dataset", Text: "large image dataset with one thousand classes"},
}

func ids(hs []store.Hit) string {
	var s []string
	for _, h := range hs {
		s = append(s, h.ID)
	}
	return strings.Join(s, ",")
}

func checkTextSearch(t *testing.T, d *Ranker) {
	ctx := context.Background()
	cases := []struct {
		q     string
		f     store.Filter
		first string
		want  []string // must all be present
		not   []string
	}{
		{q: "speech transcription", first: "2"},
		{q: "image", want: []string{"4", "6"}, not: []string{"1", "2", "3", "5"}},
		{q: "image", f: store.Filter{Kind: "dataset"}, first: "6", not: []string{"4"}},
		{q: "chat", f: store.Filter{Project: "q"}, first: "5", not: []string{"1"}},
		{q: "Llama instruct!", first: "1"},
		{q: "zebra", not: []string{"1", "2", "3", "4", "5", "6"}},
	}
	for _, c := range cases {
		hs, err := d.SearchText(ctx, c.q, c.f, 10)
		if err != nil {
			t.Fatalf("SearchText(%q): %v", c.q, err)
		}
		got := ids(hs)
		if c.first != "" && (len(hs) == 0 || hs[0].ID != c.first) {
			t.Errorf("SearchText(%q, %+v) = %s, want %s first", c.q, c.f, got, c.first)
		}
		for _, w := range c.want {
			if !strings.Contains(","+got+",", ","+w+",") {
				t.Errorf("SearchText(%q) = %s, missing %s", c.q, got, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(","+got+",", ","+n+",") {
				t.Errorf("SearchText(%q, %+v) = %s, must not contain %s", c.q, c.f, got, n)
			}
		}
		for i := 1; i < len(hs); i++ {
			if hs[i].Score > hs[i-1].Score {
				t.Errorf("SearchText(%q): scores not descending: %v", c.q, hs)
			}
		}
	}
	if hs, err := d.SearchText(ctx, `"; DROP TABLE evidence; --`, store.Filter{}, 5); err != nil {
		t.Errorf("hostile query: %v (%v)", err, hs)
	}
}

func testSearchText(t *testing.T, loc string) {
	db := openStore(t, loc)
	d := NewRanker(db)
	if err := db.UpsertEvidence(context.Background(), searchDocs); err != nil {
		t.Fatal(err)
	}
	checkTextSearch(t, d)
	// Changed documents are found by their new text only.
	if err := db.UpsertEvidence(context.Background(), []store.Evidence{{ID: "3", Project: "p", Name: "squad", Kind: "dataset", Text: "wikipedia paragraphs"}}); err != nil {
		t.Fatal(err)
	}
	hs, _ := d.SearchText(context.Background(), "comprehension", store.Filter{}, 5)
	if len(hs) != 0 {
		t.Errorf("stale text still indexed: %v", ids(hs))
	}
}

func testSearchTextMem(t *testing.T, loc string) {
	db := openStore(t, loc)
	d := NewRanker(db)
	d.memText = true // the self-hosted TiDB path, on this backend's table
	ctx := context.Background()
	if err := db.UpsertEvidence(ctx, searchDocs[:3]); err != nil {
		t.Fatal(err)
	}
	if hs, _ := d.SearchText(ctx, "image", store.Filter{}, 5); len(hs) != 0 {
		t.Fatalf("before insert: %v", ids(hs))
	}
	// Written after the index was built: picked up incrementally.
	if err := db.UpsertEvidence(ctx, searchDocs[3:]); err != nil {
		t.Fatal(err)
	}
	checkTextSearch(t, d)
	// Another handle (another worker) changes a document; this one sees it.
	other := openStore(t, loc)
	if err := other.UpsertEvidence(ctx, []store.Evidence{{ID: "2", Project: "p", Name: "whisper-large-v3", Kind: "model", Text: "audio model"}}); err != nil {
		t.Fatal(err)
	}
	if hs, _ := d.SearchText(ctx, "transcription", store.Filter{}, 5); len(hs) != 0 {
		t.Errorf("stale text after another writer's update: %v", ids(hs))
	}
	if hs, _ := d.SearchText(ctx, "audio", store.Filter{}, 5); ids(hs) != "2" {
		t.Errorf("new text after another writer's update: %v", ids(hs))
	}
}

func testSearchVectors(t *testing.T, loc string) {
	ctx := context.Background()
	db := openStore(t, loc)
	d := NewRanker(db)
	docs := append([]store.Evidence(nil), searchDocs...)
	for i := range docs {
		v := make([]float32, 4)
		v[i%4] = 1
		v[(i+1)%4] = 0.1 * float32(i)
		docs[i].Vector, docs[i].Embedder = v, "e4"
	}
	if err := db.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	hs, err := d.SearchVectors(ctx, vec(1, 0, 0, 0), store.Filter{}, "e4", 3)
	if err != nil {
		t.Fatal(err)
	}
	// Docs 1 (1,0.0,..) and 5 (1,0.4,..) point along x; 1 is closer.
	if len(hs) != 3 || hs[0].ID != "1" || hs[1].ID != "5" || hs[0].Score < 0.999 || hs[0].Vector != nil {
		t.Fatalf("SearchVectors = %v (%+v)", ids(hs), hs)
	}
	if hs, _ := d.SearchVectors(ctx, vec(1, 0, 0, 0), store.Filter{Project: "q"}, "e4", 1); ids(hs) != "5" {
		t.Errorf("project filter: %v", ids(hs))
	}
	if hs, _ := d.SearchVectors(ctx, vec(1, 0, 0), store.Filter{}, "e4", 3); len(hs) != 0 {
		t.Errorf("wrong dimension must match nothing: %v", ids(hs))
	}
	// Another worker re-embeds doc 3 to point along x: this handle sees it.
	other := openStore(t, loc)
	d3 := docs[2]
	d3.Vector = vec(2, 0, 0, 0)
	if err := other.UpsertEvidence(ctx, []store.Evidence{d3}); err != nil {
		t.Fatal(err)
	}
	hs, _ = d.SearchVectors(ctx, vec(1, 0, 0, 0), store.Filter{}, "e4", 2)
	if !strings.Contains(ids(hs), "3") {
		t.Errorf("re-embedded doc 3 not found: %v", ids(hs))
	}
	// Changed text drops the vector: it must leave the index.
	if err := other.UpsertEvidence(ctx, []store.Evidence{{ID: "3", Project: "p", Name: "squad", Kind: "dataset", Text: "new"}}); err != nil {
		t.Fatal(err)
	}
	hs, _ = d.SearchVectors(ctx, vec(1, 0, 0, 0), store.Filter{}, "e4", 10)
	if strings.Contains(ids(hs), "3") || len(hs) != 5 {
		t.Errorf("after dropping doc 3's vector: %v", ids(hs))
	}
}

func TestWithinBudget(t *testing.T) {
	share := map[string]float64{"model": 0.48, "speech": 0.08, "recognition": 0.046, "whisper": 0.026}
	tests := []struct {
		name  string
		words []string
		total int
		want  []string
	}{
		{"small collection keeps every word", []string{"speech", "recognition", "model"}, 10_000, []string{"recognition", "speech", "model"}},
		{"large collection drops the common words first", []string{"speech", "recognition", "model"}, 100_000, []string{"recognition"}},
		{"rarest stays even over budget", []string{"model"}, 100_000, []string{"model"}},
		{"unsampled words count as rare", []string{"model", "zyxw", "whisper"}, 100_000, []string{"zyxw", "whisper"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withinBudget(tc.words, share, tc.total); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("withinBudget(%v, %d) = %v, want %v", tc.words, tc.total, got, tc.want)
			}
		})
	}
}

// testTermSample: the sample reads random rows of a table larger than it,
// and estimates document shares close to the truth.
func testTermSample(t *testing.T, loc string) {
	db := openStore(t, loc)
	d := NewRanker(db)
	ctx := context.Background()
	const n = 5000
	docs := make([]store.Evidence, n)
	for i := range docs {
		body := "every"
		if i%2 == 0 {
			body += " half"
		}
		if i%10 == 0 {
			body += " tenth"
		}
		docs[i] = store.Evidence{ID: fmt.Sprintf("d%d", i), Project: "p", Name: fmt.Sprintf("doc %d", i), Text: body}
	}
	if err := db.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	s, err := d.termSampleFor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.total != n || s.n < sampleSize/2 || s.n > sampleSize {
		t.Fatalf("sampled %d of %d documents, want about %d of %d", s.n, s.total, sampleSize, n)
	}
	for word, want := range map[string]float64{"every": 1, "half": 0.5, "tenth": 0.1, "doc": 1, "absent": 0} {
		if got := s.docs[word]; math.Abs(got-want) > 0.05 {
			t.Errorf("share of %q = %.3f, want %.2f ± 0.05", word, got, want)
		}
	}
	// Unchanged table: the same sample is reused.
	if again, _ := d.termSampleFor(ctx); again != s {
		t.Error("sample re-read although the table did not change")
	}
}

// TestSelectiveTermsEstimated: past twice the sample size, SQLite takes
// the document count of words over the whole budget from the sample and
// still keeps, drops and falls back exactly as with exact counts.
func TestSelectiveTermsEstimated(t *testing.T) {
	db := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "terms.db"))
	d := NewRanker(db)
	ctx := context.Background()
	const n = 9000
	docs := make([]store.Evidence, n)
	for i := range docs {
		body := "everywhere"
		if i%3 == 0 {
			body += " third"
		}
		if i%100 == 0 {
			body += " hundredth"
		}
		docs[i] = store.Evidence{ID: fmt.Sprintf("d%d", i), Project: "p", Name: "doc", Text: body}
	}
	if err := db.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"hundredth everywhere", []string{"hundredth"}}, // common word dropped
		{"third hundredth", []string{"hundredth"}},      // 3000 > 20% of 9000: dropped
		{"everywhere", []string{"everywhere"}},          // only word: the rarest stays
		{"everywhere third", []string{"third"}},         // all common: the rarest
		{"hundredth absentword", []string{"hundredth"}}, // absent words dropped
	}
	for _, tc := range tests {
		got, _, err := d.selectiveTerms(ctx, Terms(tc.query))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("selectiveTerms(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
	if d.sample == nil {
		t.Error("no sample taken: the estimate path was not exercised")
	}
}
