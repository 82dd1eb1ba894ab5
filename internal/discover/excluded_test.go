package discover

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/weights"
)

func torchZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"archive/data.pkl", "archive/version"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("\x80\x02}q\x00."))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Excluded directories are sniffed for model files and nothing else: code
// there names no asset, its files are not counted as visited, VCS metadata
// is not even sniffed; model files named like Markdown or too large for
// text are weights wherever they are.
func TestModelFilesWhereDiscoveryDoesNotLook(t *testing.T) {
	model := torchZip(t)
	fsys := fstest.MapFS{
		"node_modules/pkg/index.py":    {Data: []byte("AutoModel.from_pretrained('acme/vendored')\n")},
		"node_modules/pkg/w.md":        {Data: model},
		"venv/lib/x/__pycache__/m.bin": {Data: model},
		".git/objects/ab/model.pt":     {Data: model},
		"docs/notes.md":                {Data: []byte("# notes\nfrom_pretrained('acme/in-notes')\n")},
		"docs/weights.md":              {Data: model},
		"cfg/big.json":                 {Data: append(append([]byte(nil), model...), make([]byte, 64)...)},
		"app.py":                       {Data: []byte("AutoModel.from_pretrained('acme/app')\n")},
	}
	res, err := Discover(context.Background(), fsys, Options{MaxFileSize: int64(len(model)) + 8, SkipHash: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range res.Sightings {
		if s.Kind == asset.KindWeights {
			got[s.Path] = s.Detector
		} else if s.Path != "app.py" {
			t.Errorf("unexpected sighting %s %q in %s (%s)", s.Kind, s.Name, s.Path, s.Detector)
		}
	}
	want := map[string]string{
		"node_modules/pkg/w.md":        weights.DetectorExcluded,
		"venv/lib/x/__pycache__/m.bin": weights.DetectorExcluded,
		"docs/weights.md":              "weights.magic",
		"cfg/big.json":                 "weights.magic",
	}
	if len(got) != len(want) {
		t.Errorf("weights %v, want %v", got, want)
	}
	for p, det := range want {
		if got[p] != det {
			t.Errorf("%s: detector %q, want %q", p, got[p], det)
		}
	}
	if res.Files != 4 {
		t.Errorf("files visited %d, want 4 (excluded directories are not counted)", res.Files)
	}
	for _, s := range res.Skipped {
		if s.Path == "cfg/big.json" {
			t.Errorf("a model file over the text cap is a weight file, not skipped: %s", s.Reason)
		}
	}
}
