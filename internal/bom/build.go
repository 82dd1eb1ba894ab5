// Package bom turns an inventory into a CycloneDX 1.6 ML-BOM (JSON and XML),
// reads BOMs back, validates them against the official schema, and hashes
// their content. Every `mlbom:` property it writes is listed in
// docs/properties.md.
package bom

import (
	"fmt"
	"github.com/mlbom/autopilot/internal/printable"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/property"
)

// Options are the parts of a BOM that do not come from the inventory.
type Options struct {
	ToolVersion string
	// Timestamp of the BOM; zero means now.
	Timestamp time.Time
	// SerialNumber as "urn:uuid:..."; empty means a random UUID.
	SerialNumber string
	// Approvals are human decisions (license exceptions), written as annotations.
	Approvals []Approval
}

// Approval is a decision about one component's license exception: a
// person's approve or reject, or a timeout nobody decided.
type Approval struct {
	Component string // bom-ref
	License   string
	Decision  string // approve, reject, timeout
	Approver  string
	Reason    string
	Time      time.Time
	Expires   time.Time
	// ScanID and Version name the scan the decision was made in and the
	// BOM version it stored (0: unknown).
	ScanID  string
	Version int
}

// VulnerabilitySource names the model-file scanner in vulnerabilities.
const VulnerabilitySource = "mlbom-modelscan"

// Build turns an inventory into a CycloneDX 1.6 BOM. Two builds of the same
// inventory differ only in timestamp and serial number.
func Build(inv *inventory.Inventory, opts Options) (*cdx.BOM, error) {
	if inv == nil {
		return nil, fmt.Errorf("build bom: nil inventory")
	}
	serial := opts.SerialNumber
	if serial == "" {
		serial = "urn:uuid:" + uuid.NewString()
	} else if !strings.HasPrefix(serial, "urn:uuid:") {
		return nil, fmt.Errorf("build bom: serial number %q is not urn:uuid:...", serial)
	}
	ts := opts.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	b := &cdx.BOM{
		JSONSchema:   jsonSchemaURL,
		XMLNS:        xmlNamespace,
		BOMFormat:    cdx.BOMFormat,
		SpecVersion:  cdx.SpecVersion1_6,
		Version:      1,
		SerialNumber: serial,
	}
	appRef := inventory.SourceRef(inv.Source)
	b.Metadata = &cdx.Metadata{
		Timestamp: ts.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, BOMRef: "tool:mlbom", Name: "mlbom",
			Group: "mlbom", Version: text(opts.ToolVersion),
			ExternalReferences: &[]cdx.ExternalReference{{Type: cdx.ERTypeVCS, URL: "https://github.com/mlbom/autopilot"}},
		}}},
		Component: application(inv, appRef),
	}
	if len(inv.Warnings) > 0 || len(inv.Skipped) > 0 {
		var props []cdx.Property
		for _, w := range inv.Warnings {
			props = append(props, prop(property.Warning, w))
		}
		for _, s := range inv.Skipped {
			props = append(props, prop(property.Skipped, s.Path+": "+s.Reason))
		}
		b.Metadata.Properties = sortProps(props)
	}

	refs := map[string]bool{appRef: true}
	comps := append([]inventory.Component(nil), inv.Components...)
	sort.SliceStable(comps, func(i, j int) bool { return comps[i].BOMRef < comps[j].BOMRef })
	var components []cdx.Component
	var services []cdx.Service
	weightHash := map[string]string{}
	// A weight file's architecture, when the file does not declare one,
	// is its model's (config.json architectures).
	weightArch := map[string]string{}
	for i := range comps {
		if comps[i].Kind == asset.KindWeights && isHex64(comps[i].SHA256) {
			weightHash[comps[i].BOMRef] = strings.ToLower(comps[i].SHA256)
		}
		if c := &comps[i]; c.Kind == asset.KindModel && c.Card != nil && len(c.Card.Architectures) > 0 {
			for _, w := range c.Weights {
				weightArch[w] = strings.Join(texts(c.Card.Architectures), ", ")
			}
		}
	}
	for i := range comps {
		c := &comps[i]
		if c.BOMRef == "" {
			return nil, fmt.Errorf("build bom: component %q (%s) has no bom-ref", c.Name, c.Kind)
		}
		if refs[c.BOMRef] {
			return nil, fmt.Errorf("build bom: duplicate bom-ref %q", c.BOMRef)
		}
		refs[c.BOMRef] = true
		if c.Kind == asset.KindService {
			services = append(services, service(c))
			continue
		}
		cc := component(c)
		if a := weightArch[c.BOMRef]; c.Kind == asset.KindWeights && a != "" {
			if cc.ModelCard == nil {
				cc.ModelCard = &cdx.MLModelCard{BOMRef: c.BOMRef + "#modelcard", ModelParameters: &cdx.MLModelParameters{}}
			}
			cc.ModelCard.ModelParameters.ModelArchitecture = a
		}
		// A model stored as a single weight file is that file: give the model
		// the file's hash so consumers can match the artifact to the model.
		// Sharded models keep their hashes on the weight components only.
		if c.Kind == asset.KindModel && cc.Hashes == nil && len(c.Weights) == 1 {
			if h, ok := weightHash[c.Weights[0]]; ok {
				cc.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
			}
		}
		components = append(components, cc)
	}
	if len(components) > 0 {
		b.Components = &components
	}
	if len(services) > 0 {
		b.Services = &services
	}
	b.Dependencies = dependencies(appRef, comps, refs)
	if v := vulnerabilities(comps); len(v) > 0 {
		b.Vulnerabilities = &v
	}
	if a := annotations(opts.Approvals, appRef, refs, ts); len(a) > 0 {
		b.Annotations = &a
	}
	return b, nil
}

