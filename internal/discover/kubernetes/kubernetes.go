// Package kubernetes finds the Kubernetes objects policies judge: the
// manifests a repository holds (Manifests) or objects given directly, such
// as the object of an admission request (Object, Parse). Either way the
// result is what policy.Input.Kubernetes takes, so a manifest in a
// repository and the same object at admission are judged alike:
//
//	obj, err := kubernetes.Object(review.Request.Object) // raw JSON
//	decision, err := engine.Evaluate(ctx, policy.Input{Kubernetes: []any{obj}})
package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Limits for Manifests: repositories are untrusted input.
const (
	maxManifestFile = 1 << 20 // bytes per YAML file
	maxManifestDocs = 5000    // documents in total
	maxDocsPerFile  = 500
)

// skippedDirs are never manifests and can be huge.
var skippedDirs = map[string]bool{"node_modules": true, "vendor": true, "testdata": true, "__pycache__": true}

// Manifests collects the Kubernetes objects (YAML documents with apiVersion
// and kind) in a tree, for policy input.kubernetes. Multi-document files
// and List objects are split; YAML that is not Kubernetes, does not parse
// (e.g. Helm templates) or is too large is skipped, because a repository's
// odd file must not fail the scan. Order follows the (lexical) walk.
func Manifests(fsys fs.FS) ([]any, error) { return ManifestsContext(context.Background(), fsys) }

// ManifestsContext is Manifests that stops walking, with ctx's error, when
// ctx ends.
func ManifestsContext(ctx context.Context, fsys fs.FS) ([]any, error) {
	var out []any
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == "." {
				return err
			}
			return nil // an unreadable subtree is skipped, not fatal
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || skippedDirs[d.Name()]) {
				return fs.SkipDir
			}
			return nil
		}
		if ext := strings.ToLower(path.Ext(p)); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > maxManifestFile {
			return nil
		}
		bs, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		docs := Parse(bs)
		if room := maxManifestDocs - len(out); len(docs) > room {
			docs = docs[:room]
		}
		out = append(out, docs...)
		if len(out) >= maxManifestDocs {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("collect kubernetes manifests: %w", err)
	}
	return out, nil
}

// Parse decodes every document of a YAML (or JSON) stream and keeps the
// Kubernetes objects, splitting List objects into their items. Decoding
// stops at the first malformed document.
func Parse(bs []byte) []any {
	dec := yaml.NewDecoder(bytes.NewReader(bs))
	var out []any
	for i := 0; i < maxDocsPerFile; i++ {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		obj, ok := jsonCompatible(doc).(map[string]any)
		if !ok || !isKubernetes(obj) {
			continue
		}
		if obj["kind"] == "List" {
			items, _ := obj["items"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok && isKubernetes(m) {
					out = append(out, m)
				}
			}
			continue
		}
		out = append(out, obj)
	}
	return out
}

// Object turns one object given directly (the raw JSON or YAML of an
// admission request's object) into policy input. It fails on anything that
// is not a single Kubernetes object (apiVersion and kind set).
func Object(raw []byte) (map[string]any, error) {
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("kubernetes object: %w", err)
	}
	obj, ok := jsonCompatible(doc).(map[string]any)
	if !ok || !isKubernetes(obj) {
		return nil, errors.New("kubernetes object: not an object with apiVersion and kind")
	}
	return obj, nil
}

func isKubernetes(obj map[string]any) bool {
	api, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	return api != "" && kind != ""
}

// jsonCompatible turns YAML values into what JSON decoding would give, so OPA
// can take them: maps with non-string keys get string keys.
func jsonCompatible(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonCompatible(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonCompatible(e)
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	default:
		return v
	}
}
