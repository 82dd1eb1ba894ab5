package discover

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
)

// TestCorpusCounts is a measuring tool, not a check: it scans the
// directories listed in MLBOM_DISCOVER_CORPUS (separated by the OS path
// list separator, e.g. module-cache or dist-packages trees) and prints
// the number of findings per kind, with every AI-asset finding when
// MLBOM_DISCOVER_CORPUS_VERBOSE is set. Findings in clearly non-ML code
// are false positives to look at.
func TestCorpusCounts(t *testing.T) {
	dirs := os.Getenv("MLBOM_DISCOVER_CORPUS")
	if dirs == "" {
		t.Skip("set MLBOM_DISCOVER_CORPUS to directories to scan")
	}
	verbose := os.Getenv("MLBOM_DISCOVER_CORPUS_VERBOSE") != ""
	for _, d := range filepath.SplitList(dirs) {
		res, err := Discover(context.Background(), os.DirFS(d), Options{Workers: 2})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		counts := map[asset.Kind]int{}
		var lines []string
		for _, f := range res.Sightings {
			counts[f.Kind]++
			if f.Kind != asset.KindLicense && f.Kind != asset.KindFramework {
				lines = append(lines, fmt.Sprintf("  %s %s %q %s:%d %.80q", f.Kind, f.Detector, f.Name, f.Path, f.Line, f.Props["preview"]))
			}
		}
		sort.Strings(lines)
		t.Logf("%s: files %d findings %v", d, res.Files, counts)
		if verbose && len(lines) > 0 {
			t.Logf("\n%s", strings.Join(lines, "\n"))
		}
	}
}
