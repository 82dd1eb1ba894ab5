-- Initial schema. Times are Unix microseconds (0 = unset) so that both
-- backends compare and order them the same way.
CREATE TABLE IF NOT EXISTS projects (
  name       TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS scans (
  id         TEXT PRIMARY KEY,
  run_id     TEXT NOT NULL DEFAULT '',
  project    TEXT NOT NULL REFERENCES projects(name),
  source     TEXT NOT NULL DEFAULT '',
  ref        TEXT NOT NULL DEFAULT '',
  commit_sha TEXT NOT NULL DEFAULT '',
  status     TEXT NOT NULL DEFAULT '',
  verdict    TEXT NOT NULL DEFAULT '',
  version    INTEGER NOT NULL DEFAULT 0,
  summary    BLOB,
  started_at INTEGER NOT NULL DEFAULT 0,
  ended_at   INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS scans_project ON scans(project, started_at);

CREATE TABLE IF NOT EXISTS bom_versions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  project      TEXT NOT NULL REFERENCES projects(name),
  number       INTEGER NOT NULL,
  scan_id      TEXT NOT NULL,
  run_id       TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL DEFAULT '',
  bom          BLOB NOT NULL,
  components   INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  UNIQUE (project, number),
  UNIQUE (scan_id)
);

CREATE TABLE IF NOT EXISTS components (
  version_id   INTEGER NOT NULL REFERENCES bom_versions(id) ON DELETE CASCADE,
  project      TEXT NOT NULL,
  version      INTEGER NOT NULL,
  bom_ref      TEXT NOT NULL,
  kind         TEXT NOT NULL DEFAULT '',
  name         TEXT NOT NULL DEFAULT '',
  comp_version TEXT NOT NULL DEFAULT '',
  purl         TEXT NOT NULL DEFAULT '',
  license      TEXT NOT NULL DEFAULT '',
  sha256       TEXT NOT NULL DEFAULT '',
  supplier     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (version_id, bom_ref)
);

CREATE INDEX IF NOT EXISTS components_name ON components(project, name);

CREATE INDEX IF NOT EXISTS components_sha256 ON components(sha256);

CREATE TABLE IF NOT EXISTS blobs (
  hash       TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS diffs (
  project    TEXT NOT NULL,
  from_v     INTEGER NOT NULL,
  to_v       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project, from_v, to_v)
);

CREATE TABLE IF NOT EXISTS findings (
  scan_id     TEXT NOT NULL,
  id          TEXT NOT NULL,
  project     TEXT NOT NULL DEFAULT '',
  policy      TEXT NOT NULL DEFAULT '',
  severity    TEXT NOT NULL DEFAULT '',
  component   TEXT NOT NULL DEFAULT '',
  message     TEXT NOT NULL DEFAULT '',
  remediation TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (scan_id, id)
);

CREATE TABLE IF NOT EXISTS approvals (
  id         TEXT PRIMARY KEY,
  project    TEXT NOT NULL,
  component  TEXT NOT NULL,
  license    TEXT NOT NULL,
  decision   TEXT NOT NULL,
  approver   TEXT NOT NULL DEFAULT '',
  reason     TEXT NOT NULL DEFAULT '',
  scan_id    TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS approvals_project ON approvals(project);

CREATE TABLE IF NOT EXISTS notifications (
  nkey       TEXT NOT NULL,
  channel    TEXT NOT NULL,
  ext_ref    TEXT NOT NULL DEFAULT '',
  scan_id    TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (nkey, channel)
);

CREATE TABLE IF NOT EXISTS evidence (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  project  TEXT NOT NULL DEFAULT '',
  version  INTEGER NOT NULL DEFAULT 0,
  bom_ref  TEXT NOT NULL DEFAULT '',
  name     TEXT NOT NULL DEFAULT '',
  kind     TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  body     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS evidence_project ON evidence(project, kind);

CREATE VIRTUAL TABLE IF NOT EXISTS evidence_fts USING fts5(
  name, body, content='evidence', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER IF NOT EXISTS evidence_fts_ai AFTER INSERT ON evidence BEGIN
  INSERT INTO evidence_fts(rowid, name, body) VALUES (new.seq, new.name, new.body);
END;

CREATE TRIGGER IF NOT EXISTS evidence_fts_ad AFTER DELETE ON evidence BEGIN
  INSERT INTO evidence_fts(evidence_fts, rowid, name, body) VALUES ('delete', old.seq, old.name, old.body);
END;

CREATE TRIGGER IF NOT EXISTS evidence_fts_au AFTER UPDATE ON evidence BEGIN
  INSERT INTO evidence_fts(evidence_fts, rowid, name, body) VALUES ('delete', old.seq, old.name, old.body);
  INSERT INTO evidence_fts(rowid, name, body) VALUES (new.seq, new.name, new.body);
END;

CREATE TABLE IF NOT EXISTS embeddings (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  evidence_id TEXT NOT NULL UNIQUE REFERENCES evidence(id) ON DELETE CASCADE,
  embedder    TEXT NOT NULL,
  dim         INTEGER NOT NULL,
  vector      BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS runtime_observations (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  project TEXT NOT NULL DEFAULT '',
  kind    TEXT NOT NULL DEFAULT '',
  value   TEXT NOT NULL DEFAULT '',
  pid     INTEGER NOT NULL DEFAULT 0,
  comm    TEXT NOT NULL DEFAULT '',
  seen_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS runtime_observations_project ON runtime_observations(project, seen_at);
