package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Signature is a signed attestation (a DSSE envelope) of one BOM version.
type Signature struct {
	Project   string `json:"project"`
	Version   int    `json:"version"`
	KeyID     string `json:"keyId"`
	Algorithm string `json:"algorithm"`
	// BOMSHA256 is the SHA-256 of the exact BOM bytes the attestation
	// carries: equal to the sha256 of the BOM as served when the signature
	// covers it.
	BOMSHA256 string    `json:"bomSha256"`
	Envelope  []byte    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
}

// SaveSignature stores the signature of a version by one key, replacing an
// earlier one by the same key (re-signing after the BOM of that version was
// completed is how the signature comes to cover the final document).
func (d *DB) SaveSignature(ctx context.Context, s Signature) error {
	if s.Project == "" || s.Version <= 0 || s.KeyID == "" || len(s.Envelope) == 0 {
		return fmt.Errorf("%w: signature needs project, version, key id and envelope", ErrInvalid)
	}
	if len(s.KeyID) > 128 {
		return fmt.Errorf("%w: key id longer than 128 bytes", ErrInvalid)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = d.now()
	}
	cols := []string{"project", "number", "key_id", "algorithm", "bom_sha256", "envelope", "created_at"}
	_, err := d.db.ExecContext(ctx, d.upsert("bom_signatures", cols, cols[:3], cols[3:]),
		s.Project, s.Version, s.KeyID, s.Algorithm, s.BOMSHA256, s.Envelope, micros(s.CreatedAt))
	if err != nil {
		return fmt.Errorf("save signature of %s v%d: %w", s.Project, s.Version, err)
	}
	return nil
}

const signatureCols = "project, number, key_id, algorithm, bom_sha256, envelope, created_at"

// ListSignatures returns the signatures of version number of project (the
// latest version when number <= 0), newest first. No signature is an empty
// list, not an error.
func (d *DB) ListSignatures(ctx context.Context, project string, number int) ([]Signature, error) {
	if number <= 0 {
		var max sql.NullInt64
		if err := d.db.QueryRowContext(ctx, "SELECT MAX(number) FROM bom_versions WHERE project = ?", project).Scan(&max); err != nil {
			return nil, fmt.Errorf("list signatures of %s: %w", project, err)
		}
		number = int(max.Int64)
	}
	rows, err := d.db.QueryContext(ctx, "SELECT "+signatureCols+" FROM bom_signatures WHERE project = ? AND number = ? ORDER BY created_at DESC, key_id",
		project, number)
	if err != nil {
		return nil, fmt.Errorf("list signatures of %s v%d: %w", project, number, err)
	}
	defer rows.Close()
	out := []Signature{}
	for rows.Next() {
		var s Signature
		var created int64
		if err := rows.Scan(&s.Project, &s.Version, &s.KeyID, &s.Algorithm, &s.BOMSHA256, &s.Envelope, &created); err != nil {
			return nil, fmt.Errorf("list signatures of %s v%d: %w", project, number, err)
		}
		s.CreatedAt = fromMicros(created)
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetSignature returns the newest signature of a version (the latest version
// when number <= 0), or ErrNotFound.
func (d *DB) GetSignature(ctx context.Context, project string, number int) (Signature, error) {
	list, err := d.ListSignatures(ctx, project, number)
	if err != nil {
		return Signature{}, err
	}
	if len(list) == 0 {
		return Signature{}, fmt.Errorf("signature of %s version %s: %w", project, versionLabel(number), ErrNotFound)
	}
	return list[0], nil
}

func versionLabel(n int) string {
	if n <= 0 {
		return "latest"
	}
	return fmt.Sprint(n)
}
