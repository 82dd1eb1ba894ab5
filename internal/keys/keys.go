// Package keys provides the signing key pairs mlbom uses for attestations and
// model signatures: generation, PEM files as OpenSSL and cosign read them
// (PKCS #8 private keys, PKIX public keys), and signers and verifiers over
// raw messages.
//
// Supported algorithms: Ed25519 (pure, the message itself is signed) and
// ECDSA with the hash the curve calls for (P-256/SHA-256, P-384/SHA-384,
// P-521/SHA-512), signatures ASN.1 DER as Sigstore tools write them. Verifiers
// also accept the fixed-size r||s form, which some DSSE implementations emit.
// keygen makes Ed25519 and P-256 keys; P-384 and P-521 are accepted on
// verification because OpenSSF model-signing signers may use them.
//
// Private key files are not encrypted: they are written with mode 0600 and
// are meant to live in a secret store (a Kubernetes Secret, a CI secret),
// which is where unattended signers read them from.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"os"
	"strings"
)

// Algorithm names, as `mlbom keygen --type` takes them.
const (
	Ed25519   = "ed25519"
	ECDSAP256 = "ecdsa-p256"
)

// ErrKey marks an unusable key file or key type; retrying cannot help.
var ErrKey = errors.New("unusable key")

// ErrSignature means a signature does not verify with the key.
var ErrSignature = errors.New("signature does not verify")

// Generate makes a new private key of the named algorithm.
func Generate(alg string) (crypto.Signer, error) {
	switch strings.ToLower(alg) {
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case ECDSAP256, "", "ecdsa":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("%w: key type %q: want %s or %s", ErrKey, alg, ECDSAP256, Ed25519)
}

// MarshalPrivate encodes a private key as a PKCS #8 PEM block ("PRIVATE KEY").
func MarshalPrivate(priv crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: encode private key: %v", ErrKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublic encodes a public key as a PKIX PEM block ("PUBLIC KEY").
func MarshalPublic(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: encode public key: %v", ErrKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// WritePair writes the private key to prefix (mode 0600, refusing to
// overwrite) and its public key to prefix.pub.
func WritePair(prefix string, priv crypto.Signer) error {
	privPEM, err := MarshalPrivate(priv)
	if err != nil {
		return err
	}
	pubPEM, err := MarshalPublic(priv.Public())
	if err != nil {
		return err
	}
	f, err := os.OpenFile(prefix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write private key: %w (remove the old key first if you mean to replace it)", err)
	}
	if _, err := f.Write(privPEM); err != nil {
		f.Close()
		return fmt.Errorf("write private key %s: %w", prefix, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write private key %s: %w", prefix, err)
	}
	if err := os.WriteFile(prefix+".pub", pubPEM, 0o644); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	return nil
}

// maxKeyFile bounds what is read as a key file.
const maxKeyFile = 64 << 10

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrKey, path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes: not a key file", ErrKey, path, maxKeyFile)
	}
	return data, nil
}

// LoadPrivate reads a PEM private key file: PKCS #8 ("PRIVATE KEY", what
// keygen and `openssl genpkey` write) or SEC 1 ("EC PRIVATE KEY", what
// `openssl ecparam -genkey` writes). The key material never appears in
// errors.
func LoadPrivate(path string) (*Signer, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePrivate(data)
}

// ParsePrivate decodes a PEM private key (see LoadPrivate).
func ParsePrivate(data []byte) (*Signer, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%w: no PEM private key found (want a \"PRIVATE KEY\" block, e.g. from mlbom keygen)", ErrKey)
		}
		var key any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
			return nil, fmt.Errorf("%w: the private key is encrypted (%s); mlbom reads unencrypted PKCS #8 keys: "+
				"decrypt it (openssl pkcs8 -in KEY -out PLAIN) and keep the plain key in a secret store", ErrKey, b.Type)
		default:
			continue // e.g. EC PARAMETERS before the key
		}
		if err != nil {
			return nil, fmt.Errorf("%w: parse %s block: %v", ErrKey, b.Type, err)
		}
		cs, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%w: unsupported private key type %T", ErrKey, key)
		}
		return NewSigner(cs)
	}
}

// LoadPublic reads a PEM public key file (PKIX "PUBLIC KEY").
func LoadPublic(path string) (*Verifier, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	v, err := ParsePublic(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// ParsePublic decodes a PEM public key. A private key is refused with a hint,
// because handing a private key to a verifier is a mistake worth naming.
func ParsePublic(data []byte) (*Verifier, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%w: no PEM public key found (want a \"PUBLIC KEY\" block, e.g. PREFIX.pub from mlbom keygen)", ErrKey)
		}
		switch b.Type {
		case "PUBLIC KEY":
			key, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: parse public key: %v", ErrKey, err)
			}
			return NewVerifier(key)
		case "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: this is a private key; verify with the public key (PREFIX.pub)", ErrKey)
		}
	}
}

// Signer signs messages with one private key.
type Signer struct {
	key crypto.Signer
	pub *Verifier
}

// NewSigner wraps an Ed25519 or ECDSA (P-256, P-384, P-521) private key.
func NewSigner(key crypto.Signer) (*Signer, error) {
	v, err := NewVerifier(key.Public())
	if err != nil {
		return nil, err
	}
	return &Signer{key: key, pub: v}, nil
}

