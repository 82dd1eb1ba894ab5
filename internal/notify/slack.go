package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mlbom/autopilot/internal/printable"
)

// Grouping: one Slack message per Notify call announces every finding of the
// batch not announced before, worst first (the top Options.TopFindings are
// listed, the rest counted), so a scan with 100 new findings posts one
// message. Messages are split only past slackMaxPerMessage findings, to keep
// the metadata that lists their short keys small. Each finding identity is a
// separate ledger row, so a finding is announced once even when later scans
// report it again.
const (
	slackMaxPerMessage = 200
	slackEventType     = "mlbom_findings"
	// History reconciliation reads at most this many messages (pages of 200).
	slackHistoryPages = 5
	slackHistoryLimit = 200
)

// Errors that no retry fixes: bad or revoked token, missing scope, wrong or
// archived channel, a message Slack refuses.
var slackPermanent = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "not_allowed_token_type": true,
	"not_in_channel": true, "channel_not_found": true, "is_archived": true, "restricted_action": true,
	"invalid_blocks": true, "invalid_blocks_format": true, "msg_too_long": true, "invalid_metadata_format": true,
	"invalid_metadata_schema": true, "no_text": true, "invalid_arguments": true, "team_access_not_granted": true,
}

var slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

type slackChannel struct {
	n   *Notifier
	api *slack.Client // nil when only an incoming webhook is configured

	mu        sync.Mutex
	channelID string // learnt from a post when SlackChannel is a #name
}

func newSlackChannel(n *Notifier) *slackChannel {
	s := &slackChannel{n: n}
	if n.opts.SlackToken != "" && n.opts.SlackChannel != "" {
		opts := []slack.Option{slack.OptionHTTPClient(n.opts.HTTPClient)}
		if n.opts.SlackAPIURL != "" {
			u := n.opts.SlackAPIURL
			if !strings.HasSuffix(u, "/") {
				u += "/"
			}
			opts = append(opts, slack.OptionAPIURL(u))
		}
		s.api = slack.New(n.opts.SlackToken, opts...)
		if slackChannelID.MatchString(n.opts.SlackChannel) {
			s.channelID = n.opts.SlackChannel
		}
	}
	return s
}

