package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"path"
	"strings"
)

// torch's legacy format starts with the pickled magic number 0x1950a86a20f9469cfc6c.
var torchLegacyMagic = []byte{0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// sniff decides the format from the first bytes (head) of the content.
// size is -1 when unknown. name is only a tie-breaker for formats without
// magic bytes (protobuf).
func sniff(head []byte, size int64, name string) string {
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case len(head) == 0:
		return "empty"
	case has("PK\x03\x04"), has("PK\x05\x06"), has("PK\x07\x08"):
		return "zip"
	case has("\x93NUMPY"):
		return "numpy-npy"
	case has("GGUF"):
		return "gguf"
	case has("lmgg"), has("fmgg"), has("tjgg"), has("algg"):
		return "ggml-legacy"
	case has("\x89HDF\r\n\x1a\n"):
		return "hdf5"
	case has("\x1f\x8b"):
		return "gzip"
	case has("BZh") && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return "bzip2"
	case has("\xfd7zXZ\x00"):
		return "xz"
	case has("\x28\xb5\x2f\xfd"):
		return "zstd"
	case has("7z\xbc\xaf\x27\x1c"):
		return "7z"
	case has("Rar!\x1a\x07"):
		return "rar"
	case has("\x04\x22\x4d\x18"):
		return "lz4"
	case has("ZF0x") || (has("ZF") && len(head) > 2 && head[2] == ' '):
		return "joblib-zfile"
	case has(string(torchLegacyMagic)):
		return "pytorch-legacy"
	}
	if len(head) >= 2 && head[0] == 0x78 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		return "zlib"
	}
	if len(head) >= 13 && head[0] == 0x5d && head[1] == 0 && head[2] == 0 {
		// lzma "alone" (joblib's .lzma): properties byte 0x5d, dictionary size, length
		return "lzma"
	}
	if len(head) >= 263 && string(head[257:262]) == "ustar" {
		return "tar"
	}
	if len(head) >= 10 && head[8] == '{' {
		n := binary.LittleEndian.Uint64(head)
		if n >= 2 && (size < 0 || n <= uint64(size-8)) && n < 1<<31 {
			return "safetensors"
		}
	}
	if len(head) >= 2 && head[0] == 0x80 && head[1] <= 5 {
		return "pickle"
	}
	if looksLikeProto0Pickle(head) {
		return "pickle"
	}
	if f := sniffProtobuf(head, name); f != "" {
		return f
	}
	return "unknown"
}

// looksLikeProto0Pickle decodes the head as a protocol 0/1 pickle and
// accepts it when it reaches STOP, or runs out of bytes after several
// sensible opcodes.
func looksLikeProto0Pickle(head []byte) bool {
	// pickle.load needs no PROTO header: any opcode that pushes can start a stream
	if !strings.ContainsRune("(]}cNILSVXUTKJMGF)PgihBC", rune(head[0])) && !(head[0] >= 0x82 && head[0] <= 0x97 && head[0] != 0x90 && head[0] != 0x91 && head[0] != 0x92 && head[0] != 0x93 && head[0] != 0x94) {
		return false
	}
	ps := &pickleScanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 1}}
	pr := &pickleReader{br: bufio.NewReader(bytes.NewReader(head))}
	res := ps.decodeStream(pr, false)
	if res.stopped {
		return true
	}
	for _, g := range res.globals {
		if g.v != verdictInvalid {
			return true
		}
	}
	if res.broken != nil && strings.Contains(res.broken.Error(), "unexpected EOF") && len(head) >= 4096 && res.ops >= 8 {
		for _, g := range res.globals {
			if g.v == verdictInvalid {
				return false
			}
		}
		return true
	}
	return false
}

// sniffProtobuf tells ONNX ModelProto from TensorFlow SavedModel by their
// first fields; both start with a varint field 1.
func sniffProtobuf(head []byte, name string) string {
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
			return "tf-savedmodel"
		}
		return "onnx"
	case 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42:
		return "onnx"
	}
	if base == "saved_model.pb" {
		return "tf-savedmodel"
	}
	if strings.HasSuffix(base, ".onnx") {
		return "onnx"
	}
	return ""
}
