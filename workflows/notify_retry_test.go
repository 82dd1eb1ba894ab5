package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/notify/notifytest"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

// TestNotifyRetriedAfterSlackAcceptedStillOneMessage runs the real Notify
// activity inside the workflow against a Slack that speaks the Web API. The
// first attempt posts, then fails to record the delivery (as if the worker
// died); Temporal retries the activity, which finds the message in the
// channel history and does not post again.
func TestNotifyRetriedAfterSlackAcceptedStillOneMessage(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	require.NoError(t, err)
	defer db.Close()

	slack := notifytest.NewSlack(t)
	ledger := notifytest.NewMemLedger()
	ledger.FailNextCompletes(1, errors.New("database went away"))
	n, err := notify.New(notify.Options{SlackToken: slack.Token, SlackChannel: slack.ChannelID, SlackAPIURL: slack.APIURL()}, ledger)
	require.NoError(t, err)

	dec := policy.Decision{Verdict: "deny", Findings: []policy.Finding{
		{ID: "f-1", Policy: "serialization.pickle", Severity: "high", Effect: "deny", Component: "pkg:generic/m.pkl", Message: "pickle weights"},
		{ID: "f-2", Policy: "license.deny", Severity: "medium", Effect: "deny", Component: "pkg:huggingface/o/m", Message: "non-commercial"},
	}}
	data, err := json.Marshal(dec)
	require.NoError(t, err)
	ref, err := db.PutBlob(ctx, data)
	require.NoError(t, err)

	env, f := newEnv(t, &activities.Activities{Store: db, Notifier: n})
	f.mockAll(a.EvaluatePolicy, a.Notify)
	env.OnActivity(a.EvaluatePolicy, mock.Anything, mock.Anything).Return(&activities.PolicyResult{Verdict: "deny", Findings: 2, DecisionRef: ref}, nil)
	env.ExecuteWorkflow(ScanWorkflow, input)
	require.NoError(t, env.GetWorkflowError())

	var sum ScanSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Len(t, slack.Messages(), 1, "one Slack message although Notify ran twice")
	require.Equal(t, 2, slack.Calls("chat.postMessage")+slack.Calls("conversations.history"), "one post, then one history lookup on the retry")
	require.Equal(t, 2, ledger.Count(notify.ChannelSlack, notify.StateSent))
}
