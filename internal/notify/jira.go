package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	jira "github.com/andygrunwald/go-jira"

	"github.com/mlbom/autopilot/internal/printable"
)

// Jira: one ticket per open finding identity, labelled "mlbom" and
// "mlbom-<short key>". Before creating, every finding that is new, pending
// or reappearing is looked up by label in batched JQL searches
// (jiraLabelsPerQuery labels per query); hits get a comment, misses are
// created with the bulk endpoint (jiraBulkSize per call). The label search
// is also what makes a crash between create and the ledger write harmless:
// the retry finds the ticket instead of creating another.
const (
	jiraLabelsPerQuery = 50
	jiraPageSize       = 100
	jiraMaxPages       = 20
	jiraBulkSize       = 50
	jiraLabel          = "mlbom"
)

var defaultPriority = map[string]string{
	"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low", "info": "Lowest",
}

type jiraChannel struct {
	n      *Notifier
	client *jira.Client
	host   string

	mu    sync.Mutex
	cloud *bool
}

func newJiraChannel(n *Notifier) (*jiraChannel, error) {
	o := n.opts
	base := o.HTTPClient.Transport
	var rt http.RoundTripper
	if o.JiraUser != "" {
		// Cloud: email + API token; Server/DC: user + password.
		rt = &jira.BasicAuthTransport{Username: o.JiraUser, Password: o.JiraToken, Transport: base}
	} else {
		// Server/DC personal access token.
		rt = &jira.BearerAuthTransport{Token: o.JiraToken, Transport: base}
	}
	hc := &http.Client{Transport: rt, Timeout: o.HTTPClient.Timeout}
	c, err := jira.NewClient(hc, o.JiraURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(o.JiraURL)
	j := &jiraChannel{n: n, client: c, host: strings.ToLower(u.Hostname())}
	if o.JiraCloud != nil {
		v := *o.JiraCloud
		j.cloud = &v
	} else if strings.HasSuffix(j.host, ".atlassian.net") {
		v := true
		j.cloud = &v
	}
	return j, nil
}

// jiraErr classifies a go-jira failure: 429 waits, 401/403/other 4xx are
// permanent, 5xx and transport errors are left to the retry policy.
func jiraErr(op string, resp *jira.Response, err error) error {
	if err == nil {
		return nil
	}
	if resp == nil || resp.Response == nil {
		return fmt.Errorf("jira %s: %w", op, err)
	}
	detail := ""
	if resp.Body != nil {
		if b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1024)); rerr == nil && len(b) > 0 {
			detail = ": " + strings.TrimSpace(string(b))
		}
	}
	e := fmt.Errorf("jira %s: %s%s: %w", op, resp.Status, detail, err)
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests:
		return &rateLimitedError{parseRetryAfter(resp.Header), e}
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		return permanent(fmt.Errorf("%w (check MLBOM_JIRA_USER/MLBOM_JIRA_TOKEN and the project's permissions)", e))
	case c == http.StatusGone:
		return permanent(fmt.Errorf("%w (endpoint removed; Jira Cloud needs /rest/api/3/search/jql: set the Cloud option)", e))
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout:
		return permanent(e)
	}
	return e
}

func (j *jiraChannel) isCloud(ctx context.Context, cr *ChannelReport) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cloud != nil {
		return *j.cloud, nil
	}
	var info struct {
		DeploymentType string `json:"deploymentType"`
	}
	err := call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		req, err := j.client.NewRequestWithContext(ctx, http.MethodGet, "rest/api/2/serverInfo", nil)
		if err != nil {
			return err
		}
		resp, err := j.client.Do(req, &info)
		return jiraErr("serverInfo", resp, err)
	})
	if err != nil {
		return false, err
	}
	v := strings.EqualFold(info.DeploymentType, "Cloud")
	j.cloud = &v
	return v, nil
}

func (j *jiraChannel) priority(sev string) string {
	s := strings.ToLower(sev)
	if p, ok := j.n.opts.PriorityBySeverity[s]; ok {
		return p
	}
	if p, ok := defaultPriority[s]; ok {
		return p
	}
	return defaultPriority["info"]
}

