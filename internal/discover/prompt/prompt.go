// Package prompt decides what reads as a prompt: names that are prompts by
// convention and values that read like instructions to a model. Every
// detector that finds prompt constants, keys or arguments asks it.
package prompt

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mlbom/autopilot/internal/asset"
)

// A prompt constant needs two kinds of evidence: a name that is a prompt by
// convention and a value that reads like instructions to a model. Either
// alone is common in ordinary code: Go and JavaScript are full of
// identifiers containing Policy, Template or Prompt (CLI usage templates,
// SQL templates, access policies, "Do you want to exit?" terminal prompts),
// and full of English strings that are not prompts.

// NameStrength says how much a constant's name alone suggests a prompt.
type NameStrength uint8

const (
	NoName NameStrength = iota
	// WeakName: *_TEMPLATE, CONTENT_POLICY and the like; the value
	// must read like instructions to a model.
	WeakName
	// StrongName: SYSTEM_PROMPT, *_PROMPT, PROMPT_*, *_PROMPT_TEMPLATE,
	// *_INSTRUCTIONS, systemPrompt, promptTemplate; the value must be prose.
	StrongName
)

var reAnyPromptWord = regexp.MustCompile(`(?i)(prompt|template|instructions|policy)`)

// HasPromptWord is the loose test that keeps prompt-like names out of
// model-constant detection; it is not evidence of a prompt.
func HasPromptWord(name string) bool { return reAnyPromptWord.MatchString(name) }

var reSettingName = regexp.MustCompile(`(?i)(_path|_dir|_file|_url|_name|_id|_key|_version|_vars?|_variables|_env|_count|_len|_max|_tokens|_names|_ids|_files|_dirs|_class|_type)$`)

// SettingName reports a name that holds a setting about a text (its path,
// id, name, length), not the text: PROMPT_PATH, prompt_max_tokens.
func SettingName(name string) bool { return reSettingName.MatchString(name) }

// Words that, right after PROMPT, make it a user-interface prompt or a
// property of one rather than a prompt text.
var promptUIWords = map[string]bool{
	"message": true, "msg": true, "label": true, "char": true, "chars": true, "symbol": true, "color": true,
	"colour": true, "style": true, "title": true, "timeout": true, "input": true, "user": true, "for": true,
	"response": true, "answer": true, "result": true, "display": true, "width": true, "height": true,
	"icon": true, "mode": true, "enabled": true, "visible": true, "shown": true, "id": true, "ids": true,
}

// Words after PROMPT that keep the name a prompt text (systemPromptTemplate).
var promptTextWords = map[string]bool{
	"template": true, "templates": true, "tmpl": true, "tpl": true, "text": true, "str": true, "string": true,
	"content": true, "body": true, "v1": true, "v2": true, "v3": true, "base": true,
}

// Qualifiers that make POLICY a model policy (CONTENT_POLICY, SAFETY_POLICY).
var policyQualifiers = map[string]bool{
	"content": true, "safety": true, "moderation": true, "guardrail": true, "guardrails": true,
	"acceptable": true, "ai": true, "llm": true, "assistant": true, "chatbot": true, "refusal": true,
}

// identWords splits SYSTEM_PROMPT, systemPrompt, SystemPROMPTText and
// system-prompt into lower-case words.
func identWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// Name rates a constant or key name.
func Name(name string) NameStrength {
	w := identWords(name)
	n := len(w)
	if n == 0 {
		return NoName
	}
	last := w[n-1]
	isPrompt := func(s string) bool { return s == "prompt" || s == "prompts" }
	switch {
	case isPrompt(last):
		return StrongName
	case n >= 2 && isPrompt(w[n-2]) && promptTextWords[last]:
		return StrongName
	case n >= 2 && isPrompt(w[0]) && !promptUIWords[w[1]] && !SettingName(name):
		return StrongName // PROMPT_SUMMARIZE
	case last == "instructions" || last == "instruction":
		if n >= 2 && (w[n-2] == "usage" || w[n-2] == "install" || w[n-2] == "installation" || w[n-2] == "setup" || w[n-2] == "build") {
			return NoName // human-facing how-to text
		}
		return StrongName
	case n >= 2 && w[n-2] == "system" && (last == "message" || last == "msg"):
		return StrongName
	case last == "template" || last == "tmpl" || last == "tpl":
		return WeakName // QA_TEMPLATE: only with an instruction-like value
	}
	for i, x := range w {
		if x == "policy" && ((i > 0 && policyQualifiers[w[i-1]]) || (i+1 < n && isPrompt(w[i+1]))) {
			return WeakName
		}
	}
	return NoName
}

