package discover

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/redact"
)

// Bounds on cross-file facts, so a hostile tree cannot grow them without end.
const (
	maxPending   = 200000
	maxDataFiles = 100000
	maxValues    = 64
)

// session is the shared state of one Discover call. Detectors never touch
// it: each file's report is merged under the one lock.
type session struct {
	fsys      fs.FS
	opts      Options
	hash      bool
	detectors []detect.Detector

	mu        sync.Mutex
	sightings []asset.Sighting
	warnings  []string
	skipped   []asset.Skip
	// Cross-file facts resolved after the walk.
	pyModules map[string]map[string][]string // dotted module -> constant -> values
	pending   []detect.Pending
	dirs      map[string]*dirFacts
	dataFiles []string
	count     int
	// Module suffix -> modules, and the constants they define, built when
	// references are resolved after the walk.
	bySuffix     map[string][]string
	suffixConsts map[string]map[string]suffixConst
}

// dirFacts are what the files of one directory say about the model or
// dataset stored there; they name weight and data files after the walk.
type dirFacts struct {
	modelName   string // HF id from config.json _name_or_path
	cardName    string
	datasetCard string // dataset name when the directory holds a dataset card
	carded      bool   // a model card is here
	configured  bool   // a model config.json is here
}

func newSession(fsys fs.FS, o Options, hash bool) *session {
	return &session{fsys: fsys, opts: o, hash: hash, detectors: detectors(hash),
		pyModules: map[string]map[string][]string{}, dirs: map[string]*dirFacts{}}
}

func (s *session) skip(p, reason string) {
	s.mu.Lock()
	s.skipped = append(s.skipped, asset.Skip{Path: p, Reason: reason})
	s.mu.Unlock()
}

func (s *session) sightingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func (s *session) dirFact(dir string) *dirFacts {
	d := s.dirs[dir]
	if d == nil {
		d = &dirFacts{}
		s.dirs[dir] = d
	}
	return d
}

// merge adds one file's report to the run.
func (s *session) merge(r *detect.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sightings = append(s.sightings, r.Sightings...)
	s.warnings = append(s.warnings, r.Warnings...)
	s.skipped = append(s.skipped, r.Skips...)
	s.count += len(r.Sightings)
	for _, d := range r.Dirs {
		df := s.dirFact(d.Dir)
		switch d.Field {
		case detect.ModelName:
			df.modelName = d.Value
		case detect.CardName:
			df.cardName = d.Value
			df.carded = true
		case detect.ModelConfig:
			df.configured = true
		case detect.DatasetCard:
			df.datasetCard = d.Value
		}
	}
	for _, p := range r.DataFiles {
		if len(s.dataFiles) < maxDataFiles {
			s.dataFiles = append(s.dataFiles, p)
		}
	}
	for _, c := range r.Constants {
		vals := c.Values
		if len(vals) > maxValues {
			vals = vals[:maxValues]
		}
		m := s.pyModules[c.Module]
		if m == nil {
			m = map[string][]string{}
			s.pyModules[c.Module] = m
		}
		m[c.Name] = vals
	}
	for _, p := range r.Pending {
		if len(s.pending) < maxPending {
			s.pending = append(s.pending, p)
		}
	}
}

// finish resolves cross-file references, names weight files after their
// model, and sorts everything for stable output.
func (s *session) finish() *asset.Result {
	s.resolvePending()
	s.attachModels()
	s.attachDataFiles()
	s.inheritLicenses()
	markScope(s.sightings)
	// Before sorting: a masked name sorts and dedupes as it will be shown.
	redactSecrets(s.sightings)
	for i, w := range s.warnings {
		s.warnings[i] = redact.String(w)
	}
	res := &asset.Result{Sightings: s.sightings, Skipped: s.skipped, Warnings: s.warnings}
	sort.SliceStable(res.Sightings, func(i, j int) bool { return asset.SightingLess(res.Sightings[i], res.Sightings[j]) })
	res.Sightings = dedupe(res.Sightings)
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	sort.Strings(res.Warnings)
	if res.Sightings == nil {
		res.Sightings = []asset.Sighting{}
	}
	return res
}

