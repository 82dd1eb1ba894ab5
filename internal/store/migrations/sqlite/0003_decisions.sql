-- The audit trail of license-exception decisions, one row per BOM version a
-- decision is annotated on: made during the scan that stored the version
-- (approve, reject, timeout; decided_in = version), or made in an earlier
-- scan and still in force, waiving one of the version's findings
-- (decided_in < version). approvals keeps only the current decision per
-- (project, component, license), which later scans reuse.
CREATE TABLE IF NOT EXISTS decisions (
  id         TEXT PRIMARY KEY,
  project    TEXT NOT NULL,
  version    INTEGER NOT NULL DEFAULT 0,
  component  TEXT NOT NULL,
  license    TEXT NOT NULL DEFAULT '',
  decision   TEXT NOT NULL,
  approver   TEXT NOT NULL DEFAULT '',
  reason     TEXT NOT NULL DEFAULT '',
  scan_id    TEXT NOT NULL DEFAULT '',
  decided_in INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS decisions_version ON decisions(project, version);

-- Decisions recorded before this table existed, on the version their scan
-- stored (0 when that is unknown).
INSERT OR IGNORE INTO decisions (id, project, version, component, license, decision, approver, reason, scan_id, decided_in, created_at, expires_at)
SELECT 'legacy:' || a.id, a.project, COALESCE((SELECT v.number FROM bom_versions v WHERE v.scan_id = a.scan_id AND a.scan_id <> ''), 0),
  a.component, a.license, a.decision, a.approver, a.reason, a.scan_id,
  COALESCE((SELECT v.number FROM bom_versions v WHERE v.scan_id = a.scan_id AND a.scan_id <> ''), 0), a.created_at, a.expires_at
FROM approvals a;
