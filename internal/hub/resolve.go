package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/redact"
)

// Bounds of Resolve. Lookups are a nicety on top of a scan: they must
// never hold it up for long, whatever the network does.
var (
	resolveRequestTimeout = 5 * time.Second
	resolveBudget         = 20 * time.Second
)

const (
	resolveParallel = 4
	maxResolveBytes = 8 << 20 // model info without blobs is a few KB; a dataset's file list can be larger
	// PropResolvedRevision holds the Hub revision sha a reference resolved
	// to at scan time. It is not the finding's Version: a reference without
	// a revision stays unpinned, whatever the Hub's head was that day.
	PropResolvedRevision = "hf.resolvedRevision"
)

// resolveKey is one Hub repository as the code refers to it.
type resolveKey struct {
	kind    asset.Kind
	id      string
	version string
}

// Resolve looks up on the Hugging Face Hub every model and dataset that
// findings reference (Provider "huggingface") without a license, once per
// repository, and fills License, Card and Props[PropResolvedRevision] on every
// finding of it. It never fails: repositories the Hub does not show
// (missing, private, gated without a token) keep their findings unchanged
// and get a warning; the first network failure stops all lookups with one
// warning, so an offline scan loses at most one request timeout.
func Resolve(ctx context.Context, findings []asset.Sighting, cfg Config) (warnings []string) {
	byKey := map[resolveKey][]int{}
	for i, f := range findings {
		if (f.Kind != asset.KindModel && f.Kind != asset.KindDataset) || f.Provider != "huggingface" || f.License != "" {
			continue
		}
		k := resolveKey{kind: f.Kind, id: f.Name, version: f.Version}
		byKey[k] = append(byKey[k], i)
	}
	if len(byKey) == 0 {
		return nil
	}
	keys := make([]resolveKey, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.version < b.version
	})

	c := New(cfg)
	ctx, cancel := context.WithTimeout(ctx, resolveBudget)
	defer cancel()

	type outcome struct {
		info     *Info
		repo     Repo
		warn     string
		answered bool // the Hub answered, without the repository
	}
	results := make([]outcome, len(keys))
	var (
		mu          sync.Mutex
		unreachable bool
		wg          sync.WaitGroup
	)
	sem := make(chan struct{}, resolveParallel)
	for i, k := range keys {
		repo, err := resolveRepo(k)
		if err != nil {
			results[i].warn = fmt.Sprintf("Hugging Face %s %q: not a Hub id, license left unknown", k.kind, k.id)
			continue
		}
		results[i].repo = repo
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			info, err := c.lookup(ctx, repo)
			if err == nil {
				results[i].info = info
				return
			}
			var ne *netError
			if errors.As(err, &ne) {
				mu.Lock()
				defer mu.Unlock()
				if !unreachable && ctx.Err() == nil {
					unreachable = true
					cancel() // circuit breaker: the others would fail the same way
				}
				return
			}
			results[i].answered = true
			results[i].warn = fmt.Sprintf("Hugging Face %s %s: %s; license left unknown",
				k.kind, k.id, strings.TrimPrefix(redact.NewReplacer(cfg.Token).String(err.Error()), ErrInvalid.Error()+": "))
		}()
	}
	wg.Wait()

	var pending int
	for i, k := range keys {
		r := results[i]
		switch {
		case r.info != nil:
			fill(findings, byKey[k], r.repo, r.info, c.endpoint)
		case r.warn != "":
			warnings = append(warnings, r.warn)
			if r.answered {
				markUnknown(findings, byKey[k], license.ReasonHubFailed)
			}
		case unreachable:
			markUnknown(findings, byKey[k], license.ReasonHubUnreachable)
		default:
			pending++ // not looked up: the budget ran out first
		}
	}
	if unreachable {
		warnings = append(warnings, fmt.Sprintf("Hugging Face Hub unreachable at %s; referenced models keep unknown licenses (set MLBOM_HF_RESOLVE=false to skip)", c.endpoint))
	} else if pending > 0 {
		warnings = append(warnings, fmt.Sprintf("Hugging Face Hub lookups stopped after %s; %d referenced repositories keep unknown licenses", resolveBudget, pending))
	}
	return warnings
}

