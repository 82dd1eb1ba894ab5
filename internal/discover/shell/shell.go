// Package shell reads shell scripts, Dockerfiles, Makefiles and Ollama
// Modelfiles line by line: model pulls and downloads, pip installs, model
// ids in environment settings, URLs.
package shell

import (
	"context"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/python"
	"github.com/mlbom/autopilot/internal/discover/refs"
)

// Scripts reads shell scripts, Dockerfiles, Makefiles and Ollama Modelfiles
// line by line, after joining continuations and dropping comments.
type Scripts struct{}

func (Scripts) Name() string { return "shell" }

func (Scripts) Wants(f *detect.File) bool {
	switch f.Ext {
	case ".sh", ".bash", ".zsh", ".dockerfile", ".modelfile":
		return true
	}
	return f.Base == "dockerfile" || strings.HasPrefix(f.Base, "dockerfile.") || f.Base == "containerfile" ||
		f.Base == "modelfile" || f.Base == "makefile"
}

func (Scripts) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	modelfile := f.Base == "modelfile" || f.Ext == ".modelfile"
	docker := strings.HasPrefix(f.Base, "dockerfile") || f.Base == "containerfile" || f.Ext == ".dockerfile"
	lines := strings.Split(string(f.Data), "\n")
	for i := 0; i < len(lines) && !stop.Stop(); i++ {
		start := i + 1
		l := lines[i]
		if continued(l) && i+1 < len(lines) {
			// Join continuations in a Builder, looking only at the line
			// just added: a long run of them stays linear.
			var b strings.Builder
			last := l
			for continued(last) && i+1 < len(lines) {
				b.WriteString(strings.TrimSuffix(strings.TrimRight(last, " \t\r"), "\\"))
				b.WriteByte(' ')
				i++
				last = lines[i]
			}
			b.WriteString(last)
			l = b.String()
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		t = stripShellComment(t)
		if modelfile {
			if rest, ok := cutWord(t, "FROM"); ok {
				modelfileFrom(f, out, strings.TrimSpace(rest), start)
				continue
			}
			if rest, ok := cutWord(t, "ADAPTER"); ok {
				modelfileFrom(f, out, strings.TrimSpace(rest), start)
			}
			continue
		}
		if docker {
			if rest, ok := cutWord(t, "ENV"); ok {
				envAssign(f, out, rest, start, "dockerfile.env")
				continue
			}
			if rest, ok := cutWord(t, "ARG"); ok {
				envAssign(f, out, rest, start, "dockerfile.arg")
				continue
			}
			if _, ok := cutWord(t, "FROM"); ok {
				continue // a base image, not a model
			}
		} else if rest, ok := cutWord(t, "export"); ok {
			envAssign(f, out, rest, start, "shell.env")
			continue
		}
		det := "shell"
		if docker {
			det = "dockerfile"
		}
		Line(f, out, t, start, det)
	}
}

func continued(l string) bool { return strings.HasSuffix(strings.TrimRight(l, " \t\r"), "\\") }

func cutWord(s, w string) (string, bool) {
	if len(s) > len(w) && strings.EqualFold(s[:len(w)], w) && (s[len(w)] == ' ' || s[len(w)] == '\t') {
		return s[len(w)+1:], true
	}
	return "", false
}

func stripShellComment(s string) string {
	inQ := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQ != 0 && c == inQ:
			inQ = 0
		case inQ == 0 && (c == '"' || c == '\''):
			inQ = c
		case inQ == 0 && c == '#' && i > 0 && (s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

func envAssign(f *detect.File, out *detect.Report, rest string, line int, det string) {
	rest = strings.TrimSpace(rest)
	var pairs [][2]string
	if k, v, ok := strings.Cut(rest, "="); ok && !strings.ContainsAny(k, " \t") {
		for _, kv := range shellFields(rest) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				pairs = append(pairs, [2]string{k, v})
			}
		}
		_ = k
		_ = v
	} else if fs := shellFields(rest); len(fs) == 2 {
		pairs = append(pairs, [2]string{fs[0], fs[1]})
	}
	for _, kv := range pairs {
		k := strings.ToLower(kv[0])
		if !refs.ModelVarName(k) || strings.Contains(k, "cache") || strings.HasSuffix(k, "home") {
			if (k == "dataset" || k == "dataset_name" || k == "dataset_id") && refs.IsHFID(kv[1]) {
				out.Add(asset.Sighting{Kind: asset.KindDataset, Name: kv[1], Path: f.Path, Line: line, Detector: det, Confidence: 0.75, Provider: "huggingface"})
			}
			continue
		}
		h := refs.Any
		if strings.Contains(k, "ollama") {
			h = refs.Ollama
		}
		if fd, ok := refs.Model(f.FS, f.Dir, kv[1], h); ok {
			fd.Path, fd.Line, fd.Detector = f.Path, line, det
			fd.Confidence = min(fd.Confidence, 0.8)
			out.Add(fd)
		}
	}
}

