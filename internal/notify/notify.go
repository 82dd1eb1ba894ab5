// Package notify tells people about policy findings on Slack, Jira and a
// generic webhook, exactly once per finding identity and channel.
//
// Exactly once rests on a ledger (the store's notification table) keyed by
// "<project>|<finding ID>" and channel. Every delivery follows the same
// protocol: claim each finding (state "pending"), deliver, then complete the
// claim ("sent", with the message ts or ticket key). A claim that is still
// pending on a later attempt means an earlier attempt died somewhere between
// claiming and completing; each channel then looks for proof of delivery
// before delivering again:
//
//   - Slack bot token: messages carry metadata (event_type "mlbom_findings")
//     listing the short keys they announce; pending claims are matched against
//     recent conversations.history first.
//   - Jira: tickets carry the label "mlbom-<short key>"; a batched JQL search
//     by label finds the ticket an earlier attempt created.
//   - Generic webhook: a stable X-MLBOM-Delivery header lets the receiver drop
//     the repeat. Slack incoming webhooks have no history API, so a crash
//     after Slack accepted the post and before the ledger write can repeat a
//     message once (at-least-once); the window is one HTTP round trip plus
//     one ledger write.
//
// Grouping and cost: a scan with 100 new findings makes one Slack
// chat.postMessage, two Jira searches (50 labels per JQL) and two bulk
// creates (50 per call) on Cloud, and one webhook POST: 6 calls instead of
// 400 one-per-finding; a re-run with nothing new makes none
// (TestAPICallFigures, bench/notify/run.sh).
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/redact"
	"github.com/mlbom/autopilot/internal/store"
)

// Channel names, as stored in the ledger.
const (
	ChannelSlack   = "slack"
	ChannelJira    = "jira"
	ChannelWebhook = "webhook"
	// ChannelRecord is used when no channel is configured: findings are only
	// written to the ledger, and the summary says so.
	ChannelRecord = "record"
)

// Ledger states.
const (
	StatePending  = "pending"
	StateSent     = "sent"
	StateResolved = "resolved"
)

// Ledger is the notification ledger, implemented by *store.DB.
type Ledger interface {
	// ClaimNotification inserts (key, channel) in state "pending" if absent
	// and returns (row, true); otherwise it returns the existing row, false.
	ClaimNotification(ctx context.Context, key, channel, scanID string) (store.Notification, bool, error)
	// CompleteNotification moves a claim to "sent" or "resolved".
	CompleteNotification(ctx context.Context, key, channel, extRef, state string) error
	ListNotifications(ctx context.Context, channel, state string) ([]store.Notification, error)
}

// ErrPermanent marks failures that retrying cannot fix: a revoked token, a
// bot not in the channel, Jira 401/403, a webhook answering 4xx. The
// activity maps errors.Is(err, ErrPermanent) to a non-retryable error.
var ErrPermanent = errors.New("permanent notification failure")

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }

func permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return &permanentError{err}
}

// Options configures the channels. Empty fields disable a channel.
type Options struct {
	SlackToken      string // bot token (xoxb-...), with SlackChannel
	SlackChannel    string // channel ID (C0123...) preferred; a #name works but weakens reconciliation
	SlackWebhookURL string // incoming webhook, used when there is no token
	SlackAPIURL     string // default https://slack.com/api/

	JiraURL       string
	JiraUser      string // email on Cloud; empty with a token means a personal access token (Server/DC)
	JiraToken     string
	JiraProject   string // project key, e.g. "ML"
	JiraIssueType string // default "Bug"
	// JiraCloud selects the search API: nil detects it (host *.atlassian.net,
	// else serverInfo deploymentType).
	JiraCloud *bool
	// JiraResolveTransition, if set, is the transition name applied to a
	// ticket whose finding is gone (e.g. "Done"); otherwise it only gets a comment.
	JiraResolveTransition string
	// PriorityBySeverity overrides the default mapping (critical→Highest,
	// high→High, medium→Medium, low→Low, info→Lowest).
	PriorityBySeverity map[string]string

	WebhookURL    string
	WebhookSecret string // HMAC-SHA256 key for X-MLBOM-Signature

	DashboardURL  string // links in messages, e.g. http://127.0.0.1:8080
	TemporalUIURL string // used to build a run link when Batch.RunURL is empty

	HTTPClient *http.Client // default: 30 s timeout
	DryRun     bool
	Logger     *slog.Logger
	// MaxRetryAfter bounds how long one call waits on a 429 before giving the
	// retry back to the caller (default 30 s).
	MaxRetryAfter time.Duration
	// TopFindings is how many of the worst findings a message lists (default 10).
	TopFindings int
}

