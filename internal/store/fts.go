package store

import (
	"context"
	"strings"
)

// matchFTS5 ranks with FTS5 bm25() (name weighted twice the body) on the
// words search chose.
//
// Measured and rejected at 100k documents: ORDER BY rank with
// rank MATCH 'bm25(2.0, 1.0)' (about 25% slower than calling bm25()
// directly), and scoring rowid ranges on parallel connections (same
// results, but concurrent SQLite queries in this driver cost more CPU than
// they save in wall time on two cores).
func (d *DB) matchFTS5(ctx context.Context, query string, kept []string, f Filter, k int) ([]Hit, error) {
	quoted := make([]string, len(kept))
	for i, t := range kept {
		quoted[i] = `"` + t + `"`
	}
	match := strings.Join(quoted, " OR ")
	where, fargs := filterSQL(f)
	var q string
	var args []any
	if where == "" {
		// Rank inside FTS first and join only the k winners: joining
		// every match drags each document's body through the sorter.
		q = "SELECT " + evidenceCols + ", r.score FROM (SELECT rowid, -bm25(evidence_fts, 2.0, 1.0) AS score " +
			"FROM evidence_fts WHERE evidence_fts MATCH ? ORDER BY score DESC LIMIT ?) r " +
			"JOIN evidence e ON e.seq = r.rowid ORDER BY r.score DESC"
		args = []any{match, k}
	} else {
		q = "SELECT " + evidenceCols + ", -bm25(evidence_fts, 2.0, 1.0) AS score FROM evidence_fts " +
			"JOIN evidence e ON e.seq = evidence_fts.rowid WHERE evidence_fts MATCH ?" + where +
			" ORDER BY score DESC LIMIT ?"
		args = append(append([]any{match}, fargs...), k)
	}
	return d.queryHits(ctx, query, q, args)
}
