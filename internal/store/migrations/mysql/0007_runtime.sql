-- Runtime observations from the tracer (issue 12): one row per artifact seen
-- on a node by one tracer workflow chain (epoch), per project it is
-- attributed to, upserted by obs_key so a retried activity writes no second
-- row. seen_at is the last sighting; first_seen and seen_count aggregate.
-- Rows written by SaveObservations before this migration keep obs_key NULL.
ALTER TABLE runtime_observations ADD COLUMN obs_key VARCHAR(64) NULL;
ALTER TABLE runtime_observations ADD COLUMN node VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN epoch VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN sha256 VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN tier VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN fidelity VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE runtime_observations ADD COLUMN first_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runtime_observations ADD COLUMN seen_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runtime_observations ADD COLUMN detail MEDIUMTEXT NULL;
ALTER TABLE runtime_observations ADD UNIQUE KEY runtime_observations_key (obs_key);
ALTER TABLE runtime_observations ADD KEY runtime_observations_node (node, seen_at);
ALTER TABLE runtime_observations ADD KEY runtime_observations_sha (sha256);
