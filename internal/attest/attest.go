// Package attest signs CycloneDX BOMs as in-toto attestations and verifies
// them, and verifies files on disk against what a signed BOM says
// (verify-before-use).
//
// An attestation is a DSSE envelope (payload type
// application/vnd.in-toto+json) around an in-toto Statement v1 whose
// predicate is the BOM itself (predicate type https://cyclonedx.org/bom,
// what `cosign attest-blob --type cyclonedx` uses) and whose subjects are the
// BOM's weight and dataset files with their SHA-256: name = the path relative
// to the scanned repository, as the BOM records it.
//
// Verification is strict and says what failed: a malformed envelope, a
// signature that does not verify (and whether the key is another one or the
// content was altered), a statement of the wrong type or predicate type, or
// subjects that disagree with the signed BOM. Only after all of that is the
// BOM returned.
//
// Specifications followed: DSSE v1.0 (see package dsse); in-toto Attestation
// Framework v1 (Statement, ResourceDescriptor, DigestSet: lower-case hex,
// unknown fields ignored).
package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/dsse"
	"github.com/mlbom/autopilot/internal/store"
)

// Type URIs.
const (
	StatementV1        = "https://in-toto.io/Statement/v1"
	statementV01       = "https://in-toto.io/Statement/v0.1" // what older cosign writes; accepted on verify
	PredicateCycloneDX = "https://cyclonedx.org/bom"
)

// Errors, one per way verification fails. Each error returned wraps exactly
// one of them.
var (
	ErrMalformed     = errors.New("not a signed attestation")
	ErrSignature     = errors.New("signature does not verify")
	ErrWrongKey      = errors.New("signed by another key")
	ErrStatement     = errors.New("not an in-toto statement")
	ErrPredicateType = errors.New("wrong predicate type")
	ErrSubjects      = errors.New("subjects disagree with the signed BOM")
	ErrNotBOM        = errors.New("not a CycloneDX JSON BOM")
)

// Subject is an in-toto ResourceDescriptor with a name and a digest set.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// SHA256 is the subject's sha256 digest ("" when it has none).
func (s Subject) SHA256() string { return s.Digest["sha256"] }

// Statement is an in-toto Statement.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate,omitempty"`
}

// Signer signs DSSE envelopes (implemented by *keys.Signer).
type Signer = dsse.Signer

// Verifier checks DSSE signatures (implemented by *keys.Verifier).
type Verifier interface {
	dsse.Verifier
	// WellFormed reports whether sig could be a signature of this key type
	// at all, to tell a corrupted signature from altered content.
	WellFormed(sig []byte) error
}

// SignBOM makes an attestation for a CycloneDX JSON BOM: the envelope JSON
// and the statement inside it.
func SignBOM(bomJSON []byte, s Signer) ([]byte, *Statement, error) {
	subjects, err := BOMSubjects(bomJSON)
	if err != nil {
		return nil, nil, err
	}
	var pred bytes.Buffer
	if err := json.Compact(&pred, bomJSON); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotBOM, err)
	}
	st := &Statement{Type: StatementV1, Subject: subjects, PredicateType: PredicateCycloneDX, Predicate: pred.Bytes()}
	payload, err := marshalStatement(st)
	if err != nil {
		return nil, nil, err
	}
	env, err := dsse.Sign(dsse.PayloadTypeInToto, payload, s)
	if err != nil {
		return nil, nil, err
	}
	out, err := env.Marshal()
	if err != nil {
		return nil, nil, err
	}
	return out, st, nil
}

// marshalStatement encodes without HTML escaping, so text from the BOM
// ("<", "&") stays as it was.
func marshalStatement(st *Statement) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Verified is a verified BOM attestation.
type Verified struct {
	Statement Statement
	// BOM is the signed CycloneDX JSON (the predicate).
	BOM []byte
	// KeyID identifies the key whose signature verified.
	KeyID string
}

// VerifyBOM checks an attestation with the given public keys and returns the
// signed BOM. See the package comment for what is checked.
func VerifyBOM(envelope []byte, verifiers ...Verifier) (*Verified, error) {
	if len(verifiers) == 0 {
		return nil, errors.New("verify: no public key given")
	}
	env, err := dsse.Parse(envelope)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if env.PayloadType != dsse.PayloadTypeInToto {
		return nil, fmt.Errorf("%w: payload type %q, want %q", ErrStatement, env.PayloadType, dsse.PayloadTypeInToto)
	}
	dv := make([]dsse.Verifier, len(verifiers))
	for i, v := range verifiers {
		dv[i] = v
	}
	ok, err := env.Verify(dv...)
	if err != nil {
		return nil, explainSignature(env, verifiers)
	}
	st, err := ParseStatement(env.DecodedPayload())
	if err != nil {
		return nil, err
	}
	if st.PredicateType != PredicateCycloneDX {
		return nil, fmt.Errorf("%w: %q, want %q (this attestation is not about a CycloneDX BOM)", ErrPredicateType, st.PredicateType, PredicateCycloneDX)
	}
	want, err := BOMSubjects(st.Predicate)
	if err != nil {
		return nil, err
	}
	if err := sameSubjects(st.Subject, want); err != nil {
		return nil, err
	}
	return &Verified{Statement: *st, BOM: st.Predicate, KeyID: ok.KeyID()}, nil
}

