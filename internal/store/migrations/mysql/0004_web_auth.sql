-- API tokens and browser sessions of the HTTP API and dashboard. Only
-- SHA-256 hashes of tokens and session cookies are stored: a copy of the
-- database signs nobody in. A token's name is its identity (approvals record
-- it) and is never reused, so revoked tokens stay listed.
CREATE TABLE IF NOT EXISTS api_tokens (
  name         VARCHAR(128) NOT NULL PRIMARY KEY,
  role         VARCHAR(32) NOT NULL,
  hash         CHAR(64) NOT NULL,
  hint         VARCHAR(32) NOT NULL DEFAULT '',
  created_by   VARCHAR(128) NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL DEFAULT 0,
  expires_at   BIGINT NOT NULL DEFAULT 0,
  revoked_at   BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY api_tokens_hash (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS web_sessions (
  hash       CHAR(64) NOT NULL PRIMARY KEY,
  token_name VARCHAR(128) NOT NULL,
  csrf       VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  KEY web_sessions_token (token_name),
  CONSTRAINT web_sessions_token_fk FOREIGN KEY (token_name) REFERENCES api_tokens(name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
