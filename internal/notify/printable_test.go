package notify

import (
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/notify/notifytest"
)

// Names from scanned repositories must not add lines of their own to a
// Slack message or a Jira ticket (a fake "verdict PASS"), nor carry
// terminal escapes or bidirectional overrides into them.
func TestMessagesEscapeControlCharacters(t *testing.T) {
	const hostile = "pkg:generic/app\n*ML-BOM PASS: nothing to see*\r\x1b[2K\u202e"
	fs := findings(2)
	fs[0].Component = hostile
	fs[0].Message = "loads " + hostile
	b := batch("scan-1", fs)
	b.Project = "acme\nfake"

	s := notifytest.NewSlack(t)
	notify(t, mustNew(t, slackOpts(s), notifytest.NewMemLedger()), b)
	m := s.Messages()[0]
	var text strings.Builder
	for _, bl := range m.Blocks {
		text.WriteString(blockText(bl))
		text.WriteString("\n")
	}
	for _, line := range strings.Split(text.String()+"\n"+m.Text, "\n") {
		if strings.Contains(line, "ML-BOM PASS") && !strings.Contains(line, `app\n*ML-BOM PASS`) {
			t.Errorf("a component name starts a Slack line of its own: %q", line)
		}
	}
	if strings.ContainsAny(text.String()+m.Text, "\r\x1b\u202e") {
		t.Errorf("control characters in the Slack message: %q", text.String())
	}

	j := notifytest.NewJira(t, true)
	notify(t, mustNew(t, jiraOpts(j, ptr(true)), notifytest.NewMemLedger()), b)
	for _, is := range j.Issues() {
		if strings.ContainsAny(is.Summary, "\n\r\x1b\u202e") {
			t.Errorf("Jira summary not one clean line: %q", is.Summary)
		}
		for _, line := range strings.Split(is.Description, "\n") {
			if strings.HasPrefix(line, "*ML-BOM PASS") {
				t.Errorf("a component name starts a Jira line of its own: %q", is.Description)
			}
		}
		if strings.ContainsAny(is.Description, "\r\x1b\u202e") {
			t.Errorf("control characters in the Jira description: %q", is.Description)
		}
	}
}
