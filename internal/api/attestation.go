package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
)

// MediaTypeAttestation is a DSSE envelope around an in-toto statement whose
// predicate is a CycloneDX BOM (in-toto's storage convention for
// single attestations).
const MediaTypeAttestation = "application/vnd.in-toto.cyclonedx+dsse"

// attestation serves the signature stored with a version: the DSSE envelope
// as `mlbom sign` writes it, which `mlbom verify --bom` and `cosign
// verify-blob-attestation --type cyclonedx` check. X-Mlbom-Covers-Served
// says whether it covers the BOM this API serves for that version now.
func (s *server) attestation(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "version")
	if err != nil {
		return err
	}
	number, err := intParam(q, "version", 0, 1, -1)
	if err != nil {
		return err
	}
	project := r.PathValue("project")
	v, data, err := StoredBOM(r.Context(), s.db, project, number, FormatJSON)
	if err != nil {
		return err
	}
	sig, err := s.db.GetSignature(r.Context(), project, v.Number)
	if err != nil {
		return fmt.Errorf("version %d of %s is not signed: %w", v.Number, project, err)
	}
	sum := sha256.Sum256(data)
	w.Header().Set("Content-Type", MediaTypeAttestation)
	w.Header().Set("X-Mlbom-Version", strconv.Itoa(v.Number))
	w.Header().Set("X-Mlbom-Key-Id", sig.KeyID)
	w.Header().Set("X-Mlbom-Covers-Served", strconv.FormatBool(sig.BOMSHA256 == hex.EncodeToString(sum[:])))
	w.Header().Set("Content-Length", strconv.Itoa(len(sig.Envelope)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(sig.Envelope)
	}
	return nil
}
