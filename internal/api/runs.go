package api

import (
	"context"
	"time"
)

// Runs is what the API needs of the workflow engine. workers.Runs implements
// it with the Temporal client; tests use a struct of functions. Errors that
// mean "no such workflow" wrap store.ErrNotFound, "not in a state to accept
// this" ErrConflict, and "cannot reach the engine" ErrUnavailable.
type Runs interface {
	// StartScan starts ScanWorkflow as `mlbom scan` does.
	StartScan(ctx context.Context, req ScanRequest) (StartedScan, error)
	// Progress answers the workflow's progress query (runID "" = latest run).
	Progress(ctx context.Context, workflowID, runID string) (Progress, error)
	// Pending lists the license exceptions running scans wait for.
	Pending(ctx context.Context, project string) ([]Pending, error)
	// Decide sends the license-exception signal for one component of a
	// waiting scan.
	Decide(ctx context.Context, d Decision) error
	Schedules(ctx context.Context) ([]Schedule, error)
	CreateSchedule(ctx context.Context, s NewSchedule) (Schedule, error)
	DeleteSchedule(ctx context.Context, project string) error
	// Health reports whether the engine answers.
	Health(ctx context.Context) error
}

// ScanRequest is the body of POST /api/scans: ScanWorkflow's input, an
// optional workflow ID, and who asks.
type ScanRequest struct {
	Source  string      `json:"source"`
	Ref     string      `json:"ref,omitempty"`
	Project string      `json:"project,omitempty"`
	ID      string      `json:"id,omitempty"`
	Options ScanOptions `json:"options,omitempty"`
	// StartedBy is the requester's token name (not from the body).
	StartedBy string `json:"-"`
}

// ScanOptions mirror the workflow's options.
type ScanOptions struct {
	FetchWeights    bool   `json:"fetchWeights,omitempty"`
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
	DryRun          bool   `json:"dryRun,omitempty"`
}

// StartedScan names the run that was started.
type StartedScan struct {
	WorkflowID  string `json:"workflowId"`
	RunID       string `json:"runId"`
	Project     string `json:"project"`
	RunURL      string `json:"runUrl,omitempty"`
	ProgressURL string `json:"progressUrl"`
}

// Progress is the workflow's progress query answer, with the run's status.
type Progress struct {
	WorkflowID string   `json:"workflowId"`
	RunID      string   `json:"runId"`
	Status     string   `json:"status"` // Running, Completed, Failed, ...
	Step       string   `json:"step"`
	StepIndex  int      `json:"stepIndex"`
	Steps      []string `json:"steps"`
	Project    string   `json:"project,omitempty"`
	Files      int      `json:"files"`
	Sightings  int      `json:"sightings"` // places discovery saw an asset
	// Deprecated: Findings is Sightings under its old name; kept for one
	// release.
	Findings   int            `json:"findings"`
	Assets     map[string]int `json:"assets,omitempty"`
	Version    int            `json:"version,omitempty"`
	Verdict    string         `json:"verdict,omitempty"`
	WaitingFor []Waiting      `json:"waitingFor,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// Waiting is one license exception a scan waits for.
type Waiting struct {
	Component string `json:"component"`
	License   string `json:"license"`
	Message   string `json:"message,omitempty"`
}

// Pending is a waiting exception with the scan that waits.
type Pending struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	Project    string `json:"project"`
	Component  string `json:"component"`
	License    string `json:"license"`
	Message    string `json:"message,omitempty"`
	RunURL     string `json:"runUrl,omitempty"`
}

// Decision is the body of POST /api/approvals; Approver comes from the
// request's identity, never from the body.
type Decision struct {
	WorkflowID string `json:"workflowId"`
	Component  string `json:"component"`
	Decision   string `json:"decision"` // approve, reject
	Reason     string `json:"reason"`
	Expires    string `json:"expires,omitempty"` // RFC 3339
	Approver   string `json:"-"`
}

// Schedule is a project's recurring scan.
type Schedule struct {
	ID         string    `json:"id"`
	Project    string    `json:"project"`
	Spec       string    `json:"spec"`
	NextRun    time.Time `json:"nextRun,omitempty"`
	RecentRuns int       `json:"recentRuns"`
	Paused     bool      `json:"paused"`
}

// NewSchedule is the body of POST /api/schedules.
type NewSchedule struct {
	Project         string `json:"project"`
	Source          string `json:"source"`
	Ref             string `json:"ref,omitempty"`
	Cron            string `json:"cron,omitempty"`
	Every           string `json:"every,omitempty"` // Go duration
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
	Now             bool   `json:"now,omitempty"`
}
