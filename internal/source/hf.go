package source

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

const (
	defaultHFEndpoint = "https://huggingface.co"
	defaultMaxFile    = 8 << 20
	maxInfoBytes      = 64 << 20 // siblings of a dataset with 100k files run to tens of MB
	maxHFFiles        = 2000     // non-LFS files fetched per repository
	maxHFBytes        = 256 << 20
	hfParallel        = 4
)

var (
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
	sha1Hex   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// errEntryNotFound marks one missing file; the scan goes on without it.
var errEntryNotFound = errors.New("file not found on the Hub")

type hfClient struct {
	endpoint string
	token    string
	http     *http.Client
}

// openHF opens a Hugging Face repository through the Hub HTTP API. The tree
// is written under WorkDir/hf/<type>s/<owner>__<name>/<revision sha>[+weights]
// and reused while the revision stays the same: non-LFS files are fetched
// (up to MaxFileSize each), LFS files become Git LFS pointer files carrying
// the sha256 and size the Hub reports, unless FetchWeights asks for the
// real bytes (model and Space repositories only; dataset files stay
// pointers).
func openHF(ctx context.Context, src string, spec Spec, o Options) (_ *Tree, err error) {
	repo, err := parseHFSpec(src)
	if err != nil {
		return nil, err
	}
	if spec.Ref != "" {
		if repo.Revision != "" && repo.Revision != spec.Ref {
			return nil, invalidf("revision given twice for %s: @%s and ref %s", repo, repo.Revision, spec.Ref)
		}
		if err := checkHFRevision(spec.Ref); err != nil {
			return nil, err
		}
		repo.Revision = spec.Ref
	}
	c := newHFClient(o)
	defer func() { err = redactErr(err, o.HFToken) }()

	info, err := c.info(ctx, repo, o)
	if err != nil {
		return nil, err
	}
	sha := string(info.SHA)
	if !sha1Hex.MatchString(sha) {
		return nil, fmt.Errorf("hugging face %s: the Hub returned no revision sha", repo)
	}

	base, tmp := spec.WorkDir, false
	if base == "" {
		if base, err = os.MkdirTemp("", "mlbom-hf-"); err != nil {
			return nil, fmt.Errorf("work dir: %w", err)
		}
		tmp = true
		defer func() {
			if err != nil {
				os.RemoveAll(base)
			}
		}()
	}
	key := filepath.Join(base, "hf", repo.Type+"s", strings.ReplaceAll(repo.ID, "/", "__"))
	if err := os.MkdirAll(key, 0o755); err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	unlock, err := lockDir(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()

	fetchWeights := spec.FetchWeights && repo.Type != "dataset"
	leaf := sha
	if fetchWeights {
		leaf += "+weights"
	}
	dir := filepath.Join(key, leaf)
	var skipped []asset.Skip
	if dirExists(dir) {
		touch(dir)
		skipped = readSkips(dir + ".skipped.json")
	} else if skipped, err = c.materialize(ctx, repo, sha, info.Siblings, dir, fetchWeights, o); err != nil {
		return nil, err
	}
	prune(key, o.KeepCheckouts, isRevisionDir, leaf)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	t := &Tree{
		FS:         root.FS(),
		Dir:        dir,
		Kind:       "huggingface",
		URL:        repo.String(),
		Ref:        repo.Revision,
		Commit:     sha,
		Name:       repo.name(),
		Sightings:  hfFindings(repo, info, c.endpoint),
		Skipped:    skipped,
		Provenance: noProvenance,
	}
	t.close = func() error {
		err := root.Close()
		if tmp {
			if rerr := os.RemoveAll(base); err == nil {
				err = rerr
			}
		}
		return err
	}
	return t, nil
}

func newHFClient(o Options) *hfClient {
	ep := strings.TrimRight(o.HFEndpoint, "/")
	if ep == "" {
		ep = defaultHFEndpoint
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &hfClient{endpoint: ep, token: o.HFToken, http: hc}
}

// info fetches repository metadata with file sizes and LFS hashes.
func (c *hfClient) info(ctx context.Context, repo hfRepo, o Options) (*hfInfo, error) {
	p := repo.apiPath()
	if repo.Revision != "" {
		p += "/revision/" + url.PathEscape(repo.Revision)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	resp, err := c.get(ctx, p+"?blobs=true")
	if err != nil {
		return nil, fmt.Errorf("hugging face %s: %w", repo, err)
	}
	defer resp.Body.Close()
	if err := c.statusErr(resp, repo); err != nil {
		return nil, err
	}
	var info hfInfo
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxInfoBytes))
	if err := dec.Decode(&info); err != nil {
		return nil, fmt.Errorf("hugging face %s: decode repository info: %w", repo, err)
	}
	return &info, nil
}

func (c *hfClient) get(ctx context.Context, p string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+p, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "mlbom-autopilot")
	if c.token != "" {
		// Go drops this header if the Hub redirects to another host (the
		// LFS CDN), so the token never leaves the Hub.
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which carries no secret; keep it.
		return nil, err
	}
	return resp, nil
}

// statusErr maps Hub answers to errors a user can act on. Not-found and
// access errors are ErrInvalid; rate limits and server errors are plain so
// the caller retries them.
func (c *hfClient) statusErr(resp *http.Response, repo hfRepo) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	code := resp.Header.Get("X-Error-Code")
	switch {
	case code == "EntryNotFound":
		return errEntryNotFound
	case code == "RevisionNotFound":
		return invalidf("hugging face %s: no revision %q", repo, repo.Revision)
	case code == "GatedRepo" || (resp.StatusCode == http.StatusForbidden && code != "RepoNotFound"):
		if c.token == "" {
			return invalidf("hugging face %s is gated: accept its terms on the Hub, then set HF_TOKEN to a token of that account", repo)
		}
		return invalidf("hugging face %s is gated or private and the HF_TOKEN given has no access to it: request access on the Hub with that account", repo)
	case resp.StatusCode == http.StatusUnauthorized || code == "RepoNotFound" || resp.StatusCode == http.StatusNotFound:
		// The Hub answers 401 for private repositories and, to anonymous
		// callers, for ones that do not exist.
		if c.token == "" && resp.StatusCode == http.StatusUnauthorized {
			return invalidf("no such Hugging Face repo %s, or it is private: check the name, or set HF_TOKEN", repo)
		}
		if resp.StatusCode == http.StatusNotFound && code == "" && repo.Type == "model" {
			return invalidf("no such Hugging Face repo %s (for a dataset or Space use hf://datasets/%s or hf://spaces/%s)", repo, repo.ID, repo.ID)
		}
		return invalidf("no such Hugging Face repo %s", repo)
	case resp.StatusCode == http.StatusTooManyRequests:
		msg := "rate limited by the Hub"
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			msg += " (retry after " + ra + "s)"
		}
		return fmt.Errorf("hugging face %s: %s", repo, msg)
	case resp.StatusCode >= 500:
		return fmt.Errorf("hugging face %s: Hub error %s", repo, resp.Status)
	}
	return invalidf("hugging face %s: unexpected answer %s", repo, resp.Status)
}

