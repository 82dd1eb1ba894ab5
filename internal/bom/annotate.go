package bom

import (
	"bytes"
	"encoding/json"
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
	// What the annotations need of the document, read without decoding it:
	// a 10k-component BOM takes as long to decode and encode as to build.
	// Stored BOMs are this package's own pretty-printed encoding, which the
	// byte searches below rely on.
	appRef, ts, err := metadataHead(bomJSON)
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	refs := map[string]bool{appRef: true}
	for _, d := range decisions {
		q, _ := json.Marshal(d.Component) // escaped as the encoder escapes
		if bytes.Contains(bomJSON, append([]byte(`"bom-ref": `), q...)) {
			refs[d.Component] = true
		}
	}
	var all []cdx.Annotation
	var legacy *cdx.BOM
	if bytes.Contains(bomJSON, []byte("\n  \"annotations\": ")) {
		// Versions stored before decisions were kept apart have some.
		if legacy, err = Decode(bomJSON); err != nil {
			return nil, fmt.Errorf("annotate: %w", err)
		}
		if legacy.Annotations != nil {
			all = append(all, *legacy.Annotations...)
		}
	}
	for _, d := range decisions {
		a := annotation(d, appRef, refs, ts)
		if !slices.ContainsFunc(all, func(x cdx.Annotation) bool { return sameAnnotation(x, a) }) {
			all = append(all, a)
		}
	}
	sortAnnotations(all)
	if legacy != nil {
		legacy.Annotations = &all
		return EncodeJSON(legacy)
	}
	return appendMember(bomJSON, "annotations", all)
}

// metadataHead reads the top-level members up to metadata and returns the
// metadata component's bom-ref and the timestamp; the rest of the document
// is not read.
func metadataHead(doc []byte) (string, time.Time, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", time.Time{}, fmt.Errorf("the BOM is not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", time.Time{}, fmt.Errorf("decode bom: %w", err)
		}
		if t != "metadata" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", time.Time{}, fmt.Errorf("decode bom: %w", err)
			}
			continue
		}
		var md struct {
			Timestamp string `json:"timestamp"`
			Component *struct {
				BOMRef string `json:"bom-ref"`
			} `json:"component"`
		}
		if err := dec.Decode(&md); err != nil {
			return "", time.Time{}, fmt.Errorf("decode bom metadata: %w", err)
		}
		ts, _ := time.Parse(time.RFC3339, md.Timestamp)
		if md.Component == nil {
			return "", ts, nil
		}
		return md.Component.BOMRef, ts, nil
	}
	return "", time.Time{}, nil
}

// appendMember adds "name": v as the last member of the top-level object of
// a pretty-printed JSON document, indented as the encoder indents.
func appendMember(doc []byte, name string, v any) ([]byte, error) {
	body := bytes.TrimRight(doc, " \t\r\n")
	if len(body) == 0 || body[len(body)-1] != '}' {
		return nil, fmt.Errorf("annotate: the BOM is not a JSON object")
	}
	body = bytes.TrimRight(body[:len(body)-1], " \t\r\n")
	val, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return nil, fmt.Errorf("annotate: encode annotations: %w", err)
	}
	key, _ := json.Marshal(name)
	out := make([]byte, 0, len(body)+len(val)+len(key)+16)
	out = append(out, body...)
	if body[len(body)-1] != '{' {
		out = append(out, ',')
	}
	out = append(out, "\n  "...)
	out = append(out, key...)
	out = append(out, ": "...)
	out = append(out, val...)
	out = append(out, "\n}\n"...)
	return out, nil
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
