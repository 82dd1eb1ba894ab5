package modelscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/bodgit/sevenzip"
	"github.com/ulikunitz/xz/lzma"
)

// 7z archives are opened with github.com/bodgit/sevenzip (pure Go) and
// their members scanned like zip members: read through the same
// decompression budget, sniffed by content, pickles decoded. Nothing is
// extracted to disk. The LZMA and LZMA2 decoders allocate the dictionary a
// header asks for up front, so they are wrapped to refuse dictionaries
// above maxDictSize before allocating anything; encrypted archives (or
// headers) cannot be seen into and are unscannable.

var sevenZipLimits sync.Once

// limitSevenZipDecoders replaces the LZMA and LZMA2 decompressors of the
// sevenzip registry (process-wide; only this package uses it) with ones
// that check the dictionary size first.
func limitSevenZipDecoders() {
	sevenZipLimits.Do(func() {
		sevenzip.RegisterDecompressor([]byte{0x03, 0x01, 0x01}, lzmaLimited)
		sevenzip.RegisterDecompressor([]byte{0x21}, lzma2Limited)
	})
}

// lzmaLimited decodes a 7z LZMA coder (5 property bytes: lc/lp/pb and the
// dictionary size) after checking the dictionary size.
func lzmaLimited(p []byte, size uint64, rs []io.ReadCloser) (io.ReadCloser, error) {
	if len(rs) != 1 || len(p) != 5 {
		return nil, errors.New("lzma: bad coder properties")
	}
	if d := binary.LittleEndian.Uint32(p[1:]); d > maxDictSize {
		return nil, fmt.Errorf("lzma dictionary of %d bytes exceeds the limit of %d", d, maxDictSize)
	}
	var h bytes.Buffer
	h.Write(p)
	_ = binary.Write(&h, binary.LittleEndian, size)
	r, err := lzma.NewReader(io.MultiReader(&h, rs[0]))
	if err != nil {
		return nil, err
	}
	return readCloser{r, rs[0]}, nil
}

// lzma2Limited decodes a 7z LZMA2 coder (one property byte encoding the
// dictionary size) after checking the dictionary size.
func lzma2Limited(p []byte, _ uint64, rs []io.ReadCloser) (io.ReadCloser, error) {
	if len(rs) != 1 || len(p) != 1 || p[0] > 40 {
		return nil, errors.New("lzma2: bad coder properties")
	}
	d := uint64(2|p[0]&1) << (p[0]/2 + 11)
	if p[0] == 40 {
		d = 0xffffffff
	}
	if d > maxDictSize {
		return nil, fmt.Errorf("lzma2 dictionary of %d bytes exceeds the limit of %d", d, maxDictSize)
	}
	r, err := lzma.Reader2Config{DictCap: int(max(d, 4096))}.NewReader2(rs[0])
	if err != nil {
		return nil, err
	}
	return readCloser{r, rs[0]}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (s *scanner) scanSevenZip(member string, r io.ReaderAt, size int64, depth int) {
	limitSevenZipDecoders()
	if err := validSevenZipHeader(r, size); err != nil {
		if errors.Is(err, err7zEncrypted) {
			s.add(member, Finding{Rule: "7z.encrypted", Severity: SeverityLow, Global: "7z", Reason: "the archive is encrypted; its content cannot be analysed"})
			s.markUnscannable(member, "7z", "encrypted 7z archive")
			return
		}
		s.add(member, Finding{Rule: "7z.malformed", Severity: SeverityMedium, Global: "7z", Reason: fmt.Sprintf("7z structure: %v; not opened", err)})
		s.markUnscannable(member, "7z", "7z archive header refused")
		return
	}
	zr, err := sevenzip.NewReader(r, size)
	if err != nil {
		var re sevenzip.ReadError
		if errors.As(err, &re) && re.Encrypted {
			s.add(member, Finding{Rule: "7z.encrypted", Severity: SeverityLow, Global: "7z", Reason: "the archive is encrypted; its content cannot be analysed"})
			s.markUnscannable(member, "7z", "encrypted 7z archive")
			return
		}
		s.add(member, Finding{Rule: "7z.malformed", Severity: SeverityMedium, Global: "7z", Reason: fmt.Sprintf("7z structure: %v; loaders may read it differently than this scanner", err)})
		s.markUnscannable(member, "7z", "7z archive could not be opened")
		return
	}
	if len(zr.File) > maxZipEntries {
		s.add(member, Finding{Rule: "7z.too-many-members", Severity: SeverityMedium, Reason: fmt.Sprintf("%d members; only the first %d are analysed", len(zr.File), maxZipEntries)})
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize
	}
	if int64(declared) > s.opts.MaxTotalUncompressed && float64(declared) > s.opts.MaxRatio*float64(size) {
		s.add(member, Finding{Rule: "7z.bomb", Severity: SeverityHigh, Reason: fmt.Sprintf("members declare %d uncompressed bytes from a %d-byte archive", declared, size)})
	}
	for i, f := range zr.File {
		if i >= maxZipEntries || s.ctx.Err() != nil {
			return
		}
		if f.Attributes&0x10 != 0 || strings.HasSuffix(f.Name, "/") || f.UncompressedSize == 0 {
			continue
		}
		s.scanSevenZipMember(member, f, depth)
	}
}

func (s *scanner) scanSevenZipMember(outer string, f *sevenzip.File, depth int) {
	m := join(outer, f.Name)
	if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.ContainsRune(f.Name, 0) {
		s.add(m, Finding{Rule: "7z.path-traversal", Severity: SeverityMedium, Global: f.Name, Reason: "member name escapes the archive root if extracted"})
	}
	rc, err := f.Open()
	if err != nil {
		s.add(m, Finding{Rule: "7z.corrupt-member", Severity: SeverityMedium, Reason: err.Error() + "; member not analysed"})
		s.markUnscannable(m, "7z", "7z member could not be opened")
		return
	}
	defer rc.Close()
	usize := int64(min(f.UncompressedSize, 1<<62))
	lr := &boundedReader{r: rc, s: s, charge: true, left: min(s.opts.MaxMemberSize, s.opts.MaxTotalUncompressed-s.total), over: errBomb}
	base := f.Name[strings.LastIndex(f.Name, "/")+1:]
	if strings.HasSuffix(base, ".pkl") {
		lr.left = s.opts.MaxMemberSize // the pickle is always read
	}
	if usize <= lr.left {
		lr.left, lr.over = usize, errSizeMismatch
	}
	format, br := sniffReader(lr, f.Name)
	switch format {
	case "unknown", "empty":
	default:
		s.scanStream(m, br, usize, format, depth+1)
	}
	if usize <= crcReadLimit {
		_, err = io.Copy(io.Discard, br) // the reader checks the CRC at the end
	}
	switch {
	case errors.Is(err, errBomb):
		s.add(m, Finding{Rule: "7z.bomb", Severity: SeverityHigh, Reason: "member decompresses past the size limit"})
	case errors.Is(err, errSizeMismatch):
		s.add(m, Finding{Rule: "7z.size-mismatch", Severity: SeverityHigh, Reason: fmt.Sprintf("member inflates past the %d bytes its header declares", usize)})
	case err != nil && s.ctx.Err() == nil:
		s.add(m, Finding{Rule: "7z.corrupt-member", Severity: SeverityMedium, Reason: err.Error()})
	}
}
