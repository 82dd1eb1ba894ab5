package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mlbom/autopilot/internal/store"
)

// componentView is a component row with the verdict the findings of the
// scan that stored its version give it.
type componentView struct {
	store.ComponentRow
	Verdict  string `json:"verdict"` // deny, warn or pass
	Findings int    `json:"findings"`
}

// componentFilter narrows a component table; empty fields match all.
type componentFilter struct {
	Kind, License, Verdict string
	Words                  []string // each must appear in name, bom-ref, license or kind
}

// parseComponentFilter reads kind, license, verdict and q.
func parseComponentFilter(q url.Values) (componentFilter, error) {
	f := componentFilter{Kind: q.Get("kind"), License: q.Get("license"), Verdict: q.Get("verdict")}
	switch f.Verdict {
	case "", "deny", "warn", "pass":
	default:
		return f, badRequest("verdict takes deny, warn or pass, not %q", f.Verdict)
	}
	text := q.Get("q")
	if len(text) > maxQueryBytes {
		return f, badRequest("q is longer than %d bytes", maxQueryBytes)
	}
	f.Words = strings.Fields(strings.ToLower(text))
	return f, nil
}

func (f componentFilter) match(c componentView) bool {
	if f.Kind != "" && c.Kind != f.Kind {
		return false
	}
	if f.License != "" && !(f.License == "none" && c.License == "") && c.License != f.License {
		return false
	}
	if f.Verdict != "" && c.Verdict != f.Verdict {
		return false
	}
	if len(f.Words) > 0 {
		hay := strings.ToLower(c.Name + "\x00" + c.BOMRef + "\x00" + c.License + "\x00" + c.Kind + "\x00" + c.Version)
		for _, w := range f.Words {
			if !strings.Contains(hay, w) {
				return false
			}
		}
	}
	return true
}

// severityVerdict maps a finding severity to the verdict it stands for.
func severityVerdict(sev string) string {
	switch sev {
	case "deny", "error", "critical", "high":
		return "deny"
	case "warn", "medium":
		return "warn"
	}
	return "pass"
}

var verdictRank = map[string]int{"pass": 0, "warn": 1, "deny": 2}

// versionComponents returns the components of version (0: latest) of project
// with their verdicts, and the version read.
func (s *server) versionComponents(ctx context.Context, project string, number int) (store.Version, []componentView, error) {
	v, err := s.db.GetVersion(ctx, project, number)
	if err != nil {
		return v, nil, fmt.Errorf("read %s version %s: %w", project, versionName(number), err)
	}
	rows, err := s.cache.rows(ctx, s.db, v)
	if err != nil {
		return v, nil, err
	}
	findings, err := s.db.ListFindings(ctx, v.ScanID)
	if err != nil {
		return v, nil, err
	}
	worst := map[string]string{}
	count := map[string]int{}
	for _, f := range findings {
		vd := severityVerdict(f.Severity)
		count[f.Component]++
		if verdictRank[vd] > verdictRank[worst[f.Component]] || worst[f.Component] == "" {
			worst[f.Component] = vd
		}
	}
	out := make([]componentView, len(rows))
	for i, c := range rows {
		out[i] = componentView{ComponentRow: c, Verdict: cmp.Or(worst[c.BOMRef], "pass"), Findings: count[c.BOMRef]}
	}
	// Worst first, then by kind and name: what needs attention on top.
	slices.SortStableFunc(out, func(a, b componentView) int {
		return cmp.Or(cmp.Compare(verdictRank[b.Verdict], verdictRank[a.Verdict]), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return v, out, nil
}

func (s *server) components(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "version", "kind", "license", "verdict", "q")
	if err != nil {
		return err
	}
	number, err := intParam(q, "version", 0, 1, -1)
	if err != nil {
		return err
	}
	f, err := parseComponentFilter(q)
	if err != nil {
		return err
	}
	project := r.PathValue("project")
	v, all, err := s.versionComponents(r.Context(), project, number)
	if err != nil {
		return err
	}
	matched := make([]componentView, 0, len(all))
	for _, c := range all {
		if f.match(c) {
			matched = append(matched, c)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"project": project, "version": v.Number, "total": len(all), "matched": len(matched), "components": matched})
	return nil
}