func resolveRepo(k resolveKey) (Repo, error) {
	s := "hf://" + k.id
	if k.kind == asset.KindDataset {
		s = "hf://datasets/" + k.id
	}
	r, err := ParseSpec(s)
	if err != nil {
		return Repo{}, err
	}
	if k.version != "" {
		if err := CheckRevision(k.version); err != nil {
			return Repo{}, err
		}
		r.Revision = k.version
	}
	return r, nil
}

// netError marks a failure to reach the Hub at all (DNS, refused
// connection, timeout), as opposed to an answer from it.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }

func (e *netError) Unwrap() error { return e.err }

// lookup fetches repository metadata without the file list's blob details:
// card data, config, tags and the revision sha are all a reference needs.
func (c *Client) lookup(ctx context.Context, repo Repo) (*Info, error) {
	p := repo.APIPath()
	if repo.Revision != "" {
		p += "/revision/" + url.PathEscape(repo.Revision)
	}
	ctx, cancel := context.WithTimeout(ctx, resolveRequestTimeout)
	defer cancel()
	resp, err := c.Get(ctx, p)
	if err != nil {
		return nil, &netError{err}
	}
	defer resp.Body.Close()
	if err := c.Check(resp, repo); err != nil {
		return nil, err
	}
	var info Info
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResolveBytes)).Decode(&info); err != nil {
		if ctx.Err() != nil {
			return nil, &netError{err}
		}
		return nil, fmt.Errorf("decode repository info: %w", err)
	}
	if !sha1Hex.MatchString(string(info.SHA)) {
		return nil, errors.New("the Hub returned no revision sha")
	}
	return &info, nil
}

// markUnknown records on the findings at idx why the look-up left their
// license unknown.
func markUnknown(findings []asset.Sighting, idx []int, reason string) {
	for _, i := range idx {
		f := &findings[i]
		if f.Props == nil {
			f.Props = map[string]string{}
		}
		f.Props[license.FindingReason] = reason
	}
}

// fill copies what the Hub says of repo onto the findings at idx, keeping
// anything the finding already had, and records that the license (or its
// absence) is the Hub's word at the revision read.
func fill(findings []asset.Sighting, idx []int, repo Repo, info *Info, endpoint string) {
	hub := Sightings(repo, info, endpoint)
	if len(hub) != 1 {
		return
	}
	h := hub[0]
	// Download counts, likes and dates change daily; a BOM of an unchanged
	// commit should not.
	for _, k := range []string{"hf.downloads", "hf.likes", "hf.lastModified"} {
		delete(h.Props, k)
	}
	for _, i := range idx {
		f := &findings[i]
		f.License = h.License
		if f.Card == nil {
			card := *h.Card
			f.Card = &card
		} else {
			mergeCard(f.Card, h.Card)
		}
		if f.URL == "" {
			f.URL = h.URL
		}
		if f.Props == nil {
			f.Props = map[string]string{}
		}
		for k, v := range h.Props {
			if _, ok := f.Props[k]; !ok {
				f.Props[k] = v
			}
		}
		f.Props[PropResolvedRevision] = h.Version
		f.Props[license.FindingRevision] = h.Version
		if f.License != "" {
			f.Props[license.FindingSource] = license.SourceHub
		}
	}
}

// mergeCard fills the empty fields of dst from src.
func mergeCard(dst, src *asset.ModelCard) {
	setS := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	setL := func(d *[]string, s []string) {
		if len(*d) == 0 && len(s) > 0 {
			*d = append([]string(nil), s...)
		}
	}
	setS(&dst.License, src.License)
	setS(&dst.LicenseName, src.LicenseName)
	setS(&dst.LicenseLink, src.LicenseLink)
	setL(&dst.BaseModel, src.BaseModel)
	setL(&dst.Datasets, src.Datasets)
	setL(&dst.Language, src.Language)
	setS(&dst.PipelineTag, src.PipelineTag)
	setS(&dst.LibraryName, src.LibraryName)
	setL(&dst.Tags, src.Tags)
	setL(&dst.Architectures, src.Architectures)
	setS(&dst.ModelType, src.ModelType)
	dst.Gated = dst.Gated || src.Gated
	if len(dst.Metrics) == 0 {
		dst.Metrics = append(dst.Metrics, src.Metrics...)
	}
}
