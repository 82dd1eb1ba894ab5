package modelscan

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/mlbom/autopilot/internal/modelformat"
)

// The zip reader follows what PyTorch's loader (caffe2 PyTorchStreamReader
// on miniz) does: the central directory is authoritative; a member's data
// starts after the local header whose name and extra lengths are taken from
// the local header itself; sizes and method come from the central
// directory. Python's zipfile (Keras, NumPy .npz) reads the same way. Local
// headers that disagree with the central directory are reported, because a
// streaming reader (or another scanner) would see different bytes than the
// loader. Members are never written to disk; their names are only labels.

type zipEntry struct {
	name         string
	flags        uint16
	method       uint16
	crc          uint32
	csize, usize int64
	localOff     int64
	dataOff      int64
}

const maxZipEntries = 1 << 17

// crcReadLimit: members up to this size are read to the end for the CRC
// check even when the scanner needs only their start.
const crcReadLimit = 64 << 20

// readZipDirectory parses the end-of-central-directory record (zip64
// aware) and the central directory.
func readZipDirectory(r io.ReaderAt, size int64) ([]zipEntry, error) {
	e, _, err := readZipDirectoryPrefix(r, size)
	return e, err
}

// readZipDirectoryPrefix also returns the number of bytes prepended to the
// archive. Like Python's zipfile, offsets are shifted by that amount when
// the directory does not sit where its own offset says.
func readZipDirectoryPrefix(r io.ReaderAt, size int64) (out []zipEntry, prefix int64, err error) {
	tailLen := min(size, 65535+22)
	tail := make([]byte, tailLen)
	if _, err := r.ReadAt(tail, size-tailLen); err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("read zip tail: %w", err)
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return nil, 0, fmt.Errorf("no end of central directory record")
	}
	eocd := tail[i:]
	eocdOff := size - tailLen + int64(i)
	count := int64(binary.LittleEndian.Uint16(eocd[10:]))
	cdSize := int64(binary.LittleEndian.Uint32(eocd[12:]))
	cdOff := int64(binary.LittleEndian.Uint32(eocd[16:]))
	// Writers such as PyTorch's emit zip64 records even when the classic
	// fields are not saturated; like Python's zipfile, a locator right
	// before the end record means the zip64 record is authoritative.
	saturated := count == 0xffff || cdSize == 0xffffffff || cdOff == 0xffffffff
	loc := make([]byte, 20)
	zip64 := false
	if eocdOff >= 20 {
		if _, err := r.ReadAt(loc, eocdOff-20); err == nil && string(loc[:4]) == "PK\x06\x07" {
			zip64 = true
		}
	}
	if saturated && !zip64 {
		return nil, 0, fmt.Errorf("zip64 locator missing")
	}
	if zip64 {
		rec := make([]byte, 56)
		recOff := int64(binary.LittleEndian.Uint64(loc[8:]))
		if recOff < 0 || recOff > size-56 {
			return nil, 0, fmt.Errorf("zip64 record offset out of range")
		}
		if _, err := r.ReadAt(rec, recOff); err != nil {
			return nil, 0, fmt.Errorf("read zip64 record: %w", err)
		}
		if string(rec[:4]) != "PK\x06\x06" {
			return nil, 0, fmt.Errorf("bad zip64 end record")
		}
		count = int64(binary.LittleEndian.Uint64(rec[32:]))
		cdSize = int64(binary.LittleEndian.Uint64(rec[40:]))
		cdOff = int64(binary.LittleEndian.Uint64(rec[48:]))
	}
	dirEnd := eocdOff // where the central directory should end
	if zip64 {
		dirEnd -= 56 + 20
	}
	if p := dirEnd - cdSize - cdOff; p > 0 {
		prefix = p
		cdOff += prefix
	}
	if count < 0 || count > maxZipEntries {
		return nil, 0, fmt.Errorf("zip declares %d entries (limit %d)", count, maxZipEntries)
	}
	if cdOff < 0 || cdSize < 0 || cdOff > size || cdSize > size-cdOff || cdSize > 64<<20 {
		return nil, 0, fmt.Errorf("central directory out of range")
	}
	cd := make([]byte, cdSize)
	if _, err := r.ReadAt(cd, cdOff); err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("read central directory: %w", err)
	}
	for p := 0; len(out) < int(count); {
		if len(cd)-p < 46 || string(cd[p:p+4]) != "PK\x01\x02" {
			return out, prefix, fmt.Errorf("central directory entry %d malformed", len(out))
		}
		h := cd[p:]
		e := zipEntry{
			flags:    binary.LittleEndian.Uint16(h[8:]),
			method:   binary.LittleEndian.Uint16(h[10:]),
			crc:      binary.LittleEndian.Uint32(h[16:]),
			csize:    int64(binary.LittleEndian.Uint32(h[20:])),
			usize:    int64(binary.LittleEndian.Uint32(h[24:])),
			localOff: int64(binary.LittleEndian.Uint32(h[42:])),
		}
		nl, xl, cl := int(binary.LittleEndian.Uint16(h[28:])), int(binary.LittleEndian.Uint16(h[30:])), int(binary.LittleEndian.Uint16(h[32:]))
		if 46+nl+xl+cl > len(h) {
			return out, prefix, fmt.Errorf("central directory entry %d truncated", len(out))
		}
		e.name = string(h[46 : 46+nl])
		applyZip64(&e, h[46+nl:46+nl+xl], true)
		e.localOff += prefix
		out = append(out, e)
		p += 46 + nl + xl + cl
	}
	return out, prefix, nil
}

