// Package sarif writes scan results as SARIF 2.1.0 (OASIS), the format code
// scanning services (GitHub, GitLab) ingest: policy findings located at the
// file and line where the component was found, and model-file scanner
// findings at the file and byte offset.
//
// Locations are repository-relative URIs under the uriBaseId SRCROOT, so a
// CI job that scanned its checkout uploads them as they are. A finding with
// no file (e.g. about a Kubernetes object) carries the component as a
// logical location. Each result has a partialFingerprints entry from the
// finding's stable ID, so a finding that persists across scans stays one
// alert.
package sarif

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/property"
	"github.com/mlbom/autopilot/internal/store"
)

// Version and schema written.
const (
	Version = "2.1.0"
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// SrcRoot is the uriBaseId of every location.
	SrcRoot = "SRCROOT"
)

// Log is a SARIF log (the subset this package writes).
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one tool run.
type Run struct {
	Tool               Tool                     `json:"tool"`
	OriginalURIBaseIDs map[string]ArtifactPlace `json:"originalUriBaseIds,omitempty"`
	Results            []Result                 `json:"results"`
}

// Tool describes mlbom and its rules.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool component.
type Driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Rule is one reportingDescriptor.
type Rule struct {
	ID                   string         `json:"id"`
	ShortDescription     Text           `json:"shortDescription"`
	DefaultConfiguration Config         `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

// Config is a rule's default configuration.
type Config struct {
	Level string `json:"level"`
}

// Text is a message.
type Text struct {
	Text string `json:"text"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Text              `json:"message"`
	Locations           []Location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

// Location is a physical and/or logical location.
type Location struct {
	PhysicalLocation *Physical `json:"physicalLocation,omitempty"`
	LogicalLocations []Logical `json:"logicalLocations,omitempty"`
}

// Physical is a file and region.
type Physical struct {
	ArtifactLocation ArtifactPlace `json:"artifactLocation"`
	Region           *Region       `json:"region,omitempty"`
}

// ArtifactPlace is an artifactLocation.
type ArtifactPlace struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a line (text files) or byte offset (binary files).
type Region struct {
	StartLine  int    `json:"startLine,omitempty"`
	ByteOffset *int64 `json:"byteOffset,omitempty"`
}

// Logical names a component.
type Logical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

// Level maps a severity: critical and high are errors, medium warnings, the
// rest notes.
func Level(severity string) string {
	switch strings.ToLower(severity) {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score GitHub sorts security alerts by.
func securitySeverity(severity string) string {
	switch strings.ToLower(severity) {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "3.0"
	}
	return "1.0"
}

// Scan describes one scan to report.
type Scan struct {
	// BOM is the scan's CycloneDX JSON: where components were found, and the
	// model-file scanner's findings (vulnerabilities).
	BOM []byte
	// Findings are the policy findings of the scan.
	Findings    []store.Finding
	ToolVersion string
	// Root is the scanned directory, recorded as SRCROOT when set.
	Root string
}

// FromScan builds the SARIF log of a scan.
func FromScan(s Scan) (*Log, error) {
	b, err := bom.Decode(s.BOM)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	places := locate(b)
	rules := map[string]*Rule{}
	worst := map[string]int{}
	var results []Result
	rank := map[string]int{"note": 0, "warning": 1, "error": 2}
	add := func(rule, desc, severity string, r Result) {
		if _, ok := rules[rule]; !ok {
			rules[rule] = &Rule{ID: rule, ShortDescription: Text{desc}, Properties: map[string]any{"tags": []string{"security", "ml-bom"}}}
		}
		if l := Level(severity); rank[l] >= worst[rule] {
			worst[rule] = rank[l]
			rules[rule].DefaultConfiguration = Config{Level: l}
			rules[rule].Properties["security-severity"] = securitySeverity(severity)
		}
		r.RuleID, r.Level = rule, Level(severity)
		results = append(results, r)
	}

	for _, f := range s.Findings {
		msg := f.Message
		if f.Remediation != "" {
			msg += " Remediation: " + f.Remediation
		}
		r := Result{Message: Text{msg}, Locations: places.of(f.Component),
			PartialFingerprints: map[string]string{"mlbomFinding/v1": f.ID},
			Properties:          map[string]any{"severity": f.Severity, "component": f.Component, "policy": f.Policy}}
		add(f.Policy, "mlbom policy "+f.Policy, f.Severity, r)
	}

	if b.Vulnerabilities != nil {
		for _, v := range *b.Vulnerabilities {
			props := map[string]string{}
			if v.Properties != nil {
				for _, p := range *v.Properties {
					props[p.Name] = p.Value
				}
			}
			file := props[property.ModelscanFile]
			if file == "" {
				continue
			}
			sev := "medium"
			if v.Ratings != nil && len(*v.Ratings) > 0 {
				sev = string((*v.Ratings)[0].Severity)
			}
			region := &Region{}
			if off, err := strconv.ParseInt(props[property.ModelscanOffset], 10, 64); err == nil && props[property.ModelscanMember] == "" {
				region.ByteOffset = &off
			} else {
				region = nil
			}
			msg := v.Description
			if m := props[property.ModelscanMember]; m != "" {
				msg = "[" + m + "] " + msg
			}
			if msg == "" {
				msg = v.ID
			}
			r := Result{Message: Text{msg},
				Locations:           []Location{{PhysicalLocation: &Physical{ArtifactLocation: artifact(file), Region: region}}},
				PartialFingerprints: map[string]string{"mlbomModelscan/v1": v.ID + "@" + file + "#" + props[property.ModelscanOffset]},
				Properties:          map[string]any{"severity": sev, "modelscanRule": props[property.ModelscanRule], "global": props[property.ModelscanGlobal]}}
			add(v.ID, "mlbom model-file scanner: "+props[property.ModelscanRule], sev, r)
		}
	}

	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	run := Run{Tool: Tool{Driver: Driver{Name: "mlbom", Version: s.ToolVersion, InformationURI: "https://github.com/mlbom/autopilot"}}}
	for i, id := range ids {
		index[id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, *rules[id])
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []Rule{}
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].RuleID < results[j].RuleID })
	for i := range results {
		results[i].RuleIndex = index[results[i].RuleID]
	}
	if results == nil {
		results = []Result{}
	}
	run.Results = results
	if s.Root != "" {
		if abs, err := filepath.Abs(s.Root); err == nil {
			u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}
			run.OriginalURIBaseIDs = map[string]ArtifactPlace{SrcRoot: {URI: u.String()}}
		}
	}
	return &Log{Schema: Schema, Version: Version, Runs: []Run{run}}, nil
}

