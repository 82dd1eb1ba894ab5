package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestSignaturesSQLite(t *testing.T) {
	testSignatures(t, "sqlite:"+filepath.Join(t.TempDir(), "mlbom.db"))
}

func TestSignaturesMySQL(t *testing.T) {
	testSignatures(t, freshMySQL(t, mysqlServer(t)))
}

func testSignatures(t *testing.T, loc string) {
	ctx := context.Background()
	d := open(t, loc)
	for i := 1; i <= 2; i++ {
		if _, _, err := d.SaveVersion(ctx, NewVersion{Project: "p", ScanID: "s" + string(rune('0'+i)), BOM: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.GetSignature(ctx, "p", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unsigned version: %v", err)
	}
	if err := d.SaveSignature(ctx, Signature{Project: "p", Version: 1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty signature: %v", err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	must := func(s Signature) {
		t.Helper()
		if err := d.SaveSignature(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	must(Signature{Project: "p", Version: 1, KeyID: "k1", Algorithm: "ed25519", BOMSHA256: "aa", Envelope: []byte(`{"a":1}`), CreatedAt: t0})
	must(Signature{Project: "p", Version: 2, KeyID: "k1", Algorithm: "ed25519", BOMSHA256: "bb", Envelope: []byte(`{"b":1}`), CreatedAt: t0})
	// Re-signing version 2 with the same key replaces the row.
	must(Signature{Project: "p", Version: 2, KeyID: "k1", Algorithm: "ed25519", BOMSHA256: "cc", Envelope: []byte(`{"c":1}`), CreatedAt: t0.Add(time.Hour)})
	must(Signature{Project: "p", Version: 2, KeyID: "k2", Algorithm: "ecdsa-p256", BOMSHA256: "cc", Envelope: []byte(`{"d":1}`), CreatedAt: t0.Add(30 * time.Minute)})

	list, err := d.ListSignatures(ctx, "p", 0) // latest = 2
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].KeyID != "k1" || string(list[0].Envelope) != `{"c":1}` || list[0].BOMSHA256 != "cc" ||
		!list[0].CreatedAt.Equal(t0.Add(time.Hour)) || list[1].KeyID != "k2" {
		t.Fatalf("signatures of v2: %+v", list)
	}
	got, err := d.GetSignature(ctx, "p", 1)
	if err != nil || string(got.Envelope) != `{"a":1}` || got.Version != 1 || got.Algorithm != "ed25519" {
		t.Fatalf("v1: %+v, %v", got, err)
	}
	if list, err := d.ListSignatures(ctx, "nobody", 0); err != nil || len(list) != 0 {
		t.Fatalf("unknown project: %v, %v", list, err)
	}
}
