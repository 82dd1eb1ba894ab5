package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

func TestSlackOneMessagePerScanAndNeverTwice(t *testing.T) {
	s := notifytest.NewSlack(t)
	led := notifytest.NewMemLedger()
	n := mustNew(t, slackOpts(s), led)

	rep := notify(t, n, batch("scan-1", findings(100)))
	if got := len(s.Messages()); got != 1 {
		t.Fatalf("messages = %d, want 1 for 100 findings", got)
	}
	cr := chanReport(t, rep, ChannelSlack)
	if cr.Sent != 100 || cr.Messages != 1 || cr.APICalls != 1 || rep.APICalls != 1 {
		t.Errorf("report = %+v, want 100 sent in 1 message with 1 API call", cr)
	}
	if s.Calls("conversations.history") != 0 {
		t.Errorf("history read without pending claims")
	}
	m := s.Messages()[0]
	if m.Metadata == nil || m.Metadata.EventType != slackEventType {
		t.Fatalf("metadata = %+v", m.Metadata)
	}
	if keys, _ := m.Metadata.EventPayload["keys"].(string); len(strings.Split(keys, ",")) != 100 {
		t.Errorf("metadata lists %d keys, want 100", len(strings.Split(keys, ",")))
	}
	if m.Metadata.EventPayload["scan_id"] != "scan-1" || m.Metadata.EventPayload["project"] != "acme/models" {
		t.Errorf("payload = %v", m.Metadata.EventPayload)
	}
	if led.Count(ChannelSlack, StateSent) != 100 {
		t.Errorf("ledger sent rows = %d", led.Count(ChannelSlack, StateSent))
	}
	for _, r := range mustList(t, led, ChannelSlack) {
		if r.ExtRef != s.ChannelID+"/"+m.TS {
			t.Fatalf("extRef = %q, want channel/ts", r.ExtRef)
		}
	}

	// A re-run (same or later scan) with the same findings says nothing.
	rep = notify(t, n, batch("scan-2", findings(100)))
	if len(s.Messages()) != 1 || rep.APICalls != 0 || rep.Skipped != 100 {
		t.Errorf("re-run: messages=%d calls=%d skipped=%d, want 1, 0, 100", len(s.Messages()), rep.APICalls, rep.Skipped)
	}
	// Only the new finding is announced by a later scan.
	more := append(findings(100), findings(101)[100])
	rep = notify(t, n, batch("scan-3", more))
	msgs := s.Messages()
	if len(msgs) != 2 || chanReport(t, rep, ChannelSlack).Sent != 1 {
		t.Fatalf("later scan: messages=%d report=%+v", len(msgs), rep)
	}
	if !strings.Contains(msgs[1].Text, "1 new finding") {
		t.Errorf("second message text = %q", msgs[1].Text)
	}
}

func TestSlackBlocks(t *testing.T) {
	s := notifytest.NewSlack(t)
	n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
	notify(t, n, batch("scan-1", findings(30)))
	m := s.Messages()[0]
	var types []string
	var all strings.Builder
	for _, b := range m.Blocks {
		types = append(types, b["type"].(string))
		all.WriteString(blockText(b))
		all.WriteString("\n")
	}
	if types[0] != "header" {
		t.Fatalf("first block = %s, want header", types[0])
	}
	text := all.String()
	for _, want := range []string{
		"ML-BOM DENY: acme/models", "*30 new finding(s)*", "critical *6*", "high *6*", "info *6*",
		"and 20 more", "<http://dash.example/projects/acme%2Fmodels|Open in dashboard>",
		"<http://temporal.example:8233/namespaces/default/workflows/scan-1/run-scan-1|Run in Temporal UI>",
		"&lt;denied&gt; license &amp; more",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("blocks lack %q:\n%s", want, text)
		}
	}
	// The worst findings come first: the listed ten are the critical and high ones.
	if strings.Contains(text, ":white_circle: *") || strings.Count(text, ":red_circle: *") != 6 {
		t.Errorf("top findings not worst-first:\n%s", text)
	}
}

func blockText(b map[string]any) string {
	var parts []string
	if t, ok := b["text"].(map[string]any); ok {
		parts = append(parts, t["text"].(string))
	}
	if els, ok := b["elements"].([]any); ok {
		for _, e := range els {
			if em, ok := e.(map[string]any); ok {
				if s, ok := em["text"].(string); ok {
					parts = append(parts, s)
				}
			}
		}
	}
	return strings.Join(parts, "\n")
}

