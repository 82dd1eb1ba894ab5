// Package config is the one typed configuration of mlbom, built once from the
// environment (and overridden by flags in cmd/mlbom) and passed down. No other
// package reads the environment.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/redact"
)

// Config holds every setting the CLI, the worker and the activities need.
type Config struct {
	// Temporal
	TemporalAddress   string // MLBOM_TEMPORAL_ADDRESS, default 127.0.0.1:7233
	TemporalNamespace string // MLBOM_TEMPORAL_NAMESPACE, default "default"
	TemporalUIURL     string // MLBOM_TEMPORAL_UI, default http://localhost:8233
	TaskQueue         string // MLBOM_TASK_QUEUE, default mlbom-scan

	// Storage
	DataDir string // MLBOM_HOME, default .mlbom (working files, SQLite DB)
	DB      string // MLBOM_DB: sqlite:PATH or mysql://USER[:PASS]@HOST:PORT/DB[?params]

	// Sources
	HFEndpoint  string // MLBOM_HF_ENDPOINT, default https://huggingface.co
	HFToken     string // HF_TOKEN
	GitToken    string // MLBOM_GIT_TOKEN or GITHUB_TOKEN (https clones of private repos)
	GitUsername string // MLBOM_GIT_USERNAME, sent with the token; default per host (x-access-token, oauth2, git)
	MaxFileSize int64  // MLBOM_MAX_FILE_SIZE bytes for text files read by detectors, default 8 MiB
	// FileTimeBudget bounds the detectors' time on one file; a file that
	// takes longer is listed as skipped with the reason.
	FileTimeBudget time.Duration // MLBOM_FILE_TIME_BUDGET, default 5s
	// Per-checkout caps and housekeeping; zero means the source package's
	// defaults (200000 entries, 16 GiB, depth 64, keep 3, 16 GiB and 1h
	// per weight file).
	CheckoutMaxFiles int64         // MLBOM_CHECKOUT_MAX_FILES
	CheckoutMaxBytes int64         // MLBOM_CHECKOUT_MAX_BYTES
	CheckoutMaxDepth int64         // MLBOM_CHECKOUT_MAX_DEPTH
	KeepCheckouts    int64         // MLBOM_KEEP_CHECKOUTS per source
	WeightsMaxBytes  int64         // MLBOM_WEIGHTS_MAX_BYTES per downloaded weight file
	WeightsTimeout   time.Duration // MLBOM_WEIGHTS_TIMEOUT per weight download
	// HFResolve looks up Hugging Face models and datasets referenced in code
	// on the Hub (license, card, current revision).
	HFResolve bool // MLBOM_HF_RESOLVE, default true; "0", "false" or "no" turn it off

	// Policies
	PolicyDir string // MLBOM_POLICY_DIR: an extra directory of user policies
	// BuiltinPolicyDir is where the shipped policies/ live; empty means the
	// copy embedded in the binary.
	BuiltinPolicyDir string        // MLBOM_BUILTIN_POLICY_DIR
	ApprovalTimeout  time.Duration // MLBOM_APPROVAL_TIMEOUT, default 72h

	// Embeddings (OpenAI-compatible); empty base URL means the offline embedder.
	EmbedBaseURL string // MLBOM_EMBED_BASE_URL
	EmbedModel   string // MLBOM_EMBED_MODEL
	EmbedAPIKey  string // MLBOM_EMBED_API_KEY or OPENAI_API_KEY

	// Notifications
	SlackToken      string // MLBOM_SLACK_TOKEN
	SlackChannel    string // MLBOM_SLACK_CHANNEL
	SlackWebhookURL string // MLBOM_SLACK_WEBHOOK_URL
	SlackAPIURL     string // MLBOM_SLACK_API_URL, default https://slack.com/api/
	JiraURL         string // MLBOM_JIRA_URL
	JiraUser        string // MLBOM_JIRA_USER
	JiraToken       string // MLBOM_JIRA_TOKEN
	JiraProject     string // MLBOM_JIRA_PROJECT
	JiraIssueType   string // MLBOM_JIRA_ISSUE_TYPE, default Bug
	// JiraResolveTransition is the transition applied when a finding is gone
	// (e.g. "Done"); empty only comments.
	JiraResolveTransition string // MLBOM_JIRA_RESOLVE_TRANSITION
	WebhookURL            string // MLBOM_WEBHOOK_URL
	WebhookSecret         string // MLBOM_WEBHOOK_SECRET (HMAC-SHA256 key)
	DashboardURL          string // MLBOM_DASHBOARD_URL, used in links

	// API / dashboard
	HTTPAddr string // MLBOM_HTTP_ADDR, default 127.0.0.1:8080
	// HTTPAnonymous lets requests without credentials act with this role;
	// empty (the default) means every request must sign in. Only "viewer"
	// is accepted: nobody may write anonymously.
	HTTPAnonymous string // MLBOM_HTTP_ANONYMOUS
	// HTTPTLSCert and HTTPTLSKey make `mlbom serve` speak HTTPS (session
	// cookies are then marked Secure).
	HTTPTLSCert string // MLBOM_HTTP_TLS_CERT
	HTTPTLSKey  string // MLBOM_HTTP_TLS_KEY
	// HTTPLocalSources are the directories (on the worker's machine) under
	// which a scan started through the API may read a local path; none
	// means the API scans only URLs.
	HTTPLocalSources []string // MLBOM_HTTP_LOCAL_SOURCES, comma-separated

	// Observability
	LogFormat string // MLBOM_LOG_FORMAT: json (default) or text, for worker and serve
	LogLevel  string // MLBOM_LOG_LEVEL: debug, info (default), warn, error
	// MetricsAddr is where the worker serves Prometheus /metrics; "off"
	// disables it. (`mlbom serve` serves /metrics on its own address.)
	MetricsAddr string // MLBOM_METRICS_ADDR, default 127.0.0.1:9464

	// Signing and verification
	// SigningKey is a PEM private key file; when set, the worker signs every
	// new BOM version (and `mlbom sign` uses it when --key is not given).
	SigningKey string // MLBOM_SIGNING_KEY
	// TrustedKeys are PEM public key files whose signatures count as valid:
	// model signatures found by scans, signed BOMs at admission.
	TrustedKeys []string // MLBOM_TRUSTED_KEYS, comma-separated
}

