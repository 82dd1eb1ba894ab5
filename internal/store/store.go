package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/mlbom/autopilot/internal/redact"
)

// ErrInvalid marks input the store refuses (empty project, duplicate bom-ref
// in one version, an over-long key). Retrying with the same input cannot help.
var ErrInvalid = errors.New("invalid input")

// Backend names reported by (*DB).Backend.
const (
	BackendSQLite = "sqlite"
	BackendMySQL  = "mysql"
	BackendTiDB   = "tidb"
)

// DB is the store: one *sql.DB. Safe for concurrent use. Ranking evidence
// (where the server cannot) is internal/search's job; see searchdata.go for
// what the store gives it.
type DB struct {
	db      *sql.DB
	dialect string // sqlite or mysql (the SQL flavour)
	backend string // sqlite, mysql or tidb (the server)
	where   string // location without password, for messages
	// tidbVector: the server has VECTOR and VEC_COSINE_DISTANCE (TiDB >= 8.4).
	tidbVector bool
	// memText: no server full-text (self-hosted TiDB); search with an in-process BM25.
	memText bool

	now func() time.Time
}

// Open connects to location, a MLBOM_DB value:
//
//	sqlite:PATH                                   (e.g. sqlite:.mlbom/mlbom.db)
//	mysql://USER[:PASS]@HOST[:PORT]/DB[?params]   (MySQL, MariaDB, TiDB; port defaults to 3306)
//
// params are go-sql-driver/mysql DSN parameters (tls=true for TiDB Cloud,
// timeout=5s, ...). Open applies pending schema migrations before returning.
// Errors retrying cannot fix wrap ErrConfig; the rest (server down, timeouts)
// are retryable.
func Open(ctx context.Context, location string) (*DB, error) {
	scheme, rest, ok := strings.Cut(location, ":")
	if !ok {
		return nil, fmt.Errorf("%w: MLBOM_DB %q: want sqlite:PATH or mysql://USER[:PASS]@HOST:PORT/DB", ErrConfig, redact.DSN(location))
	}
	var (
		d   *DB
		err error
	)
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3", "file":
		d, err = openSQLite(ctx, rest)
	case "mysql", "tidb", "mariadb":
		d, err = openMySQL(ctx, location)
	default:
		return nil, fmt.Errorf("%w: MLBOM_DB scheme %q unknown: want sqlite:PATH or mysql://USER[:PASS]@HOST:PORT/DB", ErrConfig, scheme)
	}
	if err != nil {
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("migrate %s: %w", d.where, err)
	}
	return d, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite: empty path: want sqlite:PATH", ErrConfig)
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("%w: sqlite %s: create directory: %v", ErrConfig, path, err)
		}
	}
	// _txlock=immediate makes every transaction take the write lock at BEGIN:
	// no deadlock-prone read-to-write upgrades, and max(number)+1 is serialized.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-32000)") // 32 MB page cache per connection
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite %s: %v", ErrConfig, path, err)
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // each connection would be its own empty database
	}
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{db: db, dialect: "sqlite", backend: BackendSQLite, where: "sqlite:" + path, now: time.Now}, nil
}

// mysqlConfig translates mysql://USER[:PASS]@HOST[:PORT]/DB[?params] into a
// driver config, with the settings the store relies on forced.
func mysqlConfig(location string) (*mysql.Config, error) {
	u, err := url.Parse(location)
	if err != nil {
		// The parser's own message may quote part of a password with an
		// unescaped '/' or ':' (invalid port ":pa" after host).
		return nil, fmt.Errorf("%w: MLBOM_DB %s is not a valid URL: percent-encode '@', '/', ':' and '%%' in the user name and password", ErrConfig, redact.DSN(location))
	}
	if _, hasPass := u.User.Password(); hasPass && strings.Contains(u.EscapedPath()+u.RawQuery, "@") {
		// mysql://root:pa@ss/word@host/db: what the parser takes for the
		// host is part of the password, and connecting would print it.
		return nil, fmt.Errorf("%w: MLBOM_DB %s: percent-encode '@', '/', ':' and '%%' in the password", ErrConfig, redact.DSN(location))
	}
	db := strings.Trim(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return nil, fmt.Errorf("%w: MLBOM_DB %s: want mysql://USER[:PASS]@HOST:PORT/DB", ErrConfig, redact.DSN(location))
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	// Let the driver validate params (tls, timeout, ...) by parsing a DSN
	// without credentials; then put credentials in directly so no escaping
	// of the password is needed.
	base := "tcp(" + host + ")/" + db
	if u.RawQuery != "" {
		base += "?" + u.RawQuery
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		return nil, fmt.Errorf("%w: MLBOM_DB %s: %v", ErrConfig, redact.DSN(location), err)
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.ParseTime = true
	cfg.MultiStatements = false
	cfg.RejectReadOnly = true // a failed-over read-only primary is retried, not written to
	cfg.Collation = "utf8mb4_general_ci"
	cfg.Loc = time.UTC
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return cfg, nil
}

func openMySQL(ctx context.Context, location string) (*DB, error) {
	cfg, err := mysqlConfig(location)
	if err != nil {
		return nil, err
	}
	where := redact.DSN(location)
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, where, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", where, classifyOpen(err))
	}
	d := &DB{db: db, dialect: "mysql", backend: BackendMySQL, where: where, now: time.Now}
	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: server version: %w", where, err)
	}
	if strings.Contains(strings.ToLower(version), "tidb") {
		d.backend = BackendTiDB
		d.memText = true
		// Probe instead of parsing versions: VEC_COSINE_DISTANCE exists from TiDB 8.4.
		var dist float64
		if err := db.QueryRowContext(ctx, "SELECT VEC_COSINE_DISTANCE('[1,0]', '[1,0]')").Scan(&dist); err == nil {
			d.tidbVector = true
		}
	}
	return d, nil
}