// materialize writes the repository's files into dir (built in a temporary
// directory and renamed into place once complete).
func (c *hfClient) materialize(ctx context.Context, repo hfRepo, sha string, siblings []hfSibling, dir string, fetchWeights bool, o Options) ([]asset.Skip, error) {
	maxFile := o.MaxFileSize
	if maxFile <= 0 {
		maxFile = defaultMaxFile
	}
	removeStaleTemp(filepath.Dir(dir))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
	if err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	defer root.Close()

	sort.Slice(siblings, func(i, j int) bool { return siblings[i].RFilename < siblings[j].RFilename })
	var (
		mu      sync.Mutex
		skipped []asset.Skip
		files   int
		bytes   int64
	)
	b := newBudget(o.limits())
	weightMax, weightTimeout := o.WeightsMaxBytes, o.WeightsTimeout
	if weightMax <= 0 {
		weightMax = DefaultWeightsMaxBytes
	}
	if weightTimeout <= 0 {
		weightTimeout = DefaultWeightsTimeout
	}
	skip := func(p, format string, args ...any) {
		mu.Lock()
		skipped = append(skipped, skipf(p, format, args...))
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(hfParallel)
	for _, s := range siblings {
		name := s.RFilename
		if !fs.ValidPath(name) || name == "." || hasDotGit(name) || len(name) > 1024 {
			skip(name, "unsafe file name from the Hub, not fetched")
			continue
		}
		// Each path is its own object here: no amplification to detect.
		if err := b.entry(name, name); err != nil {
			return nil, fmt.Errorf("hugging face %s: %w", repo, err)
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				// e.g. a listing with both "a" and "a/b": keep the first.
				skip(name, "cannot place it in the tree: %v", err)
				continue
			}
		}
		if s.LFS != nil {
			oid := strings.ToLower(s.LFS.SHA256)
			if !sha256Hex.MatchString(oid) || s.LFS.Size < 0 {
				skip(name, "the Hub gave no valid LFS sha256 for it")
				continue
			}
			pointer := !fetchWeights
			switch {
			case pointer:
			case s.LFS.Size > weightMax:
				pointer = true
				skip(name, "weights not downloaded: %d bytes, over the %d-byte limit per file (MLBOM_WEIGHTS_MAX_BYTES); scanned as an LFS pointer", s.LFS.Size, weightMax)
			case b.add(s.LFS.Size) != nil:
				pointer = true
				skip(name, "weights not downloaded: the revision's files would exceed %d bytes (MLBOM_CHECKOUT_MAX_BYTES); scanned as an LFS pointer", b.bytes)
			}
			if pointer {
				if err := root.WriteFile(name, lfsPointer(oid, s.LFS.Size), 0o644); err != nil {
					return nil, fmt.Errorf("hugging face %s: %s: %w", repo, name, err)
				}
				continue
			}
			g.Go(func() error {
				dctx, cancel := context.WithTimeout(gctx, weightTimeout)
				defer cancel()
				err := c.download(dctx, repo, sha, name, root, -1, oid, s.LFS.Size, "")
				if err != nil && dctx.Err() == context.DeadlineExceeded && gctx.Err() == nil {
					return invalidf("hugging face %s: downloading %s took longer than %s (MLBOM_WEIGHTS_TIMEOUT)", repo, name, weightTimeout)
				}
				return err
			})
			continue
		}
		size := int64(-1)
		if s.Size != nil {
			size = *s.Size
		}
		if size > maxFile {
			skip(name, "%d bytes, over the %d-byte limit for fetched files", size, maxFile)
			continue
		}
		if files >= maxHFFiles || bytes+max(size, 0) > maxHFBytes {
			skip(name, "not fetched: over the per-repository budget of %d files / %d bytes", maxHFFiles, maxHFBytes)
			continue
		}
		files++
		bytes += max(size, 0)
		blobID := strings.ToLower(s.BlobID)
		g.Go(func() error {
			fctx, cancel := context.WithTimeout(gctx, o.Timeout)
			defer cancel()
			err := c.download(fctx, repo, sha, name, root, maxFile, "", size, blobID)
			if errors.Is(err, errEntryNotFound) {
				skip(name, "listed by the Hub but not found when fetched")
				return nil
			}
			var tooBig errTooBig
			if errors.As(err, &tooBig) {
				skip(name, "over the %d-byte limit for fetched files", maxFile)
				return nil
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Path < skipped[j].Path })
	if len(skipped) > 0 {
		if data, err := json.Marshal(skipped); err == nil {
			_ = os.WriteFile(dir+".skipped.json", data, 0o644)
		}
	}
	if err := os.Rename(tmp, dir); err != nil && !dirExists(dir) {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	return skipped, nil
}

type errTooBig struct{}

func (errTooBig) Error() string { return "file over the size limit" }

// download fetches one file at the pinned revision into root. limit < 0
// means unbounded (weights). wantSHA256 and wantSize, when set, are checked
// (LFS metadata); blobID, when given, is the git blob sha1 of the content.
func (c *hfClient) download(ctx context.Context, repo hfRepo, sha, name string, root *os.Root, limit int64, wantSHA256 string, wantSize int64, blobID string) error {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := repo.filePrefix() + "/resolve/" + url.PathEscape(sha) + "/" + strings.Join(segs, "/")
	resp, err := c.get(ctx, p)
	if err != nil {
		return fmt.Errorf("hugging face %s: fetch %s: %w", repo, name, err)
	}
	defer resp.Body.Close()
	if err := c.statusErr(resp, repo); err != nil {
		if errors.Is(err, errEntryNotFound) {
			return err
		}
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	if limit >= 0 && resp.ContentLength > limit {
		return errTooBig{}
	}
	part := name + ".part"
	f, err := root.OpenFile(part, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("hugging face %s: %s: %w", repo, name, err)
	}
	var body io.Reader = resp.Body
	switch {
	case limit >= 0:
		body = io.LimitReader(resp.Body, limit+1)
	case wantSize >= 0:
		// A server sending more than the listed size is caught after one
		// byte too many, not after filling the disk.
		body = io.LimitReader(resp.Body, wantSize+1)
	}
	h256 := sha256.New()
	var h1 hash.Hash
	if len(blobID) == 40 && wantSize >= 0 {
		// A git blob id is sha1("blob <size>\x00" + content).
		h1 = sha1.New()
		fmt.Fprintf(h1, "blob %d\x00", wantSize)
	}
	w := io.MultiWriter(f, h256)
	if h1 != nil {
		w = io.MultiWriter(f, h256, h1)
	}
	n, err := io.Copy(w, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: %w", repo, name, err)
	}
	switch {
	case limit >= 0 && n > limit:
		root.Remove(part)
		return errTooBig{}
	case wantSize >= 0 && n != wantSize:
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: got %d bytes, the Hub listed %d", repo, name, n, wantSize)
	case wantSHA256 != "" && hex.EncodeToString(h256.Sum(nil)) != wantSHA256:
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: sha256 does not match the LFS metadata", repo, name)
	case h1 != nil && hex.EncodeToString(h1.Sum(nil)) != blobID:
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: content does not match its git blob id", repo, name)
	}
	if err := root.Rename(part, name); err != nil {
		return fmt.Errorf("hugging face %s: %s: %w", repo, name, err)
	}
	return nil
}

// isRevisionDir: a Hugging Face checkout is named after its revision sha,
// with "+weights" when the weights were downloaded.
func isRevisionDir(name string) bool {
	return sha1Hex.MatchString(strings.TrimSuffix(name, "+weights"))
}

// lfsPointer is the Git LFS pointer file git would have checked out.
func lfsPointer(oid string, size int64) []byte {
	return []byte("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " + strconv.FormatInt(size, 10) + "\n")
}

// hfFindings turns repository metadata into findings: the model or dataset
// itself, pinned to the revision sha, with its card; for a Space, the
// models and datasets its card declares.
func hfFindings(repo hfRepo, info *hfInfo, endpoint string) []asset.Sighting {
	var cd hfCardData
	if len(info.CardData) > 0 {
		_ = json.Unmarshal(info.CardData, &cd) // malformed card data leaves fields empty
	}
	var cfg hfConfig
	if len(info.Config) > 0 {
		_ = json.Unmarshal(info.Config, &cfg)
	}
	gated := gatedMode(info.Gated)
	props := map[string]string{"hf.type": repo.Type}
	setProp := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	setProp("hf.author", string(info.Author))
	setProp("hf.downloads", string(info.Downloads))
	setProp("hf.likes", string(info.Likes))
	setProp("hf.lastModified", string(info.LastModified))
	setProp("hf.gated", gated)
	setProp("hf.sdk", string(info.SDK))
	if info.Private {
		props["hf.private"] = "true"
	}
	if len(cd.TaskCategories) > 0 {
		props["hf.task_categories"] = strings.Join(cd.TaskCategories, ",")
	}
	setProp("hf.pretty_name", string(cd.PrettyName))

	lic := first(cd.License)
	if strings.EqualFold(lic, "other") && cd.LicenseName != "" {
		// "other" says nothing; the named license is what a reviewer needs.
		lic = string(cd.LicenseName)
	}
	// The license, or its absence, is the Hub's word at this revision.
	props[license.FindingRevision] = string(info.SHA)
	if lic != "" {
		props[license.FindingSource] = license.SourceHub
	}
	readme := ""
	for _, s := range info.Siblings {
		if strings.EqualFold(s.RFilename, "README.md") {
			readme = s.RFilename
		}
	}

	if repo.Type == "space" {
		var out []asset.Sighting
		for _, m := range cd.Models {
			out = append(out, asset.Sighting{Kind: asset.KindModel, Name: m, Path: readme, Detector: "huggingface.space_card",
				Confidence: 0.9, Provider: "huggingface", URL: endpoint + "/" + m})
		}
		for _, d := range cd.Datasets {
			out = append(out, asset.Sighting{Kind: asset.KindDataset, Name: d, Path: readme, Detector: "huggingface.space_card",
				Confidence: 0.9, Provider: "huggingface", URL: endpoint + "/datasets/" + d})
		}
		return out
	}

	tags := []string(info.Tags)
	if len(tags) == 0 {
		tags = cd.Tags
	}
	card := &asset.ModelCard{
		License:       first(cd.License),
		LicenseName:   string(cd.LicenseName),
		LicenseLink:   string(cd.LicenseLink),
		BaseModel:     cd.BaseModel,
		Datasets:      cd.Datasets,
		Language:      cd.Language,
		PipelineTag:   firstNonEmpty(string(cd.PipelineTag), string(info.PipelineTag)),
		LibraryName:   firstNonEmpty(string(cd.LibraryName), string(info.LibraryName)),
		Tags:          tags,
		Architectures: cfg.Architectures,
		ModelType:     string(cfg.ModelType),
		Gated:         gated != "",
		Metrics:       modelIndexMetrics(cd.ModelIndex),
	}
	kind, u := asset.KindModel, endpoint+"/"+repo.ID
	if repo.Type == "dataset" {
		kind, u = asset.KindDataset, endpoint+"/datasets/"+repo.ID
	}
	if readme == "" {
		readme = "README.md" // the card's conventional home, even when absent
	}
	return []asset.Sighting{{
		Kind:       kind,
		Name:       repo.ID,
		Version:    string(info.SHA),
		Path:       readme,
		Detector:   "huggingface.api",
		Confidence: 1,
		Provider:   "huggingface",
		License:    lic,
		Model:      modelOf(kind, repo.ID),
		URL:        u,
		Card:       card,
		Props:      props,
	}}
}

func modelOf(k asset.Kind, id string) string {
	if k == asset.KindModel {
		return id
	}
	return ""
}

func modelIndexMetrics(raw json.RawMessage) []asset.Metric {
	if len(raw) == 0 {
		return nil
	}
	var mi hfModelIndex
	if json.Unmarshal(raw, &mi) != nil {
		return nil
	}
	var out []asset.Metric
	for _, e := range mi {
		for _, r := range e.Results {
			ds := firstNonEmpty(string(r.Dataset.Name), string(r.Dataset.Type))
			for _, m := range r.Metrics {
				typ := firstNonEmpty(string(m.Type), string(m.Name))
				if typ == "" || m.Value == "" {
					continue
				}
				out = append(out, asset.Metric{Task: firstNonEmpty(string(r.Task.Type), string(r.Task.Name)), Dataset: ds, Type: typ, Value: string(m.Value)})
			}
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
