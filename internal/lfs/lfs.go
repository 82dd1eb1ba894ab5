// Package lfs reads Git LFS pointer files: the small text files a
// repository holds in place of large objects (weights, data sets).
package lfs

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
)

// Pointer is a parsed Git LFS pointer file.
type Pointer struct {
	OID  string // sha256 hex
	Size int64
}

// Parse parses a Git LFS pointer strictly: the version line first,
// then sorted key/value lines with an oid sha256 of 64 hex digits and a
// decimal size; anything else is not a pointer.
func Parse(data []byte) (Pointer, bool) {
	var p Pointer
	if len(data) > MaxSize || len(data) == 0 {
		return p, false
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != "version https://git-lfs.github.com/spec/v1" {
		return p, false
	}
	prev := ""
	haveOID, haveSize := false, false
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, " ")
		if !ok || k == "" || v == "" || k < prev {
			return p, false
		}
		prev = k
		switch k {
		case "oid":
			hexs, ok := strings.CutPrefix(v, "sha256:")
			if !ok || len(hexs) != 64 || haveOID {
				return p, false
			}
			if _, err := hex.DecodeString(hexs); err != nil || strings.ToLower(hexs) != hexs {
				return p, false
			}
			p.OID, haveOID = hexs, true
		case "size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || haveSize {
				return p, false
			}
			p.Size, haveSize = n, true
		default:
			if !strings.HasPrefix(k, "ext-") {
				return p, false
			}
		}
	}
	return p, haveOID && haveSize
}

// MaxSize bounds a Git LFS pointer file: anything larger is content.
const MaxSize = 1024

// Looks reports content that claims to be a Git LFS pointer (and may
// still fail to parse).
func Looks(data []byte) bool {
	return len(data) <= MaxSize && bytes.HasPrefix(data, []byte("version https://git-lfs"))
}
