package store

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWithinBudget(t *testing.T) {
	share := map[string]float64{"model": 0.48, "speech": 0.08, "recognition": 0.046, "whisper": 0.026}
	tests := []struct {
		name  string
		words []string
		total int
		want  []string
	}{
		{"small collection keeps every word", []string{"speech", "recognition", "model"}, 10_000, []string{"recognition", "speech", "model"}},
		{"large collection drops the common words first", []string{"speech", "recognition", "model"}, 100_000, []string{"recognition"}},
		{"rarest stays even over budget", []string{"model"}, 100_000, []string{"model"}},
		{"unsampled words count as rare", []string{"model", "zyxw", "whisper"}, 100_000, []string{"zyxw", "whisper"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withinBudget(tc.words, share, tc.total); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("withinBudget(%v, %d) = %v, want %v", tc.words, tc.total, got, tc.want)
			}
		})
	}
}

// testTermSample: the sample reads random rows of a table larger than it,
// and estimates document shares close to the truth.
func testTermSample(t *testing.T, loc string) {
	d := open(t, loc)
	ctx := context.Background()
	const n = 5000
	docs := make([]Evidence, n)
	for i := range docs {
		body := "every"
		if i%2 == 0 {
			body += " half"
		}
		if i%10 == 0 {
			body += " tenth"
		}
		docs[i] = Evidence{ID: fmt.Sprintf("d%d", i), Project: "p", Name: fmt.Sprintf("doc %d", i), Text: body}
	}
	if err := d.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	s, err := d.termSampleFor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.total != n || s.n < sampleSize/2 || s.n > sampleSize {
		t.Fatalf("sampled %d of %d documents, want about %d of %d", s.n, s.total, sampleSize, n)
	}
	for word, want := range map[string]float64{"every": 1, "half": 0.5, "tenth": 0.1, "doc": 1, "absent": 0} {
		if got := s.docs[word]; math.Abs(got-want) > 0.05 {
			t.Errorf("share of %q = %.3f, want %.2f ± 0.05", word, got, want)
		}
	}
	// Unchanged table: the same sample is reused.
	if again, _ := d.termSampleFor(ctx); again != s {
		t.Error("sample re-read although the table did not change")
	}
}

// TestSelectiveTermsEstimated: past twice the sample size, SQLite takes
// the document count of words over the whole budget from the sample and
// still keeps, drops and falls back exactly as with exact counts.
func TestSelectiveTermsEstimated(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "terms.db"))
	ctx := context.Background()
	const n = 9000
	docs := make([]Evidence, n)
	for i := range docs {
		body := "everywhere"
		if i%3 == 0 {
			body += " third"
		}
		if i%100 == 0 {
			body += " hundredth"
		}
		docs[i] = Evidence{ID: fmt.Sprintf("d%d", i), Project: "p", Name: "doc", Text: body}
	}
	if err := d.UpsertEvidence(ctx, docs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"hundredth everywhere", []string{"hundredth"}}, // common word dropped
		{"third hundredth", []string{"hundredth"}},      // 3000 > 20% of 9000: dropped
		{"everywhere", []string{"everywhere"}},          // only word: the rarest stays
		{"everywhere third", []string{"third"}},         // all common: the rarest
		{"hundredth absentword", []string{"hundredth"}}, // absent words dropped
	}
	for _, tc := range tests {
		got, _, err := d.selectiveTerms(ctx, Terms(tc.query))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("selectiveTerms(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
	if d.sample == nil {
		t.Error("no sample taken: the estimate path was not exercised")
	}
}
