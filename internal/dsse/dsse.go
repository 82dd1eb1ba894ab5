// Package dsse provides the Dead Simple Signing Envelope (DSSE v1.0): the
// pre-authentication encoding, the JSON envelope, signing and verifying.
//
// Specification: https://github.com/secure-systems-lab/dsse (protocol.md,
// envelope.md). What this package relies on and guarantees:
//
//   - The signature covers PAE(payloadType, payload), never the JSON around
//     it, so re-encoding an envelope cannot change what was signed.
//   - Parse accepts standard and URL-safe base64, padded or not, as the spec
//     requires of verifiers; Sign writes standard padded base64.
//   - keyid is an unauthenticated hint: Verify never uses it to accept a key.
//   - Envelopes are untrusted input: Parse bounds sizes and counts and rejects
//     malformed fields with an error naming the field.
package dsse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PayloadTypeInToto is the payload type of in-toto statements.
const PayloadTypeInToto = "application/vnd.in-toto+json"

// Limits on untrusted envelopes.
const (
	MaxEnvelope   = 256 << 20 // bytes of envelope JSON (a BOM predicate can be large)
	maxSignatures = 64
	maxSigBytes   = 16 << 10
	maxKeyID      = 1024
)

// Errors callers tell apart.
var (
	// ErrMalformed: the bytes are not a DSSE envelope.
	ErrMalformed = errors.New("malformed DSSE envelope")
	// ErrUnsigned: no signature in the envelope verifies with any given key.
	ErrUnsigned = errors.New("no signature verifies with the given key")
)

// Signature is one entry of the envelope's signatures array.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"` // base64
}

// Envelope is the JSON envelope. Payload and Sig hold base64 text as read;
// use DecodedPayload for the bytes.
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"`
	Signatures  []Signature `json:"signatures"`

	payload []byte // decoded, set by Sign and Parse
	sigs    [][]byte
}

// Signer signs a message with one key.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
	KeyID() string
}

// Verifier checks a signature with one key.
type Verifier interface {
	Verify(msg, sig []byte) error
	KeyID() string
}

// PAE is the pre-authentication encoding:
//
//	"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//
// with LEN the decimal byte length without leading zeros.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(payloadType) + len(payload) + 32)
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Sign makes an envelope over payload with one signature per signer.
func Sign(payloadType string, payload []byte, signers ...Signer) (*Envelope, error) {
	if payloadType == "" {
		return nil, errors.New("dsse: empty payload type")
	}
	if len(signers) == 0 {
		return nil, errors.New("dsse: no signer")
	}
	msg := PAE(payloadType, payload)
	e := &Envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(payload), payload: payload}
	for _, s := range signers {
		sig, err := s.Sign(msg)
		if err != nil {
			return nil, fmt.Errorf("dsse: sign: %w", err)
		}
		e.Signatures = append(e.Signatures, Signature{KeyID: s.KeyID(), Sig: base64.StdEncoding.EncodeToString(sig)})
		e.sigs = append(e.sigs, sig)
	}
	return e, nil
}

// Parse decodes a JSON envelope. It checks the shape (payloadType present,
// payload and every sig valid base64, at least one signature) but verifies
// nothing: call Verify.
func Parse(data []byte) (*Envelope, error) {
	if len(data) > MaxEnvelope {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrMalformed, len(data), MaxEnvelope)
	}
	// Decode into raw fields first so a wrong JSON type is reported by name.
	var raw struct {
		PayloadType *string         `json:"payloadType"`
		Payload     *string         `json:"payload"`
		Signatures  json.RawMessage `json:"signatures"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, jsonProblem(err))
	}
	if raw.PayloadType == nil || *raw.PayloadType == "" {
		return nil, fmt.Errorf("%w: payloadType missing", ErrMalformed)
	}
	if raw.Payload == nil {
		return nil, fmt.Errorf("%w: payload missing", ErrMalformed)
	}
	e := &Envelope{PayloadType: *raw.PayloadType, Payload: *raw.Payload}
	payload, err := decodeBase64(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64: %v", ErrMalformed, err)
	}
	e.payload = payload
	if len(raw.Signatures) == 0 || string(raw.Signatures) == "null" {
		return nil, fmt.Errorf("%w: signatures missing", ErrMalformed)
	}
	if err := json.Unmarshal(raw.Signatures, &e.Signatures); err != nil {
		return nil, fmt.Errorf("%w: signatures: %v", ErrMalformed, jsonProblem(err))
	}
	if len(e.Signatures) == 0 {
		return nil, fmt.Errorf("%w: no signatures", ErrMalformed)
	}
	if len(e.Signatures) > maxSignatures {
		return nil, fmt.Errorf("%w: %d signatures, more than the %d allowed", ErrMalformed, len(e.Signatures), maxSignatures)
	}
	for i, s := range e.Signatures {
		if len(s.KeyID) > maxKeyID {
			return nil, fmt.Errorf("%w: signatures[%d].keyid longer than %d bytes", ErrMalformed, i, maxKeyID)
		}
		if s.Sig == "" {
			return nil, fmt.Errorf("%w: signatures[%d].sig empty", ErrMalformed, i)
		}
		if len(s.Sig) > maxSigBytes*2 {
			return nil, fmt.Errorf("%w: signatures[%d].sig longer than %d bytes", ErrMalformed, i, maxSigBytes)
		}
		sig, err := decodeBase64(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("%w: signatures[%d].sig is not base64: %v", ErrMalformed, i, err)
		}
		e.sigs = append(e.sigs, sig)
	}
	return e, nil
}

// jsonProblem shortens encoding/json errors to what a user can act on.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong JSON type (%s)", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("not JSON (offset %d: %v)", se.Offset, err)
	}
	return err.Error()
}

// decodeBase64 accepts standard and URL-safe alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// DecodedPayload is the signed body. Trust it only after Verify succeeded.
func (e *Envelope) DecodedPayload() []byte { return e.payload }

// DecodedSignatures are the signature bytes, in the order of Signatures.
func (e *Envelope) DecodedSignatures() [][]byte { return e.sigs }

// Verify checks that at least one signature verifies with one of the
// verifiers, and returns the verifier that accepted it. keyids are ignored:
// tools compute them differently (cosign leaves them empty), and trying every
// key costs microseconds.
func (e *Envelope) Verify(verifiers ...Verifier) (Verifier, error) {
	if len(e.sigs) != len(e.Signatures) {
		return nil, fmt.Errorf("%w: envelope was not parsed", ErrMalformed)
	}
	msg := PAE(e.PayloadType, e.payload)
	for i := range e.Signatures {
		for _, v := range verifiers {
			if v.Verify(msg, e.sigs[i]) == nil {
				return v, nil
			}
		}
	}
	return nil, ErrUnsigned
}

// Marshal encodes the envelope as compact JSON.
func (e *Envelope) Marshal() ([]byte, error) {
	return json.Marshal(e)
}
