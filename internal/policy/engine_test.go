package policy

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func readBOM(t testing.TB, name string) any {
	t.Helper()
	bs, err := os.ReadFile(filepath.Join("..", "..", "policies", "testdata", name, "bom.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom any
	if err := json.Unmarshal(bs, &bom); err != nil {
		t.Fatal(err)
	}
	return bom
}

func newEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// fired lists "effect policy component" for every finding, sorted.
func fired(d *Decision) []string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, f.Effect+" "+f.Policy+" "+f.Component)
	}
	sort.Strings(out)
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func TestEvaluate(t *testing.T) {
	e := newEngine(t, Options{})
	clean, risky := readBOM(t, "clean"), readBOM(t, "risky")
	gpuDeploy := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "vllm", "namespace": "ml"},
		"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"app": "vllm"}},
			"spec": map[string]any{"containers": []any{map[string]any{
				"name": "vllm", "image": "docker.io/vllm/vllm-openai:v0.6.0",
				"resources": map[string]any{"limits": map[string]any{"nvidia.com/gpu": 1}},
			}}},
		}},
	}
	tests := []struct {
		name    string
		in      Input
		verdict string
		want    []string // must fire
		notWant []string // must not fire
	}{
		{name: "clean BOM passes", in: Input{Project: "support-bot", BOM: clean}, verdict: VerdictPass},
		{
			name: "risky BOM", in: Input{Project: "fraud-scoring", BOM: risky}, verdict: VerdictDeny,
			want: []string{
				"deny license.non-commercial model:huggingface/acme-research/credit-risk-xl",
				"deny license.copyleft dataset:huggingface/allenai/gpl-corpus",
				"deny license.use-restricted model:huggingface/meta-llarna/Llama-3.1-8B-Instruct",
				"deny license.use-restricted model:huggingface/stabilityai/stable-diffusion-xl-base-1.0",
				"deny license.unknown dataset:huggingface/some-lab/scraped-forum-posts",
				"warn license.unlisted model:huggingface/google/made-up-license-model",
				"deny sources.unapproved-org model:huggingface/acme-research/credit-risk-xl",
				"deny sources.unapproved-host model:huggingface/acme-research/credit-risk-xl",
				"deny sources.unapproved-provider service:deepseek/deepseek-chat",
				"deny lookalike.org model:huggingface/meta-llarna/Llama-3.1-8B-Instruct",
				"deny lookalike.model model:huggingface/bert-base-uncase",
				"deny serialization.pickle-with-safe-alternative weights:models/credit/pytorch_model.bin",
				"deny serialization.scanner-critical weights:legacy/scorer.pkl",
				"warn serialization.pickle weights:legacy/encoder.joblib",
				"warn serialization.scanner-high weights:legacy/encoder.joblib",
				"warn drift.unpinned model:huggingface/meta-llarna/Llama-3.1-8B-Instruct",
				"warn docs.incomplete model:huggingface/meta-llarna/Llama-3.1-8B-Instruct",
			},
			notWant: []string{
				"deny sources.unapproved-provider service:openai/gpt-4o-mini",
				"deny sources.unapproved-org model:huggingface/stabilityai/stable-diffusion-xl-base-1.0",
				"deny docs.high-risk-gaps model:huggingface/meta-llarna/Llama-3.1-8B-Instruct",
			},
		},
		{
			name: "drift", verdict: VerdictDeny,
			in: Input{Project: "p", BOM: clean, Diff: map[string]any{
				"added":   []any{map[string]any{"bom-ref": "model:new", "name": "new", "kind": "model"}},
				"removed": []any{map[string]any{"bom-ref": "model:old", "name": "old", "kind": "model"}},
				"changed": []any{map[string]any{"bom-ref": "model:x", "name": "x", "kind": "model", "hashDrift": true}},
			}},
			want: []string{"deny drift.hash model:x", "warn drift.new-model model:new", "warn drift.removed-model model:old"},
		},
		{
			name: "a diff without drift passes", verdict: VerdictPass,
			in: Input{Project: "p", BOM: clean, Diff: map[string]any{"added": nil, "removed": nil, "changed": []any{
				map[string]any{"bom-ref": "framework:x", "name": "x", "kind": "framework"},
			}}},
		},
		{
			name: "kubernetes", verdict: VerdictDeny,
			in: Input{Project: "p", BOM: clean, Kubernetes: []any{gpuDeploy}},
			want: []string{
				"deny kubernetes.unapproved-registry k8s:Deployment/ml/vllm",
				"deny kubernetes.gpu-without-ml-label k8s:Deployment/ml/vllm",
			},
		},
		{
			name: "runtime", verdict: VerdictDeny,
			in: Input{Project: "p", BOM: clean, Runtime: map[string]any{"observations": []any{
				map[string]any{"type": "file", "path": "/app/models/bert/model.safetensors"},
				map[string]any{"type": "file", "path": "/root/.cache/evil/model.bin"},
				map[string]any{"type": "connect", "host": "api.groq.com"},
				map[string]any{"type": "connect", "host": "api.openai.com"},
			}}},
			want: []string{
				"deny runtime.unknown-model runtime:file:/root/.cache/evil/model.bin",
				"deny runtime.unapproved-endpoint runtime:connect:api.groq.com",
			},
			notWant: []string{
				"deny runtime.unknown-model runtime:file:/app/models/bert/model.safetensors",
				"deny runtime.unapproved-endpoint runtime:connect:api.openai.com",
				"warn runtime.undeclared-endpoint runtime:connect:api.openai.com",
			},
		},
		{
			name: "BOM as raw JSON bytes", verdict: VerdictPass,
			in: Input{Project: "p", BOM: json.RawMessage(mustJSON(t, clean))},
		},
		{name: "empty input", verdict: VerdictPass, in: Input{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Evaluate(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := fired(d)
			if d.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s; findings:\n%s", d.Verdict, tt.verdict, strings.Join(got, "\n"))
			}
			if tt.verdict == VerdictPass && len(got) > 0 {
				t.Errorf("want no findings, got:\n%s", strings.Join(got, "\n"))
			}
			for _, w := range tt.want {
				if !has(got, w) {
					t.Errorf("missing %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
			for _, w := range tt.notWant {
				if has(got, w) {
					t.Errorf("unexpected %q", w)
				}
			}
			for _, f := range d.Findings {
				if f.ID == "" || f.Message == "" || f.Severity == "" || f.Remediation == "" {
					t.Errorf("incomplete finding %+v", f)
				}
				if strings.HasPrefix(f.Policy, "license.") != f.ExceptionEligible {
					t.Errorf("%s: exception eligible = %v; only license findings are", f.Policy, f.ExceptionEligible)
				}
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	bs, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestFindingsOrderedAndIDsStable(t *testing.T) {
	e := newEngine(t, Options{})
	in := Input{Project: "fraud-scoring", BOM: readBOM(t, "risky")}
	a, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Evaluate(context.Background(), Input{Project: "fraud-scoring", BOM: readBOM(t, "risky")})
	other, _ := e.Evaluate(context.Background(), Input{Project: "another", BOM: readBOM(t, "risky")})
	if len(a.Findings) != len(b.Findings) || len(a.Findings) == 0 {
		t.Fatalf("finding counts differ: %d vs %d", len(a.Findings), len(b.Findings))
	}
	seen := map[string]bool{}
	sawWarn := false
	for i, f := range a.Findings {
		if f.ID != b.Findings[i].ID {
			t.Errorf("finding %d: ID %s then %s", i, f.ID, b.Findings[i].ID)
		}
		if f.ID == other.Findings[i].ID {
			t.Errorf("finding %d: same ID %s in two projects", i, f.ID)
		}
		if seen[f.ID] {
			t.Errorf("duplicate ID %s", f.ID)
		}
		seen[f.ID] = true
		if f.ID != FindingID("fraud-scoring", f.Policy, f.Component, f.License) {
			t.Errorf("ID of %s is not FindingID(project, policy, component, license)", f.Policy)
		}
		if f.Effect == VerdictWarn {
			sawWarn = true
		} else if sawWarn {
			t.Errorf("deny finding %s after a warn finding", f.Policy)
		}
	}
}

func TestApprovalsWaive(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	e := newEngine(t, Options{Now: func() time.Time { return now }})
	// One exception-eligible deny and nothing else: the waiver decides the verdict.
	bom := map[string]any{"components": []any{map[string]any{
		"bom-ref": "model:acme/m", "type": "machine-learning-model", "group": "meta-llama", "name": "m",
		"licenses":   []any{map[string]any{"license": map[string]any{"id": "CC-BY-NC-4.0"}}},
		"properties": []any{map[string]any{"name": "mlbom:asset.kind", "value": "model"}},
	}}}
	approve := func(mod func(*Approval)) []Approval {
		a := Approval{Component: "model:acme/m", License: "CC-BY-NC-4.0", Decision: "approve", Approver: "dana@example.com"}
		if mod != nil {
			mod(&a)
		}
		return []Approval{a}
	}
	tests := []struct {
		name      string
		approvals []Approval
		waived    bool
	}{
		{"no approval", nil, false},
		{"approved", approve(nil), true},
		{"approved until later", approve(func(a *Approval) { a.Expires = now.Add(time.Hour).Format(time.RFC3339) }), true},
		{"expired", approve(func(a *Approval) { a.Expires = now.Add(-time.Second).Format(time.RFC3339) }), false},
		{"expiry unparseable", approve(func(a *Approval) { a.Expires = "next tuesday" }), false},
		{"rejected", approve(func(a *Approval) { a.Decision = "reject" }), false},
		{"other component", approve(func(a *Approval) { a.Component = "model:acme/other" }), false},
		{"other license", approve(func(a *Approval) { a.License = "GPL-3.0-only" }), false},
		{"any license of the component", approve(func(a *Approval) { a.License = "" }), true},
		{"license case differs", approve(func(a *Approval) { a.License = "cc-by-nc-4.0" }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Evaluate(context.Background(), Input{Project: "p", BOM: bom, Approvals: tt.approvals})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Findings) != 1 {
				t.Fatalf("want one finding, got %v", fired(d))
			}
			f := d.Findings[0]
			if f.Policy != "license.non-commercial" || f.Waived != tt.waived {
				t.Errorf("got %s waived=%v, want license.non-commercial waived=%v", f.Policy, f.Waived, tt.waived)
			}
			wantVerdict, wantPending := VerdictDeny, 1
			if tt.waived {
				wantVerdict, wantPending = VerdictPass, 0
			}
			if d.Verdict != wantVerdict {
				t.Errorf("verdict %s, want %s", d.Verdict, wantVerdict)
			}
			if n := len(d.PendingExceptions()); n != wantPending {
				t.Errorf("%d pending exceptions, want %d", n, wantPending)
			}
		})
	}
}

func TestApprovalDoesNotWaiveIneligibleFindings(t *testing.T) {
	e := newEngine(t, Options{})
	in := Input{Project: "p", BOM: readBOM(t, "risky"), Approvals: []Approval{
		{Component: "weights:legacy/scorer.pkl", Decision: "approve", Approver: "x"},
	}}
	d, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Findings {
		if f.Component == "weights:legacy/scorer.pkl" && f.Waived {
			t.Errorf("%s was waived but is not exception-eligible", f.Policy)
		}
	}
}

func TestBrokenPolicy(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "syntax error",
			files: map[string]string{"broken.rego": "package mlbom.broken\n\ndeny contains f if {\n\tf := {\"policy\": \n}\n"},
			want:  []string{"broken.rego:", "rego_parse_error"},
		},
		{
			name:  "undefined function",
			files: map[string]string{"sub/undef.rego": "package mlbom.undef\n\n# a comment\ndeny contains f if {\n\tf := no_such_function(input.bom)\n}\n"},
			want:  []string{filepath.Join("sub", "undef.rego") + ":5", "rego_type_error", "no_such_function"},
		},
		{
			name:  "malformed data file",
			files: map[string]string{"bad.json": "{not json"},
			want:  []string{"bad.json"},
		},
		{
			name:  "rego v0 syntax",
			files: map[string]string{"old.rego": "package mlbom.old\n\ndeny[f] {\n  f := \"x\"\n}\n"},
			want:  []string{"old.rego:3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := New(context.Background(), Options{ExtraDir: dir})
			if err == nil {
				t.Fatal("New succeeded with a broken policy")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error does not wrap ErrPolicy: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestBrokenBuiltinPolicy(t *testing.T) {
	fsys := fstest.MapFS{
		"data.json": {Data: []byte(`{}`)},
		"x.rego":    {Data: []byte("package mlbom.x\n\ndeny contains 1 if {\n  input.a ==\n}\n")},
	}
	_, err := New(context.Background(), Options{Builtin: fsys})
	if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "policies/x.rego:") {
		t.Fatalf("want ErrPolicy naming policies/x.rego:LINE, got %v", err)
	}
}

func TestMissingExtraDir(t *testing.T) {
	_, err := New(context.Background(), Options{ExtraDir: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("want an error naming the directory, got %v", err)
	}
}

func TestMalformedFindingIsPolicyError(t *testing.T) {
	dir := t.TempDir()
	src := "package mlbom.bad\n\ndeny contains [1, 2] if true\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Options{ExtraDir: dir})
	_, err := e.Evaluate(context.Background(), Input{})
	if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "mlbom.bad.deny") {
		t.Fatalf("want ErrPolicy naming data.mlbom.bad.deny, got %v", err)
	}
}

func TestExtraDirMerges(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// A team's own policy, in its own package under mlbom.
		"team.rego": `package mlbom.team

import data.mlbom.lib

warn contains f if {
	some c in lib.of_kind("model")
	not c.props["team:owner"]
	f := {"policy": "team.owner", "severity": "low", "component": c.ref, "message": "model has no owner", "remediation": "set team:owner"}
}

deny contains {"component": "x", "message": "minimal"} if input.project == "minimal"

warn contains {"policy": "team.yaml", "component": "y", "message": "from YAML data"} if data.extra.threshold == 3
`,
		// Data overrides: the list replaces the built-in one.
		"data.json": `{"mlbom": {"config": {"sources": {"allowed_orgs": ["acme-research", "google", "allenai", "meta-llarna", "some-lab", "stabilityai"]}}}}`,
		// YAML data is merged too; a nested directory maps to a nested path.
		"extra/data.yaml": "threshold: 3\n",
		// Test files and testdata are not loaded by the engine.
		"team_test.rego":         "package mlbom.team_test\n\ntest_x if false\n",
		"testdata/case/bom.json": `{"not": "loaded"}`,
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := newEngine(t, Options{ExtraDir: dir})
	d, err := e.Evaluate(context.Background(), Input{Project: "fraud-scoring", BOM: readBOM(t, "risky")})
	if err != nil {
		t.Fatal(err)
	}
	got := fired(d)
	if !has(got, "warn team.owner model:huggingface/acme-research/credit-risk-xl") {
		t.Errorf("user policy did not fire:\n%s", strings.Join(got, "\n"))
	}
	for _, g := range got {
		if strings.Contains(g, "sources.unapproved-org") {
			t.Errorf("user data did not override the org allowlist: %s", g)
		}
	}
	if !has(got, "deny license.non-commercial model:huggingface/acme-research/credit-risk-xl") {
		t.Error("built-in policies stopped working after the merge")
	}
	// Defaults for a minimal finding: policy from the package, severity medium.
	d, err = e.Evaluate(context.Background(), Input{Project: "minimal"})
	if err != nil {
		t.Fatal(err)
	}
	if !has(fired(d), "deny team.deny x") || d.Verdict != VerdictDeny {
		t.Errorf("minimal finding: %v", fired(d))
	}
	if !has(fired(d), "warn team.yaml y") {
		t.Errorf("YAML data file not loaded at data.extra: %v", fired(d))
	}
	var mods []string
	for _, m := range e.Modules() {
		if strings.HasPrefix(m, dir) {
			mods = append(mods, strings.TrimPrefix(m, dir))
		}
	}
	if len(mods) != 1 || mods[0] != "/team.rego" {
		t.Errorf("user modules loaded = %v, want only team.rego", mods)
	}
}

func TestBuiltinModulesEmbedded(t *testing.T) {
	e := newEngine(t, Options{})
	want := []string{"docs", "drift", "kubernetes", "lib", "license", "lookalike", "runtime", "serialization", "sources"}
	got := map[string]bool{}
	for _, m := range e.Modules() {
		if strings.HasSuffix(m, "_test.rego") {
			t.Errorf("test module %s loaded for evaluation", m)
		}
		got[strings.TrimSuffix(strings.TrimPrefix(m, "policies/"), ".rego")] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("policies/%s.rego not embedded; have %v", w, e.Modules())
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		verdict, failOn string
		want            bool
	}{
		{VerdictDeny, "deny", true},
		{VerdictWarn, "deny", false},
		{VerdictPass, "deny", false},
		{VerdictDeny, "warn", true},
		{VerdictWarn, "warn", true},
		{VerdictPass, "warn", false},
		{VerdictDeny, "", false},
		{VerdictDeny, "none", false},
		{VerdictDeny, "pass", false},
		{VerdictDeny, "DENY", true},
		{VerdictDeny, "bogus", false},
	}
	for _, tt := range tests {
		if got := Compare(tt.verdict, tt.failOn); got != tt.want {
			t.Errorf("Compare(%q, %q) = %v, want %v", tt.verdict, tt.failOn, got, tt.want)
		}
	}
	for s, want := range map[string]bool{"": true, "none": true, "warn": true, "deny": true, "pass": false, "error": false} {
		if ValidFailOn(s) != want {
			t.Errorf("ValidFailOn(%q) = %v", s, !want)
		}
	}
}

func TestEvaluationErrorIsPolicyError(t *testing.T) {
	dir := t.TempDir()
	// Two values for one complete rule: an eval_conflict_error at evaluation.
	src := "package mlbom.conflict\n\nx := 1 if input.project == \"p\"\n\nx := 2 if input.project == \"p\"\n\ndeny contains {\"component\": \"c\", \"message\": \"m\"} if x == 1\n"
	if err := os.WriteFile(filepath.Join(dir, "conflict.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Options{ExtraDir: dir})
	_, err := e.Evaluate(context.Background(), Input{Project: "p"})
	if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "conflict.rego:") {
		t.Fatalf("want ErrPolicy naming conflict.rego:LINE, got %v", err)
	}
	if _, err := e.Evaluate(context.Background(), Input{Project: "other"}); err != nil {
		t.Fatalf("other inputs still evaluate: %v", err)
	}
}

func TestCanceledEvaluationIsNotPolicyError(t *testing.T) {
	e := newEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Evaluate(ctx, Input{Project: "p", BOM: readBOM(t, "risky")})
	if err == nil || errors.Is(err, ErrPolicy) {
		t.Fatalf("want a retryable error, got %v", err)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	e := newEngine(t, Options{})
	in := Input{Project: "p", BOM: readBOM(t, "risky")}
	want, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := e.Evaluate(context.Background(), in)
			if err == nil && !reflect.DeepEqual(got, want) {
				err = errors.New("concurrent evaluation gave a different decision")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A model without a license is judged by why it has none: the engine
// carries the reason, and a policy directory's data.json can treat "not
// looked up" differently from "nothing declared".
func TestUnknownLicenseReason(t *testing.T) {
	model := func(ref, reason string) map[string]any {
		return map[string]any{"bom-ref": ref, "type": "machine-learning-model", "name": ref, "properties": []any{
			map[string]any{"name": "mlbom:asset.kind", "value": "model"},
			map[string]any{"name": "mlbom:license.source", "value": "unknown"},
			map[string]any{"name": "mlbom:license.reason", "value": reason},
		}}
	}
	bom := map[string]any{"components": []any{model("offline", "not looked up"), model("empty", "nothing declared")}}
	byComp := func(d *Decision) map[string]Finding {
		m := map[string]Finding{}
		for _, f := range d.Findings {
			if f.Policy == "license.unknown" {
				m[f.Component] = f
			}
		}
		return m
	}

	d, err := newEngine(t, Options{}).Evaluate(context.Background(), Input{Project: "p", BOM: bom})
	if err != nil {
		t.Fatal(err)
	}
	got := byComp(d)
	for comp, reason := range map[string]string{"offline": "not looked up", "empty": "nothing declared"} {
		f := got[comp]
		if f.LicenseReason != reason || !f.ExceptionEligible || f.Effect != VerdictDeny {
			t.Errorf("%s: %+v, want a waivable deny with reason %q", comp, f, reason)
		}
	}
	if !strings.Contains(got["offline"].Message, "not looked up") || got["empty"].Message != "empty (NOASSERTION): no license declared" {
		t.Errorf("messages: %q / %q", got["offline"].Message, got["empty"].Message)
	}
	if len(d.PendingExceptions()) != 2 {
		t.Errorf("pending exceptions %+v, want both", d.PendingExceptions())
	}

	dir := t.TempDir()
	data := `{"mlbom": {"config": {"license": {"unknown_reasons": {"not looked up": {"effect": "warn", "exception_eligible": false}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "data.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = newEngine(t, Options{ExtraDir: dir}).Evaluate(context.Background(), Input{Project: "p", BOM: bom})
	if err != nil {
		t.Fatal(err)
	}
	got = byComp(d)
	if f := got["offline"]; f.Effect != VerdictWarn || f.ExceptionEligible {
		t.Errorf("not looked up under the team's data: %+v", f)
	}
	if f := got["empty"]; f.Effect != VerdictDeny || !f.ExceptionEligible {
		t.Errorf("nothing declared must keep the built-in treatment: %+v", f)
	}
}

// TestFamilies: an engine limited to the kubernetes family evaluates only
// its rules among the built-in ones, and every rule of the user's directory.
func TestFamilies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.rego"), []byte(`package mlbom.mine
import data.mlbom.lib
deny contains f if {
	some m in object.get(input, "kubernetes", [])
	m.metadata.name == "forbidden"
	f := lib.finding("mine.forbidden-name", "high", "k8s:x", "forbidden name", "")
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New(ctx, Options{Families: []string{"kubernetes"}, ExtraDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.rules {
		if r.pkg != "mlbom.kubernetes" && r.pkg != "mlbom.mine" {
			t.Errorf("rule of %s evaluated", r.pkg)
		}
	}
	pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "forbidden"},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "evil.example/x:1"}}}}
	// A BOM the license family would judge: limited to kubernetes, it is not judged.
	bomDoc := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []any{
		map[string]any{"type": "machine-learning-model", "bom-ref": "m", "name": "m", "licenses": []any{map[string]any{"license": map[string]any{"id": "AGPL-3.0-only"}}},
			"properties": []any{map[string]any{"name": "mlbom:asset.kind", "value": "model"}}}}}
	d, err := e.Evaluate(ctx, Input{Project: "p", BOM: bomDoc, Kubernetes: []any{pod}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range d.Findings {
		got[f.Policy] = true
	}
	if !got["kubernetes.unapproved-registry"] || !got["mine.forbidden-name"] || len(got) != 2 {
		t.Fatalf("findings %v", got)
	}
}
