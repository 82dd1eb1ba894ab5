package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/redact"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workflows"
)

// ScanID is the workflow ID `mlbom scan` gives a scan started at t:
// scan/PROJECT/YYYYMMDDTHHMMSSZ.
func ScanID(project string, t time.Time) string {
	return fmt.Sprintf("scan/%s/%s", project, t.UTC().Format("20060102T150405Z"))
}

// ScheduleID names a project's recurring scan.
func ScheduleID(project string) string { return "mlbom-scan-" + project }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// DefaultProject names a project after the last element of its source.
func DefaultProject(src string) string {
	s := strings.TrimSuffix(strings.TrimRight(src, "/"), ".git")
	if rest, ok := strings.CutPrefix(s, "hf://"); ok {
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "datasets/"), "spaces/")
		if i := strings.Index(rest, "@"); i >= 0 {
			rest = rest[:i]
		}
		return unsafeName.ReplaceAllString(rest, "-")
	}
	if u, err := url.Parse(s); err == nil && u.Path != "" {
		s = u.Path
	}
	if i := strings.LastIndexAny(s, "/:"); i >= 0 {
		s = s[i+1:]
	}
	s = unsafeName.ReplaceAllString(s, "-")
	if s == "" {
		return "project"
	}
	return s
}

// ScanStartOptions are the start options of a scan with workflow ID id:
// the task queue, no reuse of a running ID, the project search attribute,
// and memo (who started it) when given.
func ScanStartOptions(cfg *config.Config, id, project string, memo map[string]any) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                cfg.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    temporal.NewSearchAttributes(workflows.ProjectKey.ValueSet(project)),
		Memo:                     memo,
	}
}

// Runs implements api.Runs with the Temporal client: the API starts,
// queries and signals ScanWorkflow exactly as the CLI does.
type Runs struct {
	c   client.Client
	cfg *config.Config
	now func() time.Time
}

var _ api.Runs = (*Runs)(nil)

// NewRuns returns the API's view of the workflows on c.
func NewRuns(c client.Client, cfg *config.Config) *Runs {
	return &Runs{c: c, cfg: cfg, now: time.Now}
}

