package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/bomdiff"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/logs"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers"
)

func openStore(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("open store (MLBOM_DB): %w", err)
	}
	return db, nil
}

func runWorker(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "worker")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	logger, err := processLogger(ctx, cfg)
	if err != nil {
		return err
	}
	// Code that logs through the default logger (with a context carrying a
	// run's IDs) writes the same structured lines.
	slog.SetDefault(logger)
	deps, err := workers.NewDeps(ctx, cfg)
	if err != nil {
		return err
	}
	defer deps.Close()
	deps.Metrics = metrics.New()
	c, err := workers.DialMetrics(cfg, logger, deps.Metrics)
	if err != nil {
		return err
	}
	defer c.Close()
	workers.ServeMetrics(ctx, cfg.MetricsAddr, deps.Metrics, logger)
	logger.Info("worker started", "temporal", cfg.TemporalAddress, "taskQueue", cfg.TaskQueue, "store", deps.Store.Backend())
	return workers.Run(ctx, c, cfg, deps)
}

// processLogger is the structured logger of a long-running command
// (MLBOM_LOG_FORMAT, MLBOM_LOG_LEVEL) on standard error.
func processLogger(ctx context.Context, cfg *config.Config) (*slog.Logger, error) {
	l, err := logs.New(stderrOf(ctx), cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return nil, withCode(exitUsage, "MLBOM_LOG_FORMAT/MLBOM_LOG_LEVEL: %v", err)
	}
	return l, nil
}

func runVersion(ctx context.Context, _ *config.Config, _ []string) error {
	fmt.Fprintln(stdoutOf(ctx), "mlbom", workers.Version)
	return nil
}

func runBOM(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "bom")
	version := fs.Int("version", 0, "version number (default: latest)")
	out := fs.String("o", "", "write to this file instead of standard output")
	format := fs.String("format", "json", "json or xml")
	decisions := fs.Bool("decisions", false, "list the license-exception decisions of the version (its annotations) instead of printing the BOM")
	asJSON := fs.Bool("json", false, "with --decisions: print them as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want exactly one PROJECT")
	}
	if *format != "json" && *format != "xml" {
		return withCode(exitUsage, "--format takes json or xml, not %q", *format)
	}
	if *decisions {
		err = listVersionDecisions(ctx, cfg, pos[0], *version, *asJSON)
	} else {
		err = exportBOM(ctx, cfg, pos[0], *version, *format, *out)
	}
	if errors.Is(err, store.ErrNotFound) {
		return withCode(exitError, "project %s has no BOM version %s", pos[0], versionName(*version))
	}
	return err
}

// listVersionDecisions prints what the version's BOM annotates: decisions
// made in its scan and earlier approvals that waived its findings (their
// VERSION is the one they were made in).
func listVersionDecisions(ctx context.Context, cfg *config.Config, project string, version int, asJSON bool) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.GetVersion(ctx, project, version)
	if err != nil {
		return fmt.Errorf("read %s version %s: %w", project, versionName(version), err)
	}
	list, err := db.VersionDecisions(ctx, project, v.Number)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(ctx, list)
	}
	w := stdoutOf(ctx)
	if len(list) == 0 {
		fmt.Fprintf(w, "%s version %d: no license-exception decisions\n", project, v.Number)
		return nil
	}
	fmt.Fprintf(w, "%s version %d (scan %s): %d decisions\n", project, v.Number, v.ScanID, len(list))
	return writeDecisions(w, list, false)
}

func versionName(n int) string {
	if n <= 0 {
		return "(none stored yet)"
	}
	return fmt.Sprint(n)
}

func runDiff(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "diff")
	from := fs.Int("from", -1, "older version (default: the one before --to; 0 compares with nothing)")
	to := fs.Int("to", 0, "newer version (default: latest)")
	asJSON := fs.Bool("json", false, "print JSON with added, removed and changed arrays")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want exactly one PROJECT")
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := api.DiffVersions(ctx, db, pos[0], *from, *to)
	if err != nil {
		return fmt.Errorf("diff %s: %w", pos[0], err)
	}
	if *asJSON {
		return printJSON(ctx, res)
	}
	return bomdiff.WriteText(stdoutOf(ctx), res)
}

func runSearch(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "search")
	kind := fs.String("kind", "", "only this asset kind (model, dataset, weights, prompt, tool, agent, service, framework)")
	project := fs.String("project", "", "only this project")
	k := fs.Int("k", 10, "number of hits")
	asJSON := fs.Bool("json", false, "print {\"hits\":[...]} as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return withCode(exitUsage, "want a QUERY")
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	s := search.NewSearcher(db, workers.Embedder(cfg), search.Options{})
	hits, err := s.Search(ctx, strings.Join(pos, " "), store.Filter{Project: *project, Kind: *kind}, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		if hits == nil {
			hits = []search.Result{}
		}
		return printJSON(ctx, map[string]any{"hits": hits})
	}
	if len(hits) == 0 {
		fmt.Fprintln(stdoutOf(ctx), "no hits")
		return nil
	}
	tw := tabwriter.NewWriter(stdoutOf(ctx), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tKIND\tNAME\tPROJECT@V\tLOCATION")
	for _, h := range hits {
		fmt.Fprint(tw, row(fmt.Sprintf("%.4f", h.Score), string(h.Kind), h.Name, fmt.Sprintf("%s@%d", h.Project, h.Version), h.Location))
	}
	return tw.Flush()
}

func runApprovals(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "approvals")
	pending := fs.Bool("pending", false, "list license exceptions waiting for a decision in running scans")
	project := fs.String("project", "", "only this project")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *pending {
		return listPending(ctx, cfg, *project, *asJSON)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.ListApprovals(ctx, *project)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []store.Approval{}
		}
		return printJSON(ctx, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdoutOf(ctx), "no license-exception decisions on record")
		return nil
	}
	return writeDecisions(stdoutOf(ctx), list, true)
}

// writeDecisions prints decisions as a table: each with the scan and BOM
// version it was made in, and whether it is the one on record.
func writeDecisions(w io.Writer, list []store.Approval, withProject bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if withProject {
		fmt.Fprint(tw, "PROJECT\t")
	}
	fmt.Fprintln(tw, "VERSION\tSCAN\tCOMPONENT\tLICENSE\tDECISION\tAPPROVER\tWHEN\tEXPIRES\tREASON")
	for _, a := range list {
		exp := "never"
		if !a.Expires.IsZero() {
			exp = a.Expires.Format(time.RFC3339)
		}
		version := "-"
		if a.Version > 0 {
			version = fmt.Sprint(a.Version)
		}
		scan := a.ScanID
		if scan == "" {
			scan = "-"
		}
		decision := a.Decision
		if a.Decision != store.DecisionTimeout && !a.Current {
			decision += " (superseded)"
		}
		approver := a.Approver
		if approver == "" {
			approver = "-"
		}
		cells := []string{version, scan, a.Component, a.License, decision, approver, a.CreatedAt.Format(time.RFC3339), exp, a.Reason}
		if withProject {
			cells = append([]string{a.Project}, cells...)
		}
		fmt.Fprint(tw, row(cells...))
	}
	return tw.Flush()
}
