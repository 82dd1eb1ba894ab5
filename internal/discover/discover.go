package discover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options tune a discovery run. The zero value is usable.
type Options struct {
	// MaxFileSize caps text files (source, configs, cards); larger ones are
	// skipped and reported. Default 8 MiB.
	MaxFileSize int64
	// MaxNotebookSize caps .ipynb files, whose stored outputs (images) make
	// them much larger than their code. Default 32 MiB.
	MaxNotebookSize int64
	// MaxLineLength marks JavaScript/TypeScript files with a longer line as
	// minified and skips them. Default 20000.
	MaxLineLength int
	// Workers analyse and hash files in parallel. Default runtime.NumCPU().
	Workers int
	// Progress, when set, is called now and then from the walking goroutine.
	Progress func(Progress)
	// HashWeights asks for SHA-256 of weight files. Hashing is the default:
	// a Go bool cannot default to true, so the zero value hashes too and
	// SkipHash is the switch that turns it off.
	HashWeights bool
	// SkipHash leaves SHA256 empty on weight findings (LFS pointers keep
	// their oid).
	SkipHash bool
	// SkipDirs adds directory base names to the built-in exclusions.
	SkipDirs []string
}

const (
	defaultMaxFileSize     = 8 << 20
	defaultMaxNotebookSize = 32 << 20
	defaultMaxLineLength   = 20000
	sniffLen               = 4096
	lfsMaxSize             = 1024
)

// Directories that hold tools, caches or vendored dependencies, never the
// project's own assets.
var excludedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "node_modules": true, "__pycache__": true,
	".venv": true, "venv": true, ".tox": true, ".nox": true, ".mypy_cache": true,
	".pytest_cache": true, ".ruff_cache": true, ".ipynb_checkpoints": true,
	"site-packages": true, ".idea": true, ".vscode-test": true, ".eggs": true,
	".gradle": true, ".terraform": true, ".next": true, ".cache": true,
}

