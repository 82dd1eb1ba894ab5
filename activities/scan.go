package activities

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover"
	"github.com/mlbom/autopilot/internal/discover/kubernetes"
	"github.com/mlbom/autopilot/internal/hub"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/oms"
	"github.com/mlbom/autopilot/internal/source"
)

// ScanRequest is the input of the Scan step.
type ScanRequest struct {
	ScanID       string `json:"scanId"`
	Source       string `json:"source"`
	Ref          string `json:"ref,omitempty"`
	Project      string `json:"project,omitempty"`
	FetchWeights bool   `json:"fetchWeights,omitempty"`
}

// ScanResult is small: the findings themselves are stored as a blob.
type ScanResult struct {
	Project   string `json:"project"`
	Kind      string `json:"kind"`
	URL       string `json:"url"`
	Ref       string `json:"ref,omitempty"`
	Commit    string `json:"commit,omitempty"`
	Files     int    `json:"files"`
	Sightings int    `json:"sightings"` // places discovery saw an asset
	// Deprecated: Findings is Sightings under its old name; kept for one
	// release.
	Findings  int    `json:"findings"`
	Skipped   int    `json:"skipped"`
	Weights   int    `json:"weights"`   // weight and chat template files scanned by the model-file scanner
	Malicious int    `json:"malicious"` // of those, judged malicious
	ResultRef string `json:"resultRef"`
}

// ScanRecord is the blob the Scan step writes.
type ScanRecord struct {
	Source     inventory.Source   `json:"source"`
	Result     *asset.Result      `json:"result"`
	Reports    []modelscan.Report `json:"reports,omitempty"`
	Kubernetes []any              `json:"kubernetes,omitempty"`
	Submodules []source.Submodule `json:"submodules,omitempty"`
}

// Phases of the Scan step, in order (ScanProgress.Phase; the modelscan
// phase counts files: "modelscan 3/12").
const (
	PhaseOpen       = "open"
	PhaseDiscover   = "discover"
	PhaseHub        = "hub"
	PhaseSignatures = "signatures"
	PhaseModelScan  = "modelscan"
)

// ScanProgress is the heartbeat detail of the Scan step.
type ScanProgress struct {
	Phase     string `json:"phase"`
	Files     int    `json:"files"`
	Sightings int    `json:"sightings"`
	// Deprecated: Findings is Sightings under its old name; kept for one
	// release.
	Findings int `json:"findings"`
}

