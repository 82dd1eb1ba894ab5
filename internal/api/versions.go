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
// encoded as format: the stored JSON as is, or XML converted from it.
func StoredBOM(ctx context.Context, db VersionReader, project string, number int, format string) (store.Version, []byte, error) {
	if format != FormatJSON && format != FormatXML {
		return store.Version{}, nil, badRequest("format takes json or xml, not %q", format)
	}
	v, err := db.GetVersion(ctx, project, number)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("read %s version %s: %w", project, versionName(number), err)
	}
	if format == FormatJSON {
		return v, v.BOM, nil
	}
	b, err := bom.Decode(v.BOM)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("decode %s version %d: %w", project, v.Number, err)
	}
	data, err := bom.EncodeXML(b)
	if err != nil {
		return store.Version{}, nil, fmt.Errorf("encode %s version %d as XML: %w", project, v.Number, err)
	}
	return v, data, nil
}

func versionName(n int) string {
	if n <= 0 {
		return "latest"
	}
	return fmt.Sprint(n)
}