func application(inv *inventory.Inventory, ref string) *cdx.Component {
	s := inv.Source
	name := text(s.Name)
	if name == "" {
		name = "application"
	}
	c := &cdx.Component{
		Type: cdx.ComponentTypeApplication, BOMRef: ref, Name: name,
		PackageURL: inventory.SourcePURL(s),
	}
	switch {
	case s.Commit != "":
		c.Version = text(s.Commit)
	case s.Ref != "":
		c.Version = text(s.Ref)
	}
	if u := iri(text(s.URL)); u != "" && s.Kind != "local" {
		c.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeVCS, URL: u, Comment: strings.TrimSpace("ref " + text(s.Ref))}}
	}
	if s.Commit != "" {
		commit := cdx.Commit{UID: text(s.Commit)}
		if u := commitURL(s); u != "" {
			commit.URL = u
		}
		c.Pedigree = &cdx.Pedigree{Commits: &[]cdx.Commit{commit}}
	}
	if s.License != "" {
		c.Licenses = licenses([]inventory.License{inventory.NormalizeLicense(s.License)})
	}
	props := []cdx.Property{prop(property.SourceKind, s.Kind)}
	props = append(props, provenanceProps(s.LicenseFrom)...)
	if s.Ref != "" {
		props = append(props, prop(property.SourceRef, s.Ref))
	}
	if s.Commit != "" {
		props = append(props, prop(property.SourceCommit, s.Commit))
	}
	c.Properties = sortProps(props)
	return c
}

func commitURL(s inventory.Source) string {
	u := strings.TrimSuffix(text(s.URL), ".git")
	if strings.HasPrefix(u, "https://github.com/") {
		return u + "/commit/" + text(s.Commit)
	}
	if strings.HasPrefix(u, "https://huggingface.co/") {
		return u + "/commit/" + text(s.Commit)
	}
	return ""
}

func componentType(k asset.Kind) cdx.ComponentType {
	switch k {
	case asset.KindModel:
		return cdx.ComponentTypeMachineLearningModel
	case asset.KindDataset, asset.KindPrompt:
		return cdx.ComponentTypeData
	case asset.KindWeights:
		return cdx.ComponentTypeFile
	case asset.KindFramework:
		return cdx.ComponentTypeLibrary
	default: // tool, agent
		return cdx.ComponentTypeApplication
	}
}

func component(c *inventory.Component) cdx.Component {
	out := cdx.Component{
		Type:        componentType(c.Kind),
		BOMRef:      c.BOMRef,
		Group:       text(c.Group),
		Name:        text(c.Name),
		Version:     text(c.Version),
		PackageURL:  c.PURL,
		Description: text(c.Description),
	}
	if out.Name == "" {
		out.Name = c.BOMRef
	}
	if c.Props["scope"] == "excluded" {
		// Seen only in test or example code (mlbom:<kind>.scope.reason says which).
		out.Scope = cdx.ScopeExcluded
	}
	if c.Supplier != "" {
		out.Supplier = supplier(c)
	}
	if isHex64(c.SHA256) {
		out.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.ToLower(c.SHA256)}}
	}
	out.Licenses = licenses(c.Licenses)
	if refs := externalRefs(c); len(refs) > 0 {
		out.ExternalReferences = &refs
	}
	switch c.Kind {
	case asset.KindModel:
		out.ModelCard = modelCard(c)
		if c.Card != nil && len(c.Card.Tags) > 0 {
			tags := texts(c.Card.Tags)
			sort.Strings(tags)
			out.Tags = &tags
		}
	case asset.KindWeights:
		out.ModelCard = weightsCard(c)
	case asset.KindDataset:
		out.Data = &[]cdx.ComponentData{dataset(c)}
	case asset.KindPrompt:
		out.Data = &[]cdx.ComponentData{{Type: cdx.ComponentDataTypeConfiguration, Name: text(c.Name), Description: "prompt"}}
	}
	out.Evidence = evidence(c)
	props := commonProps(c)
	out.Properties = sortProps(props)
	return out
}

func supplier(c *inventory.Component) *cdx.OrganizationalEntity {
	e := &cdx.OrganizationalEntity{Name: text(c.Supplier)}
	if c.Provider == "huggingface" {
		if u := iri("https://huggingface.co/" + text(c.Supplier)); u != "" {
			e.URL = &[]string{u}
		}
	}
	return e
}

