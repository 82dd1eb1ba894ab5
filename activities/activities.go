// Package activities adapts the internal/ packages to Temporal activities: one
// method per pipeline step on Activities, which holds the dependencies. The
// same methods run in-process for `mlbom scan --local`.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mlbom/autopilot/internal/discover"
	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/oms"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/redact"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/source"
	"github.com/mlbom/autopilot/internal/store"
)

// Store is what the activities need of the store (implemented by *store.DB).
type Store interface {
	PutBlob(ctx context.Context, data []byte) (string, error)
	GetBlob(ctx context.Context, hash string) ([]byte, error)
	UpsertScan(ctx context.Context, s store.Scan) error
	SaveVersion(ctx context.Context, v store.NewVersion) (store.Version, bool, error)
	GetVersion(ctx context.Context, project string, number int) (store.Version, error)
	SaveDiff(ctx context.Context, project string, from, to int, data []byte) error
	SaveFindings(ctx context.Context, scanID string, fs []store.Finding) error
	SaveApproval(ctx context.Context, a store.Approval) error
	CarryApprovals(ctx context.Context, project string, version int, as []store.Approval) error
	ActiveApprovals(ctx context.Context, project string, at time.Time) ([]store.Approval, error)
	UpsertEvidence(ctx context.Context, docs []store.Evidence) error
}

// PolicyEvaluator evaluates the policies (implemented by *policy.Engine).
type PolicyEvaluator interface {
	Evaluate(ctx context.Context, in policy.Input) (*policy.Decision, error)
}

// Notifier sends notifications (implemented by *notify.Notifier).
type Notifier interface {
	Notify(ctx context.Context, b notify.Batch) (*notify.Report, error)
}

// Activities holds the dependencies of every step.
type Activities struct {
	Store    Store
	Policy   PolicyEvaluator
	Embedder search.Embedder
	Notifier Notifier
	// DryRunNotifier plans without sending, for scans started with dryRun.
	DryRunNotifier Notifier
	Source         source.Options
	// ResolveHub runs the Scan step's hub phase: it looks up on the Hugging
	// Face Hub the models and datasets code refers to (license, card,
	// current revision) and compares pinned Hub weights with the published
	// files (internal/hub).
	ResolveHub bool
	// OnScanProgress, when set, sees the Scan step's progress (its phase,
	// files, sightings) in-process, as `mlbom scan --local` shows it; a
	// Temporal run reports the same details as heartbeats.
	OnScanProgress func(ScanProgress)
	Discover       discover.Options
	ModelScan      modelscan.Options
	// ModelKeys are the public keys whose OpenSSF model signatures count as
	// valid (MLBOM_TRUSTED_KEYS).
	ModelKeys []oms.TrustedKey
	// Signing signs new BOM versions; nil when no key is configured.
	Signing *Signing
	// WorkDir holds clones and fetched files.
	WorkDir     string
	ToolVersion string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now().UTC()
}

// heartbeat records progress when running as a Temporal activity; in local
// mode there is no server to tell.
func heartbeat(ctx context.Context, details ...any) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, details...)
	}
}

// HeartbeatInterval is how often a running activity tells the server it is
// alive; the workflow's heartbeat timeout is a few times this, so a worker
// that dies is noticed in seconds, not after the start-to-close timeout.
const HeartbeatInterval = 3 * time.Second

// pulse heartbeats every HeartbeatInterval with the latest progress details
// until stopped.
type pulse struct {
	ctx  context.Context
	mu   sync.Mutex
	last any
	done chan struct{}
	// onSet also sees the details, in-process (Activities.OnScanProgress).
	onSet func(any)
}

func startPulse(ctx context.Context) *pulse {
	p := &pulse{ctx: ctx, done: make(chan struct{})}
	if !activity.IsActivity(ctx) {
		return p
	}
	go func() {
		t := time.NewTicker(HeartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				p.mu.Lock()
				last := p.last
				p.mu.Unlock()
				if last != nil {
					activity.RecordHeartbeat(ctx, last)
				} else {
					activity.RecordHeartbeat(ctx)
				}
			}
		}
	}()
	return p
}

// set records progress details and sends them at once.
func (p *pulse) set(details any) {
	p.mu.Lock()
	p.last = details
	p.mu.Unlock()
	heartbeat(p.ctx, details)
	if p.onSet != nil {
		p.onSet(details)
	}
}

func (p *pulse) stop() { close(p.done) }

// Error types of non-retryable failures, as Temporal reports them.
const (
	ErrTypeInvalidSource = "InvalidSource"
	ErrTypeInvalidInput  = "InvalidInput"
	ErrTypeStoreConfig   = "StoreConfig"
	ErrTypeBrokenPolicy  = "BrokenPolicy"
	ErrTypeNotifyConfig  = "NotifyConfig"
)

// ErrTypeTransient is the type of failures a retry may fix.
const ErrTypeTransient = "Transient"

// classify marks errors that retrying cannot fix as non-retryable, so a bad
// input fails in seconds instead of after hours of retries. The message is
// masked (internal/redact) and the original error is attached only as a
// masked cause: Temporal writes an error's whole Unwrap chain, message by
// message, into the workflow history.
func classify(step string, err error) error {
	if err == nil {
		return nil
	}
	msg := redact.String(fmt.Sprintf("%s: %v", step, err))
	cause := redact.Error(err)
	errType := ""
	switch {
	case errors.Is(err, source.ErrInvalid):
		errType = ErrTypeInvalidSource
	case errors.Is(err, store.ErrConfig):
		errType = ErrTypeStoreConfig
	case errors.Is(err, policy.ErrPolicy):
		errType = ErrTypeBrokenPolicy
	case errors.Is(err, notify.ErrPermanent):
		errType = ErrTypeNotifyConfig
	case errors.Is(err, errInvalidInput):
		errType = ErrTypeInvalidInput
	}
	if errType != "" {
		return temporal.NewNonRetryableApplicationError(msg, errType, cause)
	}
	// A rate limit says when to come back: the retry waits that long instead
	// of the policy's backoff (on a worker and in mlbom scan --local alike).
	var next time.Duration
	if d, ok := notify.RetryAfter(err); ok && d > 0 {
		next = d
	}
	return temporal.NewApplicationErrorWithOptions(msg, ErrTypeTransient, temporal.ApplicationErrorOptions{Cause: cause, NextRetryDelay: next})
}

var errInvalidInput = errors.New("invalid input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errInvalidInput, fmt.Sprintf(format, args...))
}

// putJSON stores v as a content-addressed blob so that only its hash travels
// through Temporal payloads.
func (a *Activities) putJSON(ctx context.Context, v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode blob: %w", err)
	}
	return a.Store.PutBlob(ctx, data)
}

func (a *Activities) getJSON(ctx context.Context, ref string, v any) error {
	if ref == "" {
		return invalid("empty blob reference")
	}
	data, err := a.Store.GetBlob(ctx, ref)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return invalid("blob %s not found", ref)
		}
		return fmt.Errorf("read blob %s: %w", ref, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode blob %s: %w", ref, err)
	}
	return nil
}
