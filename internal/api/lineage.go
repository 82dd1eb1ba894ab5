package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mlbom/autopilot/internal/property"
)

// The lineage picture: the application, the models it uses, the base models
// those derive from, and the datasets and weight files behind them, as
// columns left to right with the BOM's dependency edges between them. It is
// laid out here and drawn by the template as inline SVG, so it needs no
// script and shows the same in every browser.

// lineageBOM is the part of a stored BOM the picture needs; decoding only
// this is several times cheaper than the full CycloneDX model on a 5k
// component BOM.
type lineageBOM struct {
	Metadata struct {
		Component struct {
			BOMRef string `json:"bom-ref"`
			Name   string `json:"name"`
		} `json:"component"`
	} `json:"metadata"`
	Components []struct {
		BOMRef     string `json:"bom-ref"`
		Name       string `json:"name"`
		Group      string `json:"group"`
		Properties []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"properties"`
	} `json:"components"`
	Dependencies []struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	} `json:"dependencies"`
}

// Geometry of the picture, in SVG user units.
const (
	lineageColW     = 230.0
	lineageColGap   = 70.0
	lineageNodeH    = 26.0
	lineageNodeGap  = 8.0
	lineageTop      = 34.0 // room for the column titles
	lineageMaxPer   = 14   // nodes shown per column; the rest are counted
	lineageLabelLen = 30
)

type lineageNode struct {
	Ref, Label, Short, Kind string
	Class                   string // CSS class: kind and verdict
	X, Y, W, H              float64
	TextX, TextY            float64
	More                    bool // the "+N more" box
}

type lineageEdge struct {
	Path string // SVG path data
}

type lineageColumn struct {
	Title string
	X     float64
	Count int
}

type lineage struct {
	Width, Height float64
	Columns       []lineageColumn
	Nodes         []lineageNode
	Edges         []lineageEdge
	Empty         bool
}

// lineageGraph is what the picture is drawn from: kinds, names and edges of
// one stored BOM. Stored versions never change, so it is parsed once per
// version and cached.
type lineageGraph struct {
	app  string
	kind map[string]string
	name map[string]string
	deps map[string][]string
}

// parseLineage reads the graph from a stored BOM.
func parseLineage(bomJSON []byte) (*lineageGraph, error) {
	var b lineageBOM
	if err := json.Unmarshal(bomJSON, &b); err != nil {
		return nil, fmt.Errorf("decode BOM for lineage: %w", err)
	}
	g := &lineageGraph{kind: map[string]string{}, name: map[string]string{}, deps: map[string][]string{}}
	for _, c := range b.Components {
		for _, p := range c.Properties {
			if p.Name == property.AssetKind {
				g.kind[c.BOMRef] = p.Value
			}
		}
		n := c.Name
		if c.Group != "" {
			n = c.Group + "/" + c.Name
		}
		g.name[c.BOMRef] = n
	}
	for _, d := range b.Dependencies {
		g.deps[d.Ref] = d.DependsOn
	}
	g.app = b.Metadata.Component.BOMRef
	g.name[g.app] = cmp.Or(b.Metadata.Component.Name, "application")
	return g, nil
}

// buildLineage lays out the lineage of a BOM; verdicts colours nodes by
// their worst finding.
func buildLineage(bomJSON []byte, verdicts map[string]string) (lineage, error) {
	g, err := parseLineage(bomJSON)
	if err != nil {
		return lineage{}, err
	}
	return g.layout(verdicts), nil
}

// layout places the graph's nodes in columns and routes its edges.
func (g *lineageGraph) layout(verdicts map[string]string) lineage {
	kind, name, deps, app := g.kind, g.name, g.deps, g.app

	// Base models: models another model depends on.
	base := map[string]bool{}
	for ref, on := range deps {
		if kind[ref] != "model" {
			continue
		}
		for _, o := range on {
			if kind[o] == "model" {
				base[o] = true
			}
		}
	}
	var models, bases, data []string
	inData := map[string]bool{}
	for ref, k := range kind {
		switch {
		case k == "model" && base[ref]:
			bases = append(bases, ref)
		case k == "model":
			models = append(models, ref)
		case k == "dataset" || k == "weights":
			// Only what a model (or the app) uses directly belongs in the
			// picture; stray files are in the component table.
			inData[ref] = true
		}
	}
	used := map[string]bool{}
	for _, o := range deps[app] {
		used[o] = true
	}
	for _, m := range append(append([]string{}, models...), bases...) {
		for _, o := range deps[m] {
			used[o] = true
		}
	}
	for ref := range inData {
		if used[ref] {
			data = append(data, ref)
		}
	}
	byName := func(a, b string) int { return cmp.Or(cmp.Compare(kind[a], kind[b]), cmp.Compare(name[a], name[b])) }
	slices.SortFunc(models, byName)
	slices.SortFunc(bases, byName)
	slices.SortFunc(data, byName)

	cols := [][]string{{app}, models, bases, data}
	titles := []string{"Application", "Models", "Base models", "Datasets and weights"}
	l := lineage{Empty: len(models)+len(bases)+len(data) == 0}
	pos := map[string]lineageNode{}
	tallest := 0
	for i, refs := range cols {
		x := float64(i) * (lineageColW + lineageColGap)
		l.Columns = append(l.Columns, lineageColumn{Title: titles[i], X: x, Count: len(refs)})
		shown := refs
		if len(refs) > lineageMaxPer {
			shown = refs[:lineageMaxPer-1]
		}
		for j, ref := range shown {
			y := lineageTop + float64(j)*(lineageNodeH+lineageNodeGap)
			k := kind[ref]
			if ref == app {
				k = "app"
			}
			n := lineageNode{Ref: ref, Label: name[ref], Short: shorten(name[ref], lineageLabelLen), Kind: k,
				Class: "node " + k + " v-" + cmp.Or(verdicts[ref], "pass"),
				X:     x, Y: y, W: lineageColW, H: lineageNodeH, TextX: x + 8, TextY: y + 17}
			l.Nodes = append(l.Nodes, n)
			pos[ref] = n
		}
		if len(shown) < len(refs) {
			y := lineageTop + float64(len(shown))*(lineageNodeH+lineageNodeGap)
			rest := len(refs) - len(shown)
			l.Nodes = append(l.Nodes, lineageNode{Label: fmt.Sprintf("%d more in the table below", rest), Short: fmt.Sprintf("+%d more", rest),
				Class: "node more", X: x, Y: y, W: lineageColW, H: lineageNodeH, TextX: x + 8, TextY: y + 17, More: true})
		}
		tallest = max(tallest, min(len(refs), lineageMaxPer))
	}
	// Edges between nodes that are both drawn, in a stable order.
	froms := make([]string, 0, len(deps))
	for ref := range deps {
		froms = append(froms, ref)
	}
	slices.Sort(froms)
	for _, from := range froms {
		a, ok := pos[from]
		if !ok {
			continue
		}
		for _, to := range deps[from] {
			bn, ok := pos[to]
			if !ok || bn.X <= a.X {
				continue
			}
			x1, y1 := a.X+a.W, a.Y+a.H/2
			x2, y2 := bn.X, bn.Y+bn.H/2
			mid := (x1 + x2) / 2
			l.Edges = append(l.Edges, lineageEdge{Path: fmt.Sprintf("M%s %s C%s %s %s %s %s %s",
				num(x1), num(y1), num(mid), num(y1), num(mid), num(y2), num(x2), num(y2))})
		}
	}
	l.Width = float64(len(cols))*(lineageColW+lineageColGap) - lineageColGap + 2
	l.Height = lineageTop + float64(max(tallest, 1))*(lineageNodeH+lineageNodeGap) + 4
	return l
}

func num(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}
