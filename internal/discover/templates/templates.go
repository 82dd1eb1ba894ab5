// Package templates reads prompt template files: .prompt (Dotprompt),
// .prompty, and Jinja chat templates.
package templates

import (
	"context"
	"regexp"
	"strings"

	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/prompt"
	"github.com/mlbom/autopilot/internal/discover/refs"
	"github.com/mlbom/autopilot/internal/discover/tree"
	"gopkg.in/yaml.v3"
)

// Prompts reports each template file as a prompt, with the model its front
// matter names.
type Prompts struct{}

func (Prompts) Name() string { return "prompt_file" }

func (Prompts) Wants(f *detect.File) bool {
	switch f.Ext {
	case ".prompt", ".prompty", ".jinja", ".jinja2", ".j2":
		return true
	}
	return false
}

var reChatJinja = regexp.MustCompile(`message\[['"]role['"]\]|message\.role|messages|add_generation_prompt|<\|im_start\|>|\[INST\]|<start_of_turn>|<\|start_header_id\|>`)

func (Prompts) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	text := string(f.Data)
	det := "prompt.file"
	switch f.Ext {
	case ".jinja", ".jinja2", ".j2":
		// Web page templates share the extension; chat templates talk about
		// messages and roles.
		// A file named chat_template.* is one whatever it says.
		inPrompts := strings.Contains("/"+strings.ToLower(f.Dir)+"/", "/prompts/")
		if !reChatJinja.MatchString(text) && !inPrompts && !strings.Contains(f.Base, "prompt") && !strings.HasPrefix(f.Base, "chat_template") {
			return
		}
		det = "prompt.jinja"
	}
	fd := prompt.Sighting(f.Path, 0, f.Path, text, det)
	if f.Ext == ".prompt" || f.Ext == ".prompty" {
		if fm, _, body, _, ok := tree.SplitFrontMatter(f.Data); ok {
			var meta struct {
				Name  string `yaml:"name"`
				Model any    `yaml:"model"`
			}
			if err := yaml.Unmarshal(fm, &meta); err == nil {
				if meta.Name != "" {
					fd.Props["promptName"] = meta.Name
				}
				promptModel(f, out, meta.Model)
			} else {
				out.Warn("%s: prompt front matter: %s", f.Path, tree.ShortErr(err))
			}
			fd.Props["preview"] = prompt.Preview(string(body))
		}
	}
	out.Add(fd)
}

// promptModel reports the model a .prompt/.prompty file names: a string
// ("googleai/gemini-1.5-pro") or a prompty model.configuration block.
func promptModel(f *detect.File, out *detect.Report, m any) {
	var ids []string
	switch v := m.(type) {
	case string:
		ids = append(ids, v)
	case map[string]any:
		if c, ok := v["configuration"].(map[string]any); ok {
			for _, k := range []string{"name", "azure_deployment", "model"} {
				if s, ok := c[k].(string); ok && s != "" {
					ids = append(ids, s)
					break
				}
			}
		}
	}
	for _, id := range ids {
		if pre, rest, ok := strings.Cut(id, "/"); ok && (pre == "googleai" || pre == "vertexai" || pre == "openai" || pre == "anthropic") {
			id = rest
		}
		if fd, ok := refs.Model(f.FS, f.Dir, id, refs.Any); ok {
			fd.Path, fd.Line, fd.Detector = f.Path, lineContaining(f.Data, id), "prompt.model"
			out.Add(fd)
		}
	}
}

func lineContaining(data []byte, s string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}
