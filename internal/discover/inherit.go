package discover

import (
	"path"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

// inheritLicenses gives every weight file the license it falls under when
// nothing about the file itself says so: the license of the model card of
// its directory (or the one above, as modelForDir looks), stated there; or,
// uncarded, the license of the repository — the nearest license file in
// its directory or above — recorded as inherited (license.source =
// repository, license.location = that file), so that an uncarded weight
// file committed to an MIT repository is MIT, not a license exception.
func (s *session) inheritLicenses() {
	cards := map[string]asset.Sighting{} // dir -> model card declaring a license
	files := map[string]asset.Sighting{} // dir -> first license file there
	for _, f := range s.sightings {
		switch {
		case f.Kind == asset.KindModel && f.Detector == "card.front_matter" && f.License != "":
			cards[path.Dir(f.Path)] = f
		case f.Kind == asset.KindLicense && f.License != "" && f.License != "NOASSERTION":
			d := path.Dir(f.Path)
			if prev, ok := files[d]; !ok || asset.SightingLess(f, prev) {
				files[d] = f
			}
		}
	}
	if len(cards) == 0 && len(files) == 0 {
		return
	}
	for i := range s.sightings {
		w := &s.sightings[i]
		if w.Kind != asset.KindWeights || w.License != "" || w.Path == "" {
			continue
		}
		dir := path.Dir(w.Path)
		if c, ok := cards[dir]; ok {
			w.License = c.License
			w.Props = withProps(w.Props, map[string]string{license.FindingLocation: c.Path})
			continue
		}
		if c, ok := cards[path.Dir(dir)]; ok && dir != "." {
			w.License = c.License
			w.Props = withProps(w.Props, map[string]string{license.FindingLocation: c.Path})
			continue
		}
		for d := dir; ; d = path.Dir(d) {
			if l, ok := files[d]; ok {
				w.License = l.License
				w.Props = withProps(w.Props, map[string]string{
					license.FindingSource:   license.SourceRepository,
					license.FindingLocation: l.Path,
				})
				break
			}
			if d == "." || d == "/" || d == "" {
				break
			}
		}
	}
}

// withProps returns a copy of a with b's entries added: detectors may share
// one Props map between sightings.
func withProps(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