// applyZip64 replaces 0xffffffff fields with the zip64 extra field values.
func applyZip64(e *zipEntry, extra []byte, central bool) {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if 4+n > len(extra) {
			return
		}
		if id == 1 {
			d := extra[4 : 4+n]
			next := func() (int64, bool) {
				if len(d) < 8 {
					return 0, false
				}
				v := int64(binary.LittleEndian.Uint64(d))
				d = d[8:]
				return v, true
			}
			if e.usize == 0xffffffff {
				if v, ok := next(); ok {
					e.usize = v
				}
			}
			if e.csize == 0xffffffff {
				if v, ok := next(); ok {
					e.csize = v
				}
			}
			if central && e.localOff == 0xffffffff {
				if v, ok := next(); ok {
					e.localOff = v
				}
			}
		}
		extra = extra[4+n:]
	}
}

// zipCheckLocal reads e's local header, sets dataOff and reports disagreements.
func (s *scanner) zipCheckLocal(member string, r io.ReaderAt, size int64, e *zipEntry) error {
	h := make([]byte, 30)
	if e.localOff < 0 || e.localOff > size-30 {
		return fmt.Errorf("local header offset %d out of range", e.localOff)
	}
	if _, err := r.ReadAt(h, e.localOff); err != nil {
		return fmt.Errorf("read local header: %w", err)
	}
	if string(h[:4]) != "PK\x03\x04" {
		return fmt.Errorf("no local header at offset %d", e.localOff)
	}
	nl, xl := int64(binary.LittleEndian.Uint16(h[26:])), int64(binary.LittleEndian.Uint16(h[28:]))
	if e.localOff+30+nl+xl > size {
		return fmt.Errorf("local header truncated")
	}
	nx := make([]byte, nl+xl)
	if _, err := r.ReadAt(nx, e.localOff+30); err != nil {
		return fmt.Errorf("read local header name: %w", err)
	}
	l := zipEntry{
		name:   string(nx[:nl]),
		flags:  binary.LittleEndian.Uint16(h[6:]),
		method: binary.LittleEndian.Uint16(h[8:]),
		crc:    binary.LittleEndian.Uint32(h[14:]),
		csize:  int64(binary.LittleEndian.Uint32(h[18:])),
		usize:  int64(binary.LittleEndian.Uint32(h[22:])),
	}
	applyZip64(&l, nx[nl:], false)
	e.dataOff = e.localOff + 30 + nl + xl
	var diffs []string
	if l.name != e.name {
		diffs = append(diffs, fmt.Sprintf("name %q vs %q", l.name, e.name))
	}
	if l.method != e.method {
		diffs = append(diffs, fmt.Sprintf("method %d vs %d", l.method, e.method))
	}
	if l.flags&8 == 0 && e.flags&8 == 0 {
		if l.csize != e.csize || l.usize != e.usize {
			diffs = append(diffs, fmt.Sprintf("sizes %d/%d vs %d/%d", l.csize, l.usize, e.csize, e.usize))
		}
		if l.crc != e.crc {
			diffs = append(diffs, fmt.Sprintf("crc %08x vs %08x", l.crc, e.crc))
		}
	}
	if len(diffs) > 0 {
		s.add(join(member, e.name), Finding{Rule: "zip.header-mismatch", Severity: SeverityHigh, Offset: e.localOff, Global: e.name,
			Reason: "local header disagrees with the central directory (" + strings.Join(diffs, ", ") + "); streaming readers and the loader see different members"})
	}
	if e.csize < 0 || e.dataOff+e.csize > size {
		return fmt.Errorf("member data runs past the end of the file")
	}
	return nil
}