// FromEnv builds the configuration from environment variables and defaults.
func FromEnv() (*Config, error) { return fromLookup(os.LookupEnv) }

func fromLookup(lookup func(string) (string, bool)) (*Config, error) {
	get := func(def string, keys ...string) string {
		for _, k := range keys {
			if v, ok := lookup(k); ok && v != "" {
				return v
			}
		}
		return def
	}
	c := &Config{
		TemporalAddress:       get("127.0.0.1:7233", "MLBOM_TEMPORAL_ADDRESS"),
		TemporalNamespace:     get("default", "MLBOM_TEMPORAL_NAMESPACE"),
		TemporalUIURL:         get("http://localhost:8233", "MLBOM_TEMPORAL_UI"),
		TaskQueue:             get("mlbom-scan", "MLBOM_TASK_QUEUE"),
		DataDir:               get(".mlbom", "MLBOM_HOME"),
		HFEndpoint:            get("https://huggingface.co", "MLBOM_HF_ENDPOINT"),
		HFToken:               get("", "HF_TOKEN"),
		GitToken:              get("", "MLBOM_GIT_TOKEN", "GITHUB_TOKEN"),
		GitUsername:           get("", "MLBOM_GIT_USERNAME"),
		PolicyDir:             get("", "MLBOM_POLICY_DIR"),
		BuiltinPolicyDir:      get("", "MLBOM_BUILTIN_POLICY_DIR"),
		EmbedBaseURL:          get("", "MLBOM_EMBED_BASE_URL"),
		EmbedModel:            get("text-embedding-3-small", "MLBOM_EMBED_MODEL"),
		EmbedAPIKey:           get("", "MLBOM_EMBED_API_KEY", "OPENAI_API_KEY"),
		SlackToken:            get("", "MLBOM_SLACK_TOKEN"),
		SlackChannel:          get("", "MLBOM_SLACK_CHANNEL"),
		SlackWebhookURL:       get("", "MLBOM_SLACK_WEBHOOK_URL"),
		SlackAPIURL:           get("https://slack.com/api/", "MLBOM_SLACK_API_URL"),
		JiraURL:               get("", "MLBOM_JIRA_URL"),
		JiraUser:              get("", "MLBOM_JIRA_USER"),
		JiraToken:             get("", "MLBOM_JIRA_TOKEN"),
		JiraProject:           get("", "MLBOM_JIRA_PROJECT"),
		JiraIssueType:         get("Bug", "MLBOM_JIRA_ISSUE_TYPE"),
		JiraResolveTransition: get("", "MLBOM_JIRA_RESOLVE_TRANSITION"),
		WebhookURL:            get("", "MLBOM_WEBHOOK_URL"),
		WebhookSecret:         get("", "MLBOM_WEBHOOK_SECRET"),
		DashboardURL:          get("http://127.0.0.1:8080", "MLBOM_DASHBOARD_URL"),
		HTTPAddr:              get("127.0.0.1:8080", "MLBOM_HTTP_ADDR"),
		HTTPAnonymous:         get("", "MLBOM_HTTP_ANONYMOUS"),
		HTTPTLSCert:           get("", "MLBOM_HTTP_TLS_CERT"),
		HTTPTLSKey:            get("", "MLBOM_HTTP_TLS_KEY"),
		LogFormat:             get("json", "MLBOM_LOG_FORMAT"),
		LogLevel:              get("info", "MLBOM_LOG_LEVEL"),
		MetricsAddr:           get("127.0.0.1:9464", "MLBOM_METRICS_ADDR"),
	}
	c.DB = get("sqlite:"+filepath.Join(c.DataDir, "mlbom.db"), "MLBOM_DB")
	c.SigningKey = get("", "MLBOM_SIGNING_KEY")
	for _, k := range strings.Split(get("", "MLBOM_TRUSTED_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.TrustedKeys = append(c.TrustedKeys, k)
		}
	}

	var err error
	if c.MaxFileSize, err = parseInt(get("8388608", "MLBOM_MAX_FILE_SIZE")); err != nil {
		return nil, fmt.Errorf("MLBOM_MAX_FILE_SIZE: %w", err)
	}
	for _, v := range []struct {
		key string
		dst *int64
	}{
		{"MLBOM_CHECKOUT_MAX_FILES", &c.CheckoutMaxFiles}, {"MLBOM_CHECKOUT_MAX_BYTES", &c.CheckoutMaxBytes},
		{"MLBOM_CHECKOUT_MAX_DEPTH", &c.CheckoutMaxDepth}, {"MLBOM_KEEP_CHECKOUTS", &c.KeepCheckouts},
		{"MLBOM_WEIGHTS_MAX_BYTES", &c.WeightsMaxBytes},
	} {
		if s := get("", v.key); s != "" {
			if *v.dst, err = parseInt(s); err != nil {
				return nil, fmt.Errorf("%s: %w", v.key, err)
			}
		}
	}
	if s := get("", "MLBOM_WEIGHTS_TIMEOUT"); s != "" {
		if c.WeightsTimeout, err = time.ParseDuration(s); err != nil || c.WeightsTimeout <= 0 {
			return nil, fmt.Errorf("MLBOM_WEIGHTS_TIMEOUT: want a positive duration such as 30m, got %q", s)
		}
	}
	if s := get("5s", "MLBOM_FILE_TIME_BUDGET"); s != "" {
		if c.FileTimeBudget, err = time.ParseDuration(s); err != nil || c.FileTimeBudget <= 0 {
			return nil, fmt.Errorf("MLBOM_FILE_TIME_BUDGET: want a positive duration such as 10s, got %q", s)
		}
	}
	if c.ApprovalTimeout, err = time.ParseDuration(get("72h", "MLBOM_APPROVAL_TIMEOUT")); err != nil {
		return nil, fmt.Errorf("MLBOM_APPROVAL_TIMEOUT: %w", err)
	}
	if c.HFResolve, err = parseBool(get("true", "MLBOM_HF_RESOLVE")); err != nil {
		return nil, fmt.Errorf("MLBOM_HF_RESOLVE: %w", err)
	}
	for _, d := range strings.Split(get("", "MLBOM_HTTP_LOCAL_SOURCES"), ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		if !filepath.IsAbs(d) {
			return nil, fmt.Errorf("MLBOM_HTTP_LOCAL_SOURCES: %q is not an absolute directory", d)
		}
		c.HTTPLocalSources = append(c.HTTPLocalSources, filepath.Clean(d))
	}
	switch c.HTTPAnonymous {
	case "", "viewer":
	case "none", "off":
		c.HTTPAnonymous = ""
	default:
		return nil, fmt.Errorf("MLBOM_HTTP_ANONYMOUS: only viewer (read-only) may be anonymous, got %q", c.HTTPAnonymous)
	}
	if (c.HTTPTLSCert == "") != (c.HTTPTLSKey == "") {
		return nil, fmt.Errorf("MLBOM_HTTP_TLS_CERT and MLBOM_HTTP_TLS_KEY go together: set both or neither")
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return nil, fmt.Errorf("MLBOM_LOG_FORMAT: want json or text, got %q", c.LogFormat)
	}
	return c, nil
}

