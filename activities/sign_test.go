package activities

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/keys"
	"github.com/mlbom/autopilot/internal/store"
)

// TestSigningFollowsTheServedBOM: with a signing key, BuildBOM signs the new
// version; the final RecordScan re-signs only when the BOM served for that
// version changed since (e.g. decisions merged into it), so the stored
// signature always covers the final document.
func TestSigningFollowsTheServedBOM(t *testing.T) {
	ctx := context.Background()
	a := newActivities(t)
	db := a.Store.(*store.DB)
	k, err := keys.Generate(keys.Ed25519)
	require.NoError(t, err)
	signer, err := keys.NewSigner(k)
	require.NoError(t, err)
	var extra []byte // appended to the served BOM, as a merge of annotations would change it
	reads := 0
	a.Signing = &Signing{Signer: signer, Store: db, ReadBOM: func(ctx context.Context, project string, version int) ([]byte, error) {
		reads++
		v, err := db.GetVersion(ctx, project, version)
		if err != nil {
			return nil, err
		}
		if extra == nil {
			return v.BOM, nil
		}
		return withExtra(v.BOM, extra), nil
	}}

	repo := writeRepo(t)
	scan, err := a.Scan(ctx, ScanRequest{ScanID: "scan/p/1", Source: repo, Project: "p"})
	require.NoError(t, err)
	norm, err := a.Normalize(ctx, NormalizeRequest{Project: "p", ResultRef: scan.ResultRef})
	require.NoError(t, err)
	built, err := a.BuildBOM(ctx, BuildBOMRequest{ScanID: "scan/p/1", Project: "p", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)

	sig, err := db.GetSignature(ctx, "p", built.Version)
	require.NoError(t, err, "BuildBOM signs the new version")
	v, err := attest.VerifyBOM(sig.Envelope, signer.Public())
	require.NoError(t, err)
	stored, _ := db.GetVersion(ctx, "p", built.Version)
	require.JSONEq(t, string(stored.BOM), string(v.BOM))
	require.Len(t, v.Statement.Subject, 1)

	// A retried BuildBOM finds the signature current and does not sign again.
	_, err = a.BuildBOM(ctx, BuildBOMRequest{ScanID: "scan/p/1", Project: "p", InventoryRef: norm.InventoryRef})
	require.NoError(t, err)
	again, _ := db.GetSignature(ctx, "p", built.Version)
	require.Equal(t, sig.Envelope, again.Envelope)

	// The served BOM gains the scan's decisions; completing the scan re-signs.
	extra = []byte(`,"annotations":[{"subjects":["x"],"annotator":{"individual":{"name":"ana"}},"timestamp":"2026-01-01T00:00:00Z","text":"approved"}]`)
	require.NoError(t, a.RecordScan(ctx, RecordScanRequest{Scan: ScanRow{ID: "scan/p/1", Project: "p", Status: "completed", Version: built.Version}, Summary: map[string]any{}}))
	final, err := db.GetSignature(ctx, "p", built.Version)
	require.NoError(t, err)
	v, err = attest.VerifyBOM(final.Envelope, signer.Public())
	require.NoError(t, err)
	require.Contains(t, string(v.BOM), `"text":"approved"`)
	require.Equal(t, attest.SHA256Hex(withExtra(stored.BOM, extra)), final.BOMSHA256)

	// Without a key nothing is signed and nothing is read.
	before := reads
	sg := a.Signing
	a.Signing = nil
	require.NoError(t, a.RecordScan(ctx, RecordScanRequest{Scan: ScanRow{ID: "scan/p/2", Project: "p", Status: "completed", Version: built.Version}}))
	require.Equal(t, before, reads)
	// A running scan's record does not sign either.
	a.Signing = sg
	require.NoError(t, a.RecordScan(ctx, RecordScanRequest{Scan: ScanRow{ID: "scan/p/3", Project: "p", Status: "running", Version: built.Version}}))
	require.Equal(t, before, reads)
}

// withExtra adds members to the end of a JSON object.
func withExtra(doc, extra []byte) []byte {
	t := bytes.TrimSpace(doc)
	out := append([]byte{}, t[:len(t)-1]...)
	return append(append(out, extra...), '}')
}
