package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

// synthCorpus grows the labelled corpus to n documents: each copy of a base
// document goes to one of 200 projects with a few extra words, so texts
// stay realistic and distinct.
func synthCorpus(b testing.TB, n int) []store.Evidence {
	base, _ := loadCorpus(b)
	extra := strings.Fields("fine-tuned distilled merged lora adapter checkpoint experiment baseline prod staging eval " +
		"internal vendor mirror cache nightly release candidate pinned revision legacy migration shadow canary")
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]store.Evidence, n)
	for i := range out {
		d := base[i%len(base)]
		d.Project = fmt.Sprintf("team-%03d/app", r.IntN(200))
		d.BOMRef = fmt.Sprintf("%s#%d", d.BOMRef, i)
		d.ID = EvidenceID(d.Project, d.BOMRef)
		d.Text += "\n" + extra[r.IntN(len(extra))] + " " + extra[r.IntN(len(extra))] + fmt.Sprintf(" build-%d", i)
		out[i] = d
	}
	return out
}

var benchDBs sync.Map // "backend/size" → *store.DB, built once per process

// benchDB builds the database under parent, so that its cleanup runs after
// all sub-benchmarks that share it.
func benchDB(parent, b *testing.B, backend string, n int) *store.DB {
	key := fmt.Sprintf("%s/%d", backend, n)
	if db, ok := benchDBs.Load(key); ok {
		return db.(*store.DB)
	}
	var db *store.DB
	if backend == "sqlite" {
		db = openSQLite(parent)
	} else {
		db = openMySQL(parent)
	}
	docs := synthCorpus(b, n)
	start := time.Now()
	if err := NewSearcher(db, NewOffline(0), Options{}).Index(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: indexed %d documents in %v", key, n, time.Since(start).Round(time.Millisecond))
	benchDBs.Store(key, db)
	return db
}

// BenchmarkSearch measures hybrid search latency (embed query, keyword
// search, vector search, fusion) and reports p50/p95 in ms. The first
// search, which loads the in-process vector index, is excluded.
//
//	go test ./internal/search -run X -bench 'Search/sqlite' -benchtime 200x
func BenchmarkSearch(b *testing.B) {
	_, qs := loadCorpus(b)
	for _, backend := range []string{"sqlite", "mysql"} {
		for _, n := range []int{10_000, 100_000} {
			for _, mode := range []struct {
				name string
				m    Mode
			}{{"hybrid", Hybrid}, {"text", TextOnly}, {"vector", VectorOnly}} {
				parent := b
				b.Run(fmt.Sprintf("%s/%dk/%s", backend, n/1000, mode.name), func(b *testing.B) {
					db := benchDB(parent, b, backend, n)
					s := NewSearcher(db, NewOffline(0), Options{Mode: mode.m})
					ctx := context.Background()
					if _, err := s.Search(ctx, "warm up", store.Filter{}, 10); err != nil {
						b.Fatal(err)
					}
					var lat []time.Duration
					i := 0
					b.ResetTimer()
					cpu0 := cpuTime()
					for b.Loop() {
						q := qs[i%len(qs)].Query
						i++
						t0 := time.Now()
						rs, err := s.Search(ctx, q, store.Filter{}, 10)
						lat = append(lat, time.Since(t0))
						if err != nil || len(rs) == 0 && mode.m != TextOnly {
							b.Fatalf("%q: %d results, %v", q, len(rs), err)
						}
					}
					// CPU time per search is the steadier figure on a shared machine.
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(len(lat))/1e6, "cpu-ms/op")
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					pct := func(p float64) float64 {
						return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
					}
					b.ReportMetric(pct(0.50), "p50-ms")
					b.ReportMetric(pct(0.95), "p95-ms")
				})
			}
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkOfflineEmbed(b *testing.B) {
	docs, _ := loadCorpus(b)
	e := NewOffline(0)
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Text
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "docs/s")
}
