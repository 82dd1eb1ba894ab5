package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/printable"
	"github.com/mlbom/autopilot/internal/redact"
	"github.com/mlbom/autopilot/internal/source"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workflows"
)

func runScan(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "scan")
	project := fs.String("project", "", "project name (default: derived from the source)")
	ref := fs.String("ref", "", "branch, tag or commit to scan")
	out := fs.String("o", "", "write the BOM to this file")
	format := fs.String("format", "json", "BOM format for -o: json or xml")
	local := fs.Bool("local", false, "run the steps in-process, without a Temporal server")
	failOn := fs.String("fail-on", "", "exit 3 when the verdict is at or above: deny or warn")
	id := fs.String("id", "", "workflow ID (default scan/<project>/<timestamp>)")
	fetch := fs.Bool("fetch-weights", false, "Hugging Face: download weight files and scan them")
	approvalTimeout := fs.String("approval-timeout", "", "how long to wait for license-exception signals (e.g. 72h, 0s)")
	dryRun := fs.Bool("dry-run", false, "show what Notify would send without sending")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	sarifOut := fs.String("sarif", "", "write policy and model-file findings as SARIF 2.1.0 to this file (for code scanning)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want exactly one SOURCE (a path, git URL or hf://ORG/NAME), got %d", len(pos))
	}
	if *failOn != "" && *failOn != policy.VerdictDeny && *failOn != policy.VerdictWarn {
		return withCode(exitUsage, "--fail-on takes deny or warn, not %q", *failOn)
	}
	if *format != "json" && *format != "xml" {
		return withCode(exitUsage, "--format takes json or xml, not %q", *format)
	}
	src, cred, err := sourceWithoutCredentials(ctx, pos[0], *local)
	if err != nil {
		return err
	}
	in := workflows.ScanInput{
		Source: src, Ref: *ref, Project: *project,
		Options: workflows.ScanOptions{FetchWeights: *fetch, ApprovalTimeout: *approvalTimeout, DryRun: *dryRun},
	}
	if in.Project == "" {
		in.Project = workers.DefaultProject(in.Source)
	}
	if in.Options.ApprovalTimeout == "" {
		in.Options.ApprovalTimeout = cfg.ApprovalTimeout.String()
	}

	started := time.Now()
	var sum *workflows.ScanSummary
	var runURL string
	if *local {
		sum, err = scanLocal(ctx, cfg, in, cred)
	} else {
		sum, runURL, err = scanRemote(ctx, cfg, in, *id)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(started)

	if *out != "" {
		if err := exportBOM(ctx, cfg, sum.Project, sum.Version, *format, *out); err != nil {
			return err
		}
	}
	if *sarifOut != "" {
		if err := writeScanSARIF(ctx, cfg, sum, in.Source, *sarifOut); err != nil {
			return err
		}
	}
	if *asJSON {
		data, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintln(stdoutOf(ctx), string(data))
	} else {
		printSummary(stdoutOf(ctx), sum, elapsed, *out, runURL)
	}
	if *failOn != "" && policy.Compare(sum.Verdict, *failOn) {
		return withCode(exitVerdict, "verdict %s is at or above --fail-on %s", sum.Verdict, *failOn)
	}
	return nil
}

// normalizeSource makes local paths absolute so a worker in another directory
// finds them; URLs and hf:// ids pass through.
func normalizeSource(s string) string {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "git@") {
		return s
	}
	if abs, err := filepath.Abs(s); err == nil {
		return abs
	}
	return s
}

