// Package search turns BOM components into searchable evidence, embeds it
// (offline hashing embedder or any OpenAI-compatible endpoint), and answers
// queries by fusing the store's keyword search with vector search (RRF).
package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
)

// Embedder turns texts into vectors. Name identifies the model and its
// dimension: vectors are stored under it, and a change of name causes
// re-embedding.
type Embedder interface {
	Name() string
	Dim() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// DefaultOfflineDim is the dimension NewOffline uses for dim <= 0.
const DefaultOfflineDim = 512

// offline is a feature-hashing embedder: no model, no network, same output on
// every machine.
//
// What it captures, honestly: lexical and sub-word overlap. Two texts are
// close when they share words, adjacent word pairs, or character trigrams,
// so it tolerates typos ("mistrall"), inflections ("tokenizer" /
// "tokenization"), and spelling variants ("gpt4o" / "gpt-4o",
// "huggingface" / "hugging face"). It does not know meaning: "speech to
// text" and "automatic speech recognition" are close only through "speech";
// "LLM" and "language model" are not close at all. It has no corpus
// statistics (IDF), so frequent words weigh as much as rare ones except for
// a small stop list. Use an OpenAI-compatible embedder for semantic recall.
type offline struct{ dim int }

// NewOffline returns the offline embedder with dim dimensions (<= 0: 512).
func NewOffline(dim int) Embedder {
	if dim <= 0 {
		dim = DefaultOfflineDim
	}
	return offline{dim: dim}
}

func (o offline) Name() string { return fmt.Sprintf("offline-ngram-v1/%d", o.dim) }
func (o offline) Dim() int     { return o.dim }

func (o offline) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = o.embed(t)
	}
	return out, nil
}

var stopwords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true, "for": true,
	"from": true, "in": true, "is": true, "it": true, "of": true, "on": true, "or": true, "that": true, "the": true,
	"this": true, "to": true, "with": true, "was": true, "will": true, "can": true, "used": true, "uses": true,
}

// Feature weights: whole words matter most, trigrams carry the sub-word
// signal, bigrams a little word order.
const (
	wUnigram = 1.0
	wBigram  = 0.5
	wTrigram = 0.35
	wPart    = 0.5
)

// alnumParts splits a word at letter/digit boundaries ("gpt4o" →
// gpt, 4, o; "llama3" → llama, 3); nil for words without such a boundary.
func alnumParts(w string) []string {
	var parts []string
	start := 0
	r := []rune(w)
	for i := 1; i < len(r); i++ {
		if isDigit(r[i]) != isDigit(r[i-1]) {
			parts = append(parts, string(r[start:i]))
			start = i
		}
	}
	if parts == nil {
		return nil
	}
	return append(parts, string(r[start:]))
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (o offline) embed(text string) []float32 {
	acc := make([]float64, o.dim)
	counts := map[string]float64{}
	unit := map[string]float64{} // weight of one occurrence of each feature
	words := Terms(text)
	prev := ""
	for _, w := range words {
		if stopwords[w] {
			prev = ""
			continue
		}
		counts["w:"+w] += wUnigram
		unit["w:"+w] = wUnigram
		if prev != "" {
			counts["b:"+prev+" "+w] += wBigram
			unit["b:"+prev+" "+w] = wBigram
		}
		prev = w
		// "gpt4o", "llama3", "yolov8": the parts people also write apart.
		for _, part := range alnumParts(w) {
			if _, ok := unit["w:"+part]; !ok {
				unit["w:"+part] = wPart
			}
			counts["w:"+part] += wPart
		}
		padded := "<" + w + ">"
		r := []rune(padded)
		for i := 0; i+3 <= len(r); i++ {
			counts["t:"+string(r[i:i+3])] += wTrigram
			unit["t:"+string(r[i:i+3])] = wTrigram
		}
	}
	for f, c := range counts {
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		idx := int(x % uint64(o.dim))
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		// Sub-linear: a word repeated ten times is not ten times as telling.
		u := unit[f]
		acc[idx] += sign * u * (1 + math.Log(max(c/u, 1)))
	}
	var norm float64
	for _, v := range acc {
		norm += v * v
	}
	v := make([]float32, o.dim)
	if norm == 0 {
		return v
	}
	inv := 1 / math.Sqrt(norm)
	for i, a := range acc {
		v[i] = float32(a * inv)
	}
	return v
}
