package search

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/mlbom/autopilot/internal/redact"
)

// OpenAIOptions configure an OpenAI-compatible embeddings endpoint: OpenAI
// (empty BaseURL), Azure OpenAI (https://NAME.openai.azure.com, Model is the
// deployment), Ollama (http://localhost:11434/v1), vLLM, LocalAI.
type OpenAIOptions struct {
	BaseURL string
	APIKey  string // never logged or put in errors
	Model   string // default text-embedding-3-small
	// Dim: the vector size. For text-embedding-3 models it is also sent as
	// "dimensions" (shortened embeddings); for others it is only a hint and
	// the size is learned from the first response.
	Dim         int
	BatchSize   int           // texts per request, default 64
	MaxAttempts int           // per batch, default 5
	MinBackoff  time.Duration // first retry delay without Retry-After, default 500ms
	HTTPClient  *http.Client
}

// Known dimensions of common embedding models, so Name is stable before
// the first call.
var knownDims = map[string]int{
	"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536,
	"nomic-embed-text": 768, "mxbai-embed-large": 1024, "all-minilm": 384, "bge-m3": 1024,
}

type openAIEmbedder struct {
	opts   OpenAIOptions
	client *openai.Client
	dim    int
	name   string // fixed at construction so stored vectors keep matching it
	sleep  func(ctx context.Context, d time.Duration) error
}

// NewOpenAI returns an embedder calling POST {BaseURL}/embeddings in batches,
// retrying 429 (honouring Retry-After) and 5xx with exponential backoff.
func NewOpenAI(opts OpenAIOptions) Embedder {
	if opts.Model == "" {
		opts.Model = "text-embedding-3-small"
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 64
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 500 * time.Millisecond
	}
	var cfg openai.ClientConfig
	if strings.Contains(opts.BaseURL, ".openai.azure.com") {
		cfg = openai.DefaultAzureConfig(opts.APIKey, opts.BaseURL)
	} else {
		cfg = openai.DefaultConfig(opts.APIKey)
		if opts.BaseURL != "" {
			cfg.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
		}
	}
	base := opts.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 60 * time.Second}
	}
	// Keep the caller's client but see response headers (Retry-After),
	// which go-openai's errors do not carry.
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = retryAfterTransport{rt}
	cfg.HTTPClient = &hc
	dim := opts.Dim
	if dim == 0 {
		dim = knownDims[opts.Model]
	}
	name := "openai:" + opts.Model
	if dim > 0 {
		name = fmt.Sprintf("%s/%d", name, dim)
	}
	return &openAIEmbedder{opts: opts, client: openai.NewClientWithConfig(cfg), dim: dim, name: name, sleep: sleepCtx}
}

// Name is "openai:MODEL/DIM", or "openai:MODEL" when the dimension is
// learned from the first response (the store matches vectors by dimension too).
func (o *openAIEmbedder) Name() string { return o.name }

func (o *openAIEmbedder) Dim() int { return o.dim }

func (o *openAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += o.opts.BatchSize {
		batch := texts[start:min(start+o.opts.BatchSize, len(texts))]
		vecs, err := o.embedBatch(ctx, batch)
		if err != nil {
			// *url.Error repeats the endpoint, which may carry a key
			// (Azure's ?api-key=, user-info); a server may echo the key.
			return nil, redact.Error(fmt.Errorf("embed texts %d..%d with %s: %w", start, start+len(batch), o.opts.Model, err), o.opts.APIKey)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (o *openAIEmbedder) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	req := openai.EmbeddingRequestStrings{Input: batch, Model: openai.EmbeddingModel(o.opts.Model)}
	if o.opts.Dim > 0 && strings.HasPrefix(o.opts.Model, "text-embedding-3") {
		req.Dimensions = o.opts.Dim
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		hint := &retryHint{}
		resp, err := o.client.CreateEmbeddings(context.WithValue(ctx, retryHintKey{}, hint), req)
		if err == nil {
			return o.collect(resp, len(batch))
		}
		lastErr = err
		status := httpStatus(err)
		retryable := status == http.StatusTooManyRequests || status >= 500 || status == 0 && ctx.Err() == nil && !isPermanent(err)
		if !retryable || attempt >= o.opts.MaxAttempts {
			break
		}
		delay := o.opts.MinBackoff << (attempt - 1)
		if hint.after > 0 {
			delay = hint.after
		}
		delay = min(delay, 60*time.Second)
		if err := o.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

func (o *openAIEmbedder) collect(resp openai.EmbeddingResponse, n int) ([][]float32, error) {
	if len(resp.Data) != n {
		return nil, fmt.Errorf("endpoint returned %d embeddings for %d inputs", len(resp.Data), n)
	}
	out := make([][]float32, n)
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, fmt.Errorf("endpoint returned embedding index %d out of order", d.Index)
		}
		if o.dim == 0 {
			o.dim = len(d.Embedding)
		}
		if len(d.Embedding) != o.dim {
			return nil, fmt.Errorf("endpoint returned %d dimensions, want %d (set the model's dimension)", len(d.Embedding), o.dim)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

func httpStatus(err error) int {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}

// isPermanent: errors without an HTTP status that a retry cannot fix.
func isPermanent(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type retryHintKey struct{}

type retryHint struct{ after time.Duration }

type retryAfterTransport struct{ next http.RoundTripper }

func (t retryAfterTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if h, ok := r.Context().Value(retryHintKey{}).(*retryHint); ok {
		h.after = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, nil
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 when absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
