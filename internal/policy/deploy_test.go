package policy

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"
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
	raw, err := os.ReadFile("../../deploy/k8s/mlbom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	emptyBOM := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []any{}}
	kubeFindings := func(yaml string) []Finding {
		t.Helper()
		ms, err := KubernetesManifests(fstest.MapFS{"k8s/mlbom.yaml": {Data: []byte(yaml)}, "compose.yaml": {Data: []byte("services: {}\n")}})
		if err != nil {
			t.Fatal(err)
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
