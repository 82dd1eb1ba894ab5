-- API tokens and browser sessions of the HTTP API and dashboard. Only
-- SHA-256 hashes of tokens and session cookies are stored: a copy of the
-- database signs nobody in. A token's name is its identity (approvals record
-- it) and is never reused, so revoked tokens stay listed.
CREATE TABLE IF NOT EXISTS api_tokens (
  name         TEXT PRIMARY KEY COLLATE NOCASE,
  role         TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  hint         TEXT NOT NULL DEFAULT '',
  created_by   TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  expires_at   INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS web_sessions (
  hash       TEXT PRIMARY KEY,
  token_name TEXT NOT NULL COLLATE NOCASE REFERENCES api_tokens(name) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS web_sessions_token ON web_sessions(token_name);