// Discover walks fsys and reports every AI asset it recognises. Bad files
// (binary, oversized, unreadable, symlinks) are reported in Result.Skipped and
// never stop the walk; only a cancelled context or an unreadable root is an
// error.
func Discover(ctx context.Context, fsys fs.FS, opts Options) (*Result, error) {
	o := opts
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = defaultMaxFileSize
	}
	if o.MaxNotebookSize <= 0 {
		o.MaxNotebookSize = defaultMaxNotebookSize
	}
	if o.MaxLineLength <= 0 {
		o.MaxLineLength = defaultMaxLineLength
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	hash := o.HashWeights || !o.SkipHash
	skipDirs := excludedDirs
	if len(o.SkipDirs) > 0 {
		skipDirs = make(map[string]bool, len(excludedDirs)+len(o.SkipDirs))
		for k := range excludedDirs {
			skipDirs[k] = true
		}
		for _, d := range o.SkipDirs {
			skipDirs[d] = true
		}
	}
	if _, err := fs.Stat(fsys, "."); err != nil {
		return nil, fmt.Errorf("discover: open root: %w", err)
	}

	s := newSession(fsys, o, hash)
	jobs := make(chan fileJob, o.Workers*8)
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, hashBufSize)
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				s.analyse(ctx, j, buf)
			}
		}()
	}

	files := 0
	lastProgress := time.Now()
	walkErr := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == "." {
				return err
			}
			s.skip(p, "unreadable: "+errText(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p == "." {
				return nil
			}
			if skipDirs[d.Name()] {
				s.skip(p, "excluded directory")
				return fs.SkipDir
			}
			s.visitDir(p)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// Never followed: a link may point outside the repository, and a
			// target inside it is scanned under its own path anyway.
			s.skip(p, "symlink not followed")
			return nil
		}
		if !d.Type().IsRegular() {
			s.skip(p, "not a regular file")
			return nil
		}
		files++
		jobs <- fileJob{path: p, entry: d}
		if o.Progress != nil && (files%1000 == 0 || time.Since(lastProgress) > 250*time.Millisecond) {
			lastProgress = time.Now()
			o.Progress(Progress{Files: files, Findings: s.findingCount()})
		}
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		if errors.Is(walkErr, context.Canceled) || errors.Is(walkErr, context.DeadlineExceeded) {
			return nil, fmt.Errorf("discover: %w", walkErr)
		}
		return nil, fmt.Errorf("discover: walk: %w", walkErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	res := s.finish()
	res.Files = files
	if o.Progress != nil {
		o.Progress(Progress{Files: files, Findings: len(res.Findings)})
	}
	return res, nil
}

type fileJob struct {
	path  string
	entry fs.DirEntry
}

// file is what a detector sees: the path and, for text files, the whole
// bounded content.
type file struct {
	path string // repository-relative, forward slashes
	dir  string // path.Dir(path), "." at the root
	base string // lower-case base name
	ext  string // lower-case extension with the dot
	size int64
	data []byte
	fsys fs.FS
	s    *session
}

// detector is one asset family's recogniser, in the manner of syft's
// catalogers: it chooses files by path, then reads their bounded content.
type detector interface {
	name() string
	wants(f *file) bool
	detect(f *file, out *sink)
}

// sink collects what one file produced.
type sink struct {
	findings []Finding
	warnings []string
	skips    []Skip
}

func (k *sink) add(f Finding) { k.findings = append(k.findings, f) }
func (k *sink) warn(format string, args ...any) {
	k.warnings = append(k.warnings, fmt.Sprintf(format, args...))
}

// session is the shared state of one Discover call.
type session struct {
	fsys fs.FS
	opts Options
	hash bool

	mu       sync.Mutex
	findings []Finding
	warnings []string
	skipped  []Skip
	// Cross-file facts resolved after the walk.
	pyModules map[string]map[string][]string // dotted module -> constant -> values
	pending   []pendingRef
	dirs      map[string]*dirFacts
	dataFiles []string
	nFindings int
}

// dirFacts are what the files of one directory say about the model or dataset
// stored there; they name weight files after the walk.
type dirFacts struct {
	modelName   string // HF id from config.json _name_or_path or card
	cardName    string
	datasetCard string // dataset name when the directory holds a dataset card
	hasWeights  bool
}

func newSession(fsys fs.FS, o Options, hash bool) *session {
	return &session{fsys: fsys, opts: o, hash: hash,
		pyModules: map[string]map[string][]string{}, dirs: map[string]*dirFacts{}}
}

func (s *session) skip(p, reason string) {
	s.mu.Lock()
	s.skipped = append(s.skipped, Skip{Path: p, Reason: reason})
	s.mu.Unlock()
}

func (s *session) findingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nFindings
}

func (s *session) dirFact(dir string) *dirFacts {
	d := s.dirs[dir]
	if d == nil {
		d = &dirFacts{}
		s.dirs[dir] = d
	}
	return d
}

// visitDir recognises bundles that are a model as a whole: a CoreML
// .mlpackage is a directory with a Manifest.json. Its files are still walked.
func (s *session) visitDir(p string) {
	if !strings.HasSuffix(strings.ToLower(p), ".mlpackage") {
		return
	}
	if _, err := fs.Stat(s.fsys, path.Join(p, "Manifest.json")); err != nil {
		return
	}
	s.mu.Lock()
	s.findings = append(s.findings, Finding{Kind: KindWeights, Name: p, Path: p, Detector: "weights.mlpackage",
		Confidence: 0.95, Format: "coreml", Provider: "local"})
	s.dirFact(path.Dir(p)).hasWeights = true
	s.nFindings++
	s.mu.Unlock()
}

