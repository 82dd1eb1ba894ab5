package bomdiff

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/mlbom/autopilot/internal/property"
)

var update = flag.Bool("update", false, "rewrite golden files")

func ptr[T any](v T) *T { return &v }

func model(ref, version, purl, sha, license string, props ...cdx.Property) cdx.Component {
	c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeMachineLearningModel, Name: ref, Version: version, PackageURL: purl}
	if sha != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: sha}}
	}
	if license != "" {
		c.Licenses = &cdx.Licenses{{License: &cdx.License{ID: license}}}
	}
	c.Properties = &[]cdx.Property{{Name: property.AssetKind, Value: "model"}}
	*c.Properties = append(*c.Properties, props...)
	return c
}

func bom(cs []cdx.Component, deps ...cdx.Dependency) *cdx.BOM {
	b := cdx.NewBOM()
	b.Components = &cs
	if len(deps) > 0 {
		b.Dependencies = &deps
	}
	return b
}

func fields(it Item) []string {
	var f []string
	for _, c := range it.Changes {
		f = append(f, c.Field)
	}
	return f
}

func TestDiff(t *testing.T) {
	base := func() []cdx.Component {
		return []cdx.Component{
			model("llama", "1", "pkg:huggingface/meta/llama@abc", "aa", "llama3"),
			model("bert", "1", "pkg:huggingface/google/bert@111", "bb", "apache-2.0"),
		}
	}
	tests := []struct {
		name                     string
		old, new                 *cdx.BOM
		added, removed, changed  []string
		changedFields            map[string][]string
		drift, licenseChange     map[string]bool
		edgesAdded, edgesRemoved int
	}{
		{name: "identical", old: bom(base()), new: bom(base())},
		{name: "nil old: all added", old: nil, new: bom(base()), added: []string{"bert", "llama"}},
		{name: "nil both", old: nil, new: nil},
		{
			name:  "added and removed",
			old:   bom(base()),
			new:   bom([]cdx.Component{base()[0], model("whisper", "3", "", "cc", "mit")}),
			added: []string{"whisper"}, removed: []string{"bert"},
		},
		{
			name: "hash drift: same version and revision, new bytes",
			old:  bom(base()),
			new: func() *cdx.BOM {
				cs := base()
				cs[0].Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: "ff"}}
				return bom(cs)
			}(),
			changed:       []string{"llama"},
			changedFields: map[string][]string{"llama": {FieldHashes}},
			drift:         map[string]bool{"llama": true},
		},
		{
			name: "new revision with new hash is not drift",
			old:  bom(base()),
			new: func() *cdx.BOM {
				cs := base()
				cs[0].PackageURL = "pkg:huggingface/meta/llama@def"
				cs[0].Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: "ff"}}
				return bom(cs)
			}(),
			changed:       []string{"llama"},
			changedFields: map[string][]string{"llama": {FieldPURL, FieldHashes}},
		},
		{
			name:    "hash added where there was none is not drift",
			old:     bom([]cdx.Component{model("x", "1", "", "", "")}),
			new:     bom([]cdx.Component{model("x", "1", "", "ab", "")}),
			changed: []string{"x"}, changedFields: map[string][]string{"x": {FieldHashes}},
		},
		{
			name: "license change and supplier",
			old:  bom(base()),
			new: func() *cdx.BOM {
				cs := base()
				cs[1].Licenses = &cdx.Licenses{{Expression: "Apache-2.0 OR MIT"}}
				cs[1].Supplier = &cdx.OrganizationalEntity{Name: "Google"}
				return bom(cs)
			}(),
			changed:       []string{"bert"},
			changedFields: map[string][]string{"bert": {FieldLicenses, FieldSupplier}},
			licenseChange: map[string]bool{"bert": true},
		},
		{
			name: "version, occurrences, runtime and other properties",
			old:  bom(base()),
			new: func() *cdx.BOM {
				cs := base()
				cs[0].Version = "2"
				cs[0].Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: "app.py", Line: ptr(12)}}}
				*cs[0].Properties = append(*cs[0].Properties,
					cdx.Property{Name: property.RuntimeObserved, Value: "true"},
					cdx.Property{Name: "mlbom:modelscan.verdict", Value: "malicious"},
					cdx.Property{Name: "other:ignored", Value: "x"})
				return bom(cs)
			}(),
			changed: []string{"llama"},
			changedFields: map[string][]string{"llama": {FieldVersion, FieldOccurrences, FieldRuntimeObserved,
				"property:mlbom:modelscan.verdict"}},
		},
		{
			name: "nested components and services",
			old: func() *cdx.BOM {
				cs := base()
				cs[0].Components = &[]cdx.Component{model("llama/tokenizer", "1", "", "t1", "")}
				b := bom(cs)
				b.Services = &[]cdx.Service{{BOMRef: "svc:openai", Name: "openai", Endpoints: &[]string{"https://api.openai.com/v1"}}}
				return b
			}(),
			new: func() *cdx.BOM {
				cs := base()
				cs[0].Components = &[]cdx.Component{model("llama/tokenizer", "1", "", "t2", "")}
				b := bom(cs)
				b.Services = &[]cdx.Service{
					{BOMRef: "svc:openai", Name: "openai", Endpoints: &[]string{"https://api.openai.com/v1", "https://api.openai.com/v2"}},
					{BOMRef: "svc:anthropic", Name: "anthropic"},
				}
				return b
			}(),
			added:         []string{"svc:anthropic"},
			changed:       []string{"llama/tokenizer", "svc:openai"},
			changedFields: map[string][]string{"llama/tokenizer": {FieldHashes}, "svc:openai": {FieldOccurrences}},
			drift:         map[string]bool{"llama/tokenizer": true},
		},
		{
			name:       "dependency edges",
			old:        bom(base(), cdx.Dependency{Ref: "app", Dependencies: &[]string{"llama", "bert"}}),
			new:        bom(base(), cdx.Dependency{Ref: "app", Dependencies: &[]string{"llama"}}, cdx.Dependency{Ref: "llama", Dependencies: &[]string{"bert"}}),
			edgesAdded: 1, edgesRemoved: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Diff(tc.old, tc.new)
			refs := func(items []Item) []string {
				var s []string
				for _, it := range items {
					s = append(s, it.BOMRef)
				}
				return s
			}
			if got := refs(r.Added); !reflect.DeepEqual(got, tc.added) {
				t.Errorf("added = %v, want %v", got, tc.added)
			}
			if got := refs(r.Removed); !reflect.DeepEqual(got, tc.removed) {
				t.Errorf("removed = %v, want %v", got, tc.removed)
			}
			if got := refs(r.Changed); !reflect.DeepEqual(got, tc.changed) {
				t.Errorf("changed = %v, want %v", got, tc.changed)
			}
			for _, it := range r.Changed {
				if want, ok := tc.changedFields[it.BOMRef]; ok && !reflect.DeepEqual(fields(it), want) {
					t.Errorf("%s fields = %v, want %v (%+v)", it.BOMRef, fields(it), want, it.Changes)
				}
				if it.HashDrift != tc.drift[it.BOMRef] {
					t.Errorf("%s HashDrift = %v", it.BOMRef, it.HashDrift)
				}
				if it.LicenseChange != tc.licenseChange[it.BOMRef] {
					t.Errorf("%s LicenseChange = %v", it.BOMRef, it.LicenseChange)
				}
			}
			if len(r.EdgesAdded) != tc.edgesAdded || len(r.EdgesRemoved) != tc.edgesRemoved {
				t.Errorf("edges +%v -%v", r.EdgesAdded, r.EdgesRemoved)
			}
		})
	}
}