func label(k keyed) string { return jiraLabel + "-" + k.short }

func (j *jiraChannel) notify(ctx context.Context, b Batch, open []keyed, cr *ChannelReport, rep *Report) error {
	n := j.n
	if n.opts.DryRun {
		return j.plan(ctx, b, open, cr, rep)
	}
	type claim struct {
		k    keyed
		note string // comment for an existing ticket; "" adopts it silently
	}
	var need []claim
	for _, k := range open {
		row, claimed, err := n.ledger.ClaimNotification(ctx, k.key, ChannelJira, b.ScanID)
		if err != nil {
			return fmt.Errorf("ledger claim %s: %w", k.key, err)
		}
		switch {
		case claimed:
			// New to the ledger; a ticket with its label predates the
			// ledger (restored database, second installation).
			need = append(need, claim{k, fmt.Sprintf("Still reported by ML-BOM in scan %s.", b.ScanID)})
		case row.State == StatePending:
			// An earlier attempt may have created the ticket: adopt it.
			need = append(need, claim{k, ""})
		case row.State == StateResolved:
			need = append(need, claim{k, fmt.Sprintf("Reported again by ML-BOM in scan %s after it had been resolved.", b.ScanID)})
		default:
			cr.Skipped++
		}
	}
	var errs []error
	if len(need) > 0 {
		labels := make([]string, len(need))
		for i, c := range need {
			labels[i] = label(c.k)
		}
		existing, err := j.search(ctx, labels, cr)
		if err != nil {
			return err
		}
		var create []keyed
		for _, c := range need {
			key, ok := existing[label(c.k)]
			if !ok {
				create = append(create, c.k)
				continue
			}
			if c.note != "" {
				if err := j.comment(ctx, key, c.note+"\n"+j.findingWiki(b, c.k), cr); err != nil {
					return err
				}
				cr.Comments++
			} else {
				cr.Reconciled++
			}
			if err := n.ledger.CompleteNotification(ctx, c.k.key, ChannelJira, key, StateSent); err != nil {
				return fmt.Errorf("ledger complete %s (ticket %s): %w", c.k.key, key, err)
			}
			cr.Sent++
			cr.Refs = append(cr.Refs, key)
		}
		for _, part := range chunk(create, jiraBulkSize) {
			keys, err := j.bulkCreate(ctx, b, part, cr)
			// Record what was created even when part of the bulk failed.
			for i, k := range part {
				if keys[i] == "" {
					continue
				}
				cr.Created++
				cr.Sent++
				cr.Refs = append(cr.Refs, keys[i])
				if lerr := n.ledger.CompleteNotification(ctx, k.key, ChannelJira, keys[i], StateSent); lerr != nil {
					return fmt.Errorf("ledger complete %s (ticket %s was created): %w", k.key, keys[i], lerr)
				}
			}
			if err != nil {
				errs = append(errs, err)
				if !errors.Is(err, ErrPermanent) {
					return errors.Join(errs...)
				}
			}
		}
	}
	if err := j.resolve(ctx, b, open, cr); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// plan is the dry run: no Jira call, so "create or comment" is decided at
// send time by the label search.
func (j *jiraChannel) plan(ctx context.Context, b Batch, open []keyed, cr *ChannelReport, rep *Report) error {
	n := j.n
	todo, skipped, err := n.unsent(ctx, ChannelJira, open)
	if err != nil {
		return err
	}
	cr.Skipped = skipped
	for _, k := range todo {
		rep.Planned = append(rep.Planned, Planned{Channel: ChannelJira, Action: "create-or-comment",
			Target: n.opts.JiraProject + " label " + label(k), Text: j.summary(b, k), Findings: []string{k.f.ID}})
	}
	if n.ledger == nil {
		return nil
	}
	gone, err := j.gone(ctx, b, open)
	if err != nil {
		return err
	}
	for _, r := range gone {
		rep.Planned = append(rep.Planned, Planned{Channel: ChannelJira, Action: "resolve", Target: r.ExtRef,
			Text: fmt.Sprintf("comment: no longer reported in scan %s", b.ScanID)})
	}
	return nil
}

// search maps each label that has an open ticket to that ticket's key.
func (j *jiraChannel) search(ctx context.Context, labels []string, cr *ChannelReport) (map[string]string, error) {
	cloud, err := j.isCloud(ctx, cr)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, l := range labels {
		want[l] = true
	}
	found := map[string]string{}
	for start := 0; start < len(labels); start += jiraLabelsPerQuery {
		end := min(start+jiraLabelsPerQuery, len(labels))
		quoted := make([]string, 0, end-start)
		for _, l := range labels[start:end] {
			quoted = append(quoted, `"`+l+`"`)
		}
		jql := fmt.Sprintf(`project = "%s" AND labels in (%s) AND statusCategory != Done ORDER BY created ASC`,
			jqlEscape(j.n.opts.JiraProject), strings.Join(quoted, ", "))
		var issues []jira.Issue
		if cloud {
			issues, err = j.searchCloud(ctx, jql, cr)
		} else {
			issues, err = j.searchServer(ctx, jql, cr)
		}
		if err != nil {
			return nil, err
		}
		for _, is := range issues {
			if is.Fields == nil {
				continue
			}
			for _, l := range is.Fields.Labels {
				if _, dup := found[l]; want[l] && !dup { // oldest ticket wins
					found[l] = is.Key
				}
			}
		}
	}
	return found, nil
}

// searchCloud uses the enhanced search (POST /rest/api/3/search/jql), which
// replaced /rest/api/2|3/search on Jira Cloud; pages follow nextPageToken.
func (j *jiraChannel) searchCloud(ctx context.Context, jql string, cr *ChannelReport) ([]jira.Issue, error) {
	var all []jira.Issue
	token := ""
	for page := 0; page < jiraMaxPages; page++ {
		body := map[string]any{"jql": jql, "fields": []string{"labels", "status"}, "maxResults": jiraPageSize}
		if token != "" {
			body["nextPageToken"] = token
		}
		var res struct {
			Issues        []jira.Issue `json:"issues"`
			NextPageToken string       `json:"nextPageToken"`
			IsLast        *bool        `json:"isLast"`
		}
		err := call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
			req, err := j.client.NewRequestWithContext(ctx, http.MethodPost, "rest/api/3/search/jql", body)
			if err != nil {
				return err
			}
			resp, err := j.client.Do(req, &res)
			return jiraErr("search (v3 search/jql)", resp, err)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, res.Issues...)
		if res.NextPageToken == "" || (res.IsLast != nil && *res.IsLast) {
			return all, nil
		}
		token = res.NextPageToken
	}
	return all, fmt.Errorf("jira search: more than %d pages for one label chunk", jiraMaxPages)
}