func classifySlack(err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && slackPermanent[se.Err] {
		return permanent(err)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 400 && sc.Code < 500 && sc.Code != http.StatusTooManyRequests {
		return permanent(err)
	}
	return err
}

func (s *slackChannel) target() string {
	if s.api != nil {
		return s.n.opts.SlackChannel
	}
	return "incoming webhook"
}

func (s *slackChannel) notify(ctx context.Context, b Batch, open []keyed, cr *ChannelReport, rep *Report) error {
	n := s.n
	if n.opts.DryRun {
		todo, skipped, err := n.unsent(ctx, ChannelSlack, open)
		if err != nil {
			return err
		}
		cr.Skipped = skipped
		for _, part := range chunk(todo, slackMaxPerMessage) {
			rep.Planned = append(rep.Planned, Planned{Channel: ChannelSlack, Action: "post", Target: s.target(),
				Text: s.fallbackText(b, part), Findings: ids(part)})
		}
		return nil
	}

	var fresh, pending []keyed
	var oldest time.Time
	for _, k := range open {
		row, claimed, err := n.ledger.ClaimNotification(ctx, k.key, ChannelSlack, b.ScanID)
		if err != nil {
			return fmt.Errorf("ledger claim %s: %w", k.key, err)
		}
		switch {
		case claimed:
			fresh = append(fresh, k)
		case row.State == StatePending:
			pending = append(pending, k)
			if !row.CreatedAt.IsZero() && (oldest.IsZero() || row.CreatedAt.Before(oldest)) {
				oldest = row.CreatedAt
			}
		default:
			cr.Skipped++
		}
	}

	// A pending claim was made by an attempt that may have posted before it
	// died: look for its message before posting again.
	if len(pending) > 0 {
		var err error
		if pending, err = s.reconcile(ctx, b, pending, oldest, cr); err != nil {
			return err
		}
	}
	todo := append(fresh, pending...)
	sortKeyed(todo)
	for _, part := range chunk(todo, slackMaxPerMessage) {
		ref, err := s.post(ctx, b, part, cr)
		if err != nil {
			return err
		}
		cr.Messages++
		cr.Refs = append(cr.Refs, ref)
		for _, k := range part {
			if err := n.ledger.CompleteNotification(ctx, k.key, ChannelSlack, ref, StateSent); err != nil {
				return fmt.Errorf("ledger complete %s (message %s was posted): %w", k.key, ref, err)
			}
			cr.Sent++
		}
	}
	return nil
}

// unsent is the dry-run view of the ledger: findings without a completed
// delivery on channel (pending ones would be reconciled or sent).
func (n *Notifier) unsent(ctx context.Context, channel string, open []keyed) ([]keyed, int, error) {
	if n.ledger == nil {
		return open, 0, nil
	}
	done := map[string]bool{}
	for _, st := range []string{StateSent, StateResolved} {
		rows, err := n.ledger.ListNotifications(ctx, channel, st)
		if err != nil {
			return nil, 0, fmt.Errorf("ledger list %s: %w", channel, err)
		}
		for _, r := range rows {
			done[r.Key] = true
		}
	}
	var todo []keyed
	for _, k := range open {
		if !done[k.key] {
			todo = append(todo, k)
		}
	}
	return todo, len(open) - len(todo), nil
}

func (s *slackChannel) post(ctx context.Context, b Batch, part []keyed, cr *ChannelReport) (string, error) {
	n := s.n
	blocks := s.blocks(b, part)
	text := s.fallbackText(b, part)
	bk := batchKey(ChannelSlack, b.Project, part)
	if s.api == nil {
		msg := &slack.WebhookMessage{Text: text, Blocks: &slack.Blocks{BlockSet: blocks}}
		err := call(ctx, n.opts.MaxRetryAfter, &cr.APICalls, func() error {
			return slack.PostWebhookCustomHTTPContext(ctx, n.opts.SlackWebhookURL, n.opts.HTTPClient, msg)
		})
		if err != nil {
			return "", classifySlack(fmt.Errorf("slack webhook: %w", err))
		}
		return "webhook/" + bk, nil
	}
	shorts := make([]string, len(part))
	for i, k := range part {
		shorts[i] = k.short
	}
	meta := slack.SlackMetadata{EventType: slackEventType, EventPayload: map[string]any{
		"project": b.Project, "scan_id": b.ScanID, "run_id": b.RunID, "batch": bk,
		"keys": strings.Join(shorts, ","),
	}}
	var channel, ts string
	err := call(ctx, n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		var err error
		channel, ts, err = s.api.PostMessageContext(ctx, n.opts.SlackChannel,
			slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(meta))
		return err
	})
	if err != nil {
		return "", classifySlack(fmt.Errorf("chat.postMessage to %s: %w", n.opts.SlackChannel, err))
	}
	if channel != "" {
		s.mu.Lock()
		s.channelID = channel
		s.mu.Unlock()
	}
	return channel + "/" + ts, nil
}

