// Package weights recognises model weight files by content (magic bytes,
// through internal/modelformat), Git LFS pointers to weights and data, the
// bundle formats known by their layout (SavedModel, OpenVINO IR, CoreML
// .mlpackage), and hashes what it finds.
package weights

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/lfs"
	"github.com/mlbom/autopilot/internal/modelformat"
)

// Data extensions: LFS pointers to these and files beside a dataset card are
// datasets.
var dataExt = map[string]bool{
	".csv": true, ".tsv": true, ".parquet": true, ".jsonl": true, ".arrow": true,
	".tfrecord": true, ".avro": true, ".feather": true,
}

// sniffLen is how much of a file the format sniffer sees.
const sniffLen = 4096

// Files handles every file not read as text: LFS pointers, weights by
// magic bytes, data files, and the bundle formats recognised by their
// directory layout.
type Files struct {
	// Hash computes SHA-256 of weight files.
	Hash bool
}

func (Files) Name() string { return "weights" }

// Binary marks Files as the detector of files not read as text.
func (Files) Binary() {}

func (Files) Wants(*detect.File) bool { return true }

// bufs hold the read buffers of hashing, one per goroutine at a time.
var bufs = sync.Pool{New: func() any { b := make([]byte, hashBufSize); return &b }}

// heads hold the 4 KiB buffers the format sniff reads a file's head into;
// only a weight file takes a hashing buffer.
var heads = sync.Pool{New: func() any { return new([sniffLen]byte) }}

func (w Files) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	if dataExt[f.Ext] && f.Size > lfs.MaxSize {
		out.DataFile(f.Path)
		return
	}
	if f.Size == 0 {
		return
	}
	// Most files handed here are not weights: read their head into a
	// small buffer, and take a hashing buffer only for a weight file.
	hp := heads.Get().(*[sniffLen]byte)
	defer heads.Put(hp)
	head, err := readHead(f, hp[:])
	if err != nil {
		out.Skip(f.Path, detect.Unreadable(err))
		return
	}
	if f.Size <= lfs.MaxSize && lfs.Looks(head) {
		LFS(f, head, out)
		return
	}
	if dataExt[f.Ext] {
		out.DataFile(f.Path)
		return
	}
	format, ok := modelFormat(f, head)
	if !ok {
		return
	}
	fd := weightFinding(f, format, "")
	if inBundle(f.Path, ".mlpackage") {
		fd.Format = modelformat.CoreML
	}
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf := *bp
	if w.Hash {
		sum, size, err := hashFileBuf(ctx, f.FS, f.Path, buf)
		if err == nil {
			fd.SHA256, fd.Size = sum, size
		} else {
			out.Warn("%s: %v", f.Path, err)
		}
	}
	out.Add(fd)
	if format == modelformat.OpenVINO {
		bin := strings.TrimSuffix(f.Path, path.Ext(f.Path)) + ".bin"
		bf := &detect.File{Path: bin, Dir: f.Dir, Base: path.Base(bin), Ext: ".bin", FS: f.FS}
		b := weightFinding(bf, modelformat.OpenVINO, "")
		b.Detector = "weights.openvino_bin"
		if st, err := fs.Stat(f.FS, bin); err == nil {
			b.Size = st.Size()
		}
		if w.Hash {
			if sum, size, err := hashFileBuf(ctx, f.FS, bin, buf); err == nil {
				b.SHA256, b.Size = sum, size
			}
		}
		out.Add(b)
	}
}

// modelFormat names the model format of f from its first bytes (head),
// confirming what the head alone cannot tell: a zip's members from its
// central directory, a SavedModel's variables/ directory, an OpenVINO
// graph's .bin beside it.
func modelFormat(f *detect.File, head []byte) (string, bool) {
	format, ok := modelformat.Sniff(head, f.Base)
	if !ok && modelformat.IsZip(head) {
		// The members that tell the format may lie beyond the first 4 KiB.
		if names, zok := zipNames(f); zok {
			format = modelformat.ZipFormat(names)
			ok = format != modelformat.Zip
		}
	}
	if !ok {
		if f.Ext != ".pb" || f.Base != "saved_model.pb" {
			return "", false
		}
		format = modelformat.SavedModel
	}
	switch format {
	case modelformat.SavedModel:
		if st, err := fs.Stat(f.FS, path.Join(f.Dir, "variables")); err != nil || !st.IsDir() {
			return "", false
		}
	case modelformat.OpenVINO:
		bin := strings.TrimSuffix(f.Path, path.Ext(f.Path)) + ".bin"
		if _, err := fs.Stat(f.FS, bin); err != nil {
			return "", false
		}
	}
	switch format {
	case modelformat.PyTorchZip, modelformat.TorchScript, modelformat.Keras, modelformat.NPZ:
		// Confirm from the central directory when the file allows random
		// access; the local headers may have been cut short.
		if names, ok := zipNames(f); ok {
			if format = modelformat.ZipFormat(names); format == modelformat.Zip {
				return "", false
			}
		}
	}
	return format, true
}

