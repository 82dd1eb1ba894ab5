package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
	"github.com/mlbom/autopilot/internal/policy"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string // substring of the error; "" = valid
	}{
		{"nothing", Options{}, ""},
		{"slack bot", Options{SlackToken: "xoxb-1", SlackChannel: "C0123ABC"}, ""},
		{"slack webhook", Options{SlackWebhookURL: "https://hooks.slack.com/services/T/B/X"}, ""},
		{"token without channel", Options{SlackToken: "xoxb-1"}, "needs a channel"},
		{"channel without token", Options{SlackChannel: "#x"}, "needs a bot token"},
		{"not a slack token", Options{SlackToken: "abc", SlackChannel: "C1"}, "does not look like"},
		{"bad webhook url", Options{SlackWebhookURL: "hooks.slack.com/x"}, "scheme"},
		{"bad api url", Options{SlackToken: "xoxb-1", SlackChannel: "C1", SlackAPIURL: "http://"}, "missing host"},
		{"jira ok", Options{JiraURL: "https://x.atlassian.net", JiraUser: "a@b", JiraToken: "t", JiraProject: "ML"}, ""},
		{"jira no project", Options{JiraURL: "https://x.atlassian.net", JiraToken: "t"}, "MLBOM_JIRA_PROJECT"},
		{"jira no token", Options{JiraURL: "https://x.atlassian.net", JiraProject: "ML"}, "MLBOM_JIRA_TOKEN"},
		{"jira creds without url", Options{JiraToken: "t", JiraProject: "ML"}, "without MLBOM_JIRA_URL"},
		{"jira bad url", Options{JiraURL: "ftp://jira", JiraToken: "t", JiraProject: "ML"}, "scheme"},
		{"secret without webhook", Options{WebhookSecret: "s"}, "secret without"},
		{"bad dashboard", Options{DashboardURL: "::"}, "dashboard URL"},
		{"bad severity", Options{JiraURL: "https://j", JiraToken: "t", JiraProject: "ML", PriorityBySeverity: map[string]string{"urgent": "P1"}}, "unknown severity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
			if _, nerr := New(tc.o, notifytest.NewMemLedger()); !errors.Is(nerr, ErrPermanent) {
				t.Errorf("New = %v, want a permanent error", nerr)
			}
		})
	}
}

func TestConfigured(t *testing.T) {
	o := Options{SlackWebhookURL: "https://h/x", JiraURL: "https://j", WebhookURL: "https://w"}
	if got := strings.Join(o.Configured(), ","); got != "slack,jira,webhook" {
		t.Errorf("Configured = %s", got)
	}
	if got := (Options{}).Configured(); len(got) != 0 {
		t.Errorf("Configured = %v", got)
	}
}

func TestNothingConfiguredRecords(t *testing.T) {
	led := notifytest.NewMemLedger()
	n := mustNew(t, Options{}, led)
	fs := findings(4)
	fs[3].Waived = true
	rep := notify(t, n, batch("scan-1", fs))
	if rep.Recorded != 3 || led.Count(ChannelRecord, StateSent) != 3 || rep.APICalls != 0 {
		t.Fatalf("report = %+v, rows = %d", rep, led.Count(ChannelRecord, StateSent))
	}
	if !strings.Contains(rep.Summary, "no notification channel configured") || !strings.Contains(rep.Summary, "3 finding(s) recorded") {
		t.Errorf("summary = %q", rep.Summary)
	}
	rep = notify(t, n, batch("scan-2", fs))
	if rep.Recorded != 0 || rep.Skipped != 3 {
		t.Errorf("second run = %+v", rep)
	}
}

// webhookReceiver verifies signatures like a real receiver and dedupes by delivery.
type webhookReceiver struct {
	srv        *httptest.Server
	secret     string
	mu         sync.Mutex
	payloads   []WebhookPayload
	deliveries []string
	badSig     int
	fail       []int // statuses to answer next
}

func newReceiver(t *testing.T, secret string) *webhookReceiver { return newReceiverTB(t, secret) }

func newReceiverTB(t testing.TB, secret string) *webhookReceiver {
	r := &webhookReceiver{secret: secret}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.deliveries = append(r.deliveries, req.Header.Get(DeliveryHeader))
		if len(r.fail) > 0 {
			w.WriteHeader(r.fail[0])
			r.fail = r.fail[1:]
			return
		}
		if r.secret != "" && !VerifySignature([]byte(r.secret), body, req.Header.Get(SignatureHeader)) {
			r.badSig++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.payloads = append(r.payloads, p)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestWebhookSignedOnceAndIdempotent(t *testing.T) {
	r := newReceiver(t, "s3cret")
	r.fail = []int{http.StatusServiceUnavailable}
	led := notifytest.NewMemLedger()
	n := mustNew(t, Options{WebhookURL: r.srv.URL, WebhookSecret: "s3cret"}, led)
	b := batch("scan-1", findings(100))
	if _, err := n.Notify(context.Background(), b); err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("503: err = %v, want retryable", err)
	}
	rep := notify(t, n, b)
	notify(t, n, b)
	if len(r.payloads) != 1 || r.badSig != 0 {
		t.Fatalf("payloads = %d, bad signatures = %d", len(r.payloads), r.badSig)
	}
	p := r.payloads[0]
	if p.Event != "mlbom.findings" || p.Project != "acme/models" || p.ScanID != "scan-1" || p.Verdict != "deny" ||
		len(p.Findings) != 100 || p.Counts["critical"] != 20 {
		t.Errorf("payload = %+v", p)
	}
	// The retried delivery carries the same idempotency key.
	if len(r.deliveries) != 2 || r.deliveries[0] != r.deliveries[1] || r.deliveries[0] != p.Delivery || r.deliveries[0] == "" {
		t.Errorf("deliveries = %v, payload delivery %s", r.deliveries, p.Delivery)
	}
	if cr := chanReport(t, rep, ChannelWebhook); cr.Sent != 100 || cr.APICalls != 1 {
		t.Errorf("report = %+v", cr)
	}
}

func TestWebhookClientErrorIsPermanent(t *testing.T) {
	r := newReceiver(t, "right")
	n := mustNew(t, Options{WebhookURL: r.srv.URL, WebhookSecret: "wrong"}, notifytest.NewMemLedger())
	_, err := n.Notify(context.Background(), batch("scan-1", findings(1)))
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "401") || r.badSig != 1 {
		t.Errorf("err = %v, bad signatures = %d", err, r.badSig)
	}
}