// Write encodes the log as indented JSON.
func (l *Log) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}

func artifact(p string) ArtifactPlace {
	return ArtifactPlace{URI: (&url.URL{Path: p}).String(), URIBaseID: SrcRoot}
}

// places maps bom-refs to where the BOM says the component was found.
type places map[string][]Location

func (p places) of(ref string) []Location {
	if ls, ok := p[ref]; ok {
		return ls
	}
	if ref == "" {
		return []Location{}
	}
	return []Location{{LogicalLocations: []Logical{{Name: ref, FullyQualifiedName: ref, Kind: "resource"}}}}
}

// maxLocations per result: the first places a component appears are enough
// to find it; hundreds would drown the alert.
const maxLocations = 5

func locate(b *cdx.BOM) places {
	out := places{}
	var walk func(cs *[]cdx.Component)
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, c := range *cs {
			walk(c.Components)
			if c.Evidence == nil || c.Evidence.Occurrences == nil {
				continue
			}
			for _, o := range *c.Evidence.Occurrences {
				if o.Location == "" || len(out[c.BOMRef]) >= maxLocations {
					continue
				}
				ph := &Physical{ArtifactLocation: artifact(o.Location)}
				if o.Line != nil && *o.Line > 0 {
					ph.Region = &Region{StartLine: *o.Line}
				}
				out[c.BOMRef] = append(out[c.BOMRef], Location{PhysicalLocation: ph})
			}
		}
	}
	walk(b.Components)
	if b.Services != nil {
		for _, s := range *b.Services {
			if s.Properties == nil {
				continue
			}
			for _, p := range *s.Properties {
				if p.Name != property.Occurrence || len(out[s.BOMRef]) >= maxLocations {
					continue
				}
				file, line := p.Value, 0
				if i := strings.LastIndex(p.Value, ":"); i > 0 {
					if n, err := strconv.Atoi(p.Value[i+1:]); err == nil {
						file, line = p.Value[:i], n
					}
				}
				ph := &Physical{ArtifactLocation: artifact(file)}
				if line > 0 {
					ph.Region = &Region{StartLine: line}
				}
				out[s.BOMRef] = append(out[s.BOMRef], Location{PhysicalLocation: ph})
			}
		}
	}
	return out
}