func TestSlackRateLimitedThenAccepted(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
	n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
	start := time.Now()
	rep := notify(t, n, batch("scan-1", findings(5)))
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("did not honour Retry-After: returned after %s", waited)
	}
	if len(s.Messages()) != 1 || s.Calls("chat.postMessage") != 2 || rep.APICalls != 2 {
		t.Errorf("messages=%d posts=%d calls=%d, want 1, 2, 2", len(s.Messages()), s.Calls("chat.postMessage"), rep.APICalls)
	}
}

func TestSlackRateLimitBeyondBoundIsRetryableError(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 120})
	o := slackOpts(s)
	o.MaxRetryAfter = 2 * time.Second
	led := notifytest.NewMemLedger()
	n := mustNew(t, o, led)
	_, err := n.Notify(context.Background(), batch("scan-1", findings(3)))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	notify(t, n, batch("scan-1", findings(3)))
	if len(s.Messages()) != 1 {
		t.Errorf("messages = %d, want 1", len(s.Messages()))
	}
}

func TestSlackRateLimitWaitHonoursContext(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 10})
	n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := n.Notify(ctx, batch("scan-1", findings(3)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("waited past the context deadline")
	}
}

func TestSlackServerErrorThenSuccess(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Status: http.StatusServiceUnavailable})
	led := notifytest.NewMemLedger()
	n := mustNew(t, slackOpts(s), led)
	b := batch("scan-1", findings(100))
	_, err := n.Notify(context.Background(), b)
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("first attempt: err = %v, want retryable", err)
	}
	if led.Count(ChannelSlack, StatePending) != 100 {
		t.Fatalf("pending = %d, want 100", led.Count(ChannelSlack, StatePending))
	}
	rep := notify(t, n, b)
	if len(s.Messages()) != 1 {
		t.Fatalf("messages = %d, want 1", len(s.Messages()))
	}
	cr := chanReport(t, rep, ChannelSlack)
	// Retry: one history read (finds nothing), one post.
	if cr.Sent != 100 || cr.Reconciled != 0 || s.Calls("conversations.history") != 1 || cr.APICalls != 2 {
		t.Errorf("retry report = %+v, history calls = %d", cr, s.Calls("conversations.history"))
	}
}

// The post reaches Slack but the answer is lost to the client timeout.
func TestSlackTimeoutAfterAcceptDoesNotRepeat(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Delay: 3 * time.Second})
	o := slackOpts(s)
	o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	led := notifytest.NewMemLedger()
	n := mustNew(t, o, led)
	b := batch("scan-1", findings(100))
	if _, err := n.Notify(context.Background(), b); err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("first attempt: err = %v, want a retryable timeout", err)
	}
	if len(s.Messages()) != 1 {
		t.Fatalf("fake did not accept the post")
	}
	rep := notify(t, n, b)
	cr := chanReport(t, rep, ChannelSlack)
	if len(s.Messages()) != 1 || cr.Reconciled != 100 || cr.Sent != 0 || s.Calls("chat.postMessage") != 1 {
		t.Errorf("messages=%d report=%+v posts=%d; want 1 message, 100 reconciled", len(s.Messages()), cr, s.Calls("chat.postMessage"))
	}
	if led.Count(ChannelSlack, StateSent) != 100 {
		t.Errorf("sent rows = %d", led.Count(ChannelSlack, StateSent))
	}
}

// Slack accepts, then the ledger write fails (the worker dies): the retry,
// even from a new Notifier (new process), finds the message in history.
func TestSlackCrashAfterAcceptedIsReconciled(t *testing.T) {
	for _, tc := range []struct {
		name      string
		channel   func(*notifytest.Slack) string
		sameProc  bool
		wantPosts int
	}{
		{"channel ID, new process", func(s *notifytest.Slack) string { return s.ChannelID }, false, 1},
		{"channel name, same process", func(s *notifytest.Slack) string { return s.ChannelName }, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := notifytest.NewSlack(t)
			led := notifytest.NewMemLedger()
			led.FailNextCompletes(1, errCrash)
			o := slackOpts(s)
			o.SlackChannel = tc.channel(s)
			n := mustNew(t, o, led)
			b := batch("scan-1", findings(40))
			if _, err := n.Notify(context.Background(), b); !errors.Is(err, errCrash) {
				t.Fatalf("first attempt: err = %v, want the ledger failure", err)
			}
			if !tc.sameProc {
				n = mustNew(t, o, led)
			}
			rep := notify(t, n, b)
			if got := s.Calls("chat.postMessage"); got != tc.wantPosts {
				t.Errorf("posts = %d, want %d", got, tc.wantPosts)
			}
			if cr := chanReport(t, rep, ChannelSlack); cr.Reconciled != 40 {
				t.Errorf("report = %+v, want 40 reconciled", cr)
			}
			// And once more: nothing at all.
			rep = notify(t, n, b)
			if rep.APICalls != 0 || s.Calls("chat.postMessage") != tc.wantPosts {
				t.Errorf("third run made %d calls", rep.APICalls)
			}
		})
	}
}

