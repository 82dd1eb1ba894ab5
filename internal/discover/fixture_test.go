package discover

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
)

type expectedFinding struct {
	Kind asset.Kind `json:"kind"`
	Name string     `json:"name"`
	Path string     `json:"path"`
	Line int        `json:"line"`
}

func (e expectedFinding) key() string {
	return fmt.Sprintf("%s|%s|%s|%d", e.Kind, e.Name, e.Path, e.Line)
}

// TestFixtureRepoPrecisionRecall scans a small realistic application and
// scores the findings against its hand-checked inventory, per asset kind.
func TestFixtureRepoPrecisionRecall(t *testing.T) {
	raw, err := os.ReadFile("testdata/fixture-repo.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Findings []expectedFinding `json:"findings"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	res, err := Discover(context.Background(), os.DirFS("testdata/fixture-repo"), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]asset.Kind{}
	for _, e := range exp.Findings {
		want[e.key()] = e.Kind
	}
	got := map[string]asset.Kind{}
	for _, f := range res.Sightings {
		got[expectedFinding{f.Kind, f.Name, f.Path, f.Line}.key()] = f.Kind
	}
	kinds := map[asset.Kind]bool{}
	for _, k := range want {
		kinds[k] = true
	}
	for _, k := range got {
		kinds[k] = true
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	for _, k := range ks {
		tp, fp, fn := 0, 0, 0
		for key, kind := range got {
			if string(kind) != k {
				continue
			}
			if _, ok := want[key]; ok {
				tp++
			} else {
				fp++
				t.Logf("unexpected: %s", key)
			}
		}
		for key, kind := range want {
			if string(kind) == k {
				if _, ok := got[key]; !ok {
					fn++
					t.Logf("missed: %s", key)
				}
			}
		}
		prec := ratio(tp, tp+fp)
		rec := ratio(tp, tp+fn)
		t.Logf("%-9s precision %.2f recall %.2f (tp %d fp %d fn %d)", k, prec, rec, tp, fp, fn)
		if prec < 0.9 || rec < 0.9 {
			t.Errorf("%s: precision %.2f recall %.2f, want >= 0.90 each", k, prec, rec)
		}
	}

	// Attributes beyond identity.
	data, err := os.ReadFile("testdata/fixture-repo/models/classifier/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	for _, f := range res.Sightings {
		switch f.Path {
		case "models/classifier/model.safetensors":
			if f.SHA256 != hex.EncodeToString(sum[:]) || f.Format != "safetensors" || f.Model != "sentiment-bert" || f.LFS {
				t.Errorf("real weights: %+v", f)
			}
		case "models/llm/model-00001-of-00002.safetensors":
			if !f.LFS || f.Size != 4976698672 || f.SHA256 != "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" || f.Format != "safetensors" {
				t.Errorf("LFS pointer: %+v", f)
			}
		case "app.py":
			if f.Kind == asset.KindService && f.URL != "https://llm-gateway.internal/v1" {
				t.Errorf("service endpoint from base_url: %+v", f)
			}
			if f.Detector == "python.from_pretrained" && f.Line == 21 && f.Version != "v1.2" {
				t.Errorf("revision from default parameter: %+v", f)
			}
		case "models/classifier/README.md":
			if f.Detector == "card.front_matter" {
				c := f.Card
				if f.License != "apache-2.0" || c == nil || len(c.Metrics) != 1 || c.Metrics[0].Value != "0.91" || c.PipelineTag != "text-classification" || c.TrainingData == "" || c.Limitations == "" {
					t.Errorf("model card: %+v %+v", f, c)
				}
			}
		}
	}
	if res.Files != 24 {
		t.Errorf("files visited = %d, want 24", res.Files)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
