package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/keys"
	"github.com/mlbom/autopilot/internal/oms"
	"github.com/mlbom/autopilot/internal/store"
)

// listFlag collects a flag given several times or as a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func runKeygen(ctx context.Context, _ *config.Config, args []string) error {
	fs := newFlags(ctx, "keygen")
	out := fs.String("o", "", "write the private key to PREFIX (mode 0600) and the public key to PREFIX.pub")
	typ := fs.String("type", keys.ECDSAP256, "key type: ecdsa-p256 (cosign's default; OpenSSF model signing needs it) or ed25519")
	tlsPair := fs.Bool("tls", false, "write a self-signed TLS certificate and key instead (PREFIX.crt, PREFIX.key), e.g. for mlbom admission")
	var hosts listFlag
	fs.Var(&hosts, "host", "with --tls: DNS name or IP the certificate is for (repeatable; default the admission Service names)")
	days := fs.Int("days", 365, "with --tls: validity in days")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" {
		return withCode(exitUsage, "want -o PREFIX and no arguments")
	}
	if *tlsPair {
		return writeTLSPair(ctx, *out, hosts, *days)
	}
	priv, err := keys.Generate(*typ)
	if err != nil {
		return withCode(exitUsage, "%v", err)
	}
	if err := keys.WritePair(*out, priv); err != nil {
		return err
	}
	s, err := keys.NewSigner(priv)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdoutOf(ctx), "private key %s (mode 0600: keep it secret)\npublic key  %s.pub (%s, key id %s)\n", *out, *out, s.Algorithm(), s.KeyID())
	return nil
}

// signingKey loads --key, or MLBOM_SIGNING_KEY.
func signingKey(cfg *config.Config, flagValue string) (*keys.Signer, error) {
	path := flagValue
	if path == "" {
		path = cfg.SigningKey
	}
	if path == "" {
		return nil, withCode(exitUsage, "want --key PRIVATE_KEY (or MLBOM_SIGNING_KEY); make one with mlbom keygen -o PREFIX")
	}
	s, err := keys.LoadPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, nil
}

// trustedKeys loads --key values, or MLBOM_TRUSTED_KEYS.
func trustedKeys(cfg *config.Config, flagValues []string) ([]oms.TrustedKey, error) {
	paths := flagValues
	if len(paths) == 0 {
		paths = cfg.TrustedKeys
	}
	var out []oms.TrustedKey
	for _, p := range paths {
		v, err := keys.LoadPublic(p)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		out = append(out, oms.TrustedKey{Name: filepath.Base(p), Key: v})
	}
	return out, nil
}

