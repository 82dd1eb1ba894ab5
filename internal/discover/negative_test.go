package discover

import (
	"context"
	"os"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
)

// TestNegativeCorpus scans excerpts of ordinary, non-ML code (OPA, gRPC,
// Temporal, go-openai, the AWS SDK, and Debian's requests, setuptools,
// numpy, torch, pygments, matplotlib and sympy; see
// testdata/negative/SOURCES.md) in which earlier versions reported prompts,
// datasets, services and agents. None of them holds an AI asset.
func TestNegativeCorpus(t *testing.T) {
	const root = "testdata/negative"
	res, err := Discover(context.Background(), os.DirFS(root), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Guard against a vacuous pass: every excerpt must have been read.
	if res.Files < 26 || len(res.Skipped) != 0 {
		t.Fatalf("visited %d files, skipped %v; the corpus was not scanned", res.Files, res.Skipped)
	}
	for _, f := range res.Sightings {
		switch f.Kind {
		case asset.KindLicense, asset.KindFramework:
			// Not AI assets; the corpus has neither, but they are not what
			// this test is about.
		default:
			t.Errorf("false positive: %s %q at %s:%d (%s) %s", f.Kind, f.Name, f.Path, f.Line, f.Detector, f.Props["preview"])
		}
	}
}
