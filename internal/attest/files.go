package attest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mlbom/autopilot/internal/discover/weights"
	"github.com/mlbom/autopilot/internal/lfs"
	"github.com/mlbom/autopilot/internal/modelformat"
)

// File check outcomes.
const (
	FileOK         = "ok"
	FileChanged    = "changed"     // content differs from the signed digest
	FileMissing    = "missing"     // a signed file is not on disk
	FileExtra      = "extra"       // a model file on disk the signed BOM does not list
	FileNotFetched = "not-fetched" // a Git LFS pointer to the signed object, not the object
)

// ErrFiles: files on disk do not match the signed BOM.
var ErrFiles = errors.New("files do not match the signed BOM")

// FileResult is the outcome for one signed file or one extra file.
type FileResult struct {
	Name   string `json:"name"`           // subject name (repository-relative), or the extra file's path
	Path   string `json:"path,omitempty"` // where it was looked for on disk
	Status string `json:"status"`
	Want   string `json:"want,omitempty"` // signed sha256
	Got    string `json:"got,omitempty"`  // sha256 on disk
}

// FileReport is the outcome of VerifyFiles.
type FileReport struct {
	Files []FileResult `json:"files"`
	Bytes int64        `json:"bytes"` // bytes hashed
}

// Count returns how many results have status.
func (r *FileReport) Count(status string) int {
	n := 0
	for _, f := range r.Files {
		if f.Status == status {
			n++
		}
	}
	return n
}

// Err is nil when every file matched, else an ErrFiles naming each problem.
func (r *FileReport) Err() error {
	var problems []string
	for _, f := range r.Files {
		switch f.Status {
		case FileChanged:
			problems = append(problems, fmt.Sprintf("changed %s (sha256 %s on disk, %s signed)", f.Name, short(f.Got), short(f.Want)))
		case FileMissing:
			problems = append(problems, fmt.Sprintf("missing %s (signed, not found at %s)", f.Name, f.Path))
		case FileExtra:
			problems = append(problems, fmt.Sprintf("extra %s (a model file the signed BOM does not list)", f.Name))
		case FileNotFetched:
			problems = append(problems, fmt.Sprintf("not fetched %s (a Git LFS pointer to the signed object: run git lfs pull)", f.Name))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d of %d: %s", ErrFiles, len(problems), len(r.Files), strings.Join(problems, "; "))
}

// FileOptions tune VerifyFiles.
type FileOptions struct {
	// Workers hash files in parallel; <= 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each file with bytes hashed so far
	// and the total to hash.
	Progress func(done, total int64)
}

// sniffSize is how much of an unlisted file is read to tell a model file.
const sniffSize = 4096

// VerifyFiles checks files and directories on disk against signed subjects
// (verify-before-use). A file argument must be one of the subjects. A
// directory argument is lined up with the subjects' paths by the longest
// common path suffixes (so the repository root, a model directory inside it,
// or a directory above it all work); every signed file under it must be
// present with its digest, and any other model file under it (recognised by
// content, not name) is extra. The report lists each file; Err says whether
// all matched. Errors returned are about the arguments (no such path).
func VerifyFiles(ctx context.Context, subjects []Subject, paths []string, opts FileOptions) (*FileReport, error) {
	var plan []job
	var extras []FileResult
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", p, err)
		}
		if st.IsDir() {
			jobs, ex, err := planDir(ctx, subjects, p)
			if err != nil {
				return nil, err
			}
			plan = append(plan, jobs...)
			extras = append(extras, ex...)
			continue
		}
		plan = append(plan, planFile(subjects, p, st.Size()))
	}
	rep := &FileReport{}
	results, bytes, err := runJobs(ctx, plan, opts)
	if err != nil {
		return nil, err
	}
	rep.Files = append(results, extras...)
	rep.Bytes = bytes
	sort.SliceStable(rep.Files, func(i, j int) bool { return rep.Files[i].Name < rep.Files[j].Name })
	return rep, nil
}

// job is one file to hash and the subjects it may be.
type job struct {
	path       string
	size       int64
	candidates []Subject // empty: the file is extra unless it is a pointer
	missing    bool      // the signed file is not on disk
	want       Subject   // for missing
}

func planFile(subjects []Subject, p string, size int64) job {
	rel := filepath.ToSlash(filepath.Clean(p))
	type scored struct {
		s Subject
		n int
	}
	var cands []scored
	for _, s := range subjects {
		if n := suffixMatch(s.Name, rel); n > 0 && s.SHA256() != "" {
			cands = append(cands, scored{s, n})
		}
	}
	// The longest alignment first: it is the one reported on a mismatch.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].n > cands[j].n })
	j := job{path: p, size: size}
	for _, c := range cands {
		j.candidates = append(j.candidates, c.s)
	}
	return j
}

// suffixMatch is how many trailing path elements a and b share (0 when
// their last elements differ).
func suffixMatch(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[len(as)-1-n] == bs[len(bs)-1-n] {
		n++
	}
	return n
}

// alignment maps subject names onto files under a directory: a subject
// "subjPrefix + x" is the file "diskPrefix + x".
type alignment struct{ subjPrefix, diskPrefix string }