// sourceWithoutCredentials normalizes a source and takes credentials out of
// a git URL before the URL goes anywhere: the workflow input (and so the
// Temporal history), the stored scan, the BOM, error text. A local run keeps
// them in memory for the clone; a worker cannot be handed them without
// writing them into the history, so it uses its own MLBOM_GIT_TOKEN.
func sourceWithoutCredentials(ctx context.Context, raw string, local bool) (string, *source.Credentials, error) {
	src, cred, err := source.SplitCredentials(normalizeSource(raw))
	if err != nil {
		return "", nil, withCode(exitUsage, "%v", err)
	}
	if shown := redact.URL(src); shown != src {
		return "", nil, withCode(exitUsage, "source %s carries a secret in its parameters: give the URL without it and set MLBOM_GIT_TOKEN", shown)
	}
	if cred != nil && !local {
		fmt.Fprintf(stderrOf(ctx), "note: credentials removed from the source URL so that they are not stored in the Temporal history;\n"+
			"      the worker authenticates with its own MLBOM_GIT_TOKEN (and MLBOM_GIT_USERNAME) for %s\n", src)
		cred = nil
	}
	return src, cred, nil
}

func scanLocal(ctx context.Context, cfg *config.Config, in workflows.ScanInput, cred *source.Credentials) (*workflows.ScanSummary, error) {
	deps, err := workers.NewDeps(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer deps.Close()
	deps.Activities.Source.URLCredentials = cred
	pr := newProgressPrinter(stderrOf(ctx))
	deps.Activities.OnScanProgress = pr.scanPhase
	sum, err := workflows.RunLocal(ctx, deps.Activities, in, workflows.LocalOptions{Progress: pr.show,
		OnRetry: func(step string, attempt int, wait time.Duration, err error) {
			fmt.Fprintf(stderrOf(ctx), "%s failed (attempt %d), retrying in %s: %s\n", step, attempt, wait.Round(time.Millisecond),
				printable.Line(redact.String(err.Error())))
		}})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", in.Source, err)
	}
	return sum, nil
}

func scanRemote(ctx context.Context, cfg *config.Config, in workflows.ScanInput, id string) (*workflows.ScanSummary, string, error) {
	c, err := workers.Dial(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	if id == "" {
		id = workers.ScanID(in.Project, time.Now())
	}
	run, err := c.ExecuteWorkflow(ctx, workers.ScanStartOptions(cfg, id, in.Project, nil), workflows.ScanWorkflowName, in)
	if err != nil {
		return nil, "", fmt.Errorf("start scan workflow on %s: %w", cfg.TemporalAddress, err)
	}
	runURL := runPageURL(cfg, run.GetID(), run.GetRunID())
	fmt.Fprintf(stderrOf(ctx), "started workflow %s (run %s)\n  %s\n", run.GetID(), run.GetRunID(), runURL)

	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchProgress(ctx, c, run.GetID(), run.GetRunID(), done)
	}()
	var sum workflows.ScanSummary
	err = run.Get(ctx, &sum)
	close(done)
	<-watched // no progress line after the summary
	if err != nil {
		return nil, runURL, fmt.Errorf("scan workflow %s failed: %w", run.GetID(), err)
	}
	return &sum, runURL, nil
}

func runPageURL(cfg *config.Config, id, runID string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history", strings.TrimRight(cfg.TemporalUIURL, "/"),
		url.PathEscape(cfg.TemporalNamespace), url.PathEscape(id), url.PathEscape(runID))
}

// watchProgress polls the progress query and the Scan step's heartbeat
// details until done, printing changes.
func watchProgress(ctx context.Context, c client.Client, id, runID string, done <-chan struct{}) {
	pr := newProgressPrinter(stderrOf(ctx))
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		// Poll first, so even a scan faster than one tick shows a line, and
		// once more after the end, so the last line is the final state.
		showProgress(ctx, c, id, runID, pr)
		select {
		case <-done:
			showProgress(ctx, c, id, runID, pr)
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func showProgress(ctx context.Context, c client.Client, id, runID string, pr *progressPrinter) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := c.QueryWorkflow(qctx, id, runID, workflows.ProgressQuery)
	var p workflows.Progress
	if err != nil || resp.Get(&p) != nil {
		return
	}
	if p.Step == "Scan" {
		if d, err := c.DescribeWorkflowExecution(qctx, id, runID); err == nil {
			for _, pa := range d.GetPendingActivities() {
				var hb activities.ScanProgress
				if pa.GetActivityType().GetName() == "Scan" && pa.GetHeartbeatDetails() != nil {
					if json.Unmarshal(pa.GetHeartbeatDetails().GetPayloads()[0].GetData(), &hb) == nil {
						p.Phase, p.Files, p.Sightings = hb.Phase, hb.Files, cmp.Or(hb.Sightings, hb.Findings)
					}
				}
			}
		}
	}
	pr.show(p)
	if len(p.WaitingFor) > 0 {
		pr.waiting(id, p.WaitingFor)
	}
}

type progressPrinter struct {
	w         io.Writer
	last      string
	announced map[string]bool
	mu        sync.Mutex
	cur       workflows.Progress // the last progress shown
}

// scanPhase shows the Scan step's phase as it runs in-process (--local).
func (p *progressPrinter) scanPhase(sp activities.ScanProgress) {
	p.mu.Lock()
	cur := p.cur
	p.mu.Unlock()
	if cur.Step != "Scan" {
		return
	}
	cur.Phase, cur.Files, cur.Sightings, cur.Findings = sp.Phase, sp.Files, sp.Sightings, sp.Sightings
	p.show(cur)
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, announced: map[string]bool{}}
}

