package inventory

import (
	"fmt"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
)

// A repository of many weight files, each naming its model, normalizes in
// time linear in the findings: every weight file used to be compared with
// every group to find its model's one pinned revision (40,000 x 80,000
// comparisons, twice, for the input below). The weights still join the
// pinned model.
func TestNormalizeManyWeightFilesLinear(t *testing.T) {
	const n = 40000
	var fs []asset.Sighting
	for i := range n {
		model := fmt.Sprintf("org/m%d", i)
		fs = append(fs,
			asset.Sighting{Kind: asset.KindModel, Name: model, Version: "abc123", Provider: "huggingface", Path: fmt.Sprintf("d%d/README.md", i), Confidence: 0.9},
			asset.Sighting{Kind: asset.KindWeights, Name: fmt.Sprintf("d%d/model.safetensors", i), Path: fmt.Sprintf("d%d/model.safetensors", i),
				Model: model, Format: "safetensors", Confidence: 1})
	}
	done := make(chan *Inventory, 1)
	go func() { done <- Normalize(Input{Result: &asset.Result{Sightings: fs}}) }()
	var inv *Inventory
	select {
	case inv = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Normalize of 40,000 weight files did not finish in 60 s")
	}
	models, pinnedWeights := 0, 0
	for _, c := range inv.Components {
		if c.Kind == asset.KindModel {
			models++
			if c.Version == "abc123" && len(c.Weights) == 1 {
				pinnedWeights++
			}
		}
	}
	if models != n || pinnedWeights != n {
		t.Errorf("%d models, %d with their weights at the pinned revision; want %d", models, pinnedWeights, n)
	}
}