// Scan opens the source, discovers assets and runs the model-file scanner on
// every weight file present in the tree.
func (a *Activities) Scan(ctx context.Context, req ScanRequest) (*ScanResult, error) {
	if strings.TrimSpace(req.Source) == "" {
		return nil, classify("scan", invalid("source is empty"))
	}
	beat := startPulse(ctx)
	defer beat.stop()
	if a.OnScanProgress != nil {
		beat.onSet = func(d any) {
			if p, ok := d.(ScanProgress); ok {
				a.OnScanProgress(p)
			}
		}
	}
	beat.set(ScanProgress{Phase: PhaseOpen})
	tree, err := source.Open(ctx, source.Spec{
		Source:       req.Source,
		Ref:          req.Ref,
		FetchWeights: req.FetchWeights,
		WorkDir:      filepath.Join(a.WorkDir, "sources"),
	}, a.Source)
	if err != nil {
		return nil, classify("scan", fmt.Errorf("open %s: %w", req.Source, err))
	}
	defer tree.Close()

	opts := a.Discover
	userProgress := opts.Progress
	opts.Progress = func(p discover.Progress) {
		beat.set(ScanProgress{Phase: PhaseDiscover, Files: p.Files, Sightings: p.Sightings, Findings: p.Sightings})
		if userProgress != nil {
			userProgress(p)
		}
	}
	res, err := discover.Discover(ctx, tree.FS, opts)
	if err != nil {
		return nil, classify("scan", fmt.Errorf("discover %s: %w", req.Source, err))
	}
	res.Sightings = append(res.Sightings, tree.Sightings...)
	res.Skipped = append(res.Skipped, tree.Skipped...)
	// A Hub repository's weights on disk against what the Hub publishes at
	// the revision opened (downloaded bytes, or a reused checkout's).
	notPublished, warns := hub.CheckFiles(ctx, tree.FS, res.Sightings, tree.Hub)
	res.Sightings = append(res.Sightings, notPublished...)
	res.Warnings = append(res.Warnings, warns...)
	if a.ResolveHub && tree.Kind != "huggingface" {
		// Hub look-ups of the models and datasets the code refers to (a Hub
		// repository's own sighting already carries the Hub's data), and
		// whether weights of a pinned Hub model are the published files.
		beat.set(ScanProgress{Phase: PhaseHub, Files: res.Files, Sightings: len(res.Sightings), Findings: len(res.Sightings)})
		res.Warnings = append(res.Warnings, hub.Resolve(ctx, res.Sightings, a.Source.Hub())...)
		res.Warnings = append(res.Warnings, hub.CheckWeights(ctx, res.Sightings, a.Source.Hub())...)
	}
	// OpenSSF model signatures in the tree, verified against the files.
	beat.set(ScanProgress{Phase: PhaseSignatures, Files: res.Files, Sightings: len(res.Sightings), Findings: len(res.Sightings)})
	signed, warns := oms.CheckTree(ctx, tree.FS, res.Sightings, a.ModelKeys)
	res.Sightings = append(res.Sightings, signed...)
	res.Warnings = append(res.Warnings, warns...)
	addProvenance(res.Sightings, tree.ProvenanceAll)
	locateLicenses(tree.FS, res.Sightings)

	reports := a.scanWeights(ctx, beat, tree.FS, res.Sightings, res.Files)
	if err := ctx.Err(); err != nil {
		// Reports cut short by a cancel or a timeout are not a scan result.
		return nil, classify("scan", fmt.Errorf("scan %s: %w", req.Source, err))
	}

	manifests, err := kubernetes.ManifestsContext(ctx, tree.FS)
	if cerr := ctx.Err(); cerr != nil {
		return nil, classify("scan", fmt.Errorf("scan %s: %w", req.Source, cerr))
	}
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("kubernetes manifests: %v", err))
	}

	project := req.Project
	if project == "" {
		project = tree.Name
	}
	rec := ScanRecord{
		Source: inventory.Source{
			Kind: tree.Kind, URL: tree.URL, Ref: tree.Ref, Commit: tree.Commit, Name: project,
		},
		Result:     res,
		Reports:    reports,
		Kubernetes: manifests,
		Submodules: tree.Submodules,
	}
	ref, err := a.putJSON(ctx, rec)
	if err != nil {
		return nil, classify("scan", err)
	}
	out := &ScanResult{
		Project: project, Kind: tree.Kind, URL: tree.URL, Ref: tree.Ref, Commit: tree.Commit,
		Files: res.Files, Sightings: len(res.Sightings), Findings: len(res.Sightings), Skipped: len(res.Skipped),
		Weights: len(reports), ResultRef: ref,
	}
	for _, r := range reports {
		if r.Status == modelscan.StatusMalicious {
			out.Malicious++
		}
	}
	return out, nil
}

// addProvenance asks the source about every distinct path at once (one walk
// of the history).
func addProvenance(fs []asset.Sighting, lookup func([]string) map[string]*asset.Provenance) {
	var paths []string
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Path != "" && f.Provenance == nil && !seen[f.Path] {
			seen[f.Path] = true
			paths = append(paths, f.Path)
		}
	}
	if len(paths) == 0 {
		return
	}
	sort.Strings(paths)
	prov := lookup(paths)
	for i := range fs {
		if fs[i].Provenance == nil {
			fs[i].Provenance = prov[fs[i].Path]
		}
	}
}

// maxDeclarationRead bounds how much of a card or manifest is read to find
// the line that declares its license.
const maxDeclarationRead = 1 << 20

