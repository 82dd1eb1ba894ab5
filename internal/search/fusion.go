package search

import "sort"

// DefaultRRFK is the k of Reciprocal Rank Fusion: the usual 60 damps the
// difference between rank 1 and rank 2 so that agreement between lists
// matters more than either list's top spot.
const DefaultRRFK = 60

// Fused is one fused result.
type Fused struct {
	ID    string
	Score float64
}

// RRF fuses ranked lists of IDs by Reciprocal Rank Fusion: each list adds
// weight/(k + rank) to an ID (rank from 1). k <= 0 means 60; missing or
// short weights count as 1. Ties are broken by ID, so output is stable.
func RRF(lists [][]string, k int, weights []float64) []Fused {
	if k <= 0 {
		k = DefaultRRFK
	}
	score := map[string]float64{}
	for li, l := range lists {
		w := 1.0
		if li < len(weights) {
			w = weights[li]
		}
		seen := map[string]bool{}
		for r, id := range l {
			if seen[id] { // a list naming an ID twice counts its best rank
				continue
			}
			seen[id] = true
			score[id] += w / float64(k+r+1)
		}
	}
	out := make([]Fused, 0, len(score))
	for id, s := range score {
		out = append(out, Fused{id, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}
