package modelscan

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// maxDictSize caps the dictionary an lzma/xz header may ask for: the
// decoder allocates it up front.
const maxDictSize = 256 << 20

// scanCompressed unwraps one compression layer (plain gzip/bz2/xz/lzma/zstd
// /zlib pickles, and joblib's compressors including its old "ZF" zlib
// format) and scans what comes out, bounded by the decompression limits.
func (s *scanner) scanCompressed(member string, r io.Reader, format string, depth int) {
	br := bufio.NewReader(r)
	var (
		rd  io.Reader
		err error
	)
	switch format {
	case "gzip":
		rd, err = gzip.NewReader(br)
	case "bzip2":
		rd = bzip2.NewReader(br)
	case "xz":
		rd, err = xz.NewReader(br)
	case "lzma":
		head, _ := br.Peek(13)
		if len(head) == 13 && binary.LittleEndian.Uint32(head[1:]) > maxDictSize {
			s.add(member, Finding{Rule: "compress.limit", Severity: SeverityMedium, Global: format, Reason: "lzma dictionary larger than 256 MiB; not decompressed"})
			s.markUnscannable(member, format, "lzma dictionary too large")
			return
		}
		rd, err = lzma.NewReader(br)
	case "zstd":
		var z *zstd.Decoder
		z, err = zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(s.opts.MaxMemberSize)), zstd.WithDecoderMaxWindow(maxDictSize))
		if err == nil {
			defer z.Close()
			rd = z
		}
	case "zlib":
		rd, err = zlib.NewReader(br)
	case "joblib-zfile":
		// joblib < 0.10: "ZF", the length in hex padded to 19 bytes, then zlib
		if _, err = br.Discard(2 + 19); err == nil {
			rd, err = zlib.NewReader(br)
		}
	default:
		err = fmt.Errorf("unknown compression %s", format)
	}
	if err != nil {
		s.add(member, Finding{Rule: "compress.corrupt", Severity: SeverityMedium, Global: format, Reason: fmt.Sprintf("%s header: %v; content not analysed", format, err)})
		s.markUnscannable(member, format, format+" stream could not be opened")
		return
	}
	limit := min(s.opts.MaxMemberSize, s.opts.MaxTotalUncompressed-s.total)
	lr := &boundedReader{r: rd, left: limit, s: s, charge: true, over: errBomb}
	inner, ir := sniffReader(lr, "")
	m := member
	if m == "" {
		m = "(" + format + ")"
	} else {
		m += "!(" + format + ")"
	}
	switch inner {
	case "unknown", "empty":
		s.markUnscannable(m, inner, "decompressed content is not a recognised model format")
	default:
		s.scanStream(m, ir, -1, inner, depth+1)
	}
	_, err = io.Copy(io.Discard, ir)
	if lr.hit || err == errBomb {
		s.add(m, Finding{Rule: "compress.bomb", Severity: SeverityHigh, Global: format,
			Reason: fmt.Sprintf("decompresses past the limit of %d bytes", limit)})
	} else if err != nil && s.ctx.Err() == nil {
		s.add(m, Finding{Rule: "compress.corrupt", Severity: SeverityMedium, Global: format, Reason: fmt.Sprintf("%s stream: %v", format, err)})
	}
}
