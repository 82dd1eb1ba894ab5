package notify

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

// Secrets planted in every setting: none may appear in an error, a log
// line, a report or a dry-run plan, whether the endpoint is dead, answers
// 5xx, echoes the request or refuses the credentials.
func TestSecretsNeverInErrorsLogsOrPlans(t *testing.T) {
	const (
		hookSecret  = "Wh00kS3cretPathValue123"
		slackSecret = "SlackHookS3cretXYZ789"
		jiraToken   = "JiraT0kenS3cretValue42"
		jiraPass    = "JiraUrlPassw0rd77"
		hmacSecret  = "HmacS3cretKey999"
	)
	secrets := []string{hookSecret, slackSecret, jiraToken, jiraPass, hmacSecret}

	// A port nothing listens on: *url.Error repeats the whole URL.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	// A server that echoes the request line and headers into a 500 body.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("failed " + r.URL.String() + " auth=" + r.Header.Get("Authorization")))
	}))
	defer echo.Close()
	j := notifytest.NewJira(t, true)

	cases := []struct {
		name string
		opts Options
	}{
		{"dead slack webhook", Options{SlackWebhookURL: dead + "/services/T000/B000/" + slackSecret}},
		{"dead generic webhook", Options{WebhookURL: dead + "/hooks/" + hookSecret + "?token=" + hookSecret, WebhookSecret: hmacSecret}},
		{"echoing webhook", Options{WebhookURL: echo.URL + "/hooks/" + hookSecret, WebhookSecret: hmacSecret}},
		{"jira refuses the token", Options{JiraURL: j.Server.URL, JiraUser: "bot@example.com", JiraToken: jiraToken, JiraProject: "ML", JiraCloud: ptr(true)}},
		{"jira with credentials in its URL, dead", Options{JiraURL: strings.Replace(dead, "http://", "http://bot:"+jiraPass+"@", 1), JiraToken: jiraToken, JiraProject: "ML", JiraCloud: ptr(true)}},
		{"jira echoing", Options{JiraURL: echo.URL, JiraUser: "bot", JiraToken: jiraToken, JiraProject: "ML", JiraCloud: ptr(true)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			o := tc.opts
			o.HTTPClient = &http.Client{Timeout: 2 * time.Second}
			o.MaxRetryAfter = time.Millisecond
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			n := mustNew(t, o, notifytest.NewMemLedger())
			_, err := n.Notify(context.Background(), batch("scan-1", findings(2)))
			if err == nil {
				t.Fatal("no error")
			}
			dryOpts := o
			dryOpts.DryRun = true
			rep := notify(t, mustNew(t, dryOpts, nil), batch("scan-1", findings(2)))
			var plans strings.Builder
			for _, p := range rep.Planned {
				plans.WriteString(p.Target + " " + p.Text + "\n")
			}
			for _, s := range secrets {
				for what, text := range map[string]string{"error": err.Error(), "log": logs.String(), "plan": plans.String(), "summary": rep.Summary} {
					if strings.Contains(text, s) {
						t.Errorf("%s holds secret %s: %s", what, s, text)
					}
				}
			}
		})
	}
	// A misconfigured URL is reported by host only.
	err = Options{SlackWebhookURL: "ftp://hooks.example.com/services/" + slackSecret}.Validate()
	if err == nil || strings.Contains(err.Error(), slackSecret) || !strings.Contains(err.Error(), "hooks.example.com") {
		t.Errorf("Validate: %v", err)
	}
}
