-- A counter bumped by every evidence write, so in-process indexes can tell
-- in one row read that nothing changed; and an index that makes the
-- per-embedder count and max(seq) cheap when something did.
CREATE TABLE IF NOT EXISTS search_generation (
  name TEXT PRIMARY KEY,
  gen  INTEGER NOT NULL
);

INSERT OR IGNORE INTO search_generation (name, gen) VALUES ('evidence', 0);

CREATE INDEX IF NOT EXISTS embeddings_embedder ON embeddings(embedder, seq);

-- Per-term document counts, so a query can leave out words that match most
-- documents (they barely change bm25 ranks but dominate its cost).
CREATE VIRTUAL TABLE IF NOT EXISTS evidence_fts_vocab USING fts5vocab(evidence_fts, row);
