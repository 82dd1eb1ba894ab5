package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// SaveFindings replaces the findings of scanID with fs (idempotent: saving
// the same set again leaves the same rows). A repeated Finding.ID keeps the
// last occurrence.
func (d *DB) SaveFindings(ctx context.Context, scanID string, fs []Finding) error {
	if scanID == "" {
		return fmt.Errorf("%w: empty scan id", ErrInvalid)
	}
	last := make(map[string]int, len(fs))
	for i, f := range fs {
		if f.ID == "" || len(f.ID) > 500 {
			return fmt.Errorf("%w: finding id must be 1..500 bytes", ErrInvalid)
		}
		last[f.ID] = i
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM findings WHERE scan_id = ?", scanID); err != nil {
			return err
		}
		for i, f := range fs {
			if last[f.ID] != i {
				continue
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO findings
				(scan_id, id, project, policy, severity, component, message, remediation) VALUES (?,?,?,?,?,?,?,?)`,
				scanID, f.ID, f.Project, f.Policy, f.Severity, f.Component, f.Message, f.Remediation)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save findings of scan %s: %w", scanID, err)
	}
	return nil
}

// ListFindings returns the findings of one scan, ordered by ID.
func (d *DB) ListFindings(ctx context.Context, scanID string) ([]Finding, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT scan_id, id, project, policy, severity, component, message, remediation
		FROM findings WHERE scan_id = ? ORDER BY id`, scanID)
	if err != nil {
		return nil, fmt.Errorf("list findings of scan %s: %w", scanID, err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var f Finding
		if err := rows.Scan(&f.ScanID, &f.ID, &f.Project, &f.Policy, &f.Severity, &f.Component, &f.Message, &f.Remediation); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func approvalID(project, component, license string) string {
	h := sha256.Sum256([]byte(project + "\x00" + component + "\x00" + license))
	return hex.EncodeToString(h[:])
}

// decisionID keys the audit trail: one decision per component and license
// on each BOM version.
func decisionID(project string, version int, component, license string) string {
	h := sha256.Sum256([]byte(project + "\x00" + strconv.Itoa(version) + "\x00" + component + "\x00" + license))
	return hex.EncodeToString(h[:])
}

var decisionCols = []string{"id", "project", "version", "component", "license", "decision", "approver", "reason", "scan_id", "decided_in", "created_at", "expires_at"}

func decisionArgs(a Approval, on int) []any {
	return []any{decisionID(a.Project, on, a.Component, a.License), a.Project, on, a.Component, a.License, a.Decision,
		a.Approver, a.Reason, a.ScanID, a.Version, micros(a.CreatedAt), micros(a.Expires)}
}

func checkApproval(a Approval) error {
	if a.Project == "" || a.Component == "" {
		return fmt.Errorf("%w: approval needs project and component", ErrInvalid)
	}
	switch a.Decision {
	case DecisionApprove, DecisionReject, DecisionTimeout:
		return nil
	}
	return fmt.Errorf("%w: decision must be approve, reject or timeout, got %q", ErrInvalid, a.Decision)
}

// SaveApproval records a decision made in scan a.ScanID: on the audit trail
// of the BOM version that scan stored (a.Version, looked up by scan ID when
// zero), and, for approve and reject, as the decision on record for
// (project, component, license) that later scans reuse until it expires. A
// timeout is only on the trail: the next scan asks again. Saving the same
// decision again changes nothing.
func (d *DB) SaveApproval(ctx context.Context, a Approval) error {
	if err := checkApproval(a); err != nil {
		return err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = d.now()
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if a.Version == 0 && a.ScanID != "" {
			err := tx.QueryRowContext(ctx, "SELECT number FROM bom_versions WHERE scan_id = ?", a.ScanID).Scan(&a.Version)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("version of scan %s: %w", a.ScanID, err)
			}
		}
		if a.Decision != DecisionTimeout {
			cols := []string{"id", "project", "component", "license", "decision", "approver", "reason", "scan_id", "created_at", "expires_at"}
			_, err := tx.ExecContext(ctx, d.upsert("approvals", cols, []string{"id"}, cols[4:]),
				approvalID(a.Project, a.Component, a.License), a.Project, a.Component, a.License, a.Decision, a.Approver,
				a.Reason, a.ScanID, micros(a.CreatedAt), micros(a.Expires))
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, d.upsert("decisions", decisionCols, []string{"id"}, decisionCols[5:]), decisionArgs(a, a.Version)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("save approval %s %s %s: %w", a.Project, a.Component, a.License, err)
	}
	return nil
}

// CarryApprovals records on version decisions made in earlier scans that
// still apply to it (approvals in force that waived its findings), so the
// version's BOM shows what waived them. A decision already on the version
// stays as it is.
func (d *DB) CarryApprovals(ctx context.Context, project string, version int, as []Approval) error {
	if version <= 0 {
		return fmt.Errorf("%w: carry approvals onto version %d", ErrInvalid, version)
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for _, a := range as {
			a.Project = project
			if err := checkApproval(a); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, d.upsert("decisions", decisionCols, []string{"id"}, nil), decisionArgs(a, version)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("carry approvals onto %s version %d: %w", project, version, err)
	}
	return nil
}

const approvalCols = "a.project, a.component, a.license, a.decision, a.approver, a.reason, a.scan_id, a.created_at, a.expires_at, COALESCE(v.number, 0)"

func (d *DB) queryApprovals(ctx context.Context, where string, args ...any) ([]Approval, error) {
	q := "SELECT " + approvalCols + " FROM approvals a LEFT JOIN bom_versions v ON v.scan_id = a.scan_id AND a.scan_id <> ''"
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := d.db.QueryContext(ctx, q+" ORDER BY a.project, a.component, a.license", args...)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	defer rows.Close()
	out := []Approval{}
	for rows.Next() {
		var a Approval
		var created, expires int64
		if err := rows.Scan(&a.Project, &a.Component, &a.License, &a.Decision, &a.Approver, &a.Reason, &a.ScanID, &created, &expires, &a.Version); err != nil {
			return nil, err
		}
		a.CreatedAt, a.Expires = fromMicros(created), fromMicros(expires)
		a.Current = true
		out = append(out, a)
	}
	return out, rows.Err()
}

// queryDecisions reads the audit trail, marking the decisions on record.
func (d *DB) queryDecisions(ctx context.Context, where string, args ...any) ([]Approval, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT project, component, license, decision, approver, reason, scan_id, created_at, expires_at, decided_in
		FROM decisions WHERE `+where+` ORDER BY project, decided_in, created_at, component, license`, args...)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	defer rows.Close()
	out := []Approval{}
	projects := map[string]bool{}
	for rows.Next() {
		var a Approval
		var created, expires int64
		if err := rows.Scan(&a.Project, &a.Component, &a.License, &a.Decision, &a.Approver, &a.Reason, &a.ScanID, &created, &expires, &a.Version); err != nil {
			return nil, err
		}
		a.CreatedAt, a.Expires = fromMicros(created), fromMicros(expires)
		out = append(out, a)
		projects[a.Project] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	type key struct{ project, component, license string }
	current := map[key]Approval{}
	for p := range projects {
		on, err := d.queryApprovals(ctx, "a.project = ?", p)
		if err != nil {
			return nil, err
		}
		for _, a := range on {
			current[key{a.Project, a.Component, a.License}] = a
		}
	}
	for i, a := range out {
		c, ok := current[key{a.Project, a.Component, a.License}]
		out[i].Current = ok && a.Decision != DecisionTimeout && c.ScanID == a.ScanID && c.Decision == a.Decision && c.CreatedAt.Equal(a.CreatedAt)
	}
	return out, nil
}

// ListApprovals returns every decision made on license exceptions in project
// (all projects when empty), superseded, expired and timed-out ones
// included, each with the scan and BOM version it was made in; oldest first.
func (d *DB) ListApprovals(ctx context.Context, project string) ([]Approval, error) {
	if project == "" {
		return d.queryDecisions(ctx, "version = decided_in")
	}
	return d.queryDecisions(ctx, "version = decided_in AND project = ?", project)
}

// VersionDecisions returns the decisions annotated on a BOM version: those
// made during its scan and those made earlier that waived its findings
// (Version < version).
func (d *DB) VersionDecisions(ctx context.Context, project string, version int) ([]Approval, error) {
	return d.queryDecisions(ctx, "project = ? AND version = ?", project, version)
}

// ActiveApprovals returns the decisions on record for project (all when
// empty) that have not expired at time at.
func (d *DB) ActiveApprovals(ctx context.Context, project string, at time.Time) ([]Approval, error) {
	if project == "" {
		return d.queryApprovals(ctx, "(a.expires_at = 0 OR a.expires_at > ?)", micros(at))
	}
	return d.queryApprovals(ctx, "a.project = ? AND (a.expires_at = 0 OR a.expires_at > ?)", project, micros(at))
}

// Notification states.
const (
	NotificationPending  = "pending"
	NotificationSent     = "sent"
	NotificationResolved = "resolved"
)

// ClaimNotification records that (key, channel) is about to be notified. The
// first caller gets claimed=true and a "pending" row; later callers get the
// existing row and claimed=false. A caller that finds a row still pending
// after a crash must reconcile with the channel (the ext_ref is unknown).
func (d *DB) ClaimNotification(ctx context.Context, key, channel, scanID string) (Notification, bool, error) {
	if key == "" || channel == "" || len(key) > 512 || len(channel) > 64 {
		return Notification{}, false, fmt.Errorf("%w: notification key 1..512 and channel 1..64 bytes", ErrInvalid)
	}
	now := micros(d.now())
	cols := []string{"nkey", "channel", "ext_ref", "scan_id", "state", "created_at", "updated_at"}
	res, err := d.db.ExecContext(ctx, d.upsert("notifications", cols, []string{"nkey", "channel"}, nil),
		key, channel, "", scanID, NotificationPending, now, now)
	if err != nil {
		return Notification{}, false, fmt.Errorf("claim notification %s/%s: %w", channel, key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Notification{}, false, err
	}
	row, err := d.getNotification(ctx, key, channel)
	if err != nil {
		return Notification{}, false, err
	}
	return row, n == 1, nil
}

func (d *DB) getNotification(ctx context.Context, key, channel string) (Notification, error) {
	var n Notification
	var created int64
	err := d.db.QueryRowContext(ctx, "SELECT nkey, channel, ext_ref, scan_id, state, created_at FROM notifications WHERE nkey = ? AND channel = ?",
		key, channel).Scan(&n.Key, &n.Channel, &n.ExtRef, &n.ScanID, &n.State, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Notification{}, fmt.Errorf("notification %s/%s: %w", channel, key, ErrNotFound)
	}
	if err != nil {
		return Notification{}, fmt.Errorf("get notification %s/%s: %w", channel, key, err)
	}
	n.CreatedAt = fromMicros(created)
	return n, nil
}

// CompleteNotification sets the external reference (message ts, ticket key)
// and state ("sent", "resolved") of a claimed entry; ErrNotFound if unclaimed.
func (d *DB) CompleteNotification(ctx context.Context, key, channel, extRef, state string) error {
	res, err := d.db.ExecContext(ctx, "UPDATE notifications SET ext_ref = ?, state = ?, updated_at = ? WHERE nkey = ? AND channel = ?",
		extRef, state, micros(d.now()), key, channel)
	if err != nil {
		return fmt.Errorf("complete notification %s/%s: %w", channel, key, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// MySQL reports 0 when the values did not change; tell that apart from absence.
		if _, err := d.getNotification(ctx, key, channel); err != nil {
			return err
		}
	}
	return nil
}

// ListNotifications returns ledger entries filtered by channel and state
// (empty = any), oldest first.
func (d *DB) ListNotifications(ctx context.Context, channel, state string) ([]Notification, error) {
	q := "SELECT nkey, channel, ext_ref, scan_id, state, created_at FROM notifications WHERE 1=1"
	var args []any
	if channel != "" {
		q += " AND channel = ?"
		args = append(args, channel)
	}
	if state != "" {
		q += " AND state = ?"
		args = append(args, state)
	}
	rows, err := d.db.QueryContext(ctx, q+" ORDER BY created_at, nkey, channel", args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created int64
		if err := rows.Scan(&n.Key, &n.Channel, &n.ExtRef, &n.ScanID, &n.State, &created); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMicros(created)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Observation is one runtime sighting of an AI asset by the tracer: a file
// opened, a binary run or an endpoint contacted. Rows written by the tracer
// workflow aggregate all sightings of one artifact on one node (Node) by one
// tracer workflow chain (Epoch) for one project.
type Observation struct {
	Project string    `json:"project"`
	Kind    string    `json:"kind"` // path, binary, endpoint
	Value   string    `json:"value"`
	PID     int       `json:"pid"`
	Comm    string    `json:"comm"`
	SeenAt  time.Time `json:"seenAt"` // last seen
	// Node is the host the tracer ran on; Epoch the tracer workflow chain
	// that counted (Count is absolute within it).
	Node      string    `json:"node,omitempty"`
	Epoch     string    `json:"epoch,omitempty"`
	FirstSeen time.Time `json:"firstSeen,omitempty"`
	Count     int64     `json:"count,omitempty"`
	// SHA256 of an opened model file; Tier is observed or verified (the
	// hash matches a component of a stored BOM).
	SHA256   string `json:"sha256,omitempty"`
	Tier     string `json:"tier,omitempty"`
	Fidelity string `json:"fidelity,omitempty"` // ebpf, proc
	// Detail lists who was seen using it.
	Detail ObservationDetail `json:"detail"`
}

// ObservationDetail: the processes, containers and pods that used an
// artifact (each list bounded by the tracer workflow) and the peer
// addresses of an endpoint.
type ObservationDetail struct {
	Processes  []string `json:"processes,omitempty"`
	Containers []string `json:"containers,omitempty"`
	Pods       []string `json:"pods,omitempty"`
	Addrs      []string `json:"addrs,omitempty"`
}

// SaveObservations appends observations in one transaction.
func (d *DB) SaveObservations(ctx context.Context, obs []Observation) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for _, o := range obs {
			if o.SeenAt.IsZero() {
				o.SeenAt = d.now()
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO runtime_observations (project, kind, value, pid, comm, seen_at) VALUES (?,?,?,?,?,?)",
				o.Project, o.Kind, o.Value, o.PID, o.Comm, micros(o.SeenAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save observations: %w", err)
	}
	return nil
}

// ListObservations returns a project's observations seen at or after since,
// newest first; limit <= 0 means 1000.
func (d *DB) ListObservations(ctx context.Context, project string, since time.Time, limit int) ([]Observation, error) {
	return d.QueryObservations(ctx, ObservationQuery{Project: project, Since: since, Limit: limit})
}