func commonProps(c *inventory.Component) []cdx.Property {
	props := []cdx.Property{
		prop(property.AssetKind, string(c.Kind)),
		prop(property.Confidence, strconv.FormatFloat(c.Confidence, 'f', 2, 64)),
	}
	if c.Provider != "" {
		props = append(props, prop(property.Provider, c.Provider))
	}
	if d := detectors(c); d != "" {
		props = append(props, prop(property.Detector, d))
	}
	switch c.Kind {
	case asset.KindModel:
		props = append(props, prop(property.CardCompleteness, strconv.FormatFloat(c.Completeness, 'f', 2, 64)))
		if c.Provider != "local" {
			// A model kept in the repository is pinned by the repository's
			// own commit; only references to outside models can drift.
			props = append(props, prop(property.RevisionPinned, strconv.FormatBool(inventory.Pinned(c.Version))))
		}
		if len(c.CardMissing) > 0 {
			props = append(props, prop(property.CardMissing, strings.Join(c.CardMissing, ",")))
		}
		if c.Card != nil {
			props = append(props, prop(property.Gated, strconv.FormatBool(c.Card.Gated)))
			if c.Card.LibraryName != "" {
				props = append(props, prop(property.CardLibrary, c.Card.LibraryName))
			}
			if len(c.Card.Language) > 0 {
				props = append(props, prop(property.CardLanguage, strings.Join(texts(c.Card.Language), ",")))
			}
		}
	case asset.KindDataset:
		if c.Provider != "local" {
			props = append(props, prop(property.RevisionPinned, strconv.FormatBool(inventory.Pinned(c.Version))))
		}
		if c.Card != nil {
			props = append(props, prop(property.Gated, strconv.FormatBool(c.Card.Gated)))
		}
	case asset.KindWeights:
		props = append(props, prop(property.WeightsLFS, strconv.FormatBool(c.LFS)))
		if c.Format != "" {
			props = append(props, prop(property.WeightsFormat, c.Format))
		}
		if c.Size > 0 {
			props = append(props, prop(property.WeightsSize, strconv.FormatInt(c.Size, 10)))
		}
		props = append(props, factProps(c)...)
		if c.ScanReport == nil {
			props = append(props, prop(property.ModelscanStatus, "not-scanned"))
		}
	}
	// Weight files, and chat templates (prompts) whose carrier file the
	// scanner judged.
	if r := c.ScanReport; r != nil {
		props = append(props, prop(property.ModelscanStatus, string(r.Status)))
		if r.Error != "" {
			props = append(props, prop(property.ModelscanError, r.Error))
		}
	}
	if c.RuntimeObserved {
		props = append(props, prop(property.RuntimeObserved, "true"))
		if !c.RuntimeLastSeen.IsZero() {
			props = append(props, prop(property.RuntimeLastSeen, c.RuntimeLastSeen.UTC().Format(time.RFC3339)))
		}
		if c.RuntimeTier != "" {
			props = append(props, prop(property.RuntimeTier, c.RuntimeTier))
		}
		if c.RuntimeUndeclared {
			props = append(props, prop(property.RuntimeDeclared, "false"))
		}
	}
	props = append(props, provenanceProps(c.LicenseFrom)...)
	if p := c.Provenance; p != nil {
		if p.Author != "" {
			props = append(props, prop(property.ProvenanceAuthor, p.Author))
		}
		if p.Commit != "" {
			props = append(props, prop(property.ProvenanceCommit, p.Commit))
		}
		if !p.Date.IsZero() {
			props = append(props, prop(property.ProvenanceDate, p.Date.UTC().Format(time.RFC3339)))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Props)) {
		if k == asset.PropSecrets {
			props = append(props, prop(property.Secrets, c.Props[k]))
			continue
		}
		props = append(props, prop(property.Detail(string(c.Kind), propKey(k)), c.Props[k]))
	}
	return props
}

// propKey keeps detector-supplied keys to a safe alphabet.
func propKey(k string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func detectors(c *inventory.Component) string {
	seen := map[string]bool{}
	var ds []string
	for _, o := range c.Occurrences {
		if o.Detector != "" && !seen[o.Detector] {
			seen[o.Detector] = true
			ds = append(ds, text(o.Detector))
		}
	}
	sort.Strings(ds)
	return strings.Join(ds, ",")
}

func externalRefs(c *inventory.Component) []cdx.ExternalReference {
	var refs []cdx.ExternalReference
	if c.Provider == "huggingface" && (c.Kind == asset.KindModel || c.Kind == asset.KindDataset) {
		repo := c.Name
		if c.Group != "" {
			repo = c.Group + "/" + c.Name
		}
		base := "https://huggingface.co/" + iriPath(repo)
		if c.Kind == asset.KindDataset {
			base = "https://huggingface.co/datasets/" + iriPath(repo)
		}
		rev := c.Version
		if rev == "" {
			rev = "main"
		}
		if c.Kind == asset.KindModel {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeModelCard, URL: base + "/blob/" + iriPath(rev) + "/README.md"})
		} else {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDocumentation, URL: base + "/blob/" + iriPath(rev) + "/README.md"})
		}
		refs = append(refs,
			cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: base},
			cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: base + "/tree/" + iriPath(rev)})
	}
	if u := iri(text(c.URL)); isURL(u) {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: u})
	}
	for _, l := range c.Licenses {
		if u := iri(text(l.URL)); isURL(u) {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeLicense, URL: u})
		}
	}
	sort.SliceStable(refs, func(i, j int) bool {
		if refs[i].Type != refs[j].Type {
			return refs[i].Type < refs[j].Type
		}
		return refs[i].URL < refs[j].URL
	})
	// Drop exact duplicates (a finding URL equal to the hub URL).
	out := refs[:0]
	for i, r := range refs {
		if i > 0 && r.Type == refs[i-1].Type && r.URL == refs[i-1].URL {
			continue
		}
		out = append(out, r)
	}
	return out
}

