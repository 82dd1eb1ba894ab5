package policy

import (
	"encoding/binary"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/property"
	"github.com/open-policy-agent/opa/v1/ast"
)

// Index keys, created once.
var (
	keyRef         = ast.StringTerm("ref")
	keyKind        = ast.StringTerm("kind")
	keyName        = ast.StringTerm("name")
	keyOrg         = ast.StringTerm("org")
	keyDisplay     = ast.StringTerm("display")
	keyProps       = ast.StringTerm("props")
	keyLicenses    = ast.StringTerm("licenses")
	keyDisjunction = ast.StringTerm("disjunction")
	keyPaths       = ast.StringTerm("paths")
	keyHosts       = ast.StringTerm("hosts")
	keyComponents  = ast.StringTerm("components")
	keyByKind      = ast.StringTerm("by_kind")
	keyRefs        = ast.StringTerm("refs")
	keyWeightFiles = ast.StringTerm("weight_files")
	keyByProp      = ast.StringTerm("by_prop")
	keyByOrg       = ast.StringTerm("by_org")
	keyByLicense   = ast.StringTerm("by_license")
	keyUnlicensed  = ast.StringTerm("unlicensed")
	keyByHost      = ast.StringTerm("by_host")
	keyWeightDirs  = ast.StringTerm("weight_dirs")
	keyKnownPaths  = ast.StringTerm("known_paths")
	keyKnownSHA256 = ast.StringTerm("known_sha256")
)

// groups collects view terms under string keys, keeping first-seen order
// (the Rego side builds objects, whose order does not matter anyway).
type groups struct {
	order []string
	lists [][]*ast.Term // lists[i] is the group of order[i]
	index map[string]int
}

func (g *groups) add(k string, t *ast.Term) {
	i, ok := g.index[k]
	if !ok {
		if g.index == nil {
			g.index = map[string]int{}
		}
		i = len(g.order)
		g.index[k] = i
		g.order = append(g.order, k)
		g.lists = append(g.lists, nil)
	}
	g.lists[i] = append(g.lists[i], t)
}

func (g *groups) term(b *indexBuilder) *ast.Term {
	items := make([][2]*ast.Term, len(g.order))
	for i, k := range g.order {
		items[i] = ast.Item(b.intern(k), b.term(ast.NewArray(g.lists[i]...)))
	}
	return b.term(ast.NewObject(items...))
}

func dir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}

