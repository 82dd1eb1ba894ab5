-- Initial schema for MySQL, MariaDB and TiDB. Times are Unix microseconds
-- (0 = unset). Key columns are sized so composite keys stay under InnoDB's
-- 3072-byte index limit with utf8mb4. Every statement is idempotent because
-- MySQL DDL commits implicitly: a migration interrupted half-way is re-run.
CREATE TABLE IF NOT EXISTS projects (
  name       VARCHAR(255) NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS scans (
  id         VARCHAR(255) NOT NULL PRIMARY KEY,
  run_id     VARCHAR(255) NOT NULL DEFAULT '',
  project    VARCHAR(255) NOT NULL,
  source     TEXT NOT NULL,
  ref        VARCHAR(512) NOT NULL DEFAULT '',
  commit_sha VARCHAR(128) NOT NULL DEFAULT '',
  status     VARCHAR(32) NOT NULL DEFAULT '',
  verdict    VARCHAR(64) NOT NULL DEFAULT '',
  version    INT NOT NULL DEFAULT 0,
  summary    LONGBLOB NULL,
  started_at BIGINT NOT NULL DEFAULT 0,
  ended_at   BIGINT NOT NULL DEFAULT 0,
  KEY scans_project (project, started_at),
  CONSTRAINT scans_project_fk FOREIGN KEY (project) REFERENCES projects(name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS bom_versions (
  id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project      VARCHAR(255) NOT NULL,
  number       INT NOT NULL,
  scan_id      VARCHAR(255) NOT NULL,
  run_id       VARCHAR(255) NOT NULL DEFAULT '',
  content_hash VARCHAR(128) NOT NULL DEFAULT '',
  bom          LONGBLOB NOT NULL,
  components   INT NOT NULL DEFAULT 0,
  created_at   BIGINT NOT NULL,
  UNIQUE KEY bom_versions_number (project, number),
  UNIQUE KEY bom_versions_scan (scan_id),
  CONSTRAINT bom_versions_project_fk FOREIGN KEY (project) REFERENCES projects(name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS components (
  version_id   BIGINT NOT NULL,
  project      VARCHAR(255) NOT NULL,
  version      INT NOT NULL,
  bom_ref      VARCHAR(700) NOT NULL,
  kind         VARCHAR(64) NOT NULL DEFAULT '',
  name         VARCHAR(512) NOT NULL DEFAULT '',
  comp_version VARCHAR(255) NOT NULL DEFAULT '',
  purl         TEXT NOT NULL,
  license      VARCHAR(512) NOT NULL DEFAULT '',
  sha256       VARCHAR(128) NOT NULL DEFAULT '',
  supplier     VARCHAR(512) NOT NULL DEFAULT '',
  PRIMARY KEY (version_id, bom_ref),
  KEY components_name (project, name(191)),
  KEY components_sha256 (sha256),
  CONSTRAINT components_version_fk FOREIGN KEY (version_id) REFERENCES bom_versions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS blobs (
  hash       CHAR(64) NOT NULL PRIMARY KEY,
  size       BIGINT NOT NULL,
  data       LONGBLOB NOT NULL,
  created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS diffs (
  project    VARCHAR(255) NOT NULL,
  from_v     INT NOT NULL,
  to_v       INT NOT NULL,
  data       LONGBLOB NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project, from_v, to_v)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS findings (
  scan_id     VARCHAR(255) NOT NULL,
  id          VARCHAR(500) NOT NULL,
  project     VARCHAR(255) NOT NULL DEFAULT '',
  policy      VARCHAR(255) NOT NULL DEFAULT '',
  severity    VARCHAR(32) NOT NULL DEFAULT '',
  component   VARCHAR(700) NOT NULL DEFAULT '',
  message     TEXT NOT NULL,
  remediation TEXT NOT NULL,
  PRIMARY KEY (scan_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS approvals (
  id         CHAR(64) NOT NULL PRIMARY KEY,
  project    VARCHAR(255) NOT NULL,
  component  VARCHAR(700) NOT NULL,
  license    VARCHAR(255) NOT NULL,
  decision   VARCHAR(32) NOT NULL,
  approver   VARCHAR(255) NOT NULL DEFAULT '',
  reason     TEXT NOT NULL,
  scan_id    VARCHAR(255) NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL DEFAULT 0,
  KEY approvals_project (project)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS notifications (
  nkey       VARCHAR(512) NOT NULL,
  channel    VARCHAR(64) NOT NULL,
  ext_ref    VARCHAR(512) NOT NULL DEFAULT '',
  scan_id    VARCHAR(255) NOT NULL DEFAULT '',
  state      VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (nkey, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- if: !tidb
CREATE TABLE IF NOT EXISTS evidence (
  seq      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id       VARCHAR(255) NOT NULL,
  project  VARCHAR(255) NOT NULL DEFAULT '',
  version  INT NOT NULL DEFAULT 0,
  bom_ref  VARCHAR(700) NOT NULL DEFAULT '',
  name     VARCHAR(512) NOT NULL DEFAULT '',
  kind     VARCHAR(64) NOT NULL DEFAULT '',
  location TEXT NOT NULL,
  body     MEDIUMTEXT NOT NULL,
  UNIQUE KEY evidence_id (id),
  KEY evidence_project (project, kind),
  FULLTEXT KEY evidence_ft (name, body)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Self-hosted TiDB has no full-text index; search falls back to an in-process BM25.
-- if: tidb
CREATE TABLE IF NOT EXISTS evidence (
  seq      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id       VARCHAR(255) NOT NULL,
  project  VARCHAR(255) NOT NULL DEFAULT '',
  version  INT NOT NULL DEFAULT 0,
  bom_ref  VARCHAR(700) NOT NULL DEFAULT '',
  name     VARCHAR(512) NOT NULL DEFAULT '',
  kind     VARCHAR(64) NOT NULL DEFAULT '',
  location TEXT NOT NULL,
  body     MEDIUMTEXT NOT NULL,
  UNIQUE KEY evidence_id (id),
  KEY evidence_project (project, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS embeddings (
  seq         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  evidence_id VARCHAR(255) NOT NULL,
  embedder    VARCHAR(255) NOT NULL,
  dim         INT NOT NULL,
  vector      LONGBLOB NOT NULL,
  UNIQUE KEY embeddings_evidence (evidence_id),
  CONSTRAINT embeddings_evidence_fk FOREIGN KEY (evidence_id) REFERENCES evidence(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- TiDB >= 8.4 keeps a native vector beside the portable BLOB (no fixed
-- dimension, so embedders may change; exact VEC_COSINE_DISTANCE scan).
-- if: tidb-vector
ALTER TABLE embeddings ADD COLUMN IF NOT EXISTS vec VECTOR NULL;

CREATE TABLE IF NOT EXISTS runtime_observations (
  id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project VARCHAR(255) NOT NULL DEFAULT '',
  kind    VARCHAR(64) NOT NULL DEFAULT '',
  value   TEXT NOT NULL,
  pid     INT NOT NULL DEFAULT 0,
  comm    VARCHAR(255) NOT NULL DEFAULT '',
  seen_at BIGINT NOT NULL,
  KEY runtime_observations_project (project, seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