func modelCard(c *inventory.Component) *cdx.MLModelCard {
	card := c.Card
	mp := &cdx.MLModelParameters{}
	if card != nil {
		mp.Task = text(card.PipelineTag)
		mp.ArchitectureFamily = text(card.ModelType)
		mp.ModelArchitecture = strings.Join(texts(card.Architectures), ", ")
		if in := ioParams(card.Inputs); len(in) > 0 {
			mp.Inputs = &in
		}
		if out := ioParams(card.Outputs); len(out) > 0 {
			mp.Outputs = &out
		}
	}
	if len(c.Datasets) > 0 {
		ds := make([]cdx.MLDatasetChoice, 0, len(c.Datasets))
		for _, d := range c.Datasets {
			ds = append(ds, cdx.MLDatasetChoice{Ref: d})
		}
		mp.Datasets = &ds
	}
	mc := &cdx.MLModelCard{BOMRef: c.BOMRef + "#modelcard"}
	if *mp != (cdx.MLModelParameters{}) {
		mc.ModelParameters = mp
	}
	if card != nil {
		if len(card.Metrics) > 0 {
			ms := make([]cdx.MLPerformanceMetric, 0, len(card.Metrics))
			for _, m := range card.Metrics {
				slice := text(m.Dataset)
				if m.Task != "" {
					slice = strings.TrimPrefix(slice+" ("+text(m.Task)+")", " ")
				}
				ms = append(ms, cdx.MLPerformanceMetric{Type: text(m.Type), Value: text(m.Value), Slice: slice})
			}
			mc.QuantitativeAnalysis = &cdx.MLQuantitativeAnalysis{PerformanceMetrics: &ms}
		}
		cons := &cdx.MLModelCardConsiderations{}
		empty := true
		if s := text(card.IntendedUse); s != "" {
			cons.UseCases = &[]string{s}
			empty = false
		}
		if s := text(card.Limitations); s != "" {
			cons.TechnicalLimitations = &[]string{s}
			empty = false
		}
		if s := text(card.EthicalConsiderations); s != "" {
			cons.EthicalConsiderations = &[]cdx.MLModelCardEthicalConsideration{{Name: s}}
			empty = false
		}
		if s := text(card.Environmental); s != "" {
			cons.EnvironmentalConsiderations = &cdx.MLModelCardEnvironmentalConsiderations{
				Properties: &[]cdx.Property{prop(property.CardEnvironmental, s)},
			}
			empty = false
		}
		if !empty {
			mc.Considerations = cons
		}
	}
	if mc.ModelParameters == nil && mc.QuantitativeAnalysis == nil && mc.Considerations == nil {
		return nil
	}
	return mc
}

// weightsCard is the model card of a weight file, from the facts its own
// headers declare (architecture, graph inputs and outputs); the rest of
// those facts are properties (factProps). Nil when the file declares none.
func weightsCard(c *inventory.Component) *cdx.MLModelCard {
	if c.ScanReport == nil || c.ScanReport.Facts == nil {
		return nil
	}
	f := c.ScanReport.Facts
	mp := &cdx.MLModelParameters{ArchitectureFamily: text(f.Architecture)}
	var in, out []string
	for _, t := range f.Inputs {
		in = append(in, t.String())
	}
	for _, t := range f.Outputs {
		out = append(out, t.String())
	}
	if p := ioParams(in); len(p) > 0 {
		mp.Inputs = &p
	}
	if p := ioParams(out); len(p) > 0 {
		mp.Outputs = &p
	}
	if *mp == (cdx.MLModelParameters{}) {
		return nil
	}
	return &cdx.MLModelCard{BOMRef: c.BOMRef + "#modelcard", ModelParameters: mp}
}