func (s *session) merge(k *sink) {
	if len(k.findings) == 0 && len(k.warnings) == 0 && len(k.skips) == 0 {
		return
	}
	s.mu.Lock()
	s.findings = append(s.findings, k.findings...)
	s.warnings = append(s.warnings, k.warnings...)
	s.skipped = append(s.skipped, k.skips...)
	s.nFindings += len(k.findings)
	s.mu.Unlock()
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// textKind says whether a path is read whole as text, and which cap applies.
func textKind(base, ext string) (text, notebook bool) {
	switch ext {
	case ".ipynb":
		return true, true
	case ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".go", ".rs",
		".yaml", ".yml", ".toml", ".json", ".jsonc", ".sh", ".bash", ".zsh",
		".dvc", ".prompt", ".prompty", ".jinja", ".jinja2", ".j2", ".md", ".markdown", ".cfg",
		".dockerfile", ".modelfile", ".mod", ".txt", ".in", ".xml":
		return true, false
	}
	switch {
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || base == "containerfile",
		base == "modelfile", base == "makefile",
		isLicenseName(base):
		return true, false
	}
	return false, false
}

func (s *session) analyse(ctx context.Context, j fileJob, buf []byte) {
	p := j.path
	base := strings.ToLower(path.Base(p))
	f := &file{path: p, dir: path.Dir(p), base: base, ext: strings.ToLower(path.Ext(base)), fsys: s.fsys, s: s}
	out := &sink{}
	defer s.merge(out)

	info, err := j.entry.Info()
	if err != nil {
		out.skips = append(out.skips, Skip{p, "unreadable: " + errText(err)})
		return
	}
	f.size = info.Size()

	text, notebook := textKind(base, f.ext)
	if text && f.ext == ".txt" && !isRequirementsName(base) && !isLicenseName(base) {
		text = false
	}
	if text && f.ext == ".xml" {
		text = false // OpenVINO IR is recognised by the weights path
	}
	if text && f.ext == ".md" && !isReadmeName(base) && !isLicenseName(base) {
		return
	}
	if text && f.ext == ".mod" && base != "go.mod" {
		text = false
	}
	if !text {
		s.analyseBinary(ctx, f, out, buf)
		return
	}
	limit := s.opts.MaxFileSize
	if notebook {
		limit = s.opts.MaxNotebookSize
	}
	if f.size > limit {
		out.skips = append(out.skips, Skip{p, fmt.Sprintf("too large: %d bytes exceeds the %d-byte cap", f.size, limit)})
		return
	}
	data, err := readLimited(s.fsys, p, limit)
	if err != nil {
		out.skips = append(out.skips, Skip{p, "unreadable: " + errText(err)})
		return
	}
	if int64(len(data)) > limit {
		out.skips = append(out.skips, Skip{p, fmt.Sprintf("too large: exceeds the %d-byte cap", limit)})
		return
	}
	// A weight file can carry a source-like extension; so can an LFS pointer.
	if len(data) <= lfsMaxSize && bytes.HasPrefix(data, []byte("version https://git-lfs")) {
		detectLFS(f, data, out)
		return
	}
	if reason := binaryReason(data); reason != "" {
		if format, ok := Sniff(data, base); ok {
			out.add(weightFinding(f, format, s.hashIf(ctx, f, buf)))
			return
		}
		out.skips = append(out.skips, Skip{p, reason})
		return
	}
	if isMinifiedCandidate(f.ext, base) {
		if isMinified(data, s.opts.MaxLineLength) {
			out.skips = append(out.skips, Skip{p, "minified"})
			return
		}
	}
	f.data = data
	fixture := isFixturePath(p)
	for _, d := range detectors {
		if fixture && d.name() != "license" {
			continue
		}
		if d.wants(f) {
			d.detect(f, out)
		}
	}
}

func (s *session) hashIf(ctx context.Context, f *file, buf []byte) (sum string) {
	if !s.hash {
		return ""
	}
	sum, _, err := hashFileBuf(ctx, s.fsys, f.path, buf)
	if err != nil {
		return ""
	}
	return sum
}

func readLimited(fsys fs.FS, p string, limit int64) ([]byte, error) {
	fh, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, limit+1))
}

// binaryReason returns why data is not analysable text, or "".
func binaryReason(data []byte) string {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary content (NUL bytes) in a text-type file"
	}
	if utf8.Valid(data) {
		return ""
	}
	bad := 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			bad++
		}
		i += n
	}
	if bad*100 > len(data) || bad > 4096 {
		return "invalid UTF-8"
	}
	return ""
}

func isMinifiedCandidate(ext, base string) bool {
	switch ext {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts":
		return true
	}
	return false
}

func isMinified(data []byte, maxLine int) bool {
	start := 0
	for i, c := range data {
		if c == '\n' {
			if i-start > maxLine {
				return true
			}
			start = i + 1
		}
	}
	return len(data)-start > maxLine
}