// reconcile completes the pending claims that a recent message in the
// channel already announced and returns the rest.
func (s *slackChannel) reconcile(ctx context.Context, b Batch, pending []keyed, oldest time.Time, cr *ChannelReport) ([]keyed, error) {
	n := s.n
	if s.api == nil {
		n.log.Warn("slack webhook cannot confirm an earlier attempt; re-posting (at-least-once)",
			"project", b.Project, "scan", b.ScanID, "findings", len(pending))
		return pending, nil
	}
	chID, err := s.resolveChannelID(ctx)
	if err != nil {
		return nil, err
	}
	if chID == "" {
		n.log.Warn("slack channel is a name with no known ID; cannot read history, re-posting (at-least-once)",
			"channel", n.opts.SlackChannel, "findings", len(pending))
		return pending, nil
	}
	want := map[string]bool{}
	for _, k := range pending {
		want[k.short] = true
	}
	found := map[string]string{} // short key -> ext ref
	params := &slack.GetConversationHistoryParameters{ChannelID: chID, Limit: slackHistoryLimit, IncludeAllMetadata: true}
	if !oldest.IsZero() {
		// Slack's clock and ours differ a little; a few minutes of slack.
		params.Oldest = fmt.Sprintf("%d.000000", oldest.Add(-5*time.Minute).Unix())
	}
	for page := 0; page < slackHistoryPages && len(found) < len(want); page++ {
		var resp *slack.GetConversationHistoryResponse
		err := call(ctx, n.opts.MaxRetryAfter, &cr.APICalls, func() error {
			var err error
			resp, err = s.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			err = classifySlack(fmt.Errorf("conversations.history %s: %w", chID, err))
			if errors.Is(err, ErrPermanent) {
				// Typically a missing channels:history scope. Silence is
				// worse than a possible repeat.
				n.log.Warn("cannot read slack history to confirm an earlier attempt; re-posting (at-least-once)", "err", n.redact(err))
				return pending, nil
			}
			return nil, err
		}
		for _, m := range resp.Messages {
			md := m.Metadata
			if md.EventType != slackEventType || fmt.Sprint(md.EventPayload["project"]) != b.Project {
				continue
			}
			keys, _ := md.EventPayload["keys"].(string)
			for _, sk := range strings.Split(keys, ",") {
				if want[sk] {
					found[sk] = chID + "/" + m.Timestamp
				}
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	var rest []keyed
	for _, k := range pending {
		ref, ok := found[k.short]
		if !ok {
			rest = append(rest, k)
			continue
		}
		if err := n.ledger.CompleteNotification(ctx, k.key, ChannelSlack, ref, StateSent); err != nil {
			return nil, fmt.Errorf("ledger complete %s: %w", k.key, err)
		}
		cr.Reconciled++
		cr.Skipped++
	}
	return rest, nil
}

// resolveChannelID returns the channel ID for history: configured, learnt
// from an earlier post, or read back from a completed ledger row.
func (s *slackChannel) resolveChannelID(ctx context.Context) (string, error) {
	s.mu.Lock()
	id := s.channelID
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	rows, err := s.n.ledger.ListNotifications(ctx, ChannelSlack, StateSent)
	if err != nil {
		return "", fmt.Errorf("ledger list slack: %w", err)
	}
	for _, r := range rows {
		if ch, _, ok := strings.Cut(r.ExtRef, "/"); ok && slackChannelID.MatchString(ch) {
			return ch, nil
		}
	}
	return "", nil
}

var severityEmoji = map[string]string{
	"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:",
	"low": ":large_blue_circle:", "info": ":white_circle:", "unknown": ":grey_question:",
}

func (s *slackChannel) fallbackText(b Batch, part []keyed) string {
	return fmt.Sprintf("ML-BOM %s for %s: %d new finding(s) in scan %s", slackEscape(verdictOr(b.Verdict)), slackEscape(b.Project), len(part), slackEscape(b.ScanID))
}

func verdictOr(v string) string {
	if v == "" {
		return "findings"
	}
	return v
}

// blocks lays out one message: header with the verdict, counts by severity,
// the worst findings, links. Block Kit limits (header 150 chars, section text
// 3000) are respected by truncation.
func (s *slackChannel) blocks(b Batch, part []keyed) []slack.Block {
	n := s.n
	header := truncate(fmt.Sprintf("ML-BOM %s: %s", printable.Line(strings.ToUpper(verdictOr(b.Verdict))), printable.Line(b.Project)), 150)
	counts := countBySeverity(part)
	var cs []string
	for _, sev := range append(severities, "unknown") {
		if c := counts[sev]; c > 0 {
			cs = append(cs, fmt.Sprintf("%s %s *%d*", severityEmoji[sev], sev, c))
		}
	}
	intro := fmt.Sprintf("*%d new finding(s)* in scan `%s`", len(part), slackEscape(b.ScanID))
	if b.Version > 0 {
		intro += fmt.Sprintf(" (BOM version %d)", b.Version)
	}
	intro += "\n" + strings.Join(cs, "   ")
	if b.Summary != "" {
		intro += "\n" + b.Summary
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, header, false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(intro, 3000), false, false), nil, nil),
	}
	top := part
	if len(top) > n.opts.TopFindings {
		top = top[:n.opts.TopFindings]
	}
	var lines []string
	for _, k := range top {
		line := fmt.Sprintf("%s *%s* `%s`", severityEmoji[sevOrUnknown(k.f.Severity)], slackEscape(k.f.Policy), slackEscape(k.f.Component))
		if k.f.Message != "" {
			line += " — " + slackEscape(truncate(k.f.Message, 200))
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(),
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(strings.Join(lines, "\n"), 3000), false, false), nil, nil))
	}
	var links []string
	if more := len(part) - len(top); more > 0 {
		links = append(links, fmt.Sprintf("and %d more", more))
	}
	if u := n.dashboardURL(b.Project); u != "" {
		links = append(links, fmt.Sprintf("<%s|Open in dashboard>", u))
	}
	if b.RunURL != "" {
		links = append(links, fmt.Sprintf("<%s|Run in Temporal UI>", b.RunURL))
	}
	if len(links) > 0 {
		blocks = append(blocks, slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, strings.Join(links, " · "), false, false)))
	}
	return blocks
}

func sevOrUnknown(s string) string {
	s = strings.ToLower(s)
	if _, ok := severityRank[s]; ok {
		return s
	}
	return "unknown"
}

// slackEscape escapes the three characters mrkdwn treats as control, after
// control characters (a newline in a component name would start a line of
// its own in the message: printable.Line); a backquote would end the code
// span a name is shown in.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "'").Replace(printable.Line(s))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