// Redacted is a copy safe to show: tokens, keys and passwords masked, the
// database location without its password, webhook URLs reduced to their
// host (their path is the secret).
func (c Config) Redacted() Config {
	mask := func(s *string) {
		if *s != "" {
			*s = redact.Mask
		}
	}
	for _, s := range []*string{&c.HFToken, &c.GitToken, &c.EmbedAPIKey, &c.SlackToken, &c.JiraToken, &c.WebhookSecret} {
		mask(s)
	}
	c.DB = redact.DSN(c.DB)
	for _, s := range []*string{&c.SlackWebhookURL, &c.WebhookURL} {
		if *s != "" {
			*s = redact.Endpoint(*s)
		}
	}
	for _, s := range []*string{&c.EmbedBaseURL, &c.JiraURL, &c.HFEndpoint, &c.SlackAPIURL, &c.TemporalUIURL, &c.DashboardURL} {
		*s = redact.URL(*s)
	}
	return c
}

// String shows the configuration with its secrets masked, so that printing
// it (%v, %+v) cannot leak them.
func (c Config) String() string {
	type plain Config // no methods: no recursion into String
	return fmt.Sprintf("%+v", plain(c.Redacted()))
}

// LogValue keeps slog from logging secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("want true or false, got %q", s)
}

func parseInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive whole number, got %q", s)
	}
	return n, nil
}
