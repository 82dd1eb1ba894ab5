package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestDefaults(t *testing.T) {
	c, err := fromLookup(lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"TemporalAddress": {c.TemporalAddress, "127.0.0.1:7233"},
		"TaskQueue":       {c.TaskQueue, "mlbom-scan"},
		"DB":              {c.DB, "sqlite:.mlbom/mlbom.db"},
		"HFEndpoint":      {c.HFEndpoint, "https://huggingface.co"},
		"SlackAPIURL":     {c.SlackAPIURL, "https://slack.com/api/"},
	}
	for name, got := range checks {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
	if c.ApprovalTimeout != 72*time.Hour {
		t.Errorf("ApprovalTimeout = %v, want 72h", c.ApprovalTimeout)
	}
	if c.FileTimeBudget != 5*time.Second {
		t.Errorf("FileTimeBudget = %v, want 5s", c.FileTimeBudget)
	}
}

func TestOverrides(t *testing.T) {
	c, err := fromLookup(lookupFrom(map[string]string{
		"MLBOM_HOME":             "/data",
		"MLBOM_APPROVAL_TIMEOUT": "0s",
		"GITHUB_TOKEN":           "ghp_x",
		"MLBOM_MAX_FILE_SIZE":    "1024",
		"MLBOM_FILE_TIME_BUDGET": "30s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/data/mlbom.db" {
		t.Errorf("DB follows MLBOM_HOME: got %q", c.DB)
	}
	if c.ApprovalTimeout != 0 || c.GitToken != "ghp_x" || c.MaxFileSize != 1024 || c.FileTimeBudget != 30*time.Second {
		t.Errorf("overrides not applied: %+v", c)
	}
	// The specific variable wins over the generic one.
	c, _ = fromLookup(lookupFrom(map[string]string{"MLBOM_GIT_TOKEN": "a", "GITHUB_TOKEN": "b"}))
	if c.GitToken != "a" {
		t.Errorf("GitToken = %q, want MLBOM_GIT_TOKEN's", c.GitToken)
	}
}

func TestBadValues(t *testing.T) {
	for _, tc := range []struct{ key, val string }{
		{"MLBOM_APPROVAL_TIMEOUT", "three days"},
		{"MLBOM_MAX_FILE_SIZE", "-5"},
		{"MLBOM_MAX_FILE_SIZE", "big"},
		{"MLBOM_FILE_TIME_BUDGET", "0s"},
		{"MLBOM_FILE_TIME_BUDGET", "soon"},
		{"MLBOM_HTTP_ANONYMOUS", "admin"},
		{"MLBOM_HTTP_ANONYMOUS", "operator"},
		{"MLBOM_LOG_FORMAT", "xml"},
		{"MLBOM_HTTP_TLS_CERT", "/only/the/cert.pem"},
	} {
		_, err := fromLookup(lookupFrom(map[string]string{tc.key: tc.val}))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s=%q: want an error naming the variable, got %v", tc.key, tc.val, err)
		}
	}
}

func TestHFResolveSwitch(t *testing.T) {
	for val, want := range map[string]bool{"": true, "true": true, "1": true, "on": true, "false": false, "0": false, "no": false, "off": false} {
		env := map[string]string{}
		if val != "" {
			env["MLBOM_HF_RESOLVE"] = val
		}
		c, err := fromLookup(lookupFrom(env))
		if err != nil {
			t.Fatalf("MLBOM_HF_RESOLVE=%q: %v", val, err)
		}
		if c.HFResolve != want {
			t.Errorf("MLBOM_HF_RESOLVE=%q: HFResolve = %v, want %v", val, c.HFResolve, want)
		}
	}
	if _, err := fromLookup(lookupFrom(map[string]string{"MLBOM_HF_RESOLVE": "maybe"})); err == nil || !strings.Contains(err.Error(), "MLBOM_HF_RESOLVE") {
		t.Errorf("a bad value should be an error naming the variable, got %v", err)
	}
}

func TestObservabilityAndHTTPDefaults(t *testing.T) {
	c, err := fromLookup(lookupFrom(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAnonymous != "" || c.LogFormat != "json" || c.LogLevel != "info" || c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("defaults: anonymous %q, log %q/%q, metrics %q", c.HTTPAnonymous, c.LogFormat, c.LogLevel, c.MetricsAddr)
	}
	c, err = fromLookup(lookupFrom(map[string]string{"MLBOM_HTTP_ANONYMOUS": "viewer", "MLBOM_LOG_FORMAT": "text", "MLBOM_METRICS_ADDR": "off"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAnonymous != "viewer" || c.LogFormat != "text" || c.MetricsAddr != "off" {
		t.Errorf("overrides not applied: %+v", c)
	}
}

func TestSigningKeys(t *testing.T) {
	c, err := fromLookup(lookupFrom(map[string]string{
		"MLBOM_SIGNING_KEY":  "/secrets/mlbom.key",
		"MLBOM_TRUSTED_KEYS": " a.pub, ,b.pub ",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SigningKey != "/secrets/mlbom.key" || strings.Join(c.TrustedKeys, "|") != "a.pub|b.pub" {
		t.Errorf("signing config: %q %q", c.SigningKey, c.TrustedKeys)
	}
	c, _ = fromLookup(lookupFrom(nil))
	if c.SigningKey != "" || c.TrustedKeys != nil {
		t.Errorf("defaults: %q %q", c.SigningKey, c.TrustedKeys)
	}
}

func TestPrintingHidesSecrets(t *testing.T) {
	secrets := map[string]string{
		"HF_TOKEN":                "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
		"MLBOM_GIT_TOKEN":         "gitTokenSecret123",
		"MLBOM_EMBED_API_KEY":     "embedKeySecret123",
		"MLBOM_SLACK_TOKEN":       "xoxb-slackTokenSecret123",
		"MLBOM_JIRA_TOKEN":        "jiraTokenSecret123",
		"MLBOM_WEBHOOK_SECRET":    "hmacSecret123",
		"MLBOM_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/slackHookSecret123",
		"MLBOM_WEBHOOK_URL":       "https://hooks.example.com/x/webhookPathSecret123",
		"MLBOM_DB":                "mysql://root:db@Pass/word123@db.internal:3306/mlbom",
		"MLBOM_EMBED_BASE_URL":    "https://x.openai.azure.com/?api-key=azureKeySecret123",
	}
	c, err := fromLookup(lookupFrom(secrets))
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c, "ptr", *c)
	for _, text := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", *c), fmt.Sprintf("%v", c), logged.String()} {
		for k, v := range secrets {
			secret := v[strings.LastIndexAny(v, "/=-:_")+1:]
			if k == "MLBOM_DB" {
				secret = "Pass/word123"
			}
			if strings.Contains(text, secret) {
				t.Errorf("%s's secret %q printed: %s", k, secret, text)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(c), "db.internal:3306") {
		t.Errorf("the database host should stay visible: %v", c)
	}
}
