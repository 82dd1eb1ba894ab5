package modelscan

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
)

// ParseSeverity parses a --fail-on value.
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo:
		return v, nil
	}
	return "", fmt.Errorf("severity %q: want critical, high, medium, low or info", s)
}

// AtLeast reports whether s is as severe as t or more.
func (s Severity) AtLeast(t Severity) bool { return rank(s) >= rank(t) && rank(s) > 0 }

// reportSeverity is the worst severity of a report. A file that could not
// be analysed (unscannable, error) counts as medium: it is not clean.
func reportSeverity(r Report) Severity {
	worst := Severity("")
	for _, f := range r.Findings {
		if rank(f.Severity) > rank(worst) {
			worst = f.Severity
		}
	}
	if (r.Status == StatusUnscannable || r.Status == StatusError) && rank(worst) < rank(SeverityMedium) {
		worst = SeverityMedium
	}
	return worst
}

// Worst returns the most severe finding over all reports ("" when none);
// unscannable and error reports count as medium.
func Worst(reports []Report) Severity {
	worst := Severity("")
	for _, r := range reports {
		if s := reportSeverity(r); rank(s) > rank(worst) {
			worst = s
		}
	}
	return worst
}

// FailOn reports whether any report reaches threshold.
func FailOn(reports []Report, threshold Severity) bool {
	w := Worst(reports)
	return w != "" && w.AtLeast(threshold)
}

// ExitCode maps results to a CI exit status: 0 nothing at or above
// threshold, 1 findings at or above threshold, 2 no findings at threshold
// but some file could not be scanned (error status).
func ExitCode(reports []Report, threshold Severity) int {
	if FailOn(reports, threshold) {
		return 1
	}
	for _, r := range reports {
		if r.Status == StatusError {
			return 2
		}
	}
	return 0
}

// jsonLine is the --json shape: one object per file.
type jsonLine struct {
	Path     string    `json:"path"`
	Format   string    `json:"format"`
	Verdict  Status    `json:"verdict"`
	Findings []Finding `json:"findings"`
	SHA256   string    `json:"sha256,omitempty"`
	Size     int64     `json:"size"`
	Error    string    `json:"error,omitempty"`
	Facts    *Facts    `json:"facts,omitempty"`
}

// WriteJSON writes one JSON object per report, one per line (JSON lines):
// path, format, verdict, findings (plus sha256, size, error, and the facts
// the file declares in its headers).
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	for _, r := range reports {
		fs := r.Findings
		if fs == nil {
			fs = []Finding{}
		}
		if err := enc.Encode(jsonLine{Path: r.File, Format: r.Format, Verdict: r.Status, Findings: fs, SHA256: r.SHA256, Size: r.Size, Error: r.Error, Facts: r.Facts}); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return nil
}

// SARIF 2.1.0 (OASIS), the subset code-scanning UIs read.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Properties map[string]any  `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		ByteOffset int64 `json:"byteOffset"`
		ByteLength int64 `json:"byteLength,omitempty"`
	}
)

// sarifLevel maps severity: critical/high → error, medium → warning, low/info → note.
func sarifLevel(s Severity) string {
	switch s {
	case SeverityCritical, SeverityHigh:
		return "error"
	case SeverityMedium:
		return "warning"
	}
	return "note"
}

// GitHub code scanning reads security-severity as a CVSS-like score.
func securitySeverity(s Severity) string {
	switch s {
	case SeverityCritical:
		return "9.8"
	case SeverityHigh:
		return "8.0"
	case SeverityMedium:
		return "5.0"
	case SeverityLow:
		return "3.0"
	}
	return "0.0"
}

func sarifURI(p string) string {
	p = filepath.ToSlash(p)
	u := url.URL{Path: p}
	return u.String()
}

