package admission

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/hub"
	"github.com/mlbom/autopilot/internal/store"
)

// SignedBOMs verifies model references against the signed BOMs in the
// store: `project` (its latest version) or `project@N`, a Hub repository
// (the project its scan made, see verifyHub) or an OCI artifact by digest
// (a BOM listing that content, see verifyOCI). A reference
// verifies when a signature stored with that version verifies with a
// trusted key and covers the BOM as the store serves it now. Results are
// cached for TTL, so a burst of reviews for one workload costs one check.
type SignedBOMs struct {
	// ReadBOM returns a version's number and BOM as `mlbom bom` serves it
	// (version <= 0: the latest).
	ReadBOM func(ctx context.Context, project string, version int) (int, []byte, error)
	// Signatures lists the signatures stored with a version.
	Signatures func(ctx context.Context, project string, version int) ([]store.Signature, error)
	// ScansBySource lists the scans that made a version from one of the
	// sources, newest first (store.DB.ListScansBySource); nil: Hub
	// references do not verify.
	ScansBySource func(ctx context.Context, sources []string, limit int) ([]store.Scan, error)
	// MatchComponents finds stored components by SHA-256
	// (store.DB.MatchComponents); nil: OCI references do not verify.
	MatchComponents func(ctx context.Context, hashes, basenames []string) ([]store.ComponentMatch, error)
	Trusted         []attest.Verifier
	TTL             time.Duration // 0 means 30 s
	// UnverifiedTTL is how long a reference that did not verify is
	// remembered: shorter, so a BOM signed a moment ago admits the pods a
	// controller keeps retrying soon. 0 means 5 s (at most TTL).
	UnverifiedTTL time.Duration
	Now           func() time.Time

	mu     sync.Mutex
	cache  map[string]cached
	flight singleflight.Group
}

type cached struct {
	res ModelResult
	at  time.Time
}

var errBadRef = errors.New("bad model reference")

// ParseRef splits project[@version].
func ParseRef(ref string) (project string, version int, err error) {
	project, v, has := strings.Cut(strings.TrimSpace(ref), "@")
	if project == "" || strings.ContainsAny(project, " \t/") && strings.Contains(project, "://") {
		return "", 0, fmt.Errorf("%w %q: want PROJECT or PROJECT@VERSION", errBadRef, ref)
	}
	if has {
		version, err = strconv.Atoi(strings.TrimPrefix(v, "v"))
		if err != nil || version <= 0 {
			return "", 0, fmt.Errorf("%w %q: version must be a positive number", errBadRef, ref)
		}
	}
	return project, version, nil
}

// Verify checks one reference.
func (s *SignedBOMs) Verify(ctx context.Context, ref string) (ModelResult, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ttl, unverifiedTTL := s.TTL, s.UnverifiedTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	if unverifiedTTL <= 0 {
		unverifiedTTL = min(ttl, 5*time.Second)
	}
	s.mu.Lock()
	if c, ok := s.cache[ref]; ok && (c.res.Verified && now().Sub(c.at) < ttl || !c.res.Verified && now().Sub(c.at) < unverifiedTTL) {
		s.mu.Unlock()
		return c.res, nil
	}
	s.mu.Unlock()

	// Concurrent misses for one reference share one check (a store read and
	// a signature verification), which outlives a caller that gives up.
	ch := s.flight.DoChan(ref, func() (any, error) {
		vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		res, err := s.verify(vctx, ref)
		if err != nil {
			return res, err // store trouble is not cached
		}
		s.mu.Lock()
		if s.cache == nil || len(s.cache) >= maxCached {
			s.cache = map[string]cached{}
		}
		s.cache[ref] = cached{res: res, at: now()}
		s.mu.Unlock()
		return res, nil
	})
	select {
	case r := <-ch:
		return r.Val.(ModelResult), r.Err
	case <-ctx.Done():
		return ModelResult{Ref: ref}, fmt.Errorf("verify %s: %w", ref, ctx.Err())
	}
}

func (s *SignedBOMs) verify(ctx context.Context, ref string) (ModelResult, error) {
	res := ModelResult{Ref: ref}
	mr, err := ParseModelRef(ref)
	if err != nil {
		res.Reason = err.Error()
		return res, nil
	}
	res.Kind = mr.Kind
	if len(s.Trusted) == 0 {
		res.Reason = "no trusted public key is configured (MLBOM_TRUSTED_KEYS)"
		return res, nil
	}
	switch mr.Kind {
	case RefHub:
		return s.verifyHub(ctx, res, mr.Hub)
	case RefOCI:
		return s.verifyOCI(ctx, res, mr.OCI)
	}
	res.Project = mr.Project
	return s.verifyVersion(ctx, res, mr.Version, nil)
}