// bomIndex builds input.bom_index: one flat view per component with what the
// policies need already extracted (see policies/lib.rego). It must produce
// exactly the document lib.rego's rego_index computes when the index is
// absent; TestIndexMatchesRego checks that. Doing it here is what keeps a
// 5k-component evaluation within budget: the same work in Rego costs ~1 s.
// The index is built as an OPA value directly, saving a conversion.
//
// Besides the views it holds inverted indexes (by organisation, license,
// host, weight directory and the string values of the properties named in
// indexProps), so policies judge each distinct value once and touch only
// the components that carry a bad one, instead of scanning the BOM.
func bomIndex(bom map[string]any, indexProps []string) ast.Value {
	top, _ := bom["components"].([]any)
	raw := make([]map[string]any, 0, len(top))
	for _, c := range top {
		if m, ok := c.(map[string]any); ok {
			raw = append(raw, m)
		}
	}
	n := len(raw)
	for _, c := range raw[:n] {
		nested, _ := c["components"].([]any)
		for _, x := range nested {
			if m, ok := x.(map[string]any); ok {
				raw = append(raw, m)
			}
		}
	}
	b := newIndexBuilder(indexProps)
	// The same view terms appear in components, by_kind and weight_files;
	// sharing them costs nothing.
	views := make([]*ast.Term, len(raw))
	var byKind groups
	refs := make([][2]*ast.Term, 0, len(raw))
	seenRef := make(map[string]bool, len(raw))
	weightFiles := []*ast.Term{}
	var byLicense, byHost, weightDirs groups
	byOrg, unlicensed := map[string]*groups{}, &groups{}
	// Set members are collected first: a set built at its final size does
	// not grow its table over and over.
	var knownPaths, knownSHA []*ast.Term
	byProp := make([]groups, len(indexProps))
	for i, c := range raw {
		v := b.componentView(c)
		vt := v.term
		views[i] = vt
		for _, p := range v.props {
			byProp[p.prop].add(p.value, vt)
		}
		// by kind, then organisation ("" too: models without one matter).
		g := byOrg[v.kind]
		if g == nil {
			g = &groups{}
			byOrg[v.kind] = g
		}
		g.add(v.org, vt)
		for _, l := range v.licenses {
			byLicense.add(l, vt)
		}
		if len(v.licenses) == 0 {
			unlicensed.add(v.kind, vt)
		}
		for _, h := range v.hosts {
			byHost.add(h, vt)
		}
		if v.weightFile {
			for _, p := range v.paths {
				weightDirs.add(dir(p), vt)
				knownPaths = append(knownPaths, b.pathTerm(strings.TrimPrefix(p, "/"), v))
			}
			knownPaths = append(knownPaths, b.pathTerm(strings.TrimPrefix(v.name, "/"), v))
			for _, h := range v.sha256 {
				knownSHA = append(knownSHA, b.term(ast.String(h)))
			}
		}
		byKind.add(v.kind, vt)
		if !seenRef[v.ref] {
			seenRef[v.ref] = true
			refs = append(refs, ast.Item(v.refTerm, ast.InternedTerm(i)))
		}
		if v.weightFile {
			weightFiles = append(weightFiles, vt)
		}
	}
	byOrgItems := make([][2]*ast.Term, len(byKind.order))
	for i, k := range byKind.order {
		byOrgItems[i] = ast.Item(b.intern(k), byOrg[k].term(b))
	}
	byPropObj := ast.NewObject()
	for j, name := range indexProps {
		// Insert, not NewObject: a name listed twice must not make two keys.
		byPropObj.Insert(b.intern(name), byProp[j].term(b))
	}
	return ast.NewObject(
		ast.Item(keyComponents, ast.ArrayTerm(views...)),
		ast.Item(keyByKind, byKind.term(b)),
		ast.Item(keyRefs, ast.ObjectTerm(refs...)),
		ast.Item(keyWeightFiles, ast.ArrayTerm(weightFiles...)),
		ast.Item(keyByProp, ast.NewTerm(byPropObj)),
		ast.Item(keyByOrg, ast.ObjectTerm(byOrgItems...)),
		ast.Item(keyByLicense, byLicense.term(b)),
		ast.Item(keyUnlicensed, unlicensed.term(b)),
		ast.Item(keyByHost, byHost.term(b)),
		ast.Item(keyWeightDirs, weightDirs.term(b)),
		ast.Item(keyKnownPaths, ast.SetTerm(knownPaths...)),
		ast.Item(keyKnownSHA256, ast.SetTerm(knownSHA...)),
	)
}

func str(x any) string {
	s, _ := x.(string)
	return s
}

// propValue is a string value of the indexProps[prop] property.
type propValue struct {
	prop  int
	value string
}

// view is one component's entry in the index. Its slices are the builder's
// scratch space, valid until the next componentView.
type view struct {
	term                           *ast.Term
	kind, ref, name, org           string
	refTerm, nameTerm              *ast.Term
	weightFile                     bool
	props                          []propValue
	licenses, hosts, paths, sha256 []string // distinct, sorted
}

// indexBuilder makes the terms of one index. Building the index is mostly
// allocation, and the garbage collector's share grows with every object, so
// the builder cuts terms from slabs, shares the terms of repeated strings
// and the values of repeated property sets and small lists (thousands of
// components, a handful of distinct licenses, formats and hosts), and
// reuses its scratch slices from one component to the next. The shared
// values are safe because OPA never mutates its input.
type indexBuilder struct {
	indexProps []string             // the properties views record string values of
	strs       map[string]*ast.Term // interned string terms
	shared     map[string]*ast.Term // property objects and lists, by content
	slab       []ast.Term           // terms are cut from here

	key       []byte // scratch for shared's keys
	items     [][2]*ast.Term
	propNames []string
	// Scratch space the view's lists are cut from.
	props []propValue
	lists []string
	// license expressions already split, by expression
	exprs map[string]exprLicenses
}