func factProps(c *inventory.Component) []cdx.Property {
	if c.ScanReport == nil || c.ScanReport.Facts == nil {
		return nil
	}
	f := c.ScanReport.Facts
	var props []cdx.Property
	if f.Tensors > 0 {
		props = append(props, prop(property.WeightsTensors, strconv.FormatInt(f.Tensors, 10)))
	}
	if f.Parameters > 0 {
		props = append(props, prop(property.WeightsParameters, strconv.FormatInt(f.Parameters, 10)))
	}
	if len(f.DTypes) > 0 {
		props = append(props, prop(property.WeightsDTypes, strings.Join(texts(f.DTypes), ",")))
	}
	if f.Quantization != "" {
		props = append(props, prop(property.WeightsQuantization, text(f.Quantization)))
	}
	if len(f.Opsets) > 0 {
		props = append(props, prop(property.WeightsOpsets, strings.Join(texts(f.Opsets), ",")))
	}
	if f.License != "" {
		props = append(props, prop(property.WeightsDeclaredLicense, text(f.License)))
	}
	if f.Author != "" {
		props = append(props, prop(property.WeightsDeclaredAuthor, text(f.Author)))
	}
	return props
}

func ioParams(in []string) []cdx.MLInputOutputParameters {
	var out []cdx.MLInputOutputParameters
	for _, s := range texts(in) {
		out = append(out, cdx.MLInputOutputParameters{Format: s})
	}
	return out
}

func dataset(c *inventory.Component) cdx.ComponentData {
	d := cdx.ComponentData{Type: cdx.ComponentDataTypeDataset, Name: text(c.Name)}
	if c.Provider == "huggingface" {
		repo := c.Name
		if c.Group != "" {
			repo = c.Group + "/" + c.Name
		}
		d.Contents = &cdx.ComponentDataContents{URL: "https://huggingface.co/datasets/" + iriPath(repo)}
	} else if u := iri(text(c.URL)); isURL(u) {
		d.Contents = &cdx.ComponentDataContents{URL: u}
	}
	if v := c.Props["classification"]; v != "" {
		d.Classification = text(v)
	}
	if c.Card != nil && c.Card.Description != "" {
		d.Description = text(firstLine(c.Card.Description))
	}
	var owners []cdx.ComponentDataGovernanceResponsibleParty
	if c.Supplier != "" {
		owners = append(owners, cdx.ComponentDataGovernanceResponsibleParty{Organization: &cdx.OrganizationalEntity{Name: text(c.Supplier)}})
	}
	if len(owners) > 0 {
		d.Governance = &cdx.DataGovernance{Owners: &owners}
	}
	return d
}

func service(c *inventory.Component) cdx.Service {
	s := cdx.Service{
		BOMRef: c.BOMRef,
		Group:  text(c.Provider),
		Name:   text(c.Name),
	}
	if s.Name == "" {
		s.Name = text(c.Provider)
	}
	if p := providers[c.Provider]; p.name != "" {
		s.Provider = &cdx.OrganizationalEntity{Name: p.name, URL: &[]string{p.url}}
	} else if c.Provider != "" {
		s.Provider = &cdx.OrganizationalEntity{Name: text(c.Provider)}
	}
	var endpoints []string
	if u := iri(text(c.URL)); isURL(u) {
		endpoints = append(endpoints, u)
	} else if p := providers[c.Provider]; p.endpoint != "" {
		endpoints = append(endpoints, p.endpoint)
	}
	if len(endpoints) > 0 {
		s.Endpoints = &endpoints
	}
	if c.Provider != "ollama" && c.Provider != "local" {
		s.CrossesTrustBoundary = cdx.Bool(true)
	}
	s.Licenses = licenses(c.Licenses)
	props := commonProps(c)
	// Services have no evidence in CycloneDX 1.6; occurrences become properties.
	for _, o := range c.Occurrences {
		loc := text(o.Path)
		if o.Line > 0 {
			loc += ":" + strconv.Itoa(o.Line)
		}
		props = append(props, prop(property.Occurrence, loc))
	}
	s.Properties = sortProps(props)
	return s
}

type providerInfo struct{ name, url, endpoint string }

// providers are the hosted AI APIs discovery recognizes, with their public
// endpoints (used when the code does not name one).
var providers = map[string]providerInfo{
	"openai":    {"OpenAI", "https://openai.com", "https://api.openai.com/v1"},
	"anthropic": {"Anthropic", "https://www.anthropic.com", "https://api.anthropic.com/v1"},
	"google":    {"Google", "https://ai.google.dev", "https://generativelanguage.googleapis.com"},
	"mistral":   {"Mistral AI", "https://mistral.ai", "https://api.mistral.ai/v1"},
	"cohere":    {"Cohere", "https://cohere.com", "https://api.cohere.com"},
	"ollama":    {"Ollama", "https://ollama.com", "http://localhost:11434/api"},
	"litellm":   {"LiteLLM", "https://www.litellm.ai", ""},
	"huggingface": {"Hugging Face", "https://huggingface.co",
		"https://api-inference.huggingface.co"},
}