func (p *progressPrinter) show(pr workflows.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur = pr
	step := pr.Step
	if pr.Phase != "" {
		step += " (" + pr.Phase + ")"
	}
	line := fmt.Sprintf("[%d/%d] %-14s files=%d sightings=%d", min(pr.StepIndex+1, len(pr.Steps)), len(pr.Steps), printable.Line(step), pr.Files, cmp.Or(pr.Sightings, pr.Findings))
	if len(pr.Assets) > 0 {
		line += " assets=" + formatCounts(pr.Assets)
	}
	if pr.Version > 0 {
		line += fmt.Sprintf(" version=%d", pr.Version)
	}
	if pr.Verdict != "" {
		line += " verdict=" + printable.Line(pr.Verdict)
	}
	if line != p.last {
		fmt.Fprintln(p.w, line)
		p.last = line
	}
}

func (p *progressPrinter) waiting(id string, pending []activities.Exception) {
	for _, e := range pending {
		if p.announced[e.Component] {
			continue
		}
		p.announced[e.Component] = true
		// The component name comes from the scanned repository: escaped,
		// and shell-quoted in the command offered for copying.
		fmt.Fprintf(p.w, "waiting for a license exception decision on %s (%s):\n  mlbom approve %s --component %s --reason '...'   (or: mlbom reject ...)\n",
			printable.Line(e.Component), printable.Line(e.License), printable.Shell(id), printable.Shell(e.Component))
	}
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", printable.Line(k), m[k]))
	}
	return strings.Join(parts, ",")
}

