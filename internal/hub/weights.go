package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/lfs"
)

// Properties CheckWeights writes on weight findings (they appear in the
// BOM as mlbom:weights.hub.*).
const (
	PropRepo     = "hub.repo"     // org/name on the Hub
	PropRevision = "hub.revision" // the pinned revision compared with
	PropSHA256   = "hub.sha256"   // the Hub's LFS sha256 of the file at that revision
	// PropMatch: "true", "false" (the local file is not the published
	// one), or "missing" (no such file in the repository at that revision).
	PropMatch = "hub.match"
)

// A Hugging Face cache snapshot: …/models--ORG--NAME/snapshots/REV/FILE.
var snapshotRE = regexp.MustCompile(`(?:^|/)(models|datasets)--([^/]+?)--([^/]+)/snapshots/([0-9a-f]{40})/(.+)$`)

// hubFile is one local weight file and the Hub file it claims to be.
type hubFile struct {
	finding int // index into findings
	repo    Repo
	names   []string // candidate rfilenames, most specific first
}

// CheckWeights compares local weight files with the Hub's LFS metadata
// when they belong to a Hugging Face repository at a pinned revision: files
// in a Hugging Face cache snapshot (…/models--ORG--NAME/snapshots/REV/…), and
// weights of a model that code references with a pinned 40-hex revision. It
// records the outcome on the weight findings (Prop*), so a policy can
// turn a mismatch into a finding. One Hub request per repository and
// revision; lookups are bounded like Resolve's, and a failed lookup is a
// warning, never an error.
func CheckWeights(ctx context.Context, findings []asset.Sighting, cfg Config) (warnings []string) {
	pinned := map[string]string{} // lower-case id -> revision
	for _, f := range findings {
		if f.Kind == asset.KindModel && f.Provider == "huggingface" && sha1Hex.MatchString(f.Version) {
			pinned[strings.ToLower(f.Name)] = f.Version
		}
	}
	var files []hubFile
	for i, f := range findings {
		if f.Kind != asset.KindWeights || f.LFS || len(f.SHA256) != 64 {
			continue
		}
		if m := snapshotRE.FindStringSubmatch(f.Path); m != nil {
			typ := "model"
			if m[1] == "datasets" {
				typ = "dataset"
			}
			files = append(files, hubFile{finding: i, repo: Repo{Type: typ, ID: m[2] + "/" + m[3], Revision: m[4]}, names: []string{m[5]}})
			continue
		}
		if rev, ok := pinned[strings.ToLower(f.Model)]; ok && f.Model != "" {
			files = append(files, hubFile{finding: i, repo: Repo{Type: "model", ID: f.Model, Revision: rev}, names: suffixes(f.Path)})
		}
	}
	if len(files) == 0 {
		return nil
	}
	byRepo := map[Repo][]hubFile{}
	for _, hf := range files {
		byRepo[hf.repo] = append(byRepo[hf.repo], hf)
	}
	repos := make([]Repo, 0, len(byRepo))
	for r := range byRepo {
		repos = append(repos, r)
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].String() < repos[j].String() })

	cfg.Timeout = resolveRequestTimeout
	c := New(cfg)
	ctx, cancel := context.WithTimeout(ctx, resolveBudget)
	defer cancel()
	for _, r := range repos {
		info, err := c.Info(ctx, r)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("weights of %s@%s not compared with the Hub: %v", r.ID, short12(r.Revision), err))
			if ctx.Err() != nil || !isHubAnswer(err) {
				break // offline or out of time: one warning is enough
			}
			continue
		}
		files := FilesOf(r, r.Revision, info.Siblings)
		for _, hf := range byRepo[r] {
			files.compare(&findings[hf.finding], hf.names)
		}
	}
	return warnings
}

// Files is what the Hub publishes for one repository at one revision.
type Files struct {
	Repo     string // ORG/NAME
	Type     string // model, dataset or space
	Revision string // the commit sha
	// LFS maps each file of the revision to its LFS sha256, or to "" for a
	// file the Hub keeps in git rather than LFS.
	LFS map[string]string
}

// FilesOf is the published files of repo at revision sha, from its siblings.
func FilesOf(repo Repo, sha string, siblings []Sibling) *Files {
	h := &Files{Repo: repo.ID, Type: repo.Type, Revision: sha, LFS: make(map[string]string, len(siblings))}
	for _, s := range siblings {
		if s.LFS != nil && sha256Hex.MatchString(strings.ToLower(s.LFS.SHA256)) {
			h.LFS[s.RFilename] = strings.ToLower(s.LFS.SHA256)
		} else {
			h.LFS[s.RFilename] = ""
		}
	}
	return h
}

