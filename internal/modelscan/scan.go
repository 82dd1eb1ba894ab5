package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"

	"github.com/mlbom/autopilot/internal/modelformat"
)

// reporter collects findings for one file, bounded by Options.MaxFindings.
type reporter struct {
	file     string
	max      int
	findings []Finding
	dropped  int
}

func (r *reporter) add(f Finding) {
	f.File = r.file
	if len(r.findings) < r.max {
		r.findings = append(r.findings, f)
		return
	}
	r.dropped++
	// keep the most severe: replace a lesser finding when full
	for i, old := range r.findings {
		if rank(old.Severity) < rank(f.Severity) {
			r.findings[i] = f
			return
		}
	}
}

func rank(s Severity) int {
	switch s {
	case SeverityCritical:
		return 5
	case SeverityHigh:
		return 4
	case SeverityMedium:
		return 3
	case SeverityLow:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// scanner holds the state of one file's scan.
type scanner struct {
	ctx   context.Context
	opts  Options
	rep   *reporter
	total int64 // decompressed bytes read so far
	// unscannable is set when some part could not be analysed at all.
	unscannable string
	// format of the file, refined by container readers (zip → pytorch-zip).
	format string
	// nestedSeen: payloads already scanned as nested files
	nestedSeen map[[32]byte]bool
	// fact: what the top-level file says about itself (headers only)
	fact *Facts
	// tensors rebuilt by the file's own pickles
	tensors tally
}

// refine sets the top-level format once a container has been classified.
func (s *scanner) refine(member, format string) {
	if member == "" {
		s.format = format
	}
}

var errNotRegular = errors.New("not a regular file")

// ScanPath opens path and scans it. Report.File is path. Anything but a
// regular file (a named pipe, a device) is an error report, never read.
func ScanPath(ctx context.Context, path string, opts Options) Report {
	f, err := openNoBlock(path)
	if err != nil {
		return Report{File: path, Status: StatusError, Error: fmt.Sprintf("open %s: %v", path, err), Findings: []Finding{}}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Report{File: path, Status: StatusError, Error: fmt.Sprintf("stat %s: %v", path, err), Findings: []Finding{}}
	}
	if !st.Mode().IsRegular() {
		return Report{File: path, Status: StatusError, Error: fmt.Sprintf("scan %s: %s, %v; not read", path, kindOf(st.Mode()), errNotRegular), Findings: []Finding{}}
	}
	return Scan(ctx, path, f, st.Size(), opts)
}

// Scan analyses one file of size bytes readable through r. name is used for
// the report and for the extension check; the format is decided by content.
func Scan(ctx context.Context, name string, r io.ReaderAt, size int64, opts Options) (rep Report) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.TimeBudget)
	defer cancel()
	rep = Report{File: name, Size: size, Findings: []Finding{}}
	s := &scanner{ctx: ctx, opts: opts, rep: &reporter{file: name, max: opts.MaxFindings}}

	var hashDone chan string
	if opts.Hash {
		hashDone = make(chan string, 1)
		go func() { hashDone <- hashAll(ctx, r, size) }()
	}
	defer func() {
		if p := recover(); p != nil {
			rep.Status = StatusError
			rep.Error = fmt.Sprintf("scan %s: internal error: %v\n%s", name, p, debug.Stack())
		}
		if hashDone != nil {
			rep.SHA256 = <-hashDone
		}
	}()

	head := make([]byte, 4096)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		rep.Status, rep.Error = StatusError, fmt.Sprintf("read %s: %v", name, err)
		return rep
	}
	head = head[:n]
	s.format = sniff(head, size, name)
	if (s.format == "onnx" || s.format == "unknown") && s.looksLikeSavedModel(r, size) {
		s.format = modelformat.SavedModel
	}
	if s.format == "unknown" {
		if f := templateCarrier(name, head); f != "" {
			s.format = f
		}
	}
	s.scanAt("", r, size, s.format, 0)
	rep.Format = modelformat.Name(s.format, head, name)
	if s.tensors.tensors > 0 {
		s.tensors.into(s.facts())
	}
	if s.fact != nil && !s.fact.empty() {
		rep.Facts = s.fact
	}
	s.checkExtension(name, s.format)

	rep.Findings = s.rep.findings
	if s.rep.dropped > 0 {
		rep.Findings = append(rep.Findings, Finding{Rule: "scan.findings-truncated", Severity: SeverityInfo, File: name,
			Reason: fmt.Sprintf("%d more findings were not kept", s.rep.dropped)})
	}
	rep.Status = verdictOf(rep.Findings, s.unscannable != "")
	if s.unscannable != "" && rep.Status == StatusUnscannable {
		rep.Error = s.unscannable
	}
	if ctx.Err() != nil && rep.Status != StatusMalicious {
		rep.Status = StatusError
		rep.Error = fmt.Sprintf("scan %s: time budget of %s exceeded; the file was not fully analysed", name, opts.TimeBudget)
	}
	return rep
}

