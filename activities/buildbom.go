package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

// BuildBOMRequest says what to build and under which scan.
type BuildBOMRequest struct {
	ScanID       string `json:"scanId"`
	RunID        string `json:"runId,omitempty"`
	Project      string `json:"project"`
	InventoryRef string `json:"inventoryRef"`
	VectorsRef   string `json:"vectorsRef,omitempty"`
}

// BuildBOMResult names the stored version.
type BuildBOMResult struct {
	Version         int    `json:"version"`
	Created         bool   `json:"created"` // false when a retry found the version already stored
	ContentHash     string `json:"contentHash"`
	Components      int    `json:"components"`
	Vulnerabilities int    `json:"vulnerabilities"`
	// Runtime is what the tracer saw of the project (nil: nothing).
	Runtime *RuntimeMerge `json:"runtime,omitempty"`
}

// serialNamespace makes a BOM's serial number a function of its scan, so a
// retried BuildBOM produces the same document.
var serialNamespace = uuid.MustParse("6f1c3d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f")

// BuildBOM builds the CycloneDX document and stores it as the project's next
// version. Idempotent: the store keys versions by scan ID, so a retry returns
// the version the first attempt stored.
func (a *Activities) BuildBOM(ctx context.Context, req BuildBOMRequest) (*BuildBOMResult, error) {
	defer startPulse(ctx).stop()
	if req.ScanID == "" || req.Project == "" {
		return nil, classify("build bom", invalid("scan ID and project are required"))
	}
	var inv inventory.Inventory
	if err := a.getJSON(ctx, req.InventoryRef, &inv); err != nil {
		return nil, classify("build bom", err)
	}
	// Decisions are not built in: they are recorded with the version as
	// they are made (EvaluatePolicy, RecordApprovals) and added whenever the
	// version is read (api.StoredBOM), so the version of the very scan that
	// waited for them carries them and its content hash does not depend on them.
	rt, err := a.mergeRuntime(ctx, req.Project, &inv)
	if err != nil {
		return nil, classify("build bom", err)
	}
	// Each step below is CPU work on the whole inventory (seconds for a
	// large one): between them a cancelled or timed-out run stops, and never
	// stores a version.
	if err := ctx.Err(); err != nil {
		return nil, classify("build bom", err)
	}
	b, err := bom.Build(&inv, bom.Options{
		ToolVersion:  a.ToolVersion,
		Timestamp:    a.now(),
		SerialNumber: "urn:uuid:" + uuid.NewSHA1(serialNamespace, []byte(req.ScanID)).String(),
	})
	if err != nil {
		return nil, classify("build bom", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, classify("build bom", err)
	}
	data, err := bom.EncodeJSON(b)
	if err != nil {
		return nil, classify("build bom", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, classify("build bom", err)
	}
	hash, err := bom.ContentHash(data)
	if err != nil {
		return nil, classify("build bom", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, classify("build bom", err)
	}
	v, created, err := a.Store.SaveVersion(ctx, store.NewVersion{
		Project: req.Project, ScanID: req.ScanID, RunID: req.RunID,
		BOM: data, ContentHash: hash, Components: componentRows(&inv),
	})
	if err != nil {
		return nil, classify("build bom", fmt.Errorf("store version: %w", err))
	}
	if err := a.indexEvidence(ctx, req, v); err != nil {
		return nil, classify("build bom", err)
	}
	if err := a.signVersion(ctx, req.Project, v.Number); err != nil {
		return nil, classify("build bom", err)
	}
	out := &BuildBOMResult{Version: v.Number, Created: created, ContentHash: v.ContentHash, Components: len(inv.Components), Runtime: rt}
	if b.Vulnerabilities != nil {
		out.Vulnerabilities = len(*b.Vulnerabilities)
	}
	return out, nil
}

// indexEvidence writes the search documents of the stored version, with the
// vectors Embed computed. It derives them from the stored BOM so a retry
// indexes exactly what the first attempt stored.
func (a *Activities) indexEvidence(ctx context.Context, req BuildBOMRequest, v store.Version) error {
	stored := v.BOM
	if stored == nil {
		got, err := a.Store.GetVersion(ctx, req.Project, v.Number)
		if err != nil {
			return fmt.Errorf("read version %d: %w", v.Number, err)
		}
		stored = got.BOM
	}
	b, err := bom.Decode(stored)
	if err != nil {
		return fmt.Errorf("decode stored bom: %w", err)
	}
	docs := search.EvidenceFromBOM(req.Project, v.Number, b)
	if req.VectorsRef != "" {
		var set vectorSet
		if err := a.getJSON(ctx, req.VectorsRef, &set); err != nil {
			return err
		}
		for i := range docs {
			if vec, ok := set.Vectors[docs[i].BOMRef]; ok {
				docs[i].Vector = vec
				docs[i].Embedder = set.Embedder
			}
		}
	}
	if err := a.Store.UpsertEvidence(ctx, docs); err != nil {
		return fmt.Errorf("index evidence: %w", err)
	}
	return nil
}

func componentRows(inv *inventory.Inventory) []store.ComponentRow {
	rows := make([]store.ComponentRow, 0, len(inv.Components))
	for _, c := range inv.Components {
		var lic []string
		for _, l := range c.Licenses {
			switch {
			case l.Expression != "":
				lic = append(lic, l.Expression)
			case l.ID != "":
				lic = append(lic, l.ID)
			default:
				lic = append(lic, l.Name)
			}
		}
		sort.Strings(lic)
		rows = append(rows, store.ComponentRow{
			BOMRef: c.BOMRef, Kind: string(c.Kind), Name: c.Name, Version: c.Version,
			PURL: c.PURL, License: strings.Join(lic, " AND "), SHA256: c.SHA256, Supplier: c.Supplier,
		})
	}
	return rows
}
