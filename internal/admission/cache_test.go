package admission

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
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

// TestTemplateKey: copies of one template key alike whatever their own
// metadata; any change the policies could see keys apart, including values
// that would print alike.
func TestTemplateKey(t *testing.T) {
	pod := func(edit func(obj, md map[string]any)) map[string]any {
		md := map[string]any{"name": "web-1", "uid": "u1", "resourceVersion": "7", "namespace": "ml",
			"labels": map[string]any{"app": "web"}, "ownerReferences": []any{map[string]any{"uid": "rs1"}}}
		obj := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": md,
			"spec":   map[string]any{"containers": []any{map[string]any{"image": "a:1", "args": []any{"x", "y"}, "port": 80.0}}},
			"status": map[string]any{"phase": "Pending"}}
		if edit != nil {
			edit(obj, md)
		}
		return obj
	}
	key := func(obj map[string]any) [32]byte { return templateKey("k8s/ml", "/Pod", "CREATE", true, obj) }
	base := key(pod(nil))
	same := map[string]func(obj, md map[string]any){
		"other name, uid, owner, version": func(_, md map[string]any) {
			md["name"], md["uid"], md["resourceVersion"], md["ownerReferences"] = "web-2", "u2", "9", []any{}
		},
		"generateName and timestamps": func(_, md map[string]any) {
			md["generateName"], md["creationTimestamp"], md["managedFields"] = "web-", "2026-01-01T00:00:00Z", []any{1.0}
		},
		"status": func(obj, _ map[string]any) { obj["status"] = map[string]any{"phase": "Running"} },
	}
	for name, edit := range same {
		if key(pod(edit)) != base {
			t.Errorf("%s: key differs", name)
		}
	}
	spec := func(obj map[string]any) map[string]any {
		return obj["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	}
	differ := map[string]func(obj, md map[string]any){
		"image":              func(obj, _ map[string]any) { spec(obj)["image"] = "a:2" },
		"label":              func(_, md map[string]any) { md["labels"] = map[string]any{"app": "web", "x": "1"} },
		"annotation":         func(_, md map[string]any) { md["annotations"] = map[string]any{ModelAnnotation: "demo@2"} },
		"namespace":          func(_, md map[string]any) { md["namespace"] = "other" },
		"number as string":   func(obj, _ map[string]any) { spec(obj)["port"] = "80" },
		"args joined":        func(obj, _ map[string]any) { spec(obj)["args"] = []any{"xy"} },
		"args split":         func(obj, _ map[string]any) { spec(obj)["args"] = []any{"x", "y", ""} },
		"null vs missing":    func(obj, _ map[string]any) { spec(obj)["extra"] = nil },
		"bool":               func(obj, _ map[string]any) { spec(obj)["tty"] = true },
		"key moved up":       func(obj, _ map[string]any) { obj["image"] = "a:1"; delete(spec(obj), "image") },
		"metadata not a map": func(obj, _ map[string]any) { obj["metadata"] = "x" },
	}
	seen := map[[32]byte]string{base: "base"}
	for name, edit := range differ {
		k := key(pod(edit))
		if other, dup := seen[k]; dup {
			t.Errorf("%s keys like %s", name, other)
		}
		seen[k] = name
	}
	for name, k := range map[string][32]byte{
		"project":   templateKey("k8s/other", "/Pod", "CREATE", true, pod(nil)),
		"kind":      templateKey("k8s/ml", "apps/Deployment", "CREATE", true, pod(nil)),
		"operation": templateKey("k8s/ml", "/Pod", "UPDATE", true, pod(nil)),
		"audit":     templateKey("k8s/ml", "/Pod", "CREATE", false, pod(nil)),
	} {
		if k == base {
			t.Errorf("another %s keys alike", name)
		}
	}
	// What is evaluated on a miss is what the key covers.
	norm := normalized(pod(nil))
	md := norm["metadata"].(map[string]any)
	if _, has := norm["status"]; has || md["name"] != nameToken || md["uid"] != nil || md["namespace"] != "ml" {
		t.Fatalf("normalized %v", norm)
	}
}

// blockingEvaluator holds every evaluation until release is closed, and
// counts them.
type blockingEvaluator struct {
	Evaluator
	n       atomic.Int32
	release chan struct{}
}

func (b *blockingEvaluator) Evaluate(ctx context.Context, in policy.Input) (*policy.Decision, error) {
	b.n.Add(1)
	<-b.release
	return b.Evaluator.Evaluate(ctx, in)
}

// TestConcurrentMissesShareOneEvaluation: pods of one template arriving
// together while their template is not cached are judged by one evaluation,
// and each gets the findings under its own name.
func TestConcurrentMissesShareOneEvaluation(t *testing.T) {
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		t.Fatal(err)
	}
	ev := &blockingEvaluator{Evaluator: engine, release: make(chan struct{})}
	h := New(Options{Policy: ev, Enforce: true, CacheTTL: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	const pods = 20
	var wg sync.WaitGroup
	comps := make([]string, pods)
	for i := range pods {
		var rev admissionv1.AdmissionReview
		name := fmt.Sprintf("web-%d", i)
		if err := json.Unmarshal(fixture(t, "pod-create.json", func(r map[string]any) {
			md := r["object"].(map[string]any)["metadata"].(map[string]any)
			md["name"], md["annotations"], md["labels"] = name, map[string]any{}, map[string]any{"app": "x"}
		}), &rev); err != nil {
			t.Fatal(err)
		}
		rev.Request.Name = name
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, d := h.Review(context.Background(), rev.Request)
			if resp.Allowed || len(d.Findings) == 0 {
				t.Errorf("%s: allowed %v, findings %v", name, resp.Allowed, d.Findings)
				return
			}
			comps[i] = d.Findings[0].Component
		}()
	}
	// Release once all have asked (a broken flight shows as more than one
	// evaluation) or after a while (late arrivals then hit the cache, so
	// the count is one either way when the flight works).
	for deadline := time.Now().Add(500 * time.Millisecond); ev.n.Load() < pods && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(ev.release)
	wg.Wait()
	if n := ev.n.Load(); n != 1 {
		t.Fatalf("%d evaluations for %d pods of one template", n, pods)
	}
	for i, c := range comps {
		if want := fmt.Sprintf("k8s:Pod/ml/web-%d", i); c != want {
			t.Errorf("pod %d: finding names %q, want %q", i, c, want)
		}
	}
}

// TestConcurrentVerificationsShareOneCheck: reviews naming one model while
// its verification is not cached read the store and verify once.
func TestConcurrentVerificationsShareOneCheck(t *testing.T) {
	var reads atomic.Int32
	release := make(chan struct{})
	s := &SignedBOMs{
		ReadBOM: func(ctx context.Context, project string, version int) (int, []byte, error) {
			reads.Add(1)
			<-release
			return 1, []byte(`{}`), nil
		},
		Signatures: func(context.Context, string, int) ([]store.Signature, error) { return nil, nil },
		Trusted:    []attest.Verifier{nil},
	}
	const reviews = 20
	var wg sync.WaitGroup
	results := make([]ModelResult, reviews)
	for i := range reviews {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Verify(context.Background(), "demo@1")
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	for deadline := time.Now().Add(500 * time.Millisecond); reads.Load() < reviews && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d store reads for %d concurrent reviews of one model", n, reviews)
	}
	for i, r := range results {
		if r.Verified || r.Reason != "BOM demo version 1 is not signed" {
			t.Errorf("review %d: %+v", i, r)
		}
	}
}

// TestUnverifiedResultsExpireSooner: a model that did not verify is checked
// again after UnverifiedTTL, so signing it admits the next retry soon; one
// that verified is trusted for TTL.
func TestUnverifiedResultsExpireSooner(t *testing.T) {
	var reads atomic.Int32
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := &SignedBOMs{
		ReadBOM: func(ctx context.Context, project string, version int) (int, []byte, error) {
			reads.Add(1)
			return 1, []byte(`{}`), nil
		},
		Signatures: func(context.Context, string, int) ([]store.Signature, error) { return nil, nil },
		Trusted:    []attest.Verifier{nil},
		Now:        func() time.Time { return now },
	}
	check := func(wantReads int32) {
		t.Helper()
		if _, err := s.Verify(context.Background(), "demo@1"); err != nil {
			t.Fatal(err)
		}
		if n := reads.Load(); n != wantReads {
			t.Fatalf("%d store reads, want %d", n, wantReads)
		}
	}
	check(1)
	now = now.Add(4 * time.Second)
	check(1) // not signed, remembered
	now = now.Add(2 * time.Second)
	check(2) // 6 s: asked again
	// Verified results are remembered for TTL (30 s).
	s.cache[("demo@1")] = cached{res: ModelResult{Ref: "demo@1", Verified: true}, at: now}
	now = now.Add(29 * time.Second)
	check(2)
	now = now.Add(2 * time.Second)
	check(3)
}
