package api

import (
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/bomdiff"
	"github.com/mlbom/autopilot/internal/store"
)

// VersionReader is what the version helpers need of the store.
type VersionReader interface {
	GetVersion(ctx context.Context, project string, number int) (store.Version, error)
	VersionDecisions(ctx context.Context, project string, version int) ([]store.Approval, error)
}

// DiffVersions compares two stored versions of project, with the semantics of
// `mlbom diff`: to <= 0 is the latest version, from < 0 the one before to,
// and from 0 (or to being version 1) diffs against nothing, so everything is
// added. A missing version is store.ErrNotFound.
func DiffVersions(ctx context.Context, db VersionReader, project string, from, to int) (*bomdiff.Result, error) {
	newer, err := db.GetVersion(ctx, project, to)
	if err != nil {
		return nil, fmt.Errorf("read %s version %s: %w", project, versionName(to), err)
	}
	nb, err := bom.Decode(newer.BOM)
	if err != nil {
		return nil, fmt.Errorf("decode %s version %d: %w", project, newer.Number, err)
	}
	if from < 0 {
		from = newer.Number - 1
	}
	var res *bomdiff.Result
	if from == 0 {
		res = bomdiff.Diff(nil, nb)
	} else {
		older, err := db.GetVersion(ctx, project, from)
		if err != nil {
			return nil, fmt.Errorf("read %s version %d: %w", project, from, err)
		}
		ob, err := bom.Decode(older.BOM)
		if err != nil {
			return nil, fmt.Errorf("decode %s version %d: %w", project, from, err)
		}
		res = bomdiff.Diff(ob, nb)
	}
	res.Project, res.From, res.To = project, from, newer.Number
	return res, nil
}

// BOM formats and their media types.
const (
	FormatJSON = "json"
	FormatXML  = "xml"

	MediaTypeJSON = "application/vnd.cyclonedx+json; version=1.6"
	MediaTypeXML  = "application/vnd.cyclonedx+xml; version=1.6"
)

// StoredBOM returns version number of project (the latest when number <= 0)
// as readers see it: the stored document with the decisions recorded for
// that version (license exceptions approved, rejected or timed out in its
// scan, and earlier approvals that waived its findings) as annotations,
// encoded as format (JSON, or XML converted from it). It is the one read
// path: `mlbom bom`, `mlbom scan -o`, the API and whoever signs a version
// call it. A version's decisions are complete once the scan that stored it
// has completed (store.Scan.Status "completed"); v.ContentHash does not
// depend on them (bom.ContentHash ignores annotations).
func StoredBOM(ctx context.Context, db VersionReader, project string, number int, format string) (store.Version, []byte, error) {
	if format != FormatJSON && format != FormatXML {
		return store.Version{}, nil, badRequest("format takes json or xml, not %q", format)
	}
	v, err := db.GetVersion(ctx, project, number)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("read %s version %s: %w", project, versionName(number), err)
	}
	decisions, err := db.VersionDecisions(ctx, project, v.Number)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("read decisions of %s version %d: %w", project, v.Number, err)
	}
	data, err := bom.Annotate(v.BOM, BOMDecisions(decisions))
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("annotate %s version %d: %w", project, v.Number, err)
	}
	if format == FormatJSON {
		return v, data, nil
	}
	b, err := bom.Decode(data)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("decode %s version %d: %w", project, v.Number, err)
	}
	xml, err := bom.EncodeXML(b)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("encode %s version %d as XML: %w", project, v.Number, err)
	}
	return v, xml, nil
}

// BOMDecisions converts stored decisions to the annotations' input.
func BOMDecisions(in []store.Approval) []bom.Approval {
	out := make([]bom.Approval, 0, len(in))
	for _, a := range in {
		out = append(out, bom.Approval{
			Component: a.Component, License: a.License, Decision: a.Decision, Approver: a.Approver, Reason: a.Reason,
			Time: a.CreatedAt, Expires: a.Expires, ScanID: a.ScanID, Version: a.Version,
		})
	}
	return out
}

func versionName(n int) string {
	if n <= 0 {
		return "latest"
	}
	return fmt.Sprint(n)
}