type exprLicenses struct {
	ids         []string
	disjunction bool
}

func newIndexBuilder(indexProps []string) *indexBuilder {
	return &indexBuilder{
		indexProps: indexProps,
		strs:       map[string]*ast.Term{}, shared: map[string]*ast.Term{}, exprs: map[string]exprLicenses{},
	}
}

const slabSize = 1024

// term wraps v in a term cut from the slab.
func (b *indexBuilder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, slabSize)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

// intern returns the one term of a repeated string (kinds, licenses,
// formats, hosts, organisations, property names and values).
func (b *indexBuilder) intern(s string) *ast.Term {
	t, ok := b.strs[s]
	if !ok {
		t = b.term(ast.String(s))
		b.strs[s] = t
	}
	return t
}

// pathTerm is the term of one of v's paths: weight files are named by their
// path, so the name's term usually serves.
func (b *indexBuilder) pathTerm(p string, v view) *ast.Term {
	if p == v.name {
		return v.nameTerm
	}
	return b.term(ast.String(p))
}

// keyString appends a length-prefixed s to b.key, so that no two different
// lists of strings make the same key.
func (b *indexBuilder) keyString(s string) {
	b.key = binary.AppendUvarint(b.key, uint64(len(s)))
	b.key = append(b.key, s...)
}

// list returns the sorted, distinct strings ss as an array term, shared
// between components with the same list.
func (b *indexBuilder) list(ss []string) *ast.Term {
	if len(ss) == 0 {
		return emptyArray
	}
	b.key = append(b.key[:0], 'l')
	for _, s := range ss {
		b.keyString(s)
	}
	if t, ok := b.shared[string(b.key)]; ok {
		return t
	}
	elems := make([]*ast.Term, len(ss))
	for i, s := range ss {
		elems[i] = b.intern(s)
	}
	t := b.term(ast.NewArray(elems...))
	b.shared[string(b.key)] = t
	return t
}

func (b *indexBuilder) componentView(c map[string]any) view {
	// One pass over the component's keys rather than a lookup per field
	// (most lookups would miss).
	var name, group, ref string
	var hasRef bool
	var typ, ps, lics, hs, ers, ev any
	for k, x := range c {
		switch k {
		case "name":
			name = str(x)
		case "group":
			group = str(x)
		case "bom-ref":
			ref, hasRef = x.(string)
		case "type":
			typ = x
		case "properties":
			ps = x
		case "licenses":
			lics = x
		case "hashes":
			hs = x
		case "externalReferences":
			ers = x
		case "evidence":
			ev = x
		}
	}

	pv := b.properties(ps)
	kind := pv.kind
	if !pv.kindSet {
		kind = kindOfType(typ)
	}
	nameTerm := b.term(ast.String(name))
	if !hasRef {
		ref = name
	}
	refTerm := nameTerm
	if ref != name {
		refTerm = b.term(ast.String(ref))
	}
	displayTerm := nameTerm
	if group != "" && !strings.Contains(name, "/") {
		displayTerm = b.term(ast.String(group + "/" + name))
	}
	org := orgOf(group, name)

	start := len(b.lists)
	var disjunction bool
	b.lists, disjunction = b.componentLicenses(lics, b.lists)
	licenses := b.cut(start)
	hashes := b.sha256Hashes(hs)
	hosts := b.distributionHosts(ers)
	paths := b.occurrencePaths(ev, name)
	pathsTerm := emptyArray
	if len(paths) > 0 {
		elems := make([]*ast.Term, len(paths))
		for i, p := range paths {
			if p == name {
				elems[i] = nameTerm
			} else {
				elems[i] = b.term(ast.String(p))
			}
		}
		pathsTerm = b.term(ast.NewArray(elems...))
	}

	obj := b.term(ast.NewObject(
		ast.Item(keyRef, refTerm),
		ast.Item(keyKind, b.intern(kind)),
		ast.Item(keyName, nameTerm),
		ast.Item(keyOrg, b.intern(org)),
		ast.Item(keyDisplay, displayTerm),
		ast.Item(keyProps, pv.term),
		ast.Item(keyLicenses, b.list(licenses)),
		ast.Item(keyDisjunction, ast.InternedTerm(disjunction)),
		ast.Item(keyPaths, pathsTerm),
		ast.Item(keyHosts, b.list(hosts)),
	))
	// As in Rego, a format property whose value is false does not count.
	weightFile := kind == "weights" || (pv.hasFormat && !pv.formatFalse)
	return view{
		term: obj, kind: kind, ref: ref, name: name, org: org,
		refTerm: refTerm, nameTerm: nameTerm, weightFile: weightFile, props: pv.values,
		licenses: licenses, hosts: hosts, paths: paths, sha256: hashes,
	}
}