// searchServer uses go-jira's v2 search (Server and Data Center).
func (j *jiraChannel) searchServer(ctx context.Context, jql string, cr *ChannelReport) ([]jira.Issue, error) {
	var all []jira.Issue
	for page := 0; page < jiraMaxPages; page++ {
		var issues []jira.Issue
		var resp *jira.Response
		err := call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
			var err error
			issues, resp, err = j.client.Issue.SearchWithContext(ctx, jql,
				&jira.SearchOptions{StartAt: len(all), MaxResults: jiraPageSize, Fields: []string{"labels", "status"}})
			return jiraErr("search (v2)", resp, err)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, issues...)
		if len(issues) == 0 || resp == nil || len(all) >= resp.Total {
			return all, nil
		}
	}
	return all, fmt.Errorf("jira search: more than %d pages for one label chunk", jiraMaxPages)
}

func jqlEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func (j *jiraChannel) summary(b Batch, k keyed) string {
	s := fmt.Sprintf("[ML-BOM] %s: %s", k.f.Policy, k.f.Component)
	if k.f.Component == "" {
		s = fmt.Sprintf("[ML-BOM] %s", k.f.Policy)
	}
	// Jira summaries are one line; names come from scanned repositories.
	return truncate(printable.Line(s+" ("+b.Project+")"), 255)
}

