package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Admission is one Kubernetes admission decision.
type Admission struct {
	UID        string          `json:"uid"`
	Namespace  string          `json:"namespace"`
	Kind       string          `json:"kind"`
	Name       string          `json:"name"`
	Operation  string          `json:"operation"`
	User       string          `json:"user"`
	Allowed    bool            `json:"allowed"`
	Enforced   bool            `json:"enforced"` // false: audit mode
	BOMProject string          `json:"bomProject,omitempty"`
	BOMVersion int             `json:"bomVersion,omitempty"`
	Message    string          `json:"message,omitempty"`
	Findings   json.RawMessage `json:"findings,omitempty"`
	Models     json.RawMessage `json:"models,omitempty"`
	CreatedAt  time.Time       `json:"createdAt"`
}

// SaveAdmissions stores decisions in one statement per batch. A decision
// already stored (same request uid) is kept as it was: retries are harmless.
func (d *DB) SaveAdmissions(ctx context.Context, as []Admission) error {
	const cols = "uid, namespace, kind, name, operation, username, allowed, enforced, bom_project, bom_version, message, findings, models, created_at"
	const per = 14
	const batch = 100
	for start := 0; start < len(as); start += batch {
		end := min(start+batch, len(as))
		var q strings.Builder
		if d.dialect == "sqlite" {
			q.WriteString("INSERT OR IGNORE INTO admissions (" + cols + ") VALUES ")
		} else {
			q.WriteString("INSERT IGNORE INTO admissions (" + cols + ") VALUES ")
		}
		args := make([]any, 0, (end-start)*per)
		for i, a := range as[start:end] {
			if a.UID == "" || len(a.UID) > 128 {
				return fmt.Errorf("%w: admission uid must be 1..128 bytes", ErrInvalid)
			}
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, a.UID, a.Namespace, a.Kind, a.Name, a.Operation, a.User, boolInt(a.Allowed), boolInt(a.Enforced),
				a.BOMProject, a.BOMVersion, a.Message, []byte(a.Findings), []byte(a.Models), micros(a.CreatedAt))
		}
		if _, err := d.db.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("save %d admission decisions: %w", end-start, err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AdmissionFilter selects decisions; zero values select everything.
type AdmissionFilter struct {
	Namespace string
	Denied    bool // only refused (or, in audit mode, would-be refused with findings) objects
	Limit     int  // <= 0 means 100
}

// ListAdmissions returns decisions, newest first.
func (d *DB) ListAdmissions(ctx context.Context, f AdmissionFilter) ([]Admission, error) {
	q := "SELECT uid, namespace, kind, name, operation, username, allowed, enforced, bom_project, bom_version, message, findings, models, created_at FROM admissions"
	var where []string
	var args []any
	if f.Namespace != "" {
		where = append(where, "namespace = ?")
		args = append(args, f.Namespace)
	}
	if f.Denied {
		where = append(where, "allowed = 0")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += " ORDER BY created_at DESC, seq DESC LIMIT ?"
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list admissions: %w", err)
	}
	defer rows.Close()
	out := []Admission{}
	for rows.Next() {
		var a Admission
		var allowed, enforced int
		var findings, models []byte
		var created int64
		if err := rows.Scan(&a.UID, &a.Namespace, &a.Kind, &a.Name, &a.Operation, &a.User, &allowed, &enforced,
			&a.BOMProject, &a.BOMVersion, &a.Message, &findings, &models, &created); err != nil {
			return nil, fmt.Errorf("list admissions: %w", err)
		}
		a.Allowed, a.Enforced, a.CreatedAt = allowed != 0, enforced != 0, fromMicros(created)
		if len(findings) > 0 {
			a.Findings = findings
		}
		if len(models) > 0 {
			a.Models = models
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
