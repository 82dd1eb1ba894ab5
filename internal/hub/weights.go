package hub

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
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
		lfs := map[string]string{}
		for _, s := range info.Siblings {
			if s.LFS != nil && sha256Hex.MatchString(strings.ToLower(s.LFS.SHA256)) {
				lfs[s.RFilename] = strings.ToLower(s.LFS.SHA256)
			} else {
				lfs[s.RFilename] = "" // a file the Hub keeps in git, not LFS
			}
		}
		for _, hf := range byRepo[r] {
			f := &findings[hf.finding]
			if f.Props == nil {
				f.Props = map[string]string{}
			}
			f.Props[PropRepo], f.Props[PropRevision] = r.ID, r.Revision
			f.Props[PropMatch] = "missing"
			for _, n := range hf.names {
				want, ok := lfs[n]
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
				break
			}
		}
	}
	return warnings
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
