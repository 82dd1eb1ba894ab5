// Package store keeps projects, scans, BOM versions, findings, approvals,
// the notification ledger, evidence documents and their embeddings, on SQLite
// (modernc.org/sqlite, the embedded default) or the MySQL protocol (TiDB,
// MySQL, MariaDB). Open picks the backend from a MLBOM_DB-style location.
package store

import (
	"errors"
	"time"
)

// ErrNotFound is returned when a project, version, blob or approval does not exist.
var ErrNotFound = errors.New("not found")

// ErrConfig marks errors retrying cannot fix: unknown scheme, bad DSN, wrong
// credentials, unknown database.
var ErrConfig = errors.New("store configuration")

// Scan is one run of the pipeline; ID is the Temporal workflow ID (or a local
// ID for --local runs), RunID the Temporal run ID.
type Scan struct {
	ID        string    `json:"id"`
	RunID     string    `json:"runId,omitempty"`
	Project   string    `json:"project"`
	Source    string    `json:"source"`
	Ref       string    `json:"ref,omitempty"`
	Commit    string    `json:"commit,omitempty"`
	Status    string    `json:"status"` // running, completed, failed
	Verdict   string    `json:"verdict,omitempty"`
	Version   int       `json:"version,omitempty"` // BOM version it produced
	Summary   []byte    `json:"summary,omitempty"` // JSON
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt,omitempty"`
}

// Version is one stored BOM of a project. Numbers are 1, 2, 3... per project.
type Version struct {
	Project     string    `json:"project"`
	Number      int       `json:"version"`
	ScanID      string    `json:"scanId"`
	RunID       string    `json:"runId,omitempty"`
	ContentHash string    `json:"contentHash"` // sha256 of BOM with timestamp and serial removed
	BOM         []byte    `json:"-"`           // CycloneDX JSON
	CreatedAt   time.Time `json:"createdAt"`
	Components  int       `json:"components"`
}

// ComponentRow is the queryable projection of one BOM component.
type ComponentRow struct {
	BOMRef   string `json:"bom-ref"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	PURL     string `json:"purl,omitempty"`
	License  string `json:"license,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Supplier string `json:"supplier,omitempty"`
}

// Finding is a policy finding stored with the scan that raised it.
type Finding struct {
	ID          string `json:"id"` // stable identity: project + policy + component
	ScanID      string `json:"scanId"`
	Project     string `json:"project"`
	Policy      string `json:"policy"`
	Severity    string `json:"severity"`
	Component   string `json:"component"`
	Message     string `json:"message"`
	Remediation string `json:"remediation,omitempty"`
}

// Approval is a decision on a license exception: a person's approve or
// reject, or a timeout when nobody decided while the scan waited.
type Approval struct {
	Project   string    `json:"project"`
	Component string    `json:"component"` // bom-ref
	License   string    `json:"license"`
	Decision  string    `json:"decision"` // approve, reject, timeout
	Approver  string    `json:"approver"` // empty for a timeout
	Reason    string    `json:"reason"`
	ScanID    string    `json:"scanId,omitempty"`  // the scan the decision was made in
	CreatedAt time.Time `json:"createdAt"`         // when it was decided
	Expires   time.Time `json:"expires,omitempty"` // zero: never
	// Version is the BOM version of the scan the decision was made in (0
	// when that scan stored none); SaveApproval looks it up by ScanID.
	Version int `json:"version,omitempty"`
	// Current: this is the decision on record for (project, component,
	// license), the one later scans reuse (not superseded, not a timeout).
	Current bool `json:"current"`
}

// Decision values.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
	DecisionTimeout = "timeout"
)

// Notification is one ledger entry: a message or ticket sent for a finding
// identity on a channel. The (Key, Channel) pair is unique.
type Notification struct {
	Key       string    `json:"key"`
	Channel   string    `json:"channel"`          // slack, jira, webhook, record
	ExtRef    string    `json:"extRef,omitempty"` // message ts, ticket key
	ScanID    string    `json:"scanId,omitempty"`
	State     string    `json:"state"` // open, resolved
	CreatedAt time.Time `json:"createdAt"`
}

// Evidence is one searchable document: a component as seen in one BOM
// version, with the text that describes it.
type Evidence struct {
	// ID is stable per project and bom-ref (search.EvidenceFromBOM builds
	// it so): a later version updates Version and Location in place and
	// keeps the vector as long as the text is unchanged.
	ID       string    `json:"id"`
	Project  string    `json:"project"`
	Version  int       `json:"version"`
	BOMRef   string    `json:"bom-ref"`
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Location string    `json:"location,omitempty"` // first occurrence, path:line
	Text     string    `json:"text"`
	Vector   []float32 `json:"-"`
	Embedder string    `json:"embedder,omitempty"`
}

// Filter narrows a search; empty fields match everything.
type Filter struct {
	Project string `json:"project,omitempty"`
	Kind    string `json:"kind,omitempty"`
}

// Hit is one search result. Score is higher-is-better within one result list
// (bm25, full-text relevance or cosine similarity); scores of different
// lists are not comparable, which is why fusion goes by rank.
type Hit struct {
	Evidence
	Score float64 `json:"score"`
}
