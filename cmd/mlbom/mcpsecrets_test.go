package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/property"
	"github.com/mlbom/autopilot/internal/sarif"
	"github.com/mlbom/autopilot/internal/store"
)

// TestScanMasksSecretsInMCPAndClientConfig (issue 11): tokens, passwords
// and keys written into MCP server args, env and URLs and into a client's
// base_url are masked before they reach the BOM, the stored scan or the
// API; the BOM says a secret was there (mlbom:secrets) instead.
func TestScanMasksSecretsInMCPAndClientConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a local scan")
	}
	// Shapes as the providers issue them; none is a real credential.
	const (
		github    = "ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3sOnly12"
		github2   = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
		openai    = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"
		anthropic = "sk-ant-api03-Zyx987Wvu654Tsr321Qpo098Nml765-Kji432AA"
		slack     = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
		hf        = "hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890"
		aws       = "AKIAIOSFODNN7EXAMPLE"
		urlPass   = "Pa55w0rdInUrl"
		urlQuery  = "QueryKeyValue123"
		flagPass  = "FlagPassw0rdValue"
		envPass   = "EnvPassw0rdValue"
		proxyPass = "ProxyPw0rd77"
		pyQuery   = "PyQueryKey999"
	)
	secrets := []string{github, github2, openai, anthropic, slack, hf, aws, urlPass, urlQuery, flagPass, envPass, proxyPass, pyQuery}

	dir := localEnv(t)
	repo := filepath.Join(dir, "repo")
	mcp := map[string]any{"mcpServers": map[string]any{
		"github": map[string]any{"command": "npx", "args": []string{"-y", "@modelcontextprotocol/server-github", "--token", github},
			"env": map[string]string{"GITHUB_PERSONAL_ACCESS_TOKEN": github2, "DB_PASSWORD": envPass, "LOG_LEVEL": "debug"}},
		"remote": map[string]any{"url": "https://deploy:" + urlPass + "@mcp.example.com/sse?api_key=" + urlQuery + "&region=eu"},
		"slack":  map[string]any{"command": "slack-mcp", "args": []string{"--slack-token", slack, "--password", flagPass, "--hf=" + hf}},
		"aws":    map[string]any{"command": "uvx", "args": []string{"awslabs.aws-mcp", "--key-id", aws, "--model-key", anthropic}},
	}}
	mcpJSON, err := json.MarshalIndent(mcp, "", "  ")
	require.NoError(t, err)
	files := map[string]string{
		".mcp.json":          string(mcpJSON),
		".vscode/mcp.json":   `{"servers": {"hub": {"type": "http", "url": "https://hf.example.com/mcp?token=` + hf + `"}}}`,
		"app.py":             "from openai import OpenAI\n\nclient = OpenAI(base_url=\"https://proxyuser:" + proxyPass + "@llm.internal.example/v1?key=" + pyQuery + "\", api_key=\"" + openai + "\")\nr = client.chat.completions.create(model=\"gpt-4o\", messages=[])\n",
		"README.md":          "# app\n",
		"prompts/system.txt": "x",
	}
	for p, body := range files {
		full := filepath.Join(repo, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(body), 0o644))
	}

	ctx := context.Background()
	bomFile := filepath.Join(dir, "bom.json")
	sarifFile := filepath.Join(dir, "scan.sarif")
	stdout, stderr, code := (&e2e{t: t}).mlbom(ctx, "scan", repo, "--local", "--project", "mcp", "-o", bomFile, "--sarif", sarifFile)
	require.Equal(t, 0, code, stdout+stderr)
	outputs := map[string]string{"scan output": stdout + stderr}

	// The policy reports each holder as a finding.
	sarifData, err := os.ReadFile(sarifFile)
	require.NoError(t, err)
	outputs["SARIF"] = string(sarifData)
	var log sarif.Log
	require.NoError(t, json.Unmarshal(sarifData, &log))
	committed := 0
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "secrets.committed" {
			committed++
		}
	}
	require.GreaterOrEqual(t, committed, 6, "secrets.committed for the five MCP servers and the client:\n%s", sarifData)

	bomData, err := os.ReadFile(bomFile)
	require.NoError(t, err)
	outputs["BOM"] = string(bomData)

	// The BOM says where secrets were: every MCP server and the client.
	var bom struct {
		Components []bomComponent `json:"components"`
		Services   []bomComponent `json:"services"`
	}
	require.NoError(t, json.Unmarshal(bomData, &bom))
	flagged := map[string]string{}
	for _, c := range append(bom.Components, bom.Services...) {
		if v := c.prop(property.Secrets); v != "" {
			flagged[c.Name] = v
		}
	}
	for _, name := range []string{"github", "remote", "slack", "aws", "hub"} {
		require.Contains(t, flagged, name, "MCP server %s: a secret was present (flagged: %v)\n%s", name, flagged, bomData)
	}
	require.Contains(t, flagged["github"], "GitHub token")
	require.Contains(t, flagged["remote"], "credentials in a URL")
	require.Contains(t, string(bomData), "mcp.example.com/sse", "the rest of the URL stays")
	require.Contains(t, string(bomData), "@modelcontextprotocol/server-github --token ***", "the rest of the command line stays")
	require.Contains(t, string(bomData), "llm.internal.example/v1", "the client's base URL is kept, masked")
	clientFlagged := false
	for n, v := range flagged {
		if strings.Contains(v, "credentials in a URL") && !strings.Contains("github remote slack aws hub", n) {
			clientFlagged = true
		}
	}
	require.True(t, clientFlagged, "the OpenAI client's base_url carried credentials: %v", flagged)

	// The stored scan and everything else under MLBOM_HOME.
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasPrefix(p, repo+string(filepath.Separator)) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		outputs["file "+p] = string(data)
		return nil
	}))

	// The API's answers.
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "m.db"))
	require.NoError(t, err)
	defer db.Close()
	h := api.New(api.Options{Store: db, Anonymous: auth.Viewer})
	get := func(path string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept", "application/json")
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", path, rec.Body.String())
		return rec.Body.String()
	}
	for _, p := range []string{"/api/projects", "/api/projects/mcp/scans", "/api/projects/mcp/bom", "/api/search?q=github"} {
		outputs["GET "+p] = get(p)
	}
	require.Contains(t, outputs["GET /api/projects/mcp/bom"], "server-github")
	ids := regexp.MustCompile(`"(?:id|scanId)":\s*"([^"]+)"`).FindAllStringSubmatch(outputs["GET /api/projects/mcp/scans"], -1)
	require.NotEmpty(t, ids)
	for _, m := range ids {
		outputs["GET scan "+m[1]] = get("/api/scans/" + url.PathEscape(m[1]))
	}

	for where, text := range outputs {
		for _, s := range secrets {
			require.False(t, leak(text, s), "%s holds the planted secret %q", where, s)
		}
	}
}
