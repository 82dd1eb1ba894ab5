package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/store"
)

// localEnv points the CLI at a fresh store and keeps it off the network.
func localEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("MLBOM_HOME", dir)
	t.Setenv("MLBOM_DB", "sqlite:"+filepath.Join(dir, "m.db"))
	t.Setenv("MLBOM_APPROVAL_TIMEOUT", "0s")
	t.Setenv("MLBOM_HF_RESOLVE", "false")
	t.Setenv("MLBOM_SIGNING_KEY", "")
	t.Setenv("MLBOM_TRUSTED_KEYS", "")
	return dir
}

// TestSignVerifyCLI: keygen → scan → sign (file and stored version) →
// verify (envelope, stored version, files on disk), with both key types, and
// the failures a user meets each saying what is wrong.
func TestSignVerifyCLI(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []string{"ecdsa-p256", "ed25519"} {
		t.Run(typ, func(t *testing.T) {
			dir := localEnv(t)
			e := &e2e{t: t}
			repo := makeRepo(t)
			bomFile := filepath.Join(dir, "bom.json")
			out, errOut, code := e.mlbom(ctx, "scan", repo, "--local", "--project", "demo", "-o", bomFile)
			require.Equal(t, 0, code, out+errOut)

			key := filepath.Join(dir, "signer")
			out, errOut, code = e.mlbom(ctx, "keygen", "-o", key, "--type", typ)
			require.Equal(t, 0, code, out+errOut)
			require.Contains(t, out, typ)
			st, err := os.Stat(key)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

			att := filepath.Join(dir, "bom.att.json")
			out, errOut, code = e.mlbom(ctx, "sign", "--key", key, "-o", att, bomFile)
			require.Equal(t, 0, code, out+errOut)
			require.Contains(t, out, "1 file as subjects")

			out, errOut, code = e.mlbom(ctx, "verify", "--key", key+".pub", "--bom", att, repo)
			require.Equal(t, 0, code, out+errOut)
			require.Contains(t, out, "OK  model/model.safetensors")
			require.Contains(t, out, "verified")

			// The stored version: signed with MLBOM_SIGNING_KEY, verified with
			// MLBOM_TRUSTED_KEYS, as unattended jobs do.
			t.Setenv("MLBOM_SIGNING_KEY", key)
			t.Setenv("MLBOM_TRUSTED_KEYS", key+".pub")
			out, errOut, code = e.mlbom(ctx, "sign", "--project", "demo")
			require.Equal(t, 0, code, out+errOut)
			require.Contains(t, out, "signed demo version 1")
			out, errOut, code = e.mlbom(ctx, "verify", "--project", "demo", "--json", filepath.Join(repo, "model"))
			require.Equal(t, 0, code, out+errOut)
			var rep verifyReport
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.True(t, rep.OK)
			require.Equal(t, 1, rep.Version)
			require.Len(t, rep.Files, 1)

			// A changed weights file fails and is named.
			w := filepath.Join(repo, "model", "model.safetensors")
			orig, _ := os.ReadFile(w)
			require.NoError(t, os.WriteFile(w, append(orig, 0), 0o644))
			out, errOut, code = e.mlbom(ctx, "verify", "--bom", att, repo)
			require.Equal(t, exitError, code, out+errOut)
			require.Contains(t, errOut, "changed model/model.safetensors")
			require.NoError(t, os.WriteFile(w, orig, 0o644))

			// Another key: refused, naming the keys.
			other := filepath.Join(dir, "other")
			_, _, code = e.mlbom(ctx, "keygen", "-o", other, "--type", typ)
			require.Equal(t, 0, code)
			_, errOut, code = e.mlbom(ctx, "verify", "--key", other+".pub", "--bom", att)
			require.Equal(t, exitError, code)
			require.Contains(t, errOut, "signed by another key")

			// A private key where a public one belongs.
			_, errOut, code = e.mlbom(ctx, "verify", "--key", key, "--bom", att)
			require.Equal(t, exitUsage, code)
			require.Contains(t, errOut, "this is a private key")

			// With MLBOM_SIGNING_KEY set, a scan signs its new version itself.
			_, _, code = e.mlbom(ctx, "scan", repo, "--local", "--project", "demo")
			require.Equal(t, 0, code)
			out, errOut, code = e.mlbom(ctx, "verify", "--project", "demo", "--version", "2")
			require.Equal(t, 0, code, out+errOut)
			// A signature that covers another BOM than the version's: version
			// 1's attestation stored as version 2's.
			db, err := store.Open(ctx, os.Getenv("MLBOM_DB"))
			require.NoError(t, err)
			sig, err := db.GetSignature(ctx, "demo", 1)
			require.NoError(t, err)
			sig.Version = 2
			require.NoError(t, db.SaveSignature(ctx, sig))
			db.Close()
			_, errOut, code = e.mlbom(ctx, "verify", "--project", "demo", "--version", "2")
			require.Equal(t, exitError, code)
			require.Contains(t, errOut, "covers another BOM than the one stored as demo version 2")
		})
	}
}

