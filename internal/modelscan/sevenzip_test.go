package modelscan

import (
	"bytes"
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
