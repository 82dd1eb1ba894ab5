package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Planted secrets: each test checks that none survives.
const (
	ghToken     = "ghp_R4nd0mT0kenValue000000000000000000AB"
	ghPAT       = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"
	openaiKey   = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"
	openaiOld   = "sk-Abc123Def456Ghi789Jkl012Mno345Pqr678Stu901Vw"
	anthropic   = "sk-ant-api03-Abc123Def456Ghi789Jkl012Mno345Pqr678-xyz"
	slackBot    = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
	slackHook   = "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXxxxxXXXXxxxxXXXXxxxx"
	hfToken     = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
	awsKeyID    = "AKIAIOSFODNN7EXAMPLE"
	awsSecret   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	password    = "s3cr3t-P@ss/word"
	googleKey   = "AIzaSyA-1234567890abcdefghijklmnopqrstu"
	jwt         = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	privateKeyB = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
)

func TestStringMasksSecrets(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string // must be gone
		keep     []string // must stay
		kind     Kind
	}{
		{"github token", "auth failed for " + ghToken + " today", []string{ghToken}, []string{"auth failed for", "today"}, KindGitHub},
		{"github fine-grained", "token " + ghPAT, []string{ghPAT}, nil, KindGitHub},
		{"openai project key", "OPENAI " + openaiKey, []string{openaiKey}, nil, KindOpenAI},
		{"openai legacy key", "key " + openaiOld + ".", []string{openaiOld}, []string{"."}, KindOpenAI},
		{"anthropic", anthropic, []string{anthropic}, nil, KindAnthropic},
		{"slack bot token", "xoxb: " + slackBot, []string{slackBot}, nil, KindSlack},
		{"slack webhook in url.Error", `Post "` + slackHook + `": dial tcp 127.0.0.1:1: connect: connection refused`,
			[]string{"T0000AAAA/B0000BBBB/XXXXxxxx", "XXXXxxxxXXXXxxxxXXXXxxxx"}, []string{"hooks.slack.com", "connection refused"}, KindSlackWebhook},
		{"hugging face", "Bearer " + hfToken, []string{hfToken}, nil, KindHuggingFace},
		{"aws key id", "id=" + awsKeyID, []string{awsKeyID}, nil, KindAWSKeyID},
		{"aws secret by name", "aws_secret_access_key = " + awsSecret, []string{awsSecret}, []string{"aws_secret_access_key"}, KindAWSSecret},
		{"google key", "?x=" + googleKey, []string{googleKey}, nil, KindGoogle},
		{"jwt", "Authorization: Bearer " + jwt, []string{jwt}, nil, KindJWT},
		{"private key", "key:\n" + privateKeyB + "\nend", []string{"b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"}, []string{"end"}, KindPrivateKey},
		{"url user-info", "clone https://alice:" + password + "@git.example.com/acme/app.git failed",
			[]string{password, "alice", "P@ss", "ss/word"}, []string{"git.example.com/acme/app.git", "failed"}, KindURLCredentials},
		{"url token as user name", "https://" + ghToken + "@github.com/acme/app.git", []string{ghToken}, []string{"github.com/acme/app.git"}, KindURLCredentials},
		{"url user only over https", "https://oauth2@gitlab.example.com/x.git", []string{"oauth2@"}, []string{"gitlab.example.com/x.git"}, KindURLCredentials},
		{"dsn with @ and / in password", "open mysql://root:" + password + "@db.internal:3306/mlbom: refused",
			[]string{password, "P@ss", "ss/word", "word@"}, []string{"mysql://root:***@db.internal:3306/mlbom", "refused"}, KindURLCredentials},
		{"query secrets", "GET https://api.example.com/v1/x?model=gpt&api_key=abc123xyz789&sig=ZZZsigZZZ#access_token=tok999tok999",
			[]string{"abc123xyz789", "ZZZsigZZZ", "tok999tok999"}, []string{"model=gpt", "api_key=***"}, KindURLParameter},
		{"aws presigned", "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAX%2F2024&X-Amz-Signature=deadbeefdeadbeef",
			[]string{"deadbeefdeadbeef", "AKIAX%2F2024"}, []string{"b.s3.amazonaws.com/k"}, KindURLParameter},
		{"assignment", `password=hunter2 and "api_key": "abcdef123456"`, []string{"hunter2", "abcdef123456"}, []string{"password=", `"api_key": "`}, KindAssignment},
		{"discord webhook", "https://discord.com/api/webhooks/123/abcDEF", []string{"abcDEF"}, []string{"discord.com"}, KindURLCredentials},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kinds := Scan(tc.in)
			for _, s := range tc.secrets {
				if strings.Contains(got, s) {
					t.Errorf("secret %q survives in %q", s, got)
				}
			}
			for _, s := range tc.keep {
				if !strings.Contains(got, s) {
					t.Errorf("lost %q: %q", s, got)
				}
			}
			if !hasKind(kinds, tc.kind) {
				t.Errorf("kinds %v, want %q", kinds, tc.kind)
			}
			if !Contains(tc.in) {
				t.Error("Contains = false")
			}
		})
	}
}

