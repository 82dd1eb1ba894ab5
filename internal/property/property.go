// Package property names the mlbom: CycloneDX properties. They are the
// contract for policies (policies/*.rego), the diff, search, the dashboard
// and anyone reading a BOM: docs/properties.md documents each name, and a
// test keeps this package and that page in step. Names never change
// meaning; a new one is added here and there together.
package property

// Prefix starts every mlbom property name.
const Prefix = "mlbom:"

// On every component and service.
const (
	AssetKind       = "mlbom:asset.kind" // asset.Kind; always present
	Provider        = "mlbom:provider"
	Detector        = "mlbom:detector"
	Confidence      = "mlbom:confidence"
	Occurrence      = "mlbom:occurrence" // services: one per place called; repeats
	RuntimeObserved = "mlbom:runtime.observed"
	// What the tracer saw (only with RuntimeObserved): when, how sure
	// (observed, verified), and "false" on a file no repository declares.
	RuntimeLastSeen  = "mlbom:runtime.lastSeen"
	RuntimeTier      = "mlbom:runtime.tier"
	RuntimeDeclared  = "mlbom:runtime.declared"
	ProvenanceAuthor = "mlbom:provenance.author"
	ProvenanceCommit = "mlbom:provenance.commit"
	ProvenanceDate   = "mlbom:provenance.date"
	// Secrets: kinds of secrets found where the asset was declared (an MCP
	// server's token, credentials in a client's base URL) and masked in
	// the BOM.
	Secrets = "mlbom:secrets"
)

// Models and datasets.
const (
	CardCompleteness  = "mlbom:modelcard.completeness"
	CardMissing       = "mlbom:modelcard.missing"
	CardLibrary       = "mlbom:modelcard.library"
	CardLanguage      = "mlbom:modelcard.language"
	CardEnvironmental = "mlbom:modelcard.environmental"
	RevisionPinned    = "mlbom:revision.pinned"
	Gated             = "mlbom:gated"
	// UseRisk marks a model used for a high-risk purpose (high); policies
	// read it, mlbom does not write it.
	UseRisk = "mlbom:use.risk"
)

// Weight files and the model-file scanner.
const (
	WeightsFormat = "mlbom:weights.format" // internal/modelformat names
	WeightsLFS    = "mlbom:weights.lfs"
	WeightsSize   = "mlbom:weights.size"
	// What a weight file declares in its own headers (modelscan.Facts).
	WeightsTensors         = "mlbom:weights.tensors"
	WeightsParameters      = "mlbom:weights.parameters"
	WeightsDTypes          = "mlbom:weights.dtypes"
	WeightsQuantization    = "mlbom:weights.quantization"
	WeightsOpsets          = "mlbom:weights.opsets"
	WeightsDeclaredLicense = "mlbom:weights.declared-license"
	WeightsDeclaredAuthor  = "mlbom:weights.declared-author"
	ModelscanStatus        = "mlbom:modelscan.status"
	ModelscanError         = "mlbom:modelscan.error"
	ModelscanRule          = "mlbom:modelscan.rule"
	ModelscanFile          = "mlbom:modelscan.file"
	ModelscanMember        = "mlbom:modelscan.member"
	ModelscanOffset        = "mlbom:modelscan.offset"
	ModelscanOpcode        = "mlbom:modelscan.opcode"
	ModelscanGlobal        = "mlbom:modelscan.global"
)

// Licenses: on a license (Ref, Raw) and, for provenance, on the element.
const (
	LicenseRef      = "mlbom:license.ref"
	LicenseRaw      = "mlbom:license.raw"
	LicenseSource   = "mlbom:license.source"
	LicenseLocation = "mlbom:license.location"
	LicenseRevision = "mlbom:license.revision"
	LicenseReason   = "mlbom:license.reason"
)

// On the metadata component and the metadata.
const (
	SourceKind   = "mlbom:source.kind"
	SourceRef    = "mlbom:source.ref"
	SourceCommit = "mlbom:source.commit"
	Warning      = "mlbom:warning" // repeats
	Skipped      = "mlbom:skipped" // repeats
)

// Detail names a detector-specific detail of an asset: mlbom:<kind>.<key>,
// key as the detector gave it (the BOM builder cleans it).
func Detail(kind, key string) string { return Prefix + kind + "." + key }

// Details that policies rely on, written through Detail from the keys
// their producers set (internal/oms, internal/hub).
const (
	ModelSignatureStatus   = "mlbom:model.signature.status"
	ModelSignatureSigner   = "mlbom:model.signature.signer"
	ModelSignatureFile     = "mlbom:model.signature.file"
	ModelSignatureFormat   = "mlbom:model.signature.format"
	ModelSignatureProblems = "mlbom:model.signature.problems"
	WeightsHubRepo         = "mlbom:weights.hub.repo"
	WeightsHubRevision     = "mlbom:weights.hub.revision"
	WeightsHubSHA256       = "mlbom:weights.hub.sha256"
	WeightsHubMatch        = "mlbom:weights.hub.match"
)
