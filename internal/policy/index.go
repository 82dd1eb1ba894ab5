package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"regexp"
	"sort"
	"strings"
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
	m     map[string][]*ast.Term
}

func (g *groups) add(k string, t *ast.Term) {
	if g.m == nil {
		g.m = map[string][]*ast.Term{}
	}
	if _, ok := g.m[k]; !ok {
		g.order = append(g.order, k)
	}
	g.m[k] = append(g.m[k], t)
}

func (g *groups) term(strs interner) *ast.Term {
	obj := ast.NewObject()
	for _, k := range g.order {
		obj.Insert(strs.term(k), ast.ArrayTerm(g.m[k]...))
	}
	return ast.NewTerm(obj)
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
	var raw []map[string]any
	top, _ := bom["components"].([]any)
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
	// The same view terms appear in components, by_kind and weight_files;
	// sharing them costs nothing.
	views := make([]*ast.Term, len(raw))
	byKind := map[string][]*ast.Term{}
	var kinds []string
	refs := ast.NewObjectWithCapacity(len(raw))
	seenRef := make(map[string]bool, len(raw))
	weightFiles := []*ast.Term{}
	strs := interner{}
	var byLicense, byHost, weightDirs groups
	byOrg, unlicensed := map[string]*groups{}, &groups{}
	byProp := make([]groups, len(indexProps))
	knownPaths, knownSHA := ast.NewSet(), ast.NewSet()
	for i, c := range raw {
		v := componentView(c, strs)
		vt := ast.NewTerm(v.value)
		views[i] = vt
		for _, p := range v.props {
			for j, name := range indexProps {
				if p.k == name {
					byProp[j].add(p.v, vt)
				}
			}
		}
		// by kind, then organisation ("" too: models without one matter).
		if byOrg[v.kind] == nil {
			byOrg[v.kind] = &groups{}
		}
		byOrg[v.kind].add(v.org, vt)
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
				knownPaths.Add(strs.term(strings.TrimPrefix(p, "/")))
			}
			knownPaths.Add(strs.term(strings.TrimPrefix(v.name, "/")))
			for _, h := range v.sha256 {
				knownSHA.Add(strs.term(h))
			}
		}
		if _, ok := byKind[v.kind]; !ok {
			kinds = append(kinds, v.kind)
		}
		byKind[v.kind] = append(byKind[v.kind], vt)
		if !seenRef[v.ref] {
			seenRef[v.ref] = true
			refs.Insert(ast.StringTerm(v.ref), ast.InternedTerm(i))
		}
		if v.weightFile {
			weightFiles = append(weightFiles, vt)
		}
	}
	bk := ast.NewObject()
	for _, k := range kinds {
		bk.Insert(ast.StringTerm(k), ast.ArrayTerm(byKind[k]...))
	}
	byOrgObj := ast.NewObject()
	for _, k := range kinds {
		byOrgObj.Insert(strs.term(k), byOrg[k].term(strs))
	}
	byPropObj := ast.NewObject()
	for j, name := range indexProps {
		byPropObj.Insert(strs.term(name), byProp[j].term(strs))
	}
	return ast.NewObject(
		ast.Item(keyComponents, ast.ArrayTerm(views...)),
		ast.Item(keyByKind, ast.NewTerm(bk)),
		ast.Item(keyRefs, ast.NewTerm(refs)),
		ast.Item(keyWeightFiles, ast.ArrayTerm(weightFiles...)),
		ast.Item(keyByProp, ast.NewTerm(byPropObj)),
		ast.Item(keyByOrg, ast.NewTerm(byOrgObj)),
		ast.Item(keyByLicense, byLicense.term(strs)),
		ast.Item(keyUnlicensed, unlicensed.term(strs)),
		ast.Item(keyByHost, byHost.term(strs)),
		ast.Item(keyWeightDirs, weightDirs.term(strs)),
		ast.Item(keyKnownPaths, ast.NewTerm(knownPaths)),
		ast.Item(keyKnownSHA256, ast.NewTerm(knownSHA)),
	)
}

func str(x any) string {
	s, _ := x.(string)
	return s
}

type kv struct{ k, v string }

// view is one component's entry in the index.
type view struct {
	value                          ast.Value
	kind, ref, name, org           string
	weightFile                     bool
	props                          []kv     // string values only
	licenses, hosts, paths, sha256 []string // distinct
}

// interner shares the terms of repeated strings (kinds, licenses, formats,
// hosts): fewer allocations for the garbage collector to chase.
type interner map[string]*ast.Term

func (in interner) term(s string) *ast.Term {
	t, ok := in[s]
	if !ok {
		t = ast.StringTerm(s)
		in[s] = t
	}
	return t
}

