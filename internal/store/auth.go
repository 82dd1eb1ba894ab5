package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrExists is returned when a record with the same identity exists (a token
// name already taken).
var ErrExists = errors.New("already exists")

// Token is an API token as stored: its hash, never the token itself.
type Token struct {
	Name      string    `json:"name"` // identity: recorded on approvals; unique, never reused
	Role      string    `json:"role"`
	Hint      string    `json:"hint,omitempty"` // the first characters, to tell tokens apart
	CreatedBy string    `json:"createdBy,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	LastUsed  time.Time `json:"lastUsedAt,omitempty"`
	Expires   time.Time `json:"expiresAt,omitempty"` // zero: never
	Revoked   time.Time `json:"revokedAt,omitempty"` // zero: not revoked
}

// Active reports whether the token may sign in at now.
func (t Token) Active(now time.Time) bool {
	return t.Revoked.IsZero() && (t.Expires.IsZero() || now.Before(t.Expires))
}

// Session is a browser session, stored by the hash of its cookie.
type Session struct {
	TokenName string
	CSRF      string // the form token every unsafe request of the session must carry
	CreatedAt time.Time
	Expires   time.Time
}

const tokenCols = "name, role, hint, created_by, created_at, last_used_at, expires_at, revoked_at"

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var created, used, expires, revoked int64
	if err := sc.Scan(&t.Name, &t.Role, &t.Hint, &t.CreatedBy, &created, &used, &expires, &revoked); err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.LastUsed, t.Expires, t.Revoked = fromMicros(created), fromMicros(used), fromMicros(expires), fromMicros(revoked)
	return t, nil
}

// CreateToken stores a new token under hash (hex SHA-256 of the secret). A
// name in use, even by a revoked token, is ErrExists: approvals name their
// approver by it, so it must keep meaning one holder.
func (d *DB) CreateToken(ctx context.Context, t Token, hash string) error {
	if t.Name == "" || len(t.Name) > 128 || t.Role == "" || len(hash) != 64 {
		return fmt.Errorf("%w: token needs a name (1..128 bytes), a role and a 64-hex-digit hash", ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = d.now()
	}
	_, err := d.db.ExecContext(ctx, "INSERT INTO api_tokens ("+tokenCols+", hash) VALUES (?,?,?,?,?,?,?,?,?)",
		t.Name, t.Role, t.Hint, t.CreatedBy, micros(t.CreatedAt), micros(t.LastUsed), micros(t.Expires), micros(t.Revoked), hash)
	if isDuplicate(err) {
		return fmt.Errorf("token %q: %w (names are never reused; pick another)", t.Name, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.Name, err)
	}
	return nil
}

// TokenByHash returns the token whose secret hashes to hash, revoked or
// not (the caller decides with Active); ErrNotFound when there is none.
func (d *DB) TokenByHash(ctx context.Context, hash string) (Token, error) {
	t, err := scanToken(d.db.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("look up token: %w", err)
	}
	return t, nil
}

// GetToken returns the token named name.
func (d *DB) GetToken(ctx context.Context, name string) (Token, error) {
	t, err := scanToken(d.db.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("token %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("read token %s: %w", name, err)
	}
	return t, nil
}

// ListTokens returns every token, revoked ones included, by name.
func (d *DB) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT "+tokenCols+" FROM api_tokens ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks the token revoked at at and ends its sessions. Revoking
// a revoked token keeps the first time; an unknown name is ErrNotFound.
func (d *DB) RevokeToken(ctx context.Context, name string, at time.Time) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at = 0", micros(at), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM api_tokens WHERE name = ?", name).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("token %q: %w", name, ErrNotFound)
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE token_name = ?", name)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	return nil
}

// TouchToken records that the token was used at at. Callers throttle it:
// it is a write per call.
func (d *DB) TouchToken(ctx context.Context, name string, at time.Time) error {
	if _, err := d.db.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE name = ?", micros(at), name); err != nil {
		return fmt.Errorf("touch token %s: %w", name, err)
	}
	return nil
}

// CreateSession stores a session under hash (hex SHA-256 of the cookie).
func (d *DB) CreateSession(ctx context.Context, hash string, s Session) error {
	if len(hash) != 64 || s.TokenName == "" || s.CSRF == "" || s.Expires.IsZero() {
		return fmt.Errorf("%w: session needs a 64-hex-digit hash, a token, a CSRF token and an expiry", ErrInvalid)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = d.now()
	}
	_, err := d.db.ExecContext(ctx, "INSERT INTO web_sessions (hash, token_name, csrf, created_at, expires_at) VALUES (?,?,?,?,?)",
		hash, s.TokenName, s.CSRF, micros(s.CreatedAt), micros(s.Expires))
	if err != nil {
		return fmt.Errorf("create session for %s: %w", s.TokenName, err)
	}
	return nil
}

// SessionByHash returns a session that has not expired at now, with its
// token; an expired, unknown or signed-out session, or one whose token was
// revoked or expired, is ErrNotFound.
func (d *DB) SessionByHash(ctx context.Context, hash string, now time.Time) (Session, Token, error) {
	row := d.db.QueryRowContext(ctx, `SELECT s.token_name, s.csrf, s.created_at, s.expires_at,
		t.name, t.role, t.hint, t.created_by, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
		FROM web_sessions s JOIN api_tokens t ON t.name = s.token_name WHERE s.hash = ?`, hash)
	var s Session
	var created, expires int64
	var t Token
	var tc, tu, te, tr int64
	err := row.Scan(&s.TokenName, &s.CSRF, &created, &expires, &t.Name, &t.Role, &t.Hint, &t.CreatedBy, &tc, &tu, &te, &tr)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Token{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, Token{}, fmt.Errorf("look up session: %w", err)
	}
	s.CreatedAt, s.Expires = fromMicros(created), fromMicros(expires)
	t.CreatedAt, t.LastUsed, t.Expires, t.Revoked = fromMicros(tc), fromMicros(tu), fromMicros(te), fromMicros(tr)
	if !now.Before(s.Expires) || !t.Active(now) {
		return Session{}, Token{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	return s, t, nil
}

// DeleteSession ends a session (sign-out); an unknown one is not an error.
func (d *DB) DeleteSession(ctx context.Context, hash string) error {
	if _, err := d.db.ExecContext(ctx, "DELETE FROM web_sessions WHERE hash = ?", hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions expired at now and says how many.
func (d *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := d.db.ExecContext(ctx, "DELETE FROM web_sessions WHERE expires_at <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
