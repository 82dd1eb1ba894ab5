package activities

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/store"
)

// RuntimeMerge is what a scan learned from the tracer about its project:
// components seen at runtime, by tier, and the two gaps between the BOM and
// production.
type RuntimeMerge struct {
	Observations int `json:"observations"` // runtime rows of the project within RuntimeWindow
	Observed     int `json:"observed"`     // components seen at runtime
	Verified     int `json:"verified"`     // of those, with a matching SHA-256
	// DeclaredUnused: model and weight components nobody was seen loading
	// (only reported when the project has runtime observations at all).
	DeclaredUnused []string `json:"declaredUnused,omitempty"`
	// UsedUndeclared: model files loaded by the project's processes that no
	// component of the repository accounts for; they are added to the BOM
	// with mlbom:runtime.declared=false.
	UsedUndeclared []string `json:"usedUndeclared,omitempty"`
}

// maxListedGaps bounds the lists in a workflow payload.
const maxListedGaps = 50

// mergeRuntime marks the inventory's components with what the tracer saw of
// the project: runtime.observed, last seen and tier on matching components,
// and a component for each model file used but not declared. It returns nil
// when the store keeps no observations or the project has none.
func (a *Activities) mergeRuntime(ctx context.Context, project string, inv *inventory.Inventory) (*RuntimeMerge, error) {
	rs, ok := a.Store.(RuntimeStore)
	if !ok {
		return nil, nil
	}
	obs, err := rs.QueryObservations(ctx, store.ObservationQuery{Project: project, Since: a.now().Add(-RuntimeWindow), Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("read runtime observations: %w", err)
	}
	if len(obs) == 0 {
		return nil, nil
	}
	m := &RuntimeMerge{Observations: len(obs)}
	used := make([]bool, len(obs))
	for i := range inv.Components {
		c := &inv.Components[i]
		for j, o := range obs {
			tier, hit := runtimeMatch(c, o)
			if !hit {
				continue
			}
			used[j] = true
			c.RuntimeObserved = true
			if o.SeenAt.After(c.RuntimeLastSeen) {
				c.RuntimeLastSeen = o.SeenAt
			}
			if tier == store.TierVerified || c.RuntimeTier == "" {
				c.RuntimeTier = tier
			}
		}
		if c.RuntimeObserved {
			m.Observed++
			if c.RuntimeTier == store.TierVerified {
				m.Verified++
			}
		} else if c.Kind == asset.KindWeights || c.Kind == asset.KindModel {
			m.DeclaredUnused = appendBounded(m.DeclaredUnused, c.BOMRef)
		}
	}
	// Model files the project's processes loaded that nothing declares.
	added := map[string]bool{}
	for j, o := range obs {
		if used[j] || o.Kind != store.ObservedPath || added[o.Value] {
			continue
		}
		added[o.Value] = true
		ref := "runtime:file:" + o.Value
		inv.Components = append(inv.Components, inventory.Component{
			BOMRef: ref, Kind: asset.KindWeights, Name: o.Value, SHA256: o.SHA256,
			Description:     fmt.Sprintf("loaded at runtime by %s on %s; no file of the repository accounts for it", o.Comm, o.Node),
			Occurrences:     []inventory.Occurrence{{Path: o.Value, Detector: "runtime", Confidence: 1}},
			Confidence:      1,
			RuntimeObserved: true, RuntimeLastSeen: o.SeenAt, RuntimeTier: o.Tier, RuntimeUndeclared: true,
		})
		m.UsedUndeclared = appendBounded(m.UsedUndeclared, ref)
	}
	sort.Slice(inv.Components, func(i, j int) bool { return inv.Components[i].BOMRef < inv.Components[j].BOMRef })
	return m, nil
}

func appendBounded(list []string, v string) []string {
	if len(list) >= maxListedGaps {
		return list
	}
	return append(list, v)
}

// runtimeMatch says whether observation o is component c, and how sure.
func runtimeMatch(c *inventory.Component, o store.Observation) (string, bool) {
	switch o.Kind {
	case store.ObservedPath:
		if c.SHA256 != "" && o.SHA256 != "" && strings.EqualFold(c.SHA256, o.SHA256) {
			return store.TierVerified, true
		}
		if pathSuffix(o.Value, c.Name) {
			return store.TierObserved, true
		}
		// A Hugging Face model is loaded from the hub cache:
		// .../models--ORG--NAME/snapshots/REV/FILE.
		if c.Kind == asset.KindModel && strings.Contains(c.Name, "/") &&
			strings.Contains(o.Value, "/models--"+strings.ReplaceAll(c.Name, "/", "--")+"/") {
			return store.TierObserved, true
		}
		for _, occ := range c.Occurrences {
			if pathSuffix(o.Value, occ.Path) && (c.Kind == asset.KindWeights || c.Kind == asset.KindDataset) {
				return store.TierObserved, true
			}
		}
	case store.ObservedEndpoint:
		if c.URL != "" {
			if u, err := url.Parse(c.URL); err == nil && strings.EqualFold(u.Hostname(), o.Value) {
				return store.TierObserved, true
			}
		}
	}
	return "", false
}
