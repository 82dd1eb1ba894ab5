package bom

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/inventory"
	"github.com/mlbom/autopilot/internal/property"
)

var update = flag.Bool("update", false, "rewrite golden files")

func buildFixture(t testing.TB, opts Options) (*cdx.BOM, []byte) {
	t.Helper()
	b, err := Build(fixtureInventory(), opts)
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(data); err != nil {
		t.Fatalf("fixture BOM is invalid: %v", err)
	}
	return b, data
}

var (
	tsRe     = regexp.MustCompile(`"timestamp": "[^"]*"`)
	serialRe = regexp.MustCompile(`"serialNumber": "[^"]*"`)
)

// redact removes what legitimately differs between two builds.
func redact(data []byte) []byte {
	data = tsRe.ReplaceAll(data, []byte(`"timestamp": "REDACTED"`))
	return serialRe.ReplaceAll(data, []byte(`"serialNumber": "REDACTED"`))
}

func TestGolden(t *testing.T) {
	_, data := buildFixture(t, Options{ToolVersion: "0.1.0-test", Approvals: fixtureApprovals()})
	got := redact(data)
	golden := filepath.Join("testdata", "fixture.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("BOM differs from %s (go test ./internal/bom -update to accept):\n%s", golden, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// TestContent checks the facts the golden file encodes, so a careless
// -update cannot bless a regression.
func TestContent(t *testing.T) {
	b, data := buildFixture(t, Options{ToolVersion: "1.2.3", Timestamp: fixedTime, SerialNumber: fixedSerial, Approvals: fixtureApprovals()})
	if b.SpecVersion != cdx.SpecVersion1_6 || !bytes.Contains(data, []byte(`"specVersion": "1.6"`)) {
		t.Fatalf("spec version: %v", b.SpecVersion)
	}
	md := b.Metadata
	if md.Timestamp != "2026-05-01T12:00:00Z" || b.SerialNumber != fixedSerial {
		t.Errorf("timestamp/serial: %s %s", md.Timestamp, b.SerialNumber)
	}
	tools := *md.Tools.Components
	if tools[0].Name != "mlbom" || tools[0].Version != "1.2.3" {
		t.Errorf("tool: %+v", tools[0])
	}
	app := md.Component
	if app.PackageURL != "pkg:github/acme/ticket-triage@0123456789abcdef0123456789abcdef01234567" || app.BOMRef != app.PackageURL {
		t.Errorf("application purl: %s ref %s", app.PackageURL, app.BOMRef)
	}
	if app.Licenses == nil || (*app.Licenses)[0].License.ID != "MIT" {
		t.Errorf("application license: %+v", app.Licenses)
	}
	if app.ExternalReferences == nil || (*app.ExternalReferences)[0].Type != cdx.ERTypeVCS {
		t.Errorf("application vcs ref: %+v", app.ExternalReferences)
	}
	if app.Pedigree == nil || (*app.Pedigree.Commits)[0].UID != "0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("application commit: %+v", app.Pedigree)
	}

	comps := map[string]cdx.Component{}
	for _, c := range *b.Components {
		comps[c.BOMRef] = c
		if propValue(c.Properties, property.AssetKind) == "" {
			t.Errorf("%s has no %s", c.BOMRef, property.AssetKind)
		}
		if c.Evidence == nil || c.Evidence.Identity == nil {
			t.Errorf("%s has no identity evidence", c.BOMRef)
		}
	}
	model, ok := comps["pkg:huggingface/acme/demo-sentiment"]
	if !ok {
		t.Fatalf("fine-tuned model missing; components: %v", keys(comps))
	}
	if model.Type != cdx.ComponentTypeMachineLearningModel || model.Supplier == nil || model.Supplier.Name != "acme" {
		t.Errorf("model: type %s supplier %+v", model.Type, model.Supplier)
	}
	// One component, every occurrence: card, config, code, and both weight files.
	occ := *model.Evidence.Occurrences
	var locs []string
	for _, o := range occ {
		l := o.Location
		if o.Line != nil {
			l += fmt.Sprintf(":%d", *o.Line)
		}
		locs = append(locs, l)
	}
	wantLocs := "app/classify.py:14,models/sentiment/README.md,models/sentiment/config.json,models/sentiment/model.safetensors,models/sentiment/pytorch_model.bin"
	if strings.Join(locs, ",") != wantLocs {
		t.Errorf("model occurrences = %s, want %s", strings.Join(locs, ","), wantLocs)
	}
	mc := model.ModelCard
	if mc == nil || mc.ModelParameters == nil {
		t.Fatal("model card missing")
	}
	if mc.ModelParameters.Task != "text-classification" || mc.ModelParameters.ArchitectureFamily != "distilbert" ||
		mc.ModelParameters.ModelArchitecture != "DistilBertForSequenceClassification" {
		t.Errorf("model parameters: %+v", mc.ModelParameters)
	}
	if ds := *mc.ModelParameters.Datasets; len(ds) != 1 || ds[0].Ref != "dataset:huggingface/stanfordnlp/sst2" {
		t.Errorf("datasets: %+v", ds)
	}
	if pm := *mc.QuantitativeAnalysis.PerformanceMetrics; pm[0].Type != "accuracy" || pm[0].Value != "0.91" {
		t.Errorf("metrics: %+v", pm)
	}
	if c := mc.Considerations; c == nil || len(*c.UseCases) != 1 || len(*c.TechnicalLimitations) != 1 || c.EnvironmentalConsiderations == nil {
		t.Errorf("considerations: %+v", c)
	}
	if got := propValue(model.Properties, property.CardCompleteness); got != "0.88" {
		t.Errorf("completeness = %s, want 0.88 (7 of 8)", got)
	}
	if got := propValue(model.Properties, property.CardMissing); got != "ethicalConsiderations" {
		t.Errorf("missing = %q", got)
	}
	if (*model.Licenses)[0].License.ID != "Apache-2.0" {
		t.Errorf("model license: %+v", (*model.Licenses)[0])
	}

	// The LFS weight file: hash from the pointer, size, format, linked to the model.
	lfs := comps["pkg:generic/models/sentiment/pytorch_model.bin"]
	if lfs.Type != cdx.ComponentTypeFile || (*lfs.Hashes)[0].Value != lfsOID || propValue(lfs.Properties, property.WeightsLFS) != "true" ||
		propValue(lfs.Properties, property.WeightsSize) != "267832560" || lfs.PackageURL != "pkg:generic/models/sentiment/pytorch_model.bin?checksum=sha256:"+lfsOID {
		t.Errorf("lfs weights: %+v", lfs)
	}
	deps := map[string][]string{}
	for _, d := range *b.Dependencies {
		if d.Dependencies != nil {
			deps[d.Ref] = *d.Dependencies
		} else {
			deps[d.Ref] = nil
		}
	}
	wantModelDeps := []string{
		"dataset:huggingface/stanfordnlp/sst2",
		"pkg:generic/models/sentiment/model.safetensors",
		"pkg:generic/models/sentiment/pytorch_model.bin",
		"pkg:huggingface/distilbert/distilbert-base-uncased",
	}
	if strings.Join(deps[model.BOMRef], " ") != strings.Join(wantModelDeps, " ") {
		t.Errorf("model deps = %v, want %v", deps[model.BOMRef], wantModelDeps)
	}
	appDeps := strings.Join(deps[app.BOMRef], " ")
	for _, want := range []string{model.BOMRef, "service:openai/gpt-4o-mini", "pkg:pypi/transformers@4.44.2", "prompt:prompts/triage.prompt", "tool:search_tickets", "agent:planner"} {
		if !strings.Contains(appDeps, want) {
			t.Errorf("application does not depend on %s: %s", want, appDeps)
		}
	}
	if _, ok := deps["pkg:generic/legacy/classifier.pkl"]; !ok {
		t.Error("unlinked weights have no dependency entry")
	}

	// The import of Transformers merged into the pinned manifest entry.
	tf := comps["pkg:pypi/transformers@4.44.2"]
	if tf.Type != cdx.ComponentTypeLibrary || len(*tf.Evidence.Occurrences) != 2 {
		t.Errorf("transformers: %+v", tf)
	}
	if _, ok := comps["pkg:pypi/openai"]; !ok {
		t.Errorf("a version range is no version: want pkg:pypi/openai, have %v", keys(comps))
	}
	llama := comps["pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"]
	if l := (*llama.Licenses)[0].License; l.Name != "Llama 3.1 Community License Agreement" || propValue(l.Properties, property.LicenseRef) != "LicenseRef-llama3.1" {
		t.Errorf("llama license: %+v", l)
	}
	if propValue(llama.Properties, property.Gated) != "true" {
		t.Error("gated not recorded")
	}
	if propValue(comps["pkg:huggingface/sentence-transformers/all-MiniLM-L6-v2@"+pinnedRev].Properties, property.RevisionPinned) != "true" {
		t.Error("pinned revision not recorded")
	}

	// Services.
	if b.Services == nil || len(*b.Services) != 1 {
		t.Fatalf("services: %+v", b.Services)
	}
	svc := (*b.Services)[0]
	if svc.BOMRef != "service:openai/gpt-4o-mini" || svc.Provider.Name != "OpenAI" || (*svc.Endpoints)[0] != "https://api.openai.com/v1" ||
		propValue(svc.Properties, property.AssetKind) != "service" || len(propValues(svc.Properties, property.Occurrence)) != 2 {
		t.Errorf("service: %+v", svc)
	}

	// Vulnerabilities from the scanner.
	if b.Vulnerabilities == nil || len(*b.Vulnerabilities) != 2 {
		t.Fatalf("vulnerabilities: %+v", b.Vulnerabilities)
	}
	v := (*b.Vulnerabilities)[0]
	if v.ID != "MLBOM-MS-pickle.denylisted-global" || (*v.Ratings)[0].Severity != cdx.SeverityCritical ||
		(*v.Affects)[0].Ref != "pkg:generic/legacy/classifier.pkl" || !strings.Contains(v.Detail, "global os.system") || v.Source.Name != VulnerabilitySource {
		t.Errorf("vulnerability: %+v", v)
	}

	// The approval.
	if b.Annotations == nil || len(*b.Annotations) != 1 {
		t.Fatalf("annotations: %+v", b.Annotations)
	}
	a := (*b.Annotations)[0]
	if a.Annotator.Individual.Name != "Ada Legal" || a.Timestamp != "2026-04-01T10:00:00Z" ||
		!strings.Contains(a.Text, "License exception approved for pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct (LicenseRef-llama3.1) by Ada Legal: internal evaluation only") ||
		(*a.Subjects)[0] != "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct" {
		t.Errorf("annotation: %+v", a)
	}
	if md.Properties == nil || len(propValues(md.Properties, property.Warning)) != 1 || len(propValues(md.Properties, property.Skipped)) != 1 {
		t.Errorf("scan warnings not carried: %+v", md.Properties)
	}
}

func propValue(p *[]cdx.Property, name string) string {
	if v := propValues(p, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func propValues(p *[]cdx.Property, name string) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, x := range *p {
		if x.Name == name {
			out = append(out, x.Value)
		}
	}
	return out
}

func keys(m map[string]cdx.Component) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDeterminism: scan twice (findings in a different order), compare ignoring timestamp and serial.
func TestDeterminism(t *testing.T) {
	_, a := buildFixture(t, Options{ToolVersion: "x"})
	res := fixtureFindings()
	// Reverse the finding order and the report order.
	for i, j := 0, len(res.Sightings)-1; i < j; i, j = i+1, j-1 {
		res.Sightings[i], res.Sightings[j] = res.Sightings[j], res.Sightings[i]
	}
	reps := fixtureReports()
	reps[0], reps[1] = reps[1], reps[0]
	inv := inventory.Normalize(inventory.Input{Source: fixtureSource(), Result: res, Reports: reps})
	bb, err := Build(inv, Options{ToolVersion: "x", Timestamp: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeJSON(bb)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("timestamps and serials should differ between builds")
	}
	if !bytes.Equal(redact(a), redact(b)) {
		t.Fatalf("builds differ beyond timestamp and serial:\n%s", firstDiff(string(redact(a)), string(redact(b))))
	}
	ha, err := ContentHash(a)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := ContentHash(b)
	if ha != hb || len(ha) != 64 {
		t.Fatalf("content hashes differ: %s %s", ha, hb)
	}
	// And the hash does see content.
	_, c := buildFixture(t, Options{ToolVersion: "y"})
	if hc, _ := ContentHash(c); hc == ha {
		t.Fatal("content hash ignores the tool version")
	}
}

func TestRoundTripJSON(t *testing.T) {
	_, data := buildFixture(t, Options{ToolVersion: "1", Timestamp: fixedTime, SerialNumber: fixedSerial, Approvals: fixtureApprovals()})
	b, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatalf("JSON round trip lost data:\n%s", firstDiff(string(data), string(again)))
	}
}

func TestRoundTripXML(t *testing.T) {
	orig, data := buildFixture(t, Options{ToolVersion: "1", Timestamp: fixedTime, SerialNumber: fixedSerial, Approvals: fixtureApprovals()})
	x, err := EncodeXML(orig)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(x)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatalf("XML round trip lost data:\n%s", firstDiff(string(data), string(again)))
	}
}

func TestOfficialExamplesValidate(t *testing.T) {
	files, _ := filepath.Glob("testdata/examples/*.json")
	if len(files) != 2 {
		t.Fatalf("want the two official ML examples, got %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if _, err := Decode(data); err != nil {
			t.Errorf("%s: decode: %v", f, err)
		}
	}
	// Each invalid example breaks one rule, and Validate must say where.
	invalid := map[string]string{
		"invalid-component-type-1.6.json":     "/components/0/type",
		"invalid-hash-sha256-1.6.json":        "/components/0/hashes/2/content",
		"invalid-license-id-1.6.json":         "/components/0/licenses/0",
		"invalid-metadata-timestamp-1.6.json": "/metadata/timestamp",
	}
	for name, path := range invalid {
		data, err := os.ReadFile(filepath.Join("testdata/examples/invalid", name))
		if err != nil {
			t.Fatal(err)
		}
		err = Validate(data)
		if err == nil {
			t.Errorf("%s validated", name)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name %s: %v", name, path, err)
		}
	}
}

// TestHostileText: names and prose from the repository are data.
func TestHostileText(t *testing.T) {
	evil := "</name><script>alert(1)</script>\"}],\x00\x01\x1b[31m\xff\xfe ]]> & &amp; \u2028\ufffe"
	res := &asset.Result{Sightings: []asset.Sighting{
		{Kind: asset.KindModel, Name: "acme/" + "x", Path: "a/" + evil + ".md", Line: 1, Detector: evil, Confidence: 2,
			Card: &asset.ModelCard{License: evil, Description: evil, IntendedUse: evil, Tags: []string{evil}, Metrics: []asset.Metric{{Type: evil, Value: evil}},
				BaseModel: []string{evil, "org/ok-base"}, Datasets: []string{evil}}},
		{Kind: asset.KindPrompt, Name: evil, Path: "p/" + evil, Props: map[string]string{evil: evil}},
		{Kind: asset.KindService, Name: evil, Provider: evil, URL: "https://x.example/" + evil, Path: "s.py", Line: 3},
		{Kind: asset.KindWeights, Name: evil, Path: evil, SHA256: "not-a-hash", Format: evil, Model: evil},
		{Kind: asset.KindFramework, Name: evil, Version: evil, Provider: "npm", Path: "package.json"},
	}}
	inv := inventory.Normalize(inventory.Input{Source: inventory.Source{Kind: "local", Name: evil, License: evil}, Result: res})
	b, err := Build(inv, Options{ToolVersion: evil, Approvals: []Approval{{Component: evil, Approver: evil, Reason: evil, License: evil}}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("invalid JSON")
	}
	if err := Validate(data); err != nil {
		t.Fatalf("hostile input breaks the schema: %v", err)
	}
	x, err := EncodeXML(b)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(x, []byte("<script>")) {
		t.Fatal("markup from the repository reached the XML unescaped")
	}
	if _, err := Decode(x); err != nil {
		t.Fatalf("XML with hostile text does not decode: %v", err)
	}
}

func TestBuildRejects(t *testing.T) {
	if _, err := Build(nil, Options{}); err == nil {
		t.Error("nil inventory accepted")
	}
	if _, err := Build(&inventory.Inventory{}, Options{SerialNumber: "42"}); err == nil {
		t.Error("bad serial accepted")
	}
	dup := &inventory.Inventory{Components: []inventory.Component{{BOMRef: "a", Name: "a", Kind: "tool"}, {BOMRef: "a", Name: "b", Kind: "tool"}}}
	if _, err := Build(dup, Options{}); err == nil {
		t.Error("duplicate bom-ref accepted")
	}
	// An empty inventory is still a valid BOM, with a random serial.
	b1, err := Build(&inventory.Inventory{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := Build(&inventory.Inventory{}, Options{})
	if b1.SerialNumber == b2.SerialNumber {
		t.Error("serial numbers are not random")
	}
	data, _ := EncodeJSON(b1)
	if err := Validate(data); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "{", "<bom", "[1,2]"} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
	if _, err := ContentHash([]byte("nope")); err == nil {
		t.Error("ContentHash accepted garbage")
	}
	if err := Validate([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":0}`)); err == nil || !strings.Contains(err.Error(), "/version") {
		t.Errorf("Validate: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	_, data := buildFixture(f, Options{Timestamp: fixedTime, SerialNumber: fixedSerial})
	f.Add(data)
	f.Add([]byte(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"></bom>`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := Decode(in)
		if err != nil {
			return
		}
		if _, err := EncodeJSON(b); err != nil {
			// A decoded BOM always re-encodes.
			t.Fatalf("re-encode: %v", err)
		}
	})
}

// TestPropertiesDocumented: every mlbom: property a built BOM carries is on
// the reference page. (Every name in package property is checked there too,
// by property's own test.)
func TestPropertiesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/properties.md")
	if err != nil {
		t.Fatal(err)
	}
	_, golden := buildFixture(t, Options{Timestamp: fixedTime, SerialNumber: fixedSerial, Approvals: fixtureApprovals()})
	names := regexp.MustCompile(`"name": "(mlbom:[a-z._-]+)"`).FindAllSubmatch(golden, -1)
	if len(names) < 20 {
		t.Fatalf("found only %d property names in the fixture BOM", len(names))
	}
	for _, m := range names {
		if !bytes.Contains(doc, []byte("`"+string(m[1])+"`")) {
			t.Errorf("%s is not documented in docs/properties.md", m[1])
		}
	}
}

// FuzzBuildText: any text from the repository yields a BOM that is valid JSON
// against the schema and XML that decodes.
func FuzzBuildText(f *testing.F) {
	for _, s := range []string{"org/model", "</name>", "\x00\xff", "a]]>b", "LicenseRef-x", "mit OR (", "\u2028"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, prose string) {
		res := &asset.Result{Sightings: []asset.Sighting{
			{Kind: asset.KindModel, Name: name, Path: name, Line: 1, Detector: name, Confidence: 0.5, License: prose,
				Card: &asset.ModelCard{Description: prose, BaseModel: []string{name}, Datasets: []string{prose}, Tags: []string{prose}}},
			{Kind: asset.KindService, Name: name, Provider: prose, Path: "a.py", URL: "https://" + prose},
			{Kind: asset.KindPrompt, Name: prose, Path: name, Props: map[string]string{name: prose}},
		}}
		inv := inventory.Normalize(inventory.Input{Source: inventory.Source{Name: name, URL: prose, License: prose}, Result: res})
		b, err := Build(inv, Options{ToolVersion: prose, Timestamp: fixedTime, SerialNumber: fixedSerial})
		if err != nil {
			return // duplicate refs from degenerate names are reported, not written
		}
		data, err := EncodeJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(data); err != nil {
			t.Fatalf("invalid BOM for %q / %q: %v", name, prose, err)
		}
		x, err := EncodeXML(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(x); err != nil {
			t.Fatalf("XML does not decode for %q / %q: %v", name, prose, err)
		}
	})
}

func TestSingleFileModelCarriesItsWeightsHash(t *testing.T) {
	sha := strings.Repeat("cd", 32)
	inv := inventory.Normalize(inventory.Input{Source: inventory.Source{Kind: "git", Name: "app"}, Result: &asset.Result{Sightings: []asset.Sighting{
		{Kind: asset.KindModel, Name: "solo", Path: "m/README.md", Detector: "card.front_matter", Provider: "local"},
		{Kind: asset.KindWeights, Name: "m/model.safetensors", Path: "m/model.safetensors", Detector: "weights.magic", SHA256: sha, Model: "solo"},
		{Kind: asset.KindModel, Name: "sharded", Path: "s/README.md", Detector: "card.front_matter", Provider: "local"},
		{Kind: asset.KindWeights, Name: "s/a.safetensors", Path: "s/a.safetensors", Detector: "weights.magic", SHA256: strings.Repeat("01", 32), Model: "sharded"},
		{Kind: asset.KindWeights, Name: "s/b.safetensors", Path: "s/b.safetensors", Detector: "weights.magic", SHA256: strings.Repeat("02", 32), Model: "sharded"},
	}}})
	b, err := Build(inv, Options{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range *b.Components {
		if c.Type != cdx.ComponentTypeMachineLearningModel {
			continue
		}
		switch c.Name {
		case "solo":
			if c.Hashes == nil || (*c.Hashes)[0].Value != sha {
				t.Errorf("solo model hashes = %v, want its one weight file's %s", c.Hashes, sha)
			}
		case "sharded":
			if c.Hashes != nil {
				t.Errorf("sharded model should keep hashes on its shards, got %v", *c.Hashes)
			}
		}
	}
}

func TestXMLFromStoredJSONHasNamespace(t *testing.T) {
	_, data := buildFixture(t, Options{ToolVersion: "test"})
	b, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	x, err := EncodeXML(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(x), `xmlns="http://cyclonedx.org/schema/bom/1.6"`) {
		t.Fatalf("XML from a JSON-decoded BOM lacks the 1.6 namespace:\n%.300s", x)
	}
}

func TestRevisionPinnedOnlyForOutsideModels(t *testing.T) {
	inv := inventory.Normalize(inventory.Input{Source: inventory.Source{Kind: "git", Name: "app"}, Result: &asset.Result{Sightings: []asset.Sighting{
		{Kind: asset.KindModel, Name: "in-repo", Path: "m/README.md", Detector: "card.front_matter", Provider: "local"},
		{Kind: asset.KindModel, Name: "org/remote", Path: "app.py", Line: 3, Detector: "python.from_pretrained", Provider: "huggingface"},
	}}})
	b, err := Build(inv, Options{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]string{}
	for _, c := range *b.Components {
		for _, p := range *c.Properties {
			if p.Name == property.RevisionPinned {
				pinned[c.Name] = p.Value
			}
		}
	}
	if _, ok := pinned["in-repo"]; ok {
		t.Errorf("a model kept in the repository has %s", property.RevisionPinned)
	}
	if pinned["remote"] != "false" {
		t.Errorf("an unpinned Hugging Face reference: %s = %q, want false", property.RevisionPinned, pinned["remote"])
	}
}
