// Package discover finds AI assets (models, weights, datasets, prompts, tools,
// agents, hosted AI services, ML frameworks, licenses) in a file tree. It reads
// files as data: nothing it inspects is imported or executed.
//
// Discover walks the tree and hands each file to the detectors registered in
// detectors.go, one package per language or format (python, javascript,
// golang, rust, csharp, ruby, shell, config, cards, templates, licenses,
// weights).
// What they find are asset.Sightings; facts that span files (the model a
// directory holds, a constant another module imports) are stated in each
// file's detect.Report and resolved after the walk.
//
// Where things go:
//   - a pattern of one language's code: that language's package (MCP tool
//     registrations such as Go's mcp.NewTool or TypeScript's server.tool are
//     call hooks in golang.Source and javascript.Source; Rust's #[tool] is a
//     token pattern in rust.Source; C#'s [McpServerTool] and Ruby's
//     MCP::Tool are line patterns in csharp.Source and ruby.Source);
//   - a pattern every brace language shares (model keys, builder calls,
//     URLs, a model variable's fallback): package code; a new brace language
//     (Java) gets a package that calls code.Parse, with a lex mode of its own
//     where the JavaScript one does not fit (C# reads well enough with it);
//   - a pattern of object trees, wherever written (JSON tool schemas, MCP
//     server maps, model keys): package objects, which config files and the
//     object literals of code both walk;
//   - what names a model, dataset or URL: package refs; what reads as a
//     prompt: package prompt;
//   - dependency manifests and the package metadata in them (frameworks,
//     declared licenses): the Packages/Module/Crates/Gems detector of the
//     ecosystem's package;
//   - license texts anywhere in the tree: licenses; data files and weights by
//     content: weights, with format names from internal/modelformat.
//
// Bounds: a file is untrusted input, so every parser and detector does work
// linear in its size (brackets matched once, nesting capped, names resolved
// once; TestParsersLinear and BenchmarkStallInputs hold the inputs that were
// quadratic or exponential). Text detectors run under Options.FileTimeBudget
// and check their context in every loop over tokens, lines and nodes
// (detect.Interrupt), so a cancelled scan stops mid-file.
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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/weights"
	"github.com/mlbom/autopilot/internal/lfs"
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
	// SkipHash leaves SHA256 empty on weight sightings (LFS pointers keep
	// their oid). Weight files are hashed by default.
	SkipHash bool
	// SkipDirs adds directory base names to the built-in exclusions.
	SkipDirs []string
	// FileTimeBudget bounds the time the detectors spend on one file: when
	// it runs out they stop, what they found so far is kept, and the file
	// is listed in Result.Skipped with the reason. Parsers are linear, so
	// only a huge file on a slow machine should meet it. Default 5s.
	FileTimeBudget time.Duration
}

// Progress is reported while a discovery runs.
type Progress struct {
	Files     int
	Sightings int
}

const (
	defaultMaxFileSize     = 8 << 20
	defaultMaxNotebookSize = 32 << 20
	defaultMaxLineLength   = 20000
	defaultFileTimeBudget  = 5 * time.Second
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

// Version-control metadata is not even sniffed for model files: its content
// is compressed objects no model loader opens, and it can hold far more
// files than the work tree.
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true}

// Discover walks fsys and reports every AI asset it recognises. Bad files
// (binary, oversized, unreadable, symlinks) are reported in Result.Skipped and
// never stop the walk; only a cancelled context or an unreadable root is an
// error.
func Discover(ctx context.Context, fsys fs.FS, opts Options) (*asset.Result, error) {
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
	if o.FileTimeBudget <= 0 {
		o.FileTimeBudget = defaultFileTimeBudget
	}
	hash := !o.SkipHash
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
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if j.excluded {
					s.sniff(j)
					continue
				}
				s.analyse(ctx, j)
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
			s.skip(p, detect.Unreadable(err))
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
				if !vcsDirs[d.Name()] {
					if err := sniffExcluded(ctx, fsys, p, jobs); err != nil {
						return err
					}
				}
				return fs.SkipDir
			}
			if b, ok := weights.Bundle(fsys, p); ok {
				s.merge(&detect.Report{Sightings: []asset.Sighting{b}})
			}
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
			o.Progress(Progress{Files: files, Sightings: s.sightingCount()})
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
		o.Progress(Progress{Files: files, Sightings: len(res.Sightings)})
	}
	return res, nil
}

type fileJob struct {
	path  string
	entry fs.DirEntry
	// excluded: the file lies in an excluded directory and is only
	// sniffed for a model format.
	excluded bool
}

