package bom

import (
	"fmt"
	"slices"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Annotate returns a stored BOM (JSON) with decisions added as annotations:
// the document a reader of that version gets (`mlbom bom`, the API, a
// signer). Annotations already in the document stay; an identical one is not
// repeated; the result is sorted, so the same decisions always give the same
// bytes. Without decisions the document is returned as it is.
//
// Annotations are about the content, not part of it: ContentHash ignores
// them, so a version's content hash is the same before and after its
// decisions, and a diff compares components only.
func Annotate(bomJSON []byte, decisions []Approval) ([]byte, error) {
	if len(decisions) == 0 {
		return bomJSON, nil
	}
	b, err := Decode(bomJSON)
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	refs := map[string]bool{}
	appRef := ""
	if b.Metadata != nil && b.Metadata.Component != nil {
		appRef = b.Metadata.Component.BOMRef
		refs[appRef] = true
	}
	if b.Components != nil {
		for _, c := range *b.Components {
			refs[c.BOMRef] = true
		}
	}
	if b.Services != nil {
		for _, s := range *b.Services {
			refs[s.BOMRef] = true
		}
	}
	ts := time.Time{}
	if b.Metadata != nil {
		ts, _ = time.Parse(time.RFC3339, b.Metadata.Timestamp)
	}
	var all []cdx.Annotation
	if b.Annotations != nil {
		all = append(all, *b.Annotations...)
	}
	for _, d := range decisions {
		a := annotation(d, appRef, refs, ts)
		if !slices.ContainsFunc(all, func(x cdx.Annotation) bool { return sameAnnotation(x, a) }) {
			all = append(all, a)
		}
	}
	sortAnnotations(all)
	b.Annotations = &all
	return EncodeJSON(b)
}

func sameAnnotation(a, b cdx.Annotation) bool {
	if a.Text != b.Text || a.Timestamp != b.Timestamp {
		return false
	}
	if (a.Subjects == nil) != (b.Subjects == nil) {
		return false
	}
	return a.Subjects == nil || slices.Equal(*a.Subjects, *b.Subjects)
}
