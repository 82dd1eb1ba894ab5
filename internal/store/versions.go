package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// PutBlob stores data under its sha256 (hex) and returns the hash. Storing the
// same bytes again is a no-op, so activities can pass hashes instead of
// large payloads through Temporal.
func (d *DB) PutBlob(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if data == nil {
		data = []byte{}
	}
	_, err := d.db.ExecContext(ctx, d.upsert("blobs", []string{"hash", "size", "data", "created_at"}, []string{"hash"}, nil),
		hash, len(data), data, micros(d.now()))
	if err != nil {
		return "", fmt.Errorf("put blob %s: %w", hash, err)
	}
	return hash, nil
}

// GetBlob returns the bytes stored under hash, or ErrNotFound.
func (d *DB) GetBlob(ctx context.Context, hash string) ([]byte, error) {
	var data []byte
	err := d.db.QueryRowContext(ctx, "SELECT data FROM blobs WHERE hash = ?", hash).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", hash, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

const scanCols = "id, run_id, project, source, ref, commit_sha, status, verdict, version, summary, started_at, ended_at"

// UpsertScan inserts the scan or updates it by ID, creating the project if needed.
func (d *DB) UpsertScan(ctx context.Context, s Scan) error {
	if s.ID == "" || len(s.ID) > 255 {
		return fmt.Errorf("%w: scan id must be 1..255 bytes", ErrInvalid)
	}
	if err := d.ensureProject(ctx, d.db, s.Project); err != nil {
		return err
	}
	cols := []string{"id", "run_id", "project", "source", "ref", "commit_sha", "status", "verdict", "version", "summary", "started_at", "ended_at"}
	_, err := d.db.ExecContext(ctx, d.upsert("scans", cols, []string{"id"}, cols[1:]),
		s.ID, s.RunID, s.Project, s.Source, s.Ref, s.Commit, s.Status, s.Verdict, s.Version, s.Summary,
		micros(s.StartedAt), micros(s.EndedAt))
	if err != nil {
		return fmt.Errorf("upsert scan %s: %w", s.ID, err)
	}
	return nil
}

func scanScan(sc interface{ Scan(...any) error }) (Scan, error) {
	var s Scan
	var started, ended int64
	err := sc.Scan(&s.ID, &s.RunID, &s.Project, &s.Source, &s.Ref, &s.Commit, &s.Status, &s.Verdict,
		&s.Version, &s.Summary, &started, &ended)
	s.StartedAt, s.EndedAt = fromMicros(started), fromMicros(ended)
	return s, err
}

// GetScan returns one scan or ErrNotFound.
func (d *DB) GetScan(ctx context.Context, id string) (Scan, error) {
	s, err := scanScan(d.db.QueryRowContext(ctx, "SELECT "+scanCols+" FROM scans WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, fmt.Errorf("scan %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Scan{}, fmt.Errorf("get scan %s: %w", id, err)
	}
	return s, nil
}

// ListScans returns a project's scans, newest first (all projects when
// project is empty); limit <= 0 means 100.
func (d *DB) ListScans(ctx context.Context, project string, limit int) ([]Scan, error) {
	if limit <= 0 {
		limit = 100
	}
	q := "SELECT " + scanCols + " FROM scans"
	args := []any{}
	if project != "" {
		q += " WHERE project = ?"
		args = append(args, project)
	}
	q += " ORDER BY started_at DESC, id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list scans %s: %w", project, err)
	}
	defer rows.Close()
	out := []Scan{}
	for rows.Next() {
		s, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("list scans %s: %w", project, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// NewVersion is what SaveVersion stores: a BOM produced by one scan.
type NewVersion struct {
	Project     string
	ScanID      string
	RunID       string
	BOM         []byte // CycloneDX JSON
	ContentHash string
	Components  []ComponentRow
}

// ListScansBySource returns the scans that produced a BOM version from one
// of the sources, newest first. A scan's source matches a given one when
// equal ignoring case, or when it is that source followed by @REVISION (a
// revision given in the source string, as hf://ORG/NAME@REV). limit <= 0
// means 100.
func (d *DB) ListScansBySource(ctx context.Context, sources []string, limit int) ([]Scan, error) {
	if limit <= 0 {
		limit = 100
	}
	var conds []string
	var args []any
	for _, src := range sources {
		if src = strings.ToLower(src); src != "" {
			conds = append(conds, "LOWER(source) = ? OR LOWER(source) LIKE ? ESCAPE '!'")
			args = append(args, src, likeEscape(src)+"@%")
		}
	}
	if len(conds) == 0 {
		return nil, nil
	}
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, "SELECT "+scanCols+" FROM scans WHERE version > 0 AND ("+strings.Join(conds, " OR ")+
		") ORDER BY started_at DESC, id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("list scans of %s: %w", strings.Join(sources, ", "), err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		s, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("list scans of %s: %w", strings.Join(sources, ", "), err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SaveVersion stores a BOM as the project's next version, with its component
// rows, in one transaction. It is idempotent per ScanID: when that scan
// already produced a version, that version is returned with created=false,
// so a retried activity never makes a second one. Concurrent calls for one
// project get distinct, gap-free numbers.
func (d *DB) SaveVersion(ctx context.Context, v NewVersion) (Version, bool, error) {
	if v.ScanID == "" || len(v.ScanID) > 255 {
		return Version{}, false, fmt.Errorf("%w: scan id must be 1..255 bytes", ErrInvalid)
	}
	seen := make(map[string]bool, len(v.Components))
	for _, c := range v.Components {
		if c.BOMRef == "" || len(c.BOMRef) > 700 {
			return Version{}, false, fmt.Errorf("%w: component %q: bom-ref must be 1..700 bytes", ErrInvalid, c.Name)
		}
		if seen[c.BOMRef] {
			return Version{}, false, fmt.Errorf("%w: duplicate bom-ref %q in one BOM", ErrInvalid, c.BOMRef)
		}
		seen[c.BOMRef] = true
	}
	// Outside the transaction: creating the project row inside it would take a
	// shared lock that the FOR UPDATE below then has to upgrade (deadlock-prone).
	if err := d.ensureProject(ctx, d.db, v.Project); err != nil {
		return Version{}, false, err
	}
	var out Version
	created := false
	for attempt := 0; ; attempt++ {
		err := d.tx(ctx, func(tx *sql.Tx) error {
			created = false
			// Serialize versions of one project. (SQLite: BEGIN IMMEDIATE already did.)
			if d.dialect == "mysql" {
				var name string
				if err := tx.QueryRowContext(ctx, "SELECT name FROM projects WHERE name = ? FOR UPDATE", v.Project).Scan(&name); err != nil {
					return fmt.Errorf("lock project: %w", err)
				}
			}
			existing, err := versionWhere(ctx, tx, "scan_id = ?", v.ScanID)
			if err == nil {
				out = existing
				return nil
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
			var max sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(number) FROM bom_versions WHERE project = ?", v.Project).Scan(&max); err != nil {
				return fmt.Errorf("next number: %w", err)
			}
			now := d.now().UTC().Truncate(1000)
			out = Version{Project: v.Project, Number: int(max.Int64) + 1, ScanID: v.ScanID, RunID: v.RunID,
				ContentHash: v.ContentHash, BOM: v.BOM, CreatedAt: now, Components: len(v.Components)}
			bom := v.BOM
			if bom == nil {
				bom = []byte{}
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO bom_versions
				(project, number, scan_id, run_id, content_hash, bom, components, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				v.Project, out.Number, v.ScanID, v.RunID, v.ContentHash, bom, len(v.Components), micros(now))
			if err != nil {
				return fmt.Errorf("insert version: %w", err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if err := d.insertComponents(ctx, tx, id, v.Project, out.Number, v.Components); err != nil {
				return err
			}
			created = true
			return nil
		})
		if err == nil {
			return out, created, nil
		}
		// A racing writer took the number or the scan (possible only if the
		// lock above was bypassed); the next attempt sees its row.
		if isDuplicate(err) && attempt < 3 {
			continue
		}
		return Version{}, false, fmt.Errorf("save version of %s (scan %s): %w", v.Project, v.ScanID, err)
	}
}

func (d *DB) insertComponents(ctx context.Context, tx *sql.Tx, versionID int64, project string, number int, cs []ComponentRow) error {
	const cols = "(version_id, project, version, bom_ref, kind, name, comp_version, purl, license, sha256, supplier)"
	const per = 11
	const batch = 200 // rows per INSERT: fewer round trips, well under placeholder limits
	for start := 0; start < len(cs); start += batch {
		end := min(start+batch, len(cs))
		q := []byte("INSERT INTO components " + cols + " VALUES ")
		args := make([]any, 0, (end-start)*per)
		for i, c := range cs[start:end] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, "(?,?,?,?,?,?,?,?,?,?,?)"...)
			args = append(args, versionID, project, number, c.BOMRef, c.Kind, c.Name, c.Version, c.PURL, c.License, c.SHA256, c.Supplier)
		}
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return fmt.Errorf("insert components: %w", err)
		}
	}
	return nil
}

const versionCols = "project, number, scan_id, run_id, content_hash, components, created_at"

func versionWhere(ctx context.Context, q execer, where string, args ...any) (Version, error) {
	var v Version
	var created int64
	err := q.QueryRowContext(ctx, "SELECT "+versionCols+", bom FROM bom_versions WHERE "+where, args...).
		Scan(&v.Project, &v.Number, &v.ScanID, &v.RunID, &v.ContentHash, &v.Components, &created, &v.BOM)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, ErrNotFound
	}
	if err != nil {
		return Version{}, err
	}
	v.CreatedAt = fromMicros(created)
	return v, nil
}

// GetVersion returns version number of project with its BOM; number <= 0
// means the latest. ErrNotFound when there is none.
func (d *DB) GetVersion(ctx context.Context, project string, number int) (Version, error) {
	var (
		v   Version
		err error
	)
	if number <= 0 {
		v, err = versionWhere(ctx, d.db, "project = ? ORDER BY number DESC LIMIT 1", project)
	} else {
		v, err = versionWhere(ctx, d.db, "project = ? AND number = ?", project, number)
	}
	if errors.Is(err, ErrNotFound) {
		return Version{}, fmt.Errorf("version %d of %s: %w", number, project, ErrNotFound)
	}
	if err != nil {
		return Version{}, fmt.Errorf("get version %d of %s: %w", number, project, err)
	}
	return v, nil
}

// ListVersions returns a project's versions, oldest first, without BOM bytes.
func (d *DB) ListVersions(ctx context.Context, project string) ([]Version, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT "+versionCols+" FROM bom_versions WHERE project = ? ORDER BY number", project)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", project, err)
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var created int64
		if err := rows.Scan(&v.Project, &v.Number, &v.ScanID, &v.RunID, &v.ContentHash, &v.Components, &created); err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", project, err)
		}
		v.CreatedAt = fromMicros(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// ListComponents returns the component rows stored with a version.
func (d *DB) ListComponents(ctx context.Context, project string, number int) ([]ComponentRow, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT bom_ref, kind, name, comp_version, purl, license, sha256, supplier
		FROM components WHERE project = ? AND version = ? ORDER BY bom_ref`, project, number)
	if err != nil {
		return nil, fmt.Errorf("list components of %s v%d: %w", project, number, err)
	}
	defer rows.Close()
	out := []ComponentRow{}
	for rows.Next() {
		var c ComponentRow
		if err := rows.Scan(&c.BOMRef, &c.Kind, &c.Name, &c.Version, &c.PURL, &c.License, &c.SHA256, &c.Supplier); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListProjects returns all project names, sorted.
func (d *DB) ListProjects(ctx context.Context) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT name FROM projects ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SaveDiff stores the diff between two versions (replacing an earlier one).
func (d *DB) SaveDiff(ctx context.Context, project string, from, to int, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	_, err := d.db.ExecContext(ctx, d.upsert("diffs", []string{"project", "from_v", "to_v", "data", "created_at"},
		[]string{"project", "from_v", "to_v"}, []string{"data"}), project, from, to, data, micros(d.now()))
	if err != nil {
		return fmt.Errorf("save diff %s %d..%d: %w", project, from, to, err)
	}
	return nil
}

// GetDiff returns a stored diff or ErrNotFound.
func (d *DB) GetDiff(ctx context.Context, project string, from, to int) ([]byte, error) {
	var data []byte
	err := d.db.QueryRowContext(ctx, "SELECT data FROM diffs WHERE project = ? AND from_v = ? AND to_v = ?", project, from, to).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("diff %s %d..%d: %w", project, from, to, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get diff %s %d..%d: %w", project, from, to, err)
	}
	return data, nil
}
