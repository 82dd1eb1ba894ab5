package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

const evidenceCols = "e.id, e.project, e.version, e.bom_ref, e.name, e.kind, e.location, e.body"

func scanEvidence(sc interface{ Scan(...any) error }, extra ...any) (Evidence, error) {
	var e Evidence
	err := sc.Scan(append([]any{&e.ID, &e.Project, &e.Version, &e.BOMRef, &e.Name, &e.Kind, &e.Location, &e.Text}, extra...)...)
	return e, err
}

// EncodeVector is the stored form of a vector: little-endian float32s.
func EncodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// DecodeVector reverses EncodeVector.
func DecodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: vector blob of %d bytes is not float32s", ErrInvalid, len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

func tidbVectorLiteral(v []float32) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, f := range v {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatFloat(float64(f), 'g', -1, 32))
	}
	sb.WriteByte(']')
	return sb.String()
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// UpsertEvidence stores documents by ID. A document whose fields changed is
// replaced (its old vector is dropped with it: the text it embedded is gone);
// a document with a Vector also gets that vector stored under its Embedder.
// Everything is written in one transaction.
func (d *DB) UpsertEvidence(ctx context.Context, docs []Evidence) error {
	// Last occurrence of an ID wins.
	idx := make(map[string]int, len(docs))
	uniq := make([]Evidence, 0, len(docs))
	for _, e := range docs {
		if e.ID == "" || len(e.ID) > 255 {
			return fmt.Errorf("%w: evidence id must be 1..255 bytes", ErrInvalid)
		}
		if e.Vector != nil && e.Embedder == "" {
			return fmt.Errorf("%w: evidence %s has a vector but no embedder name", ErrInvalid, e.ID)
		}
		if i, ok := idx[e.ID]; ok {
			uniq[i] = e
			continue
		}
		idx[e.ID] = len(uniq)
		uniq = append(uniq, e)
	}
	const chunk = 400
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(uniq); start += chunk {
			if err := d.upsertEvidenceChunk(ctx, tx, uniq[start:min(start+chunk, len(uniq))]); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE search_generation SET gen = gen + 1 WHERE name = 'evidence'")
		return err
	})
	if err != nil {
		return fmt.Errorf("upsert %d evidence documents: %w", len(uniq), err)
	}
	return nil
}

func (d *DB) upsertEvidenceChunk(ctx context.Context, tx *sql.Tx, docs []Evidence) error {
	ids := make([]any, len(docs))
	for i, e := range docs {
		ids[i] = e.ID
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+evidenceCols+" FROM evidence e WHERE e.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return err
	}
	have := map[string]Evidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			rows.Close()
			return err
		}
		have[e.ID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var stale, fresh []any
	var ins []Evidence
	for _, e := range docs {
		old, ok := have[e.ID]
		switch {
		case ok && sameEvidence(old, e):
			continue
		case ok && sameIndexed(old, e):
			// Only where it was seen changed (a newer BOM version, another
			// line): update in place and keep the vector, which embeds
			// the text alone; the in-process indexes hold nothing that changed.
			if _, err := tx.ExecContext(ctx, "UPDATE evidence SET version = ?, bom_ref = ?, location = ? WHERE id = ?",
				e.Version, e.BOMRef, e.Location, e.ID); err != nil {
				return err
			}
			continue
		case ok:
			stale = append(stale, e.ID)
		}
		ins = append(ins, e)
	}
	// Replace rather than update so the row gets a new seq: in-process
	// indexes pick up changes by seq (see index.go).
	if len(stale) > 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM evidence WHERE id IN ("+placeholders(len(stale))+")", stale...); err != nil {
			return err
		}
	}
	if len(ins) > 0 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO evidence (id, project, version, bom_ref, name, kind, location, body) VALUES ")
		args := make([]any, 0, len(ins)*8)
		for i, e := range ins {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?)")
			args = append(args, e.ID, e.Project, e.Version, e.BOMRef, e.Name, e.Kind, e.Location, e.Text)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	var withVec []Evidence
	for _, e := range docs {
		if e.Vector != nil {
			withVec = append(withVec, e)
			fresh = append(fresh, e.ID)
		}
	}
	if len(withVec) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM embeddings WHERE evidence_id IN ("+placeholders(len(fresh))+")", fresh...); err != nil {
		return err
	}
	var sb strings.Builder
	per := "(?,?,?,?)"
	sb.WriteString("INSERT INTO embeddings (evidence_id, embedder, dim, vector")
	if d.tidbVector {
		sb.WriteString(", vec")
		per = "(?,?,?,?,?)"
	}
	sb.WriteString(") VALUES ")
	args := make([]any, 0, len(withVec)*5)
	for i, e := range withVec {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(per)
		args = append(args, e.ID, e.Embedder, len(e.Vector), EncodeVector(e.Vector))
		if d.tidbVector {
			args = append(args, tidbVectorLiteral(e.Vector))
		}
	}
	_, err = tx.ExecContext(ctx, sb.String(), args...)
	return err
}

// sameIndexed: the fields the vector and the in-process indexes depend on.
func sameIndexed(a, b Evidence) bool {
	return a.Project == b.Project && a.Name == b.Name && a.Kind == b.Kind && a.Text == b.Text
}

