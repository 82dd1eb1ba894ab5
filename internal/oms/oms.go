// Package oms signs and verifies models in the OpenSSF model-signing format
// (OMS, github.com/sigstore/model-transparency), public-key variant.
//
// Format, outermost first: a Sigstore bundle v0.3 JSON file (model.sig by
// convention) whose verificationMaterial names the key (publicKey.hint, the
// hex SHA-256 of the signer's PEM public key; older signers embed the PEM in
// publicKey.rawBytes) and whose dsseEnvelope is a DSSE envelope over an
// in-toto Statement v1 with predicate type
// https://model_signing/signature/v1.0. The predicate lists every file of the
// model as a resource {name, algorithm, digest} (names relative to the model
// directory, sorted) and how they were serialized (method "files", hash_type
// "sha256", allow_symlinks, ignore_paths). The single subject is the model's
// name with a SHA-256 over the concatenated raw resource digests, in predicate
// order.
//
// Verification checks, in order: the bundle and envelope shape, the signature
// with the trusted keys, the statement and predicate, the subject digest
// against the resources, then every file on disk against the resources
// (missing, extra and changed files each named). Keys are ECDSA P-256, P-384
// or P-521, as the reference implementation accepts; signing with mlbom uses
// the P-256 keys `mlbom keygen` makes.
//
// Limits: Sigstore keyless and certificate bundles, the "shards" method and
// hash types other than sha256 are reported as unsupported, not as invalid.
// Python model_signing < 1.0 (predicate https://model_signing/Digests/v0.1)
// is read as well.
package oms

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/discover/weights"
	"github.com/mlbom/autopilot/internal/dsse"
	"github.com/mlbom/autopilot/internal/keys"
)

// Names of the format.
const (
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	PredicateV1     = "https://model_signing/signature/v1.0"
	predicateV01    = "https://model_signing/Digests/v0.1"
	// SignatureFile is where signers put the signature by convention.
	SignatureFile = "model.sig"
)

// Outcomes of Verify.
const (
	StatusValid = "valid" // a trusted key signed exactly these files
	// StatusInvalid: the signature, the statement or the files do not match.
	StatusInvalid = "invalid"
	// StatusUnverified: the files match the signed manifest, but no trusted
	// key made the signature (or none is configured).
	StatusUnverified = "unverified"
	// StatusUnsupported: a variant mlbom does not verify (keyless, certificate,
	// shards, another hash).
	StatusUnsupported = "unsupported"
)

// maxBundle bounds a signature file read from an untrusted repository.
const maxBundle = 64 << 20

// DefaultIgnore are the paths the reference signer leaves out by default.
var DefaultIgnore = []string{".git", ".gitattributes", ".github", ".gitignore"}

// TrustedKey is a public key a verifier accepts, with a name for reports
// (e.g. the key file's name).
type TrustedKey struct {
	Name string
	Key  *keys.Verifier
}

// Result is the outcome of verifying one model signature.
type Result struct {
	Status string `json:"status"`
	// Model is the model's name as signed (the subject name).
	Model string `json:"model,omitempty"`
	// Signer names the trusted key that verified (Status valid), else the
	// key the bundle names: "sha256:<hint>".
	Signer string `json:"signer,omitempty"`
	// KeyHint is the hex SHA-256 of the signer's PEM public key, when known.
	KeyHint string `json:"keyHint,omitempty"`
	Files   int    `json:"files"`
	// Problems say what failed, one per line: changed, missing and extra
	// files by name, or the signature or statement problem.
	Problems []string `json:"problems,omitempty"`
}

// Err is nil for a valid result.
func (r *Result) Err() error {
	if r.Status == StatusValid {
		return nil
	}
	msg := r.Status
	if len(r.Problems) > 0 {
		msg += ": " + strings.Join(r.Problems, "; ")
	}
	return errors.New(msg)
}