// classifyOpen marks the server's answers that mean "fix your configuration".
func classifyOpen(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045: // access denied (wrong user or password)
			return fmt.Errorf("%w: wrong user or password (%s)", ErrConfig, me.Message)
		case 1044: // access denied to database
			return fmt.Errorf("%w: user may not use this database (%s)", ErrConfig, me.Message)
		case 1049: // unknown database
			return fmt.Errorf("%w: unknown database: create it first (%s)", ErrConfig, me.Message)
		case 1251, 2059: // auth plugin not supported
			return fmt.Errorf("%w: authentication method not supported (%s)", ErrConfig, me.Message)
		}
	}
	return err
}

// Close releases the connections.
func (d *DB) Close() error { return d.db.Close() }

// Backend reports the server: "sqlite", "mysql" (MySQL or MariaDB) or "tidb".
func (d *DB) Backend() string { return d.backend }

// SQL exposes the connection pool for read-only ad-hoc queries (reports, tests).
func (d *DB) SQL() *sql.DB { return d.db }

// IsRetryable reports whether an operation that failed with err may succeed
// when retried unchanged: false for configuration errors, missing rows,
// refused input and cancellation; true for everything else (server down,
// timeouts, deadlocks, busy database, read-only failover).
func IsRetryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrConfig), errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid),
		errors.Is(err, context.Canceled):
		return false
	}
	return true
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// tx runs fn in a transaction, retrying a few times on deadlocks, lock wait
// timeouts and SQLite busy errors, which a fresh attempt usually clears.
func (d *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 20 * time.Millisecond):
			}
		}
		err = d.tryTx(ctx, fn)
		if err == nil || !isTransient(err) {
			return err
		}
	}
	return err
}

func (d *DB) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// isTransient: errors a retried transaction is expected to get past.
func isTransient(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205 // deadlock, lock wait timeout
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}

// isDuplicate reports a unique or primary key violation.
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") ||
		err != nil && strings.Contains(err.Error(), "PRIMARY KEY constraint failed")
}

// upsert builds an insert-or-update statement for either dialect.
func (d *DB) upsert(table string, cols, keys, update []string) string {
	ph := strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",")
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES (" + ph + ")"
	set := make([]string, len(update))
	if d.dialect == "sqlite" {
		for i, c := range update {
			set[i] = c + "=excluded." + c
		}
		if len(update) == 0 {
			return q + " ON CONFLICT(" + strings.Join(keys, ",") + ") DO NOTHING"
		}
		return q + " ON CONFLICT(" + strings.Join(keys, ",") + ") DO UPDATE SET " + strings.Join(set, ",")
	}
	for i, c := range update {
		set[i] = c + "=VALUES(" + c + ")"
	}
	if len(update) == 0 {
		return q + " ON DUPLICATE KEY UPDATE " + keys[0] + "=" + keys[0]
	}
	return q + " ON DUPLICATE KEY UPDATE " + strings.Join(set, ",")
}

func (d *DB) ensureProject(ctx context.Context, ex execer, project string) error {
	if project == "" {
		return fmt.Errorf("%w: empty project name", ErrInvalid)
	}
	if len(project) > 255 {
		return fmt.Errorf("%w: project name longer than 255 bytes", ErrInvalid)
	}
	_, err := ex.ExecContext(ctx, d.upsert("projects", []string{"name", "created_at"}, []string{"name"}, nil),
		project, micros(d.now()))
	if err != nil {
		return fmt.Errorf("ensure project %s: %w", project, err)
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pingSQLite opens the first connection. Switching a new database file to WAL
// needs an exclusive lock and answers SQLITE_BUSY at once, without the busy
// handler, when several processes create the same file together; that only
// happens the first time, so waiting a little and trying again is enough.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.PingContext(ctx)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}
