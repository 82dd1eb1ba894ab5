package activities

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/modelscan"
)

// evilTorchZip is a PyTorch zip checkpoint whose data.pkl calls os.system
// when loaded; pad adds a stored member of that many bytes after it.
func evilTorchZip(t *testing.T, pad int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	add("archive/data.pkl", []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."))
	add("archive/version", []byte("3\n"))
	if pad > 0 {
		add("archive/data/0", make([]byte, pad))
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// A model file is scanned whatever its name and wherever it lies: under a
// text file's name, in the directories discovery excludes (caches, virtual
// environments, vendored packages), or named like JSON and too large to be
// read as text (issue 11). Each case failed with "0 scanned" before.
func TestScanFindsModelFilesWhateverTheirNameOrFolder(t *testing.T) {
	small := evilTorchZip(t, 0)
	for _, c := range []struct {
		path string
		data []byte
	}{
		{"docs/weights.md", small},
		{".cache/weights.md", small},
		{"venv/lib/python3.12/site-packages/pkg/weights.md", small},
		{"node_modules/@scope/pkg/dist/weights.md", small},
		{"node_modules/pkg/node_modules/dep/model.pt", small},
		{"src/__pycache__/weights.md", small},
		{"configs/settings.json", evilTorchZip(t, 9<<20)},
		{"node_modules/pkg/config.json", evilTorchZip(t, 9<<20)},
	} {
		t.Run(c.path, func(t *testing.T) {
			a := newActivities(t)
			repo := t.TempDir()
			files := map[string][]byte{
				c.path:                            c.data,
				"README.md":                       []byte("# app\n"),
				"node_modules/pkg/index.js":       []byte("module.exports = 1\n"),
				"node_modules/pkg/README.md":      []byte("# pkg\n"),
				".cache/pip/http/ab/cd":           []byte("\x00\x01not a model"),
				"venv/bin/activate":               []byte("# shell\n"),
				".git/objects/ab/cdef":            []byte("x\x01garbage"),
				"src/__pycache__/app.cpython.pyc": []byte("\x61\x0d\x0d\x0a\x00\x00\x00\x00"),
			}
			for p, data := range files {
				full := filepath.Join(repo, filepath.FromSlash(p))
				require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
				require.NoError(t, os.WriteFile(full, data, 0o644))
			}
			res, err := a.Scan(context.Background(), ScanRequest{ScanID: "s", Source: repo, Project: "p"})
			require.NoError(t, err)
			require.Equal(t, 1, res.Weights, "the model file is scanned, nothing else")
			require.Equal(t, 1, res.Malicious)
			var rec ScanRecord
			require.NoError(t, a.getJSON(context.Background(), res.ResultRef, &rec))
			require.Len(t, rec.Reports, 1)
			require.Equal(t, c.path, rec.Reports[0].File)
			require.Equal(t, modelscan.StatusMalicious, rec.Reports[0].Status)
		})
	}
}
