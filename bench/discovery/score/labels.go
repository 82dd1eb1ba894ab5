package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest lists the labelled repositories and how to get them.
type Manifest struct {
	Repos []Repo `yaml:"repos"`
}

// Repo is one labelled repository pinned to a commit.
type Repo struct {
	Name   string `yaml:"name"` // directory name under the clones directory
	URL    string `yaml:"url"`
	Commit string `yaml:"commit"`
	Kind   string `yaml:"kind"`
	// Subdir, when set, is the scan root inside the clone; label paths are
	// relative to it.
	Subdir string `yaml:"subdir,omitempty"`
	// Absent lists files of the commit that the labels do not cover (the
	// stored snapshot lacked them); clone.sh leaves them out of the checkout.
	Absent []string `yaml:"absent,omitempty"`
}

// LabelFile is labels/<name>.yaml.
type LabelFile struct {
	Repo   string  `yaml:"repo"`
	Subdir string  `yaml:"subdir,omitempty"`
	Note   string  `yaml:"note,omitempty"`
	Assets []Label `yaml:"assets"`
}

// Label is one asset a human found by reading the repository.
type Label struct {
	Kind     string   `yaml:"kind"`
	Name     string   `yaml:"name,omitempty"`
	Aliases  []string `yaml:"aliases,omitempty"`
	Provider string   `yaml:"provider,omitempty"`
	// Path is the declaring file of a license.
	Path string `yaml:"path,omitempty"`
	// Scope is test or example when every occurrence is in test or example
	// code; empty for assets the shipped code uses.
	Scope string `yaml:"scope,omitempty"`
	// Optional assets are acceptable but not required: finding them is
	// neither a hit nor a false positive, missing them is not a miss.
	Optional bool `yaml:"optional,omitempty"`
	// License an uncarded or carded weight file falls under (SPDX).
	License string   `yaml:"license,omitempty"`
	At      []string `yaml:"at"`
	Note    string   `yaml:"note,omitempty"`
}

// Label kinds and the categories the scorer reports.
var labelCategory = map[string]string{
	"model": "model", "weights": "model",
	"dataset":    "dataset",
	"prompt":     "prompt",
	"tool":       "tool",
	"agent":      "tool",
	"mcp-server": "mcp",
	"mcp-tool":   "mcp",
	"license":    "license",
}

// Categories in report order.
var categories = []string{"model", "dataset", "prompt", "tool", "mcp", "license"}

// location is a file:line evidence entry.
type location struct {
	path string
	line int
}

func parseLocation(s string) (location, error) {
	i := strings.LastIndex(s, ":")
	if i <= 0 {
		return location{}, fmt.Errorf("evidence %q: want path:line", s)
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return location{}, fmt.Errorf("evidence %q: bad line number", s)
	}
	return location{path: path.Clean(s[:i]), line: n}, nil
}

func readManifest(file string) (*Manifest, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	seen := map[string]bool{}
	for _, r := range m.Repos {
		if r.Name == "" || r.URL == "" || len(r.Commit) != 40 {
			return nil, fmt.Errorf("%s: repository %q needs name, url and a 40-hex commit", file, r.Name)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("%s: repository %q listed twice", file, r.Name)
		}
		seen[r.Name] = true
	}
	return &m, nil
}

// readLabels loads and checks one label file.
func readLabels(file string) (*LabelFile, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var lf LabelFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&lf); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for i, l := range lf.Assets {
		where := fmt.Sprintf("%s: asset %d (%s %q)", filepath.Base(file), i+1, l.Kind, l.Name)
		if _, ok := labelCategory[l.Kind]; !ok {
			return nil, fmt.Errorf("%s: unknown kind", where)
		}
		if l.Name == "" && l.Kind != "prompt" {
			return nil, fmt.Errorf("%s: only prompts may be anonymous", where)
		}
		if l.Kind == "license" && l.Path == "" {
			return nil, fmt.Errorf("%s: a license needs the path of its declaring file", where)
		}
		if l.Scope != "" && l.Scope != "test" && l.Scope != "example" {
			return nil, fmt.Errorf("%s: scope is test or example", where)
		}
		if len(l.At) == 0 {
			return nil, fmt.Errorf("%s: no evidence (at)", where)
		}
		for _, a := range l.At {
			if _, err := parseLocation(a); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return &lf, nil
}

// checkEvidence verifies that every evidence line exists in the checkout, so
// a label set and a clone at another commit do not silently disagree.
func checkEvidence(root string, lf *LabelFile) []string {
	var problems []string
	lines := map[string]int{}
	count := func(p string) int {
		if n, ok := lines[p]; ok {
			return n
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		n := -1
		if err == nil {
			n = strings.Count(string(data), "\n") + 1
		}
		lines[p] = n
		return n
	}
	for _, l := range lf.Assets {
		for _, a := range l.At {
			loc, _ := parseLocation(a)
			n := count(loc.path)
			switch {
			case n < 0:
				problems = append(problems, fmt.Sprintf("%s %q: %s does not exist", l.Kind, l.Name, loc.path))
			case loc.line > n:
				problems = append(problems, fmt.Sprintf("%s %q: %s has %d lines, evidence says %d", l.Kind, l.Name, loc.path, n, loc.line))
			}
		}
	}
	sort.Strings(problems)
	return problems
}
