package policy

import (
	"context"
	"fmt"
	"testing"
)

// syntheticBOM builds a CycloneDX-shaped BOM of n components with the mix a
// large monorepo produces: mostly libraries and weight files, a fifth models.
// One component in dirtyEvery has the problems every policy family looks
// for (a bad organisation, license, format, missing pin or card); the others
// are clean. dirtyEvery 1 makes every component dirty.
func syntheticBOM(n, dirtyEvery int) map[string]any {
	goodOrgs := []string{"meta-llama", "mistralai", "google", "microsoft", "sentence-transformers", "Qwen"}
	badOrgs := []string{"acme-research", "meta-llarna", "someone"}
	goodLicenses := []string{"Apache-2.0", "MIT", "BSD-3-Clause"}
	badLicenses := []string{"llama3.1", "CC-BY-NC-4.0", "openrail", "GPL-3.0-only", "NOASSERTION"}
	goodFormats := []string{"safetensors", "gguf", "onnx"}
	badFormats := []string{"pytorch-zip", "pickle"}
	// Components come in runs of ten (two models, three weight files, ...);
	// whole runs are dirty so that every kind gets its share.
	dirty := func(i int) bool { return (i/10)%dirtyEvery == 0 }
	pick := func(i int, good, bad []string) string {
		if dirty(i) {
			return bad[(i/10/dirtyEvery+i)%len(bad)]
		}
		return good[i%len(good)]
	}
	prop := func(kv ...string) []any {
		var out []any
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, map[string]any{"name": kv[i], "value": kv[i+1]})
		}
		return out
	}
	var comps, deps, vulns []any
	for i := 0; i < n; i++ {
		var c map[string]any
		switch i % 10 {
		case 0, 1: // models
			org := pick(i, goodOrgs, badOrgs)
			name := fmt.Sprintf("model-%d", i)
			pinned, completeness := "true", "0.85"
			if dirty(i) {
				pinned, completeness = "false", "0.30"
			}
			c = map[string]any{
				"bom-ref": fmt.Sprintf("model:huggingface/%s/%s", org, name), "type": "machine-learning-model",
				"group": org, "name": name, "version": fmt.Sprintf("%040x", i),
				"purl":               fmt.Sprintf("pkg:huggingface/%s/%s@%040x", org, name, i),
				"licenses":           []any{map[string]any{"license": map[string]any{"id": pick(i, goodLicenses, badLicenses)}}},
				"externalReferences": []any{map[string]any{"type": "distribution", "url": fmt.Sprintf("https://huggingface.co/%s/%s", org, name)}},
				"properties": prop("mlbom:asset.kind", "model", "mlbom:provider", "huggingface", "mlbom:revision.pinned", pinned,
					"mlbom:modelcard.completeness", completeness, "mlbom:modelcard.missing", "limitations,trainingData"),
			}
		case 2, 3, 4: // weight files, in a directory per model
			f := pick(i, goodFormats, badFormats)
			path := fmt.Sprintf("models/m%d/%s", i/20, map[bool]string{true: fmt.Sprintf("model-%05d.safetensors", i), false: fmt.Sprintf("w%d.bin", i)}[f == "safetensors"])
			ref := "weights:" + path
			c = map[string]any{
				"bom-ref": ref, "type": "file", "name": path,
				"hashes":     []any{map[string]any{"alg": "SHA-256", "content": fmt.Sprintf("%064x", i)}},
				"properties": prop("mlbom:asset.kind", "weights", "mlbom:weights.format", f, "mlbom:weights.lfs", "true", "mlbom:modelscan.status", "clean"),
			}
			deps = append(deps, map[string]any{"ref": fmt.Sprintf("model:x/%d", i/20), "dependsOn": []any{ref}})
			if dirty(i) && i%3 == 0 {
				vulns = append(vulns, map[string]any{"id": fmt.Sprintf("MLBOM-%d", i), "ratings": []any{map[string]any{"severity": "critical"}}, "affects": []any{map[string]any{"ref": ref}}})
			}
		case 5: // datasets
			org := pick(i, goodOrgs, badOrgs)
			c = map[string]any{
				"bom-ref": fmt.Sprintf("dataset:huggingface/%s/ds-%d", org, i), "type": "data", "group": org, "name": fmt.Sprintf("ds-%d", i),
				"licenses":   []any{map[string]any{"expression": "CC-BY-4.0 OR ODC-By-1.0"}},
				"properties": prop("mlbom:asset.kind", "dataset", "mlbom:provider", "huggingface", "mlbom:revision.pinned", "true"),
			}
		case 6: // prompts, tools, agents
			kind := []string{"prompt", "tool", "agent"}[(i/10)%3]
			c = map[string]any{"bom-ref": fmt.Sprintf("%s:%d", kind, i), "type": "data", "name": fmt.Sprintf("%s-%d", kind, i),
				"properties": prop("mlbom:asset.kind", kind)}
		default: // libraries
			c = map[string]any{
				"bom-ref": fmt.Sprintf("framework:pypi/pkg-%d@1.0.%d", i, i%9), "type": "library", "name": fmt.Sprintf("pkg-%d", i),
				"version": fmt.Sprintf("1.0.%d", i%9), "purl": fmt.Sprintf("pkg:pypi/pkg-%d@1.0.%d", i, i%9),
				"licenses":   []any{map[string]any{"license": map[string]any{"id": "BSD-3-Clause"}}},
				"properties": prop("mlbom:asset.kind", "framework", "mlbom:provider", "pypi"),
			}
		}
		comps = append(comps, c)
	}
	var services []any
	for i, p := range []string{"openai", "anthropic", "deepseek", "groq", "azure-openai"} {
		services = append(services, map[string]any{"bom-ref": fmt.Sprintf("service:%s/%d", p, i), "name": p,
			"endpoints": []any{"https://api." + p + ".com/v1"}, "properties": prop("mlbom:asset.kind", "service", "mlbom:provider", p)})
	}
	return map[string]any{
		"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
		"components": comps, "services": services, "dependencies": deps, "vulnerabilities": vulns,
	}
}

