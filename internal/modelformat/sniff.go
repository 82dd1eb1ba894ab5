package modelformat

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
)

// Magic bytes.
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
		return GGUF, true
	case len(h) >= 8 && bytes.Equal(h[4:8], []byte("TFL3")):
		return TFLite, true
	case bytes.HasPrefix(h, magicNumpy):
		return NPY, true
	case bytes.HasPrefix(h, magicZip):
		return sniffZip(h)
	case bytes.HasPrefix(h, torchLegacy):
		return PyTorchLegacy, true
	}
	for _, off := range []int{0, 512, 1024, 2048} {
		if len(h) >= off+8 && bytes.Equal(h[off:off+8], magicHDF5) {
			if ext == ".keras" {
				return Keras, true
			}
			return HDF5, true
		}
	}
	if isSafetensors(h) {
		return Safetensors, true
	}
	if isTorchTar(h) {
		return PyTorchLegacy, true
	}
	if h[0] == 0x80 && h[1] >= 2 && h[1] <= 5 && opensPickle(h[2]) {
		if ext == ".joblib" || bytes.Contains(h, []byte("joblib")) {
			return Joblib, true
		}
		return Pickle, true
	}
	if ext == ".joblib" && isCompressed(h) {
		return Joblib, true
	}
	if picklishExt(ext) && isOldPickle(h) {
		if ext == ".joblib" {
			return Joblib, true
		}
		return Pickle, true
	}
	if ext == ".onnx" || ext == "" || ext == ".bin" || ext == ".model" {
		if isONNX(h, ext == ".onnx") {
			return ONNX, true
		}
	}
	if ext == ".mlmodel" && isCoreML(h) {
		return CoreML, true
	}
	if base == "saved_model.pb" && len(h) > 2 && h[0] == 0x08 {
		return SavedModel, true
	}
	if ext == ".xml" && bytes.Contains(h, []byte("<net ")) {
		return OpenVINO, true
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

// opensPickle reports an opcode that follows PROTO at the start of a saved
// object: FRAME, or what builds the top-level object. (The decoder's own
// opcode table, in modelscan, knows every opcode; this is only the sniff.)
func opensPickle(c byte) bool {
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

// isCompressed reports compressed content (joblib compresses its dumps).
func isCompressed(h []byte) bool {
	switch Content(h, -1, "") {
	case Gzip, Bzip2, XZ, LZMA, Zstd, Zlib, LZ4, JoblibZFile:
		return true
	}
	return false
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

// IsZip reports a zip archive's local file header signature.
func IsZip(header []byte) bool { return bytes.HasPrefix(header, magicZip) }

// PyTorchLegacyMagic is how PyTorch's legacy format starts: the pickled
// magic number 0x1950a86a20f9469cfc6c.
func PyTorchLegacyMagic() []byte { return append([]byte(nil), torchLegacy...) }
