package admission

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/store"
)

// SignedBOMs verifies model references against the signed BOMs in the
// store: `project` (its latest version) or `project@N`. A reference
// verifies when a signature stored with that version verifies with a
// trusted key and covers the BOM as the store serves it now. Results are
// cached for TTL, so a burst of reviews for one workload costs one check.
type SignedBOMs struct {
	// ReadBOM returns a version's number and BOM as `mlbom bom` serves it
	// (version <= 0: the latest).
	ReadBOM func(ctx context.Context, project string, version int) (int, []byte, error)
	// Signatures lists the signatures stored with a version.
	Signatures func(ctx context.Context, project string, version int) ([]store.Signature, error)
	Trusted    []attest.Verifier
	TTL        time.Duration // 0 means 30 s
	Now        func() time.Time

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
	ttl := s.TTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	s.mu.Lock()
	if c, ok := s.cache[ref]; ok && now().Sub(c.at) < ttl {
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
	project, version, err := ParseRef(ref)
	if err != nil {
		res.Reason = err.Error()
		return res, nil
	}
	res.Project = project
	if len(s.Trusted) == 0 {
		res.Reason = "no trusted public key is configured (MLBOM_TRUSTED_KEYS)"
		return res, nil
	}
	number, bom, err := s.ReadBOM(ctx, project, version)
	if errors.Is(err, store.ErrNotFound) {
		res.Reason = fmt.Sprintf("mlbom has no BOM for %s", ref)
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("read BOM of %s: %w", ref, err)
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
		res.Verified, res.KeyID = true, v.KeyID
		res.Reason = fmt.Sprintf("signed BOM %s version %d verified with key %s", project, number, v.KeyID[:min(16, len(v.KeyID))])
		return res, nil
	}
	res.Reason = fmt.Sprintf("no trusted signature covers BOM %s version %d (%s)", project, number, strings.Join(why, "; "))
	return res, nil
}
