// Package workflows holds the deterministic Temporal workflows of mlbom. They
// only sequence activities, answer queries and wait for signals; all work is in
// activities/, which adapt the internal/ packages.
package workflows

import "github.com/mlbom/autopilot/activities"

// TaskQueue is the queue the scan worker polls.
const TaskQueue = "mlbom-scan"

// Names users script against.
const (
	ScanWorkflowName       = "ScanWorkflow"
	ProgressQuery          = "progress"
	LicenseExceptionSignal = "license-exception"
	SearchAttributeProject = "MlbomProject"
	SearchAttributeVerdict = "MlbomVerdict"
	SearchAttributeSource  = "MlbomSource"
)

// Steps of the pipeline, in order.
var Steps = []string{"Scan", "Normalize", "Embed", "BuildBOM", "Diff", "EvaluatePolicy", "Notify"}

// ScanInput is the workflow input, a JSON object:
//
//	{"source":"/path/or/url","ref":"main","project":"demo","options":{"fetchWeights":false}}
type ScanInput struct {
	Source  string      `json:"source"`
	Ref     string      `json:"ref,omitempty"`
	Project string      `json:"project,omitempty"`
	Options ScanOptions `json:"options,omitempty"`
}

// ScanOptions tune one scan.
type ScanOptions struct {
	FetchWeights bool `json:"fetchWeights,omitempty"`
	// ApprovalTimeout is how long to wait for license-exception signals, as a
	// Go duration ("72h"); empty means the worker's default. "0s" does not wait.
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
	// DryRun: Notify shows what it would send without sending.
	DryRun bool `json:"dryRun,omitempty"`
}

// Progress is what the progress query returns.
type Progress struct {
	Step string `json:"step"` // current step, "Done" or "Failed"
	// Phase is the part of the step running, when its caller knows it (the
	// Scan step's activities.Phase*: open, discover, hub, ...).
	Phase     string   `json:"phase,omitempty"`
	StepIndex int      `json:"stepIndex"`
	Steps     []string `json:"steps"`
	Project   string   `json:"project,omitempty"`
	Files     int      `json:"files"`
	// Sightings: places discovery has seen an asset so far.
	Sightings int `json:"sightings"`
	// Deprecated: Findings is Sightings under its old name (it never
	// counted policy findings); kept for one release.
	Findings int            `json:"findings"`
	Assets   map[string]int `json:"assets,omitempty"`
	Version  int            `json:"version,omitempty"`
	Verdict  string         `json:"verdict,omitempty"`
	// WaitingFor lists components whose license exception awaits a human.
	WaitingFor []activities.Exception `json:"waitingFor,omitempty"`
	Error      string                 `json:"error,omitempty"`
}

// ExceptionSignal is the license-exception signal payload:
//
//	{"decision":"approve"|"reject","component":"BOM-REF","approver":"NAME","reason":"TEXT","expires":"RFC3339, optional"}
type ExceptionSignal struct {
	Decision  string `json:"decision"`
	Component string `json:"component"`
	Approver  string `json:"approver"`
	Reason    string `json:"reason"`
	Expires   string `json:"expires,omitempty"`
}
