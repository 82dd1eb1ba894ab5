package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

func TestJiraOneTicketPerFinding(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cloud      bool
		opt        *bool
		wantSearch string
		notSearch  string
		detect     int
	}{
		{"cloud detected", true, nil, "search3", "search2", 1},
		{"cloud configured", true, ptr(true), "search3", "search2", 0},
		{"server detected", false, nil, "search2", "search3", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := notifytest.NewJira(t, tc.cloud)
			led := notifytest.NewMemLedger()
			n := mustNew(t, jiraOpts(j, tc.opt), led)
			rep := notify(t, n, batch("scan-1", findings(100)))
			issues := j.Issues()
			if len(issues) != 100 {
				t.Fatalf("tickets = %d, want 100", len(issues))
			}
			labels := map[string]bool{}
			for _, is := range issues {
				if len(is.Labels) != 2 || is.Labels[0] != "mlbom" || !strings.HasPrefix(is.Labels[1], "mlbom-") {
					t.Fatalf("labels = %v", is.Labels)
				}
				if labels[is.Labels[1]] {
					t.Fatalf("label %s on two tickets", is.Labels[1])
				}
				labels[is.Labels[1]] = true
				if is.IssueType != "Bug" || is.Project != "ML" || !strings.HasPrefix(is.Summary, "[ML-BOM] ") {
					t.Errorf("ticket fields = %+v", is)
				}
			}
			// Searches are batched: 100 labels -> 2 queries; creates -> 2 bulk calls.
			if j.Calls(tc.wantSearch) != 2 || j.Calls("bulk") != 2 || j.Calls(tc.notSearch) != 0 || j.Calls("serverInfo") != tc.detect {
				t.Errorf("calls: search=%d bulk=%d other search=%d serverInfo=%d",
					j.Calls(tc.wantSearch), j.Calls("bulk"), j.Calls(tc.notSearch), j.Calls("serverInfo"))
			}
			if rep.APICalls != 4+tc.detect {
				t.Errorf("API calls = %d, want %d", rep.APICalls, 4+tc.detect)
			}
			if tc.cloud {
				for _, p := range j.Paths() {
					if strings.HasPrefix(p, "GET /rest/api/2/search") || strings.HasPrefix(p, "POST /rest/api/2/search") {
						t.Fatalf("cloud path used removed endpoint: %s", p)
					}
				}
			}
			// Re-run: ledger says everything is ticketed; no Jira call.
			before := len(j.Paths())
			rep = notify(t, n, batch("scan-2", findings(100)))
			if len(j.Paths()) != before || rep.Skipped != 100 {
				t.Errorf("re-run made %d calls, skipped %d", len(j.Paths())-before, rep.Skipped)
			}
		})
	}
}

func TestJiraPriorityAndDescription(t *testing.T) {
	j := notifytest.NewJira(t, false)
	o := jiraOpts(j, ptr(false))
	o.PriorityBySeverity = map[string]string{"info": "Low"}
	o.DashboardURL = "http://dash.example"
	n := mustNew(t, o, notifytest.NewMemLedger())
	fs := findings(5) // critical, high, medium, low, info
	fs[0].Message = "uses [a link|http://evil] {code}"
	fs[1].License, fs[1].LicenseReason = "NOASSERTION", "not looked up"
	notify(t, n, batch("scan-1", fs))
	got := map[string]string{}
	for _, is := range j.Issues() {
		got[is.Summary[strings.Index(is.Summary, "pkg:"):]] = is.Priority
		if strings.Contains(is.Summary, "model-1@") && !strings.Contains(is.Description, "*License:* NOASSERTION (not looked up)\n") {
			t.Errorf("an unknown license does not say why: %s", is.Description)
		}
		if strings.Contains(is.Summary, "model-0@") {
			if !strings.Contains(is.Description, `\[a link\|http://evil\] \{code\}`) {
				t.Errorf("wiki markup not escaped: %s", is.Description)
			}
			if !strings.Contains(is.Description, "[Open in the ML-BOM dashboard|http://dash.example/projects/acme%2Fmodels]") {
				t.Errorf("no dashboard link: %s", is.Description)
			}
		}
	}
	want := []string{"Highest", "High", "Medium", "Low", "Low"}
	for i, w := range want {
		for s, p := range got {
			if strings.Contains(s, "model-"+string(rune('0'+i))+"@") && p != w {
				t.Errorf("finding %d (%s): priority %s, want %s", i, fs[i].Severity, p, w)
			}
		}
	}
}

