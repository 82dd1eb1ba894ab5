-- Signed attestations of BOM versions (issue 15): one row per version and
-- signing key. bom_sha256 is the SHA-256 of the exact BOM bytes the
-- attestation carries, so a reader can tell whether the signature covers the
-- BOM as it is served now.
CREATE TABLE IF NOT EXISTS bom_signatures (
  project    VARCHAR(255) NOT NULL,
  number     INT NOT NULL,
  key_id     VARCHAR(128) NOT NULL,
  algorithm  VARCHAR(32) NOT NULL DEFAULT '',
  bom_sha256 VARCHAR(64) NOT NULL DEFAULT '',
  envelope   LONGBLOB NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project, number, key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
