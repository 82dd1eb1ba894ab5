package lfs

import (
	"fmt"
	"strings"
	"testing"
)

const lfsPtr = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1234\n"

func TestParse(t *testing.T) {
	p, ok := Parse([]byte(lfsPtr))
	if !ok || p.Size != 1234 || p.OID[:4] != "4d7a" {
		t.Errorf("Parse = %+v %v", p, ok)
	}
	for _, bad := range []string{
		strings.Replace(lfsPtr, "size 1234", "size -1", 1),
		strings.Replace(lfsPtr, "oid sha256:", "oid md5:", 1),
		"version https://git-lfs.github.com/spec/v1\nsize 12\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n",
		lfsPtr + "junk line\n",
	} {
		if _, ok := Parse([]byte(bad)); ok {
			t.Errorf("accepted bad pointer %q", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(lfsPtr))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\next-0-foo sha256:00\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 0\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := Parse(data)
		if !ok {
			return
		}
		if len(p.OID) != 64 || p.Size < 0 {
			t.Fatalf("accepted %+v", p)
		}
		again := fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", p.OID, p.Size)
		q, ok := Parse([]byte(again))
		if !ok || q != p {
			t.Fatalf("round trip %+v -> %+v %v", p, q, ok)
		}
	})
}
