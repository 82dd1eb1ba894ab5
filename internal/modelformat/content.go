package modelformat

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
)

// Content names the outermost format of content from its first bytes
// (head, 4 KiB is plenty): what a loader would open first, containers and
// compression included. It is permissive, as a scanner must be: anything
// that may be a pickle is Pickle. size is -1 when unknown; name only breaks
// ties for formats without magic bytes (protobuf). Protocol 0 and 1
// pickles have no magic; MayBeOldPickle tells which unknown content is
// worth decoding to find out.
func Content(head []byte, size int64, name string) string {
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case len(head) == 0:
		return Empty
	case has("PK\x03\x04"), has("PK\x05\x06"), has("PK\x07\x08"):
		return Zip
	case bytes.HasPrefix(head, magicNumpy):
		return NPY
	case has("GGUF"):
		return GGUF
	case has("lmgg"), has("fmgg"), has("tjgg"), has("algg"):
		return GGMLLegacy
	case bytes.HasPrefix(head, magicHDF5):
		return HDF5
	case has("\x1f\x8b"):
		return Gzip
	case has("BZh") && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return Bzip2
	case has("\xfd7zXZ\x00"):
		return XZ
	case has("\x28\xb5\x2f\xfd"):
		return Zstd
	case has("7z\xbc\xaf\x27\x1c"):
		return SevenZip
	case has("Rar!\x1a\x07"):
		return RAR
	case has("\x04\x22\x4d\x18"):
		return LZ4
	case has("ZF0x") || (has("ZF") && len(head) > 2 && head[2] == ' '):
		return JoblibZFile
	case bytes.HasPrefix(head, torchLegacy):
		return PyTorchLegacy
	}
	if len(head) >= 2 && head[0] == 0x78 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		return Zlib
	}
	if len(head) >= 13 && head[0] == 0x5d && head[1] == 0 && head[2] == 0 {
		// lzma "alone" (joblib's .lzma): properties byte 0x5d, dictionary size, length
		return LZMA
	}
	if len(head) >= 263 && string(head[257:262]) == "ustar" {
		return Tar
	}
	if len(head) >= 10 && head[8] == '{' {
		n := binary.LittleEndian.Uint64(head)
		if n >= 2 && (size < 0 || n <= uint64(size-8)) && n < 1<<31 {
			return Safetensors
		}
	}
	if len(head) >= 2 && head[0] == 0x80 && head[1] <= 5 {
		return Pickle
	}
	if f := protobuf(head, name); f != "" {
		return f
	}
	return Unknown
}

// MayBeOldPickle reports content whose first byte can start a protocol 0
// or 1 pickle (which has no PROTO header): pickle.load accepts any opcode
// that pushes. Only a decoder can tell whether it really is one.
func MayBeOldPickle(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	b := head[0]
	return strings.IndexByte("(]}cNILSVXUTKJMGF)PgihBC", b) >= 0 ||
		b >= 0x82 && b <= 0x97 && b != 0x90 && b != 0x91 && b != 0x92 && b != 0x93 && b != 0x94
}

// protobuf tells ONNX ModelProto from TensorFlow SavedModel by their first
// fields; both start with a varint field 1.
func protobuf(head []byte, name string) string {
	base := strings.ToLower(path.Base(name))
	if len(head) < 2 || head[0] != 0x08 {
		return ""
	}
	b := head[1:]
	v, n := binary.Uvarint(b)
	if n <= 0 || v > 1000 {
		return ""
	}
	b = b[n:]
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case 0x12: // field 2: SavedModel meta_graphs (message) or ONNX producer_name (text)
		l, m := binary.Uvarint(b[1:])
		if m <= 0 {
			return ""
		}
		payload := b[1+m:]
		if len(payload) > 0 && payload[0] == 0x0a && l > 64 {
			return SavedModel
		}
		return ONNX
	case 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42:
		return ONNX
	}
	if base == "saved_model.pb" {
		return SavedModel
	}
	if strings.HasSuffix(base, ".onnx") {
		return ONNX
	}
	return ""
}
