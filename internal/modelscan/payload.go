package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Payloads hidden in data: a pickle's strings and bytes can hold another
// pickle (raw, or base64 or hex encoded) that the file's own loader never
// runs but a second stage does (pickle.loads(base64.b64decode(cfg["x"]))).
// Such values are decoded and, when they are a complete pickle or a zip,
// scanned as nested files: recursion is bounded by Options.MaxNesting and
// the bytes by Options.MaxKeptBytes; at most maxPayloads per stream.

const (
	maxPayloads     = 32
	minPayloadBytes = 16
)

type dataPayload struct {
	how  string
	off  int64
	data []byte
}

// dataPayload notes v when it decodes to a nested pickle or zip.
func (d *decoder) dataPayload(v string, off int64) {
	if d.s.nested == nil || len(d.pending) >= maxPayloads || len(v) < minPayloadBytes {
		return
	}
	if data, how := decodePayload(v); data != nil {
		d.pending = append(d.pending, dataPayload{how: how, off: off, data: data})
	}
}

// decodePayload returns the bytes v holds when they start like a pickle
// (PROTO 2-5) or a zip, directly or after base64 or hex decoding.
func decodePayload(v string) ([]byte, string) {
	if looksNested([]byte(v)) {
		return []byte(v), "bytes"
	}
	if isHex(v) {
		if b, err := hex.DecodeString(v); err == nil && looksNested(b) {
			return b, "hex"
		}
	}
	if isBase64(v) {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(v); err == nil {
				if looksNested(b) {
					return b, "base64"
				}
				break
			}
		}
	}
	return nil, ""
}

func looksNested(b []byte) bool {
	return len(b) >= 4 && (b[0] == opProto && b[1] >= 2 && b[1] <= 5 || bytes.HasPrefix(b, []byte("PK\x03\x04")))
}

func isHex(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// completeNested reports whether data is a whole pickle stream (decoded to
// STOP at its end) or a readable zip: only those are scanned, so random
// bytes that happen to start with 0x80 raise nothing.
func completeNested(ctx context.Context, opts Options, data []byte) bool {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		e, err := readZipDirectory(bytes.NewReader(data), int64(len(data)))
		return err == nil && len(e) > 0
	}
	ps := &pickleScanner{ctx: ctx, opts: opts, rep: &reporter{max: 1}}
	res := ps.decodeStream(&pickleReader{br: bufio.NewReader(bytes.NewReader(data))}, false)
	return res.stopped && res.end == int64(len(data))
}

// scanPending scans the payloads a stream's data held.
func (d *decoder) scanPending() {
	for _, p := range d.pending {
		if d.s.ctx.Err() != nil {
			return
		}
		if completeNested(d.s.ctx, d.s.opts, p.data) {
			d.s.nested(fmt.Sprintf("(%s in data)@%d", p.how, p.off), p.data)
		}
	}
	d.pending = nil
}
