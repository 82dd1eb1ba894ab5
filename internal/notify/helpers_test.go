package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

var errCrash = errors.New("worker died")

// findings returns n findings with mixed severities and stable IDs.
func findings(n int) []policy.Finding {
	sev := []string{"critical", "high", "medium", "low", "info"}
	out := make([]policy.Finding, n)
	for i := range out {
		out[i] = policy.Finding{
			ID:        fmt.Sprintf("f%04d", i),
			Policy:    fmt.Sprintf("license.deny.%d", i%7),
			Severity:  sev[i%len(sev)],
			Component: fmt.Sprintf("pkg:huggingface/org/model-%d@abc", i),
			Message:   fmt.Sprintf("model-%d uses a <denied> license & more", i),
			Effect:    "deny",
		}
	}
	return out
}

func batch(scan string, fs []policy.Finding) Batch {
	return Batch{Project: "acme/models", ScanID: scan, RunID: "run-" + scan, Verdict: "deny", Version: 3, Findings: fs}
}

func slackOpts(s *notifytest.Slack) Options {
	return Options{SlackToken: s.Token, SlackChannel: s.ChannelID, SlackAPIURL: s.APIURL(),
		DashboardURL: "http://dash.example", TemporalUIURL: "http://temporal.example:8233",
		HTTPClient: &http.Client{Timeout: 5 * time.Second}}
}

func jiraOpts(j *notifytest.Jira, cloud *bool) Options {
	return Options{JiraURL: j.Server.URL, JiraUser: j.User, JiraToken: j.Token, JiraProject: j.Project,
		JiraCloud: cloud, HTTPClient: &http.Client{Timeout: 5 * time.Second}}
}

func mustNew(t testing.TB, o Options, l Ledger) *Notifier {
	t.Helper()
	n, err := New(o, l)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

func notify(t testing.TB, n *Notifier, b Batch) *Report {
	t.Helper()
	rep, err := n.Notify(context.Background(), b)
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	return rep
}

func chanReport(t testing.TB, r *Report, ch string) ChannelReport {
	t.Helper()
	for _, c := range r.Channels {
		if c.Channel == ch {
			return c
		}
	}
	t.Fatalf("no %s channel in report %+v", ch, r)
	return ChannelReport{}
}

func ptr[T any](v T) *T { return &v }

func mustList(t testing.TB, l Ledger, ch string) []store.Notification {
	t.Helper()
	rows, err := l.ListNotifications(context.Background(), ch, "")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
