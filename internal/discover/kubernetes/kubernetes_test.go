package kubernetes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func manifestTree() fstest.MapFS {
	return fstest.MapFS{
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
}

func TestManifests(t *testing.T) {
	got, err := Manifests(manifestTree())
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

}

func TestManifestsMissingRoot(t *testing.T) {
	if _, err := Manifests(fstest.MapFS{}); err != nil {
		t.Errorf("empty tree: %v", err)
	}
}

// An object given directly (as an admission request carries it, in JSON)
// becomes the same input as the manifest in a repository.
func TestObject(t *testing.T) {
	obj, err := Object([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1","creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"nginx"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if obj["kind"] != "Pod" || obj["metadata"].(map[string]any)["name"] != "p1" {
		t.Errorf("object = %v", obj)
	}
	for _, bad := range []string{`{"kind":"Pod"}`, `[1,2]`, `not: [valid`, ``} {
		if _, err := Object([]byte(bad)); err == nil {
			t.Errorf("Object(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod}]\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("? [complex, key]\n: value\napiVersion: v1\nkind: X\n"))
	f.Add([]byte("{{ template }}"))
	f.Fuzz(func(t *testing.T, bs []byte) {
		for _, d := range Parse(bs) {
			obj, ok := d.(map[string]any)
			if !ok || !isKubernetes(obj) {
				t.Fatalf("non-Kubernetes document returned: %#v", d)
			}
		}
	})
}

// A cancelled context stops the walk with its error.
func TestManifestsContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fsys := fstest.MapFS{"deploy/app.yaml": {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n")}}
	if _, err := ManifestsContext(ctx, fsys); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if docs, err := ManifestsContext(context.Background(), fsys); err != nil || len(docs) != 1 {
		t.Fatalf("live: %d docs, %v", len(docs), err)
	}
}
