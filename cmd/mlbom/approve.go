package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/printable"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workflows"
)

func runApprove(ctx context.Context, cfg *config.Config, args []string) error {
	return decide(ctx, cfg, "approve", args)
}

func runReject(ctx context.Context, cfg *config.Config, args []string) error {
	return decide(ctx, cfg, "reject", args)
}

// decide sends license-exception signals to a waiting scan, one per component.
func decide(ctx context.Context, cfg *config.Config, decision string, args []string) error {
	fs := newFlags(ctx, decision)
	component := fs.String("component", "", "bom-ref of the component")
	all := fs.Bool("all", false, "every component the scan waits for")
	reason := fs.String("reason", "", "why (kept on record and in the BOM)")
	approver := fs.String("approver", "", "who decides (default: the current user)")
	expires := fs.String("expires", "", "RFC3339 time after which the approval no longer applies")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want exactly one WORKFLOW_ID")
	}
	if (*component == "") == !*all {
		return withCode(exitUsage, "give either --component REF or --all")
	}
	if *reason == "" {
		return withCode(exitUsage, "--reason is required: the decision is kept on record")
	}
	if *expires != "" {
		if _, err := time.Parse(time.RFC3339, *expires); err != nil {
			return withCode(exitUsage, "--expires: %v", err)
		}
	}
	who := *approver
	if who == "" {
		if u, err := user.Current(); err == nil {
			who = u.Username
		}
	}
	c, err := workers.Dial(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return err
	}
	defer c.Close()
	id := pos[0]
	resp, err := c.QueryWorkflow(ctx, id, "", workflows.ProgressQuery)
	if err != nil {
		return fmt.Errorf("query %s: %w", id, err)
	}
	var p workflows.Progress
	if err := resp.Get(&p); err != nil {
		return err
	}
	if len(p.WaitingFor) == 0 {
		return fmt.Errorf("workflow %s is not waiting for any license exception (step %s)", id, p.Step)
	}
	var targets, waiting []string
	for _, e := range p.WaitingFor {
		waiting = append(waiting, e.Component)
		if *all || e.Component == *component {
			targets = append(targets, e.Component)
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("workflow %s is not waiting for %s; it waits for: %s", id, *component, strings.Join(waiting, ", "))
	}
	for _, comp := range targets {
		sig := workflows.ExceptionSignal{Decision: decision, Component: comp, Approver: who, Reason: *reason, Expires: *expires}
		if err := c.SignalWorkflow(ctx, id, "", workflows.LicenseExceptionSignal, sig); err != nil {
			return fmt.Errorf("signal %s: %w", id, err)
		}
		fmt.Fprintf(stdoutOf(ctx), "%s: %s %s\n", printable.Line(id), decision, printable.Line(comp))
	}
	return nil
}

type pendingRow struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	Project    string `json:"project"`
	Component  string `json:"component"`
	License    string `json:"license"`
	Message    string `json:"message"`
}

// listPending asks every running scan what it waits for.
func listPending(ctx context.Context, cfg *config.Config, project string, asJSON bool) error {
	c, err := workers.Dial(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return err
	}
	defer c.Close()
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ScanWorkflowName)
	if project != "" {
		q += fmt.Sprintf(" AND %s = '%s'", workflows.SearchAttributeProject, project)
	}
	rows := []pendingRow{}
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: cfg.TemporalNamespace, Query: q, NextPageToken: token})
		if err != nil {
			return fmt.Errorf("list running scans: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			id, runID := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
			qr, err := c.QueryWorkflow(ctx, id, runID, workflows.ProgressQuery)
			if err != nil {
				continue
			}
			var p workflows.Progress
			if qr.Get(&p) != nil {
				continue
			}
			for _, e := range p.WaitingFor {
				rows = append(rows, pendingRow{WorkflowID: id, RunID: runID, Project: p.Project, Component: e.Component, License: e.License, Message: e.Message})
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	if asJSON {
		return printJSON(ctx, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdoutOf(ctx), "no license exceptions are waiting")
		return nil
	}
	tw := tabwriter.NewWriter(stdoutOf(ctx), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW\tPROJECT\tCOMPONENT\tLICENSE\tWHY")
	for _, r := range rows {
		fmt.Fprint(tw, row(r.WorkflowID, r.Project, r.Component, r.License, r.Message))
	}
	return tw.Flush()
}
