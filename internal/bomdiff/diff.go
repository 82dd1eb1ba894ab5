package bomdiff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Property names the diff understands; other mlbom: properties are compared
// as "property:<name>".
const (
	PropKind            = "mlbom:asset.kind"
	PropRuntimeObserved = "mlbom:runtime.observed"
)

// Field names used in Change.Field.
const (
	FieldVersion         = "version"
	FieldPURL            = "purl" // carries the revision for Hugging Face and git assets
	FieldHashes          = "hashes"
	FieldLicenses        = "licenses"
	FieldSupplier        = "supplier"
	FieldOccurrences     = "occurrences"
	FieldRuntimeObserved = "runtimeObserved"
	FieldName            = "name"
	fieldPropertyPrefix  = "property:"
)

// node is the comparable projection of one component or service.
type node struct {
	ref, name, kind string
	version, purl   string
	supplier        string
	hashes          []string // sorted "ALG:value"
	licenses        []string // sorted
	occurrences     []string // sorted path[:line]
	runtime         string
	props           []prop // other mlbom: properties, sorted by name
}

type prop struct{ name, value string }

// Diff compares two BOMs component by component (nested components and
// services included), keyed by bom-ref. old may be nil: everything in new is
// then added. Items and edges are sorted by bom-ref.
func Diff(old, new *cdx.BOM) *Result {
	a, b := index(old), index(new)
	r := &Result{Added: []Item{}, Removed: []Item{}, Changed: []Item{}}
	for ref, n := range b {
		o, ok := a[ref]
		if !ok {
			r.Added = append(r.Added, Item{BOMRef: ref, Name: n.name, Kind: n.kind})
			continue
		}
		if it, changed := compare(o, n); changed {
			r.Changed = append(r.Changed, it)
		}
	}
	for ref, o := range a {
		if _, ok := b[ref]; !ok {
			r.Removed = append(r.Removed, Item{BOMRef: ref, Name: o.name, Kind: o.kind})
		}
	}
	for _, l := range [][]Item{r.Added, r.Removed, r.Changed} {
		sort.Slice(l, func(i, j int) bool { return l[i].BOMRef < l[j].BOMRef })
	}
	ea, eb := edges(old), edges(new)
	for e := range eb {
		if !ea[e] {
			r.EdgesAdded = append(r.EdgesAdded, e)
		}
	}
	for e := range ea {
		if !eb[e] {
			r.EdgesRemoved = append(r.EdgesRemoved, e)
		}
	}
	sortEdges(r.EdgesAdded)
	sortEdges(r.EdgesRemoved)
	return r
}

func sortEdges(es []Edge) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].From != es[j].From {
			return es[i].From < es[j].From
		}
		return es[i].To < es[j].To
	})
}

func edges(b *cdx.BOM) map[Edge]bool {
	out := map[Edge]bool{}
	if b == nil || b.Dependencies == nil {
		return out
	}
	for _, d := range *b.Dependencies {
		if d.Dependencies == nil {
			continue
		}
		for _, to := range *d.Dependencies {
			out[Edge{From: d.Ref, To: to}] = true
		}
	}
	return out
}

func index(b *cdx.BOM) map[string]*node {
	if b == nil {
		return map[string]*node{}
	}
	n := 0
	if b.Components != nil {
		n = len(*b.Components)
	}
	out := make(map[string]*node, n)
	if b.Components != nil {
		addComponents(out, *b.Components)
	}
	if b.Services != nil {
		addServices(out, *b.Services)
	}
	return out
}

// key: the bom-ref, or for the rare component without one a synthetic key
// from its identity so it still diffs sensibly.
func key(ref, group, name, version string) string {
	if ref != "" {
		return ref
	}
	return "(no bom-ref) " + strings.TrimPrefix(group+"/"+name, "/") + "@" + version
}

func addComponents(out map[string]*node, cs []cdx.Component) {
	nodes := make([]node, len(cs)) // one allocation for the level
	for i := range cs {
		c := &cs[i]
		n := &nodes[i]
		*n = node{
			ref: key(c.BOMRef, c.Group, c.Name, c.Version), name: displayName(c.Group, c.Name),
			kind: string(c.Type), version: c.Version, purl: c.PackageURL,
			licenses: licenses(c.Licenses), hashes: hashes(c.Hashes),
		}
		if c.Supplier != nil {
			n.supplier = c.Supplier.Name
		}
		if c.Evidence != nil && c.Evidence.Occurrences != nil {
			for _, o := range *c.Evidence.Occurrences {
				loc := o.Location
				if o.Line != nil && *o.Line > 0 {
					loc += ":" + strconv.Itoa(*o.Line)
				}
				n.occurrences = append(n.occurrences, loc)
			}
			sort.Strings(n.occurrences)
		}
		props(n, c.Properties)
		out[n.ref] = n
		if c.Components != nil {
			addComponents(out, *c.Components)
		}
	}
}

func addServices(out map[string]*node, ss []cdx.Service) {
	nodes := make([]node, len(ss))
	for i := range ss {
		s := &ss[i]
		n := &nodes[i]
		*n = node{
			ref: key(s.BOMRef, s.Group, s.Name, s.Version), name: displayName(s.Group, s.Name),
			kind: "service", version: s.Version, licenses: licenses(s.Licenses),
		}
		if s.Provider != nil {
			n.supplier = s.Provider.Name
		}
		if s.Endpoints != nil {
			n.occurrences = append([]string(nil), *s.Endpoints...)
			sort.Strings(n.occurrences)
		}
		props(n, s.Properties)
		out[n.ref] = n
		if s.Services != nil {
			addServices(out, *s.Services)
		}
	}
}

