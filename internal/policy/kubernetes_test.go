package policy

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

func TestKubernetesManifests(t *testing.T) {
	fsys := fstest.MapFS{
		"deploy/app.yaml": {Data: []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer
  annotations:
    created: 2024-05-01
spec:
  template:
    metadata:
      labels: {app: trainer}
    spec:
      containers:
        - name: t
          image: evil.example/trainer:1
          resources: {limits: {nvidia.com/gpu: 2}}
---
apiVersion: v1
kind: Service
metadata: {name: trainer}
---
# an empty document
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec: {}
`)},
		"deploy/list.yml": {Data: []byte(`apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: p1}, spec: {containers: [{name: c, image: nginx}]}}
  - {notKubernetes: true}
`)},
		"chart/templates/deploy.yaml": {Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n")},
		"config/settings.yaml":        {Data: []byte("model: bert-base-uncased\nbatch_size: 32\n")},
		"node_modules/pkg/k8s.yaml":   {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: vendored}\n")},
		".github/workflows/ci.yaml":   {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: hidden}\n")},
		"deploy/big.yaml":             {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: big}\n# " + strings.Repeat("x", maxManifestFile))},
		"deploy/readme.md":            {Data: []byte("apiVersion: v1\nkind: Pod\n")},
	}
	got, err := KubernetesManifests(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got {
		obj := m.(map[string]any)
		meta, _ := obj["metadata"].(map[string]any)
		names = append(names, obj["kind"].(string)+"/"+meta["name"].(string))
	}
	want := "Deployment/trainer Service/trainer CronJob/nightly Pod/p1"
	if strings.Join(names, " ") != want {
		t.Errorf("manifests = %v, want %s", names, want)
	}

	// The objects are ready for the policies as they are.
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
}

func TestKubernetesManifestsMissingRoot(t *testing.T) {
	if _, err := KubernetesManifests(fstest.MapFS{}); err != nil {
		t.Errorf("empty tree: %v", err)
	}
}

func FuzzManifestDocs(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod}]\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("? [complex, key]\n: value\napiVersion: v1\nkind: X\n"))
	f.Add([]byte("{{ template }}"))
	f.Fuzz(func(t *testing.T, bs []byte) {
		for _, d := range manifestDocs(bs) {
			obj, ok := d.(map[string]any)
			if !ok || !isKubernetes(obj) {
				t.Fatalf("non-Kubernetes document returned: %#v", d)
			}
		}
	})
}