// sniffExcluded hands every regular file under the excluded directory dir to
// the workers to be sniffed for a model format, and nothing else: no
// detector runs there, no skip is recorded per file, and the files are not
// counted as visited. Symlinks are not followed, as in the main walk.
func sniffExcluded(ctx context.Context, fsys fs.FS, dir string, jobs chan<- fileJob) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if d != nil && d.IsDir() && p != dir {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if vcsDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			jobs <- fileJob{path: p, entry: d, excluded: true}
		}
		return nil
	})
}

// sniff looks at the first bytes of a file in an excluded directory.
func (s *session) sniff(j fileJob) {
	info, err := j.entry.Info()
	if err != nil || !info.Mode().IsRegular() {
		return
	}
	r := &detect.Report{}
	weights.InExcluded(detect.NewFile(s.fsys, j.path, info.Size(), nil), r)
	if len(r.Sightings) > 0 {
		s.merge(r)
	}
}

// analyse reads one file and runs the detectors that want it. Text files
// are read whole, within the size caps; anything else goes to the detectors
// of binary files, which read what they need.
func (s *session) analyse(ctx context.Context, j fileJob) {
	p := j.path
	r := &detect.Report{}
	defer s.merge(r)

	info, err := j.entry.Info()
	if err != nil {
		r.Skip(p, detect.Unreadable(err))
		return
	}
	f := detect.NewFile(s.fsys, p, info.Size(), nil)
	text, notebook := readAsText(f.Base, f.Ext)
	if text && f.Ext == ".md" && !readmeOrLicense(f.Base) {
		// Not read as text, but a model file may carry any name: the
		// binary detectors look at its first bytes.
		s.run(ctx, f, r)
		return
	}
	if !text {
		s.run(ctx, f, r)
		return
	}
	limit := s.opts.MaxFileSize
	if notebook {
		limit = s.opts.MaxNotebookSize
	}
	if f.Size > limit {
		// Too large to read as text, perhaps because it is a model file
		// named like text: the binary detectors look at its first bytes.
		if s.run(ctx, f, r); len(r.Sightings) == 0 {
			r.Skip(p, fmt.Sprintf("too large: %d bytes exceeds the %d-byte cap", f.Size, limit))
		}
		return
	}
	data, err := readLimited(s.fsys, p, limit)
	if err != nil {
		r.Skip(p, detect.Unreadable(err))
		return
	}
	if int64(len(data)) > limit {
		r.Skip(p, fmt.Sprintf("too large: exceeds the %d-byte cap", limit))
		return
	}
	// A weight file can carry a source-like extension; so can an LFS pointer.
	if lfs.Looks(data) {
		weights.LFS(f, data, r)
		return
	}
	if reason := binaryReason(data); reason != "" {
		if !weights.InText(ctx, f, data, s.hash, r) {
			r.Skip(p, reason)
		}
		return
	}
	if minifiedCandidate(f.Ext) && isMinified(data, s.opts.MaxLineLength) {
		r.Skip(p, "minified")
		return
	}
	f.Data = data
	s.run(ctx, f, r)
}

// run hands f to every detector that wants it: a text file to the text
// detectors, any other file to the binary ones. Test fixtures and test
// source files (x_test.go, x.test.ts, x.spec.js) only have their license
// read: ids in them are mostly test data (mock replies, sample URLs), and
// reading them put noise into the BOMs of projects without AI. Code in
// tests/ and examples/ directories is read, and what it names is kept and
// marked out of scope (markScope).
//
// Text detectors see a context that also ends when the file's time budget
// does, and check it in their loops; binary detectors (hashing weights of
// any size) only stop for cancellation.
func (s *session) run(ctx context.Context, f *detect.File, r *detect.Report) {
	text := f.Data != nil
	if text {
		parent := ctx
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, s.opts.FileTimeBudget)
		defer cancel()
		defer func() {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
				r.Skip(f.Path, fmt.Sprintf("time budget exceeded: analysis stopped after %s (findings up to then kept)", s.opts.FileTimeBudget))
			}
		}()
	}
	fixture := text && isFixturePath(f.Path)
	for _, d := range s.detectors {
		if _, binary := d.(detect.BinaryDetector); binary == text {
			continue
		}
		if fixture && !fixtureDetectors[d.Name()] {
			continue
		}
		if ctx.Err() != nil {
			return // cancelled, or the file's time budget is spent
		}
		if d.Wants(f) {
			d.Detect(ctx, f, r)
		}
	}
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

func minifiedCandidate(ext string) bool {
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

// isFixturePath reports test fixtures (files under testdata/, fixtures/,
// __fixtures__/, __snapshots__/ or __mocks__/) and test source files.
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
