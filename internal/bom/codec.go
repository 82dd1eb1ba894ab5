package bom

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// EncodeJSON writes the BOM as pretty-printed CycloneDX 1.6 JSON. The output
// is stable: Build sorts everything, so equal BOMs give equal bytes.
func EncodeJSON(b *cdx.BOM) ([]byte, error) {
	if b == nil {
		return nil, errors.New("encode bom: nil bom")
	}
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := encode(enc, b); err != nil {
		return nil, fmt.Errorf("encode bom json: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodeXML writes the BOM as CycloneDX 1.6 XML. Repository text in it is
// escaped by encoding/xml; characters XML cannot carry were removed by Build.
func EncodeXML(b *cdx.BOM) ([]byte, error) {
	if b == nil {
		return nil, errors.New("encode bom: nil bom")
	}
	if b.XMLNS == "" {
		// A BOM decoded from JSON has no namespace; XML readers need it.
		cp := *b
		cp.XMLNS = xmlNamespace
		b = &cp
	}
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatXML)
	enc.SetPretty(true)
	if err := encode(enc, b); err != nil {
		return nil, fmt.Errorf("encode bom xml: %w", err)
	}
	return buf.Bytes(), nil
}

func encode(enc cdx.BOMEncoder, b *cdx.BOM) error {
	if b.SpecVersion == cdx.SpecVersion1_6 {
		// Build already produces 1.6; EncodeVersion would deep-copy the BOM
		// through gob only to change nothing.
		return enc.Encode(b)
	}
	return enc.EncodeVersion(b, cdx.SpecVersion1_6)
}

// Decode reads a CycloneDX BOM in JSON or XML (detected from the first byte).
func Decode(data []byte) (*cdx.BOM, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	if len(trimmed) == 0 {
		return nil, errors.New("decode bom: empty document")
	}
	format := cdx.BOMFileFormatJSON
	if trimmed[0] == '<' {
		format = cdx.BOMFileFormatXML
	}
	b := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(trimmed), format).Decode(b); err != nil {
		return nil, fmt.Errorf("decode bom: %w", err)
	}
	if format == cdx.BOMFileFormatXML {
		b.BOMFormat = cdx.BOMFormat
		if b.JSONSchema == "" && b.SpecVersion == cdx.SpecVersion1_6 {
			b.JSONSchema = jsonSchemaURL
		}
	}
	return b, nil
}

// ContentHash is the hex SHA-256 of the BOM's JSON with metadata.timestamp,
// serialNumber and annotations removed, keys sorted and whitespace dropped:
// two scans of the same commit have the same content hash, whatever people
// decided about them. Annotations (license-exception decisions) are about
// the content, not part of it; the document as read, decisions and all, is
// what a signature covers.
func ContentHash(bomJSON []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(bomJSON))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("content hash: parse bom: %w", err)
	}
	delete(doc, "serialNumber")
	delete(doc, "annotations")
	if md, ok := doc["metadata"].(map[string]any); ok {
		delete(md, "timestamp")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil { // encoding/json sorts map keys
		return "", fmt.Errorf("content hash: %w", err)
	}
	sum := sha256.Sum256(bytes.TrimSpace(buf.Bytes()))
	return hex.EncodeToString(sum[:]), nil
}

//go:embed schema/bom-1.6.schema.json schema/spdx.schema.json schema/jsf-0.82.schema.json
var schemaFS embed.FS

const (
	schemaBase    = "http://cyclonedx.org/schema/"
	jsonSchemaURL = schemaBase + "bom-1.6.schema.json"
	xmlNamespace  = "http://cyclonedx.org/schema/bom/1.6"
)

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// offline refuses every fetch: the three schema files are registered up
// front, and a $ref to anything else is a defect, not a reason to go online.
type offline struct{}

func (offline) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded (no network access)", url)
}

func compiled() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(offline{})
		// Upstream validates with format assertions on (date-time, iri, ...).
		c.AssertFormat()
		for _, name := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
			data, err := schemaFS.ReadFile("schema/" + name)
			if err != nil {
				schemaErr = fmt.Errorf("read embedded schema %s: %w", name, err)
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				schemaErr = fmt.Errorf("parse embedded schema %s: %w", name, err)
				return
			}
			// Registered by $id, as the spec repository's validator does.
			if err := c.AddResource(schemaBase+name, doc); err != nil {
				schemaErr = fmt.Errorf("add schema %s: %w", name, err)
				return
			}
		}
		schema, schemaErr = c.Compile(jsonSchemaURL)
		if schemaErr != nil {
			schemaErr = fmt.Errorf("compile CycloneDX 1.6 schema: %w", schemaErr)
		}
	})
	return schema, schemaErr
}

// Validate checks a JSON BOM against the official CycloneDX 1.6 JSON schema
// (embedded, with the SPDX and JSF schemas it references). The error names
// the instance path that failed.
func Validate(bomJSON []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bomJSON))
	if err != nil {
		return fmt.Errorf("validate bom: parse json: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("bom does not match the CycloneDX 1.6 schema: %s", describe(ve))
		}
		return fmt.Errorf("validate bom: %w", err)
	}
	return nil
}

// describe flattens a validation error tree to its leaves: "at /path: reason".
func describe(ve *jsonschema.ValidationError) string {
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, fmt.Sprintf("at '/%s': %s", joinPtr(e.InstanceLocation), e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	const max = 8
	if len(leaves) > max {
		leaves = append(leaves[:max], fmt.Sprintf("and %d more", len(leaves)-max))
	}
	out := ""
	for i, l := range leaves {
		if i > 0 {
			out += "; "
		}
		out += l
	}
	return out
}

func joinPtr(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "/"
		}
		out += s
	}
	return out
}
