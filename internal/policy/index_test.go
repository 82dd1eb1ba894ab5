package policy

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/mlbom/autopilot/policies"
)

// regoIndex evaluates data.mlbom.lib.rego_index, the Rego definition of the
// index, over a BOM.
func regoIndex(t *testing.T, bom any) any {
	t.Helper()
	var data map[string]any
	bs, err := policies.FS.ReadFile("data.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bs, &data); err != nil {
		t.Fatal(err)
	}
	src, err := policies.FS.ReadFile("lib.rego")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(
		rego.Query("data.mlbom.lib.rego_index"),
		rego.Module("lib.rego", string(src)),
		rego.Store(inmem.NewFromObject(data)),
		rego.Input(map[string]any{"bom": bom}),
	).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("rego_index undefined")
	}
	return rs[0].Expressions[0].Value
}

// normalize round-trips through JSON so ints and float64s compare equal.
func normalize(t *testing.T, v any) any {
	t.Helper()
	bs, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(bs, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIndexMatchesRego(t *testing.T) {
	var data map[string]any
	bs, err := policies.FS.ReadFile("data.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bs, &data); err != nil {
		t.Fatal(err)
	}
	if len(indexProps(data)) == 0 {
		t.Fatal("data.json names no properties to index")
	}
	edge := map[string]any{"components": []any{
		"not an object",
		map[string]any{
			"bom-ref": "a", "type": "machine-learning-model", "name": "org/m", "group": "",
			"licenses": []any{
				map[string]any{"expression": "(Apache-2.0 or MIT)"},
				map[string]any{"expression": "GPL-2.0-only WITH Classpath-exception-2.0 AND (BSD-3-Clause OR  MIT)"},
				map[string]any{"license": map[string]any{"id": 7, "name": "LicenseRef-x"}},
				map[string]any{"license": map[string]any{"url": "https://example.com"}},
			},
			"properties": []any{
				map[string]any{"name": "p", "value": "first"},
				map[string]any{"name": "p", "value": "second"},
				map[string]any{"name": "q"},
				map[string]any{"name": "q", "value": 3},
				map[string]any{"value": "nameless"},
				"junk",
			},
			"hashes":             []any{map[string]any{"alg": "sha-256", "content": "ABC"}, map[string]any{"alg": "SHA-1", "content": "x"}, map[string]any{"alg": "SHA-256", "content": "abc"}},
			"externalReferences": []any{map[string]any{"type": "vcs", "url": "https://b"}, map[string]any{"type": "website", "url": "https://w"}, map[string]any{"type": "distribution", "url": "https://a"}},
			"evidence":           map[string]any{"occurrences": []any{map[string]any{"location": "z/x.bin"}, map[string]any{"location": 5}}},
			"components": []any{
				map[string]any{"bom-ref": "a", "name": "models/m/x.safetensors", "properties": []any{map[string]any{"name": "mlbom:asset.kind", "value": "weights"}}},
			},
		},
		map[string]any{"name": "no-ref", "group": "g", "type": "data"},
		map[string]any{"bom-ref": 5, "type": 9, "name": 3},
		map[string]any{"bom-ref": "lib", "type": "library", "name": "/leading", "version": "1"},
	}}
	tests := map[string]any{
		"clean":     readBOM(t, "clean"),
		"risky":     readBOM(t, "risky"),
		"synthetic": normalize(t, syntheticBOM(300, 7)),
		"edge":      normalize(t, edge),
		"empty":     map[string]any{},
	}
	for name, bom := range tests {
		t.Run(name, func(t *testing.T) {
			want := normalize(t, regoIndex(t, bom))
			idx, err := ast.JSON(bomIndex(bom.(map[string]any), indexProps(data)))
			if err != nil {
				t.Fatal(err)
			}
			got := normalize(t, idx)
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.MarshalIndent(got, "", " ")
				wb, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("Go index differs from lib.rego's rego_index\nGo:   %s\nRego: %s", gb, wb)
			}
		})
	}
}

// TestDecisionsWithAndWithoutIndex: the Go-built index and lib.rego's own
// computation lead to the same decision, finding for finding.
func TestDecisionsWithAndWithoutIndex(t *testing.T) {
	fast := newEngine(t, Options{})
	slow := newEngine(t, Options{})
	slow.noIndex = true
	inputs := map[string]Input{
		"clean":     {Project: "p", BOM: readBOM(t, "clean")},
		"risky":     {Project: "p", BOM: readBOM(t, "risky")},
		"synthetic": benchInput(400, 7),
		"dirty":     benchInput(200, 1),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			a, err := fast.Evaluate(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := slow.Evaluate(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Findings) == 0 && name != "clean" {
				t.Fatal("no findings; the comparison would prove nothing")
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("with index: %s %v\nwithout:    %s %v", a.Verdict, fired(a), b.Verdict, fired(b))
			}
		})
	}
}
