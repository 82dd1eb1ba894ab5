// Package redact masks secrets in text before it leaves the process: in
// error messages, logs, CLI output, the store, BOMs and workflow payloads.
//
// Entry points: String masks everything it recognises in free text and
// Scan also says what it found; URL and DSN mask one URL or database
// location; Endpoint reduces a URL whose path is itself a secret (a Slack or
// generic webhook) to its scheme and host; Error wraps an error so that its
// message is masked, also for secrets the caller names (configured tokens
// and URLs); Args and Env mask the values of secret-looking command-line
// flags and environment variables.
//
// What counts as a secret:
//   - user-info in a URL (all of it for http and https, where a lone user
//     name is often a token; the password elsewhere), including passwords
//     that contain '@' or '/';
//   - values of query and fragment parameters named like secrets (token,
//     api_key, key, secret, password, sig, X-Amz-Signature, ...);
//   - key=value and "key": "value" pairs whose key names a secret;
//   - known token shapes: GitHub (ghp_, gho_, ghu_, ghs_, ghr_,
//     github_pat_), OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), Slack
//     (xox?-, xapp-, hooks.slack.com/services/...), Hugging Face (hf_), AWS
//     access key IDs (AKIA..., ASIA...) and secret keys next to their name,
//     Google API keys, JSON web tokens and PEM private keys.
//
// Limits: a secret with none of these shapes, in a place with no
// secret-looking name, is not recognised; callers that know a secret (a
// configured token) pass it to Error. Placeholders such as ${TOKEN}, $TOKEN,
// {{token}} and <token> are not secrets and are left alone. Masking errs
// on the side of hiding too much (a URL whose user-info is ambiguous loses
// its host too).
package redact

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Mask replaces every secret.
const Mask = "***"

// Kind says what sort of secret was found, for findings and messages.
type Kind string

// Kinds of secrets.
const (
	KindURLCredentials Kind = "credentials in a URL"
	KindURLParameter   Kind = "secret URL parameter"
	KindAssignment     Kind = "secret value"
	KindFlag           Kind = "secret command-line flag value"
	KindEnv            Kind = "secret environment value"
	KindGitHub         Kind = "GitHub token"
	KindOpenAI         Kind = "OpenAI API key"
	KindAnthropic      Kind = "Anthropic API key"
	KindSlack          Kind = "Slack token"
	KindSlackWebhook   Kind = "Slack webhook URL"
	KindHuggingFace    Kind = "Hugging Face token"
	KindAWSKeyID       Kind = "AWS access key ID"
	KindAWSSecret      Kind = "AWS secret access key"
	KindGoogle         Kind = "Google API key"
	KindJWT            Kind = "JSON web token"
	KindPrivateKey     Kind = "private key"
)

type shape struct {
	kind Kind
	re   *regexp.Regexp
	// mixed requires a digit and a letter in the match, so hyphenated
	// words that happen to start like a key ("sk-learn-...") are kept.
	mixed bool
	// hints: the match contains one of these; text with none of them is
	// not run through re (most text holds no secret, and \b before the
	// prefix keeps RE2 from skipping ahead to it).
	hints []string
}

// Token shapes, most specific first (sk-ant- before sk-). RE2: linear time.
var shapes = []shape{
	{KindPrivateKey, regexp.MustCompile(`-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)`), false, []string{"-----BEGIN"}},
	{KindGitHub, regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{20,255}`), false, []string{"github_pat_"}},
	{KindGitHub, regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,255}\b`), false, []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{KindAnthropic, regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`), false, []string{"sk-ant-"}},
	{KindOpenAI, regexp.MustCompile(`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`), true, []string{"sk-"}},
	{KindSlack, regexp.MustCompile(`\bxox[abposrce]-[A-Za-z0-9-]{8,}`), false, []string{"xox"}},
	{KindSlack, regexp.MustCompile(`\bxapp-[0-9]-[A-Za-z0-9-]{8,}`), false, []string{"xapp-"}},
	{KindHuggingFace, regexp.MustCompile(`\bhf_[A-Za-z0-9]{30,}\b`), false, []string{"hf_"}},
	{KindAWSKeyID, regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`), false, []string{"AKIA", "ASIA", "ABIA", "ACCA"}},
	{KindGoogle, regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`), false, []string{"AIza"}},
	{KindJWT, regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`), false, []string{"eyJ"}},
}

