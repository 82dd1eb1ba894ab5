-- Runtime observations from the tracer (issue 12): one row per artifact seen
-- on a node by one tracer workflow chain (epoch), per project it is
-- attributed to, upserted by obs_key so a retried activity writes no second
-- row. seen_at is the last sighting; first_seen and seen_count aggregate.
-- Rows written by SaveObservations before this migration keep obs_key NULL.
ALTER TABLE runtime_observations ADD COLUMN obs_key TEXT NULL;
ALTER TABLE runtime_observations ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN tier TEXT NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN fidelity TEXT NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN first_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runtime_observations ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runtime_observations ADD COLUMN detail TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS runtime_observations_key ON runtime_observations(obs_key);
CREATE INDEX IF NOT EXISTS runtime_observations_node ON runtime_observations(node, seen_at);
CREATE INDEX IF NOT EXISTS runtime_observations_sha ON runtime_observations(sha256);
