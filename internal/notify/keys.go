package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/policy"
)

// severityRank orders severities, worst first.
var severityRank = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

var severities = []string{"critical", "high", "medium", "low", "info"}

func rank(sev string) int {
	if r, ok := severityRank[strings.ToLower(sev)]; ok {
		return r
	}
	return len(severities) // unknown sorts last
}

// keyed is an open finding with its ledger key ("<project>|<finding ID>")
// and the short form used in Jira labels and Slack metadata.
type keyed struct {
	f     policy.Finding
	key   string
	short string
}

// ledgerKey carries the project so resolution can select one project's rows:
// the ledger has no project column.
func ledgerKey(project, findingID string) string { return project + "|" + findingID }

// shortKey is 12 hex digits of sha256(key): 48 bits, ample to tell apart a
// project's findings, and short enough for labels and message metadata.
func shortKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// openFindings keys the batch's findings, drops waived ones (an approval
// covers them) and duplicates, and sorts worst first, then by ID, so every
// attempt builds identical messages.
func openFindings(b Batch) []keyed {
	seen := map[string]bool{}
	var out []keyed
	for _, f := range b.Findings {
		if f.Waived || f.ID == "" || seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		k := ledgerKey(b.Project, f.ID)
		out = append(out, keyed{f: f, key: k, short: shortKey(k)})
	}
	sortKeyed(out)
	return out
}

func sortKeyed(ks []keyed) {
	sort.SliceStable(ks, func(i, j int) bool {
		ri, rj := rank(ks[i].f.Severity), rank(ks[j].f.Severity)
		if ri != rj {
			return ri < rj
		}
		return ks[i].f.ID < ks[j].f.ID
	})
}

// batchKey names one delivery: the same findings give the same key on every
// attempt, which makes it usable as an idempotency key.
func batchKey(channel, project string, ks []keyed) string {
	shorts := make([]string, len(ks))
	for i, k := range ks {
		shorts[i] = k.short
	}
	sort.Strings(shorts)
	h := sha256.New()
	h.Write([]byte(channel + "\x00" + project + "\x00"))
	h.Write([]byte(strings.Join(shorts, ",")))
	return "mlbom-" + hex.EncodeToString(h.Sum(nil)[:10])
}

func ids(ks []keyed) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.f.ID
	}
	return out
}

// countBySeverity returns counts in severity order, unknown severities last.
func countBySeverity(ks []keyed) map[string]int {
	c := map[string]int{}
	for _, k := range ks {
		s := strings.ToLower(k.f.Severity)
		if _, ok := severityRank[s]; !ok {
			s = "unknown"
		}
		c[s]++
	}
	return c
}

func chunk(ks []keyed, n int) [][]keyed {
	var out [][]keyed
	for len(ks) > n {
		out = append(out, ks[:n])
		ks = ks[n:]
	}
	if len(ks) > 0 {
		out = append(out, ks)
	}
	return out
}
