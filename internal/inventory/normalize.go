package inventory

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/modelformat"
	"github.com/mlbom/autopilot/internal/modelscan"
)

// CardFields are the model-card fields the completeness score counts, in the
// order they are reported as missing.
var CardFields = []string{
	"license", "description", "intendedUse", "limitations",
	"trainingData", "baseModelOrArchitecture", "metrics", "ethicalConsiderations",
}

// NormalizeLicense converts a license.License to the inventory's type.
func NormalizeLicense(raw string) License { return License(license.Normalize(raw)) }

// group collects the findings of one identity.
type group struct {
	id       identity
	findings []asset.Sighting
	names    map[string]int // spellings of the name, to pick one deterministically
	groups   map[string]int
}

// Normalize merges discovery findings into components: one per real asset,
// with stable refs, SPDX licenses, every occurrence as evidence, and the
// edges model → base model, datasets, weights. It never fails: what cannot
// be read is reported in Warnings.
func Normalize(in Input) *Inventory {
	inv := &Inventory{Source: in.Source}
	inv.Source.URL = clean(inv.Source.URL)
	inv.Source.Name = clean(inv.Source.Name)
	var findings []asset.Sighting
	if in.Result != nil {
		findings = append(findings, in.Result.Sightings...)
		inv.Warnings = append(inv.Warnings, in.Result.Warnings...)
		inv.Skipped = append(inv.Skipped, in.Result.Skipped...)
	}
	// Sort first so that every "first value wins" below is independent of
	// the order discovery reported findings in.
	sort.SliceStable(findings, func(i, j int) bool { return asset.SightingLess(findings[i], findings[j]) })
	nameRootModel(findings, inv.Source.Name)
	resolveLocalModelPaths(findings)

	groups := map[string]*group{}
	var keys []string
	pins := pinIndex{}
	add := func(id identity, f asset.Sighting) *group {
		g, ok := groups[id.key]
		if !ok {
			g = &group{id: id, names: map[string]int{}, groups: map[string]int{}}
			groups[id.key] = g
			keys = append(keys, id.key)
			pins.add(id)
		}
		g.findings = append(g.findings, f)
		g.names[id.name]++
		g.groups[id.group]++
		return g
	}

	manyTexts := promptNamesWithManyTexts(findings)
	var licenseFindings []asset.Sighting
	for _, f := range findings {
		f.Path = cleanPath(f.Path)
		if f.Kind == asset.KindLicense {
			licenseFindings = append(licenseFindings, f)
			continue
		}
		id, ok := identify(f)
		if !ok {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s:%d: %s finding without a usable name (detector %s)", f.Path, f.Line, f.Kind, f.Detector))
			continue
		}
		if sum := f.Props["sha256"]; f.Kind == asset.KindPrompt && len(sum) >= 12 && manyTexts[strings.ToLower(id.name)] {
			id.text = strings.ToLower(sum[:12])
			id.key += "#" + id.text
		}
		add(id, f)
	}

	// Weights name their model; the model is a component even when nothing
	// else mentions it.
	for _, k := range append([]string(nil), keys...) {
		g := groups[k]
		if g.id.kind != asset.KindWeights {
			continue
		}
		for _, f := range g.findings {
			if f.Model == "" {
				continue
			}
			mf := asset.Sighting{Kind: asset.KindModel, Name: f.Model, Path: f.Path, Line: f.Line,
				Detector: f.Detector, Confidence: f.Confidence, Provenance: f.Provenance}
			if org, _, _, ok := hfID(f.Model); ok && org != "" {
				mf.Provider = "huggingface"
			}
			if id, ok := identify(mf); ok {
				add(pins.pinned(id), mf)
			}
		}
	}

	// Unversioned framework findings (an import) belong to the one pinned
	// version when the manifests pin exactly one.
	mergeUnversionedFrameworks(groups, &keys)
	pins = pinIndex{}
	for _, k := range keys {
		pins.add(groups[k].id)
	}

	comps := map[string]*Component{}  // by bom-ref
	byKey := map[string]*Component{}  // by identity key
	modelOf := map[string]string{}    // weights bom-ref -> model identity key
	cardAt := map[string]Occurrence{} // where a model's card names its edges
	for _, k := range keys {
		g := groups[k]
		c := build(g)
		comps[c.BOMRef] = c
		byKey[k] = c
		cardAt[c.BOMRef] = cardLocation(g.findings)
		if g.id.kind != asset.KindWeights {
			continue
		}
		for _, f := range g.findings {
			if f.Model == "" {
				continue
			}
			mf := asset.Sighting{Kind: asset.KindModel, Name: f.Model}
			if org, _, _, ok := hfID(f.Model); ok && org != "" {
				mf.Provider = "huggingface"
			}
			if id, ok := identify(mf); ok {
				modelOf[c.BOMRef] = pins.pinned(id).key
			}
		}
	}
	x := &index{comps: comps, byKey: byKey}

	// Edges from cards: base models and datasets become components of their own.
	for _, ref := range sortedRefs(comps) {
		c := comps[ref]
		if c.Kind != asset.KindModel || c.Card == nil {
			continue
		}
		at := cardAt[c.BOMRef]
		for _, b := range c.Card.BaseModel {
			bc := x.ensure(asset.Sighting{Kind: asset.KindModel, Name: b, Provider: "huggingface",
				Path: at.Path, Line: at.Line, Detector: "card.base_model", Confidence: at.Confidence}, &inv.Warnings)
			if bc != nil && bc.BOMRef != c.BOMRef {
				c.BaseModels = appendUnique(c.BaseModels, bc.BOMRef)
			}
		}
		for _, d := range c.Card.Datasets {
			dc := x.ensure(asset.Sighting{Kind: asset.KindDataset, Name: d, Provider: "huggingface",
				Path: at.Path, Line: at.Line, Detector: "card.datasets", Confidence: at.Confidence}, &inv.Warnings)
			if dc != nil {
				c.Datasets = appendUnique(c.Datasets, dc.BOMRef)
			}
		}
	}
	for _, wref := range slices.Sorted(maps.Keys(modelOf)) {
		if model := byKey[modelOf[wref]]; model != nil {
			model.Weights = appendUnique(model.Weights, wref)
		}
	}

	attachReports(comps, in.Reports, &inv.Warnings)

	for _, c := range comps {
		if len(c.Props) == 0 {
			c.Props = nil
		}
		sort.Strings(c.BaseModels)
		sort.Strings(c.Datasets)
		sort.Strings(c.Weights)
		if c.Kind == asset.KindModel {
			c.Completeness, c.CardMissing = Completeness(c)
		}
	}
	for _, ref := range sortedRefs(comps) {
		inv.Components = append(inv.Components, *comps[ref])
	}
	inv.Source.License, inv.Source.LicenseFrom = sourceLicense(inv.Source.License, inv.Source.LicenseFrom, licenseFindings)
	inv.Warnings = dedupeStrings(inv.Warnings)
	return inv
}

