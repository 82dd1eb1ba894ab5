// Command score measures discovery against the labelled repositories of
// bench/discovery: it runs the discovery of `mlbom scan --local` on each
// clone (offline), matches what it reports against the human labels and
// prints recall and precision per category, per repository and overall,
// with the misses and false positives behind them.
//
//	bench/discovery/clone.sh /tmp/dbench            # once: clones at the pinned commits
//	go run ./bench/discovery/score -clones /tmp/dbench [-v] [-repo swarm] [-json out.json]
//
// Matching rules are in bench/discovery/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

// RepoResult is one repository's outcome, for -json.
type RepoResult struct {
	Name       string             `json:"name"`
	Kind       string             `json:"kind"`
	Files      int                `json:"files"`
	Seconds    float64            `json:"seconds"`
	Categories map[string]*Counts `json:"categories"`
	Misses     []string           `json:"misses,omitempty"`
	FalsePos   []string           `json:"falsePositives,omitempty"`
	Duplicates []string           `json:"duplicates,omitempty"`
	ScopeWrong []string           `json:"scopeWrong,omitempty"`
	LicenseOff []string           `json:"weightLicenseWrong,omitempty"`
	weightsOK  int
	weightsAll int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	clones := fs.String("clones", "", "directory holding one clone per manifest entry (bench/discovery/clone.sh makes it)")
	dir := fs.String("dir", "bench/discovery", "directory with manifest.yaml and labels/")
	only := fs.String("repo", "", "score only this repository (manifest name)")
	verbose := fs.Bool("v", false, "list misses, false positives, duplicates and scope errors")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	list := fs.Bool("list", false, "print the manifest as lines of name, url, commit, absent files (for clone.sh) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		m, err := readManifest(filepath.Join(*dir, "manifest.yaml"))
		if err != nil {
			return err
		}
		for _, r := range m.Repos {
			absent := strings.Join(r.Absent, ",")
			if absent == "" {
				absent = "-"
			}
			fmt.Fprintf(stdout, "%s %s %s %s\n", r.Name, r.URL, r.Commit, absent)
		}
		return nil
	}
	if *clones == "" {
		return errors.New("-clones is required (run bench/discovery/clone.sh DIR first)")
	}
	m, err := readManifest(filepath.Join(*dir, "manifest.yaml"))
	if err != nil {
		return fmt.Errorf("read manifest (run from the repository root or pass -dir): %w", err)
	}
	var results []*RepoResult
	for _, r := range m.Repos {
		if *only != "" && r.Name != *only {
			continue
		}
		res, err := scoreRepo(ctx, *dir, *clones, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		results = append(results, res)
	}
	if len(results) == 0 {
		return fmt.Errorf("no repository named %q in the manifest", *only)
	}
	report(stdout, results, *verbose)
	if *jsonOut != "" {
		data, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func scoreRepo(ctx context.Context, dir, clones string, r Repo) (*RepoResult, error) {
	clone := filepath.Join(clones, r.Name)
	if err := checkCommit(clone, r.Commit); err != nil {
		return nil, err
	}
	lf, err := readLabels(filepath.Join(dir, "labels", r.Name+".yaml"))
	if err != nil {
		return nil, err
	}
	if lf.Subdir != r.Subdir {
		return nil, fmt.Errorf("label subdir %q differs from the manifest's %q", lf.Subdir, r.Subdir)
	}
	root := clone
	if r.Subdir != "" {
		root = filepath.Join(clone, filepath.FromSlash(r.Subdir))
	}
	if problems := checkEvidence(root, lf); len(problems) > 0 {
		return nil, fmt.Errorf("labels do not fit the checkout:\n  %s", strings.Join(problems, "\n  "))
	}
	start := time.Now()
	inv, res, err := discoverTree(ctx, root)
	if err != nil {
		return nil, err
	}
	secs := time.Since(start).Seconds()
	o := Score(lf.Assets, predictions(inv, res))
	return &RepoResult{
		Name: r.Name, Kind: r.Kind, Files: res.Files, Seconds: secs, Categories: o.ByCategory,
		Misses: o.Misses, FalsePos: o.FalsePos, Duplicates: o.Dups, ScopeWrong: o.ScopeWrong,
		LicenseOff: o.WeightLicenseWrong, weightsOK: o.WeightLicenseOK, weightsAll: o.WeightLicenseChecked,
	}, nil
}

// checkCommit refuses a clone at another commit: the labels describe one.
// clone.sh leaves HEAD detached at the pinned commit; reading .git/HEAD
// avoids opening the repository, whose sparse-checkout extension go-git
// does not support.
func checkCommit(clone, want string) error {
	data, err := os.ReadFile(filepath.Join(clone, ".git", "HEAD"))
	if err != nil {
		return fmt.Errorf("clone %s: %w (run bench/discovery/clone.sh)", clone, err)
	}
	if got := strings.TrimSpace(string(data)); got != want {
		return fmt.Errorf("clone %s has HEAD %q, the labels are for commit %s (run bench/discovery/clone.sh)", clone, got, want)
	}
	return nil
}

func pct(f float64) string { return fmt.Sprintf("%.2f", f) }

func report(w io.Writer, results []*RepoResult, verbose bool) {
	total := map[string]*Counts{}
	for _, c := range categories {
		total[c] = &Counts{}
	}
	var all Counts
	weightsOK, weightsAll := 0, 0
	files := 0
	secs := 0.0
	for _, r := range results {
		for _, c := range categories {
			total[c].add(*r.Categories[c])
			all.add(*r.Categories[c])
		}
		weightsOK += r.weightsOK
		weightsAll += r.weightsAll
		files += r.Files
		secs += r.Seconds
	}

	fmt.Fprintf(w, "Discovery against %d labelled repositories (%d files, %.1fs)\n\n", len(results), files, secs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tlabels\tfound\tmissed\tfalse pos\tdup\trecall\tprecision\tscope ok\t")
	for _, c := range categories {
		t := total[c]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d/%d\t\n", c, t.TP+t.FN, t.TP, t.FN, t.FP, t.Dup,
			pct(t.Recall()), pct(t.Precision()), t.ScopeOK, t.ScopeChecked)
	}
	fmt.Fprintf(tw, "overall\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d/%d\t\n", all.TP+all.FN, all.TP, all.FN, all.FP, all.Dup,
		pct(all.Recall()), pct(all.Precision()), all.ScopeOK, all.ScopeChecked)
	tw.Flush()
	fmt.Fprintf(w, "\nprompts matched by location: %d; weights with the expected license: %d/%d\n\n",
		total["prompt"].ByLocation, weightsOK, weightsAll)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "repository\tkind\tfiles\tlabels\tfound\tfalse pos\trecall\tprecision\t")
	sort.SliceStable(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	for _, r := range results {
		var c Counts
		for _, k := range categories {
			c.add(*r.Categories[k])
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t\n", r.Name, r.Kind, r.Files, c.TP+c.FN, c.TP, c.FP, pct(c.Recall()), pct(c.Precision()))
	}
	tw.Flush()
	if !verbose {
		return
	}
	for _, r := range results {
		if len(r.Misses)+len(r.FalsePos)+len(r.Duplicates)+len(r.ScopeWrong)+len(r.LicenseOff) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n== %s\n", r.Name)
		list := func(title string, items []string) {
			for _, s := range items {
				fmt.Fprintf(w, "  %-9s %s\n", title, s)
			}
		}
		list("MISS", r.Misses)
		list("FALSE", r.FalsePos)
		list("DUP", r.Duplicates)
		list("SCOPE", r.ScopeWrong)
		list("LICENSE", r.LicenseOff)
	}
}