// licenses converts normalized licenses to CycloneDX license choices. The
// schema allows either a list of licenses or exactly one expression, so a mix
// becomes one AND expression.
func licenses(ls []inventory.License) *cdx.Licenses {
	if len(ls) == 0 {
		return nil
	}
	hasExpr := false
	for _, l := range ls {
		if l.Expression != "" {
			hasExpr = true
		}
	}
	if hasExpr {
		var parts []string
		for _, l := range ls {
			k := license.License(l).Key()
			if k == "" || k == license.NoAssertion {
				continue
			}
			if len(ls) > 1 && strings.Contains(k, " ") {
				k = "(" + k + ")"
			}
			parts = append(parts, k)
		}
		if len(parts) > 0 {
			return &cdx.Licenses{{Expression: strings.Join(parts, " AND ")}}
		}
	}
	var out cdx.Licenses
	for _, l := range ls {
		out = append(out, cdx.LicenseChoice{License: licenseEntry(l)})
	}
	return &out
}

func licenseEntry(l inventory.License) *cdx.License {
	ll := license.License(l)
	switch {
	case ll.Known() && !ll.IsRef():
		if in, ok := license.Lookup(l.ID); ok && !in.Exception {
			return &cdx.License{ID: in.ID, Acknowledgement: cdx.LicenseAcknowledgementDeclared}
		}
	case ll.IsRef():
		name := text(l.Name)
		if name == "" {
			name = l.ID
		}
		e := &cdx.License{Name: name, Acknowledgement: cdx.LicenseAcknowledgementDeclared,
			Properties: &[]cdx.Property{prop(property.LicenseRef, l.ID)}}
		if u := iri(text(l.URL)); isURL(u) {
			e.URL = u
		}
		return e
	}
	e := &cdx.License{Name: license.NoAssertion}
	if l.Raw != "" {
		e.Properties = &[]cdx.Property{prop(property.LicenseRaw, l.Raw)}
	}
	return e
}

// provenanceProps writes how licenses are known. Names repeat when several
// sources agree; each value belongs to its source by meaning (a location to
// a file or the repository, a revision to the Hub, a reason to unknown).
func provenanceProps(from []license.Provenance) []cdx.Property {
	var props []cdx.Property
	for _, p := range from {
		props = append(props, prop(property.LicenseSource, p.Source))
		if p.Location != "" {
			props = append(props, prop(property.LicenseLocation, p.Location))
		}
		if p.Revision != "" {
			props = append(props, prop(property.LicenseRevision, p.Revision))
		}
		if p.Reason != "" {
			props = append(props, prop(property.LicenseReason, p.Reason))
		}
	}
	return uniqProps(props)
}

// uniqProps drops repeated name=value pairs (two files of one component
// both on the Hub's revision, say).
func uniqProps(ps []cdx.Property) []cdx.Property {
	seen := map[cdx.Property]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// techniques maps detector names to CycloneDX identity techniques.
func technique(detector string) cdx.EvidenceIdentityTechnique {
	d := strings.ToLower(detector)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(d, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("extension", "filename", "glob"):
		return cdx.EvidenceIdentityTechniqueFilename
	case has("runtime", "tracer", "ebpf", "proc"):
		return cdx.EvidenceIdentityTechniqueInstrumentation
	case has("lfs", "sha256", "hash", "checksum"):
		return cdx.EvidenceIdentityTechniqueHashComparison
	case has("magic", "weights", "modelscan", "pickle", "header", "binary", "gguf", "safetensors", "onnx"):
		return cdx.EvidenceIdentityTechniqueBinaryAnalysis
	case has("card", "readme", "config", "manifest", "requirements", "pyproject", "package.json", "go.mod",
		"setup.py", "setup.cfg", "pipfile", "poetry", "conda", "yaml", "toml", "license"):
		return cdx.EvidenceIdentityTechniqueManifestAnalysis
	case has("python", "js", "javascript", "typescript", "go.", "golang", "code", "source", "import", "call",
		"from_pretrained", "langchain", "llamaindex", "sdk", "notebook", "ipynb", "regex"):
		return cdx.EvidenceIdentityTechniqueSourceCodeAnalysis
	case has("filename", "path", "extension", "glob", "file", "prompt"):
		return cdx.EvidenceIdentityTechniqueFilename
	}
	return cdx.EvidenceIdentityTechniqueOther
}

func evidence(c *inventory.Component) *cdx.Evidence {
	ev := &cdx.Evidence{}
	// One method per detector, with the best confidence it reached.
	best := map[string]float64{}
	for _, o := range c.Occurrences {
		if v, ok := best[o.Detector]; !ok || o.Confidence > v {
			best[o.Detector] = o.Confidence
		}
	}
	var methods []cdx.EvidenceIdentityMethod
	for _, d := range sortedFloatKeys(best) {
		conf := float32(round2(best[d]))
		methods = append(methods, cdx.EvidenceIdentityMethod{Technique: technique(d), Confidence: &conf, Value: text(d)})
	}
	field, value := cdx.EvidenceIdentityFieldTypeName, text(c.Name)
	if c.PURL != "" {
		field, value = cdx.EvidenceIdentityFieldTypePURL, c.PURL
	}
	conf := float32(round2(c.Confidence))
	id := cdx.EvidenceIdentity{Field: field, Confidence: &conf, ConcludedValue: value}
	if len(methods) > 0 {
		id.Methods = &methods
	}
	id.Tools = &[]cdx.BOMReference{"tool:mlbom"}
	ev.Identity = &cdx.EvidenceIdentityChoice{Identities: &[]cdx.EvidenceIdentity{id}}

	// Occurrences are unique by location and line; the detectors that saw
	// the same place are named in additionalContext.
	type key struct {
		path string
		line int
	}
	byLoc := map[key][]string{}
	var order []key
	for _, o := range c.Occurrences {
		k := key{text(o.Path), o.Line}
		if _, ok := byLoc[k]; !ok {
			order = append(order, k)
		}
		if o.Detector != "" {
			byLoc[k] = append(byLoc[k], text(o.Detector))
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].path != order[j].path {
			return order[i].path < order[j].path
		}
		return order[i].line < order[j].line
	})
	if len(order) > 0 {
		occ := make([]cdx.EvidenceOccurrence, 0, len(order))
		for _, k := range order {
			o := cdx.EvidenceOccurrence{Location: k.path}
			if k.line > 0 {
				line := k.line
				o.Line = &line
			}
			if ds := byLoc[k]; len(ds) > 0 {
				sort.Strings(ds)
				o.AdditionalContext = "detector: " + strings.Join(ds, ", ")
			}
			occ = append(occ, o)
		}
		ev.Occurrences = &occ
	}
	return ev
}

