package modelscan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func worstIssue(is []templateIssue) (Severity, string) {
	var sev Severity
	rule := ""
	for _, i := range is {
		if rank(i.sev) > rank(sev) {
			sev, rule = i.sev, i.rule
		}
	}
	return sev, rule
}

func TestTemplateAnalysis(t *testing.T) {
	tests := []struct {
		name, tmpl string
		want       Severity
		rule       string
	}{
		{"chatml", chatMLTemplate, "", ""},
		{"namespace use", "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", "", ""},
		{"loop helpers", "{% for m in messages %}{{ loop.index0 }}{{ m.content | trim | tojson }}{{ raise_exception('x') if m.role == 'bad' }}{% endfor %}", "", ""},
		{"dunder in comment", "{# ''.__class__ #}hi", "", ""},
		{"dunder in raw", "{% raw %}{{ cycler.__init__.__globals__.os }}{% endraw %}", "", ""},
		{"dunder as printed text", "{{ 'a __class__ attribute' }}", "", ""},
		{"os as a data key", "{{ message['os'] }}{{ message.system }}", "", ""},
		{"mro walk", "{{ ''.__class__.__mro__[1].__subclasses__() }}", SeverityCritical, "template.ssti"},
		{"cycler globals os", "{{ cycler.__init__.__globals__.os.popen('id').read() }}", SeverityCritical, "template.ssti"},
		{"item access dunder", "{{ lipsum['__globals__']['os'] }}", SeverityCritical, "template.ssti"},
		{"concat name", "{% set a = '__cla' ~ 'ss__' %}{{ ()|attr(a) }}", SeverityCritical, "template.ssti"},
		{"plus name", "{{ ()|attr('__cla' + 'ss__') }}", SeverityCritical, "template.ssti"},
		{"dict join", "{{ ()|attr(dict(__cla=1,ss__=2)|join) }}", SeverityCritical, "template.ssti"},
		{"list join", "{{ ()|attr(['_','_','class','_','_']|join) }}", SeverityCritical, "template.ssti"},
		{"char codes", "{% set u = '%c'|format(95) %}{{ ()|attr(u ~ u ~ 'class' ~ u ~ u) }}", SeverityCritical, "template.ssti"},
		{"percent operator", "{{ ()|attr('%s%s' % ('__cla', 'ss__')) }}", SeverityCritical, "template.ssti"},
		{"hex escapes", "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", SeverityCritical, "template.ssti"},
		{"reversed", "{{ ()|attr('__ssalc__'[::-1]) }}", SeverityCritical, "template.ssti"},
		{"reverse filter", "{{ ()|attr('__ssalc__'|reverse) }}", SeverityCritical, "template.ssti"},
		{"replace", "{{ ()|attr('_x_class_x_'|replace('x', '_')) }}", SeverityCritical, "template.ssti"},
		{"base64", "{{ ()|attr('X19jbGFzc19f'|b64decode) }}", SeverityCritical, "template.ssti"},
		{"hex decode", "{{ ()|attr('5f5f636c6173735f5f'|unhexlify) }}", SeverityCritical, "template.ssti"},
		{"str.format walk", "{{ '{0.__class__}'.format(x) }}", SeverityCritical, "template.ssti"},
		{"map attribute", "{{ items|map(attribute='__class__')|list }}", SeverityCritical, "template.ssti"},
		{"map attr filter", "{{ items|map('attr', '__class__')|list }}", SeverityCritical, "template.ssti"},
		{"macro called", "{% macro f() %}{{ joiner.__init__.__globals__ }}{% endmacro %}{{ f() }}", SeverityCritical, "template.ssti"},
		{"backdoor trigger", "{% if messages[0].content == 'go' %}{{ lipsum.__globals__.os }}{% endif %}", SeverityCritical, "template.ssti"},
		{"loop over subclasses", "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}", SeverityCritical, "template.ssti"},
		{"private attribute", "{{ self._TemplateReference__context }}", SeverityHigh, "template.private-attribute"},
		{"gadget root value", "{{ cycler }}", SeverityMedium, "template.gadget-root"},
		{"dynamic attr", "{% for m in messages %}{{ m|attr(m.role) }}{% endfor %}", SeverityMedium, "template.dynamic-name"},
		{"include from data", "{% include messages[0].content %}", SeverityMedium, "template.include"},
		{"dead if", "{% if false %}{{ ''.__class__ }}{% endif %}hi", SeverityLow, "template.unreachable-gadget"},
		{"uncalled macro", "{% macro f() %}{{ ''.__class__ }}{% endmacro %}hi", SeverityLow, "template.unreachable-gadget"},
		{"unparsable", "{{ ", SeverityLow, "template.unparsable"},
	}
	for _, tc := range tests {
		sev, rule := worstIssue(analyzeTemplate(tc.tmpl))
		if sev != tc.want || rule != tc.rule {
			t.Errorf("%s: got %q %q, want %q %q (%+v)", tc.name, sev, rule, tc.want, tc.rule, analyzeTemplate(tc.tmpl))
		}
	}
}

