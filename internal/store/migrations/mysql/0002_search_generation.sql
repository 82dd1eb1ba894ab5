-- A counter bumped by every evidence write, so in-process indexes can tell
-- in one row read that nothing changed; and an index that makes the
-- per-embedder count and max(seq) cheap when something did. (A duplicate
-- index from an interrupted run is tolerated by the migration runner.)
CREATE TABLE IF NOT EXISTS search_generation (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  gen  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT IGNORE INTO search_generation (name, gen) VALUES ('evidence', 0);

CREATE INDEX embeddings_embedder ON embeddings (embedder, seq);
