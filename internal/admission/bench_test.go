package admission

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

// BenchmarkReview: one decision in-process (no TLS, HTTP or JSON of the
// review): "policy" evaluates the kubernetes policies on every call,
// "cached" is the decision cache's hit path for pods of one template.
func BenchmarkReview(b *testing.B) {
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	data, _ := os.ReadFile(filepath.Join("testdata", "deployment-update.json"))
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &rev); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"policy", 0}, {"cached", time.Minute}} {
		b.Run(c.name, func(b *testing.B) {
			h := New(Options{Policy: engine, Enforce: true, Logger: quiet, CacheTTL: c.ttl})
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				resp, _ := h.Review(context.Background(), rev.Request)
				if resp.Allowed {
					b.Fatal("allowed")
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkServeHTTP: a whole review as the server answers it, body in and
// body out, without TLS: "floor" only decodes the AdmissionReview and
// encodes an always-allow answer (what any webhook must do), "mlbom" is
// the handler with its caches, verify-before-run against a signed BOM in
// SQLite, decisions recorded and denials through the notification ledger.
// The ratio of the two is the cost of judging. The fixtures rotate, each review with a fresh uid.
func BenchmarkServeHTTP(b *testing.B) {
	benchServe(b, 0)
}

// BenchmarkServeHTTPPaced: the same, one review at a time, 5 ms apart (about
// 190 reviews/s): the fixed costs a busy server shares between reviews
// (batched inserts, warm caches) each review pays here.
func BenchmarkServeHTTPPaced(b *testing.B) {
	benchServe(b, 5*time.Millisecond)
}

func benchServe(b *testing.B, pace time.Duration) {
	var bodies [][2][]byte
	for _, name := range []string{"pod-create.json", "deployment-update.json", "cronjob-create-dryrun.json"} {
		const mark = "UID-GOES-HERE"
		pre, post, _ := bytes.Cut(fixture(b, name, func(r map[string]any) { r["uid"] = mark }), []byte(mark))
		bodies = append(bodies, [2][]byte{pre, post})
	}
	var seq atomic.Int64
	body := func() []byte {
		n := seq.Add(1)
		p := bodies[n%int64(len(bodies))]
		out := append(append([]byte{}, p[0]...), "bench-"+strconv.FormatInt(n, 10)...)
		return append(out, p[1]...)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, name := range []string{"floor", "mlbom"} {
		b.Run(name, func(b *testing.B) {
			var h http.Handler = http.HandlerFunc(floorHandler)
			var rec *Recorder
			if name == "mlbom" {
				// Denials go through the real exactly-once ledger in the same
				// store (no channel configured: the record channel), as in
				// `mlbom admission`. A fresh recorder per run, closed at the
				// end: its writes are part of the cost.
				h, _, rec = newTestHandler(b, true, quiet, func(db *store.DB) Notifier {
					n, err := notify.New(notify.Options{}, db)
					if err != nil {
						b.Fatal(err)
					}
					return n
				})
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			serve := func(w *recorder) {
				req, _ := http.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body()))
				req.Header.Set("Content-Type", "application/json")
				w.code = 0
				w.body.Reset()
				h.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("status %d: %s", w.code, w.body.Bytes())
				}
			}
			if pace > 0 {
				w := &recorder{header: http.Header{}}
				for b.Loop() {
					serve(w)
					time.Sleep(pace)
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					w := &recorder{header: http.Header{}}
					for pb.Next() {
						serve(w)
					}
				})
			}
			if rec != nil {
				rec.Close()
			}
			reportCPU(b, start)
		})
	}
}

// floorHandler is bench/admission/floor's handler: decode, allow, encode.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxReview))
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &rev); err != nil || rev.Request == nil {
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	}
	out := admissionv1.AdmissionReview{TypeMeta: rev.TypeMeta, Response: &admissionv1.AdmissionResponse{UID: rev.Request.UID, Allowed: true}}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// reportCPU adds CPU µs per op (user+system of the whole process, the
// recorder's background writes included): on a shared machine ns/op also
// counts the time spent waiting for a core.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}