func (s *session) resolvePending() {
	for _, p := range s.pending {
		i := strings.LastIndex(p.Ref, ".")
		if i <= 0 {
			continue
		}
		mod, name := p.Ref[:i], p.Ref[i+1:]
		for _, v := range s.constantOf(mod, name) {
			if fd, ok := p.Make(s.fsys, v); ok {
				fd.Path, fd.Line = p.Path, p.Line
				fd.Props = detect.MergeProps(fd.Props, map[string]string{"resolvedFrom": p.Ref})
				s.sightings = append(s.sightings, fd)
			}
		}
	}
	s.pending = nil
}

// constantOf finds NAME in module mod, matching the module by its full
// dotted path or by a dotted suffix (packages run from a subdirectory); a
// name more than one such module defines is ambiguous and resolves to
// nothing.
//
// The modules a suffix names, and the constants they define, are gathered
// once per suffix: comparing every reference with every module was
// quadratic in a large tree (200,000 references times 20,000 modules).
func (s *session) constantOf(mod, name string) []string {
	if m, ok := s.pyModules[mod]; ok {
		return m[name]
	}
	if s.bySuffix == nil {
		s.bySuffix = map[string][]string{}
		s.suffixConsts = map[string]map[string]suffixConst{}
		for k := range s.pyModules {
			for i := 0; i < len(k); i++ {
				if k[i] == '.' {
					s.bySuffix[k[i+1:]] = append(s.bySuffix[k[i+1:]], k)
				}
			}
		}
	}
	consts, ok := s.suffixConsts[mod]
	if !ok {
		consts = map[string]suffixConst{}
		for _, k := range s.bySuffix[mod] {
			for n, v := range s.pyModules[k] {
				c := consts[n]
				c.vals, c.n = v, c.n+1
				consts[n] = c
			}
		}
		s.suffixConsts[mod] = consts
	}
	if c := consts[name]; c.n == 1 {
		return c.vals
	}
	return nil
}

// suffixConst is a constant of the modules under one dotted suffix: its
// values in the last module seen, and how many modules define it.
type suffixConst struct {
	vals []string
	n    int
}

// dedupe drops exact repeats (same kind, name, place), which arise when two
// detectors agree, keeping the more confident.
func dedupe(fs []asset.Sighting) []asset.Sighting {
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
	for i := range s.sightings {
		f := &s.sightings[i]
		if f.Model != "" {
			continue
		}
		switch {
		case f.Kind == asset.KindWeights:
			f.Model = s.modelForDir(path.Dir(f.Path))
		case f.Kind == asset.KindModel && f.Detector == "config.json":
			f.Model = s.modelForDir(path.Dir(f.Path))
			if f.Name == "" {
				f.Name = f.Model
			}
		case f.Kind == asset.KindModel && f.Detector == "card.front_matter":
			f.Model = s.modelForDir(path.Dir(f.Path))
			if f.Name == "" {
				f.Name = f.Model
			}
		}
	}
}

// modelForDir names the model stored in dir: the name its card gives; the
// directory itself when a card describes it without a name (the config's
// _name_or_path is then the model it was fine-tuned from); the HF id of its
// config's _name_or_path; the directory when only a config is there. A
// weight file in a directory that holds neither card nor config (checked
// one level up too) belongs to no named model: "".
func (s *session) modelForDir(dir string) string {
	configured := ""
	for d := dir; ; d = path.Dir(d) {
		if df := s.dirs[d]; df != nil {
			switch {
			case df.cardName != "":
				return df.cardName
			case df.carded:
				return d
			case df.modelName != "":
				return df.modelName
			case df.configured && configured == "":
				// An export beside its model (onnx/config.json) belongs to the
				// model one level up when there is one.
				configured = d
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
	return configured
}

func (s *session) attachDataFiles() {
	for _, p := range s.dataFiles {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if df := s.dirs[d]; df != nil && df.datasetCard != "" {
				s.sightings = append(s.sightings, asset.Sighting{Kind: asset.KindDataset, Name: df.datasetCard, Path: p,
					Detector: "dataset.file_with_card", Confidence: 0.85, Provider: "local"})
				break
			}
			if d == "." {
				break
			}
		}
	}
}