func displayName(group, name string) string {
	if group == "" || strings.HasPrefix(name, group+"/") {
		return name
	}
	return group + "/" + name
}

func props(n *node, ps *[]cdx.Property) {
	if ps == nil {
		return
	}
	for _, p := range *ps {
		switch {
		case p.Name == PropKind:
			n.kind = p.Value
		case p.Name == PropRuntimeObserved:
			n.runtime = p.Value
		case strings.HasPrefix(p.Name, "mlbom:"):
			n.props = append(n.props, prop{p.Name, p.Value})
		}
	}
	if len(n.props) < 2 {
		return
	}
	sort.SliceStable(n.props, func(i, j int) bool { return n.props[i].name < n.props[j].name })
	// A repeated property keeps all its values.
	out := n.props[:1]
	for _, p := range n.props[1:] {
		if last := &out[len(out)-1]; last.name == p.name {
			last.value += ", " + p.value
		} else {
			out = append(out, p)
		}
	}
	n.props = out
}

func hashes(hs *[]cdx.Hash) []string {
	if hs == nil || len(*hs) == 0 {
		return nil
	}
	out := make([]string, len(*hs))
	for i, h := range *hs {
		out[i] = string(h.Algorithm) + ":" + strings.ToLower(h.Value)
	}
	if len(out) > 1 {
		sort.Strings(out)
	}
	return out
}

// drifted: an algorithm present on both sides has different values.
func drifted(a, b []string) bool {
	for _, x := range a {
		alg, v, _ := strings.Cut(x, ":")
		for _, y := range b {
			if balg, w, _ := strings.Cut(y, ":"); balg == alg && w != v {
				return true
			}
		}
	}
	return false
}

func licenses(ls *cdx.Licenses) []string {
	if ls == nil {
		return nil
	}
	var out []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			out = append(out, l.Expression)
		case l.License != nil && l.License.ID != "":
			out = append(out, l.License.ID)
		case l.License != nil && l.License.Name != "":
			out = append(out, l.License.Name)
		}
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func compare(o, n *node) (Item, bool) {
	it := Item{BOMRef: n.ref, Name: n.name, Kind: n.kind}
	str := func(field, a, b string) {
		if a != b {
			it.Changes = append(it.Changes, Change{Field: field, Old: a, New: b})
		}
	}
	list := func(field string, a, b []string) bool {
		if equalStrings(a, b) {
			return false
		}
		if a == nil {
			a = []string{}
		}
		if b == nil {
			b = []string{}
		}
		it.Changes = append(it.Changes, Change{Field: field, Old: a, New: b})
		return true
	}
	str(FieldName, o.name, n.name)
	str(FieldVersion, o.version, n.version)
	str(FieldPURL, o.purl, n.purl)
	// Same declared identity, different bytes: only flagged when an
	// algorithm present on both sides disagrees (a hash merely added or
	// dropped is not evidence of tampering).
	if list(FieldHashes, o.hashes, n.hashes) && o.version == n.version && o.purl == n.purl {
		it.HashDrift = drifted(o.hashes, n.hashes)
	}
	it.LicenseChange = list(FieldLicenses, o.licenses, n.licenses)
	str(FieldSupplier, o.supplier, n.supplier)
	list(FieldOccurrences, o.occurrences, n.occurrences)
	str(FieldRuntimeObserved, o.runtime, n.runtime)
	// Merge the two sorted property lists.
	i, j := 0, 0
	for i < len(o.props) || j < len(n.props) {
		switch {
		case j == len(n.props) || i < len(o.props) && o.props[i].name < n.props[j].name:
			str(fieldPropertyPrefix+o.props[i].name, o.props[i].value, "")
			i++
		case i == len(o.props) || n.props[j].name < o.props[i].name:
			str(fieldPropertyPrefix+n.props[j].name, "", n.props[j].value)
			j++
		default:
			str(fieldPropertyPrefix+n.props[j].name, o.props[i].value, n.props[j].value)
			i, j = i+1, j+1
		}
	}
	return it, len(it.Changes) > 0
}

// Counts summarises a Result.
type Counts struct {
	Added, Removed, Changed   int
	HashDrift, LicenseChanges int
	EdgesAdded, EdgesRemoved  int
}

// Counts returns the summary numbers of r.
func (r *Result) Counts() Counts {
	c := Counts{Added: len(r.Added), Removed: len(r.Removed), Changed: len(r.Changed),
		EdgesAdded: len(r.EdgesAdded), EdgesRemoved: len(r.EdgesRemoved)}
	for _, it := range r.Changed {
		if it.HashDrift {
			c.HashDrift++
		}
		if it.LicenseChange {
			c.LicenseChanges++
		}
	}
	return c
}

// Empty reports whether nothing changed.
func (r *Result) Empty() bool {
	return len(r.Added)+len(r.Removed)+len(r.Changed)+len(r.EdgesAdded)+len(r.EdgesRemoved) == 0
}

func (c Counts) String() string {
	return fmt.Sprintf("%d added, %d removed, %d changed (%d license changes, %d hash drift), dependency edges +%d -%d",
		c.Added, c.Removed, c.Changed, c.LicenseChanges, c.HashDrift, c.EdgesAdded, c.EdgesRemoved)
}