// hinted reports whether s contains one of the shape's hints.
func (sh shape) hinted(s string) bool {
	for _, h := range sh.hints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// urlToken finds URLs in free text: a scheme, "://" and everything up to
// white space or a quote.
var urlToken = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s"'<>\x60]+`)

// secretName matches names of things that hold secrets (query parameters,
// flags, environment variables, keys of assignments), whole.
var secretName = regexp.MustCompile(`(?i)^(?:[a-z0-9]*[_.-])*(?:token|access[_-]?token|id[_-]?token|refresh[_-]?token|auth[_-]?token|bearer|api[_-]?key|apikey|key|secret|secret[_-]?key|client[_-]?secret|secret[_-]?access[_-]?key|access[_-]?key|private[_-]?key|password|passwd|pwd|pass|passphrase|sig|signature|auth|authorization|credentials?|session[_-]?token|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)$`)

// assignment finds key=value and "key": "value" in free text. The key must
// end in a secret word; the value runs to a delimiter.
var assignment = regexp.MustCompile(`(?i)\b((?:[a-z0-9]+[_.-])*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|access[_-]?token|credentials?))(["']?[ \t]*[:=][ \t]*["']?)([^\s"'&,;)}\]]+)`)

// Scan returns s with every secret it recognises masked, and the kinds of
// secrets found (each once, in order of first appearance).
func Scan(s string) (string, []Kind) {
	var kinds kindSet
	s = maskURLs(s, &kinds)
	s = maskShapes(s, &kinds)
	s = maskAssignments(s, &kinds)
	return s, kinds.list
}

// String returns s with every secret it recognises masked.
func String(s string) string {
	out, _ := Scan(s)
	return out
}

// Contains reports whether s holds a secret String would mask.
func Contains(s string) bool {
	_, kinds := Scan(s)
	return len(kinds) > 0
}

// URL masks the secrets in one URL (user-info, secret parameters, token
// shapes in its path) and keeps everything else as written.
func URL(raw string) string {
	var kinds kindSet
	out := maskURL(raw, &kinds)
	out = maskShapes(out, &kinds)
	return out
}

// Endpoint is raw reduced to scheme and host, for URLs whose path or query
// is itself the secret (Slack incoming webhooks, generic webhooks with a
// token in the path). A URL that does not parse becomes Mask.
func Endpoint(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Mask
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/" + Mask
	}
	return out
}

// DSN masks the password of a database location: a URL
// (mysql://user:pass@host/db, where the password may contain '@' or '/') or
// the MySQL driver's native form (user:pass@tcp(host:3306)/db?params).
func DSN(s string) string {
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "sqlite:") || strings.HasPrefix(lower, "file:") {
		return String(s)
	}
	if strings.Contains(s, "://") {
		return URL(s)
	}
	// Native form: the driver takes the last '/' as the start of the
	// database name and the last '@' before it as the end of user:password.
	out := s
	end := strings.LastIndex(s, "/")
	if end < 0 {
		end = len(s)
	}
	if at := strings.LastIndex(s[:end], "@"); at > 0 {
		if c := strings.Index(s[:at], ":"); c >= 0 {
			out = s[:c+1] + Mask + s[at:]
		}
	}
	var kinds kindSet
	if q := strings.Index(out, "?"); q >= 0 {
		out = out[:q+1] + maskParams(out[q+1:], &kinds)
	}
	return maskShapes(out, &kinds)
}