func hashAll(ctx context.Context, r io.ReaderAt, size int64) string {
	h := sha256.New()
	buf := make([]byte, max(min(size, 1<<20), 1))
	for off := int64(0); off < size; {
		if ctx.Err() != nil {
			return ""
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		h.Write(buf[:n])
		off += int64(n)
		if err != nil && n == 0 {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func verdictOf(fs []Finding, unscannable bool) Status {
	worst := 0
	for _, f := range fs {
		worst = max(worst, rank(f.Severity))
	}
	switch {
	case worst >= rank(SeverityCritical):
		return StatusMalicious
	case worst >= rank(SeverityMedium):
		return StatusSuspicious
	case unscannable:
		return StatusUnscannable
	}
	return StatusClean
}

func (s *scanner) add(member string, f Finding) {
	f.Member = member
	s.rep.add(f)
}

// markUnscannable records that a part of the file could not be analysed.
func (s *scanner) markUnscannable(member, format, why string) {
	if s.unscannable == "" {
		s.unscannable = why
	}
	s.add(member, Finding{Rule: "format.unscannable", Severity: SeverityLow, Global: format, Reason: why})
}

// scanAt dispatches on a detected format for random-access content.
func (s *scanner) scanAt(member string, r io.ReaderAt, size int64, format string, depth int) {
	if depth > s.opts.MaxNesting {
		s.add(member, Finding{Rule: "scan.nesting-limit", Severity: SeverityMedium, Reason: "containers nested deeper than the limit; the inner content was not analysed"})
		return
	}
	switch format {
	case "zip":
		s.scanZip(member, r, size, depth)
	case "safetensors":
		s.scanSafetensors(member, r, size)
	case "gguf":
		s.scanGGUF(member, r, size)
	case "hdf5":
		s.scanHDF5(member, r, size)
	case "tar":
		s.scanTar(member, io.NewSectionReader(r, 0, size), depth)
	case "onnx":
		s.scanONNX(member, r, size)
	case modelformat.SavedModel:
		s.scanSavedModel(member, r, size)
	case "7z":
		s.scanSevenZip(member, r, size, depth)
	case "json", "chat-template":
		f := s.scanTemplateCarrier(member, r, size, format)
		s.refine(member, f)
	default:
		end := s.scanStream(member, io.NewSectionReader(r, 0, size), size, format, depth)
		if format == "pickle" || format == "pytorch-legacy" || format == modelformat.NPY {
			s.checkPolyglot(member, r, size, end, depth)
		}
	}
}

// checkPolyglot looks for a zip directory at the end of a file that starts
// as something else. torch.load decides by the first bytes, Python's
// zipfile by the end: each loader sees a different file, so both are
// scanned and the construction itself is reported.
// A zip that starts inside the decoded pickles (a bytes payload, as
// torch.storage._load_from_bytes carries) is content, not a polyglot.
func (s *scanner) checkPolyglot(member string, r io.ReaderAt, size, pickleEnd int64, depth int) {
	entries, err := readZipDirectory(r, size)
	if err != nil || len(entries) == 0 {
		return
	}
	for _, e := range entries {
		if e.localOff < pickleEnd {
			return
		}
	}
	e := entries[0]
	if s.zipCheckLocal(member, r, size, &e) != nil {
		return
	}
	s.add(member, Finding{Rule: "format.polyglot", Severity: SeverityHigh, Offset: e.localOff, Global: "zip",
		Reason: "the file is also a valid zip archive; loaders that look at the end (zipfile) read different content than loaders that look at the start"})
	s.scanZip(join(member, "(zip)"), r, size, depth+1)
}

// scanStream handles formats that can be read front to back.
// size is -1 when unknown (decompressed streams).
// It returns the offset where pickle decoding ended (0 for other formats).
func (s *scanner) scanStream(member string, r io.Reader, size int64, format string, depth int) (pickleEnd int64) {
	if depth > s.opts.MaxNesting {
		s.add(member, Finding{Rule: "scan.nesting-limit", Severity: SeverityMedium, Reason: "containers nested deeper than the limit; the inner content was not analysed"})
		return 0
	}
	ps := s.pickleScannerFor(member, depth)
	defer func() { pickleEnd = ps.end }()
	switch format {
	case "pickle":
		ps.scanPickles(r, kindPlain)
	case "pytorch-legacy":
		ps.scanPickles(r, kindLegacy)
	case "joblib":
		ps.scanPickles(r, kindJoblib)
	case modelformat.NPY:
		s.scanNpy(member, r, ps)
	case "gzip", "bzip2", "xz", "lzma", "zstd", "zlib", "joblib-zfile":
		s.scanCompressed(member, r, format, depth)
	case "rar", "lz4", "ggml-legacy":
		s.markUnscannable(member, format, format+" content cannot be opened by this scanner; it was not analysed")
	case "empty":
	default:
		if size >= 0 && size <= 64<<20 && needsRandomAccess(format) {
			data, err := io.ReadAll(io.LimitReader(r, size))
			if err != nil {
				s.add(member, Finding{Rule: "scan.read-error", Severity: SeverityMedium, Reason: err.Error()})
				return
			}
			s.scanAt(member, bytes.NewReader(data), int64(len(data)), format, depth)
			return
		}
		s.markUnscannable(member, format, "content format not recognised ("+format+"); it was not analysed")
	}
	return 0
}

func needsRandomAccess(format string) bool {
	switch format {
	case "zip", "safetensors", "gguf", "hdf5", "tar", "onnx", modelformat.SavedModel, "json", "chat-template", "7z":
		return true
	}
	return false
}

// scanBytes scans an in-memory payload (nested pickle, decompressed stream).
func (s *scanner) scanBytes(member string, data []byte, depth int) {
	format := sniff(data[:min(len(data), 4096)], int64(len(data)), member)
	s.scanAt(member, bytes.NewReader(data), int64(len(data)), format, depth)
}

// sniffReader detects the format of a stream and returns a reader that
// still yields the peeked bytes.
func sniffReader(r io.Reader, name string) (string, io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	return sniff(head, -1, name), br
}

// checkExtension reports content that disagrees with the file name.
func (s *scanner) checkExtension(name, format string) {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" {
		return
	}
	expect, known := extFormats[ext]
	if !known {
		return
	}
	for _, f := range expect {
		if f == format {
			return
		}
	}
	sev := SeverityLow
	why := fmt.Sprintf("extension %s suggests %s but the content is %s", ext, strings.Join(expect, "/"), format)
	if executable(format) && !executableExt(ext) {
		sev = SeverityHigh
		why += "; tools that trust the extension load it with a code-executing loader or skip scanning it"
	}
	s.add("", Finding{Rule: "format.extension-mismatch", Severity: sev, Global: format, Reason: why})
}

var extFormats = map[string][]string{
	".safetensors": {"safetensors"},
	".gguf":        {"gguf"},
	".npy":         {modelformat.NPY},
	".npz":         {modelformat.NPZ, "zip"},
	".onnx":        {"onnx"},
	".h5":          {"hdf5"},
	".hdf5":        {"hdf5"},
	".keras":       {"keras", "hdf5"},
	".pb":          {modelformat.SavedModel, "onnx", "protobuf"},
	".pt":          {"pytorch-zip", "pytorch-legacy", "pytorch-tar", "torchscript", "pickle"},
	".pth":         {"pytorch-zip", "pytorch-legacy", "pytorch-tar", "torchscript", "pickle"},
	".ckpt":        {"pytorch-zip", "pytorch-legacy", "pytorch-tar", "pickle", "zip"},
	".pkl":         {"pickle", "pytorch-legacy", "pytorch-zip", "gzip", "bzip2", "xz", "lzma", "zlib", "zstd", "joblib-zfile"},
	".pickle":      {"pickle", "pytorch-legacy", "gzip", "bzip2", "xz", "lzma", "zlib", "zstd"},
	".joblib":      {"pickle", "gzip", "bzip2", "xz", "lzma", "zlib", "joblib-zfile", "lz4", "zstd"},
	".7z":          {"7z"},
	".tar":         {"tar", "pytorch-tar"},
}

func executable(format string) bool {
	switch format {
	case "pickle", "pytorch-legacy", "pytorch-zip", "torchscript", "pytorch-tar", "gzip", "bzip2", "xz", "lzma", "zlib", "zstd", "joblib-zfile", "zip", "tar", "keras", modelformat.NPZ:
		return true
	}
	return false
}

func executableExt(ext string) bool {
	switch ext {
	case ".safetensors", ".gguf", ".npy", ".npz", ".onnx", ".h5", ".hdf5", ".pb", ".keras":
		return false
	}
	return true
}
