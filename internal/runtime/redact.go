package runtime

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in argv.
const Redacted = "[REDACTED]"

var (
	// Values that are secrets whatever flag carries them.
	// Prefix matches, because the kernel cuts argv short and a token cut in
	// the middle is still a secret.
	secretValueRe = regexp.MustCompile(`^(?:sk-[A-Za-z0-9_-]{8,}|hf_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,}|xox[abprs]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{8,}|AIza[0-9A-Za-z_-]{8,}|glpat-[A-Za-z0-9_-]{8,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)`)
	// Flag names whose value is a secret.
	secretFlagRe = regexp.MustCompile(`(?i)(?:token|secret|passw(?:or)?d|passwd|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth)`)
	// user:password@ in a URL.
	urlPasswordRe = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^/:@\s]*:)[^/@\s]+@`)
)

// redactArgv returns argv with secrets replaced: values of flags named like
// secrets (--api-key X, --token=X, PASSWORD=X), values shaped like known
// token formats, and passwords in URLs.
func redactArgv(argv []string) []string {
	out := make([]string, len(argv))
	hideNext := false
	for i, a := range argv {
		switch {
		case hideNext && !strings.HasPrefix(a, "-"):
			out[i] = Redacted
			hideNext = false
			continue
		case hideNext:
			hideNext = false
		}
		if name, _, ok := strings.Cut(a, "="); ok && secretFlagRe.MatchString(name) {
			out[i] = name + "=" + Redacted
			continue
		}
		if strings.HasPrefix(a, "-") && secretFlagRe.MatchString(a) {
			out[i] = a
			hideNext = true
			continue
		}
		if secretValueRe.MatchString(a) {
			out[i] = Redacted
			continue
		}
		out[i] = urlPasswordRe.ReplaceAllString(a, "${1}"+Redacted+"@")
	}
	return out
}