// locateLicenses points each license declared by a whole file (a card's
// front matter) at the line that declares it, so the BOM's license
// provenance reads file:line. Findings with a line of their own, or whose
// license came from elsewhere (the Hub), are left alone.
func locateLicenses(fsys fs.FS, findings []asset.Sighting) {
	lines := map[string]int{}
	for i := range findings {
		f := &findings[i]
		if f.License == "" || f.Line > 0 || f.Path == "" || f.Props[license.FindingSource] != "" || f.Props[license.FindingLocation] != "" {
			continue
		}
		line, ok := lines[f.Path]
		if !ok {
			line = declarationLine(fsys, f.Path)
			lines[f.Path] = line
		}
		if line == 0 {
			continue
		}
		if f.Props == nil {
			f.Props = map[string]string{}
		}
		f.Props[license.FindingLocation] = license.FileLocation(f.Path, line)
	}
}

func declarationLine(fsys fs.FS, path string) int {
	fh, err := openRegular(fsys, path)
	if err != nil {
		return 0
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxDeclarationRead))
	if err != nil {
		return 0
	}
	return license.DeclarationLine(data)
}

// scanWeights runs the model-file scanner on every weight file whose bytes are
// in the tree (LFS pointers have nothing to scan) and on every file that
// carries a chat template discovery saw (tokenizer_config.json,
// chat_template.json, template files): rendering a template can run code
// (Jinja2 SSTI, CVE-2024-34359), so it is judged like a model file.
func (a *Activities) scanWeights(ctx context.Context, beat *pulse, fsys fs.FS, findings []asset.Sighting, files int) []modelscan.Report {
	paths := map[string]bool{}
	for _, f := range findings {
		switch {
		case f.Path == "":
		case f.Kind == asset.KindWeights && !f.LFS,
			f.Kind == asset.KindPrompt && modelscan.TemplateCarrierName(f.Path):
			paths[f.Path] = true
		}
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	opts := a.ModelScan
	reports := make([]modelscan.Report, 0, len(sorted))
	for i, p := range sorted {
		if ctx.Err() != nil {
			break // cancelled or timed out: Scan returns the context's error
		}
		beat.set(ScanProgress{Phase: PhaseModelScan + " " + fmt.Sprint(i+1) + "/" + fmt.Sprint(len(sorted)), Files: files, Sightings: len(findings), Findings: len(findings)})
		reports = append(reports, scanOne(ctx, fsys, p, opts))
	}
	return reports
}

// maxBuffered bounds what a file without random access is read into memory.
const maxBuffered = 1 << 30

// openRegular opens path only if it is a regular file: the type is checked
// before the open, since opening a named pipe blocks until a writer comes
// (the tree may have changed since discovery walked it).
func openRegular(fsys fs.FS, path string) (fs.File, error) {
	st, err := fs.Stat(fsys, path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, st.Mode().Type())
	}
	return fsys.Open(path)
}

func scanOne(ctx context.Context, fsys fs.FS, path string, opts modelscan.Options) modelscan.Report {
	f, err := openRegular(fsys, path)
	if err != nil {
		return modelscan.Report{File: path, Status: modelscan.StatusError, Error: err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return modelscan.Report{File: path, Status: modelscan.StatusError, Error: err.Error()}
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		// In-memory trees (Hugging Face) hold small files; buffer them.
		if st.Size() > maxBuffered {
			return modelscan.Report{File: path, Status: modelscan.StatusUnscannable, Size: st.Size(),
				Error: fmt.Sprintf("%d bytes is more than the %d this source can buffer for scanning", st.Size(), maxBuffered)}
		}
		data, err := io.ReadAll(io.LimitReader(f, maxBuffered))
		if err != nil {
			return modelscan.Report{File: path, Status: modelscan.StatusError, Error: err.Error()}
		}
		ra = strings.NewReader(string(data))
	}
	return modelscan.Scan(ctx, path, ra, st.Size(), opts)
}
