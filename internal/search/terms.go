package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Terms splits text into the lower-case letter/digit runs that full-text
// search matches on; shared so every backend sees the same query words.
func Terms(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return f
}

// queryStopwords are the words a keyword query drops. (The offline
// embedder keeps its own, longer list: there the question is which words
// make features.)
var queryStopwords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true, "for": true,
	"from": true, "in": true, "is": true, "it": true, "of": true, "on": true, "or": true, "that": true, "the": true,
	"this": true, "to": true, "with": true, "was": true, "will": true,
}

// commonFraction: query words in more than this share of documents are left
// out of the FTS5 query. bm25 gives them little weight, yet scoring every
// document they match is most of a query's cost at 100k documents.
const commonFraction = 0.2

// selectiveTerms returns the distinct query words worth matching: no stop
// words, no words that occur in no document, no very common words (unless
// nothing else is left, then the rarest one).
func (r *Ranker) selectiveTerms(ctx context.Context, terms []string) (kept []string, postings int, err error) {
	seen := map[string]bool{}
	var uniq []string
	for _, t := range terms {
		if !seen[t] && !queryStopwords[t] {
			seen[t] = true
			uniq = append(uniq, t)
		}
	}
	if len(uniq) == 0 {
		return nil, 0, nil
	}
	total, err := r.evidenceCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	// fts5vocab counts a word's documents by walking its postings, which
	// for a word in half of 100k documents costs more than the search it
	// steers. Words the document sample puts over the whole budget can
	// only survive as the rarest word, so their estimate is enough; the
	// others are counted exactly.
	df := map[string]int{}
	var exact []string
	if total > 2*sampleSize {
		s, err := r.termSampleFor(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, t := range uniq {
			if est := s.docs[t] * float64(s.total); est > matchBudget {
				df[t] = int(est)
			} else {
				exact = append(exact, t)
			}
		}
	} else {
		for _, t := range uniq {
			exact = append(exact, t)
		}
	}
	if len(exact) > 0 {
		counts, err := r.db.TermDocCounts(ctx, exact)
		if err != nil {
			return nil, 0, err
		}
		for t, n := range counts {
			df[t] = n
		}
	}
	rarest := ""
	for _, t := range uniq {
		n := df[t]
		if n == 0 {
			continue
		}
		if rarest == "" || n < df[rarest] {
			rarest = t
		}
		if float64(n) <= commonFraction*float64(total) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 && rarest != "" {
		kept = []string{rarest}
	}
	// Bound the work: bm25 costs a document-size lookup per match, so past
	// a budget of postings the most common remaining words go first (the
	// rarest always stays). Below the budget nothing changes.
	sort.Slice(kept, func(i, j int) bool { return df[kept[i]] < df[kept[j]] })
	for i, t := range kept {
		if postings+df[t] > matchBudget && i > 0 {
			kept = kept[:i]
			break
		}
		postings += df[t]
	}
	return kept, postings, nil
}

// matchBudget is the number of postings a SQLite text query may score.
const matchBudget = 8000

// evidenceCount is COUNT(*) of evidence, cached per search generation.
func (r *Ranker) evidenceCount(ctx context.Context) (int, error) {
	gen, err := r.db.SearchGeneration(ctx)
	if err != nil {
		return 0, err
	}
	r.txtMu.Lock()
	defer r.txtMu.Unlock()
	if r.countGen == gen && r.countOK {
		return r.count, nil
	}
	n, _, err := r.db.EvidenceSignature(ctx)
	if err != nil {
		return 0, err
	}
	r.count, r.countGen, r.countOK = n, gen, true
	return n, nil
}

// MySQL/MariaDB FULLTEXT has no cheap per-word document count (counting a
// common word costs as much as matching it), yet natural-language mode
// scores every row any query word matches, so one common word makes a
// query scan a large share of the table. The ranker keeps a random sample of
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

func (r *Ranker) termSampleFor(ctx context.Context) (*termSample, error) {
	total, err := r.evidenceCount(ctx)
	if err != nil {
		return nil, err
	}
	r.sampleMu.Lock()
	defer r.sampleMu.Unlock()
	if s := r.sample; s != nil {
		drift := s.total - total
		if drift < 0 {
			drift = -drift
		}
		if float64(drift) <= 0.05*float64(max(s.total, 1)) && r.now().Sub(s.taken) < sampleMaxAge {
			return s, nil
		}
	}
	s, err := r.takeSample(ctx, total)
	if err != nil {
		return nil, err
	}
	r.sample = s
	return s, nil
}

func (r *Ranker) takeSample(ctx context.Context, total int) (*termSample, error) {
	s := &termSample{total: total, docs: map[string]float64{}, taken: r.now()}
	lo, hi, err := r.db.EvidenceSeqRange(ctx)
	if err != nil {
		return nil, err
	}
	if hi == 0 {
		return s, nil
	}
	var seqs []int64
	if span := hi - lo + 1; span > 2*sampleSize {
		// Random rather than evenly spaced seqs: documents are often
		// written in repeating patterns that a fixed stride would alias.
		rnd := rand.New(rand.NewPCG(uint64(hi), uint64(total)))
		seen := map[int64]bool{}
		for len(seqs) < sampleSize {
			q := lo + rnd.Int64N(span)
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
	if err := r.db.EvidenceTexts(ctx, seqs, 2*sampleSize, count); err != nil {
		return nil, err
	}
	for t, c := range s.docs {
		s.docs[t] = c / float64(max(s.n, 1))
	}
	return s, nil
}

// sampledTerms is selectiveTerms for servers without a vocabulary table:
// the distinct non-stop words, rarest first by the sample's estimate, within
// matchBudget estimated postings (the rarest always stays).
func (r *Ranker) sampledTerms(ctx context.Context, terms []string) ([]string, error) {
	var uniq []string
	for _, t := range terms {
		if !queryStopwords[t] && !slices.Contains(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	if len(uniq) == 0 {
		return nil, nil
	}
	s, err := r.termSampleFor(ctx)
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