func runSign(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "sign")
	keyPath := fs.String("key", "", "private key (default MLBOM_SIGNING_KEY)")
	out := fs.String("o", "", "write the attestation (or, with --model, the signature) here")
	project := fs.String("project", "", "sign a stored BOM version of this project (the signature is stored with it)")
	version := fs.Int("version", 0, "with --project: version number (default latest)")
	model := fs.String("model", "", "sign the model directory (or file) DIR in the OpenSSF model-signing format")
	var ignore listFlag
	fs.Var(&ignore, "ignore", "with --model: path inside DIR to leave out (repeatable)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	modes := 0
	for _, on := range []bool{*project != "", *model != "", len(pos) > 0} {
		if on {
			modes++
		}
	}
	if modes != 1 || len(pos) > 1 {
		return withCode(exitUsage, "want one of: BOM.json -o ATTESTATION | --project P [--version N] | --model DIR")
	}
	s, err := signingKey(cfg, *keyPath)
	if err != nil {
		return err
	}
	switch {
	case *model != "":
		sigPath := *out
		if sigPath == "" {
			if st, err := os.Stat(*model); err == nil && st.IsDir() {
				sigPath = filepath.Join(*model, oms.SignatureFile)
			} else {
				sigPath = *model + ".sig"
			}
		}
		data, err := oms.Sign(ctx, *model, sigPath, s, ignore)
		if err != nil {
			return fmt.Errorf("sign model %s: %w", *model, err)
		}
		if err := os.WriteFile(sigPath, data, 0o644); err != nil {
			return fmt.Errorf("write signature: %w", err)
		}
		fmt.Fprintf(stdoutOf(ctx), "signed %s → %s (OpenSSF model signing v1.0, key %s, hint %s)\n", *model, sigPath, short16(s.KeyID()), oms.Hint(s.Public()))
		return nil

	case *project != "":
		db, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		v, data, err := api.StoredBOM(ctx, db, *project, *version, api.FormatJSON)
		if errors.Is(err, store.ErrNotFound) {
			return withCode(exitError, "project %s has no BOM version %s", *project, versionName(*version))
		}
		if err != nil {
			return err
		}
		rec, err := attest.SignVersion(v.Project, v.Number, data, s)
		if err != nil {
			return err
		}
		if err := db.SaveSignature(ctx, rec); err != nil {
			return err
		}
		if *out != "" {
			if err := os.WriteFile(*out, rec.Envelope, 0o644); err != nil {
				return fmt.Errorf("write attestation: %w", err)
			}
		}
		subjects, _ := attest.BOMSubjects(data)
		fmt.Fprintf(stdoutOf(ctx), "signed %s version %d (%s, key %s, %s as subjects); stored with the version%s\n",
			v.Project, v.Number, s.Algorithm(), short16(s.KeyID()), plural(len(subjects), "file"), outNote(*out))
		return nil
	}

	if *out == "" {
		return withCode(exitUsage, "want -o ATTESTATION")
	}
	data, err := readInput(pos[0])
	if err != nil {
		return err
	}
	env, st, err := attest.SignBOM(data, s)
	if err != nil {
		return fmt.Errorf("sign %s: %w", pos[0], err)
	}
	if err := os.WriteFile(*out, env, 0o644); err != nil {
		return fmt.Errorf("write attestation: %w", err)
	}
	fmt.Fprintf(stdoutOf(ctx), "signed %s → %s (in-toto statement, predicate %s, %s as subjects, %s key %s)\n",
		pos[0], *out, attest.PredicateCycloneDX, plural(len(st.Subject), "file"), s.Algorithm(), short16(s.KeyID()))
	if len(st.Subject) == 0 {
		fmt.Fprintln(stderrOf(ctx), "note: the BOM lists no weight or dataset file with a SHA-256, so the attestation names no files")
	}
	return nil
}

func outNote(path string) string {
	if path == "" {
		return ""
	}
	return " and written to " + path
}

func short16(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// maxInput bounds a BOM or attestation read from a file.
const maxInput = 512 << 20

func readInput(path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, maxInput)
	}
	return data, nil
}

// verifyReport is `mlbom verify --json`.
type verifyReport struct {
	OK          bool                `json:"ok"`
	Attestation string              `json:"attestation,omitempty"`
	Project     string              `json:"project,omitempty"`
	Version     int                 `json:"version,omitempty"`
	KeyID       string              `json:"keyId,omitempty"`
	Subjects    int                 `json:"subjects"`
	Files       []attest.FileResult `json:"files,omitempty"`
	Model       *oms.Result         `json:"model,omitempty"`
	Error       string              `json:"error,omitempty"`
}