// A crash after some rows completed: the rest are matched by their keys.
func TestSlackPartialCompleteReconciled(t *testing.T) {
	s := notifytest.NewSlack(t)
	led := notifytest.NewMemLedger()
	done := 0
	led.FailComplete = func(key, ch, state string) error {
		if done++; done > 10 {
			return errCrash
		}
		return nil
	}
	n := mustNew(t, slackOpts(s), led)
	b := batch("scan-1", findings(25))
	if _, err := n.Notify(context.Background(), b); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v", err)
	}
	led.FailComplete = nil
	rep := notify(t, n, b)
	cr := chanReport(t, rep, ChannelSlack)
	if s.Calls("chat.postMessage") != 1 || cr.Reconciled != 15 || cr.Skipped != 25 {
		t.Errorf("posts=%d report=%+v", s.Calls("chat.postMessage"), cr)
	}
}

func TestSlackPermanentErrors(t *testing.T) {
	for _, code := range []string{"invalid_auth", "not_in_channel", "channel_not_found", "token_revoked"} {
		t.Run(code, func(t *testing.T) {
			s := notifytest.NewSlack(t)
			s.Inject("chat.postMessage", notifytest.Fault{Error: code})
			n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
			_, err := n.Notify(context.Background(), batch("scan-1", findings(2)))
			if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), code) {
				t.Errorf("err = %v, want permanent %s", err, code)
			}
		})
	}
	// A transient Slack error stays retryable.
	s := notifytest.NewSlack(t)
	s.Inject("chat.postMessage", notifytest.Fault{Error: "internal_error"})
	n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
	if _, err := n.Notify(context.Background(), batch("scan-1", findings(2))); err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("internal_error: err = %v, want retryable", err)
	}
	// A wrong token, answered by the fake itself.
	o := slackOpts(s)
	o.SlackToken = "xoxb-wrong"
	n = mustNew(t, o, notifytest.NewMemLedger())
	if _, err := n.Notify(context.Background(), batch("scan-1", findings(2))); !errors.Is(err, ErrPermanent) {
		t.Errorf("wrong token: err = %v, want permanent", err)
	}
}

func TestSlackIncomingWebhook(t *testing.T) {
	s := notifytest.NewSlack(t)
	s.Inject("webhook", notifytest.Fault{Status: http.StatusInternalServerError, Error: "oops"})
	led := notifytest.NewMemLedger()
	n := mustNew(t, Options{SlackWebhookURL: s.WebhookURL()}, led)
	b := batch("scan-1", findings(100))
	if _, err := n.Notify(context.Background(), b); err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("500: err = %v, want retryable", err)
	}
	rep := notify(t, n, b)
	if len(s.Messages()) != 1 || chanReport(t, rep, ChannelSlack).Sent != 100 {
		t.Fatalf("messages = %d, report %+v", len(s.Messages()), rep)
	}
	if !strings.Contains(s.Messages()[0].Text, "100 new finding") || len(s.Messages()[0].Blocks) == 0 {
		t.Errorf("webhook message = %+v", s.Messages()[0])
	}
	notify(t, n, b)
	if len(s.Messages()) != 1 {
		t.Errorf("re-run posted again")
	}
	s.Inject("webhook", notifytest.Fault{Status: http.StatusForbidden, Error: "invalid_token"})
	n2 := mustNew(t, Options{SlackWebhookURL: s.WebhookURL()}, notifytest.NewMemLedger())
	if _, err := n2.Notify(context.Background(), b); !errors.Is(err, ErrPermanent) {
		t.Errorf("403: err = %v, want permanent", err)
	}
}

func TestSlackSplitsPastMaxPerMessage(t *testing.T) {
	s := notifytest.NewSlack(t)
	n := mustNew(t, slackOpts(s), notifytest.NewMemLedger())
	rep := notify(t, n, batch("scan-1", findings(slackMaxPerMessage+1)))
	if len(s.Messages()) != 2 || chanReport(t, rep, ChannelSlack).Sent != slackMaxPerMessage+1 {
		t.Errorf("messages = %d, want 2", len(s.Messages()))
	}
}