func TestSignModelCLI(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	e := &e2e{t: t}
	model := filepath.Join(dir, "model")
	require.NoError(t, os.MkdirAll(model, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(model, "model.safetensors"), []byte("weights"), 0o644))
	key := filepath.Join(dir, "k")
	_, _, code := e.mlbom(ctx, "keygen", "-o", key)
	require.Equal(t, 0, code)
	out, errOut, code := e.mlbom(ctx, "sign", "--key", key, "--model", model)
	require.Equal(t, 0, code, out+errOut)
	require.FileExists(t, filepath.Join(model, "model.sig"))
	out, errOut, code = e.mlbom(ctx, "verify", "--key", key+".pub", "--model", model)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "model.sig: valid")
	require.NoError(t, os.WriteFile(filepath.Join(model, "extra.bin"), []byte("x"), 0o644))
	_, errOut, code = e.mlbom(ctx, "verify", "--key", key+".pub", "--model", model)
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "extra extra.bin")
}

func TestKeygenTLS(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	prefix := filepath.Join(dir, "webhook")
	out, errOut, code := (&e2e{t: t}).mlbom(ctx, "keygen", "--tls", "-o", prefix, "--host", "mlbom-admission.mlbom.svc", "--host", "127.0.0.1")
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "caBundle")
	if bin, err := exec.LookPath("openssl"); err == nil {
		text, err := exec.Command(bin, "x509", "-in", prefix+".crt", "-noout", "-text").CombinedOutput()
		require.NoError(t, err, string(text))
		require.Contains(t, string(text), "DNS:mlbom-admission.mlbom.svc")
		require.Contains(t, string(text), "IP Address:127.0.0.1")
		_, err = exec.Command(bin, "pkey", "-in", prefix+".key", "-noout").CombinedOutput()
		require.NoError(t, err)
	}
}

// cosignBin finds the cosign binary (bin/cosign, built by `make test` from
// the Go module proxy, or MLBOM_COSIGN_BIN), skipping without it unless
// MLBOM_REQUIRE_COSIGN is set.
func cosignBin(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("MLBOM_COSIGN_BIN"), filepath.Join("..", "..", "bin", "cosign")}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if abs, err := filepath.Abs(c); err == nil {
			if st, err := os.Stat(abs); err == nil && !st.IsDir() {
				return abs
			}
		}
	}
	if os.Getenv("MLBOM_REQUIRE_COSIGN") != "" {
		t.Fatal("cosign not found (bin/cosign or MLBOM_COSIGN_BIN) and MLBOM_REQUIRE_COSIGN is set: run make test, which builds it")
	}
	t.Skip("cosign not built (make bin/cosign): cannot show that cosign verify-blob-attestation accepts our attestations")
	return ""
}