func TestJiraExistingTicketGetsComment(t *testing.T) {
	j := notifytest.NewJira(t, true)
	b := batch("scan-1", findings(3))
	k := openFindings(b)[0]
	seeded := j.AddIssue(notifytest.JiraIssue{Summary: "by hand", Labels: []string{"mlbom", label(k)}})
	j.AddIssue(notifytest.JiraIssue{Summary: "closed one", Labels: []string{"mlbom", label(openFindings(b)[1])}, Status: "Done"})
	led := notifytest.NewMemLedger()
	n := mustNew(t, jiraOpts(j, ptr(true)), led)
	rep := notify(t, n, b)
	cr := chanReport(t, rep, ChannelJira)
	if cr.Created != 2 || cr.Comments != 1 || cr.Sent != 3 {
		t.Errorf("report = %+v, want 2 created (one beside a closed ticket), 1 comment", cr)
	}
	for _, is := range j.Issues() {
		if is.Key == seeded && (len(is.Comments) != 1 || !strings.Contains(is.Comments[0], "scan-1")) {
			t.Errorf("seeded ticket comments = %v", is.Comments)
		}
	}
	rows := mustList(t, led, ChannelJira)
	refs := map[string]string{}
	for _, r := range rows {
		refs[r.Key] = r.ExtRef
	}
	if refs[k.key] != seeded {
		t.Errorf("ledger points %s at %q, want %s", k.key, refs[k.key], seeded)
	}
}

// The ticket is created, then the worker dies before the ledger write: the
// retry finds it by label and creates nothing.
func TestJiraCrashAfterCreateIsReconciled(t *testing.T) {
	j := notifytest.NewJira(t, true)
	led := notifytest.NewMemLedger()
	led.FailComplete = func(key, ch, state string) error { return errCrash }
	n := mustNew(t, jiraOpts(j, ptr(true)), led)
	b := batch("scan-1", findings(60))
	if _, err := n.Notify(context.Background(), b); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v, want ledger failure", err)
	}
	created := len(j.Issues())
	if created != 50 { // the first bulk chunk went through
		t.Fatalf("tickets after crash = %d, want 50", created)
	}
	led.FailComplete = nil
	rep := notify(t, n, b)
	cr := chanReport(t, rep, ChannelJira)
	if len(j.Issues()) != 60 || cr.Reconciled != 50 || cr.Created != 10 || cr.Comments != 0 {
		t.Errorf("tickets = %d, report %+v; want 60 tickets, 50 adopted silently, 10 created", len(j.Issues()), cr)
	}
}

func TestJiraServerErrorThenSuccess(t *testing.T) {
	j := notifytest.NewJira(t, false)
	j.Inject("bulk", notifytest.Fault{Status: http.StatusBadGateway})
	led := notifytest.NewMemLedger()
	n := mustNew(t, jiraOpts(j, ptr(false)), led)
	b := batch("scan-1", findings(10))
	if _, err := n.Notify(context.Background(), b); err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want retryable", err)
	}
	notify(t, n, b)
	notify(t, n, b)
	if len(j.Issues()) != 10 {
		t.Errorf("tickets = %d, want 10", len(j.Issues()))
	}
}