// dependencies: the application depends on everything it uses directly;
// models depend on their base models, datasets and weights. Every ref gets an
// entry so consumers can tell "no dependencies" from "unknown".
func dependencies(appRef string, comps []inventory.Component, refs map[string]bool) *[]cdx.Dependency {
	used := map[string]bool{} // reached from some model
	for _, c := range comps {
		for _, r := range concat(c.BaseModels, c.Datasets, c.Weights) {
			used[r] = true
		}
	}
	var app []string
	var deps []cdx.Dependency
	for _, c := range comps {
		switch c.Kind {
		case asset.KindModel:
			// A model only another model builds on is still used by the
			// application when the code or a file mentions it directly.
			if !used[c.BOMRef] || directlyUsed(c) {
				app = append(app, c.BOMRef)
			}
		case asset.KindDataset, asset.KindWeights:
			if !used[c.BOMRef] {
				app = append(app, c.BOMRef)
			}
		default:
			app = append(app, c.BOMRef)
		}
		var on []string
		for _, r := range concat(c.BaseModels, c.Datasets, c.Weights) {
			if refs[r] && r != c.BOMRef {
				on = append(on, r)
			}
		}
		deps = append(deps, dependency(c.BOMRef, on))
	}
	deps = append(deps, dependency(appRef, app))
	sort.Slice(deps, func(i, j int) bool { return deps[i].Ref < deps[j].Ref })
	return &deps
}

// directlyUsed reports whether a model was found by something other than a
// card's base_model entry.
func directlyUsed(c inventory.Component) bool {
	for _, o := range c.Occurrences {
		if o.Detector != "card.base_model" {
			return true
		}
	}
	return false
}

func dependency(ref string, on []string) cdx.Dependency {
	sort.Strings(on)
	on = uniq(on)
	d := cdx.Dependency{Ref: ref}
	if len(on) > 0 {
		d.Dependencies = &on
	}
	return d
}

func vulnerabilities(comps []inventory.Component) []cdx.Vulnerability {
	var out []cdx.Vulnerability
	for _, c := range comps {
		r := c.ScanReport
		if r == nil {
			continue
		}
		for i, f := range r.Findings {
			rule := text(f.Rule)
			if rule == "" {
				rule = "unknown"
			}
			sev := severity(f.Severity)
			v := cdx.Vulnerability{
				BOMRef:      fmt.Sprintf("vuln:%s#%s@%s:%d:%d", c.BOMRef, rule, text(f.Member), f.Offset, i),
				ID:          "MLBOM-MS-" + rule,
				Source:      &cdx.Source{Name: VulnerabilitySource},
				Ratings:     &[]cdx.VulnerabilityRating{{Source: &cdx.Source{Name: VulnerabilitySource}, Severity: sev, Method: cdx.ScoringMethodOther}},
				Description: text(f.Reason),
				Detail:      scanDetail(r, f),
				Affects:     &[]cdx.Affects{{Ref: c.BOMRef}},
			}
			if v.Description == "" {
				v.Description = "model file scanner rule " + rule
			}
			props := []cdx.Property{prop(property.ModelscanRule, rule), prop(property.ModelscanFile, text(r.File)),
				prop(property.ModelscanOffset, strconv.FormatInt(f.Offset, 10)), prop(property.ModelscanStatus, string(r.Status))}
			if f.Member != "" {
				props = append(props, prop(property.ModelscanMember, f.Member))
			}
			if f.Opcode != "" {
				props = append(props, prop(property.ModelscanOpcode, f.Opcode))
			}
			if f.Global != "" {
				props = append(props, prop(property.ModelscanGlobal, f.Global))
			}
			v.Properties = sortProps(props)
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].BOMRef < out[j].BOMRef })
	return out
}