func inBundle(p, suffix string) bool {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if strings.HasSuffix(strings.ToLower(d), suffix) {
			return true
		}
	}
	return false
}

func zipNames(f *detect.File) ([]string, bool) {
	fh, err := f.FS.Open(f.Path)
	if err != nil {
		return nil, false
	}
	defer fh.Close()
	ra, ok := fh.(io.ReaderAt)
	if !ok {
		return nil, false
	}
	zr, err := zip.NewReader(ra, f.Size)
	if err != nil {
		return nil, false
	}
	names := make([]string, 0, min(len(zr.File), 64))
	for i, zf := range zr.File {
		if i >= 4096 {
			break
		}
		names = append(names, zf.Name)
	}
	return names, true
}

func weightFinding(f *detect.File, format, sum string) asset.Sighting {
	return asset.Sighting{Kind: asset.KindWeights, Name: f.Path, Path: f.Path, Detector: "weights.magic",
		Confidence: 0.99, Format: format, SHA256: sum, Size: f.Size, Provider: "local"}
}

// DetectorExcluded names the sightings of InExcluded.
const DetectorExcluded = "weights.excluded_dir"

// InExcluded records f as a weight file when its first bytes are a model
// format. It is for the files of directories discovery excludes
// (node_modules, .cache, venv, ...): a model file hidden there is still
// loaded by whoever opens it, so it must reach the model-file scanner. Only
// the head is read (and a zip's central directory); nothing is hashed, as
// the scanner hashes what it reads.
func InExcluded(f *detect.File, out *detect.Report) {
	if f.Size == 0 {
		return
	}
	hp := heads.Get().(*[sniffLen]byte)
	defer heads.Put(hp)
	head, err := readHead(f, hp[:])
	if err != nil {
		return
	}
	format, ok := modelFormat(f, head)
	if !ok {
		return
	}
	fd := weightFinding(f, format, "")
	fd.Detector = DetectorExcluded
	out.Add(fd)
}

// readHead reads the first len(buf) bytes of f (fewer when f is shorter).
func readHead(f *detect.File, buf []byte) ([]byte, error) {
	fh, err := f.FS.Open(f.Path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	n, err := io.ReadFull(fh, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// InText recognises a weight file among files of a text type (a model
// saved as model.json, a pickle named data.txt) whose content turned out
// to be binary; false means it is not one.
func InText(ctx context.Context, f *detect.File, data []byte, hash bool, out *detect.Report) bool {
	format, ok := modelformat.Sniff(data, f.Base)
	if !ok {
		return false
	}
	sum := ""
	if hash {
		bp := bufs.Get().(*[]byte)
		defer bufs.Put(bp)
		if s, _, err := hashFileBuf(ctx, f.FS, f.Path, *bp); err == nil {
			sum = s
		}
	}
	out.Add(weightFinding(f, format, sum))
	return true
}

// Bundle recognises a directory that is a model as a whole: a CoreML
// .mlpackage has a Manifest.json. Its files are still walked.
func Bundle(fsys fs.FS, dir string) (asset.Sighting, bool) {
	if !strings.HasSuffix(strings.ToLower(dir), ".mlpackage") {
		return asset.Sighting{}, false
	}
	if _, err := fs.Stat(fsys, path.Join(dir, "Manifest.json")); err != nil {
		return asset.Sighting{}, false
	}
	return asset.Sighting{Kind: asset.KindWeights, Name: dir, Path: dir, Detector: "weights.mlpackage",
		Confidence: 0.95, Format: modelformat.CoreML, Provider: "local"}, true
}
