package modelscan

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"testing"
)

func TestSevenZipDictionaryLimit(t *testing.T) {
	rs := func() []io.ReadCloser { return []io.ReadCloser{io.NopCloser(bytes.NewReader(nil))} }
	if _, err := lzma2Limited([]byte{40}, 0, rs()); err == nil {
		t.Error("4 GiB lzma2 dictionary accepted")
	}
	if _, err := lzma2Limited([]byte{16}, 0, rs()); err != nil {
		t.Errorf("1 MiB lzma2 dictionary refused: %v", err)
	}
	if _, err := lzmaLimited([]byte{0x5d, 0, 0, 0, 0xf0}, 0, rs()); err == nil {
		t.Error("4 GiB lzma dictionary accepted")
	}
}

func TestSevenZipMembers(t *testing.T) {
	b, err := os.ReadFile("../../bench/modelscan/samples/generated/7z/benign_weights.7z")
	if err != nil {
		t.Fatal(err)
	}
	r := scanBytes(t, "w.7z", b)
	if r.Status != StatusClean || r.Format != "7z" {
		t.Fatalf("benign 7z: %s %s %+v", r.Status, r.Format, r.Findings)
	}
	// a budget too small for the members is reported, not ignored
	opts := DefaultOptions()
	opts.MaxMemberSize = 64
	rep := Scan(t.Context(), "w.7z", bytes.NewReader(b), int64(len(b)), opts)
	if !hasRule(rep, "7z.bomb") {
		t.Fatalf("small budget: %+v", rep.Findings)
	}
}

// An archive asking for more files than its header could describe is
// refused before the 7z reader allocates for them (found by FuzzSevenZip:
// the reader made a 40 GiB slice); an encrypted header is unscannable.
func TestSevenZipHostileHeader(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz/FuzzSevenZip/34f1753cee69bd30")
	if err != nil {
		t.Fatal(err)
	}
	// the corpus file is go-fuzz encoded; the archive is in its second line
	if !bytes.Contains(b, []byte("7z")) {
		t.Fatal("corpus file changed")
	}
	hdr := []byte("7z\xbc\xaf\x27\x1c\x00\x04")
	files := append([]byte{0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}, 0x00, 0x00) // FilesInfo: 2^60 files
	z := sevenZipWithHeader(hdr, files)
	r := scanBytes(t, "x.7z", z)
	if !hasRule(r, "7z.malformed") || r.Status == StatusError {
		t.Fatalf("hostile file count: %s %+v", r.Status, r.Findings)
	}
	enc, err := os.ReadFile("testdata/encrypted_header.7z")
	if err != nil {
		t.Fatal(err)
	}
	r = scanBytes(t, "e.7z", enc)
	if r.Status != StatusUnscannable || !hasRule(r, "7z.encrypted") {
		t.Fatalf("encrypted header: %s %+v", r.Status, r.Findings)
	}
}

// sevenZipWithHeader lays out a signature header pointing at a plain header.
func sevenZipWithHeader(sig, header []byte) []byte {
	out := make([]byte, 32, 32+len(header))
	copy(out, sig)
	binary.LittleEndian.PutUint64(out[12:], 0)
	binary.LittleEndian.PutUint64(out[20:], uint64(len(header)))
	binary.LittleEndian.PutUint32(out[28:], crc32.ChecksumIEEE(header))
	binary.LittleEndian.PutUint32(out[8:], crc32.ChecksumIEEE(out[12:32]))
	return append(out, header...)
}
