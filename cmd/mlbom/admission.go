package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/mlbom/autopilot/internal/admission"
	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/keys"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workers"
)

func runAdmission(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "admission")
	addr := fs.String("addr", ":8443", "listen address")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM), e.g. from cert-manager or mlbom keygen --tls")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	enforce := fs.Bool("enforce", true, "refuse objects with deny findings; --enforce=false only warns (audit mode)")
	cacheTTL := fs.Duration("cache-ttl", -1, "remember the findings for identical pod templates this long (default 30s; off when MLBOM_POLICY_DIR is set, since your rules may judge names)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return withCode(exitUsage, "admission takes no arguments, got %q", pos)
	}
	if *certFile == "" || *keyFile == "" {
		return withCode(exitUsage, "want --tls-cert and --tls-key: the API server only calls webhooks over TLS (make a pair with mlbom keygen --tls -o PREFIX)")
	}
	logger, err := processLogger(ctx, cfg)
	if err != nil {
		return err
	}
	certs, err := admission.NewCertReloader(*certFile, *keyFile)
	if err != nil {
		return withCode(exitUsage, "%v", err)
	}
	engine, err := policy.New(ctx, policy.Options{ExtraDir: cfg.PolicyDir, Families: []string{"kubernetes"}})
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	var trusted []attest.Verifier
	for _, p := range cfg.TrustedKeys {
		v, err := keys.LoadPublic(p)
		if err != nil {
			return withCode(exitUsage, "MLBOM_TRUSTED_KEYS: %v", err)
		}
		trusted = append(trusted, v)
		logger.Info("admission: trusting key", "file", filepath.Base(p), "keyId", v.KeyID())
	}
	nopts := workers.NotifyOptions(cfg)
	if err := nopts.Validate(); err != nil {
		return fmt.Errorf("notification settings: %w", err)
	}
	notifier, err := notify.New(nopts, db)
	if err != nil {
		return fmt.Errorf("notifier: %w", err)
	}
	rec := admission.NewRecorder(admission.RecorderOptions{Store: db, Notifier: notifier, Logger: logger})
	defer rec.Close()
	if *cacheTTL < 0 {
		*cacheTTL = 30 * time.Second
		if cfg.PolicyDir != "" {
			*cacheTTL = 0
		}
	}
	h := admission.New(admission.Options{
		CacheTTL: *cacheTTL,
		Policy:   engine,
		Models:   signedBOMs(db, trusted),
		Enforce:  *enforce,
		Sink:     rec.Record,
		Logger:   logger,
	})
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	mode := "enforce"
	if !*enforce {
		mode = "audit (warn only)"
	}
	fmt.Fprintf(stderrOf(ctx), "mlbom admission webhook on https://%s/validate (%s, store %s, %d trusted keys); Ctrl-C stops it\n",
		ln.Addr(), mode, db.Backend(), len(trusted))
	return admission.Serve(ctx, ln, h, certs)
}

// signedBOMs verifies mlbom.dev/model references (projects, Hub
// repositories, OCI digests) against the signed BOMs in the store, read the
// way `mlbom bom` reads them.
func signedBOMs(db *store.DB, trusted []attest.Verifier) *admission.SignedBOMs {
	return &admission.SignedBOMs{
		ReadBOM: func(ctx context.Context, project string, version int) (int, []byte, error) {
			v, data, err := api.StoredBOM(ctx, db, project, version, api.FormatJSON)
			return v.Number, data, err
		},
		Signatures:      db.ListSignatures,
		ScansBySource:   db.ListScansBySource,
		MatchComponents: db.MatchComponents,
		Trusted:         trusted,
	}
}
