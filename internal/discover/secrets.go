package discover

import (
	"maps"
	"slices"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/redact"
)

// redactSecrets masks the secrets detectors copied from the scanned files
// into sightings (an MCP server's --token flag or env value, credentials and
// api_key parameters in a client's base URL, a token pasted into a prompt)
// and records which kinds were present under asset.PropSecrets: the BOM
// says a secret was there without carrying it. Detectors that know more
// (a command line's flags) mask at the source and record the kinds the same
// way; this pass catches what any detector copied.
func redactSecrets(ss []asset.Sighting) {
	for i := range ss {
		s := &ss[i]
		kinds := splitKinds(s.Props[asset.PropSecrets])
		mask := func(v string) string {
			out, ks := redact.Scan(v)
			for _, k := range ks {
				kinds = append(kinds, string(k))
			}
			return out
		}
		s.Name, s.Version, s.URL = mask(s.Name), mask(s.Version), mask(s.URL)
		var masked map[string]string
		for k, v := range s.Props {
			if k == asset.PropSecrets {
				continue
			}
			if m := mask(v); m != v {
				if masked == nil {
					masked = map[string]string{}
				}
				masked[k] = m
			}
		}
		if len(kinds) == 0 {
			continue
		}
		slices.Sort(kinds)
		// A copy: detectors may share one Props map between sightings.
		props := maps.Clone(s.Props)
		if props == nil {
			props = map[string]string{}
		}
		maps.Copy(props, masked)
		props[asset.PropSecrets] = strings.Join(slices.Compact(kinds), ",")
		s.Props = props
	}
}

func splitKinds(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}
