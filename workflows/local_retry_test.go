package workflows

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/notify/notifytest"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
)

type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return nil
}

func TestLocalRetryPolicy(t *testing.T) {
	transient := temporal.NewApplicationError("jira answered 500", activities.ErrTypeTransient)
	limited := temporal.NewApplicationErrorWithOptions("slack: rate limited", activities.ErrTypeTransient, temporal.ApplicationErrorOptions{NextRetryDelay: 7 * time.Second})
	permanent := temporal.NewNonRetryableApplicationError("slack: invalid_auth", activities.ErrTypeNotifyConfig, nil)
	tests := []struct {
		name      string
		step      string
		errs      []error // returned by successive attempts; then success
		wantCalls int
		wantSleep []time.Duration
		wantErr   bool
	}{
		{"transient errors back off like the worker", "Notify", []error{transient, transient}, 3, []time.Duration{time.Second, 2 * time.Second}, false},
		{"Retry-After replaces the backoff", "Notify", []error{limited}, 2, []time.Duration{7 * time.Second}, false},
		{"non-retryable stops at once", "Notify", []error{permanent, nil}, 1, nil, true},
		{"unlimited policy is bounded", "Notify", []error{transient, transient, transient, transient, transient, transient}, DefaultLocalAttempts, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, true},
		{"plain errors are retried", "Diff", []error{errors.New("database is locked")}, 2, []time.Duration{time.Second}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s sleeps
			x := &localExecutor{ctx: context.Background(), opts: LocalOptions{sleep: s.sleep}}
			calls := 0
			err := x.exec(tc.step, nil, nil, nil, func(context.Context) (any, error) {
				calls++
				if calls <= len(tc.errs) && tc.errs[calls-1] != nil {
					return nil, tc.errs[calls-1]
				}
				return nil, nil
			})
			require.Equal(t, tc.wantErr, err != nil, "err %v", err)
			require.Equal(t, tc.wantCalls, calls)
			require.Equal(t, tc.wantSleep, s.got)
		})
	}
	// A canceled run stops waiting.
	ctx, cancel := context.WithCancel(context.Background())
	x := &localExecutor{ctx: ctx, opts: LocalOptions{sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }}}
	err := x.exec("Notify", nil, nil, nil, func(context.Context) (any, error) { return nil, transient })
	require.ErrorIs(t, err, context.Canceled)
}

// mlbom scan --local against a Jira that answers 500 once and a Slack that
// rate-limits once (Retry-After 3): the scan succeeds, as on a worker; the
// one retry waits what Slack asked, and each channel delivers exactly once.
func TestRunLocalRetriesNotify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "m.db"))
	require.NoError(t, err)
	defer db.Close()
	engine, err := policy.New(ctx, policy.Options{})
	require.NoError(t, err)

	s := notifytest.NewSlack(t)
	j := notifytest.NewJira(t, true)
	s.Inject("chat.postMessage", notifytest.Fault{Status: 429, RetryAfter: 3})
	j.Inject("bulk", notifytest.Fault{Status: 500})
	cloud := true
	n, err := notify.New(notify.Options{
		SlackToken: s.Token, SlackChannel: s.ChannelID, SlackAPIURL: s.APIURL(),
		JiraURL: j.Server.URL, JiraUser: j.User, JiraToken: j.Token, JiraProject: j.Project, JiraCloud: &cloud,
		MaxRetryAfter: time.Millisecond, // give 429s back to the retry policy at once
	}, db)
	require.NoError(t, err)

	repo := filepath.Join(dir, "repo")
	require.NoError(t, os.CopyFS(repo, os.DirFS("../cmd/mlbom/testdata/repo")))
	acts := &activities.Activities{Store: db, Policy: engine, Embedder: search.NewOffline(64), Notifier: n, WorkDir: dir, ToolVersion: "test"}
	var waits sleeps
	var retried []string
	sum, err := RunLocal(ctx, acts, ScanInput{Source: repo, Project: "retry", Options: ScanOptions{ApprovalTimeout: "0s"}},
		LocalOptions{sleep: waits.sleep, OnRetry: func(step string, attempt int, wait time.Duration, err error) {
			retried = append(retried, step)
		}})
	require.NoError(t, err)
	require.Greater(t, sum.Notify.Sent, 0)
	require.Equal(t, []string{"Notify"}, retried, "Notify retried once (both channels failed in the first attempt)")
	require.Len(t, s.Messages(), 1, "one Slack message")
	require.Equal(t, sum.Findings, len(j.Issues()), "one ticket per finding, none twice")
	require.Equal(t, []time.Duration{3 * time.Second}, waits.got, "Retry-After honoured")
}
