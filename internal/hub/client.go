// Package hub talks to the Hugging Face Hub API: repository metadata and
// cards (Client.Info, Sightings), the look-ups a scan makes of the models
// and datasets code refers to (Resolve), and the check of local weights
// against the files the Hub publishes (CheckWeights). internal/source uses
// the same client to open hf:// repositories.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

const (
	defaultEndpoint = "https://huggingface.co"
	maxInfoBytes    = 64 << 20 // siblings of a dataset with 100k files run to tens of MB
)

var (
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
	sha1Hex   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// IsCommit reports a full (40-hex) git commit or Hub revision sha.
func IsCommit(s string) bool { return sha1Hex.MatchString(s) }

// IsSHA256 reports a lower-case hex SHA-256.
func IsSHA256(s string) bool { return sha256Hex.MatchString(s) }

// ErrInvalid marks Hub answers that retrying cannot fix: no such
// repository or revision, gated or private without access. It is the same
// sentinel as source.ErrInvalid: such a repository is an invalid source.
var ErrInvalid = errors.New("invalid source")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// ErrEntryNotFound marks one missing file; the scan goes on without it.
var ErrEntryNotFound = errors.New("file not found on the Hub")

// Config says how to reach the Hub.
type Config struct {
	Endpoint string // default https://huggingface.co
	Token    string // HF_TOKEN; sent to the Hub only
	HTTP     *http.Client
	// Timeout bounds a metadata request.
	Timeout time.Duration
}

// Client is a Hub API client.
type Client struct {
	endpoint string
	token    string
	http     *http.Client
	timeout  time.Duration
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	ep := strings.TrimRight(cfg.Endpoint, "/")
	if ep == "" {
		ep = defaultEndpoint
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{endpoint: ep, token: cfg.Token, http: hc, timeout: cfg.Timeout}
}

// Endpoint is the Hub's base URL, without a trailing slash.
func (c *Client) Endpoint() string { return c.endpoint }

// Info fetches repository metadata with file sizes and LFS hashes.
func (c *Client) Info(ctx context.Context, repo Repo) (*Info, error) {
	p := repo.APIPath()
	if repo.Revision != "" {
		p += "/revision/" + url.PathEscape(repo.Revision)
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.Get(ctx, p+"?blobs=true")
	if err != nil {
		return nil, fmt.Errorf("hugging face %s: %w", repo, err)
	}
	defer resp.Body.Close()
	if err := c.Check(resp, repo); err != nil {
		return nil, err
	}
	var info Info
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxInfoBytes))
	if err := dec.Decode(&info); err != nil {
		return nil, fmt.Errorf("hugging face %s: decode repository info: %w", repo, err)
	}
	return &info, nil
}

// Get requests path p of the Hub with the client's token.
func (c *Client) Get(ctx context.Context, p string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+p, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "mlbom-autopilot")
	if c.token != "" {
		// Go drops this header if the Hub redirects to another host (the
		// LFS CDN), so the token never leaves the Hub.
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which carries no secret; keep it.
		return nil, err
	}
	return resp, nil
}

// Check maps Hub answers to errors a user can act on. Not-found and
// access errors are ErrInvalid; rate limits and server errors are plain so
// the caller retries them.
func (c *Client) Check(resp *http.Response, repo Repo) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	code := resp.Header.Get("X-Error-Code")
	switch {
	case code == "EntryNotFound":
		return ErrEntryNotFound
	case code == "RevisionNotFound":
		return invalidf("hugging face %s: no revision %q", repo, repo.Revision)
	case code == "GatedRepo" || (resp.StatusCode == http.StatusForbidden && code != "RepoNotFound"):
		if c.token == "" {
			return invalidf("hugging face %s is gated: accept its terms on the Hub, then set HF_TOKEN to a token of that account", repo)
		}
		return invalidf("hugging face %s is gated or private and the HF_TOKEN given has no access to it: request access on the Hub with that account", repo)
	case resp.StatusCode == http.StatusUnauthorized || code == "RepoNotFound" || resp.StatusCode == http.StatusNotFound:
		// The Hub answers 401 for private repositories and, to anonymous
		// callers, for ones that do not exist.
		if c.token == "" && resp.StatusCode == http.StatusUnauthorized {
			return invalidf("no such Hugging Face repo %s, or it is private: check the name, or set HF_TOKEN", repo)
		}
		if resp.StatusCode == http.StatusNotFound && code == "" && repo.Type == "model" {
			return invalidf("no such Hugging Face repo %s (for a dataset or Space use hf://datasets/%s or hf://spaces/%s)", repo, repo.ID, repo.ID)
		}
		return invalidf("no such Hugging Face repo %s", repo)
	case resp.StatusCode == http.StatusTooManyRequests:
		msg := "rate limited by the Hub"
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			msg += " (retry after " + ra + "s)"
		}
		return fmt.Errorf("hugging face %s: %s", repo, msg)
	case resp.StatusCode >= 500:
		return fmt.Errorf("hugging face %s: Hub error %s", repo, resp.Status)
	}
	return invalidf("hugging face %s: unexpected answer %s", repo, resp.Status)
}