func sameEvidence(a, b Evidence) bool {
	return a.Project == b.Project && a.Version == b.Version && a.BOMRef == b.BOMRef && a.Name == b.Name &&
		a.Kind == b.Kind && a.Location == b.Location && a.Text == b.Text
}

// GetEvidence returns documents by ID (missing IDs are skipped), in the
// order asked, with their vector and embedder when they have one.
func (d *DB) GetEvidence(ctx context.Context, ids []string) ([]Evidence, error) {
	if len(ids) == 0 {
		return []Evidence{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := d.db.QueryContext(ctx, "SELECT "+evidenceCols+", COALESCE(m.embedder, ''), m.vector FROM evidence e "+
		"LEFT JOIN embeddings m ON m.evidence_id = e.id WHERE e.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("get evidence: %w", err)
	}
	defer rows.Close()
	byID := map[string]Evidence{}
	for rows.Next() {
		var vec []byte
		var emb string
		e, err := scanEvidence(rows, &emb, &vec)
		if err != nil {
			return nil, fmt.Errorf("get evidence: %w", err)
		}
		e.Embedder = emb
		if vec != nil {
			if e.Vector, err = DecodeVector(vec); err != nil {
				return nil, err
			}
		}
		byID[e.ID] = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Evidence, 0, len(ids))
	for _, id := range ids {
		if e, ok := byID[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// EvidenceWithoutVectors returns up to limit documents that have no vector
// from embedder (none at all, or one from another embedder or dimension), to
// be (re-)embedded. limit <= 0 means 1000.
func (d *DB) EvidenceWithoutVectors(ctx context.Context, embedder string, limit int) ([]Evidence, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := d.db.QueryContext(ctx, "SELECT "+evidenceCols+" FROM evidence e LEFT JOIN embeddings m ON m.evidence_id = e.id "+
		"WHERE m.evidence_id IS NULL OR m.embedder <> ? ORDER BY e.seq LIMIT ?", embedder, limit)
	if err != nil {
		return nil, fmt.Errorf("evidence without %s vectors: %w", embedder, err)
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountEvidence returns how many documents are stored and how many have a
// vector from embedder.
func (d *DB) CountEvidence(ctx context.Context, embedder string) (docs, vectors int, err error) {
	if err = d.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM evidence").Scan(&docs); err != nil {
		return 0, 0, fmt.Errorf("count evidence: %w", err)
	}
	if err = d.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM embeddings WHERE embedder = ?", embedder).Scan(&vectors); err != nil {
		return 0, 0, fmt.Errorf("count embeddings: %w", err)
	}
	return docs, vectors, nil
}

func filterSQL(f Filter) (string, []any) {
	var sb strings.Builder
	var args []any
	if f.Project != "" {
		sb.WriteString(" AND e.project = ?")
		args = append(args, f.Project)
	}
	if f.Kind != "" {
		sb.WriteString(" AND e.kind = ?")
		args = append(args, f.Kind)
	}
	return sb.String(), args
}

// queryHits runs a text query whose rows are evidenceCols then the score.
func (d *DB) queryHits(ctx context.Context, query, q string, args []any) ([]Hit, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("text search %q: %w", query, err)
	}
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var h Hit
		e, err := scanEvidence(rows, &h.Score)
		if err != nil {
			return nil, fmt.Errorf("text search %q: %w", query, err)
		}
		h.Evidence = e
		out = append(out, h)
	}
	return out, rows.Err()
}

// SearchVectorsNative ranks vectors on the server (NativeVectors: TiDB's
// VEC_COSINE_DISTANCE): the k documents closest to query. Not exercised by
// the test suite (no TiDB server here); it mirrors search's in-process
// index.
func (d *DB) SearchVectorsNative(ctx context.Context, query []float32, f Filter, embedder string, k int) ([]Hit, error) {
	where, fargs := filterSQL(f)
	q := "SELECT " + evidenceCols + ", VEC_COSINE_DISTANCE(m.vec, ?) AS dist FROM embeddings m JOIN evidence e ON e.id = m.evidence_id " +
		"WHERE m.embedder = ? AND m.dim = ?" + where + " ORDER BY dist LIMIT ?"
	args := append(append([]any{tidbVectorLiteral(query), embedder, len(query)}, fargs...), k)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("tidb vector search: %w", err)
	}
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var dist float64
		e, err := scanEvidence(rows, &dist)
		if err != nil {
			return nil, err
		}
		out = append(out, Hit{Evidence: e, Score: 1 - dist})
	}
	return out, rows.Err()
}

// AllVectors returns every document with a vector from embedder matching f
// (for exporting or building an external index).
func (d *DB) AllVectors(ctx context.Context, f Filter, embedder string) ([]Evidence, error) {
	where, fargs := filterSQL(f)
	rows, err := d.db.QueryContext(ctx, "SELECT "+evidenceCols+", m.vector FROM embeddings m JOIN evidence e ON e.id = m.evidence_id "+
		"WHERE m.embedder = ?"+where+" ORDER BY e.seq", append([]any{embedder}, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("all vectors of %s: %w", embedder, err)
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		var vec []byte
		e, err := scanEvidence(rows, &vec)
		if err != nil {
			return nil, err
		}
		if e.Vector, err = DecodeVector(vec); err != nil {
			return nil, err
		}
		e.Embedder = embedder
		out = append(out, e)
	}
	return out, rows.Err()
}
