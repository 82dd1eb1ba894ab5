package main

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/license"
	"github.com/mlbom/autopilot/internal/source"
)

// discoverTree runs what the Scan step of `mlbom scan --local` runs on a
// local directory (source.Open, discover.Discover with default options, the
// source's own findings) and normalizes the result into the inventory the
// BOM is built from. Steps that need the network (Hub look-ups) or do not
// change the asset list (model-file scanning, provenance) are left out.
func discoverTree(ctx context.Context, dir string) (*inventory.Inventory, *asset.Result, error) {
	tree, err := source.Open(ctx, source.Spec{Source: dir}, source.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", dir, err)
	}
	defer tree.Close()
	res, err := discover.Discover(ctx, tree.FS, discover.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("discover %s: %w", dir, err)
	}
	res.Sightings = append(res.Sightings, tree.Sightings...)
	inv := inventory.Normalize(inventory.Input{
		Source: inventory.Source{Kind: tree.Kind, URL: tree.URL, Commit: tree.Commit, Name: tree.Name},
		Result: res,
	})
	return inv, res, nil
}

// predictedKind maps a component to a label kind; ok is false for kinds the
// labels do not cover (frameworks). A service is how the BOM lists a hosted
// model (discovery reports a service only for a hosted model id: gpt-4o,
// claude-..., a litellm route), so it is scored as the model it names.
func predictedKind(c inventory.Component) (string, bool) {
	switch c.Kind {
	case asset.KindModel, asset.KindService:
		return "model", true
	case asset.KindWeights:
		return "weights", true
	case asset.KindDataset:
		return "dataset", true
	case asset.KindPrompt:
		return "prompt", true
	case asset.KindAgent:
		return "agent", true
	case asset.KindTool:
		if c.Provider == "mcp" || isMCP(c) {
			if hasDetector(c, "mcp_server") {
				return "mcp-server", true
			}
			return "mcp-tool", true
		}
		return "tool", true
	}
	return "", false
}

func hasDetector(c inventory.Component, part string) bool {
	for _, o := range c.Occurrences {
		if strings.Contains(o.Detector, part) {
			return true
		}
	}
	return false
}

func isMCP(c inventory.Component) bool { return hasDetector(c, "mcp_") }

// excluded reports whether the tool marked the component as test or example
// code (CycloneDX scope "excluded").
func excluded(c inventory.Component) bool {
	return c.Props["scope"] == "excluded"
}

// predictions turns an inventory and the raw result into matchable assets.
func predictions(inv *inventory.Inventory, res *asset.Result) []Predicted {
	var out []Predicted
	for _, c := range inv.Components {
		kind, ok := predictedKind(c)
		if !ok {
			continue
		}
		p := Predicted{Kind: kind, Excluded: excluded(c)}
		p.Names = append(p.Names, c.Name)
		if c.Group != "" {
			p.Names = append(p.Names, c.Group+"/"+c.Name)
		}
		for _, o := range c.Occurrences {
			p.Occ = append(p.Occ, location{path: o.Path, line: o.Line})
		}
		var dets []string
		for _, o := range c.Occurrences {
			dets = appendUnique(dets, o.Detector)
		}
		p.Detector = strings.Join(dets, ",")
		for _, l := range c.Licenses {
			p.Licenses = append(p.Licenses, license.License(l).Key())
		}
		out = append(out, p)
		// A license read from a model or dataset card is a license of the
		// card's directory.
		for _, l := range c.Licenses {
			for _, o := range c.Occurrences {
				if strings.HasPrefix(o.Detector, "card") {
					out = appendLicense(out, license.License(l).Key(), o.Path, o.Line, o.Detector)
				}
			}
		}
	}
	for _, f := range res.Sightings {
		if f.Kind != asset.KindLicense {
			continue
		}
		raw := f.License
		if raw == "" {
			raw = f.Name
		}
		out = appendLicense(out, license.Normalize(raw).Key(), f.Path, f.Line, f.Detector)
	}
	return out
}

// appendLicense adds a license prediction once per key and directory.
func appendLicense(out []Predicted, key, file string, line int, det string) []Predicted {
	k := key + "@" + path.Dir(path.Clean(file))
	for i := range out {
		if out[i].Kind == "license" && out[i].Names[0] == k {
			out[i].Occ = append(out[i].Occ, location{path: file, line: line})
			return out
		}
	}
	return append(out, Predicted{Kind: "license", Names: []string{k}, Occ: []location{{path: file, line: line}}, Detector: det})
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