type bundle struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey *struct {
			Hint     string `json:"hint,omitempty"`
			RawBytes string `json:"rawBytes,omitempty"`
		} `json:"publicKey,omitempty"`
		Certificate          json.RawMessage   `json:"certificate,omitempty"`
		X509CertificateChain json.RawMessage   `json:"x509CertificateChain,omitempty"`
		TlogEntries          []json.RawMessage `json:"tlogEntries"`
	} `json:"verificationMaterial"`
	DSSEEnvelope json.RawMessage `json:"dsseEnvelope"`
}

type serialization struct {
	Method        string   `json:"method"`
	HashType      string   `json:"hash_type"`
	AllowSymlinks bool     `json:"allow_symlinks"`
	IgnorePaths   []string `json:"ignore_paths,omitempty"`
	ShardSize     int64    `json:"shard_size,omitempty"`
}

type resource struct {
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
}

type predicate struct {
	Serialization serialization `json:"serialization"`
	Resources     []resource    `json:"resources"`
}

// Hint is the key hint OMS signers record: the hex SHA-256 of the PEM public key.
func Hint(v *keys.Verifier) string {
	sum := sha256.Sum256(v.PEM())
	return hex.EncodeToString(sum[:])
}

// Sign signs the model at modelPath (a directory, or a single file) and
// returns the signature file's bytes. Files named in ignore (relative to the
// model directory) and DefaultIgnore are left out; so is sigPath when it lies
// inside the model directory. Symbolic links are refused, as the reference
// signer does by default.
func Sign(ctx context.Context, modelPath, sigPath string, s *keys.Signer, ignore []string) ([]byte, error) {
	if !strings.HasPrefix(s.Algorithm(), "ecdsa-") {
		return nil, fmt.Errorf("%w: OpenSSF model signing uses elliptic-curve keys; this key is %s (make one with mlbom keygen --type ecdsa-p256)",
			keys.ErrKey, s.Algorithm())
	}
	ser := serialization{Method: "files", HashType: "sha256", IgnorePaths: ignoreList(modelPath, sigPath, ignore)}
	abs, err := filepath.Abs(modelPath)
	if err != nil {
		return nil, err
	}
	files, err := manifest(ctx, os.DirFS(filepath.Dir(abs)), filepath.Base(abs), ser)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("sign %s: no files to sign", modelPath)
	}
	pred := predicate{Serialization: ser}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		pred.Resources = append(pred.Resources, resource{Name: n, Algorithm: "sha256", Digest: files[n]})
	}
	root, err := rootDigest(pred.Resources)
	if err != nil {
		return nil, err
	}
	predJSON, err := json.Marshal(pred)
	if err != nil {
		return nil, err
	}
	st := attest.Statement{
		Type:          attest.StatementV1,
		Subject:       []attest.Subject{{Name: filepath.Base(abs), Digest: map[string]string{"sha256": root}}},
		PredicateType: PredicateV1,
		Predicate:     predJSON,
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	env, err := dsse.Sign(dsse.PayloadTypeInToto, payload, emptyKeyID{s})
	if err != nil {
		return nil, err
	}
	envJSON, err := env.Marshal()
	if err != nil {
		return nil, err
	}
	var b bundle
	b.MediaType = BundleMediaType
	b.VerificationMaterial.PublicKey = &struct {
		Hint     string `json:"hint,omitempty"`
		RawBytes string `json:"rawBytes,omitempty"`
	}{Hint: Hint(s.Public())}
	b.VerificationMaterial.TlogEntries = []json.RawMessage{}
	b.DSSEEnvelope = envJSON
	return json.MarshalIndent(b, "", "  ")
}

// emptyKeyID signs with an empty DSSE keyid, as the reference signer does:
// the bundle's hint names the key.
type emptyKeyID struct{ *keys.Signer }

func (emptyKeyID) KeyID() string { return "" }