// CheckFiles compares the files of a tree opened from the Hub (the tree's
// published Files) with the Hub's LFS sha256 at the revision opened, with
// no further request, and records the outcome like CheckWeights. It matters
// for downloaded weights (--fetch-weights) and for a reused checkout whose
// files were changed on disk since; LFS pointer files carry the Hub's own
// sha256 and are not compared. Weight findings use the hash discovery took;
// any other file the Hub keeps in LFS is hashed here, and one that is not
// the published file becomes a weight finding of its own (discovery may not
// recognise a substituted file as weights at all). Returns those added
// findings and warnings for files that could not be read.
func CheckFiles(ctx context.Context, fsys fs.FS, findings []asset.Sighting, pub *Files) (added []asset.Sighting, warnings []string) {
	if pub == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	for i := range findings {
		f := &findings[i]
		if f.Kind != asset.KindWeights {
			continue
		}
		p := path.Clean(f.Path)
		seen[p] = true
		if f.LFS || len(f.SHA256) != 64 {
			continue
		}
		if _, listed := pub.LFS[p]; !listed {
			if st, err := fs.Stat(fsys, p); err != nil || !st.Mode().IsRegular() {
				continue // a bundle directory, or gone: nothing to compare
			}
		}
		pub.compare(f, []string{p})
	}
	names := make([]string, 0, len(pub.LFS))
	for n, want := range pub.LFS {
		if want != "" && !seen[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		sum, size, pointer, err := hashLocal(ctx, fsys, n)
		switch {
		case errors.Is(err, fs.ErrNotExist) || pointer:
			continue // not fetched (skipped, over a limit) or a pointer
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("%s not compared with the Hub: %v", n, err))
			if ctx.Err() != nil {
				return added, warnings
			}
			continue
		case sum == pub.LFS[n]:
			continue
		}
		f := asset.Sighting{Kind: asset.KindWeights, Name: n, Path: n, Detector: "huggingface.lfs", Confidence: 1, SHA256: sum, Size: size}
		pub.compare(&f, []string{n})
		added = append(added, f)
	}
	return added, warnings
}

// hashLocal hashes a regular file of fsys; pointer reports a Git LFS pointer
// file, which is not hashed.
func hashLocal(ctx context.Context, fsys fs.FS, name string) (sum string, size int64, pointer bool, err error) {
	// The type is checked before the open: opening a named pipe blocks
	// until a writer comes, and a reused checkout may hold anything.
	if st, err := fs.Stat(fsys, name); err != nil {
		return "", 0, false, err
	} else if !st.Mode().IsRegular() {
		return "", 0, false, fs.ErrNotExist
	}
	fh, err := fsys.Open(name)
	if err != nil {
		return "", 0, false, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return "", 0, false, err
	}
	if !st.Mode().IsRegular() {
		return "", 0, false, fs.ErrNotExist
	}
	if st.Size() <= lfs.MaxSize {
		head, err := io.ReadAll(io.LimitReader(fh, lfs.MaxSize+1))
		if err != nil {
			return "", 0, false, err
		}
		if lfs.Looks(head) {
			return "", 0, true, nil
		}
		h := sha256.Sum256(head)
		return hex.EncodeToString(h[:]), int64(len(head)), false, nil
	}
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, fh})
	if err != nil {
		return "", n, false, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, false, nil
}

// ctxReader stops a long read when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// compare records on f how its sha256 relates to the Hub's file of the
// first of names the revision has.
func (h *Files) compare(f *asset.Sighting, names []string) {
	if f.Props == nil {
		f.Props = map[string]string{}
	}
	f.Props[PropRepo], f.Props[PropRevision] = h.Repo, h.Revision
	f.Props[PropMatch] = "missing"
	for _, n := range names {
		want, ok := h.LFS[n]
		if !ok {
			continue
		}
		switch {
		case want == "":
			delete(f.Props, PropMatch) // not an LFS file: nothing to compare
		case want == strings.ToLower(f.SHA256):
			f.Props[PropSHA256], f.Props[PropMatch] = want, "true"
		default:
			f.Props[PropSHA256], f.Props[PropMatch] = want, "false"
		}
		return
	}
}

// suffixes are the trailing parts of a path, longest first: a weight file
// in models/bert/onnx/model.onnx may be onnx/model.onnx on the Hub.
func suffixes(p string) []string {
	parts := strings.Split(path.Clean(p), "/")
	out := make([]string, 0, len(parts))
	for i := range parts {
		out = append(out, strings.Join(parts[i:], "/"))
	}
	return out
}

// isHubAnswer: the Hub answered (missing repository, no such revision,
// gated), as opposed to the network failing.
func isHubAnswer(err error) bool { return errors.Is(err, ErrInvalid) }

func short12(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
