package store

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// MySQL/MariaDB FULLTEXT has no cheap per-word document count (counting a
// common word costs as much as matching it), yet natural-language mode
// scores every row any query word matches, so one common word makes a
// query scan a large share of the table. The store keeps a random sample of
// documents in memory instead and estimates each word's document frequency
// from it; the query then drops very common words and keeps within the
// same posting budget as the SQLite path. An estimate is enough: it only
// decides which words are worth matching, and words the sample has never
// seen are assumed rare and always kept.

// sampleSize is how many documents the estimate reads (about 2% error on a
// word's document share).
const sampleSize = 2000

// sampleMaxAge bounds how long a sample survives writes that did not change
// the document count much.
const sampleMaxAge = 10 * time.Minute

type termSample struct {
	total int                // documents in the table when sampled
	n     int                // documents sampled
	docs  map[string]float64 // word → share of sampled documents containing it
	taken time.Time
}

func (d *DB) termSampleFor(ctx context.Context) (*termSample, error) {
	total, err := d.evidenceCount(ctx)
	if err != nil {
		return nil, err
	}
	d.sampleMu.Lock()
	defer d.sampleMu.Unlock()
	if s := d.sample; s != nil {
		drift := s.total - total
		if drift < 0 {
			drift = -drift
		}
		if float64(drift) <= 0.05*float64(max(s.total, 1)) && d.now().Sub(s.taken) < sampleMaxAge {
			return s, nil
		}
	}
	s, err := d.takeSample(ctx, total)
	if err != nil {
		return nil, err
	}
	d.sample = s
	return s, nil
}

func (d *DB) takeSample(ctx context.Context, total int) (*termSample, error) {
	s := &termSample{total: total, docs: map[string]float64{}, taken: d.now()}
	var lo, hi int64
	if err := d.db.QueryRowContext(ctx, "SELECT COALESCE((SELECT MIN(seq) FROM evidence), 0), COALESCE((SELECT MAX(seq) FROM evidence), 0)").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if hi == 0 {
		return s, nil
	}
	var seqs []any
	if span := hi - lo + 1; span > 2*sampleSize {
		// Random rather than evenly spaced seqs: documents are often
		// written in repeating patterns that a fixed stride would alias.
		r := rand.New(rand.NewPCG(uint64(hi), uint64(total)))
		seen := map[int64]bool{}
		for len(seqs) < sampleSize {
			q := lo + r.Int64N(span)
			if !seen[q] {
				seen[q] = true
				seqs = append(seqs, q)
			}
		}
	}
	count := func(name, body string) {
		s.n++
		var seen []string
		for _, t := range append(Terms(name), Terms(body)...) {
			if !slices.Contains(seen, t) {
				seen = append(seen, t)
				s.docs[t]++
			}
		}
	}
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
			count(name, body)
		}
		return rows.Err()
	}
	if seqs == nil {
		if err := read("SELECT name, body FROM evidence ORDER BY seq LIMIT ?", 2*sampleSize); err != nil {
			return nil, err
		}
	} else {
		for start := 0; start < len(seqs); start += 500 {
			chunk := seqs[start:min(start+500, len(seqs))]
			if err := read("SELECT name, body FROM evidence WHERE seq IN ("+placeholders(len(chunk))+")", chunk...); err != nil {
				return nil, err
			}
		}
	}
	for t, c := range s.docs {
		s.docs[t] = c / float64(max(s.n, 1))
	}
	return s, nil
}

// sampledTerms is selectiveTerms for servers without a vocabulary table:
// the distinct non-stop words, rarest first by the sample's estimate, within
// matchBudget estimated postings (the rarest always stays).
func (d *DB) sampledTerms(ctx context.Context, terms []string) ([]string, error) {
	var uniq []string
	for _, t := range terms {
		if !stopwords[t] && !slices.Contains(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	if len(uniq) == 0 {
		return nil, nil
	}
	s, err := d.termSampleFor(ctx)
	if err != nil {
		return nil, err
	}
	if s.n == 0 {
		return uniq, nil
	}
	// Unlike the SQLite path, words are dropped only to stay within the
	// budget: MariaDB's own ranking does better with every word of a short
	// query, and below the budget a common word costs little.
	return withinBudget(uniq, s.docs, s.total), nil
}

// withinBudget orders words rarest first by their document share and keeps
// them while the estimated postings (share × total) stay within
// matchBudget; the rarest always stays.
func withinBudget(words []string, share map[string]float64, total int) []string {
	kept := slices.Clone(words)
	slices.SortStableFunc(kept, func(a, b string) int {
		switch x, y := share[a], share[b]; {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	sum := 0.0
	for i, t := range kept {
		sum += share[t] * float64(total)
		if sum > matchBudget && i > 0 {
			return kept[:i]
		}
	}
	return kept
}
