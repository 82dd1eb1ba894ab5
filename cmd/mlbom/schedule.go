package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/printable"
	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workflows"
)

// runSchedule manages recurring scans as Temporal Schedules, so they show,
// pause and backfill in the Temporal UI like any other schedule.
func runSchedule(ctx context.Context, cfg *config.Config, args []string) error {
	if len(args) == 0 {
		return withCode(exitUsage, "want create, list or delete")
	}
	c, err := workers.Dial(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return err
	}
	defer c.Close()
	switch args[0] {
	case "create":
		return scheduleCreate(ctx, cfg, c, args[1:])
	case "list":
		return scheduleList(ctx, c, args[1:])
	case "delete":
		return scheduleDelete(ctx, c, args[1:])
	}
	return withCode(exitUsage, "unknown schedule command %q: want create, list or delete", args[0])
}

func scheduleCreate(ctx context.Context, cfg *config.Config, c client.Client, args []string) error {
	fs := newFlags(ctx, "schedule create")
	cron := fs.String("cron", "", `cron expression in UTC (default "0 2 * * *", nightly at 02:00)`)
	every := fs.Duration("every", 0, "run at this interval instead of a cron expression")
	ref := fs.String("ref", "", "branch, tag or commit to scan")
	approvalTimeout := fs.String("approval-timeout", "", "how long each run waits for license-exception signals")
	now := fs.Bool("now", false, "also run once right away")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return withCode(exitUsage, "want PROJECT SOURCE")
	}
	if *cron != "" && *every > 0 {
		return withCode(exitUsage, "give --cron or --every, not both")
	}
	spec := client.ScheduleSpec{}
	switch {
	case *every > 0:
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: *every}}
	case *cron != "":
		spec.CronExpressions = []string{*cron}
	default:
		spec.CronExpressions = []string{"0 2 * * *"}
	}
	project := pos[0]
	src, _, err := sourceWithoutCredentials(ctx, pos[1], false)
	if err != nil {
		return err
	}
	in := workflows.ScanInput{Source: src, Ref: *ref, Project: project,
		Options: workflows.ScanOptions{ApprovalTimeout: *approvalTimeout}}
	if in.Options.ApprovalTimeout == "" {
		in.Options.ApprovalTimeout = cfg.ApprovalTimeout.String()
	}
	h, err := c.ScheduleClient().Create(ctx, workers.NewScheduleOptions(cfg, project, in, spec, *now, "created by mlbom schedule create"))
	if err != nil {
		return fmt.Errorf("create schedule for %s: %w", project, err)
	}
	fmt.Fprintf(stdoutOf(ctx), "schedule %s: scans %s (%s)\n", printable.Line(h.GetID()), printable.Line(in.Source), workers.DescribeSpec(spec))
	return nil
}

func scheduleList(ctx context.Context, c client.Client, args []string) error {
	fs := newFlags(ctx, "schedule list")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	tw := tabwriter.NewWriter(stdoutOf(ctx), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEDULE\tNEXT RUN\tRECENT RUNS\tPAUSED")
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		if !strings.HasPrefix(e.ID, "mlbom-scan-") {
			continue
		}
		next := "-"
		if len(e.NextActionTimes) > 0 {
			next = e.NextActionTimes[0].UTC().Format(time.RFC3339)
		}
		fmt.Fprint(tw, row(e.ID, next, fmt.Sprint(len(e.RecentActions)), fmt.Sprint(e.Paused)))
		n++
	}
	if n == 0 {
		fmt.Fprintln(stdoutOf(ctx), "no mlbom schedules")
		return nil
	}
	return tw.Flush()
}

func scheduleDelete(ctx context.Context, c client.Client, args []string) error {
	fs := newFlags(ctx, "schedule delete")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want PROJECT")
	}
	if err := c.ScheduleClient().GetHandle(ctx, workers.ScheduleID(pos[0])).Delete(ctx); err != nil {
		return fmt.Errorf("delete schedule %s: %w", workers.ScheduleID(pos[0]), err)
	}
	fmt.Fprintf(stdoutOf(ctx), "schedule %s deleted\n", workers.ScheduleID(pos[0]))
	return nil
}
