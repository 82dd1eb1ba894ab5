package modelformat_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover"
	"github.com/mlbom/autopilot/internal/modelformat"
	"github.com/mlbom/autopilot/internal/modelscan"
)

func zipBytes(names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte("payload of " + n))
	}
	zw.Close()
	return b.Bytes()
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// A weight file gets the same format name in the BOM (discovery's
// weights detector) as in the model-file scanner's report.
func TestDiscoveryAndScannerAgree(t *testing.T) {
	hdr := `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	safetensors := append([]byte{byte(len(hdr)), 0, 0, 0, 0, 0, 0, 0}, hdr+"\x00\x00\x80\x3f"...)
	pickle4 := []byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.")
	files := map[string][]byte{
		"m.safetensors": safetensors,
		"m.pt":          zipBytes("archive/data.pkl", "archive/data/0", "archive/version"),
		"ts.pt":         zipBytes("archive/data.pkl", "archive/code/__torch__/m.py", "archive/constants.pkl"),
		"old.bin":       append(modelformat.PyTorchLegacyMagic(), ".\x80\x02M\xe9\x03."...),
		"clf.pkl":       pickle4,
		"model.joblib":  []byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x06joblib\x94."),
		"gz.joblib":     gz(pickle4),
		"llm.gguf":      []byte("GGUF\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
		"m.keras":       zipBytes("metadata.json", "config.json", "model.weights.h5"),
		"m.h5":          []byte("\x89HDF\r\n\x1a\n\x00\x00\x00\x00"),
		"a.npy":         []byte("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n\x00\x00\x80\x3f"),
		"a.npz":         zipBytes("w.npy", "b.npy"),
		"m.tflite":      []byte("\x1c\x00\x00\x00TFL3\x00\x00\x00\x00"),
		"m.mlmodel":     []byte("\x08\x04\x12\x05\x0a\x03abc"),
	}
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	res, err := discover.Discover(context.Background(), fsys, discover.Options{Workers: 1, SkipHash: true})
	if err != nil {
		t.Fatal(err)
	}
	bom := map[string]string{}
	for _, s := range res.Sightings {
		bom[s.Path] = s.Format
	}
	opts := modelscan.DefaultOptions()
	opts.Hash = false
	for p, data := range files {
		rep := modelscan.Scan(context.Background(), p, bytes.NewReader(data), int64(len(data)), opts)
		if bom[p] == "" {
			t.Errorf("%s: discovery did not report it as weights (scanner: %s)", p, rep.Format)
			continue
		}
		if rep.Format != bom[p] {
			t.Errorf("%s: BOM format %q, scanner report %q", p, bom[p], rep.Format)
		}
	}
}

func TestCanonicalReadsOldScannerNames(t *testing.T) {
	for old, now := range map[string]string{"numpy-npy": "npy", "numpy-npz": "npz", "tf-savedmodel": "savedmodel", "pytorch-tar": "pytorch-legacy", "pickle": "pickle"} {
		if got := modelformat.Canonical(old); got != now {
			t.Errorf("Canonical(%q) = %q, want %q", old, got, now)
		}
	}
}
