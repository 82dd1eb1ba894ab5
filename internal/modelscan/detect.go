package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"strings"

	"github.com/mlbom/autopilot/internal/modelformat"
)

// sniff decides the format from the first bytes (head) of the content with
// the shared sniffer (internal/modelformat), whose names the report uses.
// size is -1 when unknown. Protocol 0 and 1 pickles have no magic bytes:
// the decoder confirms them.
func sniff(head []byte, size int64, name string) string {
	f := modelformat.Content(head, size, name)
	if f == modelformat.Unknown && modelformat.MayBeOldPickle(head) && looksLikeProto0Pickle(head) {
		return modelformat.Pickle
	}
	return f
}

// looksLikeProto0Pickle decodes the head as a protocol 0/1 pickle and
// accepts it when it reaches STOP, or runs out of bytes after several
// sensible opcodes.
func looksLikeProto0Pickle(head []byte) bool {
	ps := &pickleScanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 1}}
	pr := &pickleReader{br: bufio.NewReader(bytes.NewReader(head))}
	res := ps.decodeStream(pr, false)
	if res.stopped {
		return true
	}
	for _, g := range res.globals {
		if g.v != verdictInvalid {
			return true
		}
	}
	if res.broken != nil && strings.Contains(res.broken.Error(), "unexpected EOF") && len(head) >= 4096 && res.ops >= 8 {
		for _, g := range res.globals {
			if g.v == verdictInvalid {
				return false
			}
		}
		return true
	}
	return false
}
