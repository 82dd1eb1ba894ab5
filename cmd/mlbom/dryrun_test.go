package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

// --dry-run with Slack and Jira configured shows what would be sent (it
// used to print "0 would be sent" for a scan with new findings), and sends
// nothing.
func TestScanDryRunShowsWhatWouldBeSent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a local scan")
	}
	s := notifytest.NewSlack(t)
	j := notifytest.NewJira(t, true)
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	require.NoError(t, os.CopyFS(repo, os.DirFS("testdata/repo")))
	for k, v := range map[string]string{
		"MLBOM_HOME": filepath.Join(base, "home"), "MLBOM_DB": "sqlite:" + filepath.Join(base, "home", "mlbom.db"),
		"MLBOM_HF_RESOLVE": "false", "MLBOM_APPROVAL_TIMEOUT": "0s",
		"MLBOM_SLACK_TOKEN": s.Token, "MLBOM_SLACK_CHANNEL": s.ChannelID, "MLBOM_SLACK_API_URL": s.APIURL(),
		"MLBOM_JIRA_URL": j.Server.URL, "MLBOM_JIRA_USER": j.User, "MLBOM_JIRA_TOKEN": j.Token, "MLBOM_JIRA_PROJECT": j.Project,
	} {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"scan", "--local", "--dry-run", repo, "--project", "dry"}, &out, &errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	text := out.String()
	require.NotContains(t, text, "0 would be sent")
	require.Contains(t, text, "dry run, nothing sent")
	require.Contains(t, text, "slack    post → "+s.ChannelID)
	require.Contains(t, text, "jira     create-or-comment → ML label mlbom-")
	require.Equal(t, 0, s.Calls("chat.postMessage"), "nothing posted")
	require.Empty(t, j.Issues(), "no ticket")
	require.True(t, strings.Contains(text, "open finding"), text)
}