func runVerify(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "verify")
	var keyPaths listFlag
	fs.Var(&keyPaths, "key", "public key (repeatable; default MLBOM_TRUSTED_KEYS)")
	attFile := fs.String("bom", "", "the attestation (signed BOM) to verify")
	project := fs.String("project", "", "verify the signature stored with a BOM version of this project")
	version := fs.Int("version", 0, "with --project: version number (default latest)")
	model := fs.String("model", "", "verify the OpenSSF model signature of the model directory (or file) DIR")
	sigPath := fs.String("signature", "", "with --model: the signature file (default DIR/model.sig)")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	modes := 0
	for _, on := range []bool{*attFile != "", *project != "", *model != ""} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return withCode(exitUsage, "want one of: --bom ATTESTATION [PATH...] | --project P [--version N] [PATH...] | --model DIR")
	}
	trusted, err := trustedKeys(cfg, keyPaths)
	if err != nil {
		return withCode(exitUsage, "%v", err)
	}
	if *model != "" {
		return verifyModel(ctx, *model, *sigPath, trusted, *asJSON)
	}
	if len(trusted) == 0 {
		return withCode(exitUsage, "want --key PUBLIC_KEY (or MLBOM_TRUSTED_KEYS)")
	}
	verifiers := make([]attest.Verifier, len(trusted))
	for i, t := range trusted {
		verifiers[i] = t.Key
	}
	rep := verifyReport{Attestation: *attFile, Project: *project}
	var envelope, served []byte
	if *project != "" {
		db, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		v, data, err := api.StoredBOM(ctx, db, *project, *version, api.FormatJSON)
		if err == nil {
			var sig store.Signature
			sig, err = db.GetSignature(ctx, v.Project, v.Number)
			envelope, served, rep.Version = sig.Envelope, data, v.Number
		}
		db.Close()
		if errors.Is(err, store.ErrNotFound) {
			return withCode(exitError, "project %s version %s has no BOM or no stored signature (sign it with mlbom sign --project %s)", *project, versionName(*version), *project)
		}
		if err != nil {
			return err
		}
	} else {
		envelope, err = readInput(*attFile)
		if err != nil {
			return err
		}
	}
	fail := func(err error) error {
		rep.Error = err.Error()
		if *asJSON {
			printJSON(ctx, rep)
			return &codeError{code: exitError}
		}
		return err
	}
	verified, err := attest.VerifyBOM(envelope, verifiers...)
	if err != nil {
		return fail(err)
	}
	rep.KeyID = verified.KeyID
	rep.Subjects = len(verified.Statement.Subject)
	if served != nil && !sameJSON(served, verified.BOM) {
		return fail(fmt.Errorf("the signature is valid but covers another BOM than the one stored as %s version %d now (re-sign with mlbom sign --project %s --version %d)",
			*project, rep.Version, *project, rep.Version))
	}
	w := stdoutOf(ctx)
	if !*asJSON {
		what := *attFile
		if *project != "" {
			what = fmt.Sprintf("%s version %d", *project, rep.Version)
		}
		fmt.Fprintf(w, "signature  %s: valid (key %s)\nsubjects   %s signed\n", what, short16(verified.KeyID), plural(rep.Subjects, "file"))
	}
	if len(pos) > 0 {
		files, err := attest.VerifyFiles(ctx, verified.Statement.Subject, pos, attest.FileOptions{Progress: progressLine(ctx, *asJSON)})
		if err != nil {
			return fail(err)
		}
		rep.Files = files.Files
		if !*asJSON {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			for _, f := range files.Files {
				fmt.Fprintf(tw, "  %s\t%s\n", strings.ToUpper(f.Status), f.Name)
			}
			tw.Flush()
			fmt.Fprintf(w, "files      %d ok, %d changed, %d missing, %d extra, %d not fetched (%s hashed)\n",
				files.Count(attest.FileOK), files.Count(attest.FileChanged), files.Count(attest.FileMissing),
				files.Count(attest.FileExtra), files.Count(attest.FileNotFetched), humanBytes(files.Bytes))
		}
		if err := files.Err(); err != nil {
			return fail(err)
		}
	}
	rep.OK = true
	if *asJSON {
		return printJSON(ctx, rep)
	}
	fmt.Fprintln(w, "verified")
	return nil
}

func verifyModel(ctx context.Context, model, sigPath string, trusted []oms.TrustedKey, asJSON bool) error {
	if sigPath == "" {
		if st, err := os.Stat(model); err == nil && st.IsDir() {
			sigPath = filepath.Join(model, oms.SignatureFile)
		} else {
			sigPath = model + ".sig"
		}
	}
	res, err := oms.Verify(ctx, model, sigPath, trusted)
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(ctx, verifyReport{OK: res.Status == oms.StatusValid, Model: res}); err != nil {
			return err
		}
		if res.Status != oms.StatusValid {
			return &codeError{code: exitError}
		}
		return nil
	}
	fmt.Fprintf(stdoutOf(ctx), "model      %s (%s, %d files)\nsignature  %s: %s\n", model, res.Model, res.Files, sigPath, res.Status)
	if res.Signer != "" {
		fmt.Fprintf(stdoutOf(ctx), "signer     %s\n", res.Signer)
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("model signature %s", err)
	}
	return nil
}

// sameJSON: a and b are the same JSON document up to whitespace.
func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// progressLine reports hashing progress on standard error about once a
// second for large checks.
func progressLine(ctx context.Context, quiet bool) func(done, total int64) {
	if quiet {
		return nil
	}
	var mu sync.Mutex
	last := time.Now()
	return func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if total < 256<<20 || time.Since(last) < time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(stderrOf(ctx), "hashed %s of %s\n", humanBytes(done), humanBytes(total))
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
