package inventory

import (
	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

// statedLicense is one license statement and where it was made.
type statedLicense struct {
	l    License
	from license.Provenance
}

// licenseProvenance is where finding f's License was declared: the Hub or
// the repository's license when the finding says so (license.FindingSource),
// else the file and line the finding was made at.
func licenseProvenance(f asset.Sighting) license.Provenance {
	switch f.Props[license.FindingSource] {
	case license.SourceHub:
		return license.Provenance{Source: license.SourceHub, Revision: clean(f.Props[license.FindingRevision])}
	case license.SourceRepository:
		return license.Provenance{Source: license.SourceRepository, Location: cleanPath(f.Props[license.FindingLocation])}
	}
	if at := f.Props[license.FindingLocation]; at != "" {
		return license.Provenance{Source: license.SourceFile, Location: cleanPath(at)}
	}
	return license.Provenance{Source: license.SourceFile, Location: license.FileLocation(f.Path, max(f.Line, 0))}
}

// cardWithLicense is the first finding whose card declares a license.
func cardWithLicense(fs []asset.Sighting) (asset.Sighting, bool) {
	for _, f := range fs {
		if f.Card != nil && (f.Card.License != "" || f.Card.LicenseName != "") {
			return f, true
		}
	}
	return asset.Sighting{}, false
}

// licenseFrom is the provenance of c's licenses: the places that state the
// licenses c kept, or, when c has none, one unknown entry with the reason.
func licenseFrom(c *Component, stated []statedLicense, fs []asset.Sighting) []license.Provenance {
	if len(c.Licenses) == 0 {
		return []license.Provenance{unknownProvenance(c, fs)}
	}
	return statedBy(c.Licenses, stated)
}

// statedBy is the provenance of the statements of the licenses kept after
// merging: a statement of a license that was dropped (an unreadable mention
// beside a declared license) is no source of truth.
func statedBy(kept []License, stated []statedLicense) []license.Provenance {
	keys := map[string]bool{}
	for _, l := range kept {
		keys[licenseKey(l)] = true
	}
	var out []license.Provenance
	for _, s := range stated {
		if keys[licenseKey(s.l)] {
			out = append(out, s.from)
		}
	}
	return license.SortProvenance(out)
}

// licenseKey is the key mergeLicenses dedupes by; every unknown license
// shares one.
func licenseKey(l License) string {
	if !license.License(l).Known() {
		return license.NoAssertion
	}
	return l.ID + "|" + l.Expression
}

// unknownProvenance says why nothing is known of c's license. A look-up that
// failed says so on the findings (license.FindingReason); one that read the
// Hub and found nothing leaves the revision it read. Without either, an
// asset published elsewhere was simply not looked up, while one that lives
// in the repository has nothing that declares its license.
func unknownProvenance(c *Component, fs []asset.Sighting) license.Provenance {
	for _, f := range fs {
		if r := f.Props[license.FindingReason]; r != "" {
			return license.Provenance{Source: license.SourceUnknown, Reason: clean(r)}
		}
	}
	for _, f := range fs {
		if rev := f.Props[license.FindingRevision]; rev != "" {
			return license.Provenance{Source: license.SourceUnknown, Reason: license.ReasonNothingDeclared, Revision: clean(rev)}
		}
	}
	if c.Provider == "" || c.Provider == "local" {
		return license.Provenance{Source: license.SourceUnknown, Reason: license.ReasonNothingDeclared}
	}
	return license.Provenance{Source: license.SourceUnknown, Reason: license.ReasonNotLookedUp}
}