func join(outer, inner string) string {
	if outer == "" {
		return inner
	}
	return outer + "!" + inner
}

// openZipMember returns a reader of e's uncompressed bytes and a function
// reporting the CRC it computed. Stored members cost no decompression, so
// they are not charged to the shared budget; a compressed member is read at
// most to its declared size (more is errSizeMismatch: the loader stops
// there too) and charged to the budget, except a pickle, which is read
// whatever decoys before it used: it is what the loader executes.
func (s *scanner) openZipMember(r io.ReaderAt, e *zipEntry, pickle bool) (io.Reader, func() (uint32, bool), error) {
	raw := io.NewSectionReader(r, e.dataOff, e.csize)
	var rd io.Reader
	switch e.method {
	case 0:
		rd = raw
	case 8:
		rd = flate.NewReader(raw)
	case 12:
		rd = bzip2.NewReader(raw)
	case 93:
		z, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(s.opts.MaxMemberSize)))
		if err != nil {
			return nil, nil, err
		}
		rd = z.IOReadCloser()
	default:
		return nil, nil, fmt.Errorf("compression method %d not supported", e.method)
	}
	lr := &boundedReader{r: rd, s: s, left: e.csize}
	if e.method != 0 {
		lr.charge = true
		lr.left, lr.over = s.opts.MaxMemberSize, errBomb
		if !pickle {
			lr.left = min(lr.left, s.opts.MaxTotalUncompressed-s.total)
		}
		if e.usize >= 0 && e.usize <= lr.left {
			lr.left, lr.over = e.usize, errSizeMismatch
		}
	}
	h := crc32.NewIEEE()
	tr := io.TeeReader(lr, h)
	return tr, func() (uint32, bool) { return h.Sum32(), lr.eof }, nil
}

// boundedReader yields at most left bytes; when more would come out it
// fails with over (errBomb for a budget, errSizeMismatch for a declared size).
type boundedReader struct {
	r      io.Reader
	left   int64
	over   error
	charge bool // count the bytes against the file's decompression budget
	s      *scanner
	eof    bool
	hit    bool
}

var (
	errBomb         = errors.New("decompressed size limit exceeded")
	errSizeMismatch = errors.New("member inflates past its declared size")
)