func benchInput(n, dirtyEvery int) Input {
	var obs []any
	for i := 0; i < 100; i++ {
		obs = append(obs, map[string]any{"type": "file", "path": fmt.Sprintf("/srv/app/models/m%d/model-%05d.safetensors", i/20, i)})
	}
	obs = append(obs, map[string]any{"type": "connect", "host": "api.groq.com"})
	var added []any
	for i := 0; i < 50; i++ {
		added = append(added, map[string]any{"bom-ref": fmt.Sprintf("model:new/%d", i), "name": "n", "kind": "model"})
	}
	return Input{
		Project: "monorepo",
		BOM:     syntheticBOM(n, dirtyEvery),
		Diff:    map[string]any{"added": added, "removed": []any{}, "changed": []any{map[string]any{"bom-ref": "model:x", "name": "x", "kind": "model", "hashDrift": true}}},
		Runtime: map[string]any{"observations": obs},
		Approvals: []Approval{
			{Component: "model:huggingface/mistralai/model-11", License: "CC-BY-NC-4.0", Decision: "approve", Approver: "dana"},
		},
	}
}

// BenchmarkEvaluate5k evaluates every policy over a 5,000-component BOM with
// the query prepared once (as a worker does); one component in 50 has
// problems. Goal: <= 100 ms/op.
func BenchmarkEvaluate5k(b *testing.B) { benchmarkEvaluate(b, 5000, 50) }

// BenchmarkEvaluate5kDirty: the same size with every component in trouble,
// thousands of findings; the cost of building findings dominates.
func BenchmarkEvaluate5kDirty(b *testing.B) { benchmarkEvaluate(b, 5000, 1) }

func benchmarkEvaluate(b *testing.B, n, dirtyEvery int) {
	e := newEngine(b, Options{})
	in := benchInput(n, dirtyEvery)
	d, err := e.Evaluate(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	if d.Verdict != VerdictDeny || len(d.Findings) < n/dirtyEvery/10 {
		b.Fatalf("benchmark BOM should produce findings, got %s with %d", d.Verdict, len(d.Findings))
	}
	b.ReportMetric(float64(len(d.Findings)), "findings")
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	if used := cpuTime() - start; used > 0 {
		// CPU time (all threads, GC included) per evaluation.
		b.ReportMetric(float64(used.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkNew is the cost paid once per worker: load, compile, prepare.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndex5k is the Go share of BenchmarkEvaluate5k: building
// input.bom_index for 5,000 components.
func BenchmarkIndex5k(b *testing.B) {
	e := newEngine(b, Options{})
	bom := syntheticBOM(5000, 50)
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		bomIndex(bom, e.indexProps)
	}
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}
