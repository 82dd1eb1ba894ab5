package discover

import (
	"path"
	"strings"
)

// shellDetector reads shell scripts, Dockerfiles, Makefiles and Ollama
// Modelfiles line by line, after joining continuations and dropping
// comments.
type shellDetector struct{}

func (shellDetector) name() string { return "shell" }
func (shellDetector) wants(f *file) bool {
	switch f.ext {
	case ".sh", ".bash", ".zsh", ".dockerfile", ".modelfile":
		return true
	}
	return f.base == "dockerfile" || strings.HasPrefix(f.base, "dockerfile.") || f.base == "containerfile" ||
		f.base == "modelfile" || f.base == "makefile"
}

func (shellDetector) detect(f *file, out *sink) {
	modelfile := f.base == "modelfile" || f.ext == ".modelfile"
	docker := strings.HasPrefix(f.base, "dockerfile") || f.base == "containerfile" || f.ext == ".dockerfile"
	lines := strings.Split(string(f.data), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		l := lines[i]
		for strings.HasSuffix(strings.TrimRight(l, " \t\r"), "\\") && i+1 < len(lines) {
			l = strings.TrimSuffix(strings.TrimRight(l, " \t\r"), "\\") + " " + lines[i+1]
			i++
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
		shellLine(f, out, t, start, det)
	}
}

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

func envAssign(f *file, out *sink, rest string, line int, det string) {
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
		if !reModelName.MatchString(k) || reNotModelName.MatchString(k) || strings.Contains(k, "cache") || strings.HasSuffix(k, "home") {
			if (k == "dataset" || k == "dataset_name" || k == "dataset_id") && reHFID.MatchString(kv[1]) {
				out.add(Finding{Kind: KindDataset, Name: kv[1], Path: f.path, Line: line, Detector: det, Confidence: 0.75, Provider: "huggingface"})
			}
			continue
		}
		h := hintAny
		if strings.Contains(k, "ollama") {
			h = hintOllama
		}
		if fd, ok := classify(f.fsys, f.dir, kv[1], h); ok {
			fd.Path, fd.Line, fd.Detector = f.path, line, det
			fd.Confidence = min(fd.Confidence, 0.8)
			out.add(fd)
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

func modelfileFrom(f *file, out *sink, v string, line int) {
	v = strings.Trim(v, `"'`)
	if v == "" {
		return
	}
	if looksLikePath(v) || strings.HasSuffix(strings.ToLower(v), ".gguf") {
		p := path.Join(f.dir, v)
		out.add(Finding{Kind: KindModel, Name: p, Path: f.path, Line: line, Detector: "modelfile.from", Confidence: 0.9, Provider: "local"})
		return
	}
	if fd, ok := classify(nil, f.dir, v, hintOllama); ok {
		fd.Path, fd.Line, fd.Detector = f.path, line, "modelfile.from"
		out.add(fd)
	}
}

// shellLine finds model and dataset downloads, ollama pulls, pip installs
// of ML frameworks and download URLs in one command line.
func shellLine(f *file, out *sink, t string, line int, det string) {
	fields := shellFields(t)
	for i := 0; i < len(fields); i++ {
		w := path.Base(fields[i])
		switch {
		case (w == "huggingface-cli" || w == "hf") && i+1 < len(fields) && fields[i+1] == "download":
			hfDownload(f, out, fields[i+2:], line, det)
		case w == "ollama" && i+2 < len(fields) && (fields[i+1] == "pull" || fields[i+1] == "run"):
			if fd, ok := classify(nil, f.dir, fields[i+2], hintOllama); ok {
				fd.Path, fd.Line, fd.Detector = f.path, line, det+".ollama"
				out.add(fd)
			}
		case (w == "pip" || w == "pip3" || w == "uv" || w == "conda" || w == "mamba") && i+1 < len(fields) && (fields[i+1] == "install" || fields[i+1] == "add"):
			for _, a := range fields[i+2:] {
				if a == "&&" || a == "||" || a == ";" || a == "|" {
					break
				}
				if strings.HasPrefix(a, "-") || strings.Contains(a, "/") {
					continue
				}
				if fd, ok := pyRequirement(a); ok {
					fd.Path, fd.Line, fd.Detector = f.path, line, det+".pip_install"
					out.add(fd)
				}
			}
		}
	}
	for _, u := range reURL.FindAllString(t, -1) {
		if fd, ok := urlFinding(strings.TrimRight(u, ".,;")); ok {
			fd.Path, fd.Line, fd.Detector = f.path, line, det+".url"
			out.add(fd)
		}
	}
}

func hfDownload(f *file, out *sink, args []string, line int, det string) {
	repo, rev, kind := "", "", KindModel
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
				kind = KindDataset
			}
			j++
		case a == "--repo-type=dataset":
			kind = KindDataset
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
	if repo == "" || !(reHFID.MatchString(repo) || reBareModel.MatchString(repo)) {
		return
	}
	out.add(Finding{Kind: kind, Name: repo, Version: rev, Path: f.path, Line: line, Detector: det + ".hf_download",
		Confidence: 0.9, Provider: "huggingface"})
}
