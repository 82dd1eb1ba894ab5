package store

import (
	"context"
	"fmt"
	"strings"
)

// What internal/search needs to rank evidence: the store keeps the rows,
// their postings (the server's full-text index) and their vectors; search
// owns the ranking (BM25 where the server has no full-text index, vector
// top-k, choosing query words). The server-side searches (SQLite FTS5,
// MySQL FULLTEXT, TiDB VEC_COSINE_DISTANCE) stay here because they are SQL.

// TextIndex says which full-text index the server has.
type TextIndex int

const (
	// TextNone: no server full-text (self-hosted TiDB); search keeps an
	// in-process index over EvidenceSince.
	TextNone TextIndex = iota
	// TextFTS5: SQLite FTS5, with a vocabulary table (TermDocCounts).
	TextFTS5
	// TextFulltext: MySQL/MariaDB FULLTEXT, without a cheap vocabulary.
	TextFulltext
)

// TextIndex is the server's full-text index.
func (d *DB) TextIndex() TextIndex {
	switch {
	case d.memText:
		return TextNone
	case d.dialect == "sqlite":
		return TextFTS5
	}
	return TextFulltext
}

// NativeVectors reports a server that ranks vectors itself (TiDB >= 8.4):
// use SearchVectorsNative instead of an in-process index.
func (d *DB) NativeVectors() bool { return d.tidbVector }

// SearchGeneration changes whenever evidence or vectors change: in-process
// indexes compare it before each search.
func (d *DB) SearchGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := d.db.QueryRowContext(ctx, "SELECT gen FROM search_generation WHERE name = 'evidence'").Scan(&gen)
	return gen, err
}

// EvidenceSignature is the number of evidence rows and their highest seq.
func (d *DB) EvidenceSignature(ctx context.Context) (count int, maxSeq int64, err error) {
	err = d.db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM evidence").Scan(&count, &maxSeq)
	return count, maxSeq, err
}

// EvidenceText is the indexed text of one evidence row.
type EvidenceText struct {
	Seq               int64
	ID, Project, Kind string
	Name, Body        string
}

// EvidenceSince calls fn for every evidence row with a seq above afterSeq,
// in seq order.
func (d *DB) EvidenceSince(ctx context.Context, afterSeq int64, fn func(EvidenceText) error) error {
	rows, err := d.db.QueryContext(ctx, "SELECT seq, id, project, kind, name, body FROM evidence WHERE seq > ? ORDER BY seq", afterSeq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e EvidenceText
		if err := rows.Scan(&e.Seq, &e.ID, &e.Project, &e.Kind, &e.Name, &e.Body); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EvidenceSeqRange is the lowest and highest evidence seq (0, 0 when empty).
func (d *DB) EvidenceSeqRange(ctx context.Context) (lo, hi int64, err error) {
	err = d.db.QueryRowContext(ctx, "SELECT COALESCE((SELECT MIN(seq) FROM evidence), 0), COALESCE((SELECT MAX(seq) FROM evidence), 0)").Scan(&lo, &hi)
	return lo, hi, err
}

// EvidenceTexts calls fn with the name and body of the rows with the given
// seqs (those that exist), or with the first limit rows when seqs is nil.
func (d *DB) EvidenceTexts(ctx context.Context, seqs []int64, limit int, fn func(name, body string)) error {
	read := func(q string, args ...any) error {
		rows, err := d.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, body string
			if err := rows.Scan(&name, &body); err != nil {
				return err
			}
			fn(name, body)
		}
		return rows.Err()
	}
	if seqs == nil {
		return read("SELECT name, body FROM evidence ORDER BY seq LIMIT ?", limit)
	}
	for start := 0; start < len(seqs); start += 500 {
		chunk := seqs[start:min(start+500, len(seqs))]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		if err := read("SELECT name, body FROM evidence WHERE seq IN ("+placeholders(len(chunk))+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// TermDocCounts returns, for each word the FTS5 vocabulary knows, the
// number of documents it occurs in (SQLite only: TextFTS5).
func (d *DB) TermDocCounts(ctx context.Context, words []string) (map[string]int, error) {
	df := map[string]int{}
	if len(words) == 0 {
		return df, nil
	}
	args := make([]any, len(words))
	for i, w := range words {
		args[i] = w
	}
	rows, err := d.db.QueryContext(ctx, "SELECT term, doc FROM evidence_fts_vocab WHERE term IN ("+placeholders(len(words))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		df[t] = n
	}
	return df, rows.Err()
}

// VectorSignature is the number of vectors from embedder and their highest
// seq.
func (d *DB) VectorSignature(ctx context.Context, embedder string) (count int, maxSeq int64, err error) {
	err = d.db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM embeddings WHERE embedder = ?", embedder).Scan(&count, &maxSeq)
	return count, maxSeq, err
}

// EvidenceVector is one stored vector with what filters need.
type EvidenceVector struct {
	Seq               int64
	ID, Project, Kind string
	Vector            []float32
}

// VectorsSince calls fn for every vector from embedder with a seq above
// afterSeq, in seq order.
func (d *DB) VectorsSince(ctx context.Context, embedder string, afterSeq int64, fn func(EvidenceVector) error) error {
	rows, err := d.db.QueryContext(ctx, "SELECT m.seq, e.id, e.project, e.kind, m.vector FROM embeddings m "+
		"JOIN evidence e ON e.id = m.evidence_id WHERE m.embedder = ? AND m.seq > ? ORDER BY m.seq", embedder, afterSeq)
	if err != nil {
		return err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		var v EvidenceVector
		if err := rows.Scan(&v.Seq, &v.ID, &v.Project, &v.Kind, &raw); err != nil {
			return err
		}
		if v.Vector, err = DecodeVector(raw); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MatchText ranks documents matching any of words with the server's
// full-text index (TextFTS5 or TextFulltext), best first. query is only
// for messages. The caller chooses the words (search's budget rules).
func (d *DB) MatchText(ctx context.Context, query string, words []string, f Filter, k int) ([]Hit, error) {
	if k <= 0 {
		k = 10
	}
	if len(words) == 0 {
		return []Hit{}, nil
	}
	switch d.TextIndex() {
	case TextFTS5:
		return d.matchFTS5(ctx, query, words, f, k)
	case TextFulltext:
		return d.matchFulltext(ctx, query, words, f, k)
	}
	return nil, fmt.Errorf("text search %q: the %s server has no full-text index", query, d.backend)
}

// matchFulltext ranks with MySQL/MariaDB FULLTEXT natural-language mode.
func (d *DB) matchFulltext(ctx context.Context, query string, words []string, f Filter, k int) ([]Hit, error) {
	text := strings.Join(words, " ")
	where, fargs := filterSQL(f)
	// Rank on the index alone and join the k winners afterwards: with the
	// row's columns in the select list the server sorts every match's body
	// through a temporary table. Equal scores go by seq (insertion order),
	// so the join cannot reorder them from one run to the next.
	q := "SELECT " + evidenceCols + ", r.score FROM (SELECT f.seq, MATCH(f.name, f.body) AGAINST (? IN NATURAL LANGUAGE MODE) AS score " +
		"FROM evidence f WHERE MATCH(f.name, f.body) AGAINST (? IN NATURAL LANGUAGE MODE)" + strings.ReplaceAll(where, " e.", " f.") +
		" ORDER BY score DESC, f.seq LIMIT ?) r JOIN evidence e ON e.seq = r.seq ORDER BY r.score DESC, r.seq"
	args := append(append([]any{text, text}, fargs...), k)
	return d.queryHits(ctx, query, q, args)
}
