package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/mlbom/autopilot/activities"
)

// LocalOptions tune a scan run without a Temporal server.
type LocalOptions struct {
	ScanID   string
	Progress func(Progress)
	// Decide answers pending license exceptions; nil leaves them undecided
	// (they count as rejected, as after a timeout).
	Decide func(pending []activities.Exception) []activities.ApprovalDecision
	// MaxAttempts bounds the attempts of a step whose worker retry policy
	// is unlimited (a worker retries until the step succeeds; a CI job
	// cannot wait that long). Zero means DefaultLocalAttempts.
	MaxAttempts int
	// OnRetry, when set, hears of each retry before the wait.
	OnRetry func(step string, attempt int, wait time.Duration, err error)
	// sleep waits (tests replace it); nil sleeps on a timer.
	sleep func(ctx context.Context, d time.Duration) error
}

// DefaultLocalAttempts is how often a local run tries a step whose worker
// policy has no limit: with the policy's backoff (1s, 2s, 4s, 8s) a
// transient failure gets 15 seconds to clear.
const DefaultLocalAttempts = 5

// RunLocal runs the same steps as ScanWorkflow in-process, calling the very
// same activity methods, without durability: for CI pipelines and quick looks.
func RunLocal(ctx context.Context, acts *activities.Activities, in ScanInput, opts LocalOptions) (*ScanSummary, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	x := &localExecutor{ctx: ctx, opts: opts}
	scanID := opts.ScanID
	if scanID == "" {
		scanID = fmt.Sprintf("local/%s/%s", in.Project, time.Now().UTC().Format("20060102T150405.000000000Z"))
	}
	return pipeline(x, acts, scanID, "", "", in, 0)
}

type localExecutor struct {
	ctx  context.Context
	opts LocalOptions
}

// exec is the one place a step runs in-process. It applies the step's
// worker retry policy (stepOptions): the same per-attempt timeout and
// backoff, a delay the failure asks for (a Retry-After: NextRetryDelay)
// instead of the backoff, no retry after a non-retryable failure, and at
// most the policy's attempts (DefaultLocalAttempts where it has no limit).
func (x *localExecutor) exec(name string, _, _, out any, local func(context.Context) (any, error)) error {
	opts := stepOptions(name)
	policy := opts.RetryPolicy
	attempts := int(policy.MaximumAttempts)
	limit := x.opts.MaxAttempts
	if limit <= 0 {
		limit = DefaultLocalAttempts
	}
	if attempts <= 0 || attempts > limit {
		attempts = limit
	}
	sleep := x.opts.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var res any
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(x.ctx, opts.StartToCloseTimeout)
		r, err := local(actx)
		cancel()
		if err == nil {
			res = r
			break
		}
		if x.ctx.Err() != nil || !retryable(err, policy) || attempt >= attempts {
			if attempt > 1 {
				return fmt.Errorf("%w (after %d attempts)", err, attempt)
			}
			return err
		}
		wait := backoff(policy, attempt)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.NextRetryDelay() > 0 {
			wait = appErr.NextRetryDelay()
		}
		if x.opts.OnRetry != nil {
			x.opts.OnRetry(name, attempt, wait, err)
		}
		if err := sleep(x.ctx, wait); err != nil {
			return fmt.Errorf("%s: waiting to retry: %w", name, err)
		}
	}
	if out == nil || res == nil {
		return nil
	}
	// Round-trip through JSON exactly as a Temporal payload would, so both
	// modes see the same values.
	data, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("%s: encode result: %w", name, err)
	}
	return json.Unmarshal(data, out)
}

// retryable says whether the worker would retry err under policy.
func retryable(err error, policy *temporal.RetryPolicy) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.NonRetryable() {
			return false
		}
		for _, t := range policy.NonRetryableErrorTypes {
			if appErr.Type() == t {
				return false
			}
		}
	}
	return true
}

// backoff is the policy's wait before attempt+1.
func backoff(policy *temporal.RetryPolicy, attempt int) time.Duration {
	d := float64(policy.InitialInterval)
	for i := 1; i < attempt; i++ {
		d *= policy.BackoffCoefficient
	}
	if ceiling := float64(policy.MaximumInterval); ceiling > 0 && d > ceiling {
		d = ceiling
	}
	return time.Duration(d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (x *localExecutor) now() time.Time { return time.Now().UTC() }

// version: nothing in-process predates the current code.
func (x *localExecutor) version(_ string, max int) int { return max }

func (x *localExecutor) progress(p Progress) {
	if x.opts.Progress != nil {
		x.opts.Progress(p)
	}
}

func (x *localExecutor) awaitExceptions(pending []activities.Exception, _ time.Duration) ([]activities.ApprovalDecision, error) {
	if x.opts.Decide == nil {
		return nil, nil
	}
	return x.opts.Decide(pending), nil
}
