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
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/hub"
	"golang.org/x/sync/errgroup"
)

const (
	defaultMaxFile = 8 << 20
	maxHFFiles     = 2000 // non-LFS files fetched per repository
	maxHFBytes     = 256 << 20
	hfParallel     = 4
)

// openHF opens a Hugging Face repository through the Hub HTTP API. The tree
// is written under WorkDir/hf/<type>s/<owner>__<name>/<revision sha>[+weights]
// and reused while the revision stays the same: non-LFS files are fetched
// (up to MaxFileSize each), LFS files become Git LFS pointer files carrying
// the sha256 and size the Hub reports, unless FetchWeights asks for the
// real bytes (model and Space repositories only; dataset files stay
// pointers).
//
// Downloaded weights that are not the bytes the Hub's LFS metadata
// describes (a mirror or proxy serving other content) are kept as served,
// so the scan inspects and reports what was actually received; Tree.Hub
// lets hub.CheckFiles record the mismatch on the weight findings. Such
// files are fetched again the next time the checkout is reused.
func openHF(ctx context.Context, src string, spec Spec, o Options) (_ *Tree, err error) {
	repo, err := hub.ParseSpec(src)
	if err != nil {
		return nil, err
	}
	if spec.Ref != "" {
		if repo.Revision != "" && repo.Revision != spec.Ref {
			return nil, invalidf("revision given twice for %s: @%s and ref %s", repo, repo.Revision, spec.Ref)
		}
		if err := hub.CheckRevision(spec.Ref); err != nil {
			return nil, err
		}
		repo.Revision = spec.Ref
	}
	c := hub.New(o.Hub())
	defer func() { err = redactErr(err, o.HFToken) }()

	info, err := c.Info(ctx, repo)
	if err != nil {
		return nil, err
	}
	sha := string(info.SHA)
	if !hub.IsCommit(sha) {
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
		if fetchWeights {
			if err := refetchDiffering(ctx, c, repo, sha, info.Siblings, dir, o); err != nil {
				return nil, err
			}
		}
	} else if skipped, err = materialize(ctx, c, repo, sha, info.Siblings, dir, fetchWeights, o); err != nil {
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
		Name:       repo.Name(),
		Sightings:  hub.Sightings(repo, info, c.Endpoint()),
		Skipped:    skipped,
		Provenance: noProvenance,
		Hub:        hub.FilesOf(repo, sha, info.Siblings),
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

// materialize writes the repository's files into dir (built in a temporary
// directory and renamed into place once complete).
func materialize(ctx context.Context, c *hub.Client, repo hub.Repo, sha string, siblings []hub.Sibling, dir string, fetchWeights bool, o Options) ([]asset.Skip, error) {
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
		differ  []string // weights whose bytes are not the Hub's
		files   int
		bytes   int64
	)
	b := newBudget(o.limits())
	weightMax, weightTimeout := o.weightLimits()
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
			if !hub.IsSHA256(oid) || s.LFS.Size < 0 {
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
				same, err := fetchWeight(gctx, c, repo, sha, name, root, oid, s.LFS.Size, weightTimeout)
				if err == nil && !same {
					mu.Lock()
					differ = append(differ, name)
					mu.Unlock()
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
			err := download(fctx, c, repo, sha, name, root, maxFile, "", size, blobID)
			if errors.Is(err, hub.ErrEntryNotFound) {
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
	writeDiffering(dir, differ)
	if err := os.Rename(tmp, dir); err != nil && !dirExists(dir) {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	return skipped, nil
}

// fetchWeight downloads one LFS file within timeout. same is false when the
// bytes served are not the file the Hub's LFS metadata describes; they are
// kept all the same (up to one byte more than the listed size).
func fetchWeight(ctx context.Context, c *hub.Client, repo hub.Repo, sha, name string, root *os.Root, oid string, size int64, timeout time.Duration) (same bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = download(dctx, c, repo, sha, name, root, -1, oid, size, "")
	var np errNotPublished
	switch {
	case errors.As(err, &np):
		return false, nil
	case err != nil && dctx.Err() == context.DeadlineExceeded && ctx.Err() == nil:
		return false, invalidf("hugging face %s: downloading %s took longer than %s (MLBOM_WEIGHTS_TIMEOUT)", repo, name, timeout)
	}
	return err == nil, err
}

// differingFile lists, beside a checkout, the weights whose downloaded bytes
// were not the Hub's, so a reuse of the checkout fetches them again.
func differingFile(dir string) string { return dir + ".differ.json" }

func writeDiffering(dir string, names []string) {
	if len(names) == 0 {
		_ = os.Remove(differingFile(dir))
		return
	}
	sort.Strings(names)
	if data, err := json.Marshal(names); err == nil {
		_ = os.WriteFile(differingFile(dir), data, 0o644)
	}
}

// refetchDiffering downloads again, into the reused checkout dir, the
// weights that did not match the Hub last time: a mirror that served the
// wrong bytes may serve the right ones now. A file is replaced by rename,
// so a scan still reading the old one is not disturbed.
func refetchDiffering(ctx context.Context, c *hub.Client, repo hub.Repo, sha string, siblings []hub.Sibling, dir string, o Options) error {
	data, err := os.ReadFile(differingFile(dir))
	if err != nil {
		return nil
	}
	var names []string
	if json.Unmarshal(data, &names) != nil {
		return nil
	}
	lfs := map[string]*hub.LFS{}
	for _, s := range siblings {
		if s.LFS != nil {
			lfs[s.RFilename] = s.LFS
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	_, timeout := o.weightLimits()
	var still []string
	for _, name := range names {
		l := lfs[name]
		if l == nil || !hub.IsSHA256(strings.ToLower(l.SHA256)) {
			continue
		}
		same, err := fetchWeight(ctx, c, repo, sha, name, root, strings.ToLower(l.SHA256), l.Size, timeout)
		if err != nil {
			return err
		}
		if !same {
			still = append(still, name)
		}
	}
	writeDiffering(dir, still)
	return nil
}

// errNotPublished: the bytes served for an LFS file are not the ones the
// Hub's metadata describes. The file is kept as served.
type errNotPublished struct{ why string }

func (e errNotPublished) Error() string { return e.why }

type errTooBig struct{}

func (errTooBig) Error() string { return "file over the size limit" }

// download fetches one file at the pinned revision into root. limit < 0
// means unbounded (weights). wantSHA256 and wantSize, when set, are checked
// (LFS metadata): LFS content that fails them is kept (at most one byte over
// wantSize) and errNotPublished returned. blobID, when given, is the git
// blob sha1 of the content, and content that fails it is an error.
func download(ctx context.Context, c *hub.Client, repo hub.Repo, sha, name string, root *os.Root, limit int64, wantSHA256 string, wantSize int64, blobID string) error {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := repo.FilePrefix() + "/resolve/" + url.PathEscape(sha) + "/" + strings.Join(segs, "/")
	resp, err := c.Get(ctx, p)
	if err != nil {
		return fmt.Errorf("hugging face %s: fetch %s: %w", repo, name, err)
	}
	defer resp.Body.Close()
	if err := c.Check(resp, repo); err != nil {
		if errors.Is(err, hub.ErrEntryNotFound) {
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
	var differs error
	switch {
	case limit >= 0 && n > limit:
		root.Remove(part)
		return errTooBig{}
	case wantSHA256 != "" && wantSize >= 0 && n != wantSize:
		// LFS content that is not what the Hub lists: kept, and reported by
		// the caller (the scan records the mismatch as a finding).
		differs = errNotPublished{fmt.Sprintf("hugging face %s: fetch %s: got %d bytes, the Hub listed %d", repo, name, n, wantSize)}
	case wantSize >= 0 && n != wantSize:
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: got %d bytes, the Hub listed %d", repo, name, n, wantSize)
	case wantSHA256 != "" && hex.EncodeToString(h256.Sum(nil)) != wantSHA256:
		differs = errNotPublished{fmt.Sprintf("hugging face %s: fetch %s: sha256 does not match the LFS metadata", repo, name)}
	case h1 != nil && hex.EncodeToString(h1.Sum(nil)) != blobID:
		root.Remove(part)
		return fmt.Errorf("hugging face %s: fetch %s: content does not match its git blob id", repo, name)
	}
	if err := root.Rename(part, name); err != nil {
		return fmt.Errorf("hugging face %s: %s: %w", repo, name, err)
	}
	return differs
}

// isRevisionDir: a Hugging Face checkout is named after its revision sha,
// with "+weights" when the weights were downloaded.
func isRevisionDir(name string) bool {
	return hub.IsCommit(strings.TrimSuffix(name, "+weights"))
}

// lfsPointer is the Git LFS pointer file git would have checked out.
func lfsPointer(oid string, size int64) []byte {
	return []byte("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " + strconv.FormatInt(size, 10) + "\n")
}
