package notify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

// allChannels configures Slack (bot), Jira Cloud and the webhook on fakes.
func allChannels(t testing.TB, s *notifytest.Slack, j *notifytest.Jira, hookURL string, transition string) Options {
	o := slackOpts(s)
	jo := jiraOpts(j, ptr(true))
	o.JiraURL, o.JiraUser, o.JiraToken, o.JiraProject, o.JiraCloud = jo.JiraURL, jo.JiraUser, jo.JiraToken, jo.JiraProject, jo.JiraCloud
	o.JiraResolveTransition = transition
	o.WebhookURL, o.WebhookSecret = hookURL, "k"
	return o
}

func calls(r *Report) string {
	var s string
	for _, c := range r.Channels {
		s += fmt.Sprintf("%s=%d ", c.Channel, c.APICalls)
	}
	return s
}

// TestAPICallFigures pins the number of API calls for a scan with 100 new
// findings on all channels; run with -v to print the table.
func TestAPICallFigures(t *testing.T) {
	type row struct {
		name  string
		rep   *Report
		slack int
		jira  int
		hook  int
	}
	var rows []row
	check := func(name string, rep *Report, slack, jira, hook int) {
		t.Helper()
		rows = append(rows, row{name, rep, slack, jira, hook})
		for ch, want := range map[string]int{ChannelSlack: slack, ChannelJira: jira, ChannelWebhook: hook} {
			if got := chanReport(t, rep, ch).APICalls; got != want {
				t.Errorf("%s: %s API calls = %d, want %d", name, ch, got, want)
			}
		}
	}
	s := notifytest.NewSlack(t)
	j := notifytest.NewJira(t, true)
	r := newReceiver(t, "k")
	led := notifytest.NewMemLedger()
	n := mustNew(t, allChannels(t, s, j, r.srv.URL, "Done"), led)
	fs := findings(100)

	check("first scan, 100 new findings", notify(t, n, batch("scan-1", fs)), 1, 2+2, 1)
	check("re-run, nothing new", notify(t, n, batch("scan-2", fs)), 0, 0, 0)
	check("10 gone (comment + transition)", notify(t, n, batch("scan-3", fs[10:])), 0, 10*3, 0)

	// Crash at the first ledger write after each delivery: Slack posted,
	// the first Jira bulk chunk (50) created, the webhook delivered.
	s2 := notifytest.NewSlack(t)
	j2 := notifytest.NewJira(t, true)
	r2 := newReceiver(t, "k")
	led2 := notifytest.NewMemLedger()
	led2.FailComplete = func(string, string, string) error { return errCrash }
	n2 := mustNew(t, allChannels(t, s2, j2, r2.srv.URL, ""), led2)
	if _, err := n2.Notify(context.Background(), batch("scan-1", fs)); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v", err)
	}
	led2.FailComplete = nil
	// Retry: Slack reads history (no repost); Jira searches 2x, finds 50,
	// bulk-creates the other 50; the webhook re-delivers with the same ID.
	check("retry after crash post-delivery", notify(t, n2, batch("scan-1", fs)), 1, 2+1, 1)
	if len(s2.Messages()) != 1 || len(j2.Issues()) != 100 {
		t.Errorf("after retry: %d messages, %d tickets", len(s2.Messages()), len(j2.Issues()))
	}

	for _, rw := range rows {
		t.Logf("%-34s %s total=%d", rw.name, calls(rw.rep), rw.rep.APICalls)
	}
	t.Logf("naive one-call-per-finding baseline for 100 findings: slack=100 jira=200 (search+create) webhook=100 total=400")
}

// BenchmarkNotify100 notifies a scan of 100 new findings on all channels
// (fakes on loopback) and reports API calls per scan.
func BenchmarkNotify100(b *testing.B) {
	s := notifytest.NewSlack(b)
	j := notifytest.NewJira(b, true)
	r := newReceiverTB(b, "k")
	o := allChannels(b, s, j, r.srv.URL, "")
	fs := findings(100)
	total := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := mustNew(b, o, notifytest.NewMemLedger())
		bt := batch(fmt.Sprintf("scan-%d", i), fs)
		bt.Project = fmt.Sprintf("p%d", i) // fresh identities: every run is a first scan
		rep, err := n.Notify(context.Background(), bt)
		if err != nil {
			b.Fatal(err)
		}
		total += rep.APICalls
	}
	b.ReportMetric(float64(total)/float64(b.N), "api-calls/scan")
}
