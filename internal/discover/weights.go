package discover

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// hashBufSize is large enough that read syscalls cost little next to the
// SHA-NI compression loop.
const hashBufSize = 1 << 20

// HashFile returns the SHA-256 (lower-case hex) and size of one file,
// streaming it through a large buffer.
func HashFile(ctx context.Context, fsys fs.FS, p string) (sum string, size int64, err error) {
	return hashFileBuf(ctx, fsys, p, make([]byte, hashBufSize))
}

func hashFileBuf(ctx context.Context, fsys fs.FS, p string, buf []byte) (string, int64, error) {
	fh, err := fsys.Open(p)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", p, err)
	}
	defer fh.Close()
	h := sha256.New()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", n, fmt.Errorf("hash %s: %w", p, err)
		}
		m, rerr := fh.Read(buf)
		if m > 0 {
			h.Write(buf[:m])
			n += int64(m)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", n, fmt.Errorf("hash %s: %w", p, rerr)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Extensions that name weight files; used only to refine a format found by
// content, and to give LFS pointers (which have no content) a format.
var weightExt = map[string]string{
	".safetensors": "safetensors", ".pt": "pytorch", ".pth": "pytorch", ".bin": "pytorch",
	".ckpt": "pytorch", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib",
	".gguf": "gguf", ".ggml": "gguf", ".onnx": "onnx", ".keras": "keras", ".h5": "hdf5",
	".hdf5": "hdf5", ".pb": "savedmodel", ".tflite": "tflite", ".mlmodel": "coreml",
	".npy": "npy", ".npz": "npz", ".msgpack": "flax", ".model": "sentencepiece",
	".pdparams": "paddle", ".nemo": "nemo", ".llamafile": "llamafile",
}

// Data extensions: LFS pointers to these and files beside a dataset card are
// datasets.
var dataExt = map[string]bool{
	".csv": true, ".tsv": true, ".parquet": true, ".jsonl": true, ".arrow": true,
	".tfrecord": true, ".avro": true, ".feather": true,
}

var (
	magicHDF5   = []byte("\x89HDF\r\n\x1a\n")
	magicNumpy  = []byte("\x93NUMPY")
	magicZip    = []byte("PK\x03\x04")
	magicELF    = []byte("\x7fELF")
	torchLegacy = []byte{0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}
)

// Sniff names the model format of a file from its first bytes (4 KiB is
// plenty) and, only to refine or confirm a weak signal, its name. It returns
// ok false for anything that merely looks like a model by name.
func Sniff(header []byte, name string) (format string, ok bool) {
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	h := header
	switch {
	case len(h) < 4:
		return "", false
	case bytes.HasPrefix(h, magicELF), bytes.HasPrefix(h, []byte("MZ")) && ext != ".npy":
		return "", false
	case bytes.HasPrefix(h, []byte("GGUF")):
		return "gguf", true
	case len(h) >= 8 && bytes.Equal(h[4:8], []byte("TFL3")):
		return "tflite", true
	case bytes.HasPrefix(h, magicNumpy):
		return "npy", true
	case bytes.HasPrefix(h, magicZip):
		return sniffZip(h)
	case bytes.HasPrefix(h, torchLegacy):
		return "pytorch-legacy", true
	}
	for _, off := range []int{0, 512, 1024, 2048} {
		if len(h) >= off+8 && bytes.Equal(h[off:off+8], magicHDF5) {
			if ext == ".keras" {
				return "keras", true
			}
			return "hdf5", true
		}
	}
	if isSafetensors(h) {
		return "safetensors", true
	}
	if isTorchTar(h) {
		return "pytorch-legacy", true
	}
	if h[0] == 0x80 && h[1] >= 2 && h[1] <= 5 && isPickleOpcode(h[2]) {
		if ext == ".joblib" || bytes.Contains(h, []byte("joblib")) {
			return "joblib", true
		}
		return "pickle", true
	}
	if ext == ".joblib" && isCompressed(h) {
		return "joblib", true
	}
	if picklishExt(ext) && isOldPickle(h) {
		if ext == ".joblib" {
			return "joblib", true
		}
		return "pickle", true
	}
	if ext == ".onnx" || ext == "" || ext == ".bin" || ext == ".model" {
		if isONNX(h, ext == ".onnx") {
			return "onnx", true
		}
	}
	if ext == ".mlmodel" && isCoreML(h) {
		return "coreml", true
	}
	if base == "saved_model.pb" && len(h) > 2 && h[0] == 0x08 {
		return "savedmodel", true
	}
	if ext == ".xml" && bytes.Contains(h, []byte("<net ")) {
		return "openvino", true
	}
	return "", false
}

func isSafetensors(h []byte) bool {
	if len(h) < 10 {
		return false
	}
	n := binary.LittleEndian.Uint64(h[:8])
	if n < 2 || n > 100<<20 || h[8] != '{' {
		return false
	}
	// The header is JSON: printable ASCII up to what we have of it.
	end := min(len(h), 8+int(n))
	for _, c := range h[9:end] {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func isTorchTar(h []byte) bool {
	if len(h) < 512 || !bytes.Equal(h[257:262], []byte("ustar")) {
		return false
	}
	name := string(bytes.TrimRight(h[:100], "\x00"))
	switch name {
	case "sys_info", "pickle", "storages", "tensors":
		return true
	}
	return false
}

func isPickleOpcode(c byte) bool {
	// First opcode after PROTO: FRAME, or what builds the top-level object.
	switch c {
	case 0x95, '}', ']', '(', 'c', 0x93, 0x8a, 'q', 'N', 'K', 'J', 'X', 0x8c, ')', 0x88, 0x89, 'G', 'U', 'T', 'M', 0x80:
		return true
	}
	return false
}

func picklishExt(ext string) bool {
	switch ext {
	case ".pkl", ".pickle", ".pt", ".pth", ".bin", ".joblib", ".sav", ".ckpt":
		return true
	}
	return false
}

// isOldPickle recognises protocol 0 and 1 pickles, which have no PROTO
// opcode: a MARK followed by a dict, list or GLOBAL, or a bare GLOBAL with a
// module and name on their own lines.
func isOldPickle(h []byte) bool {
	switch {
	case bytes.HasPrefix(h, []byte("(dp0\n")), bytes.HasPrefix(h, []byte("(lp0\n")),
		bytes.HasPrefix(h, []byte("}q\x00(")), bytes.HasPrefix(h, []byte("]q\x00(")),
		bytes.HasPrefix(h, []byte("(dp1\n")), bytes.HasPrefix(h, []byte("(lp1\n")):
		return true
	}
	g := h
	if len(g) > 1 && g[0] == '(' {
		g = g[1:]
	}
	if len(g) < 4 || g[0] != 'c' {
		return false
	}
	lines := bytes.SplitN(g[1:], []byte("\n"), 3)
	if len(lines) < 3 {
		return false
	}
	return isDotted(lines[0]) && isDotted(lines[1])
}

func isDotted(b []byte) bool {
	if len(b) == 0 || len(b) > 200 {
		return false
	}
	for _, c := range b {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isCompressed(h []byte) bool {
	return bytes.HasPrefix(h, []byte{0x1f, 0x8b}) || bytes.HasPrefix(h, []byte("\xfd7zXZ")) ||
		bytes.HasPrefix(h, []byte{0x04, 0x22, 0x4d, 0x18}) || bytes.HasPrefix(h, []byte("ZF")) ||
		len(h) > 1 && h[0] == 0x78 && (h[1] == 0x9c || h[1] == 0x01 || h[1] == 0xda)
}

// sniffZip reads the local file headers within the header bytes: PyTorch
// writes data.pkl first, Keras config.json and model.weights.h5, NumPy .npy
// members.
func sniffZip(h []byte) (string, bool) {
	var names []string
	for off := 0; off+30 <= len(h) && len(names) < 16; {
		if !bytes.Equal(h[off:off+4], magicZip) {
			break
		}
		flags := binary.LittleEndian.Uint16(h[off+6:])
		csize := int(binary.LittleEndian.Uint32(h[off+18:]))
		nlen := int(binary.LittleEndian.Uint16(h[off+26:]))
		xlen := int(binary.LittleEndian.Uint16(h[off+28:]))
		if off+30+nlen > len(h) {
			break
		}
		names = append(names, string(h[off+30:off+30+nlen]))
		if flags&0x08 != 0 || csize == 0xffffffff {
			// Sizes follow the data: find the next member by its signature.
			next := bytes.Index(h[off+30+nlen:], magicZip)
			if next < 0 {
				break
			}
			off += 30 + nlen + next
			continue
		}
		off += 30 + nlen + xlen + csize
	}
	return zipFormat(names)
}

func zipFormat(names []string) (string, bool) {
	var cfg, kweights, npy, others int
	for _, n := range names {
		switch {
		case n == "data.pkl" || strings.HasSuffix(n, "/data.pkl"):
			return "pytorch-zip", true
		case n == "config.json":
			cfg++
		case n == "model.weights.h5" || n == "metadata.json":
			kweights++
		case strings.HasSuffix(n, ".npy"):
			npy++
		default:
			others++
		}
	}
	switch {
	case cfg > 0 && kweights > 0:
		return "keras", true
	case npy > 0 && others == 0 && cfg == 0:
		return "npz", true
	}
	return "", false
}

// isONNX checks protobuf field tags of a ModelProto: ir_version (1, varint)
// first, then only known ModelProto fields with sane wire types.
func isONNX(h []byte, byExt bool) bool {
	if len(h) < 4 || h[0] != 0x08 {
		return false
	}
	v, n := binary.Uvarint(h[1:])
	if n <= 0 || v == 0 || v > 20 {
		return false
	}
	off := 1 + n
	seen := 0
	producer := false
	for off < len(h) && seen < 8 {
		tag, n := binary.Uvarint(h[off:])
		if n <= 0 {
			return false
		}
		off += n
		field, wire := tag>>3, tag&7
		switch field {
		case 2, 3, 4, 6, 7, 8, 14, 20, 25: // strings and messages
			if wire != 2 {
				return false
			}
			l, n := binary.Uvarint(h[off:])
			if n <= 0 {
				return false
			}
			off += n
			if field == 2 && int(l) < 64 && off+int(l) <= len(h) {
				producer = printable(h[off : off+int(l)])
				if !producer {
					return false
				}
			}
			if field == 7 || field == 8 {
				return byExt || producer
			}
			off += int(l)
		case 5: // model_version
			if wire != 0 {
				return false
			}
			_, n := binary.Uvarint(h[off:])
			if n <= 0 {
				return false
			}
			off += n
		default:
			return false
		}
		seen++
	}
	return (byExt && seen > 0) || producer && seen > 1
}

func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// isCoreML checks a Model protobuf: specificationVersion (1, varint) and a
// description message (2).
func isCoreML(h []byte) bool {
	if len(h) < 4 || h[0] != 0x08 {
		return false
	}
	v, n := binary.Uvarint(h[1:])
	if n <= 0 || v == 0 || v > 20 {
		return false
	}
	return 1+n < len(h) && h[1+n] == 0x12
}

// analyseBinary handles every file not read as text: LFS pointers, weights
// by magic bytes, data files, and the bundle formats recognised by their
// directory layout.
func (s *session) analyseBinary(ctx context.Context, f *file, out *sink, buf []byte) {
	if dataExt[f.ext] && f.size > lfsMaxSize {
		s.mu.Lock()
		if len(s.dataFiles) < 100000 {
			s.dataFiles = append(s.dataFiles, f.path)
		}
		s.mu.Unlock()
		return
	}
	if f.size == 0 {
		return
	}
	fh, err := f.fsys.Open(f.path)
	if err != nil {
		out.skips = append(out.skips, Skip{f.path, "unreadable: " + errText(err)})
		return
	}
	n, err := io.ReadFull(fh, buf[:min(len(buf), sniffLen)])
	fh.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		out.skips = append(out.skips, Skip{f.path, "unreadable: " + errText(err)})
		return
	}
	head := append([]byte(nil), buf[:n]...)
	if f.size <= lfsMaxSize && bytes.HasPrefix(head, []byte("version https://git-lfs")) {
		detectLFS(f, head, out)
		return
	}
	if dataExt[f.ext] {
		s.mu.Lock()
		s.dataFiles = append(s.dataFiles, f.path)
		s.mu.Unlock()
		return
	}
	format, ok := Sniff(head, f.base)
	if !ok && bytes.HasPrefix(head, magicZip) {
		// The members that tell the format may lie beyond the first 4 KiB.
		if names, zok := zipNames(f); zok {
			format, ok = zipFormat(names)
		}
	}
	if !ok {
		if f.ext == ".pb" && f.base == "saved_model.pb" {
			format, ok = "savedmodel", true
		} else {
			return
		}
	}
	switch format {
	case "savedmodel":
		if st, err := fs.Stat(f.fsys, path.Join(f.dir, "variables")); err != nil || !st.IsDir() {
			return
		}
	case "openvino":
		bin := strings.TrimSuffix(f.path, path.Ext(f.path)) + ".bin"
		if _, err := fs.Stat(f.fsys, bin); err != nil {
			return
		}
	case "coreml":
	}
	if strings.HasPrefix(format, "pytorch-zip") || format == "keras" || format == "npz" {
		// Confirm from the central directory when the file allows random
		// access; the local headers may have been cut short.
		if names, ok := zipNames(f); ok {
			if fz, ok := zipFormat(names); ok {
				format = fz
			} else {
				return
			}
		}
	}
	fd := weightFinding(f, format, "")
	if inBundle(f.path, ".mlpackage") {
		fd.Format = "coreml"
	}
	if s.hash {
		sum, size, err := hashFileBuf(ctx, f.fsys, f.path, buf)
		if err == nil {
			fd.SHA256, fd.Size = sum, size
		} else {
			out.warn("%s: %v", f.path, err)
		}
	}
	out.add(fd)
	s.mu.Lock()
	s.dirFact(f.dir).hasWeights = true
	s.mu.Unlock()
	if format == "openvino" {
		bin := strings.TrimSuffix(f.path, path.Ext(f.path)) + ".bin"
		bf := &file{path: bin, dir: f.dir, base: path.Base(bin), ext: ".bin", fsys: f.fsys}
		b := weightFinding(bf, "openvino", "")
		b.Detector = "weights.openvino_bin"
		if st, err := fs.Stat(f.fsys, bin); err == nil {
			b.Size = st.Size()
		}
		if s.hash {
			if sum, size, err := hashFileBuf(ctx, f.fsys, bin, buf); err == nil {
				b.SHA256, b.Size = sum, size
			}
		}
		out.add(b)
	}
}

func inBundle(p, suffix string) bool {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if strings.HasSuffix(strings.ToLower(d), suffix) {
			return true
		}
	}
	return false
}

func zipNames(f *file) ([]string, bool) {
	fh, err := f.fsys.Open(f.path)
	if err != nil {
		return nil, false
	}
	defer fh.Close()
	ra, ok := fh.(io.ReaderAt)
	if !ok {
		return nil, false
	}
	zr, err := zip.NewReader(ra, f.size)
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

func weightFinding(f *file, format, sum string) Finding {
	return Finding{Kind: KindWeights, Name: f.path, Path: f.path, Detector: "weights.magic",
		Confidence: 0.99, Format: format, SHA256: sum, Size: f.size, Provider: "local"}
}

// LFSPointer is a parsed Git LFS pointer file.
type LFSPointer struct {
	OID  string // sha256 hex
	Size int64
}

// ParseLFSPointer parses a Git LFS pointer strictly: the version line first,
// then sorted key/value lines with an oid sha256 of 64 hex digits and a
// decimal size; anything else is not a pointer.
func ParseLFSPointer(data []byte) (LFSPointer, bool) {
	var p LFSPointer
	if len(data) > lfsMaxSize || len(data) == 0 {
		return p, false
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != "version https://git-lfs.github.com/spec/v1" {
		return p, false
	}
	prev := ""
	haveOID, haveSize := false, false
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, " ")
		if !ok || k == "" || v == "" || k < prev {
			return p, false
		}
		prev = k
		switch k {
		case "oid":
			hexs, ok := strings.CutPrefix(v, "sha256:")
			if !ok || len(hexs) != 64 || haveOID {
				return p, false
			}
			if _, err := hex.DecodeString(hexs); err != nil || strings.ToLower(hexs) != hexs {
				return p, false
			}
			p.OID, haveOID = hexs, true
		case "size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || haveSize {
				return p, false
			}
			p.Size, haveSize = n, true
		default:
			if !strings.HasPrefix(k, "ext-") {
				return p, false
			}
		}
	}
	return p, haveOID && haveSize
}

func detectLFS(f *file, data []byte, out *sink) {
	ptr, ok := ParseLFSPointer(data)
	if !ok {
		out.warn("%s: looks like a Git LFS pointer but does not parse", f.path)
		return
	}
	if format, ok := weightExt[f.ext]; ok {
		if f.ext == ".bin" {
			format = "pytorch"
		}
		out.add(Finding{Kind: KindWeights, Name: f.path, Path: f.path, Detector: "weights.lfs_pointer",
			Confidence: 0.9, Format: format, SHA256: ptr.OID, Size: ptr.Size, LFS: true, Provider: "local"})
		f.s.mu.Lock()
		f.s.dirFact(f.dir).hasWeights = true
		f.s.mu.Unlock()
		return
	}
	if dataExt[f.ext] {
		out.add(Finding{Kind: KindDataset, Name: f.path, Path: f.path, Detector: "dataset.lfs_pointer",
			Confidence: 0.8, Format: strings.TrimPrefix(f.ext, "."), SHA256: ptr.OID, Size: ptr.Size, LFS: true, Provider: "local"})
	}
}