// verifyVersion verifies res.Project at version (0: the latest): a stored
// signature verifies with a trusted key, covers the BOM as served now, and
// its signed BOM passes check (nil: any), which binds the reference to the
// signed content rather than to the store's unsigned index.
func (s *SignedBOMs) verifyVersion(ctx context.Context, res ModelResult, version int, check func(bom []byte) error) (ModelResult, error) {
	project := res.Project
	number, bom, err := s.ReadBOM(ctx, project, version)
	if errors.Is(err, store.ErrNotFound) {
		res.Reason = fmt.Sprintf("mlbom has no BOM for %s", res.Ref)
		if res.Kind != RefProject {
			res.Reason = fmt.Sprintf("mlbom has no BOM %s version %d", project, version)
		}
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("read BOM of %s: %w", res.Ref, err)
	}
	res.Version = number
	sigs, err := s.Signatures(ctx, project, number)
	if err != nil {
		return res, fmt.Errorf("read signatures of %s version %d: %w", project, number, err)
	}
	if len(sigs) == 0 {
		res.Reason = fmt.Sprintf("BOM %s version %d is not signed", project, number)
		return res, nil
	}
	served := attest.SHA256Hex(bom)
	var why []string
	for _, sig := range sigs {
		v, err := attest.VerifyBOM(sig.Envelope, s.Trusted...)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		if attest.SHA256Hex(v.BOM) != served && sig.BOMSHA256 != served {
			why = append(why, "the signature covers another BOM than the one stored now")
			continue
		}
		if check != nil {
			if err := check(v.BOM); err != nil {
				why = append(why, err.Error())
				continue
			}
		}
		res.Verified, res.KeyID = true, v.KeyID
		res.Reason = fmt.Sprintf("signed BOM %s version %d verified with key %s", project, number, v.KeyID[:min(16, len(v.KeyID))])
		return res, nil
	}
	res.Reason = fmt.Sprintf("no trusted signature covers BOM %s version %d (%s)", project, number, strings.Join(why, "; "))
	return res, nil
}

// verifyHub maps a Hub reference to the project the scan of that repository
// made: with a commit, any scan of that commit; with a branch or tag, the
// newest scan of that revision; without a revision, the newest scan. The
// signed BOM must itself name the repository at the scan's commit (its
// metadata component is pkg:huggingface/ORG/NAME@COMMIT), so the store's
// scan records only point the way and the signature decides. (mlbom's
// purl for a Hub repository does not say whether it is a model or a dataset,
// so for two repositories of one ID that part rests on the scan record.)
func (s *SignedBOMs) verifyHub(ctx context.Context, res ModelResult, repo hub.Repo) (ModelResult, error) {
	want := repo.String()
	if repo.Revision != "" {
		want += "@" + repo.Revision
	}
	if s.ScansBySource == nil {
		res.Reason = "Hub model references are not configured on this webhook"
		return res, nil
	}
	sources := []string{repo.String()}
	if repo.Type == "model" {
		sources = append(sources, "hf://models/"+repo.ID)
	}
	scans, err := s.ScansBySource(ctx, sources, 100)
	if err != nil {
		return res, fmt.Errorf("find scans of %s: %w", want, err)
	}
	commit := hub.IsCommit(strings.ToLower(repo.Revision))
	var why []string
	for _, sc := range scans {
		r, err := hub.ParseSpec(sc.Source)
		if err != nil || r.Type != repo.Type || !strings.EqualFold(r.ID, repo.ID) || !hub.IsCommit(strings.ToLower(sc.Commit)) {
			continue
		}
		switch {
		case commit && !strings.EqualFold(sc.Commit, repo.Revision):
			continue
		case !commit && repo.Revision != "" && repo.Revision != sc.Ref && repo.Revision != r.Revision:
			continue
		}
		res.Project = sc.Project
		out, err := s.verifyVersion(ctx, res, sc.Version, hubCheck(repo, strings.ToLower(sc.Commit)))
		if err != nil || out.Verified {
			if out.Verified {
				out.Reason = fmt.Sprintf("commit %s; %s", strings.ToLower(sc.Commit), out.Reason)
			}
			return out, err
		}
		why = append(why, out.Reason)
		if !commit {
			break // a branch, tag or default branch: only its newest scan says what it is
		}
	}
	res.Project = ""
	if len(why) == 0 {
		res.Reason = fmt.Sprintf("mlbom has no BOM from a scan of %s (scan it with the signing key set: mlbom scan %s)", want, want)
		return res, nil
	}
	res.Reason = fmt.Sprintf("no signed BOM verifies for %s: %s", want, strings.Join(why, "; "))
	return res, nil
}