func planDir(ctx context.Context, subjects []Subject, dir string) ([]job, []FileResult, error) {
	type entry struct {
		rel  string
		size int64
	}
	var files []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != dir && d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		info, err := os.Stat(p) // follows a symlink to a file: its content is what gets loaded
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, entry{filepath.ToSlash(rel), info.Size()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("verify %s: %w", dir, err)
	}
	byBase := map[string][]Subject{}
	for _, s := range subjects {
		if s.SHA256() != "" {
			byBase[path.Base(s.Name)] = append(byBase[path.Base(s.Name)], s)
		}
	}
	votes := map[alignment]int{}
	for _, f := range files {
		for _, s := range byBase[path.Base(f.rel)] {
			switch {
			case s.Name == f.rel:
				votes[alignment{}]++
			case strings.HasSuffix(s.Name, "/"+f.rel):
				votes[alignment{subjPrefix: strings.TrimSuffix(s.Name, f.rel)}]++
			case strings.HasSuffix(f.rel, "/"+s.Name):
				votes[alignment{diskPrefix: strings.TrimSuffix(f.rel, s.Name)}]++
			}
		}
	}
	var al alignment
	best := 0
	for a, n := range votes {
		if n > best || n == best && len(a.subjPrefix)+len(a.diskPrefix) < len(al.subjPrefix)+len(al.diskPrefix) ||
			n == best && len(a.subjPrefix)+len(a.diskPrefix) == len(al.subjPrefix)+len(al.diskPrefix) && a.subjPrefix+"\x00"+a.diskPrefix < al.subjPrefix+"\x00"+al.diskPrefix {
			al, best = a, n
		}
	}
	sizes := make(map[string]int64, len(files))
	for _, f := range files {
		sizes[f.rel] = f.size
	}
	var jobs []job
	claimed := map[string]bool{}
	for _, s := range subjects {
		if s.SHA256() == "" || !strings.HasPrefix(s.Name, al.subjPrefix) {
			continue
		}
		rel := al.diskPrefix + strings.TrimPrefix(s.Name, al.subjPrefix)
		p := filepath.Join(dir, filepath.FromSlash(rel))
		size, ok := sizes[rel]
		if !ok {
			jobs = append(jobs, job{path: p, missing: true, want: s})
			continue
		}
		claimed[rel] = true
		jobs = append(jobs, job{path: p, size: size, candidates: []Subject{s}})
	}
	// Unlisted files under the aligned part of the tree: model files among
	// them are extra. Only headers are read.
	var extras []FileResult
	for _, f := range files {
		if claimed[f.rel] || !strings.HasPrefix(f.rel, al.diskPrefix) {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.rel))
		if isModelFile(p) {
			name := al.subjPrefix + strings.TrimPrefix(f.rel, al.diskPrefix)
			extras = append(extras, FileResult{Name: name, Path: p, Status: FileExtra})
		}
	}
	return jobs, extras, nil
}

// isModelFile reads a file's header and says whether it is a model weights
// file (by content) or a Git LFS pointer to one.
func isModelFile(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, ok := modelformat.Sniff(head, p); ok {
		return true
	}
	if ptr, ok := lfs.Parse(head); ok && ptr.OID != "" {
		return true
	}
	return false
}

func runJobs(ctx context.Context, jobs []job, opts FileOptions) ([]FileResult, int64, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var total int64
	for _, j := range jobs {
		total += j.size
	}
	// Biggest first, so one large file does not start last and run alone.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return jobs[order[a]].size > jobs[order[b]].size })

	results := make([]FileResult, len(jobs))
	var done atomic.Int64
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, n, err := check(ctx, jobs[i])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				results[i] = r
				d := done.Add(n)
				if opts.Progress != nil {
					mu.Lock()
					opts.Progress(d, total)
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	return results, done.Load(), nil
}

func check(ctx context.Context, j job) (FileResult, int64, error) {
	if j.missing {
		return FileResult{Name: j.want.Name, Path: j.path, Status: FileMissing, Want: j.want.SHA256()}, 0, nil
	}
	sum, n, err := hashFile(ctx, j.path)
	if err != nil {
		return FileResult{}, 0, err
	}
	if len(j.candidates) == 0 {
		if ptr, ok := readPointer(j.path, n); ok {
			return FileResult{Name: filepath.ToSlash(j.path), Path: j.path, Status: FileExtra, Got: ptr.OID}, n, nil
		}
		return FileResult{Name: filepath.ToSlash(j.path), Path: j.path, Status: FileExtra, Got: sum}, n, nil
	}
	for _, c := range j.candidates {
		if c.SHA256() == sum {
			return FileResult{Name: c.Name, Path: j.path, Status: FileOK, Want: sum, Got: sum}, n, nil
		}
	}
	want := j.candidates[0]
	if ptr, ok := readPointer(j.path, n); ok && ptr.OID == want.SHA256() {
		return FileResult{Name: want.Name, Path: j.path, Status: FileNotFetched, Want: want.SHA256(), Got: sum}, n, nil
	}
	return FileResult{Name: want.Name, Path: j.path, Status: FileChanged, Want: want.SHA256(), Got: sum}, n, nil
}

// readPointer parses a small file as a Git LFS pointer.
func readPointer(p string, size int64) (lfs.Pointer, bool) {
	if size > 1024 {
		return lfs.Pointer{}, false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return lfs.Pointer{}, false
	}
	return lfs.Parse(data)
}

// hashFile hashes one file with discover's streaming hasher (one
// definition of how mlbom hashes a file).
func hashFile(ctx context.Context, p string) (string, int64, error) {
	sum, n, err := weights.HashFile(ctx, os.DirFS(filepath.Dir(p)), filepath.Base(p))
	if err != nil {
		return "", n, fmt.Errorf("verify %s: %w", p, err)
	}
	return sum, n, nil
}
