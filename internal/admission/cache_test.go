package admission

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/mlbom/autopilot/internal/policy"
)

type countingEvaluator struct {
	Evaluator
	n atomic.Int32
}

func (c *countingEvaluator) Evaluate(ctx context.Context, in policy.Input) (*policy.Decision, error) {
	c.n.Add(1)
	return c.Evaluator.Evaluate(ctx, in)
}

// TestCacheGivesTheSameAnswers: for every fixture, and for two pods made
// from one template under different names, the cached handler answers
// exactly as the uncached one, and judges a template once.
func TestCacheGivesTheSameAnswers(t *testing.T) {
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	at := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	counted := &countingEvaluator{Evaluator: engine}
	cached := New(Options{Policy: counted, Enforce: true, CacheTTL: time.Minute, Logger: quiet, Now: at})
	plain := New(Options{Policy: engine, Enforce: true, Logger: quiet, Now: at})
	review := func(name string, edit func(map[string]any)) *admissionv1.AdmissionRequest {
		var rev admissionv1.AdmissionReview
		if err := json.Unmarshal(fixture(t, name, edit), &rev); err != nil {
			t.Fatal(err)
		}
		return rev.Request
	}
	rename := func(n string) func(map[string]any) {
		return func(r map[string]any) {
			r["name"] = n
			obj := r["object"].(map[string]any)
			md := obj["metadata"].(map[string]any)
			md["name"], md["uid"] = n, "uid-"+n
			md["annotations"] = map[string]any{}      // no model: policies only
			md["labels"] = map[string]any{"app": "x"} // GPU without the ML label: a deny
		}
	}
	reqs := []*admissionv1.AdmissionRequest{
		review("deployment-update.json", nil), review("cronjob-create-dryrun.json", nil),
		review("pod-create.json", rename("web-1")), review("pod-create.json", rename("web-2")),
		review("deployment-update.json", nil),
	}
	for i, req := range reqs {
		r1, d1 := cached.Review(context.Background(), req)
		r2, d2 := plain.Review(context.Background(), req)
		if !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(d1, d2) {
			t.Fatalf("review %d differs:\ncached %+v %+v\nplain  %+v %+v", i, r1, d1, r2, d2)
		}
	}
	if n := counted.n.Load(); n != 3 {
		t.Fatalf("%d evaluations for 3 distinct templates", n)
	}
	_, d := cached.Review(context.Background(), reqs[3])
	if d.Findings[0].Component != "k8s:Pod/ml/web-2" {
		t.Fatalf("cached finding names %s", d.Findings[0].Component)
	}
}
