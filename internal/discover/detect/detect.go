// Package detect is the contract between the discovery walk and the
// detectors: a Detector sees one File at a time and writes what it found
// into that file's Report. Detectors never share state directly; what one
// file says about others (the model a directory holds, a Python constant
// another module imports) is stated in the Report as a fact, and the walk
// resolves facts once every file has been read.
//
// A new detector lives in the package of its language or format under
// internal/discover/, implements Detector, and is added to the list in
// internal/discover/detectors.go. Test it alone with detecttest.Run on an
// fstest.MapFS.
package detect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
)

// Detector recognises the assets of one language or format, in the manner
// of syft's catalogers.
type Detector interface {
	// Name identifies the detector in the registry.
	Name() string
	// Wants chooses files by path alone; it is asked before Detect.
	Wants(f *File) bool
	// Detect reads the file and reports what it holds. It never fails: a
	// file it cannot read is a warning or a skip in the report.
	Detect(ctx context.Context, f *File, r *Report)
}

// BinaryDetector is a Detector of files not read as text (weight files,
// archives). The walk gives it those files only, with Data nil; every other
// detector gets text files only, read whole.
type BinaryDetector interface {
	Detector
	Binary()
}

// File is one regular file of the tree under discovery.
type File struct {
	Path string // repository-relative, forward slashes
	Dir  string // path.Dir(Path), "." at the root
	Base string // lower-case base name
	Ext  string // lower-case extension with the dot
	Size int64
	// Data is the whole content of a file read as text (bounded by the
	// walk's size caps); nil for a file not read as text, which a detector
	// that wants it opens from FS itself.
	Data []byte
	// FS is the whole tree, for detectors that check what a path names.
	FS fs.FS
}

// NewFile describes the file at p (a valid fs path) of fsys.
func NewFile(fsys fs.FS, p string, size int64, data []byte) *File {
	base := strings.ToLower(path.Base(p))
	return &File{Path: p, Dir: path.Dir(p), Base: base, Ext: strings.ToLower(path.Ext(base)), Size: size, Data: data, FS: fsys}
}

// Report collects what one file produced. The walk merges it into the run
// when the file is done, so detectors need no locks.
type Report struct {
	Sightings []asset.Sighting
	Warnings  []string
	Skips     []asset.Skip
	// Facts about other files, resolved after the walk.
	Dirs      []DirFact
	DataFiles []string
	Constants []Constant
	Pending   []Pending
}

// Add records a sighting.
func (r *Report) Add(s asset.Sighting) { r.Sightings = append(r.Sightings, s) }

// Warn records a problem worth telling the user that did not stop the file.
func (r *Report) Warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// Skip records that p was not (fully) analysed, and why.
func (r *Report) Skip(p, reason string) {
	r.Skips = append(r.Skips, asset.Skip{Path: p, Reason: reason})
}

// Unreadable is the skip reason for a read error.
func Unreadable(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "unreadable: " + pe.Err.Error()
	}
	return "unreadable: " + err.Error()
}

// DirFact is what a file says about the model or dataset its directory
// holds; after the walk, weight files and data files are named after it.
type DirFact struct {
	Dir   string
	Field DirField
	Value string
}

// DirField names what a DirFact states.
type DirField uint8

const (
	// ModelName: the Hugging Face id a config.json's _name_or_path gives.
	ModelName DirField = iota + 1
	// CardName: the model name a model card gives ("" when it gives none).
	CardName
	// DatasetCard: the dataset a dataset card describes.
	DatasetCard
	// ModelConfig: the directory holds a model's config.json (architectures
	// or model_type); Value is unused.
	ModelConfig
)

// Dir states a fact about directory dir.
func (r *Report) Dir(dir string, field DirField, value string) {
	r.Dirs = append(r.Dirs, DirFact{Dir: dir, Field: field, Value: value})
}

// DataFile records a data file (csv, parquet, ...) to be reported as part
// of the dataset a card in one of its parent directories describes.
func (r *Report) DataFile(p string) { r.DataFiles = append(r.DataFiles, p) }

// Constant is a module-level string constant of a Python module, which
// other modules may import by name.
type Constant struct {
	Module string // dotted module path
	Name   string
	Values []string
}

// Constant records a module constant.
func (r *Report) Constant(module, name string, values []string) {
	r.Constants = append(r.Constants, Constant{Module: module, Name: name, Values: values})
}

// Pending is a reference to a constant of another module, resolved once
// every module's constants are known.
type Pending struct {
	Ref  string // "dotted.module.NAME"
	Path string
	Line int
	// Make turns each value of the constant into a sighting, or reports false.
	Make func(fsys fs.FS, val string) (asset.Sighting, bool)
}

// MaxPending bounds the references one file leaves for after the walk
// (names times star-imported modules could otherwise multiply without end).
const MaxPending = 100000

// Defer records a reference to resolve after the walk, up to MaxPending.
func (r *Report) Defer(p Pending) {
	if len(r.Pending) < MaxPending {
		r.Pending = append(r.Pending, p)
	}
}

// MergeProps adds b's properties to a, allocating a when nil.
func MergeProps(a, b map[string]string) map[string]string {
	if a == nil {
		a = map[string]string{}
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}

var reExactVer = regexp.MustCompile(`^v?[0-9]+(\.[0-9A-Za-z-]+)*(\+[0-9A-Za-z.-]+)?$`)

// ExactVersion reports a pinned version ("1.2.3", "v0.4.0+cu121") as
// opposed to a constraint ("^1.2", ">=2").
func ExactVersion(s string) bool { return reExactVer.MatchString(s) }
