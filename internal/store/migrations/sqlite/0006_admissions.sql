-- Kubernetes admission decisions (issue 16): who asked to run what, when,
-- and whether mlbom allowed it. findings and models are JSON.
CREATE TABLE IF NOT EXISTS admissions (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  uid         TEXT NOT NULL UNIQUE,
  namespace   TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL DEFAULT '',
  name        TEXT NOT NULL DEFAULT '',
  operation   TEXT NOT NULL DEFAULT '',
  username    TEXT NOT NULL DEFAULT '',
  allowed     INTEGER NOT NULL,
  enforced    INTEGER NOT NULL,
  bom_project TEXT NOT NULL DEFAULT '',
  bom_version INTEGER NOT NULL DEFAULT 0,
  message     TEXT NOT NULL DEFAULT '',
  findings    BLOB,
  models      BLOB,
  created_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS admissions_namespace ON admissions(namespace, created_at);

CREATE INDEX IF NOT EXISTS admissions_created ON admissions(created_at);