func isReadmeName(base string) bool {
	return base == "readme.md" || base == "readme.markdown" || base == "modelcard.md" || base == "model_card.md" || base == "datacard.md" || base == "dataset_card.md"
}

func isRequirementsName(base string) bool {
	return strings.HasPrefix(base, "requirements") || strings.HasPrefix(base, "constraints")
}

func isLicenseName(base string) bool {
	switch path.Ext(base) {
	case "", ".txt", ".md", ".rst", ".markdown", ".apache", ".mit", ".bsd", ".gpl", ".apache2":
	default:
		if !strings.HasPrefix(path.Ext(base), ".0") && !strings.HasPrefix(path.Ext(base), ".1") {
			return false
		}
	}
	for _, p := range []string{"license", "licence", "copying", "unlicense"} {
		if base == p || strings.HasPrefix(base, p+".") || strings.HasPrefix(base, p+"-") || strings.HasPrefix(base, p+"_") {
			return true
		}
	}
	return false
}

// finish resolves cross-file references, names weight files after their
// model, and sorts everything for stable output.
func (s *session) finish() *Result {
	s.resolvePending()
	s.attachModels()
	s.attachDataFiles()
	res := &Result{Findings: s.findings, Skipped: s.skipped, Warnings: s.warnings}
	sort.SliceStable(res.Findings, func(i, j int) bool { return FindingLess(res.Findings[i], res.Findings[j]) })
	res.Findings = dedupe(res.Findings)
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	sort.Strings(res.Warnings)
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	return res
}

// dedupe drops exact repeats (same kind, name, place), which arise when two
// detectors agree, keeping the more confident.
func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.Path == f.Path && p.Line == f.Line && p.Kind == f.Kind && p.Name == f.Name {
				if f.Confidence > p.Confidence {
					*p = f
				}
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

func (s *session) attachModels() {
	for i := range s.findings {
		f := &s.findings[i]
		if f.Model != "" {
			continue
		}
		switch {
		case f.Kind == KindWeights:
			f.Model = s.modelForDir(path.Dir(f.Path))
		case f.Kind == KindModel && f.Detector == "config.json":
			f.Model = s.modelForDir(path.Dir(f.Path))
			if f.Name == "" {
				f.Name = f.Model
			}
		case f.Kind == KindModel && f.Detector == "card.front_matter":
			f.Model = s.modelForDir(path.Dir(f.Path))
			if f.Name == "" {
				f.Name = f.Model
			}
		}
	}
}

// modelForDir names the model stored in dir: an HF id from its config or
// card when there is one, else the directory itself.
func (s *session) modelForDir(dir string) string {
	for d := dir; ; d = path.Dir(d) {
		if df := s.dirs[d]; df != nil {
			if df.cardName != "" {
				return df.cardName
			}
			if df.modelName != "" {
				return df.modelName
			}
		}
		if d == "." || d == "/" || d == "" {
			break
		}
		// Weights often sit one level below the card (onnx/, checkpoints/).
		if d != dir {
			break
		}
	}
	return dir
}

func (s *session) attachDataFiles() {
	for _, p := range s.dataFiles {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if df := s.dirs[d]; df != nil && df.datasetCard != "" {
				s.findings = append(s.findings, Finding{Kind: KindDataset, Name: df.datasetCard, Path: p,
					Detector: "dataset.file_with_card", Confidence: 0.85, Provider: "local"})
				break
			}
			if d == "." {
				break
			}
		}
	}
}

// isFixturePath reports test fixtures and test sources: ids in them are test
// data, not assets the project uses.
func isFixturePath(p string) bool {
	lp := strings.ToLower(p)
	base := path.Base(lp)
	if strings.HasSuffix(base, "_test.go") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") {
		return true
	}
	for _, seg := range strings.Split(path.Dir(lp), "/") {
		switch seg {
		case "testdata", "fixtures", "__fixtures__", "__snapshots__", "__mocks__":
			return true
		}
	}
	return false
}

// FindingLess is the order findings are reported in: by path, line, kind,
// name and detector. Later stages sort by it too, so that whatever they keep
// "first" does not depend on the order findings arrived in.
func FindingLess(a, b Finding) bool {
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Detector < b.Detector
}