// hubCheck: the signed BOM's metadata component is the Hub repository at
// commit.
func hubCheck(repo hub.Repo, commit string) func([]byte) error {
	want := "pkg:huggingface/" + strings.ToLower(repo.ID) + "@" + commit
	return func(bom []byte) error {
		var doc struct {
			Metadata struct {
				Component struct {
					PURL string `json:"purl"`
				} `json:"component"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(bom, &doc); err != nil {
			return fmt.Errorf("the signed BOM is not JSON: %v", err)
		}
		if got := strings.ToLower(doc.Metadata.Component.PURL); got != want {
			return fmt.Errorf("the signed BOM describes %q, not %s", doc.Metadata.Component.PURL, want)
		}
		return nil
	}
}

// verifyOCI maps an OCI reference by its digest to the signed BOMs that list
// a component with that SHA-256 (a model blob as Ollama's registry and
// single-file ORAS artifacts address it). A tag alone is refused: it can be
// moved to other content after admission.
func (s *SignedBOMs) verifyOCI(ctx context.Context, res ModelResult, o OCIRef) (ModelResult, error) {
	if o.Digest == "" {
		res.Reason = fmt.Sprintf("%s names no digest; a tag can move to other content, so pin the model by digest (%s@sha256:…)", res.Ref, o.Name)
		return res, nil
	}
	if s.MatchComponents == nil {
		res.Reason = "OCI model references are not configured on this webhook"
		return res, nil
	}
	matches, err := s.MatchComponents(ctx, []string{o.Digest}, nil)
	if err != nil {
		return res, fmt.Errorf("find components with sha256 %s: %w", o.Digest, err)
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].Project != matches[j].Project {
			return matches[i].Project < matches[j].Project
		}
		return matches[i].Version > matches[j].Version
	})
	var why []string
	tried := map[string]bool{}
	for _, m := range matches {
		if !strings.EqualFold(m.SHA256, o.Digest) || tried[m.Project] {
			continue
		}
		tried[m.Project] = true
		res.Project = m.Project
		// The store names the newest version listing the digest; an older
		// one may be the signed one (a later scan ran without the key).
		for v := m.Version; v >= max(1, m.Version-ociVersionsBack+1); v-- {
			out, err := s.verifyVersion(ctx, res, v, digestCheck(o.Digest))
			if err != nil || out.Verified {
				if out.Verified {
					out.Reason = fmt.Sprintf("digest of %s (%s); %s", m.Name, m.BOMRef, out.Reason)
				}
				return out, err
			}
			if v == m.Version {
				why = append(why, out.Reason)
			}
		}
	}
	res.Project = ""
	if len(why) == 0 {
		res.Reason = fmt.Sprintf("no BOM in mlbom lists content with sha256:%s (the digest must be a scanned model file's, not an image manifest's)", o.Digest)
		return res, nil
	}
	res.Reason = fmt.Sprintf("no signed BOM verifies for sha256:%s: %s", o.Digest, strings.Join(why, "; "))
	return res, nil
}

// ociVersionsBack bounds the versions of one project verifyOCI tries.
const ociVersionsBack = 5

// digestCheck: the signed BOM lists a component (at any depth) with that
// SHA-256.
func digestCheck(digest string) func([]byte) error {
	type component struct {
		Hashes []struct {
			Alg     string `json:"alg"`
			Content string `json:"content"`
		} `json:"hashes"`
		Components []json.RawMessage `json:"components"`
	}
	var has func(raw []json.RawMessage, depth int) bool
	has = func(raw []json.RawMessage, depth int) bool {
		for _, r := range raw {
			var c component
			if json.Unmarshal(r, &c) != nil {
				continue
			}
			for _, h := range c.Hashes {
				if h.Alg == "SHA-256" && strings.EqualFold(h.Content, digest) {
					return true
				}
			}
			if depth < 16 && has(c.Components, depth+1) {
				return true
			}
		}
		return false
	}
	return func(bom []byte) error {
		var doc struct {
			Components []json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(bom, &doc); err != nil {
			return fmt.Errorf("the signed BOM is not JSON: %v", err)
		}
		if !has(doc.Components, 0) {
			return fmt.Errorf("the signed BOM lists no component with sha256:%s", digest)
		}
		return nil
	}
}
