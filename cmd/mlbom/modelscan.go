package main

import (
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/printable"
	"github.com/mlbom/autopilot/workers"
)

func runModelscan(ctx context.Context, _ *config.Config, args []string) error {
	fset := newFlags(ctx, "modelscan")
	asJSON := fset.Bool("json", false, "JSON report")
	sarif := fset.Bool("sarif", false, "SARIF 2.1.0 report")
	failOn := fset.String("fail-on", "", "exit 3 when a finding is at or above: critical, high, medium, low, info")
	pos, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return withCode(exitUsage, "want one or more PATHs")
	}
	if *asJSON && *sarif {
		return withCode(exitUsage, "--json and --sarif exclude each other")
	}
	var threshold modelscan.Severity
	if *failOn != "" {
		if threshold, err = modelscan.ParseSeverity(*failOn); err != nil {
			return withCode(exitUsage, "--fail-on: %v", err)
		}
	}
	opts := modelscan.DefaultOptions()
	files, reports, skipped := modelscan.Expand(ctx, pos)
	for _, sk := range skipped {
		fmt.Fprintf(stderrOf(ctx), "skipped %s: %s\n", printable.Line(sk.Path), printable.Line(sk.Reason))
	}
	for _, f := range files {
		reports = append(reports, modelscan.ScanPath(ctx, f, opts))
	}
	switch {
	case *asJSON:
		err = modelscan.WriteJSON(stdoutOf(ctx), reports)
	case *sarif:
		err = modelscan.WriteSARIF(stdoutOf(ctx), reports, workers.Version)
	default:
		// File, member and global names come from the files scanned: a
		// crafted name must not rewrite the terminal (printable.Line).
		p := printable.Line
		for _, r := range reports {
			fmt.Fprintf(stdoutOf(ctx), "%-11s %-14s %s\n", p(string(r.Status)), p(string(r.Format)), p(r.File))
			for _, f := range r.Findings {
				loc := fmt.Sprintf("offset %d", f.Offset)
				if f.Member != "" {
					loc = f.Member + " " + loc
				}
				fmt.Fprintf(stdoutOf(ctx), "  %-8s %s (%s): %s %s\n", p(string(f.Severity)), p(f.Rule), p(loc), p(f.Global), p(f.Reason))
			}
			if r.Error != "" {
				fmt.Fprintf(stdoutOf(ctx), "  error: %s\n", p(r.Error))
			}
		}
	}
	if err != nil {
		return err
	}
	if threshold != "" && modelscan.FailOn(reports, threshold) {
		return withCode(exitVerdict, "findings at or above %s", *failOn)
	}
	if len(reports) == 0 {
		fmt.Fprintln(stderrOf(ctx), "no files found")
	}
	return nil
}