// TestCosignVerifiesOurAttestations: the real cosign accepts what `mlbom
// sign` writes, for both key types, and rejects a file that is not a
// subject and a key that did not sign.
func TestCosignVerifiesOurAttestations(t *testing.T) {
	cosign := cosignBin(t)
	ctx := context.Background()
	for _, typ := range []string{"ecdsa-p256", "ed25519"} {
		t.Run(typ, func(t *testing.T) {
			dir := localEnv(t)
			e := &e2e{t: t}
			repo := makeRepo(t)
			bomFile := filepath.Join(dir, "bom.json")
			_, _, code := e.mlbom(ctx, "scan", repo, "--local", "--project", "demo", "-o", bomFile)
			require.Equal(t, 0, code)
			key := filepath.Join(dir, "k")
			_, _, code = e.mlbom(ctx, "keygen", "-o", key, "--type", typ)
			require.Equal(t, 0, code)
			att := filepath.Join(dir, "att.json")
			_, _, code = e.mlbom(ctx, "sign", "--key", key, "-o", att, bomFile)
			require.Equal(t, 0, code)

			cosignVerify := func(pub, blob string) (string, error) {
				cmd := exec.Command(cosign, "verify-blob-attestation", "--key", pub, "--signature", att,
					"--type", "cyclonedx", "--insecure-ignore-tlog=true", "--offline=true", blob)
				// cosign looks for Sigstore's TUF root even when told to trust a
				// key; a closed local proxy keeps it off the network.
				cmd.Env = append(os.Environ(), "HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=",
					"TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			weights := filepath.Join(repo, "model", "model.safetensors")
			out, err := cosignVerify(key+".pub", weights)
			require.NoError(t, err, out)
			require.Contains(t, out, "Verified OK")

			other := filepath.Join(dir, "not-a-subject")
			require.NoError(t, os.WriteFile(other, []byte("x"), 0o644))
			out, err = cosignVerify(key+".pub", other)
			require.Error(t, err, out)
			require.True(t, strings.Contains(out, "no matching subject digest"), out)

			wrong := filepath.Join(dir, "wrong")
			_, _, code = e.mlbom(ctx, "keygen", "-o", wrong, "--type", typ)
			require.Equal(t, 0, code)
			out, err = cosignVerify(wrong+".pub", weights)
			require.Error(t, err, out)
		})
	}
}

// TestScanVerifiesModelSignatures: a scan of a repository carrying an
// OpenSSF model signature records the outcome on the model's component
// (status, signer), and an invalid signature is a deny finding.
func TestScanVerifiesModelSignatures(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	e := &e2e{t: t}
	repo := makeRepo(t)
	key := filepath.Join(dir, "publisher")
	_, _, code := e.mlbom(ctx, "keygen", "-o", key)
	require.Equal(t, 0, code)
	_, _, code = e.mlbom(ctx, "sign", "--key", key, "--model", filepath.Join(repo, "model"))
	require.Equal(t, 0, code)
	t.Setenv("MLBOM_TRUSTED_KEYS", key+".pub")

	scan := func() (map[string]string, string) {
		t.Helper()
		bomFile := filepath.Join(dir, "bom.json")
		sarifFile := filepath.Join(dir, "scan.sarif")
		out, errOut, _ := e.mlbom(ctx, "scan", repo, "--local", "--project", "signed", "-o", bomFile, "--sarif", sarifFile)
		data, err := os.ReadFile(bomFile)
		require.NoError(t, err, out+errOut)
		var doc struct {
			Components []struct {
				Type       string `json:"type"`
				Properties []struct{ Name, Value string }
			} `json:"components"`
		}
		require.NoError(t, json.Unmarshal(data, &doc))
		props := map[string]string{}
		for _, c := range doc.Components {
			if c.Type != "machine-learning-model" {
				continue
			}
			for _, p := range c.Properties {
				if strings.HasPrefix(p.Name, "mlbom:model.signature.") {
					props[p.Name] = p.Value
				}
			}
		}
		s, _ := os.ReadFile(sarifFile)
		return props, string(s)
	}
	props, sarifText := scan()
	require.Equal(t, "valid", props["mlbom:model.signature.status"], "%v", props)
	require.Equal(t, "publisher.pub", props["mlbom:model.signature.signer"])
	require.Equal(t, "model/model.sig", props["mlbom:model.signature.file"])
	require.NotContains(t, sarifText, "integrity.model-signature-invalid")

	w := filepath.Join(repo, "model", "model.safetensors")
	b, _ := os.ReadFile(w)
	require.NoError(t, os.WriteFile(w, append(b, 1), 0o644))
	props, sarifText = scan()
	require.Equal(t, "invalid", props["mlbom:model.signature.status"], "%v", props)
	require.Contains(t, props["mlbom:model.signature.problems"], "changed model.safetensors")
	require.Contains(t, sarifText, "integrity.model-signature-invalid")
}

// TestAutoSignCoversDecisions: with MLBOM_SIGNING_KEY, the signature stored
// for a scan's version covers that version's final BOM, decisions made
// during the scan (here: license exceptions that timed out) included.
func TestAutoSignCoversDecisions(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	e := &e2e{t: t}
	demo := filepath.Join(t.TempDir(), "demo")
	out, err := exec.Command("../../scripts/make-demo.sh", demo).CombinedOutput()
	require.NoError(t, err, string(out))
	key := filepath.Join(dir, "k")
	_, _, code := e.mlbom(ctx, "keygen", "-o", key)
	require.Equal(t, 0, code)
	t.Setenv("MLBOM_SIGNING_KEY", key)
	_, _, _ = e.mlbom(ctx, "scan", demo, "--local", "--project", "demo")
	bomOut, _, code := e.mlbom(ctx, "bom", "demo")
	require.Equal(t, 0, code)
	var b struct {
		Annotations []json.RawMessage `json:"annotations"`
	}
	require.NoError(t, json.Unmarshal([]byte(bomOut), &b))
	require.NotEmpty(t, b.Annotations, "the demo's license exceptions time out and are annotated")
	out2, errOut, code := e.mlbom(ctx, "verify", "--key", key+".pub", "--project", "demo")
	require.Equal(t, 0, code, out2+errOut)
	require.Contains(t, out2, "verified")
}
