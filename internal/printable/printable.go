// Package printable makes untrusted strings (file, member and global names,
// component names, messages from scanned files) safe to put in a line of
// human-readable output: a terminal, a Slack message, a Jira ticket, a text
// log. A name that carries ANSI escape sequences, a carriage return, a
// newline or a bidirectional override could otherwise erase or rewrite
// what was printed before it ("malicious" turned into "clean"), add a fake
// line ("verdict PASS"), or show text in another order than it is stored.
//
// Line escapes, Go style and visibly: C0 and C1 control characters and DEL
// (\n, \r, \t, \x1b, \x7f, \u0085), Unicode bidirectional controls
// (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), line and
// paragraph separators (U+2028, U+2029), invisible characters that hide
// text (U+200B, U+2060, U+FEFF) and bytes that are not UTF-8 (\xff).
// Everything else, backslashes included, is kept as is, so ordinary names
// read as before. JSON output needs none of this: encoding/json escapes
// control characters itself and the values stay exact.
package printable

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s with every character that could change how the output
// around it is displayed escaped.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Lines escapes each line of a multi-line text (its newlines are kept, as
// line breaks the caller meant), for free text such as a finding's message.
func Lines(s string) string {
	parts := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, p := range parts {
		parts[i] = Line(p)
	}
	return strings.Join(parts, "\n")
}

// Shell quotes s for a POSIX shell command line shown to a user to copy
// ('...' with embedded quotes closed and reopened), after Line.
func Shell(s string) string {
	return "'" + strings.ReplaceAll(Line(s), "'", `'\''`) + "'"
}

// clean is the fast path: printable ASCII only.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls, including CSI (0x9b) and NEL
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional controls
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0x200b, r == 0x2060, r == 0xfeff: // zero-width space, word joiner, BOM
		return true
	}
	return false
}

// Text makes untrusted text safe to carry in a document rather than on a
// terminal: valid UTF-8 (bad bytes become U+FFFD) and only characters XML 1.0
// can hold, so the same string serialises to JSON and XML alike. Control
// characters other than tab, newline and carriage return are dropped, not
// escaped: the BOM and the inventory keep the text, not a rendering of it.
func Text(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, notXMLText) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if notXMLText(r) {
			return -1
		}
		return r
	}, s)
}

// notXMLText reports the runes of valid UTF-8 that XML 1.0 cannot carry
// (surrogates never survive ToValidUTF8).
func notXMLText(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	case 0x7f, 0xFFFE, 0xFFFF:
		return true
	}
	return r < 0x20
}
