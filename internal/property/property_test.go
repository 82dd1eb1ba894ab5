package property_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/hub"
	"github.com/mlbom/autopilot/internal/oms"
	"github.com/mlbom/autopilot/internal/property"
)

// constants returns every mlbom: name property.go declares.
func constants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "property.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				val, _ := strconv.Unquote(lit.Value)
				if strings.HasPrefix(val, property.Prefix) && val != property.Prefix {
					out[val] = vs.Names[i].Name
				}
			}
		}
	}
	if len(out) < 40 {
		t.Fatalf("found %d constants in property.go; the parse is broken", len(out))
	}
	return out
}

var (
	reRow  = regexp.MustCompile("^\\| `(mlbom:[^`]+)`")
	reName = regexp.MustCompile(`"(mlbom:[a-z0-9._-]+)"`)
)

// documented returns the property names of the tables in docs/properties.md.
func documented(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "properties.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if m := reRow.FindStringSubmatch(l); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

// isDetail reports a documented detector detail, mlbom:<kind>.<key>.
func isDetail(name string) bool {
	kind, _, ok := strings.Cut(strings.TrimPrefix(name, property.Prefix), ".")
	switch asset.Kind(kind) {
	case asset.KindModel, asset.KindDataset, asset.KindWeights, asset.KindPrompt, asset.KindTool,
		asset.KindAgent, asset.KindService, asset.KindFramework:
		return ok
	}
	return false
}

func TestEveryNameIsDocumented(t *testing.T) {
	docs := documented(t)
	consts := constants(t)
	for val, name := range consts {
		if !docs[val] {
			t.Errorf("property.%s (%s) is not in docs/properties.md", name, val)
		}
	}
	for val := range docs {
		if strings.Contains(val, "<") {
			continue // the mlbom:<kind>.<key> pattern itself
		}
		if _, ok := consts[val]; !ok && !isDetail(val) {
			t.Errorf("docs/properties.md documents %s, which package property does not name", val)
		}
	}
}

// What the policies read is a documented property.
func TestPoliciesReadDocumentedNames(t *testing.T) {
	docs := documented(t)
	files, _ := filepath.Glob(filepath.Join("..", "..", "policies", "*"))
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".rego") && !strings.HasSuffix(f, ".json") || strings.HasSuffix(f, "_test.rego") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reName.FindAllStringSubmatch(string(data), -1) {
			n++
			if !docs[m[1]] {
				t.Errorf("%s reads %s, which docs/properties.md does not document", filepath.Base(f), m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("no property names found in policies/")
	}
}

// The details policies rely on are the names their producers' keys become.
func TestDetailsMatchTheirProducers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{property.Detail(string(asset.KindModel), oms.PropStatus), property.ModelSignatureStatus},
		{property.Detail(string(asset.KindModel), oms.PropSigner), property.ModelSignatureSigner},
		{property.Detail(string(asset.KindModel), oms.PropFile), property.ModelSignatureFile},
		{property.Detail(string(asset.KindModel), oms.PropFormat), property.ModelSignatureFormat},
		{property.Detail(string(asset.KindModel), oms.PropProblems), property.ModelSignatureProblems},
		{property.Detail(string(asset.KindWeights), hub.PropRepo), property.WeightsHubRepo},
		{property.Detail(string(asset.KindWeights), hub.PropRevision), property.WeightsHubRevision},
		{property.Detail(string(asset.KindWeights), hub.PropSHA256), property.WeightsHubSHA256},
		{property.Detail(string(asset.KindWeights), hub.PropMatch), property.WeightsHubMatch},
	} {
		if c.got != c.want {
			t.Errorf("producer writes %s, policies read %s", c.got, c.want)
		}
	}
}