func componentView(c map[string]any, strs interner) view {
	ps0, _ := c["properties"].([]any)
	props := ast.NewObjectWithCapacity(len(ps0))
	ps, _ := c["properties"].([]any)
	var kind string
	kindSet := false
	var strProps []kv
	hasFormat, formatFalse := false, false
	for _, p := range ps {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		name, ok := pm["name"].(string)
		if !ok {
			continue
		}
		val, ok := pm["value"]
		if !ok {
			continue
		}
		k := strs.term(name)
		if props.Get(k) != nil {
			continue // the first of repeated names wins
		}
		var vt *ast.Term
		if sv, ok := val.(string); ok {
			vt = strs.term(sv)
			strProps = append(strProps, kv{name, sv})
		} else {
			v, err := ast.InterfaceToValue(val)
			if err != nil {
				continue
			}
			vt = ast.NewTerm(v)
		}
		props.Insert(k, vt)
		switch name {
		case "mlbom:asset.kind":
			kind, kindSet = val.(string)
		case "mlbom:weights.format":
			hasFormat, formatFalse = true, val == false
		}
	}
	name, group := str(c["name"]), str(c["group"])

	if !kindSet {
		switch c["type"] {
		case "machine-learning-model":
			kind = "model"
		case "data":
			kind = "dataset"
		default:
			kind = str(c["type"])
		}
	}
	ref, ok := c["bom-ref"].(string)
	if !ok {
		ref = name
	}
	display := name
	if group != "" && !strings.Contains(name, "/") {
		display = group + "/" + name
	}
	org := group
	if org == "" {
		if parts := strings.Split(name, "/"); len(parts) == 2 && parts[0] != "" {
			org = parts[0]
		}
	}
	licenses, disjunction := componentLicenses(c)

	var hashes, hosts, paths []string
	hs, _ := c["hashes"].([]any)
	for _, h := range hs {
		hm, _ := h.(map[string]any)
		alg, ok1 := hm["alg"].(string)
		content, ok2 := hm["content"].(string)
		if ok1 && ok2 && strings.EqualFold(alg, "SHA-256") {
			hashes = append(hashes, strings.ToLower(content))
		}
	}
	refsx, _ := c["externalReferences"].([]any)
	for _, r := range refsx {
		rm, _ := r.(map[string]any)
		u, ok := rm["url"].(string)
		switch rm["type"] {
		case "distribution", "vcs", "distribution-intake":
			if ok {
				if h, ok := urlHost(u); ok {
					hosts = append(hosts, strings.ToLower(h))
				}
			}
		}
	}
	if ev, ok := c["evidence"].(map[string]any); ok {
		occ, _ := ev["occurrences"].([]any)
		for _, o := range occ {
			om, _ := o.(map[string]any)
			if loc, ok := om["location"].(string); ok {
				paths = append(paths, loc)
			}
		}
	}
	if strings.Contains(name, "/") && strings.Contains(name, ".") {
		paths = append(paths, name)
	}
	obj := ast.NewObject(
		ast.Item(keyRef, ast.StringTerm(ref)),
		ast.Item(keyKind, strs.term(kind)),
		ast.Item(keyName, ast.StringTerm(name)),
		ast.Item(keyOrg, strs.term(org)),
		ast.Item(keyDisplay, ast.StringTerm(display)),
		ast.Item(keyProps, ast.NewTerm(props)),
		ast.Item(keyLicenses, sortedSet(licenses, strs)),
		ast.Item(keyDisjunction, ast.InternedTerm(disjunction)),
		ast.Item(keyPaths, sortedSet(paths, strs)),
		ast.Item(keyHosts, sortedSet(hosts, strs)),
	)
	// As in Rego, a format property whose value is false does not count.
	weightFile := kind == "weights" || (hasFormat && !formatFalse)
	return view{
		value: obj, kind: kind, ref: ref, name: name, org: org, weightFile: weightFile, props: strProps,
		licenses: distinct(licenses), hosts: distinct(hosts), paths: distinct(paths), sha256: distinct(hashes),
	}
}

var (
	parens     = strings.NewReplacer("(", " ", ")", " ")
	withClause = regexp.MustCompile(`(?i)\s+WITH\s+[^\s()]+`)
	orWord     = regexp.MustCompile(`(?i)\sOR\s`)
	andWord    = regexp.MustCompile(`(?i)\sAND\s`)
)

// componentLicenses mirrors lib.licenses and lib.is_disjunction.
func componentLicenses(c map[string]any) (ids []string, disjunction bool) {
	entries, _ := c["licenses"].([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		lic, _ := em["license"].(map[string]any)
		expr, isExpr := em["expression"].(string)
		if isExpr && orWord.MatchString(expr) && !andWord.MatchString(expr) {
			disjunction = true
		}
		if id, ok := lic["id"].(string); ok {
			ids = append(ids, id)
		} else if n, ok := lic["name"].(string); ok {
			ids = append(ids, n)
		} else if isExpr {
			cleaned := parens.Replace(withClause.ReplaceAllString(expr, ""))
			for _, w := range strings.Split(cleaned, " ") {
				t := strings.TrimSpace(w)
				if u := strings.ToUpper(t); t == "" || u == "AND" || u == "OR" {
					continue
				}
				ids = append(ids, t)
			}
		}
	}
	return ids, disjunction
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

// sortedSet returns the distinct strings, sorted, as an array term.
func sortedSet(in []string, strs interner) *ast.Term {
	if len(in) == 0 {
		return emptyArray
	}
	sort.Strings(in)
	out := make([]*ast.Term, 0, len(in))
	for i, s := range in {
		if i > 0 && s == in[i-1] {
			continue
		}
		out = append(out, strs.term(s))
	}
	return ast.ArrayTerm(out...)
}