// wikiEscape keeps untrusted text from opening links, macros or tables, or
// from adding lines of its own (printable.Line).
func wikiEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "{", `\{`, "}", `\}`, "|", `\|`).Replace(printable.Line(s))
}

func (j *jiraChannel) findingWiki(b Batch, k keyed) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Project:* %s\n*Policy:* %s\n*Severity:* %s\n", wikiEscape(b.Project), wikiEscape(k.f.Policy), wikiEscape(k.f.Severity))
	if k.f.Component != "" {
		fmt.Fprintf(&sb, "*Component:* %s\n", wikiEscape(k.f.Component))
	}
	if k.f.License != "" {
		fmt.Fprintf(&sb, "*License:* %s", wikiEscape(k.f.License))
		if k.f.LicenseReason != "" {
			// Unknown is not unlicensed: say whether anyone looked.
			fmt.Fprintf(&sb, " (%s)", wikiEscape(k.f.LicenseReason))
		}
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "*Finding:* %s\n", wikiEscape(k.f.Message))
	if k.f.Remediation != "" {
		fmt.Fprintf(&sb, "*Remediation:* %s\n", wikiEscape(k.f.Remediation))
	}
	scan := wikiEscape(b.ScanID)
	if b.RunURL != "" {
		scan = fmt.Sprintf("[%s|%s]", scan, b.RunURL)
	}
	fmt.Fprintf(&sb, "*Scan:* %s", scan)
	if b.Version > 0 {
		fmt.Fprintf(&sb, " (BOM version %d)", b.Version)
	}
	sb.WriteString("\n")
	if u := j.n.dashboardURL(b.Project); u != "" {
		fmt.Fprintf(&sb, "[Open in the ML-BOM dashboard|%s]\n", u)
	}
	return sb.String()
}

func (j *jiraChannel) issue(b Batch, k keyed) *jira.Issue {
	desc := "h3. ML-BOM policy finding\n" + j.findingWiki(b, k) +
		fmt.Sprintf("\n_Opened by ML-BOM Autopilot. The label %s identifies this finding; keep it so later scans comment here instead of opening a new ticket._", label(k))
	return &jira.Issue{Fields: &jira.IssueFields{
		Project:     jira.Project{Key: j.n.opts.JiraProject},
		Type:        jira.IssueType{Name: j.n.opts.JiraIssueType},
		Summary:     j.summary(b, k),
		Description: desc,
		Labels:      []string{jiraLabel, label(k)},
		Priority:    &jira.Priority{Name: j.priority(k.f.Severity)},
	}}
}

// bulkCreate creates part with POST /rest/api/2/issue/bulk (Cloud and
// Server alike) and returns the key of each created issue, "" for failures.
// Jira lists created issues in request order, skipping failed elements.
func (j *jiraChannel) bulkCreate(ctx context.Context, b Batch, part []keyed, cr *ChannelReport) ([]string, error) {
	keys := make([]string, len(part))
	updates := make([]*jira.Issue, len(part))
	for i, k := range part {
		updates[i] = j.issue(b, k)
	}
	var res struct {
		Issues []struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		} `json:"issues"`
		Errors []struct {
			Status              int `json:"status"`
			FailedElementNumber int `json:"failedElementNumber"`
			ElementErrors       struct {
				ErrorMessages []string          `json:"errorMessages"`
				Errors        map[string]string `json:"errors"`
			} `json:"elementErrors"`
		} `json:"errors"`
	}
	err := call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		req, err := j.client.NewRequestWithContext(ctx, http.MethodPost, "rest/api/2/issue/bulk",
			map[string]any{"issueUpdates": updates})
		if err != nil {
			return err
		}
		resp, err := j.client.Do(req, &res)
		return jiraErr("bulk create", resp, err)
	})
	if err != nil {
		return keys, err
	}
	failed := map[int]bool{}
	var msgs []string
	for _, e := range res.Errors {
		failed[e.FailedElementNumber] = true
		m := strings.Join(e.ElementErrors.ErrorMessages, "; ")
		var fields []string
		for f, v := range e.ElementErrors.Errors {
			fields = append(fields, f+": "+v)
		}
		sort.Strings(fields)
		msgs = append(msgs, fmt.Sprintf("element %d (%d): %s %s", e.FailedElementNumber, e.Status, m, strings.Join(fields, ", ")))
	}
	next := 0
	for i := range part {
		if failed[i] {
			continue
		}
		if next < len(res.Issues) {
			keys[i] = res.Issues[next].Key
			next++
		}
	}
	if len(msgs) > 0 {
		// Field errors (unknown priority, issue type) repeat on retry.
		return keys, permanent(fmt.Errorf("jira bulk create: %s", strings.Join(msgs, "; ")))
	}
	return keys, nil
}

