package policy

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/kubernetes"
)

// Manifests found in a repository are judged by the Kubernetes policies,
// and the same object given directly (admission) is judged alike.
func TestKubernetesInput(t *testing.T) {
	fsys := fstest.MapFS{
		"deploy/app.yaml": {Data: []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer
spec:
  template:
    metadata:
      labels: {app: trainer}
    spec:
      containers:
        - name: t
          image: evil.example/trainer:1
          resources: {limits: {nvidia.com/gpu: 2}}
`)},
		"deploy/pod.yaml": {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec: {containers: [{name: c, image: nginx}]}\n")},
	}
	got, err := kubernetes.Manifests(fsys)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Options{})
	d, err := e.Evaluate(context.Background(), Input{Project: "p", Kubernetes: got})
	if err != nil {
		t.Fatal(err)
	}
	fs := fired(d)
	for _, w := range []string{
		"deny kubernetes.unapproved-registry k8s:Deployment/default/trainer",
		"deny kubernetes.gpu-without-ml-label k8s:Deployment/default/trainer",
	} {
		if !has(fs, w) {
			t.Errorf("missing %s in %v", w, fs)
		}
	}
	if has(fs, "deny kubernetes.unapproved-registry k8s:Pod/default/p1") {
		t.Error("nginx (docker.io/library) should be approved")
	}

	// The Deployment as an admission request would carry it.
	obj, err := kubernetes.Object([]byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"trainer"},"spec":{"template":{"metadata":{"labels":{"app":"trainer"}},"spec":{"containers":[{"name":"t","image":"evil.example/trainer:1","resources":{"limits":{"nvidia.com/gpu":2}}}]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := e.Evaluate(context.Background(), Input{Project: "p", Kubernetes: []any{obj}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"deny kubernetes.unapproved-registry k8s:Deployment/default/trainer",
		"deny kubernetes.gpu-without-ml-label k8s:Deployment/default/trainer",
	} {
		if !has(fired(d2), w) {
			t.Errorf("admission object: missing %s in %v", w, fired(d2))
		}
	}
}