// WriteSARIF writes one SARIF 2.1.0 log with one run. Rules are the
// distinct finding rules (default level from their worst severity);
// results carry ruleId, level, message, the file as artifactLocation.uri
// and the byte offset as region.byteOffset. Findings inside archive
// members are located at the archive file; the member is in the message
// and in properties.member (with properties.memberOffset). Unscannable and error reports become results of
// rule "scan.unscannable" / "scan.error".
func WriteSARIF(w io.Writer, reports []Report, toolVersion string) error {
	type ruleAcc struct {
		worst Severity
		desc  string
	}
	rules := map[string]*ruleAcc{}
	var results []sarifResult
	note := func(rule string, sev Severity, desc string) {
		a := rules[rule]
		if a == nil {
			a = &ruleAcc{desc: desc}
			rules[rule] = a
		}
		if rank(sev) > rank(a.worst) {
			a.worst = sev
		}
	}
	for _, r := range reports {
		for _, f := range r.Findings {
			note(f.Rule, f.Severity, ruleDescription(f.Rule))
			msg := f.Reason
			if f.Global != "" {
				msg = f.Global + ": " + msg
			}
			if f.Member != "" {
				msg = "[" + f.Member + "] " + msg
			}
			props := map[string]any{"severity": string(f.Severity), "format": r.Format, "verdict": string(r.Status)}
			if f.Member != "" {
				props["member"] = f.Member
			}
			if f.Opcode != "" {
				props["opcode"] = f.Opcode
			}
			if f.Global != "" {
				props["global"] = f.Global
			}
			file := f.File
			if file == "" {
				file = r.File
			}
			// Offsets inside archive members are relative to the member, not
			// the artifact: they go to properties instead of the region.
			var region *sarifRegion
			if f.Member == "" {
				region = &sarifRegion{ByteOffset: max(f.Offset, 0)}
			} else {
				props["memberOffset"] = f.Offset
			}
			results = append(results, sarifResult{RuleID: f.Rule, Level: sarifLevel(f.Severity), Message: sarifText{msg},
				Locations:  []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{sarifURI(file)}, Region: region}}},
				Properties: props})
		}
		if r.Status == StatusError || (r.Status == StatusUnscannable && len(r.Findings) == 0) {
			rule := "scan." + string(r.Status)
			note(rule, SeverityMedium, ruleDescription(rule))
			results = append(results, sarifResult{RuleID: rule, Level: "warning", Message: sarifText{firstNonEmpty(r.Error, "file could not be analysed")},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{sarifURI(r.File)}}}}})
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	sr := make([]sarifRule, len(ids))
	for i, id := range ids {
		index[id] = i
		a := rules[id]
		sr[i] = sarifRule{ID: id, Name: id, ShortDescription: sarifText{a.desc}, DefaultConfiguration: sarifConfig{sarifLevel(a.worst)},
			Properties: map[string]any{"security-severity": securitySeverity(a.worst), "tags": []string{"security", "model-integrity"}}}
	}
	for i := range results {
		results[i].RuleIndex = index[results[i].RuleID]
	}
	if results == nil {
		results = []sarifResult{}
	}
	log := sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{Tool: sarifTool{Driver: sarifDriver{Name: "mlbom-modelscan", Version: toolVersion,
			InformationURI: "https://github.com/mlbom/autopilot", Rules: sr}}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func ruleDescription(rule string) string {
	if d, ok := ruleDescriptions[rule]; ok {
		return d
	}
	return rule
}

var ruleDescriptions = map[string]string{
	"pickle.denylisted-global":     "Pickle imports or calls a callable that runs code, spawns processes, touches files or the network",
	"pickle.risky-global":          "Pickle references a callable named like code execution, or walks dotted attributes",
	"pickle.unknown-global":        "Pickle references a global outside the allowlist of ordinary checkpoints",
	"pickle.invalid-global":        "Pickle references a name that is not importable",
	"pickle.ext-code":              "Pickle resolves a global through the copyreg extension registry",
	"pickle.ext-call":              "Pickle calls a callable resolved through the copyreg extension registry",
	"pickle.unresolved-global":     "STACK_GLOBAL whose module or name cannot be resolved statically",
	"pickle.build-on-global":       "BUILD sets attributes on an imported module-level object",
	"pickle.broken-stream":         "Pickle stream is truncated or malformed; loaders execute every opcode before the break",
	"pickle.multiple-streams":      "More than one pickle stream in the file",
	"pickle.trailing-data":         "Bytes after the final STOP",
	"pickle.nested-too-large":      "Nested payload too large to analyse",
	"format.extension-mismatch":    "File extension disagrees with the content",
	"format.unscannable":           "Content in a format the scanner cannot open",
	"zip.duplicate-member":         "Archive member name appears more than once",
	"zip.header-mismatch":          "Local header disagrees with the central directory",
	"zip.encrypted":                "Encrypted archive member",
	"zip.crc-mismatch":             "Archive member CRC-32 mismatch",
	"zip.bomb":                     "Decompression ratio or size beyond the limits",
	"zip.overlapping-members":      "Archive members share bytes",
	"zip.path-traversal":           "Archive member name escapes the archive root",
	"keras.lambda":                 "Keras Lambda layer with executable Python",
	"keras.foreign-module":         "Keras configuration imports a module outside Keras",
	"keras.denylisted-module":      "Keras configuration imports a dangerous module",
	"keras.safe-mode-bypass":       "Keras configuration disables safe_mode",
	"tf.dangerous-op":              "TensorFlow graph op that runs Python or touches files",
	"gguf.jinja-gadget":            "GGUF chat template reaches Python internals",
	"gguf.invalid":                 "GGUF header or metadata invalid",
	"safetensors.invalid":          "safetensors header inconsistent",
	"safetensors.trailing-data":    "Bytes after the last safetensors tensor",
	"onnx.custom-domain":           "ONNX custom operator domain",
	"onnx.external-data-traversal": "ONNX external data outside the model directory",
	"npy.object-array":             "NumPy object array (pickled payload)",
	"torchscript.python-code":      "TorchScript source with Python module access",
	"torchscript.custom-op":        "TorchScript custom operator namespace",
	"scan.error":                   "File could not be scanned",
	"scan.unscannable":             "File format cannot be opened by the scanner",
	"scan.time-budget":             "Per-file time budget exceeded",
	"compress.bomb":                "Compressed stream expands past the limit",
}