// engineError maps the client's errors to the API's.
func engineError(what string, err error) error {
	var nf *serviceerror.NotFound
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	var unavailable *serviceerror.Unavailable
	switch {
	case errors.As(err, &nf):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case errors.As(err, &started), temporal.IsWorkflowExecutionAlreadyStartedError(err):
		return fmt.Errorf("%s: a run with this workflow ID is in progress: %w", what, api.ErrConflict)
	case errors.As(err, &unavailable), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %s: %v", api.ErrUnavailable, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// refuseCredentials keeps a source with credentials out of the workflow
// input (and so out of the Temporal history, the store and the BOM): the
// worker authenticates with its own MLBOM_GIT_TOKEN.
func refuseCredentials(src string) error {
	if shown := redact.URL(src); shown != src {
		return fmt.Errorf("source %s carries credentials: give the URL without them; the worker authenticates with its MLBOM_GIT_TOKEN (and MLBOM_GIT_USERNAME): %w", shown, api.ErrBadRequest)
	}
	return nil
}

// StartScan starts ScanWorkflow with the input `mlbom scan` would build.
func (r *Runs) StartScan(ctx context.Context, req api.ScanRequest) (api.StartedScan, error) {
	if err := refuseCredentials(req.Source); err != nil {
		return api.StartedScan{}, err
	}
	in := workflows.ScanInput{Source: req.Source, Ref: req.Ref, Project: req.Project, Options: workflows.ScanOptions{
		FetchWeights: req.Options.FetchWeights, ApprovalTimeout: req.Options.ApprovalTimeout, DryRun: req.Options.DryRun}}
	if in.Project == "" {
		in.Project = DefaultProject(in.Source)
	}
	if in.Options.ApprovalTimeout == "" {
		in.Options.ApprovalTimeout = r.cfg.ApprovalTimeout.String()
	}
	id := req.ID
	if id == "" {
		id = ScanID(in.Project, r.now())
	}
	memo := map[string]any{MemoStartedVia: metrics.ViaAPI}
	if req.StartedBy != "" {
		memo[MemoStartedBy] = req.StartedBy
	}
	opts := ScanStartOptions(r.cfg, id, in.Project, memo)
	// A request naming the ID of a running scan is a mistake to report,
	// not a wish to watch that scan.
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	run, err := r.c.ExecuteWorkflow(ctx, opts, workflows.ScanWorkflowName, in)
	if err != nil {
		return api.StartedScan{}, engineError("start scan "+id, err)
	}
	return api.StartedScan{WorkflowID: run.GetID(), RunID: run.GetRunID(), Project: in.Project}, nil
}

// Progress asks the run for its progress and adds its status.
func (r *Runs) Progress(ctx context.Context, id, runID string) (api.Progress, error) {
	d, err := r.c.DescribeWorkflowExecution(ctx, id, runID)
	if err != nil {
		return api.Progress{}, engineError("describe "+id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	if info.GetType().GetName() != workflows.ScanWorkflowName {
		return api.Progress{}, fmt.Errorf("workflow %s is not a scan: %w", id, store.ErrNotFound)
	}
	runID = info.GetExecution().GetRunId()
	resp, err := r.c.QueryWorkflow(ctx, id, runID, workflows.ProgressQuery)
	if err != nil {
		return api.Progress{}, engineError("query "+id, err)
	}
	var p api.Progress
	if err := resp.Get(&p); err != nil {
		return api.Progress{}, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	p.WorkflowID, p.RunID = id, runID
	p.Status = statusName(info.GetStatus())
	p.Sightings = cmp.Or(p.Sightings, p.Findings) // runs started before Sightings existed
	return p, nil
}

// statusName is the Temporal UI's word for a status (Running, Completed, ...).
func statusName(s enumspb.WorkflowExecutionStatus) string { return s.String() }

// visibilityString quotes a value for a visibility query.
func visibilityString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Pending asks every running scan (of project, or all) what it waits for.
func (r *Runs) Pending(ctx context.Context, project string) ([]api.Pending, error) {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ScanWorkflowName)
	if project != "" {
		q += fmt.Sprintf(" AND %s = %s", workflows.SearchAttributeProject, visibilityString(project))
	}
	out := []api.Pending{}
	var token []byte
	for {
		resp, err := r.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: r.cfg.TemporalNamespace, Query: q, NextPageToken: token})
		if err != nil {
			return nil, engineError("list running scans", err)
		}
		for _, ex := range resp.GetExecutions() {
			id, runID := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
			qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			qr, err := r.c.QueryWorkflow(qctx, id, runID, workflows.ProgressQuery)
			cancel()
			if err != nil {
				continue // finished meanwhile, or its worker is down: nothing to decide now
			}
			var p api.Progress
			if qr.Get(&p) != nil {
				continue
			}
			for _, w := range p.WaitingFor {
				out = append(out, api.Pending{WorkflowID: id, RunID: runID, Project: p.Project, Component: w.Component, License: w.License, Message: w.Message})
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].WorkflowID < out[j].WorkflowID })
	return out, nil
}

// Decide signals the decision after checking that the scan waits for it,
// so a typo is an error rather than a signal the workflow ignores.
func (r *Runs) Decide(ctx context.Context, d api.Decision) error {
	p, err := r.Progress(ctx, d.WorkflowID, "")
	if err != nil {
		return err
	}
	waiting := false
	var names []string
	for _, w := range p.WaitingFor {
		waiting = waiting || w.Component == d.Component
		names = append(names, w.Component)
	}
	if p.Status != "Running" || !waiting {
		if len(names) == 0 {
			return fmt.Errorf("%s is not waiting for any license exception (%s, step %s): %w", d.WorkflowID, p.Status, p.Step, api.ErrConflict)
		}
		return fmt.Errorf("%s is not waiting for %s; it waits for %s: %w", d.WorkflowID, d.Component, strings.Join(names, ", "), api.ErrConflict)
	}
	sig := workflows.ExceptionSignal{Decision: d.Decision, Component: d.Component, Approver: d.Approver, Reason: d.Reason, Expires: d.Expires}
	if err := r.c.SignalWorkflow(ctx, d.WorkflowID, p.RunID, workflows.LicenseExceptionSignal, sig); err != nil {
		return engineError("signal "+d.WorkflowID, err)
	}
	return nil
}

// Schedules lists mlbom's recurring scans.
func (r *Runs) Schedules(ctx context.Context) ([]api.Schedule, error) {
	it, err := r.c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, engineError("list schedules", err)
	}
	out := []api.Schedule{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, engineError("list schedules", err)
		}
		project, ok := strings.CutPrefix(e.ID, "mlbom-scan-")
		if !ok {
			continue
		}
		s := api.Schedule{ID: e.ID, Project: project, RecentRuns: len(e.RecentActions), Paused: e.Paused}
		if e.Spec != nil {
			s.Spec = DescribeSpec(*e.Spec)
		}
		if len(e.NextActionTimes) > 0 {
			s.NextRun = e.NextActionTimes[0].UTC()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// NewScheduleOptions are the options of a project's recurring scan, as
// `mlbom schedule create` makes them.
func NewScheduleOptions(cfg *config.Config, project string, in workflows.ScanInput, spec client.ScheduleSpec, now bool, note string) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:   ScheduleID(project),
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			// Temporal appends the scheduled time to this ID for each run.
			ID:                    "scan/" + project + "/scheduled",
			Workflow:              workflows.ScanWorkflowName,
			Args:                  []any{in},
			TaskQueue:             cfg.TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.ProjectKey.ValueSet(project)),
		},
		// A scan still running (waiting for an approval, say) is not
		// overtaken by the next one.
		Overlap:            enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		TriggerImmediately: now,
		Note:               note,
	}
}

