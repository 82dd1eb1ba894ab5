package discover

import (
	"io/fs"
	"strings"
)

// detectors run over every text file, in this order. Weight files are
// handled by analyseBinary, which needs streaming rather than whole content.
var detectors = []detector{
	pythonDetector{},
	notebookDetector{},
	codeDetector{},
	configDetector{},
	shellDetector{},
	cardDetector{},
	frameworkDetector{},
	licenseDetector{},
	promptFileDetector{},
	dvcDetector{},
}

type pythonDetector struct{}

func (pythonDetector) name() string              { return "python" }
func (pythonDetector) wants(f *file) bool        { return f.ext == ".py" || f.ext == ".pyi" }
func (pythonDetector) detect(f *file, out *sink) { newPyFile(f, out, f.data, nil).analyse() }

// pendingRef is a model argument naming a constant of another module; it is
// resolved once every module's constants are known.
type pendingRef struct {
	ref  string // "dotted.module.NAME"
	path string
	line int
	dir  string
	make func(fsys fs.FS, val string) (Finding, bool)
}

func (s *session) addPending(p pendingRef) {
	s.mu.Lock()
	if len(s.pending) < 200000 {
		s.pending = append(s.pending, p)
	}
	s.mu.Unlock()
}

func (s *session) registerConstant(module, name string, vals []string) {
	if len(vals) > 64 {
		vals = vals[:64]
	}
	s.mu.Lock()
	m := s.pyModules[module]
	if m == nil {
		m = map[string][]string{}
		s.pyModules[module] = m
	}
	m[name] = vals
	s.mu.Unlock()
}

func (s *session) resolvePending() {
	for _, p := range s.pending {
		i := strings.LastIndex(p.ref, ".")
		if i <= 0 {
			continue
		}
		mod, name := p.ref[:i], p.ref[i+1:]
		vals := s.constantOf(mod, name)
		for _, v := range vals {
			if fd, ok := p.make(s.fsys, v); ok {
				fd.Path, fd.Line = p.path, p.line
				fd.Props = mergeProps(fd.Props, map[string]string{"resolvedFrom": p.ref})
				s.findings = append(s.findings, fd)
			}
		}
	}
	s.pending = nil
}

// constantOf finds NAME in module mod, matching the module by its full
// dotted path or by a dotted suffix (packages run from a subdirectory).
func (s *session) constantOf(mod, name string) []string {
	if m, ok := s.pyModules[mod]; ok {
		return m[name]
	}
	var found []string
	n := 0
	for k, m := range s.pyModules {
		if strings.HasSuffix(k, "."+mod) {
			if v, ok := m[name]; ok {
				found = v
				n++
			}
		}
	}
	if n == 1 {
		return found
	}
	return nil
}
