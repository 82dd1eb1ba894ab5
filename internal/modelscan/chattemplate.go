package modelscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/modelscan/jinja"
)

// Chat templates live in tokenizer_config.json and chat_template.json
// ("chat_template": a string, or a list of {"name", "template"}), in
// template files (chat_template.jinja, *.jinja, *.j2, *.jinja2,
// *.template) and in GGUF metadata (tokenizer.chat_template*, read by
// scanGGUF). Text has no magic bytes, so template files are recognised by
// name; JSON is recognised by content (an object with a chat_template key),
// whatever the file is called.

const maxTemplateCarrier = 64 << 20

// templateCarrier refines an "unknown" format: a JSON object carrying a
// chat template, or a template file by its name.
func templateCarrier(name string, head []byte) string {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(t) > 0 && t[0] == '{' {
		if rest := bytes.TrimLeft(t[1:], " \t\r\n"); len(rest) == 0 || rest[0] == '"' || rest[0] == '}' {
			return "json"
		}
	}
	if templateFileName(strings.ToLower(path.Base(name))) {
		return "chat-template"
	}
	return ""
}

// templateFileName reports a template file by its lower-case base name.
func templateFileName(base string) bool {
	switch path.Ext(base) {
	case ".jinja", ".j2", ".jinja2", ".template":
		return true
	}
	return strings.HasPrefix(base, "chat_template") && !strings.HasSuffix(base, ".json")
}

// TemplateCarrierName reports the files that carry chat templates by their
// name: the Hugging Face JSON files (tokenizer_config.json,
// chat_template.json) and template files. Scan recognises such JSON by
// content whatever its name; this is for callers that choose by name which
// files to hand over.
func TemplateCarrierName(name string) bool {
	base := strings.ToLower(path.Base(name))
	switch base {
	case "tokenizer_config.json", "chat_template.json":
		return true
	}
	return templateFileName(base)
}

// scanTemplateFile judges a template file or a JSON file that may carry
// chat templates. It returns the refined format.
func (s *scanner) scanTemplateCarrier(member string, r io.ReaderAt, size int64, format string) string {
	if size > maxTemplateCarrier {
		if format == "chat-template" {
			s.markUnscannable(member, format, fmt.Sprintf("template file larger than %d bytes; not analysed", maxTemplateCarrier))
		}
		return format
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		s.add(member, Finding{Rule: "scan.read-error", Severity: SeverityMedium, Reason: err.Error()})
		return format
	}
	if format == "chat-template" {
		if len(data) > jinja.MaxSource {
			s.markUnscannable(member, format, fmt.Sprintf("template longer than %d bytes; not analysed", jinja.MaxSource))
			return format
		}
		s.checkTemplate(member, path.Base(member), 0, string(data), nil)
		return format
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return "json"
	}
	raw, ok := obj["chat_template"]
	if !ok {
		return "json"
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		s.checkTemplate(member, "chat_template", 0, one, nil)
		return "tokenizer-config"
	}
	var named []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if json.Unmarshal(raw, &named) == nil {
		for _, n := range named {
			s.checkTemplate(member, "chat_template["+n.Name+"]", 0, n.Template, nil)
		}
		return "tokenizer-config"
	}
	s.add(member, Finding{Rule: "template.malformed", Severity: SeverityLow, Reason: "chat_template is neither a string nor a list of named templates; loaders reject it"})
	return "tokenizer-config"
}
