package runtime

import (
	"regexp"

	"github.com/mlbom/autopilot/internal/redact"
)

// Redacted replaces a secret in argv.
const Redacted = redact.Mask

// cutToken: the start of a known token shape. The kernel keeps only the
// head of argv, so a token cut there no longer has the full shape
// redact recognises; its prefix is enough to hide it.
var cutToken = regexp.MustCompile(`^(?:sk-|hf_|gh[pousr]_|github_pat_|xox[abprs]-|AKIA|ASIA|AIza|glpat-|eyJ)[A-Za-z0-9_-]{4,}`)

// redactArgv masks secrets in an exec's argv head: values of flags named
// like secrets, KEY=VALUE assignments, credentials in URLs and token shapes
// (internal/redact), and tokens cut short by the kernel's limit.
func redactArgv(argv []string) []string {
	out, _ := redact.Args(argv)
	for i, a := range out {
		if cutToken.MatchString(a) {
			out[i] = Redacted
		}
	}
	return out
}