func scanDetail(r *modelscan.Report, f modelscan.Finding) string {
	parts := []string{"file " + text(r.File)}
	if f.Member != "" {
		parts = append(parts, "member "+text(f.Member))
	}
	parts = append(parts, "offset "+strconv.FormatInt(f.Offset, 10))
	if f.Opcode != "" {
		parts = append(parts, "opcode "+text(f.Opcode))
	}
	if f.Global != "" {
		parts = append(parts, "global "+text(f.Global))
	}
	return strings.Join(parts, "; ")
}

func severity(s modelscan.Severity) cdx.Severity {
	switch s {
	case modelscan.SeverityCritical:
		return cdx.SeverityCritical
	case modelscan.SeverityHigh:
		return cdx.SeverityHigh
	case modelscan.SeverityMedium:
		return cdx.SeverityMedium
	case modelscan.SeverityLow:
		return cdx.SeverityLow
	case modelscan.SeverityInfo:
		return cdx.SeverityInfo
	}
	return cdx.SeverityUnknown
}

func annotations(approvals []Approval, appRef string, refs map[string]bool, ts time.Time) []cdx.Annotation {
	out := make([]cdx.Annotation, 0, len(approvals))
	for _, a := range approvals {
		out = append(out, annotation(a, appRef, refs, ts))
	}
	sortAnnotations(out)
	return out
}

// annotation writes one decision: who decided what about which license,
// why, until when, and in which scan and version.
func annotation(a Approval, appRef string, refs map[string]bool, ts time.Time) cdx.Annotation {
	subject := a.Component
	if !refs[subject] {
		subject = appRef
	}
	when := a.Time
	if when.IsZero() {
		when = ts
	}
	approver := text(a.Approver)
	if approver == "" {
		approver = "unknown"
	}
	decision := strings.ToLower(text(a.Decision))
	annotator := &cdx.Annotator{Individual: &cdx.OrganizationalContact{Name: approver}}
	var msg string
	switch decision {
	case "timeout":
		// Nobody decided: the tool records that it stopped waiting.
		annotator = &cdx.Annotator{Component: &cdx.Component{Type: cdx.ComponentTypeApplication, Name: "mlbom"}}
		why := text(a.Reason)
		if why == "" {
			why = "nobody decided while the scan waited"
		}
		msg = fmt.Sprintf("License exception for %s (%s) timed out: %s; it counts as rejected", text(a.Component), text(a.License), why)
	default:
		verb := decision
		switch decision {
		case "", "approve", "approved", "allow":
			verb = "approved"
		case "reject", "rejected", "deny":
			verb = "rejected"
		}
		msg = fmt.Sprintf("License exception %s for %s (%s) by %s", verb, text(a.Component), text(a.License), approver)
		if r := text(a.Reason); r != "" {
			msg += ": " + r
		}
		if !a.Expires.IsZero() {
			msg += fmt.Sprintf(" (expires %s)", a.Expires.UTC().Format(time.RFC3339))
		}
	}
	if a.ScanID != "" {
		msg += " [decided in scan " + text(a.ScanID)
		if a.Version > 0 {
			msg += ", BOM version " + strconv.Itoa(a.Version)
		}
		msg += "]"
	}
	subjects := []cdx.BOMReference{cdx.BOMReference(subject)}
	return cdx.Annotation{
		Subjects:  &subjects,
		Annotator: annotator,
		Timestamp: when.UTC().Format(time.RFC3339),
		Text:      msg,
	}
}

// sortAnnotations orders annotations by subject, time and text, so equal
// sets give equal bytes.
func sortAnnotations(as []cdx.Annotation) {
	subject := func(a cdx.Annotation) string {
		if a.Subjects == nil || len(*a.Subjects) == 0 {
			return ""
		}
		return string((*a.Subjects)[0])
	}
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if sa, sb := subject(a), subject(b); sa != sb {
			return sa < sb
		}
		if a.Timestamp != b.Timestamp {
			return a.Timestamp < b.Timestamp
		}
		return a.Text < b.Text
	})
}

// text makes repository text safe for JSON and XML (see printable.Text).
func text(s string) string { return printable.Text(s) }

func texts(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(text(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func prop(name, value string) cdx.Property { return cdx.Property{Name: name, Value: text(value)} }

func sortProps(p []cdx.Property) *[]cdx.Property {
	if len(p) == 0 {
		return nil
	}
	sort.SliceStable(p, func(i, j int) bool {
		if p[i].Name != p[j].Name {
			return p[i].Name < p[j].Name
		}
		return p[i].Value < p[j].Value
	})
	return &p
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') {
			return false
		}
	}
	return true
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// iri makes a URL acceptable to the schema's iri-reference format: no
// spaces or other characters that must be escaped. A URL that still does not
// parse (a hostile host name) becomes "" and is left out by the callers.
func iri(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r <= 0x20 || r == '"' || r == '<' || r == '>' || r == '\\' || r == '^' || r == '`' || r == '{' || r == '|' || r == '}' || r == 0x7f:
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if _, err := url.Parse(out); err != nil {
		return ""
	}
	return out
}

func iriPath(s string) string { return iri(text(s)) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

func sortedFloatKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func concat(ss ...[]string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func uniq(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