// Args masks a command line: values of flags named like secrets
// (--token X, --api-key=X, -p X is left alone), URLs and token shapes in
// any argument. It returns a new slice and the kinds of secrets found.
func Args(args []string) ([]string, []Kind) {
	var kinds kindSet
	out := make([]string, len(args))
	maskNext := false
	for i, a := range args {
		if maskNext {
			maskNext = false
			if !placeholder(a) && !strings.HasPrefix(a, "-") {
				out[i] = Mask
				kinds.add(KindFlag)
				kinds.add(shapesOf(a)...)
				continue
			}
		}
		if name, ok := flagName(a); ok {
			if n, v, has := strings.Cut(name, "="); has {
				if secretName.MatchString(n) && v != "" && !placeholder(v) {
					out[i] = a[:len(a)-len(v)] + Mask
					kinds.add(KindFlag)
					kinds.add(shapesOf(v)...)
					continue
				}
			} else if secretName.MatchString(name) {
				maskNext = true
			}
		}
		s, ks := Scan(a)
		kinds.add(ks...)
		out[i] = s
	}
	return out, kinds.list
}

// flagName returns the name part of "--name[=value]" or "-name[=value]".
func flagName(a string) (string, bool) {
	if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
		return "", false
	}
	name := strings.TrimLeft(a, "-")
	if name == "" || len(a)-len(name) > 2 {
		return "", false
	}
	return name, true
}

// Env masks an environment variable's value when its name says it is a
// secret (GITHUB_TOKEN, OPENAI_API_KEY, DB_PASSWORD, ...) or the value
// itself holds one. Placeholders (${X}, $X, {{x}}, <x>) stay.
func Env(name, value string) (string, []Kind) {
	if value == "" || placeholder(value) {
		return value, nil
	}
	if secretName.MatchString(name) || secretName.MatchString(lastWord(name)) {
		return Mask, append([]Kind{KindEnv}, shapesOf(value)...)
	}
	return Scan(value)
}

// shapesOf names the known token shapes in a value masked for its name, so
// that a finding says "GitHub token", not only "secret flag value".
func shapesOf(v string) []Kind {
	var kinds kindSet
	maskShapes(v, &kinds)
	return kinds.list
}

// lastWord is the part of an environment name after its last '_'
// (OPENAI_API_KEY → KEY), so compound names are recognised.
func lastWord(name string) string {
	if i := strings.LastIndexAny(name, "_-."); i >= 0 {
		return name[i+1:]
	}
	return name
}

// placeholder reports values that name a secret without holding one.
func placeholder(v string) bool {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	if v == "" || v == Mask {
		return true
	}
	switch {
	case strings.HasPrefix(v, "$"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">"),
		strings.HasPrefix(v, "%") && strings.HasSuffix(v, "%"):
		return true
	}
	if strings.Trim(v, "x*X.") == "" {
		return true
	}
	switch strings.ToLower(v) {
	case "true", "false", "null", "none", "nil", "redacted", "[redacted]", "changeme", "secret", "password", "token":
		return true
	}
	return false
}

// Error returns err with a masked message: String's rules plus every
// non-empty secret named (tokens are replaced by Mask, URLs by their
// Endpoint). errors.Is and errors.As still see err, but the result has no
// Unwrap: code that serialises a whole error chain message by message
// (Temporal's failure converter puts every cause into the workflow
// history) stops at the masked message.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	r := NewReplacer(secrets...)
	if re, ok := err.(*redactedError); ok {
		re.r = re.r.merge(r)
		return re
	}
	return &redactedError{err: err, r: r}
}

type redactedError struct {
	err error
	r   *Replacer
}

func (e *redactedError) Error() string        { return e.r.String(e.err.Error()) }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool   { return errors.As(e.err, target) }

// Replacer masks known secrets (configured tokens, webhook URLs) and then
// applies String.
type Replacer struct {
	pairs []string // old, new, longest old first
}

