package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// rateLimitedError is a 429 from Jira or the webhook.
type rateLimitedError struct {
	retryAfter time.Duration
	err        error
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited (retry after %s): %v", e.retryAfter, e.err)
}
func (e *rateLimitedError) Unwrap() error { return e.err }

// parseRetryAfter reads a Retry-After header in seconds; Slack and Jira send
// seconds, never the HTTP-date form. Missing or odd values mean one second.
func parseRetryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

// RetryAfter returns how long a server asked to wait (Retry-After of a
// 429) when err is, or wraps, a rate limit; the activity passes it to the
// retry policy as the next delay.
func RetryAfter(err error) (time.Duration, bool) { return retryAfter(err) }

func retryAfter(err error) (time.Duration, bool) {
	var sl *slack.RateLimitedError
	if errors.As(err, &sl) {
		return sl.RetryAfter, true
	}
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		return rl.retryAfter, true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests {
		return time.Second, true
	}
	return 0, false
}

// maxRateLimitWaits bounds how often one call waits out a 429 in-process;
// after that the activity's retry policy takes over.
const maxRateLimitWaits = 3

// call runs fn, counting each HTTP attempt in *calls, and waits out 429s
// (Retry-After, bounded by maxWait, cancelled with ctx). Other errors return
// at once: 5xx and timeouts are the caller's to retry.
func call(ctx context.Context, maxWait time.Duration, calls *int, fn func() error) error {
	for attempt := 0; ; attempt++ {
		*calls++
		err := fn()
		wait, limited := retryAfter(err)
		if !limited {
			return err
		}
		if attempt >= maxRateLimitWaits || wait > maxWait {
			return fmt.Errorf("rate limited, gave up after %d attempt(s) (retry after %s): %w", attempt+1, wait, err)
		}
		if wait <= 0 {
			wait = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting out rate limit: %w", ctx.Err())
		case <-t.C:
		}
	}
}
