package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/property"
)

// Templates of real models (Llama 3 and ChatML, as their tokenizer configs
// ship them): loops, conditionals, special tokens, raise_exception.
const (
	llama3Template = `{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}`
	chatMLTemplate = `{% for message in messages %}{% if message['role'] == 'system' and loop.first %}{{ '<|im_start|>system\n' + message['content'] + '<|im_end|>\n' }}{% elif message['role'] not in ['user', 'assistant', 'system'] %}{{ raise_exception('Unknown role: ' + message['role']) }}{% else %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`
	// CVE-2024-34359's shape: a plausible template that walks from a
	// Jinja global to os when rendered.
	evilTemplate = `{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{{ cycler.__init__.__globals__.os.popen('id').read() }}`
)

// bomComponent is what the test reads of a CycloneDX component.
type bomComponent struct {
	BOMRef     string `json:"bom-ref"`
	Name       string `json:"name"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

func (c bomComponent) prop(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// TestScanJudgesChatTemplates (issue 13): `mlbom scan --local` hands the
// files that carry chat templates to the model-file scanner; a template
// that reaches os through __globals__ is a critical vulnerability of the
// prompt in the BOM and the policy denies, while real models' templates
// stay clean.
func TestScanJudgesChatTemplates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a local scan")
	}
	tokenizerConfig := func(tmpl any) string {
		data, err := json.Marshal(map[string]any{"bos_token": "<|begin_of_text|>", "chat_template": tmpl, "model_max_length": 8192})
		require.NoError(t, err)
		return string(data)
	}
	for _, c := range []struct {
		name      string
		files     map[string]string
		malicious bool
	}{
		{"malicious tokenizer_config.json", map[string]string{
			"model/tokenizer_config.json": tokenizerConfig(evilTemplate),
		}, true},
		{"malicious chat_template.jinja", map[string]string{
			"model/chat_template.jinja": `{{ self.__init__.__globals__.__builtins__.__import__('os').system('id') }}`,
		}, true},
		{"benign Llama 3 and ChatML", map[string]string{
			"llama/tokenizer_config.json": tokenizerConfig(llama3Template),
			"qwen/tokenizer_config.json": tokenizerConfig([]map[string]string{
				{"name": "default", "template": chatMLTemplate}, {"name": "rag", "template": chatMLTemplate + "{{ documents | length }}"}}),
			"qwen/chat_template.jinja": chatMLTemplate,
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := localEnv(t)
			repo := filepath.Join(dir, "repo")
			for p, body := range c.files {
				full := filepath.Join(repo, filepath.FromSlash(p))
				require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
				require.NoError(t, os.WriteFile(full, []byte(body), 0o644))
			}
			bomFile := filepath.Join(dir, "bom.json")
			stdout, stderr, code := (&e2e{t: t}).mlbom(context.Background(), "scan", repo, "--local", "--project", "tmpl", "--json", "-o", bomFile, "--fail-on", "deny")
			var sum struct {
				Verdict        string `json:"verdict"`
				WeightsScanned int    `json:"weightsScanned"`
				Malicious      int    `json:"malicious"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout+stderr)
			require.Equal(t, len(c.files), sum.WeightsScanned, "every template carrier is scanned")

			data, err := os.ReadFile(bomFile)
			require.NoError(t, err)
			var bom struct {
				Components      []bomComponent `json:"components"`
				Vulnerabilities []struct {
					ID      string `json:"id"`
					Ratings []struct {
						Severity string `json:"severity"`
					} `json:"ratings"`
					Affects []struct {
						Ref string `json:"ref"`
					} `json:"affects"`
				} `json:"vulnerabilities"`
			}
			require.NoError(t, json.Unmarshal(data, &bom))
			statuses := map[string]string{}
			for _, comp := range bom.Components {
				if comp.prop(property.AssetKind) == "prompt" && comp.prop(property.ModelscanStatus) != "" {
					statuses[comp.BOMRef] = comp.prop(property.ModelscanStatus)
				}
			}
			require.NotEmpty(t, statuses, "the templates' prompts carry the scanner's verdict:\n%s", data)

			if !c.malicious {
				require.Equal(t, 0, code, stdout+stderr)
				require.NotEqual(t, "deny", sum.Verdict)
				require.Equal(t, 0, sum.Malicious)
				for ref, st := range statuses {
					require.Equal(t, "clean", st, ref)
				}
				for _, v := range bom.Vulnerabilities {
					require.False(t, strings.HasPrefix(v.ID, "MLBOM-MS-template."), "benign template flagged: %+v", v)
				}
				return
			}
			require.Equal(t, exitVerdict, code, "the policy verdict fails the build:\n%s\n%s", stdout, stderr)
			require.Equal(t, "deny", sum.Verdict)
			require.Equal(t, 1, sum.Malicious)
			var ref string
			for r, st := range statuses {
				require.Equal(t, "malicious", st, r)
				ref = r
			}
			found := false
			for _, v := range bom.Vulnerabilities {
				if v.ID == "MLBOM-MS-template.ssti" && len(v.Ratings) > 0 && v.Ratings[0].Severity == "critical" && len(v.Affects) > 0 && v.Affects[0].Ref == ref {
					found = true
				}
			}
			require.True(t, found, "a critical template.ssti vulnerability affects the prompt %s:\n%s", ref, data)
		})
	}
}