// NewReplacer prepares the masking of secrets: a URL (with a scheme and a
// host) is replaced by its Endpoint, its password and secret parameter
// values by Mask; any other string of four or more bytes by Mask.
func NewReplacer(secrets ...string) *Replacer {
	r := &Replacer{}
	seen := map[string]bool{}
	add := func(old, repl string) {
		if len(old) < 4 || seen[old] {
			return
		}
		seen[old] = true
		r.pairs = append(r.pairs, old, repl)
	}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if u, err := url.Parse(s); err == nil && u.Host != "" && strings.Contains(s, "://") {
			ep := Endpoint(s)
			add(s, ep)
			add(strings.TrimRight(s, "/"), ep)
			if p, ok := u.User.Password(); ok {
				add(p, Mask)
			}
			if u.User != nil && (u.Scheme == "http" || u.Scheme == "https") {
				add(u.User.Username(), Mask)
			}
			for k, vs := range u.Query() {
				if secretName.MatchString(k) {
					for _, v := range vs {
						add(v, Mask)
					}
				}
			}
			// The path of a webhook is its secret; it may be printed
			// without the host.
			if len(u.Path) > 8 {
				add(u.Path, "/"+Mask)
			}
			continue
		}
		add(s, Mask)
	}
	r.sortPairs()
	return r
}

func (r *Replacer) sortPairs() {
	type pair struct{ old, repl string }
	ps := make([]pair, 0, len(r.pairs)/2)
	for i := 0; i+1 < len(r.pairs); i += 2 {
		ps = append(ps, pair{r.pairs[i], r.pairs[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].old) > len(ps[j].old) })
	r.pairs = r.pairs[:0]
	for _, p := range ps {
		r.pairs = append(r.pairs, p.old, p.repl)
	}
}

func (r *Replacer) merge(o *Replacer) *Replacer {
	if r == nil {
		return o
	}
	if o == nil {
		return r
	}
	m := &Replacer{pairs: append(append([]string(nil), r.pairs...), o.pairs...)}
	m.sortPairs()
	return m
}

// String masks s.
func (r *Replacer) String(s string) string {
	if r != nil && len(r.pairs) > 0 {
		s = strings.NewReplacer(r.pairs...).Replace(s)
	}
	return String(s)
}

type kindSet struct {
	list []Kind
}

func (k *kindSet) add(kinds ...Kind) {
	for _, kind := range kinds {
		found := false
		for _, have := range k.list {
			if have == kind {
				found = true
				break
			}
		}
		if !found {
			k.list = append(k.list, kind)
		}
	}
}

func maskURLs(s string, kinds *kindSet) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlToken.ReplaceAllStringFunc(s, func(tok string) string { return maskURL(tok, kinds) })
}

// maskURL masks one URL token.
func maskURL(tok string, kinds *kindSet) string {
	i := strings.Index(tok, "://")
	if i <= 0 {
		return tok
	}
	scheme := strings.ToLower(tok[:i])
	head, rest := tok[:i+3], tok[i+3:]

	// User-info. The authority ends at the first '/', '?' or '#'. An '@'
	// in it ends the user-info (the last one, as Go and git parse it); a
	// colon that is not a port means a password follows, and a password
	// may contain '/' and '@', so then the user-info runs to the last '@'
	// of the whole token.
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	auth := rest[:authEnd]
	end := -1
	if !strings.HasPrefix(auth, "[") {
		userPart := auth
		if at := strings.Index(auth, "@"); at >= 0 {
			userPart = auth[:at]
		}
		if c := strings.Index(userPart, ":"); c >= 0 && !isPort(auth[c+1:]) {
			end = strings.LastIndex(rest, "@")
		} else if at := strings.LastIndex(auth, "@"); at >= 0 {
			end = at
		}
	}
	if end > 0 {
		ui := rest[:end]
		var masked string
		user, _, hasPass := strings.Cut(ui, ":")
		switch {
		case scheme == "http" || scheme == "https" || !hasPass && looksLikeToken(user):
			masked = Mask
		case hasPass:
			masked = user + ":" + Mask
		default:
			masked = ui // ssh://git@host: a user name alone is no secret
		}
		if masked != ui {
			kinds.add(KindURLCredentials)
		}
		rest = masked + rest[end:]
	}

	// Slack incoming webhooks: the path is the secret.
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd > 0 {
		host := strings.ToLower(rest[:hostEnd])
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
		if (host == "hooks.slack.com" || strings.HasSuffix(host, ".slack.com")) && strings.HasPrefix(rest[hostEnd:], "/services/") {
			kinds.add(KindSlackWebhook)
			return head + rest[:hostEnd] + "/services/" + Mask
		}
		if (host == "discord.com" || host == "discordapp.com") && strings.HasPrefix(rest[hostEnd:], "/api/webhooks/") {
			kinds.add(KindURLCredentials)
			return head + rest[:hostEnd] + "/api/webhooks/" + Mask
		}
	}

	// Query and fragment parameters.
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest = rest[:q+1] + maskParams(rest[q+1:], kinds)
	}
	return head + rest
}