func printSummary(w io.Writer, s *workflows.ScanSummary, elapsed time.Duration, bomFile, runURL string) {
	// Names and messages come from the scanned repository (a folder name
	// may hold a newline and a fake "verdict PASS"): every value is escaped.
	p := printable.Line
	fmt.Fprintf(w, "\nScan of %s\n", p(s.Source))
	fmt.Fprintf(w, "  project     %s (BOM version %d", p(s.Project), s.Version)
	if !s.Created {
		fmt.Fprint(w, ", already stored by an earlier attempt")
	}
	fmt.Fprintln(w, ")")
	if s.Commit != "" {
		fmt.Fprintf(w, "  commit      %s\n", p(s.Commit))
	}
	fmt.Fprintf(w, "  files       %d scanned, %d skipped\n", s.Files, s.Skipped)
	fmt.Fprintf(w, "  assets      %d components: %s\n", s.Components, formatCounts(s.Assets))
	fmt.Fprintf(w, "  model files %d scanned, %d malicious, %d vulnerabilities in the BOM\n", s.WeightsScanned, s.Malicious, s.Vulnerabilities)
	if s.Diff.From == 0 {
		fmt.Fprintln(w, "  change      first version")
	} else {
		fmt.Fprintf(w, "  change      since v%d: +%d added, -%d removed, ~%d changed", s.Diff.From, s.Diff.Added, s.Diff.Removed, s.Diff.Changed)
		if s.Diff.HashDrift > 0 {
			fmt.Fprintf(w, ", %d HASH DRIFT", s.Diff.HashDrift)
		}
		if s.Diff.LicenseChanges > 0 {
			fmt.Fprintf(w, ", %d license changes", s.Diff.LicenseChanges)
		}
		fmt.Fprintln(w)
	}
	if r := s.Runtime; r != nil {
		fmt.Fprintf(w, "  runtime     %d components seen running (%d verified by hash), %d declared but never used, %d used but undeclared\n",
			r.Observed, r.Verified, len(r.DeclaredUnused), len(r.UsedUndeclared))
		for _, ref := range r.UsedUndeclared {
			fmt.Fprintf(w, "    undeclared  %s\n", p(ref))
		}
	}
	fmt.Fprintf(w, "  verdict     %s (%s", p(strings.ToUpper(s.Verdict)), plural(s.PolicyFindings, "finding"))
	if len(s.BySeverity) > 0 {
		fmt.Fprintf(w, ": %s", formatCounts(s.BySeverity))
	}
	if s.Waived > 0 {
		fmt.Fprintf(w, "; %d waived by approvals", s.Waived)
	}
	fmt.Fprintln(w, ")")
	for _, e := range s.Exceptions {
		fmt.Fprintf(w, "  exception   %s %s", p(e.Component), p(e.License))
		if e.LicenseReason != "" {
			fmt.Fprintf(w, " (%s)", p(e.LicenseReason))
		}
		fmt.Fprintf(w, ": %s", p(e.Decision))
		if e.Approver != "" {
			fmt.Fprintf(w, " by %s", p(e.Approver))
		}
		fmt.Fprintln(w)
	}
	n := s.Notify
	switch {
	case n.DryRun:
		printDryRun(w, n)
	case len(n.Channels) == 0 || (len(n.Channels) == 1 && n.Channels[0] == "record"):
		fmt.Fprintf(w, "  notify      no channel configured: %d new findings recorded in the store, %d recorded before\n", n.Recorded, n.Skipped)
	default:
		fmt.Fprintf(w, "  notify      %s: %d sent, %d already sent, %d resolved\n", strings.Join(n.Channels, ","), n.Sent, n.Skipped, n.Resolved)
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "  warning     %s\n", p(redact.String(warn)))
	}
	if bomFile != "" {
		fmt.Fprintf(w, "  BOM         %s\n", p(bomFile))
	}
	if runURL != "" {
		fmt.Fprintf(w, "  run         %s\n", p(runURL))
	}
	fmt.Fprintf(w, "  took        %s\n", elapsed.Round(time.Millisecond))
}

// printDryRun shows what Notify would have sent: each message, ticket or
// delivery with its target and text.
func printDryRun(w io.Writer, n activities.NotifyResult) {
	p := printable.Line
	total := len(n.Planned) + n.PlannedMore
	if total == 0 {
		fmt.Fprintf(w, "  notify      dry run: nothing would be sent (%d open findings, all announced before)\n", n.Findings)
		return
	}
	fmt.Fprintf(w, "  notify      dry run, nothing sent: %s for %s would be made\n", plural(total, "delivery"), plural(n.Findings, "open finding"))
	const shown = 10
	for i, d := range n.Planned {
		if i == shown {
			break
		}
		target := ""
		if d.Target != "" {
			target = " → " + p(redact.String(d.Target))
		}
		fmt.Fprintf(w, "              %-8s %s%s: %s\n", p(d.Channel), p(d.Action), target, p(d.Text))
	}
	if more := total - min(len(n.Planned), shown); more > 0 {
		fmt.Fprintf(w, "              ... and %d more (--json lists them)\n", more)
	}
}

func exportBOM(ctx context.Context, cfg *config.Config, project string, version int, format, path string) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	_, data, err := api.StoredBOM(ctx, db, project, version, format)
	if err != nil {
		return fmt.Errorf("read %s version %s: %w", project, versionName(version), err)
	}
	return writeOutput(ctx, path, data)
}