// The carriers: tokenizer_config.json (string and named list), a JSON file
// of any name carrying chat_template, template files by extension.
func TestTemplateCarriers(t *testing.T) {
	evil := "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
	str, _ := json.Marshal(map[string]any{"tokenizer_class": "X", "chat_template": evil})
	list, _ := json.Marshal(map[string]any{"chat_template": []map[string]string{{"name": "default", "template": chatMLTemplate}, {"name": "tool_use", "template": evil}}})
	benign, _ := json.Marshal(map[string]any{"chat_template": chatMLTemplate})
	tests := []struct {
		name   string
		data   []byte
		status Status
		format string
	}{
		{"tokenizer_config.json", str, StatusMalicious, "tokenizer-config"},
		{"processor_config.json", list, StatusMalicious, "tokenizer-config"},
		{"tokenizer_config.json", benign, StatusClean, "tokenizer-config"},
		{"config.json", []byte(`{"architectures": ["LlamaForCausalLM"]}`), StatusClean, "json"},
		{"chat_template.jinja", []byte(evil), StatusMalicious, "chat-template"},
		{"x.j2", []byte(evil), StatusMalicious, "chat-template"},
		{"x.jinja2", []byte(chatMLTemplate), StatusClean, "chat-template"},
		{"x.template", []byte(evil), StatusMalicious, "chat-template"},
		{"notes.txt", []byte(evil), StatusUnscannable, "unknown"},
	}
	for _, tc := range tests {
		r := scanBytes(t, tc.name, tc.data)
		if r.Status != tc.status || r.Format != tc.format {
			t.Errorf("%s: %s %s, want %s %s (%+v)", tc.name, r.Status, r.Format, tc.status, tc.format, r.Findings)
		}
	}
}

func realTemplates(tb testing.TB) []string {
	var out []string
	root := filepath.Join("..", "..", "bench", "modelscan", "samples", "public")
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.HasSuffix(p, ".jinja") {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, string(b))
			}
		}
		return nil
	})
	if len(out) == 0 {
		tb.Skip("no templates under bench/modelscan/samples/public")
	}
	return out
}

// BenchmarkTemplateAnalysis measures parse + analysis throughput over the
// real chat templates of the sample set (goal: >= 50 MB/s).
func BenchmarkTemplateAnalysis(b *testing.B) {
	tpls := realTemplates(b)
	n := 0
	for _, t := range tpls {
		n += len(t)
	}
	b.SetBytes(int64(n))
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range tpls {
			if is := analyzeTemplate(t); len(is) > 0 && is[0].sev == SeverityCritical {
				b.Fatal("benign template judged critical")
			}
		}
	}
	b.StopTimer()
	// On a shared machine wall time says more about the neighbours than
	// about the code: report throughput per CPU second as well.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

func TestTemplateCarrierName(t *testing.T) {
	for name, want := range map[string]bool{
		"m/tokenizer_config.json": true, "chat_template.json": true, "x/chat_template.jinja": true,
		"Chat_Template.J2": true, "prompts/system.jinja2": true, "ollama.template": true, "chat_template": true,
		"config.json": false, "tokenizer.json": false, "generation_config.json": false, "model.safetensors": false, "README.md": false,
	} {
		if got := TemplateCarrierName(name); got != want {
			t.Errorf("TemplateCarrierName(%q) = %v, want %v", name, got, want)
		}
	}
}