// Validate reports configuration that would fail at the first notification.
func (o Options) Validate() error {
	var errs []error
	if o.SlackToken != "" && o.SlackChannel == "" {
		errs = append(errs, errors.New("slack: a bot token needs a channel (MLBOM_SLACK_CHANNEL)"))
	}
	if o.SlackChannel != "" && o.SlackToken == "" && o.SlackWebhookURL == "" {
		errs = append(errs, errors.New("slack: a channel needs a bot token (MLBOM_SLACK_TOKEN)"))
	}
	if o.SlackToken != "" && !strings.HasPrefix(o.SlackToken, "xox") {
		errs = append(errs, errors.New("slack: the token does not look like a Slack token (xoxb-...)"))
	}
	for _, u := range []struct{ name, val string }{
		{"slack webhook URL", o.SlackWebhookURL}, {"slack API URL", o.SlackAPIURL},
		{"jira URL", o.JiraURL}, {"webhook URL", o.WebhookURL},
		{"dashboard URL", o.DashboardURL}, {"temporal UI URL", o.TemporalUIURL},
	} {
		if u.val == "" {
			continue
		}
		if err := checkURL(u.val); err != nil {
			// The URL itself may be the secret (a Slack webhook); show its host.
			errs = append(errs, fmt.Errorf("%s %s: %w", u.name, redact.Endpoint(u.val), redact.Error(err, u.val)))
		}
	}
	if o.JiraURL != "" {
		if o.JiraProject == "" {
			errs = append(errs, errors.New("jira: MLBOM_JIRA_PROJECT (project key) is required with a Jira URL"))
		}
		if o.JiraToken == "" {
			errs = append(errs, errors.New("jira: MLBOM_JIRA_TOKEN is required with a Jira URL"))
		}
	} else if o.JiraProject != "" || o.JiraToken != "" || o.JiraUser != "" {
		errs = append(errs, errors.New("jira: credentials or project given without MLBOM_JIRA_URL"))
	}
	if o.WebhookSecret != "" && o.WebhookURL == "" {
		errs = append(errs, errors.New("webhook: a secret without MLBOM_WEBHOOK_URL"))
	}
	for sev := range o.PriorityBySeverity {
		if _, ok := severityRank[sev]; !ok {
			errs = append(errs, fmt.Errorf("jira priority mapping: unknown severity %q", sev))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("notify configuration: %w", errors.Join(errs...))
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.Host == "" {
		return errors.New("missing host")
	}
	return nil
}

// Configured lists the enabled channels, in delivery order.
func (o Options) Configured() []string {
	var out []string
	if (o.SlackToken != "" && o.SlackChannel != "") || o.SlackWebhookURL != "" {
		out = append(out, ChannelSlack)
	}
	if o.JiraURL != "" {
		out = append(out, ChannelJira)
	}
	if o.WebhookURL != "" {
		out = append(out, ChannelWebhook)
	}
	return out
}

// Batch is everything one scan has to say: the findings currently open for
// the project. Findings announced before are skipped; Jira tickets whose
// finding is absent from Findings are resolved.
type Batch struct {
	Project  string
	ScanID   string
	RunID    string
	RunURL   string // link to the run; built from TemporalUIURL when empty
	Verdict  string
	Version  int
	Findings []policy.Finding
	Summary  string
}

// Report says what Notify did (or, in a dry run, would do).
type Report struct {
	Channels []ChannelReport `json:"channels"`
	Sent     int             `json:"sent"`     // finding deliveries, all channels
	Skipped  int             `json:"skipped"`  // already delivered before
	Resolved int             `json:"resolved"` // tickets resolved
	Recorded int             `json:"recorded"` // findings recorded (no channel configured)
	APICalls int             `json:"apiCalls"` // HTTP requests to Slack, Jira and the webhook
	DryRun   bool            `json:"dryRun,omitempty"`
	Planned  []Planned       `json:"planned,omitempty"`
	Summary  string          `json:"summary"`
}

// ChannelReport is one channel's part of a Report.
type ChannelReport struct {
	Channel    string   `json:"channel"`
	Sent       int      `json:"sent"`                 // findings delivered now
	Skipped    int      `json:"skipped"`              // delivered by an earlier scan or attempt
	Reconciled int      `json:"reconciled,omitempty"` // pending claims proven delivered (no repeat)
	Resolved   int      `json:"resolved,omitempty"`
	Messages   int      `json:"messages,omitempty"` // Slack messages / webhook deliveries posted
	Created    int      `json:"created,omitempty"`  // Jira tickets created
	Comments   int      `json:"comments,omitempty"` // Jira comments added
	APICalls   int      `json:"apiCalls"`
	Refs       []string `json:"refs,omitempty"` // message ts, ticket keys, delivery IDs
}

// Planned is one delivery a dry run would make.
type Planned struct {
	Channel  string   `json:"channel"`
	Action   string   `json:"action"` // post, create-or-comment, resolve, deliver, record
	Target   string   `json:"target,omitempty"`
	Text     string   `json:"text"`
	Findings []string `json:"findings,omitempty"` // finding IDs
}

// Notifier delivers batches; one per worker, safe for concurrent use.
type Notifier struct {
	opts   Options
	ledger Ledger
	log    *slog.Logger
	slack  *slackChannel
	jira   *jiraChannel
	hook   *webhookChannel
}

// New validates opts and builds the configured channels. ledger may be nil
// only for dry runs.
func New(opts Options, ledger Ledger) (*Notifier, error) {
	if err := opts.Validate(); err != nil {
		return nil, permanent(err)
	}
	if ledger == nil && !opts.DryRun {
		return nil, permanent(errors.New("notify: a ledger is required unless dry-running"))
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 30 * time.Second
	}
	if opts.TopFindings <= 0 {
		opts.TopFindings = 10
	}
	if opts.JiraIssueType == "" {
		opts.JiraIssueType = "Bug"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{opts: opts, ledger: ledger, log: opts.Logger}
	var err error
	if (opts.SlackToken != "" && opts.SlackChannel != "") || opts.SlackWebhookURL != "" {
		n.slack = newSlackChannel(n)
	}
	if opts.JiraURL != "" {
		if n.jira, err = newJiraChannel(n); err != nil {
			return nil, permanent(fmt.Errorf("jira client: %w", err))
		}
	}
	if opts.WebhookURL != "" {
		n.hook = &webhookChannel{n: n}
	}
	return n, nil
}

// Notify delivers b on every configured channel. On error the returned
// Report still describes what was done; calling Notify again with the same
// batch delivers only what is missing. Channels are independent: one failing
// does not stop the others.
func (n *Notifier) Notify(ctx context.Context, b Batch) (*Report, error) {
	if b.Project == "" {
		return nil, permanent(errors.New("notify: batch without project"))
	}
	if b.RunURL == "" {
		b.RunURL = n.runURL(b)
	}
	open := openFindings(b)
	rep := &Report{DryRun: n.opts.DryRun}
	type runner struct {
		name string
		run  func(context.Context, Batch, []keyed, *ChannelReport, *Report) error
	}
	var runners []runner
	if n.slack != nil {
		runners = append(runners, runner{ChannelSlack, n.slack.notify})
	}
	if n.jira != nil {
		runners = append(runners, runner{ChannelJira, n.jira.notify})
	}
	if n.hook != nil {
		runners = append(runners, runner{ChannelWebhook, n.hook.notify})
	}
	if len(runners) == 0 {
		runners = append(runners, runner{ChannelRecord, n.record})
	}
	var permErrs, tempErrs []error
	for _, r := range runners {
		cr := ChannelReport{Channel: r.name}
		err := r.run(ctx, b, open, &cr, rep)
		rep.Channels = append(rep.Channels, cr)
		rep.Sent += cr.Sent
		rep.Skipped += cr.Skipped
		rep.Resolved += cr.Resolved
		rep.APICalls += cr.APICalls
		if err != nil {
			err = n.redact(fmt.Errorf("%s: %w", r.name, err))
			n.log.Warn("notify channel failed", "channel", r.name, "project", b.Project, "scan", b.ScanID, "err", err)
			if errors.Is(err, ErrPermanent) {
				permErrs = append(permErrs, err)
			} else {
				tempErrs = append(tempErrs, err)
			}
		}
	}
	rep.Summary = summarize(rep, len(open))
	switch {
	case len(tempErrs) > 0 && len(permErrs) > 0:
		// Retrying helps the transient channels; the permanent failures are
		// reported as text so errors.Is(err, ErrPermanent) stays false.
		return rep, fmt.Errorf("notify: %w (also, not retryable: %v)", errors.Join(tempErrs...), errors.Join(permErrs...))
	case len(tempErrs) > 0:
		return rep, fmt.Errorf("notify: %w", errors.Join(tempErrs...))
	case len(permErrs) > 0:
		return rep, permanent(fmt.Errorf("notify: %w", errors.Join(permErrs...)))
	}
	return rep, nil
}

// redact masks the configured secrets (tokens, webhook URLs whose path is
// the secret) and anything else secret-looking in err; Go's *url.Error
// repeats the whole URL, and a server may echo what it was sent.
func (n *Notifier) redact(err error) error {
	o := n.opts
	return redact.Error(err, o.SlackToken, o.SlackWebhookURL, o.JiraToken, o.JiraURL, o.WebhookURL, o.WebhookSecret)
}

func (n *Notifier) runURL(b Batch) string {
	if n.opts.TemporalUIURL == "" || b.ScanID == "" {
		return ""
	}
	u := strings.TrimRight(n.opts.TemporalUIURL, "/") + "/namespaces/default/workflows/" + url.PathEscape(b.ScanID)
	if b.RunID != "" {
		u += "/" + url.PathEscape(b.RunID)
	}
	return u
}

func (n *Notifier) dashboardURL(project string) string {
	if n.opts.DashboardURL == "" {
		return ""
	}
	return strings.TrimRight(n.opts.DashboardURL, "/") + "/projects/" + url.PathEscape(project)
}

// record is the "nothing configured" channel: findings go to the ledger only.
func (n *Notifier) record(ctx context.Context, b Batch, open []keyed, cr *ChannelReport, rep *Report) error {
	if n.opts.DryRun {
		if len(open) > 0 {
			rep.Planned = append(rep.Planned, Planned{Channel: ChannelRecord, Action: "record",
				Text: fmt.Sprintf("record %d finding(s) in the ledger (no channel configured)", len(open)), Findings: ids(open)})
		}
		return nil
	}
	for _, k := range open {
		row, claimed, err := n.ledger.ClaimNotification(ctx, k.key, ChannelRecord, b.ScanID)
		if err != nil {
			return fmt.Errorf("ledger claim %s: %w", k.key, err)
		}
		if !claimed && row.State != StatePending {
			cr.Skipped++
			continue
		}
		if err := n.ledger.CompleteNotification(ctx, k.key, ChannelRecord, b.ScanID, StateSent); err != nil {
			return fmt.Errorf("ledger complete %s: %w", k.key, err)
		}
		rep.Recorded++
	}
	return nil
}

func summarize(rep *Report, open int) string {
	var parts []string
	if rep.DryRun {
		parts = append(parts, fmt.Sprintf("dry run: %d delivery(ies) planned for %d open finding(s), nothing sent or recorded", len(rep.Planned), open))
	}
	for _, c := range rep.Channels {
		if c.Channel == ChannelRecord {
			if !rep.DryRun {
				parts = append(parts, fmt.Sprintf("no notification channel configured: %d finding(s) recorded in the store, %d already recorded", rep.Recorded, c.Skipped))
			}
			continue
		}
		if rep.DryRun {
			continue
		}
		s := fmt.Sprintf("%s: %d sent, %d already sent", c.Channel, c.Sent, c.Skipped)
		if c.Reconciled > 0 {
			s += fmt.Sprintf(", %d confirmed from an earlier attempt", c.Reconciled)
		}
		if c.Resolved > 0 {
			s += fmt.Sprintf(", %d resolved", c.Resolved)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