func TestSignature(t *testing.T) {
	// RFC 4231 test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	if got != "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Errorf("Sign = %s", got)
	}
	if !VerifySignature([]byte("Jefe"), []byte("what do ya want for nothing?"), got) ||
		VerifySignature([]byte("Jefe"), []byte("what do ya want for nothing!"), got) {
		t.Error("VerifySignature")
	}
}

func TestDryRunSendsAndRecordsNothing(t *testing.T) {
	s := notifytest.NewSlack(t)
	j := notifytest.NewJira(t, true)
	r := newReceiver(t, "k")
	led := notifytest.NewMemLedger()
	live := slackOpts(s)
	jo := jiraOpts(j, ptr(true))
	live.JiraURL, live.JiraUser, live.JiraToken, live.JiraProject, live.JiraCloud = jo.JiraURL, jo.JiraUser, jo.JiraToken, jo.JiraProject, jo.JiraCloud
	live.WebhookURL, live.WebhookSecret = r.srv.URL, "k"
	// Some history: the first 5 findings were delivered before.
	notify(t, mustNew(t, live, led), batch("scan-0", findings(5)))
	posts, jiraCalls, rows := s.Calls("chat.postMessage"), len(j.Paths()), len(mustList(t, led, ""))

	dry := live
	dry.DryRun = true
	rep := notify(t, mustNew(t, dry, led), batch("scan-1", findings(100)[2:]))
	if s.Calls("chat.postMessage") != posts || s.Calls("conversations.history") != 0 || len(j.Paths()) != jiraCalls ||
		len(r.payloads) != 1 || len(mustList(t, led, "")) != rows {
		t.Fatal("dry run touched a server or the ledger")
	}
	if !rep.DryRun || rep.APICalls != 0 || !strings.Contains(rep.Summary, "dry run") {
		t.Errorf("report = %+v", rep)
	}
	count := map[string]int{}
	resolves := 0
	for _, p := range rep.Planned {
		count[p.Channel] += len(p.Findings)
		if p.Action == "resolve" {
			resolves++
		}
	}
	// 98 open findings, 3 of them already delivered; findings 0 and 1 are gone.
	if count[ChannelSlack] != 95 || count[ChannelJira] != 95 || count[ChannelWebhook] != 95 || resolves != 2 {
		t.Errorf("planned = %v, resolves = %d", count, resolves)
	}
	// Without a ledger (mlbom --dry-run with no store): everything is planned.
	rep = notify(t, mustNew(t, dry, nil), batch("scan-1", findings(10)))
	if len(rep.Planned) != 1+10+1 {
		t.Errorf("planned without ledger = %d", len(rep.Planned))
	}
}

func TestChannelsIndependentAndErrorClass(t *testing.T) {
	s := notifytest.NewSlack(t)
	j := notifytest.NewJira(t, true)
	s.Inject("chat.postMessage", notifytest.Fault{Error: "invalid_auth"})
	j.Inject("bulk", notifytest.Fault{Status: http.StatusServiceUnavailable})
	o := slackOpts(s)
	jo := jiraOpts(j, ptr(true))
	o.JiraURL, o.JiraUser, o.JiraToken, o.JiraProject, o.JiraCloud = jo.JiraURL, jo.JiraUser, jo.JiraToken, jo.JiraProject, jo.JiraCloud
	r := newReceiver(t, "")
	o.WebhookURL = r.srv.URL
	n := mustNew(t, o, notifytest.NewMemLedger())
	rep, err := n.Notify(context.Background(), batch("scan-1", findings(3)))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("mixed failure: err = %v, want retryable (Jira may recover)", err)
	}
	if !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("error hides the Slack failure: %v", err)
	}
	if len(r.payloads) != 1 || chanReport(t, rep, ChannelWebhook).Sent != 3 {
		t.Errorf("webhook not delivered despite other channels failing")
	}
}

func TestWaivedAndDuplicateFindingsSkipped(t *testing.T) {
	b := batch("s", []policy.Finding{{ID: "a", Severity: "low"}, {ID: "b", Severity: "critical"}, {ID: "a", Severity: "low"},
		{ID: "c", Waived: true}, {ID: "", Severity: "high"}})
	got := openFindings(b)
	if len(got) != 2 || got[0].f.ID != "b" || got[1].f.ID != "a" || got[0].key != "acme/models|b" {
		t.Errorf("openFindings = %+v", got)
	}
}