// shellFields splits on blanks, honouring simple quotes.
func shellFields(s string) []string {
	var out []string
	var b strings.Builder
	inQ := byte(0)
	has := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQ != 0 && c == inQ:
			inQ = 0
		case inQ != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			inQ = c
			has = true
		case c == ' ' || c == '\t':
			if b.Len() > 0 || has {
				out = append(out, b.String())
				b.Reset()
				has = false
			}
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 || has {
		out = append(out, b.String())
	}
	return out
}

func modelfileFrom(f *detect.File, out *detect.Report, v string, line int) {
	v = strings.Trim(v, `"'`)
	if v == "" {
		return
	}
	if refs.LooksLikePath(v) || strings.HasSuffix(strings.ToLower(v), ".gguf") {
		p := path.Join(f.Dir, v)
		out.Add(asset.Sighting{Kind: asset.KindModel, Name: p, Path: f.Path, Line: line, Detector: "modelfile.from", Confidence: 0.9, Provider: "local"})
		return
	}
	if fd, ok := refs.Model(nil, f.Dir, v, refs.Ollama); ok {
		fd.Path, fd.Line, fd.Detector = f.Path, line, "modelfile.from"
		out.Add(fd)
	}
}

// Line finds model and dataset downloads, ollama pulls, pip installs
// of ML frameworks and download URLs in one command line.
func Line(f *detect.File, out *detect.Report, t string, line int, det string) {
	fields := shellFields(t)
	for i := 0; i < len(fields); i++ {
		w := path.Base(fields[i])
		switch {
		case (w == "huggingface-cli" || w == "hf") && i+1 < len(fields) && fields[i+1] == "download":
			hfDownload(f, out, fields[i+2:], line, det)
		case w == "ollama" && i+2 < len(fields) && (fields[i+1] == "pull" || fields[i+1] == "run"):
			if fd, ok := refs.Model(nil, f.Dir, fields[i+2], refs.Ollama); ok {
				fd.Path, fd.Line, fd.Detector = f.Path, line, det+".ollama"
				out.Add(fd)
			}
		case (w == "pip" || w == "pip3" || w == "uv" || w == "conda" || w == "mamba") && i+1 < len(fields) && (fields[i+1] == "install" || fields[i+1] == "add"):
			for _, a := range fields[i+2:] {
				if a == "&&" || a == "||" || a == ";" || a == "|" {
					break
				}
				if strings.HasPrefix(a, "-") || strings.Contains(a, "/") {
					continue
				}
				if fd, ok := python.Requirement(a); ok {
					fd.Path, fd.Line, fd.Detector = f.Path, line, det+".pip_install"
					out.Add(fd)
				}
			}
		}
	}
	for _, u := range refs.URLsIn(t) {
		if fd, ok := refs.URL(strings.TrimRight(u, ".,;")); ok {
			fd.Path, fd.Line, fd.Detector = f.Path, line, det+".url"
			out.Add(fd)
		}
	}
}

func hfDownload(f *detect.File, out *detect.Report, args []string, line int, det string) {
	repo, rev, kind := "", "", asset.KindModel
	for j := 0; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "&&" || a == "||" || a == ";" || a == "|":
			j = len(args)
			continue
		case a == "--revision" && j+1 < len(args):
			rev = args[j+1]
			j++
		case strings.HasPrefix(a, "--revision="):
			rev = strings.TrimPrefix(a, "--revision=")
		case a == "--repo-type" && j+1 < len(args):
			if args[j+1] == "dataset" {
				kind = asset.KindDataset
			}
			j++
		case a == "--repo-type=dataset":
			kind = asset.KindDataset
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && j+1 < len(args) && !strings.HasPrefix(args[j+1], "-") {
				switch a {
				case "--local-dir", "--cache-dir", "--include", "--exclude", "--token", "--local-dir-use-symlinks":
					j++
				}
			}
		case repo == "":
			repo = a
		}
	}
	if repo == "" || !(refs.IsHFID(repo) || refs.IsBareModel(repo)) {
		return
	}
	out.Add(asset.Sighting{Kind: kind, Name: repo, Version: rev, Path: f.Path, Line: line, Detector: det + ".hf_download",
		Confidence: 0.9, Provider: "huggingface"})
}
