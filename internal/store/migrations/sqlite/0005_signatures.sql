-- Signed attestations of BOM versions (issue 15): one row per version and
-- signing key. bom_sha256 is the SHA-256 of the exact BOM bytes the
-- attestation carries, so a reader can tell whether the signature covers the
-- BOM as it is served now.
CREATE TABLE IF NOT EXISTS bom_signatures (
  project    TEXT NOT NULL,
  number     INTEGER NOT NULL,
  key_id     TEXT NOT NULL,
  algorithm  TEXT NOT NULL DEFAULT '',
  bom_sha256 TEXT NOT NULL DEFAULT '',
  envelope   BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project, number, key_id)
);
