// Command score scans the labelled model-file samples of bench/modelscan
// and prints how the scanner's verdicts match the labels: the share of
// malicious samples flagged (suspicious or malicious) and called
// malicious, the share of suspicious samples flagged, and the benign false
// alarms (benign samples flagged).
//
//	go run ./bench/modelscan/score [-v] [-by] [TSV...]
//
// Each TSV (default public.tsv generated.tsv repo.tsv beside this folder)
// has the columns file, label, why, repository, commit, path, sha256,
// license; file is relative to bench/modelscan/samples, or to the
// repository root when it starts with "repo/". A sample whose sha256 no
// longer matches is an error: the labels describe those exact bytes.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/modelscan"
)

type sample struct {
	file, label, why, sha string
}

type tally struct {
	n, malicious, suspicious, unscannable, errors, clean int
}

func (t tally) flagged() int { return t.malicious + t.suspicious }

func main() {
	verbose := flag.Bool("v", false, "list every sample whose verdict disagrees with its label")
	by := flag.Bool("by", false, "also break the figures down by sample folder")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		fail(err)
	}
	dir := filepath.Join(root, "bench", "modelscan")
	files := flag.Args()
	if len(files) == 0 {
		files = []string{"public.tsv", "generated.tsv", "repo.tsv"}
	}
	var samples []sample
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		s, err := readTSV(f)
		if err != nil {
			fail(err)
		}
		samples = append(samples, s...)
	}
	totals := map[string]*tally{}
	groups := map[string]map[string]*tally{}
	opts := modelscan.DefaultOptions()
	opts.Hash = false
	for _, s := range samples {
		path := filepath.Join(dir, "samples", s.file)
		if rest, ok := strings.CutPrefix(s.file, "repo/"); ok {
			path = filepath.Join(root, rest)
		}
		if err := checkSHA(path, s.sha); err != nil {
			fail(err)
		}
		r := modelscan.ScanPath(context.Background(), path, opts)
		count(totals, s.label, r.Status)
		g := group(s.file)
		if groups[g] == nil {
			groups[g] = map[string]*tally{}
		}
		count(groups[g], s.label, r.Status)
		flagged := r.Status == modelscan.StatusMalicious || r.Status == modelscan.StatusSuspicious
		wrong := (s.label == "benign" && flagged) || (s.label != "benign" && !flagged) || (s.label == "malicious" && r.Status != modelscan.StatusMalicious)
		if *verbose && wrong {
			fmt.Printf("%-10s %-11s %-14s %s\n", s.label, r.Status, r.Format, s.file)
			for _, f := range r.Findings {
				if f.Severity != modelscan.SeverityInfo {
					fmt.Printf("    %-8s %s %s %s\n", f.Severity, f.Rule, f.Member, oneLine(f.Global))
				}
			}
		}
	}
	fmt.Printf("%-10s %5s %8s %10s %11s %12s %6s %6s\n", "label", "n", "flagged", "malicious", "suspicious", "unscannable", "error", "clean")
	for _, l := range []string{"malicious", "suspicious", "benign"} {
		t := totals[l]
		if t == nil {
			t = &tally{}
		}
		fmt.Printf("%-10s %5d %8d %10d %11d %12d %6d %6d\n", l, t.n, t.flagged(), t.malicious, t.suspicious, t.unscannable, t.errors, t.clean)
	}
	m, su, b := at(totals, "malicious"), at(totals, "suspicious"), at(totals, "benign")
	fmt.Println()
	fmt.Printf("malicious flagged        %s  (goal >= 0.98)\n", rate(m.flagged(), m.n))
	fmt.Printf("malicious as malicious   %s  (goal >= 0.90)\n", rate(m.malicious, m.n))
	fmt.Printf("suspicious flagged       %s  (goal >= 0.85)\n", rate(su.flagged(), su.n))
	fmt.Printf("benign false alarms      %s  %s (goal <= 1 in 60)\n", rate(b.flagged(), b.n), oneIn(b.flagged(), b.n))
	if *by {
		fmt.Println()
		names := make([]string, 0, len(groups))
		for g := range groups {
			names = append(names, g)
		}
		sort.Strings(names)
		for _, g := range names {
			for _, l := range []string{"malicious", "suspicious", "benign"} {
				if t := groups[g][l]; t != nil {
					fmt.Printf("%-44s %-10s n=%-3d flagged=%-3d malicious=%-3d unscannable=%-3d error=%d\n", g, l, t.n, t.flagged(), t.malicious, t.unscannable, t.errors)
				}
			}
		}
	}
}

func at(m map[string]*tally, k string) tally {
	if t := m[k]; t != nil {
		return *t
	}
	return tally{}
}

func count(m map[string]*tally, label string, st modelscan.Status) {
	t := m[label]
	if t == nil {
		t = &tally{}
		m[label] = t
	}
	t.n++
	switch st {
	case modelscan.StatusMalicious:
		t.malicious++
	case modelscan.StatusSuspicious:
		t.suspicious++
	case modelscan.StatusUnscannable:
		t.unscannable++
	case modelscan.StatusError:
		t.errors++
	default:
		t.clean++
	}
}

func group(file string) string {
	parts := strings.Split(file, "/")
	if len(parts) > 2 {
		return strings.Join(parts[:2], "/")
	}
	return parts[0]
}

func rate(k, n int) string {
	if n == 0 {
		return "  n/a"
	}
	return fmt.Sprintf("%.3f (%d/%d)", float64(k)/float64(n), k, n)
}

func oneIn(k, n int) string {
	if k == 0 {
		return fmt.Sprintf("= 0 in %d", n)
	}
	return fmt.Sprintf("= 1 in %.1f", float64(n)/float64(k))
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}

func readTSV(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 8 {
			return nil, fmt.Errorf("%s:%d: want 8 columns, got %d", path, line+1, len(cols))
		}
		switch cols[1] {
		case "malicious", "suspicious", "benign":
		default:
			return nil, fmt.Errorf("%s:%d: label %q", path, line+1, cols[1])
		}
		out = append(out, sample{file: cols[0], label: cols[1], why: cols[2], sha: cols[6]})
	}
	return out, sc.Err()
}

func checkSHA(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: sha256 %s, the label is for %s", path, got, want)
	}
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "score:", err)
	os.Exit(1)
}
