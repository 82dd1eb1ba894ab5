package bomdiff

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/mlbom/autopilot/internal/property"
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
//
// Most components of two consecutive versions are identical, so a pair is
// first compared field by field on the raw CycloneDX values; the normalized
// projection (sorted hashes, licenses, occurrences, properties) is only
// built for pairs that differ there, and for added and removed entries.
func Diff(old, new *cdx.BOM) *Result {
	a, b := flatten(old), flatten(new)
	am, bm := refIndex(a), refIndex(b)
	r := &Result{Added: []Item{}, Removed: []Item{}, Changed: []Item{}}
	for i := range b {
		e := &b[i]
		if bm[e.ref] != int32(i) {
			continue // a repeated bom-ref: the last one stands, as before
		}
		j, ok := am[e.ref]
		if !ok {
			n := e.node()
			r.Added = append(r.Added, Item{BOMRef: n.ref, Name: n.name, Kind: n.kind})
			continue
		}
		o := &a[j]
		if o.rawEqual(e) {
			continue
		}
		if it, changed := compare(o.node(), e.node()); changed {
			r.Changed = append(r.Changed, it)
		}
	}
	for i := range a {
		e := &a[i]
		if am[e.ref] != int32(i) {
			continue
		}
		if _, ok := bm[e.ref]; !ok {
			n := e.node()
			r.Removed = append(r.Removed, Item{BOMRef: n.ref, Name: n.name, Kind: n.kind})
		}
	}
	byRef := func(x, y Item) int { return strings.Compare(x.BOMRef, y.BOMRef) }
	slices.SortFunc(r.Added, byRef)
	slices.SortFunc(r.Removed, byRef)
	slices.SortFunc(r.Changed, byRef)
	r.EdgesAdded, r.EdgesRemoved = diffEdges(old, new)
	return r
}

func sortEdges(es []Edge) {
	slices.SortFunc(es, func(x, y Edge) int {
		if c := strings.Compare(x.From, y.From); c != 0 {
			return c
		}
		return strings.Compare(x.To, y.To)
	})
}

// diffEdges compares dependency edges per "from" ref: a ref whose dependsOn
// list is the same on both sides (the common case) costs one slice compare.
func diffEdges(old, new *cdx.BOM) (added, removed []Edge) {
	a, b := depIndex(old), depIndex(new)
	for from, tb := range b {
		ta := a[from]
		if equalStrings(ta, tb) {
			continue
		}
		added = appendMissing(added, from, tb, ta)
	}
	for from, ta := range a {
		tb := b[from]
		if equalStrings(ta, tb) {
			continue
		}
		removed = appendMissing(removed, from, ta, tb)
	}
	sortEdges(added)
	sortEdges(removed)
	return added, removed
}

// appendMissing appends from→t for each distinct t in xs that is not in ys.
func appendMissing(out []Edge, from string, xs, ys []string) []Edge {
	var in map[string]bool
	if len(ys) > 8 {
		in = make(map[string]bool, len(ys))
		for _, y := range ys {
			in[y] = true
		}
	}
	for i, x := range xs {
		if in != nil && in[x] || in == nil && slices.Contains(ys, x) {
			continue
		}
		if slices.Contains(xs[:i], x) {
			continue // listed twice on this side: one edge
		}
		out = append(out, Edge{From: from, To: x})
	}
	return out
}

// depIndex maps each ref to its dependsOn list; a ref listed more than once
// gets the concatenation (edges are a set, so order and repeats do not
// matter beyond the fast equality check).
func depIndex(b *cdx.BOM) map[string][]string {
	if b == nil || b.Dependencies == nil {
		return nil
	}
	out := make(map[string][]string, len(*b.Dependencies))
	for _, d := range *b.Dependencies {
		if d.Dependencies == nil || len(*d.Dependencies) == 0 {
			continue
		}
		if prev, ok := out[d.Ref]; ok {
			out[d.Ref] = append(slices.Clip(prev), *d.Dependencies...)
			continue
		}
		out[d.Ref] = *d.Dependencies
	}
	return out
}

// entry is one component or service of a BOM, by its diff key.
type entry struct {
	ref string
	c   *cdx.Component
	s   *cdx.Service
}

func (e *entry) node() *node {
	n := &node{}
	if e.c != nil {
		componentNode(n, e.c)
	} else {
		serviceNode(n, e.s)
	}
	n.ref = e.ref
	return n
}

func flatten(b *cdx.BOM) []entry {
	if b == nil {
		return nil
	}
	var out []entry
	if b.Components != nil {
		out = make([]entry, 0, len(*b.Components))
		out = flattenComponents(out, *b.Components)
	}
	if b.Services != nil {
		out = flattenServices(out, *b.Services)
	}
	return out
}

