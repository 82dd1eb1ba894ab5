package admission

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/mlbom/autopilot/internal/policy"
)

// BenchmarkReview: one decision in-process (policy evaluation of one
// object), without TLS or HTTP.
func BenchmarkReview(b *testing.B) {
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Options{Policy: engine, Enforce: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	data, _ := os.ReadFile(filepath.Join("testdata", "deployment-update.json"))
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &rev); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := h.Review(context.Background(), rev.Request)
		if resp.Allowed {
			b.Fatal("allowed")
		}
	}
}