func (j *jiraChannel) comment(ctx context.Context, key, body string, cr *ChannelReport) error {
	return call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		_, resp, err := j.client.Issue.AddCommentWithContext(ctx, key, &jira.Comment{Body: body})
		return jiraErr("comment on "+key, resp, err)
	})
}

// gone lists this project's delivered tickets whose finding is no longer open.
func (j *jiraChannel) gone(ctx context.Context, b Batch, open []keyed) ([]jiraRow, error) {
	rows, err := j.n.ledger.ListNotifications(ctx, ChannelJira, StateSent)
	if err != nil {
		return nil, fmt.Errorf("ledger list jira: %w", err)
	}
	still := map[string]bool{}
	for _, k := range open {
		still[k.key] = true
	}
	prefix := b.Project + "|"
	var out []jiraRow
	for _, r := range rows {
		if strings.HasPrefix(r.Key, prefix) && !still[r.Key] && r.ExtRef != "" {
			out = append(out, jiraRow{Key: r.Key, ExtRef: r.ExtRef})
		}
	}
	sort.Slice(out, func(a, c int) bool { return out[a].Key < out[c].Key })
	return out, nil
}

type jiraRow struct{ Key, ExtRef string }

// resolve comments on (and optionally transitions) the tickets of findings
// this scan no longer reports. A crash between the comment and the ledger
// write repeats the comment once; the ticket is never duplicated.
func (j *jiraChannel) resolve(ctx context.Context, b Batch, open []keyed, cr *ChannelReport) error {
	gone, err := j.gone(ctx, b, open)
	if err != nil {
		return err
	}
	for _, r := range gone {
		text := fmt.Sprintf("Resolved in scan %s: ML-BOM no longer reports this finding (fixed, removed or waived).", b.ScanID)
		if b.RunURL != "" {
			text += fmt.Sprintf(" [Run|%s]", b.RunURL)
		}
		if err := j.comment(ctx, r.ExtRef, text, cr); err != nil {
			return err
		}
		cr.Comments++
		if t := j.n.opts.JiraResolveTransition; t != "" {
			if err := j.transition(ctx, r.ExtRef, t, cr); err != nil {
				return err
			}
		}
		if err := j.n.ledger.CompleteNotification(ctx, r.Key, ChannelJira, r.ExtRef, StateResolved); err != nil {
			return fmt.Errorf("ledger resolve %s (ticket %s): %w", r.Key, r.ExtRef, err)
		}
		cr.Resolved++
	}
	return nil
}

func (j *jiraChannel) transition(ctx context.Context, key, name string, cr *ChannelReport) error {
	var ts []jira.Transition
	err := call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		var resp *jira.Response
		var err error
		ts, resp, err = j.client.Issue.GetTransitionsWithContext(ctx, key)
		return jiraErr("transitions of "+key, resp, err)
	})
	if err != nil {
		return err
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, name) {
			return call(ctx, j.n.opts.MaxRetryAfter, &cr.APICalls, func() error {
				resp, err := j.client.Issue.DoTransitionWithContext(ctx, key, t.ID)
				return jiraErr("transition "+key, resp, err)
			})
		}
	}
	// Already closed by a human, or a workflow without that transition:
	// the comment says enough.
	j.n.log.Info("jira transition not available", "ticket", key, "transition", name)
	return nil
}
