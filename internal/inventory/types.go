// Package inventory normalizes discovery findings into components: one per
// real asset, with a stable identity (bom-ref, PURL), SPDX licenses and every
// occurrence as evidence.
package inventory

import (
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/modelscan"
)

// Source describes the scanned repository (the BOM's metadata.component).
type Source struct {
	Kind    string `json:"kind"` // local, git, huggingface
	URL     string `json:"url"`
	Ref     string `json:"ref,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Name    string `json:"name"`              // project name
	License string `json:"license,omitempty"` // normalized SPDX expression of the repository
	// LicenseFrom says how License is known (the license files it was read
	// from), or why it is unknown.
	LicenseFrom []license.Provenance `json:"licenseFrom,omitempty"`
}

// License is a normalized license: an SPDX id, an SPDX expression, or a
// LicenseRef with a name and URL. Unknown licenses have ID "NOASSERTION".
type License struct {
	ID         string `json:"id,omitempty"`
	Expression string `json:"expression,omitempty"`
	Name       string `json:"name,omitempty"`
	URL        string `json:"url,omitempty"`
	Raw        string `json:"raw,omitempty"` // as written in the source
}

// Occurrence is one place a component was found.
type Occurrence struct {
	Path       string  `json:"path"`
	Line       int     `json:"line,omitempty"`
	Detector   string  `json:"detector"`
	Confidence float64 `json:"confidence"`
}

// Component is one asset.
type Component struct {
	BOMRef   string     `json:"bom-ref"` // stable: derived from identity, never from scan order
	Kind     asset.Kind `json:"kind"`
	Name     string     `json:"name"`
	Group    string     `json:"group,omitempty"` // organisation, e.g. HF org
	Version  string     `json:"version,omitempty"`
	PURL     string     `json:"purl,omitempty"`
	Provider string     `json:"provider,omitempty"`
	Supplier string     `json:"supplier,omitempty"`
	Licenses []License  `json:"licenses,omitempty"`
	// LicenseFrom says how Licenses are known, one entry per source of
	// truth, or why they are unknown (one SourceUnknown entry).
	LicenseFrom []license.Provenance `json:"licenseFrom,omitempty"`
	SHA256      string               `json:"sha256,omitempty"`
	Size        int64                `json:"size,omitempty"`
	Format      string               `json:"format,omitempty"`
	LFS         bool                 `json:"lfs,omitempty"`
	URL         string               `json:"url,omitempty"` // download URL or service endpoint
	Card        *asset.ModelCard     `json:"card,omitempty"`
	// Completeness of the model card, 0..1 (models only).
	Completeness float64 `json:"completeness,omitempty"`
	// CardMissing lists the expected model-card fields that are absent
	// (models only; see CardFields).
	CardMissing []string `json:"cardMissing,omitempty"`
	// Description is a one-paragraph summary (card description, or what the
	// detector saw).
	Description string       `json:"description,omitempty"`
	Occurrences []Occurrence `json:"occurrences"`
	// Confidence of the identity: the highest confidence of its occurrences.
	Confidence float64 `json:"confidence"`
	// Edges by bom-ref.
	BaseModels []string `json:"baseModels,omitempty"`
	Datasets   []string `json:"datasets,omitempty"`
	Weights    []string `json:"weights,omitempty"`
	// ScanReport of the model-file scanner, for weight files that were scanned.
	ScanReport      *modelscan.Report `json:"scanReport,omitempty"`
	RuntimeObserved bool              `json:"runtimeObserved,omitempty"`
	// RuntimeLastSeen and RuntimeTier (observed, verified) come from the
	// tracer's observations; RuntimeUndeclared marks a file loaded at runtime
	// that nothing in the repository declares.
	RuntimeLastSeen   time.Time         `json:"runtimeLastSeen,omitempty"`
	RuntimeTier       string            `json:"runtimeTier,omitempty"`
	RuntimeUndeclared bool              `json:"runtimeUndeclared,omitempty"`
	Provenance        *asset.Provenance `json:"provenance,omitempty"`
	Props             map[string]string `json:"props,omitempty"`
}

// Inventory is the normalized result of a scan.
type Inventory struct {
	Source     Source       `json:"source"`
	Components []Component  `json:"components"` // sorted by BOMRef
	Warnings   []string     `json:"warnings,omitempty"`
	Skipped    []asset.Skip `json:"skipped,omitempty"`
}

// Input is what Normalize takes.
type Input struct {
	Source  Source
	Result  *asset.Result
	Reports []modelscan.Report // model-file scanner reports, by file path
}