// ignoreList is what a signature records as ignored: the defaults, the
// signature file itself when inside the model directory, and the caller's.
func ignoreList(modelPath, sigPath string, extra []string) []string {
	set := map[string]bool{}
	for _, p := range DefaultIgnore {
		set[p] = true
	}
	if rel, err := filepath.Rel(modelPath, sigPath); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
		set[filepath.ToSlash(rel)] = true
	}
	for _, p := range extra {
		if c := path.Clean(filepath.ToSlash(p)); c != "." && c != "" {
			set[c] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// rootDigest is SHA-256 over the raw resource digests, in order.
func rootDigest(rs []resource) (string, error) {
	h := sha256.New()
	for _, r := range rs {
		d, err := hex.DecodeString(r.Digest)
		if err != nil {
			return "", fmt.Errorf("resource %s: digest is not hex", r.Name)
		}
		h.Write(d)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify checks the signature file sigPath of the model at modelPath (OS
// paths) with the trusted keys. Problems with the signature or the files are
// in the Result; the error is for I/O that prevented checking.
func Verify(ctx context.Context, modelPath, sigPath string, trusted []TrustedKey) (*Result, error) {
	data, err := readBounded(os.DirFS(filepath.Dir(sigPath)), filepath.Base(sigPath))
	if err != nil {
		return nil, fmt.Errorf("read signature: %w", err)
	}
	abs, err := filepath.Abs(modelPath)
	if err != nil {
		return nil, err
	}
	sigRel := ""
	if rel, err := filepath.Rel(modelPath, sigPath); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
		sigRel = filepath.ToSlash(rel)
	}
	return VerifyFS(ctx, os.DirFS(filepath.Dir(abs)), filepath.Base(abs), data, sigRel, trusted)
}

// VerifyFS checks signature bytes against the model at modelPath inside fsys
// (a directory or a single file, slash-separated). sigRel is the signature
// file's path relative to the model directory when it lies inside it (it is
// never part of the model), else "".
func VerifyFS(ctx context.Context, fsys fs.FS, modelPath string, sigData []byte, sigRel string, trusted []TrustedKey) (*Result, error) {
	if len(sigData) > maxBundle {
		return invalid("signature file larger than %d bytes", maxBundle), nil
	}
	sig, res := Parse(sigData)
	if res != nil {
		return res, nil
	}
	return sig.verify(ctx, fsys, modelPath, sigRel, trusted)
}

// readBounded reads a signature file, refusing one larger than maxBundle.
func readBounded(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBundle+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// Signature is a parsed, not yet verified, model signature.
type Signature struct {
	env     *dsse.Envelope
	hint    string
	embed   *keys.Verifier // public key embedded by older signers (not trusted by itself)
	keyless bool
}

// Parse decodes a signature file. A nil Signature comes with a Result saying
// why it cannot be verified (malformed or unsupported).
func Parse(data []byte) (*Signature, *Result) {
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, invalid("not a Sigstore bundle: %v", err)
	}
	if !strings.HasPrefix(b.MediaType, "application/vnd.dev.sigstore.bundle") {
		return nil, invalid("not a Sigstore bundle: mediaType %q", b.MediaType)
	}
	if len(b.DSSEEnvelope) == 0 || string(b.DSSEEnvelope) == "null" {
		return nil, &Result{Status: StatusUnsupported, Problems: []string{"bundle has no DSSE envelope (a message signature): not an OpenSSF model signature"}}
	}
	env, err := dsse.Parse(b.DSSEEnvelope)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if env.PayloadType != dsse.PayloadTypeInToto {
		return nil, invalid("payload type %q, want %q", env.PayloadType, dsse.PayloadTypeInToto)
	}
	s := &Signature{env: env}
	vm := b.VerificationMaterial
	switch {
	case vm.PublicKey != nil && vm.PublicKey.Hint != "":
		s.hint = strings.ToLower(vm.PublicKey.Hint)
	case vm.PublicKey != nil && vm.PublicKey.RawBytes != "":
		raw, err := base64.StdEncoding.DecodeString(vm.PublicKey.RawBytes)
		if err == nil {
			if v, err := keys.ParsePublic(raw); err == nil {
				s.embed = v
				s.hint = Hint(v)
			}
		}
	case len(vm.Certificate) > 0 || len(vm.X509CertificateChain) > 0:
		s.keyless = true
	}
	return s, nil
}

func invalid(format string, args ...any) *Result {
	return &Result{Status: StatusInvalid, Problems: []string{fmt.Sprintf(format, args...)}}
}

func (s *Signature) verify(ctx context.Context, fsys fs.FS, modelPath, sigRel string, trusted []TrustedKey) (*Result, error) {
	res := &Result{KeyHint: s.hint}
	if s.hint != "" {
		res.Signer = "sha256:" + s.hint
	}
	// The signature first: nothing in the payload is believed before.
	var by *TrustedKey
	for i := range trusted {
		if trusted[i].Key.Verify(dsse.PAE(s.env.PayloadType, s.env.DecodedPayload()), firstSig(s.env)) == nil {
			by = &trusted[i]
			break
		}
	}
	if by == nil && s.hint != "" {
		for _, t := range trusted {
			if Hint(t.Key) == s.hint {
				// The key the bundle names is trusted, yet its signature fails.
				res.Status = StatusInvalid
				res.Signer = t.Name
				res.Problems = []string{"signature does not verify with " + t.Name + ": the signed manifest was altered"}
				return res, nil
			}
		}
	}
	// A signature by an untrusted (or embedded) key still proves the
	// manifest is intact when it verifies with the key it names.
	selfSigned := false
	if by == nil && s.embed != nil {
		selfSigned = s.embed.Verify(dsse.PAE(s.env.PayloadType, s.env.DecodedPayload()), firstSig(s.env)) == nil
	}
	st, err := attest.ParseStatement(s.env.DecodedPayload())
	if err != nil {
		res.Status, res.Problems = StatusInvalid, []string{err.Error()}
		return res, nil
	}
	want, model, perr := expected(st)
	if perr != nil {
		res.Status, res.Problems = perr.Status, perr.Problems
		return res, nil
	}
	res.Model = model.name
	res.Files = len(want)
	if model.ser.Method != "files" || model.ser.HashType != "sha256" {
		res.Status = StatusUnsupported
		res.Problems = []string{fmt.Sprintf("serialization %s/%s: mlbom verifies method files with sha256", model.ser.Method, model.ser.HashType)}
		return res, nil
	}
	ser := model.ser
	ser.IgnorePaths = append(append([]string{}, ser.IgnorePaths...), DefaultIgnore...)
	if sigRel != "" {
		ser.IgnorePaths = append(ser.IgnorePaths, sigRel)
	}
	got, err := manifest(ctx, fsys, modelPath, ser)
	if err != nil {
		var se symlinkError
		if errors.As(err, &se) {
			res.Status, res.Problems = StatusInvalid, []string{se.Error()}
			return res, nil
		}
		return nil, err
	}
	res.Problems = compare(want, got)
	if by != nil {
		res.Signer = by.Name
	}
	switch {
	case len(res.Problems) > 0:
		res.Status = StatusInvalid
	case by != nil:
		res.Status = StatusValid
	case s.keyless:
		res.Status = StatusUnsupported
		res.Problems = []string{"signed with a certificate (Sigstore keyless or PKI): mlbom verifies the public-key variant; the files match the signed manifest"}
	default:
		res.Status = StatusUnverified
		why := "no trusted key verifies the signature"
		if len(trusted) == 0 {
			why = "no trusted public key is configured (MLBOM_TRUSTED_KEYS)"
		}
		if selfSigned {
			why += "; it verifies with the key embedded in the bundle"
		}
		res.Problems = []string{why + "; the files match the manifest the signature carries"}
	}
	return res, nil
}

func firstSig(e *dsse.Envelope) []byte {
	if sigs := e.DecodedSignatures(); len(sigs) > 0 {
		return sigs[0]
	}
	return nil
}

type signedModel struct {
	name string
	ser  serialization
}

// expected reads the signed manifest: resource name → sha256, checking the
// subject digest against the resources.
func expected(st *attest.Statement) (map[string]string, signedModel, *Result) {
	var m signedModel
	want := map[string]string{}
	switch st.PredicateType {
	case PredicateV1:
		var p predicate
		if err := json.Unmarshal(st.Predicate, &p); err != nil {
			return nil, m, invalid("predicate: %v", err)
		}
		if len(st.Subject) != 1 {
			return nil, m, invalid("want one subject, got %d", len(st.Subject))
		}
		m.name, m.ser = st.Subject[0].Name, p.Serialization
		root, err := rootDigest(p.Resources)
		if err != nil {
			return nil, m, invalid("%v", err)
		}
		if root != st.Subject[0].SHA256() {
			return nil, m, invalid("subject digest %s does not match the resources (%s): the manifest is inconsistent", st.Subject[0].SHA256(), root)
		}
		for _, r := range p.Resources {
			if r.Algorithm != p.Serialization.HashType && r.Algorithm != "" {
				return nil, m, &Result{Status: StatusUnsupported, Problems: []string{"resource " + r.Name + " uses " + r.Algorithm}}
			}
			want[r.Name] = strings.ToLower(r.Digest)
		}
	case predicateV01:
		m.name, m.ser = "", serialization{Method: "files", HashType: "sha256"}
		for _, s := range st.Subject {
			want[s.Name] = s.SHA256()
		}
	default:
		return nil, m, invalid("predicate type %q is not an OpenSSF model signature (%s)", st.PredicateType, PredicateV1)
	}
	return want, m, nil
}

func compare(want, got map[string]string) []string {
	var changed, missing, extra []string
	for n, d := range want {
		g, ok := got[n]
		switch {
		case !ok:
			missing = append(missing, n)
		case g != d:
			changed = append(changed, n)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			extra = append(extra, n)
		}
	}
	sort.Strings(changed)
	sort.Strings(missing)
	sort.Strings(extra)
	var out []string
	for _, n := range changed {
		out = append(out, fmt.Sprintf("changed %s (sha256 %s, signed %s)", n, got[n][:16], want[n][:min(16, len(want[n]))]))
	}
	for _, n := range missing {
		out = append(out, "missing "+n)
	}
	for _, n := range extra {
		out = append(out, "extra "+n)
	}
	return out
}

type symlinkError struct{ name string }

func (e symlinkError) Error() string {
	return fmt.Sprintf("%s is a symbolic link and the signature does not allow them", e.name)
}

// manifest hashes the model at root inside fsys: file name (relative to
// root, slash-separated; "." for a single-file model) → sha256.
func manifest(ctx context.Context, fsys fs.FS, root string, ser serialization) (map[string]string, error) {
	st, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", root, err)
	}
	out := map[string]string{}
	if !st.IsDir() {
		sum, _, err := weights.HashFile(ctx, fsys, root)
		if err != nil {
			return nil, err
		}
		out["."] = sum
		return out, nil
	}
	ignored := func(rel string) bool {
		for _, p := range ser.IgnorePaths {
			p = strings.TrimPrefix(path.Clean(p), "./")
			if rel == p || strings.HasPrefix(rel, p+"/") {
				return true
			}
		}
		return false
	}
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if root == "." {
			rel = p
		}
		if rel == "" || rel == "." {
			return nil
		}
		if ignored(rel) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if !ser.AllowSymlinks {
				return symlinkError{rel}
			}
			info, err := fs.Stat(fsys, p)
			if err != nil || info.IsDir() {
				return nil // links to directories are not followed
			}
		} else if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		sum, _, err := weights.HashFile(ctx, fsys, p)
		if err != nil {
			return err
		}
		out[rel] = sum
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