func TestDiffEdgesExact(t *testing.T) {
	r := Diff(
		bom(nil, cdx.Dependency{Ref: "app", Dependencies: &[]string{"b", "a"}}),
		bom(nil, cdx.Dependency{Ref: "app", Dependencies: &[]string{"c", "a"}}, cdx.Dependency{Ref: "a", Dependencies: &[]string{"z"}}),
	)
	want := []Edge{{"a", "z"}, {"app", "c"}}
	if !reflect.DeepEqual(r.EdgesAdded, want) || !reflect.DeepEqual(r.EdgesRemoved, []Edge{{"app", "b"}}) {
		t.Errorf("edges +%v -%v", r.EdgesAdded, r.EdgesRemoved)
	}
}

func goldenPair(t *testing.T) (*cdx.BOM, *cdx.BOM) {
	var out [2]*cdx.BOM
	for i, name := range []string{"old.cdx.json", "new.cdx.json"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		b := new(cdx.BOM)
		if err := cdx.NewBOMDecoder(f, cdx.BOMFileFormatJSON).Decode(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
		out[i] = b
	}
	return out[0], out[1]
}

func golden(t *testing.T, name string, got []byte) {
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	old, new := goldenPair(t)
	r := Diff(old, new)
	r.Project, r.From, r.To = "acme/assistant", 3, 4
	var text bytes.Buffer
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.txt", text.Bytes())
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.json", append(js, '\n'))

	// The JSON contract the CLI promises.
	var generic map[string]any
	json.Unmarshal(js, &generic)
	for _, k := range []string{"added", "removed", "changed"} {
		arr, ok := generic[k].([]any)
		if !ok || len(arr) == 0 {
			t.Fatalf("%q: %v", k, generic[k])
		}
		item := arr[0].(map[string]any)
		if item["bom-ref"] == nil || item["name"] == nil {
			t.Errorf("%s item without bom-ref/name: %v", k, item)
		}
		if k == "changed" {
			ch := item["changes"].([]any)[0].(map[string]any)
			if _, ok := ch["old"]; !ok || ch["field"] == nil {
				t.Errorf("change without field/old/new: %v", ch)
			}
		}
	}
	// Text callouts.
	s := text.String()
	for _, want := range []string{"HASH DRIFT", "LICENSE CHANGE", "+ ", "- ", "~ ", "→", "summary:"} {
		if !strings.Contains(s, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// JSON of an empty diff still has the three arrays.
	js, _ = json.Marshal(Diff(old, old))
	if !strings.Contains(string(js), `"added":[]`) || !strings.Contains(string(js), `"changed":[]`) {
		t.Errorf("empty diff JSON: %s", js)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := synthetic(500, 0), synthetic(500, 1)
	first, _ := json.Marshal(Diff(a, b))
	for range 5 {
		again, _ := json.Marshal(Diff(a, b))
		if !bytes.Equal(first, again) {
			t.Fatal("Diff output depends on map iteration order")
		}
	}
}

// synthetic builds an n-component BOM; variant 1 changes, adds and removes
// about 10% of components relative to variant 0.
func synthetic(n, variant int) *cdx.BOM {
	cs := make([]cdx.Component, 0, n)
	deps := make([]cdx.Dependency, 0, n)
	for i := range n {
		if variant == 1 && i%20 == 0 {
			continue // removed
		}
		ref := fmt.Sprintf("pkg:huggingface/org%d/model-%d@rev%d", i%50, i, i)
		sha := fmt.Sprintf("%064x", i)
		lic := "apache-2.0"
		if variant == 1 && i%20 == 1 {
			sha = fmt.Sprintf("%064x", i+1) // drift
		}
		if variant == 1 && i%20 == 2 {
			lic = "cc-by-nc-4.0"
		}
		c := model(ref, "1.0", ref, sha, lic, cdx.Property{Name: "mlbom:format", Value: "safetensors"})
		c.Name = fmt.Sprintf("model-%d", i)
		c.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: fmt.Sprintf("src/m%d.py", i), Line: ptr(i%300 + 1)}}}
		cs = append(cs, c)
		deps = append(deps, cdx.Dependency{Ref: ref, Dependencies: &[]string{fmt.Sprintf("dataset-%d", i%100)}})
	}
	if variant == 1 {
		for i := range n / 20 {
			ref := fmt.Sprintf("new-%d", i)
			cs = append(cs, model(ref, "1", "", "", "mit"))
		}
	}
	return bom(cs, deps...)
}

func BenchmarkDiff10k(b *testing.B) {
	a, c := synthetic(10000, 0), synthetic(10000, 1)
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		r := Diff(a, c)
		if len(r.Changed) == 0 {
			b.Fatal("no changes found")
		}
		n++
	}
	// CPU time per diff: wall time is unreliable on a shared machine.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n)/1e6, "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func FuzzDiff(f *testing.F) {
	seedOld, _ := os.ReadFile(filepath.Join("testdata", "old.cdx.json"))
	seedNew, _ := os.ReadFile(filepath.Join("testdata", "new.cdx.json"))
	f.Add(seedOld, seedNew)
	f.Add([]byte(`{"components":[{"name":"x"}]}`), []byte(`{"components":[{"name":"x","components":[{"name":"x"}]}]}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var x, y cdx.BOM
		if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
			return
		}
		r := Diff(&x, &y)
		if want := referenceDiff(&x, &y); !reflect.DeepEqual(r, want) {
			t.Fatalf("fast and reference diffs differ: %+v vs %+v", r, want)
		}
		if err := WriteText(&bytes.Buffer{}, r); err != nil {
			t.Fatal(err)
		}
		if rev := Diff(&y, &x); len(rev.Added) != len(r.Removed) || len(rev.Removed) != len(r.Added) {
			t.Fatalf("asymmetric: %d/%d vs %d/%d", len(r.Added), len(r.Removed), len(rev.Added), len(rev.Removed))
		}
	})
}

// referenceDiff is the straightforward diff the fast path must agree with:
// every pair normalized and compared, edges as plain sets.
func referenceDiff(old, new *cdx.BOM) *Result {
	index := func(b *cdx.BOM) map[string]*node {
		m := map[string]*node{}
		es := flatten(b)
		for i := range es {
			m[es[i].ref] = es[i].node()
		}
		return m
	}
	edgeSet := func(b *cdx.BOM) map[Edge]bool {
		m := map[Edge]bool{}
		if b == nil || b.Dependencies == nil {
			return m
		}
		for _, d := range *b.Dependencies {
			for _, to := range deref(d.Dependencies) {
				m[Edge{d.Ref, to}] = true
			}
		}
		return m
	}
	a, b := index(old), index(new)
	r := &Result{Added: []Item{}, Removed: []Item{}, Changed: []Item{}}
	for ref, n := range b {
		if o, ok := a[ref]; !ok {
			r.Added = append(r.Added, Item{BOMRef: ref, Name: n.name, Kind: n.kind})
		} else if it, changed := compare(o, n); changed {
			r.Changed = append(r.Changed, it)
		}
	}
	for ref, o := range a {
		if _, ok := b[ref]; !ok {
			r.Removed = append(r.Removed, Item{BOMRef: ref, Name: o.name, Kind: o.kind})
		}
	}
	for _, l := range [][]Item{r.Added, r.Removed, r.Changed} {
		slices.SortFunc(l, func(x, y Item) int { return strings.Compare(x.BOMRef, y.BOMRef) })
	}
	ea, eb := edgeSet(old), edgeSet(new)
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

func TestDiffMatchesReference(t *testing.T) {
	old, new := goldenPair(t)
	// Raw-different but normalized-equal pairs must not show as changed:
	// reordered hashes/licenses/properties, upper-case hash, line 0 vs none.
	reorder := func() (*cdx.BOM, *cdx.BOM) {
		x := model("m", "1", "", "AB", "mit", cdx.Property{Name: "mlbom:a", Value: "1"}, cdx.Property{Name: "mlbom:b", Value: "2"})
		y := model("m", "1", "", "ab", "mit", cdx.Property{Name: "mlbom:b", Value: "2"}, cdx.Property{Name: "mlbom:a", Value: "1"})
		x.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: "a.py", Line: ptr(0)}, {Location: "b.py"}}}
		y.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: "b.py"}, {Location: "a.py"}}}
		y.Supplier = &cdx.OrganizationalEntity{}
		return bom([]cdx.Component{x}, cdx.Dependency{Ref: "m", Dependencies: &[]string{"a", "b", "a"}}),
			bom([]cdx.Component{y}, cdx.Dependency{Ref: "m", Dependencies: &[]string{"b"}}, cdx.Dependency{Ref: "m", Dependencies: &[]string{"a"}})
	}
	ro, rn := reorder()
	pairs := []struct {
		name     string
		old, new *cdx.BOM
	}{
		{"golden", old, new},
		{"golden reversed", new, old},
		{"synthetic", synthetic(2000, 0), synthetic(2000, 1)},
		{"synthetic reversed", synthetic(2000, 1), synthetic(2000, 0)},
		{"normalized equal", ro, rn},
		{"duplicate refs", bom([]cdx.Component{model("d", "1", "", "", ""), model("d", "2", "", "", "")}),
			bom([]cdx.Component{model("d", "2", "", "", ""), model("d", "1", "", "", "")})},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			got, want := Diff(p.old, p.new), referenceDiff(p.old, p.new)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("fast and reference diffs differ:\n got %s\nwant %s", g, w)
			}
		})
	}
	if r := Diff(ro, rn); !r.Empty() {
		t.Errorf("normalized-equal BOMs reported as changed: %+v", r)
	}
}
