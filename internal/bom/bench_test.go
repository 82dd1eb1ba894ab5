package bom

import (
	"fmt"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/modelscan"
)

// bigInventory has n components in the mix a large monorepo produces:
// models with cards and weights, datasets, frameworks, prompts, services.
func bigInventory(n int) *inventory.Inventory {
	res := &asset.Result{}
	var reports []modelscan.Report
	for i := 0; len(res.Sightings) < n; i++ {
		model := fmt.Sprintf("org%d/model-%d", i%50, i)
		weights := fmt.Sprintf("models/m%d/model.safetensors", i)
		res.Sightings = append(res.Sightings,
			asset.Sighting{Kind: asset.KindModel, Name: model, Path: fmt.Sprintf("models/m%d/README.md", i), Detector: "card.yaml", Confidence: 0.9, Provider: "huggingface",
				Card: &asset.ModelCard{License: "apache-2.0", Datasets: []string{fmt.Sprintf("data%d/set-%d", i%20, i)}, BaseModel: []string{"base/model"},
					PipelineTag: "text-classification", Description: "A model.", Metrics: []asset.Metric{{Type: "accuracy", Value: "0.9"}}}},
			asset.Sighting{Kind: asset.KindModel, Name: model, Path: fmt.Sprintf("src/app%d.py", i), Line: 10, Detector: "python.from_pretrained", Confidence: 0.8},
			asset.Sighting{Kind: asset.KindWeights, Name: weights, Path: weights, Detector: "weights.magic", Confidence: 1, Format: "safetensors",
				SHA256: fmt.Sprintf("%064x", i), Size: int64(i) * 1000, Model: model},
			asset.Sighting{Kind: asset.KindFramework, Name: fmt.Sprintf("pkg-%d", i), Version: "1.0.0", Path: "requirements.txt", Line: i + 1, Provider: "pypi"},
			asset.Sighting{Kind: asset.KindPrompt, Name: fmt.Sprintf("prompts/p%d.prompt", i), Path: fmt.Sprintf("prompts/p%d.prompt", i), Detector: "prompt.file", Confidence: 0.9},
			asset.Sighting{Kind: asset.KindService, Name: fmt.Sprintf("gpt-%d", i), Provider: "openai", Path: fmt.Sprintf("src/app%d.py", i), Line: 20},
		)
		if i%10 == 0 {
			reports = append(reports, modelscan.Report{File: weights, Status: modelscan.StatusSuspicious, Findings: []modelscan.Finding{
				{Rule: "pickle.denylisted-global", Severity: modelscan.SeverityHigh, Offset: 12, Global: "os.system", Reason: "r"}}})
		}
	}
	return inventory.Normalize(inventory.Input{Source: fixtureSource(), Result: res, Reports: reports})
}

func BenchmarkBuildEncode10k(b *testing.B) {
	inv := bigInventory(10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bom, err := Build(inv, Options{ToolVersion: "bench", Timestamp: fixedTime, SerialNumber: fixedSerial})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeJSON(bom); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(inv.Components)), "components")
}

func BenchmarkNormalize10k(b *testing.B) {
	in := inventory.Input{Source: fixtureSource(), Result: &asset.Result{}}
	for i := 0; len(in.Result.Sightings) < 10000; i++ {
		in.Result.Sightings = append(in.Result.Sightings,
			asset.Sighting{Kind: asset.KindModel, Name: fmt.Sprintf("org/m%d", i%3000), Path: fmt.Sprintf("src/a%d.py", i), Line: i, Detector: "python.from_pretrained", Confidence: 0.8})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inventory.Normalize(in)
	}
}

func BenchmarkValidate(b *testing.B) {
	bom, err := Build(bigInventory(2000), Options{Timestamp: fixedTime, SerialNumber: fixedSerial})
	if err != nil {
		b.Fatal(err)
	}
	data, err := EncodeJSON(bom)
	if err != nil {
		b.Fatal(err)
	}
	if err := Validate(data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Validate(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBigInventoryValidates keeps the benchmark honest: what it measures is a valid BOM.
func TestBigInventoryValidates(t *testing.T) {
	if testing.Short() {
		t.Skip("large BOM")
	}
	inv := bigInventory(3000)
	bom, err := Build(inv, Options{Timestamp: fixedTime, SerialNumber: fixedSerial})
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeJSON(bom)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(data); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAnnotate10k is the read path of a version with decisions: decode
// the stored document, add the annotations, encode. Compare with
// BenchmarkBuildEncode10k; a version without decisions costs nothing extra.
func BenchmarkAnnotate10k(b *testing.B) {
	inv := bigInventory(10000)
	bom, err := Build(inv, Options{ToolVersion: "bench", Timestamp: fixedTime, SerialNumber: fixedSerial})
	if err != nil {
		b.Fatal(err)
	}
	stored, err := EncodeJSON(bom)
	if err != nil {
		b.Fatal(err)
	}
	decisions := []Approval{
		{Component: inv.Components[0].BOMRef, License: "NOASSERTION", Decision: "approve", Approver: "alice", Reason: "r", Time: fixedTime, ScanID: "s", Version: 1},
		{Component: inv.Components[1].BOMRef, License: "NOASSERTION", Decision: "timeout", Time: fixedTime, ScanID: "s", Version: 1},
	}
	b.SetBytes(int64(len(stored)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Annotate(stored, decisions); err != nil {
			b.Fatal(err)
		}
	}
}
