// Package notifytest provides fakes for testing code that notifies: an
// in-memory ledger with failure injection, and httptest servers speaking
// the Slack Web API and the Jira REST API (shapes as their documentation
// shows). The workflow-level retry test uses them to prove "still one".
package notifytest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/store"
)

// MemLedger is an in-memory notify.Ledger with the store's semantics.
type MemLedger struct {
	mu   sync.Mutex
	rows map[[2]string]*store.Notification
	// FailComplete, when set, runs before each CompleteNotification; a
	// non-nil error is returned and nothing is written. It simulates a
	// crash or a database failure after the message left.
	FailComplete func(key, channel, state string) error
	// Now stamps CreatedAt (default time.Now).
	Now func() time.Time
}

// NewMemLedger returns an empty ledger.
func NewMemLedger() *MemLedger {
	return &MemLedger{rows: map[[2]string]*store.Notification{}}
}

// ClaimNotification inserts (key, channel) as pending if absent.
func (l *MemLedger) ClaimNotification(ctx context.Context, key, channel, scanID string) (store.Notification, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.Notification{}, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.rows[[2]string{key, channel}]; ok {
		return *r, false, nil
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	r := &store.Notification{Key: key, Channel: channel, ScanID: scanID, State: "pending", CreatedAt: now()}
	l.rows[[2]string{key, channel}] = r
	return *r, true, nil
}

// CompleteNotification sets the state and external reference of a claim.
func (l *MemLedger) CompleteNotification(ctx context.Context, key, channel, extRef, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.FailComplete != nil {
		if err := l.FailComplete(key, channel, state); err != nil {
			return err
		}
	}
	if state != "sent" && state != "resolved" {
		return fmt.Errorf("complete %s/%s: bad state %q", key, channel, state)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.rows[[2]string{key, channel}]
	if !ok {
		return fmt.Errorf("complete %s/%s: %w", key, channel, store.ErrNotFound)
	}
	r.State, r.ExtRef = state, extRef
	return nil
}

// ListNotifications returns the rows of channel in state ("" = any), by key.
func (l *MemLedger) ListNotifications(ctx context.Context, channel, state string) ([]store.Notification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.Notification
	for _, r := range l.rows {
		if (channel == "" || r.Channel == channel) && (state == "" || r.State == state) {
			out = append(out, *r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Channel != out[j].Channel {
			return out[i].Channel < out[j].Channel
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// FailNextCompletes makes the next n CompleteNotification calls fail with
// err, as a worker dying right after a delivery would; later calls succeed.
// Handy for retry tests where the same ledger serves every attempt.
func (l *MemLedger) FailNextCompletes(n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	left := n
	l.FailComplete = func(string, string, string) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if left <= 0 {
			return nil
		}
		left--
		return err
	}
}

// Count returns how many rows channel has in state ("" = any).
func (l *MemLedger) Count(channel, state string) int {
	rows, _ := l.ListNotifications(context.Background(), channel, state)
	return len(rows)
}