// propView is what a component's properties give its view.
type propView struct {
	term   *ast.Term   // the props object
	values []propValue // values of the indexed properties (scratch)
	// kind from mlbom:asset.kind, when set (and a string).
	kind    string
	kindSet bool
	// hasFormat: mlbom:weights.format is set; formatFalse: to false.
	hasFormat, formatFalse bool
}

// properties builds the props object: the first of repeated names wins.
// Objects whose values are all strings are shared between components with
// the same properties.
func (b *indexBuilder) properties(ps any) propView {
	var pv propView
	items, propNames := b.items[:0], b.propNames[:0]
	b.props, b.lists = b.props[:0], b.lists[:0]
	allStrings := true
	plist, _ := ps.([]any)
	b.key = append(b.key[:0], 'p')
props:
	for _, p := range plist {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		pname, ok := pm["name"].(string)
		if !ok {
			continue
		}
		val, ok := pm["value"]
		if !ok {
			continue
		}
		for _, seen := range propNames {
			if seen == pname {
				continue props
			}
		}
		var vt *ast.Term
		if sv, ok := val.(string); ok {
			vt = b.intern(sv)
			for j, name := range b.indexProps {
				if pname == name {
					b.props = append(b.props, propValue{j, sv})
				}
			}
			b.keyString(pname)
			b.keyString(sv)
		} else {
			v, err := ast.InterfaceToValue(val)
			if err != nil {
				continue
			}
			vt = b.term(v)
			allStrings = false
		}
		propNames = append(propNames, pname)
		items = append(items, ast.Item(b.intern(pname), vt))
		switch pname {
		case property.AssetKind:
			pv.kind, pv.kindSet = val.(string)
		case property.WeightsFormat:
			pv.hasFormat, pv.formatFalse = true, val == false
		}
	}
	if allStrings {
		pv.term = b.shared[string(b.key)]
	}
	if pv.term == nil {
		pv.term = b.term(ast.NewObject(items...))
		if allStrings {
			b.shared[string(b.key)] = pv.term
		}
	}
	b.items, b.propNames = items, propNames
	pv.values = b.props
	return pv
}

// kindOfType is the asset kind of a component without mlbom:asset.kind,
// from its CycloneDX type.
func kindOfType(typ any) string {
	switch typ {
	case "machine-learning-model":
		return "model"
	case "data":
		return "dataset"
	}
	return str(typ)
}

// orgOf is the organisation of a component: its group, else the part
// before the slash of "org/name" (exactly one slash).
func orgOf(group, name string) string {
	if group != "" {
		return group
	}
	if i := strings.IndexByte(name, '/'); i > 0 && strings.IndexByte(name[i+1:], '/') < 0 {
		return name[:i]
	}
	return ""
}

// sha256Hashes are the component's SHA-256 hashes, lower case.
func (b *indexBuilder) sha256Hashes(hs any) []string {
	start := len(b.lists)
	hl, _ := hs.([]any)
	for _, h := range hl {
		hm, _ := h.(map[string]any)
		alg, ok1 := hm["alg"].(string)
		content, ok2 := hm["content"].(string)
		if ok1 && ok2 && strings.EqualFold(alg, "SHA-256") {
			b.lists = append(b.lists, strings.ToLower(content))
		}
	}
	return b.cut(start)
}

// distributionHosts are the hosts the component is downloaded from
// (distribution, vcs and distribution-intake references), lower case.
func (b *indexBuilder) distributionHosts(ers any) []string {
	start := len(b.lists)
	rl, _ := ers.([]any)
	for _, r := range rl {
		rm, _ := r.(map[string]any)
		switch rm["type"] {
		case "distribution", "vcs", "distribution-intake":
			if u, ok := rm["url"].(string); ok {
				if h, ok := urlHost(u); ok {
					b.lists = append(b.lists, strings.ToLower(h))
				}
			}
		}
	}
	return b.cut(start)
}