func flattenComponents(out []entry, cs []cdx.Component) []entry {
	for i := range cs {
		c := &cs[i]
		out = append(out, entry{ref: key(c.BOMRef, c.Group, c.Name, c.Version), c: c})
		if c.Components != nil {
			out = flattenComponents(out, *c.Components)
		}
	}
	return out
}

func flattenServices(out []entry, ss []cdx.Service) []entry {
	for i := range ss {
		s := &ss[i]
		out = append(out, entry{ref: key(s.BOMRef, s.Group, s.Name, s.Version), s: s})
		if s.Services != nil {
			out = flattenServices(out, *s.Services)
		}
	}
	return out
}

// refIndex maps each key to the position of its last entry.
func refIndex(es []entry) map[string]int32 {
	m := make(map[string]int32, len(es))
	for i := range es {
		m[es[i].ref] = int32(i)
	}
	return m
}

// rawEqual reports whether every input of the normalized projection is
// identical on both sides; false only means "normalize and compare".
func (e *entry) rawEqual(f *entry) bool {
	if e.c != nil && f.c != nil {
		return componentsEqual(e.c, f.c)
	}
	if e.s != nil && f.s != nil {
		return servicesEqual(e.s, f.s)
	}
	return false
}

func componentsEqual(x, y *cdx.Component) bool {
	return x.Type == y.Type && x.Version == y.Version && x.PackageURL == y.PackageURL &&
		x.Name == y.Name && x.Group == y.Group &&
		orgName(x.Supplier) == orgName(y.Supplier) &&
		slices.Equal(deref(x.Hashes), deref(y.Hashes)) &&
		licensesEqual(x.Licenses, y.Licenses) &&
		occurrencesEqual(x.Evidence, y.Evidence) &&
		slices.Equal(deref(x.Properties), deref(y.Properties))
}

func servicesEqual(x, y *cdx.Service) bool {
	return x.Version == y.Version && x.Name == y.Name && x.Group == y.Group &&
		orgName(x.Provider) == orgName(y.Provider) &&
		slices.Equal(deref(x.Endpoints), deref(y.Endpoints)) &&
		licensesEqual(x.Licenses, y.Licenses) &&
		slices.Equal(deref(x.Properties), deref(y.Properties))
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func orgName(o *cdx.OrganizationalEntity) string {
	if o == nil {
		return ""
	}
	return o.Name
}

func licensesEqual(x, y *cdx.Licenses) bool {
	var a, b []cdx.LicenseChoice
	if x != nil {
		a = *x
	}
	if y != nil {
		b = *y
	}
	return slices.EqualFunc(a, b, func(l, m cdx.LicenseChoice) bool {
		return l.Expression == m.Expression && licenseIdentity(l.License) == licenseIdentity(m.License)
	})
}

type licenseID struct{ id, name string }

func licenseIdentity(l *cdx.License) licenseID {
	if l == nil {
		return licenseID{}
	}
	return licenseID{l.ID, l.Name}
}

func occurrencesEqual(x, y *cdx.Evidence) bool {
	var a, b []cdx.EvidenceOccurrence
	if x != nil && x.Occurrences != nil {
		a = *x.Occurrences
	}
	if y != nil && y.Occurrences != nil {
		b = *y.Occurrences
	}
	return slices.EqualFunc(a, b, func(o, p cdx.EvidenceOccurrence) bool {
		return o.Location == p.Location && lineOf(o.Line) == lineOf(p.Line)
	})
}

func lineOf(l *int) int {
	if l == nil || *l < 0 {
		return 0
	}
	return *l
}

// key: the bom-ref, or for the rare component without one a synthetic key
// from its identity so it still diffs sensibly.
func key(ref, group, name, version string) string {
	if ref != "" {
		return ref
	}
	return "(no bom-ref) " + strings.TrimPrefix(group+"/"+name, "/") + "@" + version
}

func componentNode(n *node, c *cdx.Component) {
	*n = node{
		ref: key(c.BOMRef, c.Group, c.Name, c.Version), name: displayName(c.Group, c.Name),
		kind: string(c.Type), version: c.Version, purl: c.PackageURL,
		licenses: licenses(c.Licenses), hashes: hashes(c.Hashes), supplier: orgName(c.Supplier),
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
}

func serviceNode(n *node, s *cdx.Service) {
	*n = node{
		ref: key(s.BOMRef, s.Group, s.Name, s.Version), name: displayName(s.Group, s.Name),
		kind: "service", version: s.Version, licenses: licenses(s.Licenses), supplier: orgName(s.Provider),
	}
	if s.Endpoints != nil {
		n.occurrences = append([]string(nil), *s.Endpoints...)
		sort.Strings(n.occurrences)
	}
	props(n, s.Properties)
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
		case p.Name == property.AssetKind:
			n.kind = p.Value
		case p.Name == property.RuntimeObserved:
			n.runtime = p.Value
		case strings.HasPrefix(p.Name, property.Prefix):
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