var (
	reSQLStart       = regexp.MustCompile(`(?i)^(select|insert|update|delete|create|alter|drop|with|upsert|replace|truncate|merge|pragma)\s`)
	reCodeStart      = regexp.MustCompile(`(?i)^(package\s|import\s|from\s+\S+\s+import\s|func\s|def\s|class\s|module\s|#(include|if|ifdef|ifndef|define|pragma)\b|#!|//|/\*|<\?xml|<!doctype|<html|<[a-zA-Z][\w-]*[\s>])`)
	reErrorPattern   = regexp.MustCompile(`![rsa]\}|\(got |\bis deprecated\b|: %[vw]$`)
	reTerminalAsk    = regexp.MustCompile(`(?i)[\[(]\s*y(es)?\s*[\])]?\s*/\s*\[?n(o)?\s*[\])]|\(y/n\)|\[y/n\]`)
	reFmtVerb        = regexp.MustCompile(`%[-+# 0]*\d*(\.\d+)?[vsdqxXfgtwT]|%\[\d+\][vsdqxf]`)
	reGoTmplAction   = regexp.MustCompile(`\{\{\s*[.$]`)
	reWordRun        = regexp.MustCompile(`[\p{L}]{2,}`)
	reInstructionCue = regexp.MustCompile(`(?i)\b(you|your|you're|assistant|answer|answers|respond|reply|summari[sz]e|translate|classify|explain|describe|extract|rewrite|generate|write|given|following|context|question|questions|act as|pretend|do not|don't|always|never|must|should|step by step|user)\b`)
)

// Text reports whether a string value reads like natural-language
// instructions to a model. strict asks for positive signs of instructions
// (for weak names); otherwise prose that is not something else suffices.
func Text(s string, strict bool) bool {
	t := strings.TrimSpace(s)
	if len(t) < 8 || !strings.ContainsAny(t, " \t\n") {
		return false // an identifier, file name, path, URL or OID
	}
	words := reWordRun.FindAllString(t, -1)
	if len(words) < 3 {
		return false
	}
	switch {
	case strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://"):
		return false
	case reSQLStart.MatchString(t), reCodeStart.MatchString(t):
		return false
	case strings.HasPrefix(strings.ToLower(t), "usage:") || strings.Contains(t, "Flags:\n") || reGoTmplAction.MatchString(t):
		return false // CLI usage and Go text/template output formats
	case reTerminalAsk.MatchString(t):
		return false // "Do you want to exit ([y]/n)?" asks a person at a terminal
	case strings.Contains(t, "%w") || reErrorPattern.MatchString(t) || len(reFmtVerb.FindAllString(t, -1))*2 > len(words):
		return false // error-message and printf patterns
	}
	letters, other := 0, 0
	for _, r := range t {
		switch {
		case unicode.IsLetter(r) || unicode.IsSpace(r) || unicode.IsDigit(r):
			letters++
		case strings.ContainsRune(`.,;:!?'"-()`, r):
			letters++ // prose punctuation
		default:
			other++
		}
	}
	if !strict {
		// Quoted JSON inside a real system prompt is fine; mostly-symbol
		// text is code or data.
		return other*2 < letters
	}
	return len(words) >= 4 && other*6 < letters && reInstructionCue.MatchString(t)
}

// Constant decides whether NAME = "value" is a prompt constant.
func Constant(name, value string) bool {
	switch Name(name) {
	case StrongName:
		return Text(value, false)
	case WeakName:
		return Text(value, true)
	}
	return false
}

// Sighting records the prompt text found at p:line under name. The text
// itself stays out of the inventory: a hash identifies it and a preview
// shows what it is.
func Sighting(p string, line int, name, text, det string) asset.Sighting {
	sum := sha256.Sum256([]byte(text))
	return asset.Sighting{Kind: asset.KindPrompt, Name: name, Path: p, Line: line, Detector: det, Confidence: 0.85,
		Provider: "local",
		Props:    map[string]string{"sha256": hex.EncodeToString(sum[:]), "preview": Preview(text)}}
}

// Preview is the first 120 bytes of a prompt, cut at a character boundary.
func Preview(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 120 {
		return s
	}
	cut := 120
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