// DescribeSpec says when a schedule runs.
func DescribeSpec(s client.ScheduleSpec) string {
	var parts []string
	for _, iv := range s.Intervals {
		parts = append(parts, "every "+iv.Every.String())
	}
	for _, c := range s.CronExpressions {
		parts = append(parts, "cron "+c+" UTC")
	}
	// The server keeps cron expressions as calendar specs; say them as cron
	// again.
	for _, c := range s.Calendars {
		parts = append(parts, "cron "+strings.Join([]string{
			cronField(c.Minute, 0, 59), cronField(c.Hour, 0, 23), cronField(c.DayOfMonth, 1, 31),
			cronField(c.Month, 1, 12), cronField(c.DayOfWeek, 0, 6)}, " ")+" UTC")
	}
	return strings.Join(parts, ", ")
}

// cronField writes calendar ranges as one cron field; the full span is "*".
func cronField(rs []client.ScheduleRange, lo, hi int) string {
	if len(rs) == 0 || len(rs) == 1 && rs[0].Start == lo && rs[0].End == hi && rs[0].Step <= 1 {
		return "*"
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		f := fmt.Sprint(r.Start)
		if r.End > r.Start {
			f += fmt.Sprintf("-%d", r.End)
		}
		if r.Step > 1 {
			f += fmt.Sprintf("/%d", r.Step)
		}
		out = append(out, f)
	}
	return strings.Join(out, ",")
}

// CreateSchedule makes a project's recurring scan (nightly at 02:00 UTC
// unless told otherwise).
func (r *Runs) CreateSchedule(ctx context.Context, ns api.NewSchedule) (api.Schedule, error) {
	spec := client.ScheduleSpec{}
	switch {
	case ns.Every != "":
		d, err := time.ParseDuration(ns.Every)
		if err != nil {
			return api.Schedule{}, fmt.Errorf("every: %v: %w", err, api.ErrBadRequest)
		}
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: d}}
	case ns.Cron != "":
		spec.CronExpressions = []string{ns.Cron}
	default:
		spec.CronExpressions = []string{"0 2 * * *"}
	}
	if err := refuseCredentials(ns.Source); err != nil {
		return api.Schedule{}, err
	}
	in := workflows.ScanInput{Source: ns.Source, Ref: ns.Ref, Project: ns.Project, Options: workflows.ScanOptions{ApprovalTimeout: ns.ApprovalTimeout}}
	if in.Options.ApprovalTimeout == "" {
		in.Options.ApprovalTimeout = r.cfg.ApprovalTimeout.String()
	}
	h, err := r.c.ScheduleClient().Create(ctx, NewScheduleOptions(r.cfg, ns.Project, in, spec, ns.Now, "created through the mlbom API"))
	if err != nil {
		if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return api.Schedule{}, fmt.Errorf("schedule %s exists; delete it first: %w", ScheduleID(ns.Project), api.ErrConflict)
		}
		var bad *serviceerror.InvalidArgument
		if errors.As(err, &bad) {
			return api.Schedule{}, fmt.Errorf("schedule for %s: %s: %w", ns.Project, bad.Message, api.ErrBadRequest)
		}
		return api.Schedule{}, engineError("create schedule "+ScheduleID(ns.Project), err)
	}
	return api.Schedule{ID: h.GetID(), Project: ns.Project, Spec: DescribeSpec(spec)}, nil
}

// DeleteSchedule removes a project's recurring scan.
func (r *Runs) DeleteSchedule(ctx context.Context, project string) error {
	if err := r.c.ScheduleClient().GetHandle(ctx, ScheduleID(project)).Delete(ctx); err != nil {
		return engineError("delete schedule "+ScheduleID(project), err)
	}
	return nil
}

// Health asks the frontend whether it serves.
func (r *Runs) Health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := r.c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("%w: %v", api.ErrUnavailable, err)
	}
	return nil
}