// Sign signs msg: Ed25519 over the message, ECDSA over its hash (ASN.1 DER).
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	switch k := s.key.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg), nil
	case *ecdsa.PrivateKey:
		h := s.pub.newHash()
		h.Write(msg)
		return ecdsa.SignASN1(rand.Reader, k, h.Sum(nil))
	}
	return nil, fmt.Errorf("%w: cannot sign with %T", ErrKey, s.key)
}

// Public is the verifier for this signer's key.
func (s *Signer) Public() *Verifier { return s.pub }

// KeyID is the public key's identifier (see Verifier.KeyID).
func (s *Signer) KeyID() string { return s.pub.KeyID() }

// Algorithm names the key type (see Verifier.Algorithm).
func (s *Signer) Algorithm() string { return s.pub.Algorithm() }

// Verifier checks signatures with one public key.
type Verifier struct {
	key  crypto.PublicKey
	der  []byte // PKIX
	alg  string
	hash func() hash.Hash // nil for Ed25519
	size int              // bytes of one ECDSA scalar
}

// NewVerifier wraps an Ed25519 or ECDSA public key.
func NewVerifier(pub crypto.PublicKey) (*Verifier, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	v := &Verifier{key: pub, der: der}
	switch k := pub.(type) {
	case ed25519.PublicKey:
		v.alg = Ed25519
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			v.alg, v.hash, v.size = ECDSAP256, sha256.New, 32
		case elliptic.P384():
			v.alg, v.hash, v.size = "ecdsa-p384", sha512.New384, 48
		case elliptic.P521():
			v.alg, v.hash, v.size = "ecdsa-p521", sha512.New, 66
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s is not supported (want P-256, P-384 or P-521)", ErrKey, k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("%w: public key type %T is not supported (want Ed25519 or ECDSA)", ErrKey, pub)
	}
	return v, nil
}

func (v *Verifier) newHash() hash.Hash { return v.hash() }

// Verify checks sig over msg; a mismatch is ErrSignature.
func (v *Verifier) Verify(msg, sig []byte) error {
	switch k := v.key.(type) {
	case ed25519.PublicKey:
		if len(sig) == ed25519.SignatureSize && ed25519.Verify(k, msg, sig) {
			return nil
		}
	case *ecdsa.PublicKey:
		h := v.newHash()
		h.Write(msg)
		digest := h.Sum(nil)
		if ecdsa.VerifyASN1(k, digest, sig) {
			return nil
		}
		// r||s, each left-padded to the scalar size.
		if len(sig) == 2*v.size {
			r := new(big.Int).SetBytes(sig[:v.size])
			s := new(big.Int).SetBytes(sig[v.size:])
			if ecdsa.Verify(k, digest, r, s) {
				return nil
			}
		}
	}
	return ErrSignature
}

// WellFormed reports whether sig has the shape of a signature of this key
// type: 64 bytes with a reduced scalar for Ed25519; ASN.1 DER (or r||s) with
// 0 < r, s < N for ECDSA. A verifier that fails a well-formed signature was
// given other content or another key; a malformed one was damaged.
func (v *Verifier) WellFormed(sig []byte) error {
	switch k := v.key.(type) {
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return fmt.Errorf("Ed25519 signature of %d bytes, want %d", len(sig), ed25519.SignatureSize)
		}
		if !reducedScalar(sig[32:]) {
			return errors.New("Ed25519 signature scalar out of range")
		}
	case *ecdsa.PublicKey:
		var r, s *big.Int
		var parsed struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(sig, &parsed); err == nil && len(rest) == 0 {
			r, s = parsed.R, parsed.S
		} else if len(sig) == 2*v.size {
			r, s = new(big.Int).SetBytes(sig[:v.size]), new(big.Int).SetBytes(sig[v.size:])
		} else {
			return errors.New("ECDSA signature is neither ASN.1 DER nor r||s")
		}
		n := k.Curve.Params().N
		if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
			return errors.New("ECDSA signature values out of range")
		}
	}
	return nil
}

// ed25519L is the order of the Ed25519 base point, little-endian.
var ed25519L = [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}

// reducedScalar: the little-endian 32-byte s is below L (RFC 8032 5.1.7).
func reducedScalar(s []byte) bool {
	for i := 31; i >= 0; i-- {
		switch {
		case s[i] < ed25519L[i]:
			return true
		case s[i] > ed25519L[i]:
			return false
		}
	}
	return false
}

// Public returns the public key.
func (v *Verifier) Public() crypto.PublicKey { return v.key }

// Algorithm is ed25519, ecdsa-p256, ecdsa-p384 or ecdsa-p521.
func (v *Verifier) Algorithm() string { return v.alg }

// KeyID identifies the public key: the hex SHA-256 of its PKIX DER encoding
// (the same value as `openssl pkey -pubin -outform DER | sha256sum`). It is
// the DSSE keyid mlbom writes, and only a hint: verification never trusts it.
func (v *Verifier) KeyID() string {
	sum := sha256.Sum256(v.der)
	return hex.EncodeToString(sum[:])
}

// PEM is the public key as a PKIX PEM block (64-column base64, trailing
// newline: byte for byte what OpenSSL and Python's cryptography write).
func (v *Verifier) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: v.der})
}

// Equal reports whether two verifiers hold the same public key.
func (v *Verifier) Equal(o *Verifier) bool { return o != nil && string(v.der) == string(o.der) }
