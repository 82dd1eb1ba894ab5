package modelscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The 7z reader allocates what a header's counts ask for (files, folders,
// coders, streams) before it reads them, so a 100-byte archive can ask for
// tens of gigabytes. validSevenZipHeader walks the header first (7zFormat.txt)
// and refuses any count larger than the bytes left to describe it or than
// a fixed cap; an encoded (compressed) header is decoded first, when it is
// the usual one folder with one LZMA, LZMA2 or Copy coder. Only an archive
// that passes is handed to the library.

const (
	max7zHeader = 64 << 20 // bytes of (decoded) header
	max7zCount  = 1 << 17  // files, folders, coders, streams
)

var (
	err7zCount     = errors.New("7z header count out of range")
	err7zEncrypted = errors.New("7z header is encrypted")
)

type szReader struct {
	b   []byte
	off int
}

func (r *szReader) byte1() (byte, error) {
	if r.off >= len(r.b) {
		return 0, io.ErrUnexpectedEOF
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *szReader) left() int { return len(r.b) - r.off }

// number reads 7z's variable-length NUMBER.
func (r *szReader) number() (uint64, error) {
	first, err := r.byte1()
	if err != nil {
		return 0, err
	}
	var v uint64
	mask := byte(0x80)
	for i := 0; i < 8; i++ {
		if first&mask == 0 {
			return v | uint64(first&(mask-1))<<(8*i), nil
		}
		c, err := r.byte1()
		if err != nil {
			return 0, err
		}
		v |= uint64(c) << (8 * i)
		mask >>= 1
	}
	return v, nil
}

// count reads a NUMBER that announces n items of at least per bytes each.
func (r *szReader) count(perItemBits int) (int, error) {
	n, err := r.number()
	if err != nil {
		return 0, err
	}
	if n > max7zCount || (perItemBits > 0 && n*uint64(perItemBits) > uint64(r.left())*8) {
		return 0, err7zCount
	}
	return int(n), nil
}

func (r *szReader) skip(n uint64) error {
	if n > uint64(r.left()) {
		return io.ErrUnexpectedEOF
	}
	r.off += int(n)
	return nil
}

func (r *szReader) expect(id byte) error {
	c, err := r.byte1()
	if err != nil {
		return err
	}
	if c != id {
		return fmt.Errorf("7z header: property %#x where %#x was expected", c, id)
	}
	return nil
}

func (r *szReader) digests(n int) error {
	all, err := r.byte1()
	if err != nil {
		return err
	}
	defined := n
	if all == 0 {
		defined = 0
		for i := 0; i < (n+7)/8; i++ {
			c, err := r.byte1()
			if err != nil {
				return err
			}
			for ; c != 0; c &= c - 1 {
				defined++
			}
		}
	}
	return r.skip(uint64(defined) * 4)
}

// szFolder is what the header says of one folder (enough to decode an
// encoded header).
type szFolder struct {
	coders   [][2][]byte // method id, properties
	unpack   []uint64
	outTotal int
}

func (r *szReader) folder() (szFolder, error) {
	var f szFolder
	nc, err := r.count(8)
	if err != nil {
		return f, err
	}
	if nc == 0 || nc > 64 {
		return f, err7zCount
	}
	in := 0
	for i := 0; i < nc; i++ {
		flags, err := r.byte1()
		if err != nil {
			return f, err
		}
		id := int(flags & 0x0f)
		if id > r.left() {
			return f, io.ErrUnexpectedEOF
		}
		method := r.b[r.off : r.off+id]
		r.off += id
		ni, no := 1, 1
		if flags&0x10 != 0 {
			if ni, err = r.count(0); err != nil {
				return f, err
			}
			if no, err = r.count(0); err != nil {
				return f, err
			}
			if ni > 64 || no > 64 {
				return f, err7zCount
			}
		}
		var props []byte
		if flags&0x20 != 0 {
			n, err := r.number()
			if err != nil {
				return f, err
			}
			if n > uint64(r.left()) {
				return f, io.ErrUnexpectedEOF
			}
			props = r.b[r.off : r.off+int(n)]
			r.off += int(n)
		}
		in += ni
		f.outTotal += no
		f.coders = append(f.coders, [2][]byte{method, props})
	}
	for i := 0; i < f.outTotal-1; i++ { // bind pairs
		if _, err := r.number(); err != nil {
			return f, err
		}
		if _, err := r.number(); err != nil {
			return f, err
		}
	}
	if packed := in - (f.outTotal - 1); packed > 1 {
		for i := 0; i < packed; i++ {
			if _, err := r.number(); err != nil {
				return f, err
			}
		}
	}
	return f, nil
}

// streamsInfo walks PackInfo, UnpackInfo and SubStreamsInfo; it returns
// the pack position, pack sizes and folders (for an encoded header).
func (r *szReader) streamsInfo() (packPos uint64, packSizes []uint64, folders []szFolder, err error) {
	for {
		id, err := r.byte1()
		if err != nil {
			return 0, nil, nil, err
		}
		switch id {
		case 0x00:
			return packPos, packSizes, folders, nil
		case 0x06: // PackInfo
			if packPos, err = r.number(); err != nil {
				return 0, nil, nil, err
			}
			n, err := r.count(8)
			if err != nil {
				return 0, nil, nil, err
			}
			for {
				p, err := r.byte1()
				if err != nil {
					return 0, nil, nil, err
				}
				if p == 0 {
					break
				}
				switch p {
				case 0x09:
					for i := 0; i < n; i++ {
						v, err := r.number()
						if err != nil {
							return 0, nil, nil, err
						}
						packSizes = append(packSizes, v)
					}
				case 0x0a:
					if err := r.digests(n); err != nil {
						return 0, nil, nil, err
					}
				default:
					return 0, nil, nil, fmt.Errorf("7z header: pack info property %#x", p)
				}
			}
		case 0x07: // UnpackInfo
			if err := r.expect(0x0b); err != nil {
				return 0, nil, nil, err
			}
			n, err := r.count(8)
			if err != nil {
				return 0, nil, nil, err
			}
			if ext, err := r.byte1(); err != nil || ext != 0 {
				return 0, nil, nil, fmt.Errorf("7z header: external folders")
			}
			for i := 0; i < n; i++ {
				f, err := r.folder()
				if err != nil {
					return 0, nil, nil, err
				}
				folders = append(folders, f)
			}
			if err := r.expect(0x0c); err != nil {
				return 0, nil, nil, err
			}
			for i := range folders {
				for j := 0; j < folders[i].outTotal; j++ {
					v, err := r.number()
					if err != nil {
						return 0, nil, nil, err
					}
					folders[i].unpack = append(folders[i].unpack, v)
				}
			}
			for {
				p, err := r.byte1()
				if err != nil {
					return 0, nil, nil, err
				}
				if p == 0 {
					break
				}
				if p != 0x0a {
					return 0, nil, nil, fmt.Errorf("7z header: unpack info property %#x", p)
				}
				if err := r.digests(n); err != nil {
					return 0, nil, nil, err
				}
			}
		case 0x08: // SubStreamsInfo
			streams := len(folders)
			per := make([]int, len(folders))
			for i := range per {
				per[i] = 1
			}
			for {
				p, err := r.byte1()
				if err != nil {
					return 0, nil, nil, err
				}
				if p == 0 {
					break
				}
				switch p {
				case 0x0d:
					streams = 0
					for i := range per {
						if per[i], err = r.count(0); err != nil {
							return 0, nil, nil, err
						}
						if streams += per[i]; streams > max7zCount {
							return 0, nil, nil, err7zCount
						}
					}
				case 0x09:
					for _, k := range per {
						for j := 0; j < k-1; j++ {
							if _, err := r.number(); err != nil {
								return 0, nil, nil, err
							}
						}
					}
				case 0x0a:
					if err := r.digests(streams); err != nil {
						return 0, nil, nil, err
					}
				default:
					return 0, nil, nil, fmt.Errorf("7z header: substreams property %#x", p)
				}
			}
		default:
			return 0, nil, nil, fmt.Errorf("7z header: streams property %#x", id)
		}
	}
}

// header walks a plain header (after its kHeader byte).
// skipProperties skips a list of (id, size, bytes) properties ended by a
// zero id: archive properties and per-file properties whose values the scan
// does not need, only their bounds.
func (r *szReader) skipProperties() error {
	for {
		p, err := r.byte1()
		if err != nil || p == 0 {
			return err
		}
		n, err := r.number()
		if err != nil {
			return err
		}
		if err := r.skip(n); err != nil {
			return err
		}
	}
}

func (r *szReader) header() error {
	for {
		id, err := r.byte1()
		if err != nil {
			return err
		}
		switch id {
		case 0x00:
			return nil
		case 0x02: // ArchiveProperties
			if err := r.skipProperties(); err != nil {
				return err
			}
		case 0x03, 0x04: // AdditionalStreamsInfo, MainStreamsInfo
			if _, _, _, err := r.streamsInfo(); err != nil {
				return err
			}
		case 0x05: // FilesInfo: every file needs at least a name (two bytes)
			if _, err := r.count(16); err != nil {
				return err
			}
			if err := r.skipProperties(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("7z header: property %#x", id)
		}
	}
}

// validSevenZipHeader checks the header of a 7z archive before the library
// reads it.
func validSevenZipHeader(r io.ReaderAt, size int64) error {
	var sh [32]byte
	if _, err := r.ReadAt(sh[:], 0); err != nil {
		return fmt.Errorf("7z signature header: %w", err)
	}
	off := int64(binary.LittleEndian.Uint64(sh[12:]))
	n := int64(binary.LittleEndian.Uint64(sh[20:]))
	if n == 0 {
		return nil // an empty archive
	}
	if off < 0 || n < 0 || n > max7zHeader || off > size-32-n {
		return fmt.Errorf("7z header of %d bytes at %d lies outside the %d-byte file", n, off, size)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 32+off); err != nil {
		return fmt.Errorf("read 7z header: %w", err)
	}
	if crc32.ChecksumIEEE(hdr) != binary.LittleEndian.Uint32(sh[28:]) {
		return fmt.Errorf("7z header CRC mismatch")
	}
	for depth := 0; ; depth++ {
		hr := &szReader{b: hdr}
		id, err := hr.byte1()
		if err != nil {
			return err
		}
		switch id {
		case 0x01:
			return hr.header()
		case 0x17:
			if depth > 2 {
				return fmt.Errorf("7z header encoded too many times")
			}
			if hdr, err = decodeSevenZipHeader(r, size, hr); err != nil {
				return err
			}
		default:
			return fmt.Errorf("7z header starts with property %#x", id)
		}
	}
}

// decodeSevenZipHeader decodes an encoded header packed as one folder with
// one LZMA, LZMA2 or Copy coder.
func decodeSevenZipHeader(r io.ReaderAt, size int64, hr *szReader) ([]byte, error) {
	packPos, packSizes, folders, err := hr.streamsInfo()
	if err != nil {
		return nil, err
	}
	for _, f := range folders {
		for _, c := range f.coders {
			if bytes.Equal(c[0], []byte{0x06, 0xf1, 0x07, 0x01}) { // AES-256 + SHA-256
				return nil, err7zEncrypted
			}
		}
	}
	if len(folders) != 1 || len(folders[0].coders) != 1 || len(packSizes) != 1 || len(folders[0].unpack) != 1 {
		return nil, fmt.Errorf("7z encoded header uses a coder layout this scanner does not validate")
	}
	psize, usize := packSizes[0], folders[0].unpack[0]
	if psize > max7zHeader || usize > max7zHeader || int64(packPos) > size-32-int64(psize) {
		return nil, fmt.Errorf("7z encoded header out of range")
	}
	packed := io.NewSectionReader(r, 32+int64(packPos), int64(psize))
	method, props := folders[0].coders[0][0], folders[0].coders[0][1]
	var rc io.ReadCloser
	switch {
	case bytes.Equal(method, []byte{0x00}):
		rc = io.NopCloser(packed)
	case bytes.Equal(method, []byte{0x03, 0x01, 0x01}):
		rc, err = lzmaLimited(props, usize, []io.ReadCloser{io.NopCloser(packed)})
	case bytes.Equal(method, []byte{0x21}):
		rc, err = lzma2Limited(props, usize, []io.ReadCloser{io.NopCloser(packed)})
	default:
		return nil, fmt.Errorf("7z encoded header uses coder %x, which this scanner does not validate", method)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := make([]byte, usize)
	if _, err := io.ReadFull(rc, out); err != nil {
		return nil, fmt.Errorf("decode 7z header: %w", err)
	}
	return out, nil
}