func mergeUnversionedFrameworks(groups map[string]*group, keys *[]string) {
	byName := map[string][]string{}
	for _, k := range *keys {
		g := groups[k]
		if g.id.kind == asset.KindFramework {
			n := strings.ToLower(g.id.provider + "|" + g.id.name)
			byName[n] = append(byName[n], k)
		}
	}
	drop := map[string]bool{}
	for _, ks := range byName {
		var bare string
		var versioned []string
		for _, k := range ks {
			if groups[k].id.version == "" {
				bare = k
			} else {
				versioned = append(versioned, k)
			}
		}
		if bare != "" && len(versioned) == 1 {
			v := groups[versioned[0]]
			v.findings = append(v.findings, groups[bare].findings...)
			sort.SliceStable(v.findings, func(i, j int) bool { return asset.SightingLess(v.findings[i], v.findings[j]) })
			drop[bare] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	out := (*keys)[:0]
	for _, k := range *keys {
		if !drop[k] {
			out = append(out, k)
		} else {
			delete(groups, k)
		}
	}
	*keys = out
}

// pick returns the most frequent spelling, ties broken by the smallest string.
func pick(m map[string]int) string {
	best, n := "", -1
	for s, c := range m {
		if c > n || (c == n && s < best) {
			best, n = s, c
		}
	}
	return best
}

// build merges the findings of one identity into a component.
func build(g *group) *Component {
	id := g.id
	id.name = pick(g.names)
	id.group = pick(g.groups)
	c := &Component{Kind: id.kind, Name: id.name, Group: id.group, Version: id.version, Provider: id.provider}
	c.Props = map[string]string{}
	if id.kind == asset.KindModel || id.kind == asset.KindDataset {
		if id.provider == "huggingface" && id.group != "" {
			c.Supplier = id.group
		}
	}
	if id.kind == asset.KindService {
		c.Supplier = id.provider
	}
	var lics []License
	var stated []statedLicense
	seenOcc := map[string]bool{}
	for _, f := range g.findings {
		if c.SHA256 == "" && isHex64(f.SHA256) {
			c.SHA256 = strings.ToLower(f.SHA256)
		}
		if c.Size == 0 && f.Size > 0 {
			c.Size = f.Size
		}
		if c.Format == "" {
			c.Format = clean(f.Format)
		}
		c.LFS = c.LFS || f.LFS
		if c.URL == "" {
			c.URL = clean(f.URL)
		}
		if f.Card != nil {
			c.Card = mergeCard(c.Card, f.Card)
		}
		if f.License != "" {
			l := NormalizeLicense(f.License)
			lics = append(lics, l)
			stated = append(stated, statedLicense{l, licenseProvenance(f)})
		}
		if f.Provenance != nil && (c.Provenance == nil || f.Provenance.Date.After(c.Provenance.Date)) {
			p := *f.Provenance
			p.Author, p.Email, p.Commit = clean(p.Author), clean(p.Email), clean(p.Commit)
			c.Provenance = &p
		}
		for k, v := range f.Props {
			if license.IsFindingKey(k) {
				continue // read into LicenseFrom below
			}
			k, v = clean(k), clean(v)
			if _, ok := c.Props[k]; !ok {
				c.Props[k] = v
			}
		}
		if f.Path == "" {
			continue
		}
		conf := clamp(f.Confidence)
		o := Occurrence{Path: f.Path, Line: max(f.Line, 0), Detector: clean(f.Detector), Confidence: conf}
		k := fmt.Sprintf("%s\x00%d\x00%s", o.Path, o.Line, o.Detector)
		if seenOcc[k] {
			continue
		}
		seenOcc[k] = true
		c.Occurrences = append(c.Occurrences, o)
		if conf > c.Confidence {
			c.Confidence = conf
		}
	}
	if c.Card != nil {
		if c.Card.License != "" || c.Card.LicenseName != "" {
			l := License(license.NormalizeCard(c.Card.License, c.Card.LicenseName, c.Card.LicenseLink))
			lics = append(lics, l)
			if f, ok := cardWithLicense(g.findings); ok {
				stated = append(stated, statedLicense{l, licenseProvenance(f)})
			}
		}
		c.Description = firstParagraph(c.Card.Description)
	}
	c.Licenses = mergeLicenses(lics)
	c.LicenseFrom = licenseFrom(c, stated, g.findings)
	setScope(c, g.findings)
	sortOccurrences(c.Occurrences)
	c.PURL, c.BOMRef = id.refs(c.SHA256)
	if c.Occurrences == nil {
		c.Occurrences = []Occurrence{}
	}
	return c
}

// promptNamesWithManyTexts returns the prompt names (lower-cased) that
// stand for more than one text: the same constant name in two modules with
// different prompts, or the unnamed prompts of one file (named by the file).
// Each text of such a name is an asset of its own.
func promptNamesWithManyTexts(fs []asset.Sighting) map[string]bool {
	texts := map[string]string{}
	many := map[string]bool{}
	for _, f := range fs {
		sum := f.Props["sha256"]
		if f.Kind != asset.KindPrompt || sum == "" {
			continue
		}
		n := strings.ToLower(strings.TrimSpace(f.Name))
		if n == "" {
			n = strings.ToLower(cleanPath(f.Path))
		}
		if prev, ok := texts[n]; ok && prev != sum {
			many[n] = true
		}
		texts[n] = sum
	}
	return many
}

// nameRootModel names the model kept at the root of the repository (a
// Hugging Face model repository: card, config and weights at the top) after
// the repository, where discovery, which sees only the tree, calls it ".".
func nameRootModel(fs []asset.Sighting, repo string) {
	if repo == "" || repo == "." {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Model == "." {
			f.Model = repo
		}
		if f.Kind == asset.KindModel && f.Name == "." && (f.Provider == "local" || f.Provider == "") {
			f.Name = repo
		}
	}
}

// setScope keeps scope=excluded (test or example code) only when every
// sighting of the component says so: an asset also used by shipped code is
// in scope. The reason is "test" when every sighting is in tests, else
// "example".
func setScope(c *Component, fs []asset.Sighting) {
	excluded, test := len(fs) > 0, true
	for _, f := range fs {
		if f.Props["scope"] != "excluded" {
			excluded = false
			break
		}
		if f.Props["scope.reason"] != "test" {
			test = false
		}
	}
	if !excluded {
		delete(c.Props, "scope")
		delete(c.Props, "scope.reason")
		return
	}
	c.Props["scope"] = "excluded"
	c.Props["scope.reason"] = "example"
	if test {
		c.Props["scope.reason"] = "test"
	}
}

func clamp(f float64) float64 {
	if f != f || f < 0 { // NaN or negative
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

func sortOccurrences(o []Occurrence) {
	sort.Slice(o, func(i, j int) bool {
		if o[i].Path != o[j].Path {
			return o[i].Path < o[j].Path
		}
		if o[i].Line != o[j].Line {
			return o[i].Line < o[j].Line
		}
		return o[i].Detector < o[j].Detector
	})
}

// mergeLicenses dedupes licenses by key and sorts them. An unknown license is
// kept only when nothing is known, so one unreadable mention does not hide a
// declared license (its text stays in Raw of the known entries' sources).
func mergeLicenses(in []License) []License {
	seen := map[string]int{}
	var known, unknown []License
	for _, l := range in {
		l.Raw = clean(l.Raw)
		l.Name = clean(l.Name)
		if !license.License(l).Known() {
			unknown = append(unknown, l)
			continue
		}
		if i, ok := seen[l.ID+"|"+l.Expression]; ok {
			// Keep the richest description of the same license.
			if known[i].URL == "" {
				known[i].URL = l.URL
			}
			continue
		}
		seen[l.ID+"|"+l.Expression] = len(known)
		known = append(known, l)
	}
	if len(known) == 0 {
		if len(unknown) == 0 {
			return nil
		}
		sort.Slice(unknown, func(i, j int) bool { return unknown[i].Raw < unknown[j].Raw })
		return unknown[:1]
	}
	sort.Slice(known, func(i, j int) bool {
		return license.License(known[i]).Key() < license.License(known[j]).Key()
	})
	return known
}

// mergeCard fills the empty fields of a with those of b.
func mergeCard(a, b *asset.ModelCard) *asset.ModelCard {
	if a == nil {
		c := *b
		cleanCard(&c)
		return &c
	}
	nb := *b
	cleanCard(&nb)
	str := func(x *string, y string) {
		if *x == "" {
			*x = y
		}
	}
	str(&a.License, nb.License)
	str(&a.LicenseName, nb.LicenseName)
	str(&a.LicenseLink, nb.LicenseLink)
	str(&a.PipelineTag, nb.PipelineTag)
	str(&a.LibraryName, nb.LibraryName)
	str(&a.ModelType, nb.ModelType)
	str(&a.Description, nb.Description)
	str(&a.IntendedUse, nb.IntendedUse)
	str(&a.Limitations, nb.Limitations)
	str(&a.TrainingData, nb.TrainingData)
	str(&a.EthicalConsiderations, nb.EthicalConsiderations)
	str(&a.Environmental, nb.Environmental)
	a.BaseModel = unionStrings(a.BaseModel, nb.BaseModel)
	a.Datasets = unionStrings(a.Datasets, nb.Datasets)
	a.Language = unionStrings(a.Language, nb.Language)
	a.Tags = unionStrings(a.Tags, nb.Tags)
	a.Architectures = unionStrings(a.Architectures, nb.Architectures)
	a.Inputs = unionStrings(a.Inputs, nb.Inputs)
	a.Outputs = unionStrings(a.Outputs, nb.Outputs)
	a.Gated = a.Gated || nb.Gated
	if len(a.Metrics) == 0 {
		a.Metrics = nb.Metrics
	}
	return a
}

func cleanCard(c *asset.ModelCard) {
	for _, p := range []*string{&c.License, &c.LicenseName, &c.LicenseLink, &c.PipelineTag, &c.LibraryName,
		&c.ModelType, &c.Description, &c.IntendedUse, &c.Limitations, &c.TrainingData,
		&c.EthicalConsiderations, &c.Environmental} {
		*p = strings.TrimSpace(clean(*p))
	}
	for _, p := range []*[]string{&c.BaseModel, &c.Datasets, &c.Language, &c.Tags, &c.Architectures, &c.Inputs, &c.Outputs} {
		*p = unionStrings(nil, *p)
	}
	if len(c.Metrics) > 0 {
		m := make([]asset.Metric, 0, len(c.Metrics))
		for _, x := range c.Metrics {
			x.Task, x.Dataset, x.Type, x.Value = clean(x.Task), clean(x.Dataset), clean(x.Type), clean(x.Value)
			if x.Type != "" || x.Value != "" {
				m = append(m, x)
			}
		}
		c.Metrics = m
	}
}

// unionStrings appends the new non-empty values of b to a, keeping order.
func unionStrings(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		s = strings.TrimSpace(clean(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func appendUnique(a []string, s string) []string {
	for _, x := range a {
		if x == s {
			return a
		}
	}
	return append(a, s)
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i > 0 {
		s = s[:i]
	}
	return s
}

// cardLocation is the first finding whose card names base models or
// datasets: the evidence for the edges (and the components) they create.
func cardLocation(fs []asset.Sighting) Occurrence {
	for _, f := range fs {
		if f.Card != nil && (len(f.Card.BaseModel) > 0 || len(f.Card.Datasets) > 0) {
			return Occurrence{Path: f.Path, Line: max(f.Line, 0), Detector: clean(f.Detector), Confidence: clamp(f.Confidence)}
		}
	}
	return Occurrence{}
}

func sortedRefs(m map[string]*Component) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type index struct {
	comps map[string]*Component
	byKey map[string]*Component
}

// ensure returns the component of f's identity, creating it from f when the
// scan found it nowhere else (a base model or dataset named only by a card).
func (x *index) ensure(f asset.Sighting, warnings *[]string) *Component {
	if _, _, _, ok := hfID(f.Name); !ok {
		*warnings = append(*warnings, fmt.Sprintf("%s: %s %q is not a Hugging Face id", f.Path, f.Kind, clean(f.Name)))
		return nil
	}
	id, ok := identify(f)
	if !ok {
		return nil
	}
	if c := x.byKey[id.key]; c != nil {
		o := Occurrence{Path: f.Path, Line: f.Line, Detector: f.Detector, Confidence: clamp(f.Confidence)}
		if o.Path != "" && !hasOccurrence(c.Occurrences, o) {
			c.Occurrences = append(c.Occurrences, o)
			sortOccurrences(c.Occurrences)
		}
		return c
	}
	c := build(&group{id: id, findings: []asset.Sighting{f}, names: map[string]int{id.name: 1}, groups: map[string]int{id.group: 1}})
	x.comps[c.BOMRef] = c
	x.byKey[id.key] = c
	return c
}

func hasOccurrence(os []Occurrence, o Occurrence) bool {
	for _, x := range os {
		if x.Path == o.Path && x.Line == o.Line && x.Detector == o.Detector {
			return true
		}
	}
	return false
}

// attachReports hangs each model-scanner report on the weights component of
// its file, or else on the prompt found in it (a chat template the scanner
// judged); a report for a file discovery did not list becomes a weights
// component of its own, because a scanned file is an asset.
func attachReports(comps map[string]*Component, reports []modelscan.Report, warnings *[]string) {
	byPath := map[string]*Component{}
	refs := sortedRefs(comps)
	for _, kind := range []asset.Kind{asset.KindWeights, asset.KindPrompt} {
		for _, ref := range refs {
			c := comps[ref]
			if c.Kind != kind {
				continue
			}
			if kind == asset.KindWeights {
				byPath[c.Name] = c
			}
			for _, o := range c.Occurrences {
				if _, ok := byPath[o.Path]; !ok {
					byPath[o.Path] = c
				}
			}
		}
	}
	rs := append([]modelscan.Report(nil), reports...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].File < rs[j].File })
	for i := range rs {
		r := rs[i]
		p := cleanPath(r.File)
		if p == "" {
			*warnings = append(*warnings, "model scan report without a file path")
			continue
		}
		c := byPath[p]
		if c == nil {
			f := asset.Sighting{Kind: asset.KindWeights, Name: p, Path: p, Detector: "modelscan", Confidence: 1,
				Format: modelformat.Canonical(r.Format), SHA256: r.SHA256, Size: r.Size}
			id, _ := identify(f)
			c = build(&group{id: id, findings: []asset.Sighting{f}, names: map[string]int{id.name: 1}, groups: map[string]int{"": 1}})
			comps[c.BOMRef] = c
			byPath[p] = c
		}
		rep := r
		rep.File = p
		rep.Findings = append([]modelscan.Finding(nil), r.Findings...)
		sort.SliceStable(rep.Findings, func(i, j int) bool {
			a, b := rep.Findings[i], rep.Findings[j]
			if a.Member != b.Member {
				return a.Member < b.Member
			}
			if a.Offset != b.Offset {
				return a.Offset < b.Offset
			}
			return a.Rule < b.Rule
		})
		c.ScanReport = &rep
		if c.SHA256 == "" && isHex64(r.SHA256) {
			c.SHA256 = strings.ToLower(r.SHA256)
			c.PURL, _ = (identity{kind: asset.KindWeights, name: c.Name}).refs(c.SHA256)
		}
		if c.Format == "" {
			c.Format = modelformat.Canonical(r.Format)
		}
		if c.Size == 0 {
			c.Size = r.Size
		}
	}
}

// Completeness scores a model's card: the fraction of CardFields present, and
// the names of those missing.
func Completeness(c *Component) (float64, []string) {
	card := c.Card
	if card == nil {
		card = &asset.ModelCard{}
	}
	present := map[string]bool{
		"license":                 len(c.Licenses) > 0 && license.License(c.Licenses[0]).Known() || card.License != "",
		"description":             card.Description != "",
		"intendedUse":             card.IntendedUse != "",
		"limitations":             card.Limitations != "",
		"trainingData":            card.TrainingData != "" || len(card.Datasets) > 0,
		"baseModelOrArchitecture": len(card.BaseModel) > 0 || len(card.Architectures) > 0 || card.ModelType != "",
		"metrics":                 len(card.Metrics) > 0,
		"ethicalConsiderations":   card.EthicalConsiderations != "",
	}
	var missing []string
	n := 0
	for _, f := range CardFields {
		if present[f] {
			n++
		} else {
			missing = append(missing, f)
		}
	}
	return float64(n) / float64(len(CardFields)), missing
}

// sourceLicense normalizes the repository's license: the one given (with
// its provenance, if the caller knows it), else the license files found
// (root files first; several distinct licenses all apply), each file its
// provenance.
func sourceLicense(given string, givenFrom []license.Provenance, files []asset.Sighting) (string, []license.Provenance) {
	if strings.TrimSpace(given) != "" {
		return license.License(NormalizeLicense(given)).Key(), givenFrom
	}
	if len(files) == 0 {
		return "", []license.Provenance{{Source: license.SourceUnknown, Reason: license.ReasonNothingDeclared}}
	}
	var root, nested []asset.Sighting
	for _, f := range files {
		if strings.Contains(f.Path, "/") {
			nested = append(nested, f)
		} else {
			root = append(root, f)
		}
	}
	use := root
	if len(use) == 0 {
		use = nested
	}
	var ls []License
	var stated []statedLicense
	for _, f := range use {
		raw := f.License
		if raw == "" {
			raw = f.Name
		}
		l := NormalizeLicense(raw)
		ls = append(ls, l)
		stated = append(stated, statedLicense{l, license.Provenance{Source: license.SourceFile, Location: license.FileLocation(f.Path, max(f.Line, 0))}})
	}
	merged := mergeLicenses(ls)
	var keys []string
	for _, l := range merged {
		k := license.License(l).Key()
		if strings.Contains(k, " OR ") && len(merged) > 1 {
			k = "(" + k + ")"
		}
		keys = append(keys, k)
	}
	return strings.Join(keys, " AND "), statedBy(merged, stated)
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = clean(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// resolveLocalModelPaths gives one name to what is one model:
//   - code that loads a model from a directory of the repository
//     (from_pretrained("./models/x")) names the model its card or config in
//     that directory declares;
//   - in a Hugging Face repository, the card and config at the root describe
//     the repository's own model, so they, and the weights that point at the
//     card's name, take the Hub id and revision.
func resolveLocalModelPaths(findings []asset.Sighting) {
	type canon struct {
		name, provider, version string
	}
	byDir := map[string]canon{}
	for _, f := range findings {
		if (f.Kind == asset.KindModel || f.Kind == asset.KindDataset) && f.Detector == "huggingface.api" {
			byDir[path.Dir(cleanPath(f.Path))] = canon{f.Name, "huggingface", f.Version}
		}
	}
	isCard := func(f asset.Sighting) bool {
		base := path.Base(cleanPath(f.Path))
		return f.Kind == asset.KindModel && normProvider(f.Provider) == "local" && f.Name != "" &&
			(base == "README.md" || base == "config.json")
	}
	for _, f := range findings {
		if isCard(f) {
			dir := path.Dir(cleanPath(f.Path))
			if _, seen := byDir[dir]; !seen {
				byDir[dir] = canon{name: f.Name, provider: "local"}
			}
		}
	}
	renamed := map[string]canon{}
	for _, f := range findings {
		if isCard(f) {
			if c := byDir[path.Dir(cleanPath(f.Path))]; c.name != f.Name {
				renamed[f.Name] = c
			}
		}
	}
	for i := range findings {
		f := &findings[i]
		switch {
		case f.Kind == asset.KindModel && normProvider(f.Provider) == "local":
			c, ok := renamed[f.Name]
			if !ok {
				c, ok = byDir[cleanPath(f.Name)]
			}
			if isCard(*f) {
				c, ok = byDir[path.Dir(cleanPath(f.Path))], true
			}
			if ok && c.name != "" {
				f.Name, f.Provider = c.name, c.provider
				if c.version != "" {
					f.Version = c.version
				}
			}
		case f.Kind == asset.KindWeights:
			if c, ok := renamed[f.Model]; ok {
				f.Model = c.name
			}
		}
	}
}

// pinned: a weight file names its model without a revision; when the
// same model is known at exactly one revision (a Hugging Face repository's
// own model), the weights belong to that one.
func (p pinIndex) pinned(id identity) identity {
	if id.version != "" {
		return id
	}
	var found []identity
	for _, g := range p[pinKey(id)] {
		if strings.EqualFold(g.group, id.group) && strings.EqualFold(g.name, id.name) {
			found = append(found, g)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return id
}

// pinIndex holds the versioned groups by kind, provider, group and name
// (case-folded), so that pinned looks at the groups that can match rather
// than at every group for every weight file (quadratic in a repository of
// many weight files).
type pinIndex map[string][]identity

func (p pinIndex) add(id identity) {
	if id.version != "" {
		k := pinKey(id)
		p[k] = append(p[k], id)
	}
}

func pinKey(id identity) string {
	fold := func(s string) string { return strings.ToLower(strings.ToUpper(s)) }
	return string(id.kind) + "|" + id.provider + "|" + fold(id.group) + "|" + fold(id.name)
}