func hasKind(ks []Kind, k Kind) bool {
	for _, have := range ks {
		if have == k {
			return true
		}
	}
	return false
}

// Ordinary text, URLs and identifiers must come through unchanged.
func TestStringKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"https://huggingface.co/bert-base-uncased/resolve/main/config.json",
		"https://registry.npmjs.org/@types/node",
		"https://host:8080/@scope/pkg",
		"http://[::1]:8080/api/@x",
		"ssh://git@github.com/acme/app.git",
		"git@github.com:acme/app.git",
		"hf://acme/model@3f2a1c0de",
		"file:///srv/repos/origin",
		"sk-learn-style-hyphenated-words-are-not-keys",
		"commit 0123456789abcdef0123456789abcdef01234567",
		"tokenizer.pad_token = tokenizer.eos_token_id",
		"max_new_tokens=512 pad_token=<pad> eos_token: </s>",
		`"env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}`,
		"token=$TOKEN password={{ .Password }}",
		"mysql://root:***@db:3306/x",
		"sqlite:/home/user@corp/mlbom.db",
		"model sentence-transformers/all-MiniLM-L6-v2 at revision main",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want unchanged", s, got)
		}
	}
}

func TestURL(t *testing.T) {
	tests := map[string]string{
		"https://alice:pw@example.com/x.git":                 "https://***@example.com/x.git",
		"https://example.com/x.git":                          "https://example.com/x.git",
		"https://example.com/x?token=abcdef12&ref=main":      "https://example.com/x?token=***&ref=main",
		"mysql://root:p@ss@db:3306/mlbom?tls=true":           "mysql://root:***@db:3306/mlbom?tls=true",
		"ssh://deploy:hunter22@host/x.git":                   "ssh://deploy:***@host/x.git",
		"https://hooks.slack.com/services/T00/B00/XXXXXXXXX": "https://hooks.slack.com/services/***",
	}
	for in, want := range tests {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDSN(t *testing.T) {
	tests := map[string]string{
		"mysql://root:" + password + "@db:3306/mlbom":    "mysql://root:***@db:3306/mlbom",
		"mysql://root@db:3306/mlbom":                     "mysql://root@db:3306/mlbom",
		"root:" + password + "@tcp(db:3306)/mlbom?tls=1": "root:***@tcp(db:3306)/mlbom?tls=1",
		"u:p@tcp(h)/db?password=zzz999zzz":               "u:***@tcp(h)/db?password=***",
		"sqlite:.mlbom/mlbom.db":                         "sqlite:.mlbom/mlbom.db",
		"sqlite:/home/a@b/mlbom.db":                      "sqlite:/home/a@b/mlbom.db",
	}
	for in, want := range tests {
		if got := DSN(in); got != want {
			t.Errorf("DSN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEndpoint(t *testing.T) {
	tests := map[string]string{
		slackHook:                           "https://hooks.slack.com/***",
		"https://hooks.example.com":         "https://hooks.example.com",
		"https://u:p@hooks.example.com/x/y": "https://hooks.example.com/***",
		"http://127.0.0.1:9/hook?k=v":       "http://127.0.0.1:9/***",
		"::not a url":                       Mask,
	}
	for in, want := range tests {
		if got := Endpoint(in); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArgs(t *testing.T) {
	in := []string{"-y", "@modelcontextprotocol/server-github", "--token", ghToken, "--api-key=" + openaiKey,
		"--url", "https://user:" + password + "@mcp.example.com/sse?api_key=" + openaiKey, "-e", "GITHUB_PERSONAL_ACCESS_TOKEN=abcdef0123456789",
		"--password", "$DB_PASSWORD", "--verbose"}
	out, kinds := Args(in)
	joined := strings.Join(out, " ")
	for _, s := range []string{ghToken, openaiKey, password, "abcdef0123456789"} {
		if strings.Contains(joined, s) {
			t.Errorf("secret %q survives: %s", s, joined)
		}
	}
	for _, s := range []string{"@modelcontextprotocol/server-github", "--token ***", "--api-key=***", "mcp.example.com/sse", "$DB_PASSWORD", "--verbose"} {
		if !strings.Contains(joined, s) {
			t.Errorf("lost %q: %s", s, joined)
		}
	}
	if !hasKind(kinds, KindFlag) || !hasKind(kinds, KindURLCredentials) || !hasKind(kinds, KindGitHub) {
		t.Errorf("kinds %v", kinds)
	}
	if len(in) != len(out) || in[3] != ghToken {
		t.Error("Args changed its input or the argument count")
	}
	if _, kinds := Args([]string{"-y", "server", "--port", "8080"}); len(kinds) != 0 {
		t.Errorf("no secret, kinds %v", kinds)
	}
}

func TestEnv(t *testing.T) {
	tests := []struct {
		name, value, want string
		secret            bool
	}{
		{"GITHUB_PERSONAL_ACCESS_TOKEN", ghToken, Mask, true},
		{"OPENAI_API_KEY", "anything-at-all", Mask, true},
		{"DB_PASSWORD", "hunter2", Mask, true},
		{"GITHUB_TOKEN", "${GITHUB_TOKEN}", "${GITHUB_TOKEN}", false},
		{"LOG_LEVEL", "debug", "debug", false},
		{"UPSTREAM", "https://u:pw123456@x.example.com", "https://***@x.example.com", true},
		{"SOMETHING", hfToken, Mask, true},
	}
	for _, tc := range tests {
		got, kinds := Env(tc.name, tc.value)
		if got != tc.want || (len(kinds) > 0) != tc.secret {
			t.Errorf("Env(%s, %s) = %q %v, want %q secret=%v", tc.name, tc.value, got, kinds, tc.want, tc.secret)
		}
	}
}

func TestErrorMasksURLErrorAndKeepsChain(t *testing.T) {
	hook := "https://hooks.example.com/incoming/AbCdEf0123456789"
	base := &url.Error{Op: "Post", URL: hook, Err: fs.ErrNotExist}
	err := Error(fmt.Errorf("webhook POST: %w", base), hook, "tok_configured_123")
	msg := err.Error()
	if strings.Contains(msg, "AbCdEf0123456789") || strings.Contains(msg, "/incoming/") {
		t.Errorf("webhook path in %q", msg)
	}
	if !strings.Contains(msg, "https://hooks.example.com/***") {
		t.Errorf("endpoint not shown: %q", msg)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is lost")
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Error("errors.As lost")
	}
	// Wrapping again adds secrets instead of nesting.
	err2 := Error(err, "another-secret-value")
	if err2 != err {
		t.Error("re-wrapped")
	}
	if Error(nil, "x") != nil {
		t.Error("nil error wrapped")
	}
	// A bare http error with the token in the URL path.
	req, _ := http.NewRequest("GET", "https://api.example.com/v1/"+ghToken+"/x", nil)
	err = Error(&url.Error{Op: "Get", URL: req.URL.String(), Err: errors.New("EOF")})
	if strings.Contains(err.Error(), ghToken) {
		t.Errorf("token in %q", err)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{slackHook, "https://a:b@c/d?token=x", "mysql://root:p@ss@h/db", ghToken, "password=x", privateKeyB} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		// Idempotent: masking masked text changes nothing more.
		if again := String(out); again != out {
			t.Errorf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

func BenchmarkString(b *testing.B) {
	msg := `scan: open https://github.com/acme/app.git: list refs of https://github.com/acme/app.git: Get "https://github.com/acme/app.git/info/refs?service=git-upload-pack": dial tcp: lookup github.com: no such host`
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_ = String(msg)
	}
}

// The masked error must not expose the unmasked chain to code that walks
// it with errors.Unwrap (Temporal's failure converter does).
func TestErrorHasNoUnwrap(t *testing.T) {
	inner := fmt.Errorf("clone https://bob:%s@git.example.com/x.git: %w", password, fs.ErrPermission)
	err := Error(fmt.Errorf("scan: %w", inner))
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), password) {
			t.Fatalf("password reachable by Unwrap: %q", e.Error())
		}
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("errors.Is lost")
	}
}