// explainSignature says why no signature verified: another key's keyid, a
// signature that cannot be one of this key type, or content that was altered
// after signing.
func explainSignature(env *dsse.Envelope, verifiers []Verifier) error {
	ids := make([]string, len(verifiers))
	for i, v := range verifiers {
		ids[i] = short(v.KeyID())
	}
	given := strings.Join(ids, ", ")
	sigs := env.DecodedSignatures()
	for i, s := range env.Signatures {
		if s.KeyID == "" {
			continue
		}
		mine := false
		for _, v := range verifiers {
			mine = mine || v.KeyID() == s.KeyID
		}
		if !mine {
			return fmt.Errorf("%w: the envelope names key %s, you gave %s (use the public key that belongs to the signing key)", ErrWrongKey, short(s.KeyID), given)
		}
		for _, v := range verifiers {
			if v.KeyID() == s.KeyID {
				if err := v.WellFormed(sigs[i]); err != nil {
					return fmt.Errorf("%w: the signature of key %s is corrupt (%v): it was altered after signing", ErrSignature, short(s.KeyID), err)
				}
			}
		}
	}
	return fmt.Errorf("%w: with key %s: the statement (BOM or subjects) was altered after signing, or another key signed it", ErrSignature, given)
}

func short(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

// ParseStatement decodes an in-toto statement (v1, or v0.1 as older tools
// write it), checking the fields this package relies on.
func ParseStatement(payload []byte) (*Statement, error) {
	var st Statement
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	if st.Type != StatementV1 && st.Type != statementV01 {
		return nil, fmt.Errorf("%w: _type %q, want %q", ErrStatement, st.Type, StatementV1)
	}
	if st.PredicateType == "" {
		return nil, fmt.Errorf("%w: predicateType missing", ErrStatement)
	}
	for i, s := range st.Subject {
		if len(s.Digest) == 0 {
			return nil, fmt.Errorf("%w: subject[%d] %q has no digest", ErrStatement, i, s.Name)
		}
		for alg, v := range s.Digest {
			if alg == "sha256" && !isHex64(v) {
				return nil, fmt.Errorf("%w: subject[%d] %q: sha256 %q is not 64 lower-case hex digits", ErrStatement, i, s.Name, v)
			}
		}
	}
	return &st, nil
}

func sameSubjects(got, want []Subject) error {
	wantBy := map[string]string{}
	for _, s := range want {
		wantBy[s.Name] = s.SHA256()
	}
	gotBy := map[string]string{}
	for _, s := range got {
		if d := s.SHA256(); d != "" {
			gotBy[s.Name] = d
		}
	}
	var problems []string
	for _, s := range got {
		d := s.SHA256()
		if d == "" {
			continue
		}
		w, ok := wantBy[s.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("subject %s is not a file of the BOM", s.Name))
		case w != d:
			problems = append(problems, fmt.Sprintf("subject %s has digest %s, the BOM says %s", s.Name, short(d), short(w)))
		}
	}
	for _, s := range want {
		if _, ok := gotBy[s.Name]; !ok {
			problems = append(problems, fmt.Sprintf("BOM file %s is not a subject", s.Name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%w: %s", ErrSubjects, strings.Join(problems, "; "))
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// KeyedSigner is a Signer that also names its algorithm (implemented by
// *keys.Signer).
type KeyedSigner interface {
	Signer
	Algorithm() string
}

// SignVersion signs the BOM of a stored version and returns the record to
// store with it: the envelope, the key, and the SHA-256 of the exact BOM
// bytes signed (so a reader can tell whether the signature still covers the
// BOM as served).
func SignVersion(project string, version int, bomJSON []byte, s KeyedSigner) (store.Signature, error) {
	env, _, err := SignBOM(bomJSON, s)
	if err != nil {
		return store.Signature{}, fmt.Errorf("sign %s version %d: %w", project, version, err)
	}
	return store.Signature{Project: project, Version: version, KeyID: s.KeyID(), Algorithm: s.Algorithm(),
		BOMSHA256: SHA256Hex(bomJSON), Envelope: env}, nil
}

// SHA256Hex is the lower-case hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
