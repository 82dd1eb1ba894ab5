package store

import (
	"context"
	"fmt"
)

// Stats are counts over the whole store, for gauges: scans by status and
// verdict, and the findings of each project's latest completed scan (what is
// open now) by severity.
type Stats struct {
	Scans    []ScanCount
	Findings map[string]int // by severity
}

// ScanCount is the number of scans with one status and verdict.
type ScanCount struct {
	Status, Verdict string
	N               int
}

// Stats counts scans and the findings of the latest completed scans.
func (d *DB) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Findings: map[string]int{}}
	rows, err := d.db.QueryContext(ctx, "SELECT status, verdict, COUNT(*) FROM scans GROUP BY status, verdict ORDER BY status, verdict")
	if err != nil {
		return st, fmt.Errorf("count scans: %w", err)
	}
	for rows.Next() {
		var c ScanCount
		if err := rows.Scan(&c.Status, &c.Verdict, &c.N); err != nil {
			rows.Close()
			return st, err
		}
		st.Scans = append(st.Scans, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = d.db.QueryContext(ctx, `SELECT f.severity, COUNT(*) FROM findings f
		JOIN scans s ON s.id = f.scan_id
		WHERE s.status = 'completed' AND s.started_at = (
			SELECT MAX(s2.started_at) FROM scans s2 WHERE s2.project = s.project AND s2.status = 'completed')
		GROUP BY f.severity`)
	if err != nil {
		return st, fmt.Errorf("count open findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev string
		var n int
		if err := rows.Scan(&sev, &n); err != nil {
			return st, err
		}
		st.Findings[sev] = n
	}
	return st, rows.Err()
}
