package search

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/property"
	"github.com/mlbom/autopilot/internal/store"
)

// EvidenceID is the stable ID of a component's evidence in a project: the
// same component in a later version updates the same document.
func EvidenceID(project, bomRef string) string {
	id := project + "#" + bomRef
	if len(id) <= 200 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return id[:120] + "#" + hex.EncodeToString(sum[:16])
}

// EvidenceFromBOM turns the components (nested included) and services of a
// BOM version into searchable documents: the text holds name, group,
// version, purl, description, licenses, mlbom: properties, tags and model
// card text; Location is the first occurrence as path[:line].
func EvidenceFromBOM(project string, version int, b *cdx.BOM) []store.Evidence {
	if b == nil {
		return nil
	}
	var out []store.Evidence
	seen := map[string]bool{}
	add := func(e store.Evidence) {
		if e.BOMRef == "" || seen[e.BOMRef] {
			return
		}
		seen[e.BOMRef] = true
		e.ID = EvidenceID(project, e.BOMRef)
		e.Project, e.Version = project, version
		out = append(out, e)
	}
	var walkC func([]cdx.Component)
	walkC = func(cs []cdx.Component) {
		for i := range cs {
			add(componentEvidence(&cs[i]))
			if cs[i].Components != nil {
				walkC(*cs[i].Components)
			}
		}
	}
	var walkS func([]cdx.Service)
	walkS = func(ss []cdx.Service) {
		for i := range ss {
			add(serviceEvidence(&ss[i]))
			if ss[i].Services != nil {
				walkS(*ss[i].Services)
			}
		}
	}
	if b.Components != nil {
		walkC(*b.Components)
	}
	if b.Services != nil {
		walkS(*b.Services)
	}
	return out
}

type textBuilder struct{ strings.Builder }

func (t *textBuilder) add(parts ...string) {
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if t.Len() > 0 {
			t.WriteByte('\n')
		}
		t.WriteString(p)
	}
}

func (t *textBuilder) list(ps *[]string) {
	if ps != nil {
		t.add(*ps...)
	}
}

func kindOf(props *[]cdx.Property, fallback string) string {
	if props != nil {
		for _, p := range *props {
			if p.Name == property.AssetKind && p.Value != "" {
				return p.Value
			}
		}
	}
	return fallback
}

func (t *textBuilder) props(props *[]cdx.Property) {
	if props == nil {
		return
	}
	for _, p := range *props {
		if strings.HasPrefix(p.Name, property.Prefix) && p.Value != "" {
			t.add(strings.TrimPrefix(p.Name, property.Prefix) + ": " + p.Value)
		}
	}
}

func (t *textBuilder) licenses(ls *cdx.Licenses) {
	if ls == nil {
		return
	}
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			t.add("license: " + l.Expression)
		case l.License != nil:
			t.add("license: " + strings.TrimSpace(l.License.ID+" "+l.License.Name))
		}
	}
}

func componentEvidence(c *cdx.Component) store.Evidence {
	var t textBuilder
	name := c.Name
	if c.Group != "" && !strings.HasPrefix(c.Name, c.Group+"/") {
		name = c.Group + "/" + c.Name
	}
	t.add(name, c.Version, c.PackageURL, c.Description)
	if c.Supplier != nil {
		t.add("supplier: " + c.Supplier.Name)
	}
	t.licenses(c.Licenses)
	t.props(c.Properties)
	t.list(c.Tags)
	if mc := c.ModelCard; mc != nil {
		if p := mc.ModelParameters; p != nil {
			t.add(p.Task, p.ArchitectureFamily, p.ModelArchitecture)
			if p.Datasets != nil {
				for _, d := range *p.Datasets {
					if d.ComponentData != nil {
						t.add("dataset: " + d.ComponentData.Name)
					}
				}
			}
		}
		if cs := mc.Considerations; cs != nil {
			t.list(cs.UseCases)
			t.list(cs.Users)
			t.list(cs.TechnicalLimitations)
		}
	}
	e := store.Evidence{BOMRef: c.BOMRef, Name: name, Kind: kindOf(c.Properties, string(c.Type))}
	if c.Evidence != nil && c.Evidence.Occurrences != nil {
		for _, o := range *c.Evidence.Occurrences {
			if e.Location == "" && o.Location != "" {
				e.Location = o.Location
				if o.Line != nil && *o.Line > 0 {
					e.Location += ":" + strconv.Itoa(*o.Line)
				}
			}
			t.add(o.Location)
		}
	}
	e.Text = t.String()
	return e
}

func serviceEvidence(s *cdx.Service) store.Evidence {
	var t textBuilder
	name := s.Name
	if s.Group != "" {
		name = s.Group + "/" + s.Name
	}
	t.add(name, s.Version, s.Description)
	if s.Provider != nil {
		t.add("provider: " + s.Provider.Name)
	}
	t.list(s.Endpoints)
	t.licenses(s.Licenses)
	t.props(s.Properties)
	t.list(s.Tags)
	e := store.Evidence{BOMRef: s.BOMRef, Name: name, Kind: kindOf(s.Properties, "service"), Text: t.String()}
	if s.Endpoints != nil && len(*s.Endpoints) > 0 {
		e.Location = (*s.Endpoints)[0]
	}
	return e
}