func (b *boundedReader) Read(p []byte) (int, error) {
	if err := b.s.ctx.Err(); err != nil {
		return 0, err
	}
	if b.left <= 0 {
		// At the limit: one more byte means the content is longer.
		var one [1]byte
		for i := 0; i < 16; i++ {
			n, err := b.r.Read(one[:])
			if n > 0 {
				b.hit = true
				if b.over == nil {
					return 0, errBomb
				}
				return 0, b.over
			}
			if err != nil {
				if err == io.EOF {
					b.eof = true
				}
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.charge {
		b.s.total += int64(n)
	}
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func classifyZip(entries []zipEntry) string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	return modelformat.ZipFormat(names)
}

func (s *scanner) scanZip(member string, r io.ReaderAt, size int64, depth int) {
	entries, prefix, err := readZipDirectoryPrefix(r, size)
	if prefix > 0 {
		s.add(member, Finding{Rule: "zip.prepended-data", Severity: SeverityMedium, Offset: prefix,
			Reason: fmt.Sprintf("%d bytes precede the archive; readers that honour the directory's offsets and readers that adjust for the prefix see different members", prefix)})
	}
	if err != nil {
		s.add(member, Finding{Rule: "zip.malformed", Severity: SeverityMedium, Reason: fmt.Sprintf("zip structure: %v; loaders may read it differently than this scanner", err)})
		if len(entries) == 0 {
			s.markUnscannable(member, "zip", "zip central directory unreadable")
			return
		}
	}
	kind := classifyZip(entries)
	s.refine(member, kind)

	seen := map[string]int{}
	var declared int64
	type span struct{ lo, hi int64 }
	var spans []span
	for i := range entries {
		e := &entries[i]
		m := join(member, e.name)
		if seen[e.name]++; seen[e.name] == 2 {
			s.add(m, Finding{Rule: "zip.duplicate-member", Severity: SeverityHigh, Global: e.name,
				Reason: "member name appears more than once; which copy the loader reads depends on its lookup, so a scanner reading the other copy is blind"})
		}
		if strings.Contains(e.name, "..") || strings.HasPrefix(e.name, "/") || strings.Contains(e.name, "\\") || strings.ContainsRune(e.name, 0) {
			s.add(m, Finding{Rule: "zip.path-traversal", Severity: SeverityMedium, Global: e.name, Reason: "member name escapes the archive root if extracted"})
		}
		if e.flags&0x2000 != 0 {
			s.add(m, Finding{Rule: "zip.encrypted", Severity: SeverityLow, Offset: e.localOff, Global: fmt.Sprintf("flags 0x%04x", e.flags),
				Reason: "central directory is encrypted (masked headers); the member cannot be analysed"})
			s.markUnscannable(m, "zip", "encrypted zip member")
			continue
		}
		if err := s.zipCheckLocal(member, r, size, e); err != nil {
			s.add(m, Finding{Rule: "zip.malformed", Severity: SeverityMedium, Offset: e.localOff, Reason: err.Error()})
			continue
		}
		spans = append(spans, span{e.localOff, e.dataOff + e.csize})
		declared += e.usize
		if e.method == 0 && e.csize != e.usize && e.flags&0x41 == 0 { // encryption adds a header to the stored bytes
			s.add(m, Finding{Rule: "zip.header-mismatch", Severity: SeverityHigh, Offset: e.localOff, Reason: "stored member whose compressed and uncompressed sizes differ"})
		}
		if e.usize > 1<<20 && float64(e.usize) > s.opts.MaxRatio*float64(max(e.csize, 1)) {
			s.add(m, Finding{Rule: "zip.bomb", Severity: SeverityHigh, Offset: e.localOff,
				Reason: fmt.Sprintf("declared ratio %.0f:1 (%d bytes from %d) exceeds the limit %.0f", float64(e.usize)/float64(max(e.csize, 1)), e.usize, e.csize, s.opts.MaxRatio)})
		}
	}
	if declared > s.opts.MaxTotalUncompressed && float64(declared) > s.opts.MaxRatio*float64(size) {
		s.add(member, Finding{Rule: "zip.bomb", Severity: SeverityHigh, Reason: fmt.Sprintf("members declare %d uncompressed bytes from a %d-byte archive", declared, size)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			s.add(member, Finding{Rule: "zip.overlapping-members", Severity: SeverityHigh, Offset: spans[i].lo,
				Reason: "member data ranges overlap (a zip-bomb construction, or two names for the same bytes)"})
			break
		}
	}
	for i := range entries {
		if s.ctx.Err() != nil {
			return
		}
		e := &entries[i]
		if e.dataOff == 0 || e.flags&0x2000 != 0 || strings.HasSuffix(e.name, "/") {
			continue
		}
		if e.flags&0x41 != 0 {
			s.scanEncryptedMember(member, r, e, kind, depth)
			continue
		}
		s.scanZipMember(member, r, e, kind, depth)
	}
}

// scanZipMember decides how to read one member by the container kind,
// its name and its content.
func (s *scanner) scanZipMember(outer string, r io.ReaderAt, e *zipEntry, kind string, depth int) {
	m := join(outer, e.name)
	base := e.name[strings.LastIndex(e.name, "/")+1:]
	isData := (strings.Contains(e.name, "/data/") || strings.HasPrefix(e.name, "data/")) && !strings.HasSuffix(base, ".pkl")
	if (kind == "pytorch-zip" || kind == "torchscript") && isData && !s.opts.VerifyAllCRC {
		return // raw tensor storages: never interpreted as code by the loader
	}
	pickle := strings.HasSuffix(base, ".pkl") || strings.HasSuffix(base, ".debug_pkl")
	rd, crc, err := s.openZipMember(r, e, pickle)
	if err != nil {
		s.add(m, Finding{Rule: "zip.unsupported-method", Severity: SeverityMedium, Offset: e.localOff, Reason: err.Error() + "; member not analysed"})
		return
	}
	// finish reads the rest of a member so its CRC can be checked; large
	// members the scanner did not need are left unread (VerifyAllCRC reads them).
	finish := func(rd io.Reader) error {
		if e.usize > crcReadLimit && !s.opts.VerifyAllCRC {
			return nil
		}
		_, err := io.Copy(io.Discard, rd)
		return err
	}
	switch {
	case (kind == "pytorch-zip" || kind == "torchscript") && isData:
		err = finish(rd)
	case pickle:
		ps := s.pickleScannerFor(m, depth)
		ps.scanPickles(rd, kindPlain)
		err = finish(rd)
	case kind == "torchscript" && strings.HasSuffix(base, ".py"):
		s.scanTorchScriptCode(m, rd)
		err = finish(rd)
	case kind == "keras" && e.name == "config.json":
		s.scanKerasConfig(m, rd)
		err = finish(rd)
	default:
		format, br := sniffReader(rd, e.name)
		switch {
		case format == "unknown" || format == "empty":
		case needsRandomAccess(format) && e.method == 0:
			// stored: read in place, however large
			s.scanAt(m, io.NewSectionReader(r, e.dataOff, e.csize), e.csize, format, depth+1)
		case kind == "keras" && format == "hdf5":
			// weights only; Keras reads the model from config.json
		default:
			s.scanStream(m, br, e.usize, format, depth+1)
		}
		err = finish(br)
	}
	if errors.Is(err, errBomb) {
		s.add(m, Finding{Rule: "zip.bomb", Severity: SeverityHigh, Offset: e.localOff, Reason: "member decompresses past the size limit"})
		return
	}
	if errors.Is(err, errSizeMismatch) {
		s.add(m, Finding{Rule: "zip.size-mismatch", Severity: SeverityHigh, Offset: e.localOff,
			Reason: fmt.Sprintf("member inflates past the %d bytes its headers declare; loaders stop at the declared size, so the rest is hidden from tools that read to the end", e.usize)})
		return
	}
	if err != nil {
		if s.ctx.Err() == nil {
			s.add(m, Finding{Rule: "zip.corrupt-member", Severity: SeverityMedium, Offset: e.localOff, Reason: err.Error()})
		}
		return
	}
	if sum, done := crc(); done && sum != e.crc {
		s.add(m, Finding{Rule: "zip.crc-mismatch", Severity: SeverityHigh, Offset: e.localOff,
			Reason: fmt.Sprintf("CRC-32 %08x does not match the declared %08x; the member was altered after the archive was written", sum, e.crc)})
	}
}

func (s *scanner) pickleScannerFor(member string, depth int) *pickleScanner {
	ps := &pickleScanner{ctx: s.ctx, opts: s.opts, rep: s.rep, member: member, depth: depth}
	if depth == 0 { // the file's own pickles (or its top-level archive's), not nested payloads
		ps.tensors = &s.tensors
	}
	ps.nested = func(name string, data []byte) {
		// the same payload reached twice (a loader's argument that is also
		// a data value) is scanned once
		h := sha256.Sum256(data)
		if s.nestedSeen == nil {
			s.nestedSeen = map[[32]byte]bool{}
		}
		if s.nestedSeen[h] {
			return
		}
		s.nestedSeen[h] = true
		s.scanBytes(join(member, name), data, depth+1)
	}
	return ps
}

// scanEncryptedMember handles a member whose encryption flag is set. Python's
// zipfile asks for a password, but PyTorch's loader (miniz) ignores the flag
// and reads the bytes as they are: a flag set on plain data hides the
// member from scanners that skip encrypted members, not from the loader.
// So the member is read as miniz reads it; if what comes out is a model
// format the flag is a lie (zip.encryption-flag, critical when content was
// found behind it), and if it is not, the member really is encrypted and
// cannot be seen into: unscannable, not an attack.
func (s *scanner) scanEncryptedMember(outer string, r io.ReaderAt, e *zipEntry, kind string, depth int) {
	m := join(outer, e.name)
	probe := *e
	rd, _, err := s.openZipMember(r, &probe, false)
	format := "unknown"
	if err == nil {
		format, _ = sniffReader(io.LimitReader(rd, 4096), e.name)
	}
	if format == "unknown" || format == "empty" {
		s.add(m, Finding{Rule: "zip.encrypted", Severity: SeverityLow, Offset: e.localOff, Global: fmt.Sprintf("flags 0x%04x", e.flags),
			Reason: "member is encrypted; its content cannot be analysed"})
		s.markUnscannable(m, "zip", "encrypted zip member")
		return
	}
	s.add(m, Finding{Rule: "zip.encryption-flag", Severity: SeverityHigh, Offset: e.localOff, Global: fmt.Sprintf("flags 0x%04x", e.flags),
		Reason: "member is flagged encrypted but holds plain " + format + " content, which loaders that ignore the flag (miniz, torch.load) read; a scanner-evasion construction"})
	s.scanZipMember(outer, r, e, kind, depth)
}
