package activities

import (
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/store"
)

// SignatureStore is what signing needs of the store.
type SignatureStore interface {
	SaveSignature(ctx context.Context, s store.Signature) error
	ListSignatures(ctx context.Context, project string, number int) ([]store.Signature, error)
}

// Signing signs every new BOM version when a key is configured
// (MLBOM_SIGNING_KEY).
type Signing struct {
	Signer attest.KeyedSigner
	// ReadBOM returns a version's BOM exactly as `mlbom bom` and the API
	// serve it, so the signature covers what readers get.
	ReadBOM func(ctx context.Context, project string, version int) ([]byte, error)
	Store   SignatureStore
}

// signVersion signs the version's BOM as served now, unless this key's
// stored signature already covers exactly those bytes. BuildBOM signs a new
// version at once (so a scan that fails later still leaves it signed); the
// final RecordScan signs again only if the BOM served for the version
// changed since (decisions made during the scan become part of it).
func (a *Activities) signVersion(ctx context.Context, project string, version int) error {
	sg := a.Signing
	if sg == nil || sg.Signer == nil || version <= 0 {
		return nil
	}
	data, err := sg.ReadBOM(ctx, project, version)
	if err != nil {
		return fmt.Errorf("read %s version %d to sign: %w", project, version, err)
	}
	have, err := sg.Store.ListSignatures(ctx, project, version)
	if err != nil {
		return err
	}
	sum := attest.SHA256Hex(data)
	for _, s := range have {
		if s.KeyID == sg.Signer.KeyID() && s.BOMSHA256 == sum {
			return nil
		}
	}
	rec, err := attest.SignVersion(project, version, data, sg.Signer)
	if err != nil {
		return err
	}
	rec.CreatedAt = a.now()
	return sg.Store.SaveSignature(ctx, rec)
}
