package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/search"
)

// EmbedRequest points at the inventory.
type EmbedRequest struct {
	Project      string `json:"project"`
	InventoryRef string `json:"inventoryRef"`
}

// EmbedResult points at the vectors blob.
type EmbedResult struct {
	VectorsRef string `json:"vectorsRef"`
	Documents  int    `json:"documents"`
	Embedder   string `json:"embedder"`
	Dim        int    `json:"dim"`
}

// vectorSet is the blob Embed writes, keyed by bom-ref.
type vectorSet struct {
	Embedder string               `json:"embedder"`
	Dim      int                  `json:"dim"`
	Vectors  map[string][]float32 `json:"vectors"`
}

const embedBatch = 64

// Embed computes a vector for the evidence text of every component. The
// evidence text is derived from the BOM form of the component, the same text
// the search index stores, so vectors and full text describe the same thing.
func (a *Activities) Embed(ctx context.Context, req EmbedRequest) (*EmbedResult, error) {
	beat := startPulse(ctx)
	defer beat.stop()
	if a.Embedder == nil {
		return &EmbedResult{}, nil
	}
	var inv inventory.Inventory
	if err := a.getJSON(ctx, req.InventoryRef, &inv); err != nil {
		return nil, classify("embed", err)
	}
	b, err := bom.Build(&inv, bom.Options{ToolVersion: a.ToolVersion, Timestamp: time.Unix(0, 0).UTC()})
	if err != nil {
		return nil, classify("embed", fmt.Errorf("build bom: %w", err))
	}
	docs := search.EvidenceFromBOM(req.Project, 0, b)
	set := vectorSet{Embedder: a.Embedder.Name(), Dim: a.Embedder.Dim(), Vectors: make(map[string][]float32, len(docs))}
	for start := 0; start < len(docs); start += embedBatch {
		end := min(start+embedBatch, len(docs))
		texts := make([]string, 0, end-start)
		for _, d := range docs[start:end] {
			texts = append(texts, d.Text)
		}
		vecs, err := a.Embedder.Embed(ctx, texts)
		if err != nil {
			return nil, classify("embed", fmt.Errorf("embed with %s: %w", set.Embedder, err))
		}
		for i, v := range vecs {
			set.Vectors[docs[start+i].BOMRef] = v
		}
		beat.set(end)
	}
	ref, err := a.putJSON(ctx, set)
	if err != nil {
		return nil, classify("embed", err)
	}
	return &EmbedResult{VectorsRef: ref, Documents: len(docs), Embedder: set.Embedder, Dim: set.Dim}, nil
}
