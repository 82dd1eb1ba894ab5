package weights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
)

// hashBufSize is large enough that read syscalls cost little next to the
// SHA-NI compression loop.
const hashBufSize = 1 << 20

// HashFile returns the SHA-256 (lower-case hex) and size of one file,
// streaming it through a large buffer.
func HashFile(ctx context.Context, fsys fs.FS, p string) (sum string, size int64, err error) {
	return hashFileBuf(ctx, fsys, p, make([]byte, hashBufSize))
}

func hashFileBuf(ctx context.Context, fsys fs.FS, p string, buf []byte) (string, int64, error) {
	fh, err := fsys.Open(p)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", p, err)
	}
	defer fh.Close()
	h := sha256.New()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", n, fmt.Errorf("hash %s: %w", p, err)
		}
		m, rerr := fh.Read(buf)
		if m > 0 {
			h.Write(buf[:m])
			n += int64(m)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", n, fmt.Errorf("hash %s: %w", p, rerr)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
