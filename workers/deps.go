package workers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/discover"
	"github.com/mlbom/autopilot/internal/keys"
	"github.com/mlbom/autopilot/internal/metrics"
	"github.com/mlbom/autopilot/internal/modelscan"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/oms"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/search"
	"github.com/mlbom/autopilot/internal/source"
	"github.com/mlbom/autopilot/internal/store"
)

// Version of mlbom, set at build time with -ldflags "-X ...workers.Version=...".
var Version = "0.1.0-dev"

// OfflineDim is the dimension of the offline embedder.
const OfflineDim = 256

// Deps are the long-lived dependencies of a worker (or a local run).
type Deps struct {
	Store      *store.DB
	Activities *activities.Activities
	// Metrics receives the worker's counters; nil counts nothing.
	Metrics *metrics.Metrics
}

// Close releases the store.
func (d *Deps) Close() error {
	if d == nil || d.Store == nil {
		return nil
	}
	return d.Store.Close()
}

// NewDeps builds every dependency from configuration. Configuration mistakes
// (unknown MLBOM_DB scheme, wrong credentials, a broken policy, half-set
// Slack or Jira settings) are reported here, at start, not mid-scan.
func NewDeps(ctx context.Context, cfg *config.Config) (*Deps, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("open store (MLBOM_DB): %w", err)
	}
	engine, err := policy.New(ctx, policy.Options{ExtraDir: cfg.PolicyDir})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load policies: %w", err)
	}
	nopts := NotifyOptions(cfg)
	if err := nopts.Validate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("notification settings: %w", err)
	}
	notifier, err := notify.New(nopts, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("notifier: %w", err)
	}
	dryOpts := nopts
	dryOpts.DryRun = true
	dryRun, err := notify.New(dryOpts, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("notifier: %w", err)
	}
	workDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		db.Close()
		return nil, err
	}
	acts := &activities.Activities{
		Store:          db,
		Policy:         engine,
		Embedder:       Embedder(cfg),
		Notifier:       notifier,
		DryRunNotifier: dryRun,
		Source: source.Options{
			HFEndpoint: cfg.HFEndpoint, HFToken: cfg.HFToken, GitToken: cfg.GitToken, GitUsername: cfg.GitUsername, Timeout: 5 * time.Minute,
			CheckoutMaxFiles: cfg.CheckoutMaxFiles, CheckoutMaxBytes: cfg.CheckoutMaxBytes, CheckoutMaxDepth: int(cfg.CheckoutMaxDepth),
			KeepCheckouts: int(cfg.KeepCheckouts), WeightsMaxBytes: cfg.WeightsMaxBytes, WeightsTimeout: cfg.WeightsTimeout,
		},
		ResolveHub:  cfg.HFResolve,
		Discover:    discover.Options{MaxFileSize: cfg.MaxFileSize, FileTimeBudget: cfg.FileTimeBudget},
		ModelScan:   scanOptions(),
		WorkDir:     workDir,
		ToolVersion: Version,
	}
	for _, p := range cfg.TrustedKeys {
		v, err := keys.LoadPublic(p)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("MLBOM_TRUSTED_KEYS: %w", err)
		}
		acts.ModelKeys = append(acts.ModelKeys, oms.TrustedKey{Name: filepath.Base(p), Key: v})
	}
	if cfg.SigningKey != "" {
		signer, err := keys.LoadPrivate(cfg.SigningKey)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("MLBOM_SIGNING_KEY %s: %w", cfg.SigningKey, err)
		}
		acts.Signing = &activities.Signing{Signer: signer, Store: db, ReadBOM: storedBOM(db)}
	}
	return &Deps{Store: db, Activities: acts}, nil
}

// storedBOM reads a version's BOM through the API's read path, the one
// `mlbom bom` and GET /api/projects/{p}/bom use, so signatures cover what
// readers are served.
func storedBOM(db *store.DB) func(ctx context.Context, project string, version int) ([]byte, error) {
	return func(ctx context.Context, project string, version int) ([]byte, error) {
		_, data, err := api.StoredBOM(ctx, db, project, version, api.FormatJSON)
		return data, err
	}
}

// Embedder picks the OpenAI-compatible embedder when an endpoint is
// configured, else the offline one.
func Embedder(cfg *config.Config) search.Embedder {
	if cfg.EmbedBaseURL == "" {
		return search.NewOffline(OfflineDim)
	}
	return search.NewOpenAI(search.OpenAIOptions{BaseURL: cfg.EmbedBaseURL, APIKey: cfg.EmbedAPIKey, Model: cfg.EmbedModel})
}

// NotifyOptions maps configuration to the notifier's options.
func NotifyOptions(cfg *config.Config) notify.Options {
	return notify.Options{
		SlackToken: cfg.SlackToken, SlackChannel: cfg.SlackChannel, SlackWebhookURL: cfg.SlackWebhookURL, SlackAPIURL: cfg.SlackAPIURL,
		JiraURL: cfg.JiraURL, JiraUser: cfg.JiraUser, JiraToken: cfg.JiraToken, JiraProject: cfg.JiraProject, JiraIssueType: cfg.JiraIssueType,
		JiraResolveTransition: cfg.JiraResolveTransition,
		WebhookURL:            cfg.WebhookURL, WebhookSecret: cfg.WebhookSecret,
		DashboardURL: cfg.DashboardURL, TemporalUIURL: cfg.TemporalUIURL,
	}
}

// IsConfigError tells errors a user must fix from transient ones.
func IsConfigError(err error) bool {
	return errors.Is(err, store.ErrConfig) || errors.Is(err, policy.ErrPolicy) || errors.Is(err, notify.ErrPermanent)
}

// scanOptions: discovery already hashes every weight file, so the model-file
// scanner does not hash it a second time.
func scanOptions() modelscan.Options {
	o := modelscan.DefaultOptions()
	o.Hash = false
	return o
}
