package policy

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRegoUnitTests runs policies/*_test.rego through OPA's tester package,
// the same tests `scripts/opa-test.sh` runs with the opa binary.
func TestRegoUnitTests(t *testing.T) {
	results, err := tester.Run(context.Background(), filepath.Join("..", "..", "policies"))
	if err != nil {
		t.Fatalf("load and run Rego tests: %v", err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	passed := 0
	for _, r := range results {
		switch {
		case r.Error != nil:
			t.Errorf("%s.%s (%v): error: %v", r.Package, r.Name, r.Location, r.Error)
		case r.Fail:
			t.Errorf("%s.%s (%v): FAIL", r.Package, r.Name, r.Location)
		case r.Skip:
			t.Logf("%s.%s: skipped", r.Package, r.Name)
		default:
			passed++
		}
	}
	t.Logf("%d/%d Rego tests passed", passed, len(results))
}
