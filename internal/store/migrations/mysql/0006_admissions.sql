-- Kubernetes admission decisions (issue 16): who asked to run what, when,
-- and whether mlbom allowed it. findings and models are JSON.
CREATE TABLE IF NOT EXISTS admissions (
  seq         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uid         VARCHAR(128) NOT NULL,
  namespace   VARCHAR(253) NOT NULL DEFAULT '',
  kind        VARCHAR(64) NOT NULL DEFAULT '',
  name        VARCHAR(253) NOT NULL DEFAULT '',
  operation   VARCHAR(16) NOT NULL DEFAULT '',
  username    VARCHAR(512) NOT NULL DEFAULT '',
  allowed     TINYINT NOT NULL,
  enforced    TINYINT NOT NULL,
  bom_project VARCHAR(255) NOT NULL DEFAULT '',
  bom_version INT NOT NULL DEFAULT 0,
  message     TEXT NOT NULL,
  findings    LONGBLOB NULL,
  models      LONGBLOB NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE KEY admissions_uid (uid),
  KEY admissions_namespace (namespace, created_at),
  KEY admissions_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
