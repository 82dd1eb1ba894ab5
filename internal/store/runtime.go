package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Observation kinds.
const (
	ObservedPath     = "path"     // a file opened
	ObservedBinary   = "binary"   // a program run
	ObservedEndpoint = "endpoint" // a host connected to
)

// Confidence tiers of a runtime fact.
const (
	TierDeclared = "declared" // in a BOM
	TierObserved = "observed" // seen at runtime
	TierVerified = "verified" // seen, and its SHA-256 matches a stored BOM
)

// ObservationQuery selects observations; empty fields match everything.
type ObservationQuery struct {
	Project string
	Node    string
	Kind    string
	Since   time.Time // seen at or after
	Limit   int       // <= 0: 1000
}

// obsKey identifies the row an observation aggregates into.
func obsKey(o Observation) string {
	h := sha256.Sum256([]byte(strings.Join([]string{o.Node, o.Epoch, o.Project, o.Kind, o.Value}, "\\x00")))
	return hex.EncodeToString(h[:])
}

// UpsertObservations writes aggregated observations, one row per node,
// epoch, project, kind and value: the last sighting and the first are the
// latest and earliest ever written, the count and the rest are replaced.
// Writing the same observations again changes nothing, so a retried
// activity is harmless.
func (d *DB) UpsertObservations(ctx context.Context, obs []Observation) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for _, o := range obs {
			if o.Kind == "" || o.Value == "" {
				return fmt.Errorf("%w: observation needs a kind and a value", ErrInvalid)
			}
			if o.SeenAt.IsZero() {
				o.SeenAt = d.now()
			}
			if o.FirstSeen.IsZero() || o.FirstSeen.After(o.SeenAt) {
				o.FirstSeen = o.SeenAt
			}
			key := obsKey(o)
			var seen, first int64
			err := tx.QueryRowContext(ctx, "SELECT seen_at, first_seen FROM runtime_observations WHERE obs_key = ?", key).Scan(&seen, &first)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				if t := fromMicros(seen); t.After(o.SeenAt) {
					o.SeenAt = t
				}
				if t := fromMicros(first); !t.IsZero() && t.Before(o.FirstSeen) {
					o.FirstSeen = t
				}
			}
			detail, err := json.Marshal(o.Detail)
			if err != nil {
				return err
			}
			cols := []string{"obs_key", "project", "kind", "value", "pid", "comm", "seen_at", "node", "epoch", "sha256", "tier", "fidelity", "first_seen", "seen_count", "detail"}
			q := d.upsert("runtime_observations", cols, []string{"obs_key"}, cols[1:])
			if _, err := tx.ExecContext(ctx, q, key, o.Project, o.Kind, o.Value, o.PID, o.Comm, micros(o.SeenAt),
				o.Node, o.Epoch, o.SHA256, o.Tier, o.Fidelity, micros(o.FirstSeen), o.Count, string(detail)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upsert observations: %w", err)
	}
	return nil
}

// QueryObservations returns matching observations, most recently seen first.
func (d *DB) QueryObservations(ctx context.Context, q ObservationQuery) ([]Observation, error) {
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	where := []string{"seen_at >= ?"}
	args := []any{micros(q.Since)}
	for _, f := range []struct{ col, val string }{{"project", q.Project}, {"node", q.Node}, {"kind", q.Kind}} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	args = append(args, q.Limit)
	rows, err := d.db.QueryContext(ctx, `SELECT project, kind, value, pid, comm, seen_at, node, epoch, sha256, tier, fidelity, first_seen, seen_count, detail
		FROM runtime_observations WHERE `+strings.Join(where, " AND ")+` ORDER BY seen_at DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("query observations: %w", err)
	}
	defer rows.Close()
	out := []Observation{}
	for rows.Next() {
		var o Observation
		var seen, first int64
		var detail sql.NullString
		if err := rows.Scan(&o.Project, &o.Kind, &o.Value, &o.PID, &o.Comm, &seen, &o.Node, &o.Epoch, &o.SHA256, &o.Tier, &o.Fidelity, &first, &o.Count, &detail); err != nil {
			return nil, err
		}
		o.SeenAt, o.FirstSeen = fromMicros(seen), fromMicros(first)
		if detail.String != "" {
			_ = json.Unmarshal([]byte(detail.String), &o.Detail) // written by us; a bad row loses only its detail
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ComponentMatch is a stored component a runtime artifact may be: same
// SHA-256, or a name (relative path) that is a suffix of the observed path.
type ComponentMatch struct {
	Project string `json:"project"`
	Version int    `json:"version"` // the latest version that has it
	BOMRef  string `json:"bom-ref"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	SHA256  string `json:"sha256,omitempty"`
}

// MatchComponents finds stored components (of any project and version) with
// one of the hashes, or whose name ends in one of the base names (the
// caller checks the full suffix).
func (d *DB) MatchComponents(ctx context.Context, hashes, basenames []string) ([]ComponentMatch, error) {
	var conds []string
	var args []any
	if len(hashes) > 0 {
		conds = append(conds, "sha256 IN ("+strings.TrimSuffix(strings.Repeat("?,", len(hashes)), ",")+")")
		for _, h := range hashes {
			args = append(args, strings.ToLower(h))
		}
	}
	for _, b := range basenames {
		if b == "" {
			continue
		}
		conds = append(conds, "(name = ? OR name LIKE ? ESCAPE '!')")
		args = append(args, b, "%/"+likeEscape(b))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := d.db.QueryContext(ctx, `SELECT project, MAX(version), bom_ref, kind, name, sha256 FROM components
		WHERE `+strings.Join(conds, " OR ")+` GROUP BY project, bom_ref, kind, name, sha256 ORDER BY project, bom_ref LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("match components: %w", err)
	}
	defer rows.Close()
	var out []ComponentMatch
	for rows.Next() {
		var m ComponentMatch
		if err := rows.Scan(&m.Project, &m.Version, &m.BOMRef, &m.Kind, &m.Name, &m.SHA256); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func likeEscape(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}