func TestJiraRateLimitedSearch(t *testing.T) {
	j := notifytest.NewJira(t, true)
	j.Inject("search3", notifytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
	n := mustNew(t, jiraOpts(j, ptr(true)), notifytest.NewMemLedger())
	rep := notify(t, n, batch("scan-1", findings(3)))
	if len(j.Issues()) != 3 || j.Calls("search3") != 2 || rep.APICalls != 3 {
		t.Errorf("tickets=%d searches=%d calls=%d", len(j.Issues()), j.Calls("search3"), rep.APICalls)
	}
}

func TestJiraPermanentErrors(t *testing.T) {
	j := notifytest.NewJira(t, true)
	o := jiraOpts(j, ptr(true))
	o.JiraToken = "wrong"
	n := mustNew(t, o, notifytest.NewMemLedger())
	if _, err := n.Notify(context.Background(), batch("scan-1", findings(2))); !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "401") {
		t.Errorf("401: err = %v, want permanent", err)
	}
	j.Inject("search3", notifytest.Fault{Status: http.StatusForbidden})
	n = mustNew(t, jiraOpts(j, ptr(true)), notifytest.NewMemLedger())
	if _, err := n.Notify(context.Background(), batch("scan-1", findings(2))); !errors.Is(err, ErrPermanent) {
		t.Errorf("403: err = %v, want permanent", err)
	}
	// Treating Cloud as Server hits the removed v2 search: 410 is permanent and says why.
	n = mustNew(t, jiraOpts(j, ptr(false)), notifytest.NewMemLedger())
	_, err := n.Notify(context.Background(), batch("scan-1", findings(2)))
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "410") {
		t.Errorf("410: err = %v", err)
	}
	// A field the project rejects (unknown priority) fails the element, permanently.
	o = jiraOpts(j, ptr(true))
	o.PriorityBySeverity = map[string]string{"critical": "P0"}
	n = mustNew(t, o, notifytest.NewMemLedger())
	before := len(j.Issues())
	rep, err := n.Notify(context.Background(), batch("scan-x", findings(5)))
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "priority") {
		t.Errorf("bad priority: err = %v", err)
	}
	if got := len(j.Issues()) - before; got != 4 || chanReport(t, rep, ChannelJira).Created != 4 {
		t.Errorf("created %d of 5, want the 4 valid ones", got)
	}
}

func TestJiraResolvesGoneFindings(t *testing.T) {
	j := notifytest.NewJira(t, true)
	led := notifytest.NewMemLedger()
	o := jiraOpts(j, ptr(true))
	o.JiraResolveTransition = "done"
	n := mustNew(t, o, led)
	all := findings(10)
	notify(t, n, batch("scan-1", all))
	// Another project's tickets are not touched by this project's scan.
	other := batch("scan-o", findings(2))
	other.Project = "acme/other"
	notify(t, n, other)

	rep := notify(t, n, batch("scan-2", all[3:]))
	cr := chanReport(t, rep, ChannelJira)
	if cr.Resolved != 3 || cr.Comments != 3 {
		t.Fatalf("report = %+v, want 3 resolved", cr)
	}
	done := 0
	for _, is := range j.Issues() {
		if is.Status == "Done" {
			done++
			if len(is.Comments) != 1 || !strings.Contains(is.Comments[0], "Resolved in scan scan-2") {
				t.Errorf("%s comments = %v", is.Key, is.Comments)
			}
		}
	}
	if done != 3 || led.Count(ChannelJira, StateResolved) != 3 {
		t.Errorf("done tickets = %d, resolved rows = %d", done, led.Count(ChannelJira, StateResolved))
	}
	// Resolution happens once.
	rep = notify(t, n, batch("scan-3", all[3:]))
	if rep.Resolved != 0 || rep.APICalls != 0 {
		t.Errorf("second resolution pass: %+v", rep)
	}
	// The finding comes back: its old ticket is closed, so a new one opens.
	rep = notify(t, n, batch("scan-4", all))
	if cr := chanReport(t, rep, ChannelJira); cr.Created != 3 || len(j.Issues()) != 15 {
		t.Errorf("reappearing findings: report %+v, tickets %d", cr, len(j.Issues()))
	}
}
