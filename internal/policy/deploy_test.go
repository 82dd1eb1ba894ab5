package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/kubernetes"
)

// TestOwnDeployManifestsPassAdmission: the Kubernetes manifests shipped in
// deploy/ pass mlbom's own admission policies, and the same manifests with an
// image from an unapproved registry do not (so the test can fail).
func TestOwnDeployManifestsPassAdmission(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Every manifest in deploy/k8s (the worker and API, the tracer DaemonSet).
	files, err := filepath.Glob("../../deploy/k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	var docs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	raw := []byte(strings.Join(docs, "\n---\n"))
	emptyBOM := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []any{}}
	kubeFindings := func(yaml string) []Finding {
		t.Helper()
		ms, err := kubernetes.Manifests(fstest.MapFS{"k8s/mlbom.yaml": {Data: []byte(yaml)}, "compose.yaml": {Data: []byte("services: {}\n")}})
		if err != nil {
			t.Fatal(err)
		}
		hasTracer := false
		for _, m := range ms {
			if mm, ok := m.(map[string]any); ok && mm["kind"] == "DaemonSet" {
				hasTracer = true
			}
		}
		if !hasTracer {
			t.Fatal("the tracer DaemonSet (deploy/k8s/tracer.yaml) is not among the manifests checked")
		}
		if len(ms) < 3 {
			t.Fatalf("found %d manifests in deploy/k8s/mlbom.yaml, want the two Deployments and the Service at least", len(ms))
		}
		d, err := e.Evaluate(ctx, Input{Project: "mlbom", BOM: emptyBOM, Kubernetes: ms})
		if err != nil {
			t.Fatal(err)
		}
		var out []Finding
		for _, f := range d.Findings {
			if strings.HasPrefix(f.Policy, "kubernetes.") {
				out = append(out, f)
			}
		}
		return out
	}
	if fs := kubeFindings(string(raw)); len(fs) != 0 {
		t.Errorf("deploy/k8s/mlbom.yaml breaks our own admission policies: %+v", fs)
	}
	bad := strings.Replace(string(raw), "ghcr.io/mlbom/autopilot:0.1.0", "registry.example.net/mlbom:0.1.0", 1)
	if fs := kubeFindings(bad); len(fs) == 0 {
		t.Error("an image from an unapproved registry went unnoticed")
	}
}

// TestAdmissionManifest: deploy/k8s/admission.yaml passes mlbom's own
// admission policies, and its webhook configuration is the documented one:
// failurePolicy Ignore, kube-system and mlbom excluded, dry-run safe, the
// six workload kinds, the Service path the server answers on.
func TestAdmissionManifest(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../deploy/k8s/admission.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := kubernetes.Manifests(fstest.MapFS{"admission.yaml": {Data: raw}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Evaluate(ctx, Input{Project: "mlbom", BOM: map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []any{}}, Kubernetes: ms})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Findings {
		if strings.HasPrefix(f.Policy, "kubernetes.") {
			t.Errorf("admission.yaml breaks our own policies: %+v", f)
		}
	}
	var hook map[string]any
	for _, m := range ms {
		if m.(map[string]any)["kind"] == "ValidatingWebhookConfiguration" {
			hook = m.(map[string]any)["webhooks"].([]any)[0].(map[string]any)
		}
	}
	if hook == nil {
		t.Fatal("no ValidatingWebhookConfiguration")
	}
	if hook["failurePolicy"] != "Ignore" || hook["sideEffects"] != "NoneOnDryRun" {
		t.Errorf("failurePolicy %v sideEffects %v", hook["failurePolicy"], hook["sideEffects"])
	}
	sel := hook["namespaceSelector"].(map[string]any)["matchExpressions"].([]any)[0].(map[string]any)
	if sel["key"] != "kubernetes.io/metadata.name" || sel["operator"] != "NotIn" || fmt.Sprint(sel["values"]) != "[kube-system mlbom]" {
		t.Errorf("namespace selector %v", sel)
	}
	if p := hook["clientConfig"].(map[string]any)["service"].(map[string]any)["path"]; p != "/validate" {
		t.Errorf("path %v", p)
	}
	var resources []string
	for _, r := range hook["rules"].([]any) {
		for _, res := range r.(map[string]any)["resources"].([]any) {
			resources = append(resources, res.(string))
		}
	}
	if got := strings.Join(resources, ","); got != "pods,deployments,statefulsets,daemonsets,jobs,cronjobs" {
		t.Errorf("resources %s", got)
	}
}
