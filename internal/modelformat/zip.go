package modelformat

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// ZipFormat names a zip archive by its member names: TorchScript (PyTorch's
// data.pkl with a code/ directory), a PyTorch checkpoint (data.pkl), a
// Keras v3 model (config.json with metadata.json or model.weights.h5), a
// NumPy .npz (only .npy members), or a plain Zip.
func ZipFormat(names []string) string {
	npy, hasCode, hasData, cfg, keras := 0, false, false, false, false
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		if strings.HasSuffix(n, ".npy") {
			npy++
		}
		if strings.Contains(n, "/code/") || strings.HasPrefix(n, "code/") {
			hasCode = true
		}
		switch {
		case base == "data.pkl":
			hasData = true
		case n == "config.json":
			cfg = true
		case n == "metadata.json" || n == "model.weights.h5":
			keras = true
		}
	}
	switch {
	case hasData && hasCode:
		return TorchScript
	case hasData:
		return PyTorchZip
	case cfg && keras:
		return Keras
	case npy > 0 && npy == len(names):
		return NPZ
	}
	return Zip
}

// sniffZip names a zip archive by the local file headers within its first
// bytes: PyTorch writes data.pkl first, Keras config.json and
// model.weights.h5, NumPy its .npy members. A plain zip is not a model.
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
	f := ZipFormat(names)
	return f, f != Zip
}
