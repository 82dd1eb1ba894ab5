package modelscan

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRealLibraryOutput scans files written by the real libraries (torch,
// numpy, joblib/scikit-learn, h5py, pickle; see testdata/gen_real.py):
// every benign file must stay below medium, every malicious one reach high.
func TestRealLibraryOutput(t *testing.T) {
	counts := map[string][2]int{} // kind → {ok, total}
	for _, kind := range []string{"benign", "malicious"} {
		files, err := filepath.Glob(filepath.Join("testdata", "real", kind, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s fixtures under testdata/real (regenerate with testdata/gen_real.py)", kind)
		}
		for _, f := range files {
			if filepath.Ext(f) == ".data" {
				continue // ONNX external tensor data: raw bytes, read only through the model
			}
			r := ScanPath(context.Background(), f, DefaultOptions())
			worst := Worst([]Report{r})
			ok := !worst.AtLeast(SeverityMedium)
			if kind == "malicious" {
				ok = worst.AtLeast(SeverityHigh)
			}
			c := counts[kind]
			c[1]++
			if ok {
				c[0]++
			} else {
				t.Errorf("%s: %s %s worst %q: %+v %s", kind, filepath.Base(f), r.Status, worst, r.Findings, r.Error)
			}
			counts[kind] = c
			t.Logf("%-9s %-34s %-14s %-10s worst=%s", kind, filepath.Base(f), r.Format, r.Status, worst)
		}
	}
	b, m := counts["benign"], counts["malicious"]
	t.Logf("real-library corpus: detection %d/%d, false positives %d/%d", m[0], m[1], b[1]-b[0], b[1])
}
