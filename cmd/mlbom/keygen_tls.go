package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"time"

	"github.com/mlbom/autopilot/internal/keys"
)

// defaultWebhookHosts are the names the API server uses for the admission
// Service of deploy/k8s/admission.yaml.
var defaultWebhookHosts = []string{"mlbom-admission", "mlbom-admission.mlbom", "mlbom-admission.mlbom.svc", "mlbom-admission.mlbom.svc.cluster.local"}

func writeTLSPair(ctx context.Context, prefix string, hosts []string, days int) error {
	if len(hosts) == 0 {
		hosts = defaultWebhookHosts
	}
	if days <= 0 {
		return withCode(exitUsage, "--days must be positive")
	}
	cert, key, err := keys.SelfSignedTLS(hosts, time.Duration(days)*24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	f, err := os.OpenFile(prefix+".key", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write TLS key: %w (remove the old one first if you mean to replace it)", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(prefix+".crt", cert, 0o644); err != nil {
		return fmt.Errorf("write TLS certificate: %w", err)
	}
	fmt.Fprintf(stdoutOf(ctx), "TLS certificate %s.crt for %v (self-signed, %d days)\nTLS key         %s.key (mode 0600)\ncaBundle        %s\n",
		prefix, hosts, days, prefix, base64.StdEncoding.EncodeToString(cert))
	return nil
}