// occurrencePaths are the places the component was found (evidence
// occurrences), and its name when the name is a path.
func (b *indexBuilder) occurrencePaths(ev any, name string) []string {
	start := len(b.lists)
	if evm, ok := ev.(map[string]any); ok {
		occ, _ := evm["occurrences"].([]any)
		for _, o := range occ {
			om, _ := o.(map[string]any)
			if loc, ok := om["location"].(string); ok {
				b.lists = append(b.lists, loc)
			}
		}
	}
	if strings.Contains(name, "/") && strings.Contains(name, ".") {
		b.lists = append(b.lists, name)
	}
	return b.cut(start)
}

var (
	parens     = strings.NewReplacer("(", " ", ")", " ")
	withClause = regexp.MustCompile(`(?i)\s+WITH\s+[^\s()]+`)
	orWord     = regexp.MustCompile(`(?i)\sOR\s`)
	andWord    = regexp.MustCompile(`(?i)\sAND\s`)
)

// cut returns b.lists[start:], sorted and without repeats, as a slice that
// later appends cannot overwrite.
func (b *indexBuilder) cut(start int) []string {
	l := distinct(b.lists[start:])
	b.lists = b.lists[:start+len(l)]
	return l[:len(l):len(l)]
}

// componentLicenses mirrors lib.licenses and lib.is_disjunction: it appends
// the license ids of a component's licenses to ids.
func (b *indexBuilder) componentLicenses(lics any, ids []string) ([]string, bool) {
	disjunction := false
	entries, _ := lics.([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		lic, _ := em["license"].(map[string]any)
		expr, isExpr := em["expression"].(string)
		var x exprLicenses
		if isExpr {
			// BOMs repeat a few expressions; the regular expressions run
			// once for each.
			var ok bool
			if x, ok = b.exprs[expr]; !ok {
				x = splitExpression(expr)
				b.exprs[expr] = x
			}
			disjunction = disjunction || x.disjunction
		}
		if id, ok := lic["id"].(string); ok {
			ids = append(ids, id)
		} else if n, ok := lic["name"].(string); ok {
			ids = append(ids, n)
		} else if isExpr {
			ids = append(ids, x.ids...)
		}
	}
	return ids, disjunction
}

func splitExpression(expr string) exprLicenses {
	x := exprLicenses{disjunction: orWord.MatchString(expr) && !andWord.MatchString(expr)}
	cleaned := parens.Replace(withClause.ReplaceAllString(expr, ""))
	for _, w := range strings.Split(cleaned, " ") {
		t := strings.TrimSpace(w)
		if u := strings.ToUpper(t); t == "" || u == "AND" || u == "OR" {
			continue
		}
		x.ids = append(x.ids, t)
	}
	return x
}

// urlHost is the host of a URL exactly as lib.host's regular expression
// ^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/:?#]+) captures it, without
// the cost of a regular expression per component.
func urlHost(u string) (string, bool) {
	i := 0
	for ; i < len(u); i++ {
		c := u[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return "", false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '+' && c != '.' && c != '-' {
			break
		}
	}
	if i == 0 || !strings.HasPrefix(u[i:], "://") {
		return "", false
	}
	rest := u[i+3:]
	// With user info first; like the regexp, back off to none when that
	// leaves no host.
	if at := strings.IndexAny(rest, "/?#@"); at >= 0 && rest[at] == '@' {
		if h := hostPrefix(rest[at+1:]); h != "" {
			return h, true
		}
	}
	h := hostPrefix(rest)
	return h, h != ""
}

func hostPrefix(s string) string {
	if end := strings.IndexAny(s, "/:?#"); end >= 0 {
		return s[:end]
	}
	return s
}

// distinct sorts in and drops repeats, in place.
func distinct(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// emptyArray is shared by every view with an empty list; terms handed to
// OPA as input are never mutated.
var emptyArray = ast.ArrayTerm()
