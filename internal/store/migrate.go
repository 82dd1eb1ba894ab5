package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	stmts   []statement
}

type statement struct {
	cond string // "", "tidb", "!tidb", "tidb-vector"
	sql  string
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql. A statement ends at
// an unindented line ending in ";" (so trigger bodies, indented, stay whole);
// a "-- if: COND" line applies to the next statement only.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		m := migration{version: v, name: name}
		var cur strings.Builder
		cond := ""
		for _, line := range strings.Split(string(b), "\n") {
			trim := strings.TrimSpace(line)
			if c, ok := strings.CutPrefix(trim, "-- if:"); ok {
				cond = strings.TrimSpace(c)
				continue
			}
			if cur.Len() == 0 && (trim == "" || strings.HasPrefix(trim, "--")) {
				continue
			}
			cur.WriteString(line)
			cur.WriteByte('\n')
			if strings.HasSuffix(trim, ";") && line != "" && line[0] != ' ' && line[0] != '\t' {
				m.stmts = append(m.stmts, statement{cond: cond, sql: strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")})
				cur.Reset()
				cond = ""
			}
		}
		if strings.TrimSpace(cur.String()) != "" {
			return nil, fmt.Errorf("migration %s: statement without terminating ';'", e.Name())
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (d *DB) applies(cond string) bool {
	switch cond {
	case "":
		return true
	case "tidb":
		return d.backend == BackendTiDB
	case "!tidb":
		return d.backend != BackendTiDB
	case "tidb-vector":
		return d.tidbVector
	}
	return false
}

// migrate applies pending migrations under a lock so that several workers
// starting together apply each migration exactly once.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(d.dialect)
	if err != nil {
		return err
	}
	const create = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)"
	if d.dialect == "sqlite" {
		// SQLite DDL is transactional: BEGIN IMMEDIATE (from _txlock) is the
		// lock, and a migration is all-or-nothing.
		return d.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, create); err != nil {
				return err
			}
			done, err := appliedVersions(ctx, tx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if done[m.version] {
					continue
				}
				if err := d.applyMigration(ctx, tx, m); err != nil {
					return err
				}
			}
			return nil
		})
	}

	// MySQL DDL commits implicitly, so the lock is a named server lock held
	// on one connection; the statements are idempotent for the case of a
	// worker dying half-way through a migration.
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('mlbom_migrate', 30)").Scan(&got); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("migration lock mlbom_migrate: not acquired within 30s (another worker migrating?)")
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('mlbom_migrate')")
	if _, err := conn.ExecContext(ctx, create); err != nil {
		return err
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if err := d.applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

type queryExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func appliedVersions(ctx context.Context, q queryExecer) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

func (d *DB) applyMigration(ctx context.Context, q queryExecer, m migration) error {
	for i, s := range m.stmts {
		if !d.applies(s.cond) {
			continue
		}
		if _, err := q.ExecContext(ctx, s.sql); err != nil && !alreadyApplied(err) {
			return fmt.Errorf("migration %04d_%s statement %d: %w", m.version, m.name, i+1, err)
		}
	}
	_, err := q.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, micros(d.now()))
	if err != nil {
		return fmt.Errorf("record migration %04d_%s: %w", m.version, m.name, err)
	}
	return nil
}

// alreadyApplied: MySQL DDL without IF NOT EXISTS (CREATE INDEX, ADD
// COLUMN on MySQL 8) re-run after an interrupted migration.
func alreadyApplied(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1061 || me.Number == 1060) // duplicate key name, column name
}

// SchemaVersion is the highest applied migration.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := d.db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}
