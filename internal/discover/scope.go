package discover

import (
	"maps"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
)

// Sighting properties that say an asset was seen in test or example code.
// The inventory keeps the component but marks it excluded (CycloneDX scope
// "excluded") when every one of its sightings carries them.
const (
	PropScope       = "scope"        // "excluded"
	PropScopeReason = "scope.reason" // "test" or "example"
)

// codeScope says whether p (repository-relative) is test code or example
// code: a tests/, test/, testdata/, __tests__/ or spec/ directory, a test
// file by its name (test_x.py, x_test.py, x_test.go, x.test.ts, x.spec.js,
// conftest.py, a Rust tests.rs module), or an examples/, example/, samples/, sample/, demo/ or
// demos/ directory. Test wins over example when both apply.
func codeScope(p string) string {
	lp := strings.ToLower(p)
	base := path.Base(lp)
	if strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py") || strings.HasSuffix(base, "_test.py") ||
		strings.HasSuffix(base, "_test.go") || base == "conftest.py" || base == "tests.rs" ||
		strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") {
		return "test"
	}
	scope := ""
	for dir := path.Dir(lp); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		switch path.Base(dir) {
		case "test", "tests", "testdata", "__tests__", "spec":
			return "test"
		case "example", "examples", "sample", "samples", "demo", "demos":
			scope = "example"
		}
	}
	return scope
}

// markScope sets the scope properties on sightings in test or example code.
// License texts are facts about the repository, not components, and keep
// none.
func markScope(ss []asset.Sighting) {
	for i := range ss {
		f := &ss[i]
		if f.Kind == asset.KindLicense {
			continue
		}
		sc := codeScope(f.Path)
		if sc == "" {
			continue
		}
		// Detectors may share one Props map between sightings.
		props := maps.Clone(f.Props)
		if props == nil {
			props = make(map[string]string, 2)
		}
		props[PropScope] = "excluded"
		props[PropScopeReason] = sc
		f.Props = props
	}
}
