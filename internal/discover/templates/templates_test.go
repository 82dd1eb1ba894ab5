package templates

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestPrompts runs Prompts alone over the cases of the discovery table that
// hold files it wants.
func TestPrompts(t *testing.T) {
	detecttest.Check(t, Prompts{}, []detecttest.Case{
		{Name: "prompt files", Files: map[string]string{"p/a.prompty": "---\nname: a\nmodel:\n  api: chat\n  configuration:\n    name: gpt-4o\n---\nsystem:\nYou are helpful.\n", "t/chat.jinja": "{% for message in messages %}{{ message['role'] }}{% endfor %}", "web/page.j2": "<html>{{ title }}</html>"},
			Want: []string{
				"prompt p/a.prompty p/a.prompty:0 prompt.file",
				"prompt t/chat.jinja t/chat.jinja:0 prompt.jinja",
				"service gpt-4o p/a.prompty:6 prompt.model",
			}},
	})
}
