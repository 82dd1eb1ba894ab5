package modelscan

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
)

// Decoy members that inflate to the shared decompression budget must not
// leave the pickle that follows them unread (issue 11).
func TestDecoysDoNotStarvePickle(t *testing.T) {
	opts := DefaultOptions()
	opts.MaxTotalUncompressed = 4 << 20
	opts.MaxMemberSize = 2 << 20
	var members []zmember
	for i := 0; i < 3; i++ { // 3 × 2 MiB of zeros, honestly declared
		members = append(members, zmember{name: "archive/extra/decoy" + string(rune('a'+i)), data: make([]byte, 2<<20), method: 8})
	}
	members = append(members, zmember{name: "archive/data.pkl", data: osSystem()}) // stored
	z := buildZip(t, members...)
	r := Scan(context.Background(), "model.pt", bytes.NewReader(z), int64(len(z)), opts)
	if r.Status != StatusMalicious || !hasRule(r, "pickle.denylisted-global") {
		t.Fatalf("stored data.pkl after decoys: status %s, findings %+v", r.Status, r.Findings)
	}

	// The same with a deflated pickle: it is always read, whatever the decoys used.
	members[len(members)-1].method = 8
	z = buildZip(t, members...)
	r = Scan(context.Background(), "model.pt", bytes.NewReader(z), int64(len(z)), opts)
	if r.Status != StatusMalicious {
		t.Fatalf("deflated data.pkl after decoys: status %s, findings %+v", r.Status, r.Findings)
	}
}

// A member that inflates past the size its headers declare is reported and
// cut at the declared size, so a lying decoy costs nothing more.
func TestMemberLargerThanDeclared(t *testing.T) {
	z := buildZip(t, zmember{name: "archive/data.pkl", data: torchStateDict("w")},
		zmember{name: "archive/extra/blob.bin", data: make([]byte, 1<<20), method: 8})
	z = setDeclaredSize(t, z, "archive/extra/blob.bin", 1000)
	r := scanBytes(t, "model.pt", z)
	if !hasRule(r, "zip.size-mismatch") {
		t.Fatalf("want zip.size-mismatch; findings %+v", r.Findings)
	}
}

// setDeclaredSize rewrites the uncompressed size of member in both headers.
func setDeclaredSize(t *testing.T, z []byte, member string, size uint32) []byte {
	t.Helper()
	out := append([]byte(nil), z...)
	n := 0
	for i := 0; i+46 < len(out); i++ {
		switch {
		case bytes.HasPrefix(out[i:], []byte("PK\x03\x04")):
			nl := int(binary.LittleEndian.Uint16(out[i+26:]))
			if i+30+nl <= len(out) && string(out[i+30:i+30+nl]) == member {
				binary.LittleEndian.PutUint32(out[i+22:], size)
				n++
			}
		case bytes.HasPrefix(out[i:], []byte("PK\x01\x02")):
			nl := int(binary.LittleEndian.Uint16(out[i+28:]))
			if i+46+nl <= len(out) && string(out[i+46:i+46+nl]) == member {
				binary.LittleEndian.PutUint32(out[i+24:], size)
				n++
			}
		}
	}
	if n != 2 {
		t.Fatalf("patched %d headers of %s", n, member)
	}
	return out
}

// A really encrypted member cannot be seen into: unscannable, not an
// attack (issue 13); the file is picklescan's benign encrypted sample.
func TestEncryptedZipIsUnscannable(t *testing.T) {
	p := "../../bench/modelscan/samples/public/mmaitre314+picklescan/tests/data/benign_password_protected.zip"
	r := ScanPath(context.Background(), p, DefaultOptions())
	if r.Status != StatusUnscannable || !hasRule(r, "zip.encrypted") {
		t.Fatalf("status %s findings %+v", r.Status, r.Findings)
	}
}

// Text that starts with a pickle opcode byte is a format mismatch (low),
// not a suspicious pickle.
func TestNotAPickle(t *testing.T) {
	for _, data := range []string{"cmod\n\xf8\n", "(Ix\n", "I12\n"} {
		r := scanBytes(t, "model.pkl", []byte(data))
		if r.Status == StatusSuspicious || r.Status == StatusMalicious || !(hasRule(r, "format.not-a-pickle") || hasRule(r, "format.extension-mismatch")) {
			t.Errorf("%q: status %s findings %+v", data, r.Status, r.Findings)
		}
	}
}