// maskParams masks the values of secret-named parameters in a query (and a
// fragment after '#'), keeping everything else byte for byte.
func maskParams(q string, kinds *kindSet) string {
	var b strings.Builder
	start := 0
	for i := 0; i <= len(q); i++ {
		if i < len(q) && q[i] != '&' && q[i] != ';' && q[i] != '#' && q[i] != '?' {
			continue
		}
		part := q[start:i]
		if k, v, ok := strings.Cut(part, "="); ok && v != "" {
			name := k
			if un, err := url.QueryUnescape(k); err == nil {
				name = un
			}
			if secretName.MatchString(name) && !placeholder(v) {
				part = k + "=" + Mask
				kinds.add(KindURLParameter)
			}
		}
		b.WriteString(part)
		if i < len(q) {
			b.WriteByte(q[i])
		}
		start = i + 1
	}
	return b.String()
}

func isPort(s string) bool {
	if s == "" {
		return true // "host:" is a host with an empty port
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// looksLikeToken: a long run of letters, digits, '_' and '-' with both
// letters and digits, or a known token shape.
func looksLikeToken(s string) bool {
	for _, sh := range shapes {
		if sh.hinted(s) && sh.re.MatchString(s) {
			return true
		}
	}
	if len(s) < 20 {
		return false
	}
	var letters, digits bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
		case c == '_' || c == '-':
		default:
			return false
		}
	}
	return letters && digits
}

func maskShapes(s string, kinds *kindSet) string {
	for _, sh := range shapes {
		if !sh.hinted(s) || !sh.re.MatchString(s) {
			continue
		}
		s = sh.re.ReplaceAllStringFunc(s, func(m string) string {
			if sh.mixed && !mixed(m) {
				return m
			}
			kinds.add(sh.kind)
			return Mask
		})
	}
	return s
}

func mixed(s string) bool {
	var letters, digits bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
		}
	}
	return letters && digits
}

// assignmentWords: every key assignment matches contains one of these
// (lower-cased); text without them skips the regular expression.
var assignmentWords = []string{"pass", "pwd", "secret", "token", "key", "credential"}

func maskAssignments(s string, kinds *kindSet) string {
	if !strings.ContainsAny(s, ":=") {
		return s
	}
	lower := strings.ToLower(s)
	if !slices.ContainsFunc(assignmentWords, func(w string) bool { return strings.Contains(lower, w) }) {
		return s
	}
	return assignment.ReplaceAllStringFunc(s, func(m string) string {
		sub := assignment.FindStringSubmatch(m)
		key, sep, val := sub[1], sub[2], sub[3]
		if placeholder(val) || isShortNumber(val) || codeReference.MatchString(val) {
			return m
		}
		kind := KindAssignment
		if strings.Contains(strings.ToLower(key), "aws") || strings.Contains(strings.ToLower(key), "secret_access") {
			kind = KindAWSSecret
		}
		kinds.add(kind)
		return key + sep + Mask
	})
}

// codeReference matches values that are code, not secrets:
// settings.API_KEY, os.getenv(, tokenizer.eos_token.
var codeReference = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+\(?$|^[A-Za-z_][A-Za-z0-9_.]*\($`)

func isShortNumber(s string) bool {
	if len(s) >= 8 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
