package main

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/license"
)

// Predicted is one asset the tool reported, reduced to what matching needs.
type Predicted struct {
	Kind     string   // a label kind: model, weights, dataset, prompt, tool, agent, mcp-server, mcp-tool, license
	Names    []string // spellings to compare: the name, group/name, ...
	Occ      []location
	Excluded bool     // marked scope: excluded (test or example code)
	Licenses []string // SPDX keys of the component (weights license attribution)
	Detector string
}

func (p Predicted) label() string {
	name := ""
	if len(p.Names) > 0 {
		name = p.Names[0]
	}
	at := ""
	if len(p.Occ) > 0 {
		at = fmt.Sprintf(" at %s:%d", p.Occ[0].path, p.Occ[0].line)
	}
	return fmt.Sprintf("%s %q%s (%s)", p.Kind, name, at, p.Detector)
}

// Counts are the outcome of one category.
type Counts struct {
	TP, FN, FP, Dup, ByLocation int
	ScopeOK, ScopeChecked       int
}

func (c *Counts) add(o Counts) {
	c.TP += o.TP
	c.FN += o.FN
	c.FP += o.FP
	c.Dup += o.Dup
	c.ByLocation += o.ByLocation
	c.ScopeOK += o.ScopeOK
	c.ScopeChecked += o.ScopeChecked
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (c Counts) Recall() float64    { return ratio(c.TP, c.TP+c.FN) }
func (c Counts) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Outcome is the scoring of one repository.
type Outcome struct {
	ByCategory map[string]*Counts
	Misses     []string
	FalsePos   []string
	Dups       []string
	ScopeWrong []string
	// Weights whose label names a license: how many components carry it.
	WeightLicenseOK, WeightLicenseChecked int
	WeightLicenseWrong                    []string
}

// locationSlack is how far apart a labelled line and a reported line may be
// and still be the same prompt (a finding may point at the assignment, the
// string's first line or the call that uses it).
const locationSlack = 2

var reSeparators = regexp.MustCompile(`[\s_\-]+`)

var hubPrefixes = []string{"https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf://", "hf.co/"}

// normName makes two spellings of one identity compare equal: case, Hub URL
// prefixes, a trailing slash; for code-level names (prompts, tools, agents,
// MCP) runs of spaces, underscores and hyphens are one separator.
func normName(kind, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range hubPrefixes {
		if strings.HasPrefix(s, p) {
			s = strings.TrimPrefix(s, p)
			s = strings.TrimPrefix(s, "datasets/")
			break
		}
	}
	s = strings.TrimSuffix(s, "/")
	switch labelCategory[kind] {
	case "prompt", "tool", "mcp":
		s = reSeparators.ReplaceAllString(s, "-")
	case "model", "dataset":
		if strings.HasPrefix(s, "./") {
			s = path.Clean(s)
		}
	}
	return s
}

// licenseKey normalizes a license name and the directory it governs.
func licenseKey(name, declaredIn string) string {
	return license.Normalize(name).Key() + "@" + path.Dir(path.Clean(declaredIn))
}

func labelKeys(l Label) []string {
	if l.Kind == "license" {
		return []string{licenseKey(l.Name, l.Path)}
	}
	var keys []string
	for _, n := range append([]string{l.Name}, l.Aliases...) {
		if n != "" {
			keys = append(keys, normName(l.Kind, n))
		}
	}
	return keys
}

func predKeys(p Predicted) []string {
	var keys []string
	for _, n := range p.Names {
		if n == "" {
			continue
		}
		if p.Kind == "license" {
			keys = append(keys, n) // already a licenseKey
			continue
		}
		keys = append(keys, normName(p.Kind, n))
	}
	return keys
}

func near(a []location, b []location) bool {
	for _, x := range a {
		for _, y := range b {
			if x.path == y.path && x.line-y.line <= locationSlack && y.line-x.line <= locationSlack {
				return true
			}
		}
	}
	return false
}

func labelLocations(l Label) []location {
	var out []location
	for _, a := range l.At {
		loc, err := parseLocation(a)
		if err == nil {
			out = append(out, loc)
		}
	}
	return out
}

func describe(l Label) string {
	name := l.Name
	if name == "" {
		name = "(anonymous)"
	}
	s := fmt.Sprintf("%s %q at %s", l.Kind, name, strings.Join(l.At, ", "))
	if l.Scope != "" {
		s += " [" + l.Scope + "]"
	}
	return s
}

// Score matches reported assets against labels, category by category.
//
// A reported asset matches a label of the same category when one of its
// normalized names equals the label's name or an alias. Prompts, which the
// tool may name after their constant or after their file, also match by
// location: same file and a line within locationSlack of an evidence line.
// Each label takes at most one reported asset; further reported assets with
// a matching name are duplicates (listed, counted neither way). Reported
// assets that match nothing are false positives, unmatched required labels
// are misses; optional labels only absorb what matches them.
func Score(labels []Label, preds []Predicted) *Outcome {
	out := &Outcome{ByCategory: map[string]*Counts{}}
	for _, c := range categories {
		out.ByCategory[c] = &Counts{}
	}
	matched := make([]bool, len(labels)) // label -> has a match
	used := make([]int, len(preds))      // pred -> label index+1, or -1 duplicate
	byKey := map[string][]int{}          // category|key -> label indexes
	for i, l := range labels {
		for _, k := range labelKeys(l) {
			ck := labelCategory[l.Kind] + "|" + k
			byKey[ck] = append(byKey[ck], i)
		}
	}
	// Name matches first; among labels of the same name (two STARTER_PROMPT
	// constants in different files) prefer the one whose evidence is near.
	for pi, p := range preds {
		cat := labelCategory[p.Kind]
		var cands []int
		seen := map[int]bool{}
		for _, k := range predKeys(p) {
			for _, li := range byKey[cat+"|"+k] {
				if !seen[li] {
					seen[li] = true
					cands = append(cands, li)
				}
			}
		}
		if len(cands) == 0 {
			continue
		}
		sort.SliceStable(cands, func(a, b int) bool {
			na, nb := near(labelLocations(labels[cands[a]]), p.Occ), near(labelLocations(labels[cands[b]]), p.Occ)
			if na != nb {
				return na
			}
			return matched[cands[a]] == false && matched[cands[b]]
		})
		li := cands[0]
		if matched[li] {
			used[pi] = -1
			continue
		}
		matched[li] = true
		used[pi] = li + 1
	}
	byLocation := map[int]bool{}
	for pi, p := range preds {
		if used[pi] != 0 || labelCategory[p.Kind] != "prompt" {
			continue
		}
		dup := false
		for li, l := range labels {
			if labelCategory[l.Kind] != "prompt" || !near(labelLocations(l), p.Occ) {
				continue
			}
			if matched[li] {
				// The same text repeated in another file, reported again.
				dup = true
				continue
			}
			matched[li] = true
			used[pi] = li + 1
			byLocation[li] = true
			break
		}
		if used[pi] == 0 && dup {
			used[pi] = -1
		}
	}
	for li, l := range labels {
		c := out.ByCategory[labelCategory[l.Kind]]
		switch {
		case l.Optional:
		case matched[li]:
			c.TP++
			if byLocation[li] {
				c.ByLocation++
			}
		default:
			c.FN++
			out.Misses = append(out.Misses, describe(l))
		}
	}
	for pi, p := range preds {
		c := out.ByCategory[labelCategory[p.Kind]]
		switch {
		case used[pi] == -1:
			c.Dup++
			out.Dups = append(out.Dups, p.label())
		case used[pi] == 0:
			c.FP++
			out.FalsePos = append(out.FalsePos, p.label())
		default:
			l := labels[used[pi]-1]
			if l.Optional {
				continue
			}
			if l.Kind != "license" {
				c.ScopeChecked++
				if p.Excluded == (l.Scope != "") {
					c.ScopeOK++
				} else {
					out.ScopeWrong = append(out.ScopeWrong, fmt.Sprintf("%s: reported excluded=%t", describe(l), p.Excluded))
				}
			}
			if l.Kind == "weights" && l.License != "" {
				out.WeightLicenseChecked++
				want := license.Normalize(l.License).Key()
				ok := false
				for _, have := range p.Licenses {
					ok = ok || have == want
				}
				if ok {
					out.WeightLicenseOK++
				} else {
					out.WeightLicenseWrong = append(out.WeightLicenseWrong, fmt.Sprintf("%s: want %s, reported %v", l.Name, want, p.Licenses))
				}
			}
		}
	}
	sort.Strings(out.Misses)
	sort.Strings(out.FalsePos)
	sort.Strings(out.Dups)
	sort.Strings(out.ScopeWrong)
	sort.Strings(out.WeightLicenseWrong)
	return out
}
