package modelscan

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"testing"
)

// pk writes pickle opcodes byte by byte.
type pk struct{ bytes.Buffer }

func newPk(proto byte) *pk {
	p := &pk{}
	if proto >= 2 {
		p.Write([]byte{0x80, proto})
	}
	return p
}

func (p *pk) op(b ...byte) *pk { p.Write(b); return p }

// global writes GLOBAL module\nname\n.
func (p *pk) global(mod, name string) *pk {
	p.WriteString("c" + mod + "\n" + name + "\n")
	return p
}

// str writes BINUNICODE.
func (p *pk) str(s string) *pk {
	p.WriteByte('X')
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(len(s)))
	p.Write(l[:])
	p.WriteString(s)
	return p
}

// sstr writes SHORT_BINUNICODE.
func (p *pk) sstr(s string) *pk {
	p.WriteByte(0x8c)
	p.WriteByte(byte(len(s)))
	p.WriteString(s)
	return p
}

func (p *pk) bytesOp(b []byte) *pk {
	p.WriteByte('B')
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(len(b)))
	p.Write(l[:])
	p.Write(b)
	return p
}

func (p *pk) int1(v byte) *pk { return p.op('K', v) }
func (p *pk) put(i byte) *pk  { return p.op('q', i) }
func (p *pk) get(i byte) *pk  { return p.op('h', i) }
func (p *pk) stop() []byte    { p.WriteByte('.'); return append([]byte(nil), p.Bytes()...) }

// osSystem is the classic payload: os.system("id") via REDUCE.
func osSystem() []byte {
	return newPk(2).global("os", "system").op('(').str("id").op('t', 'R').stop()
}

// torchStateDict is a state_dict pickle exactly as torch.save (protocol 2)
// writes it: an OrderedDict of _rebuild_tensor_v2 calls whose storages are
// persistent ids ('storage', torch.FloatStorage, '0', 'cpu', 6), with the
// _metadata state set by BUILD.
func torchStateDict(names ...string) []byte {
	p := newPk(2)
	p.global("collections", "OrderedDict").put(0).op(')').op('R').put(1)
	p.op('(')
	memo := byte(2)
	for i, n := range names {
		p.str(n).put(memo)
		memo++
		p.global("torch._utils", "_rebuild_tensor_v2").put(memo)
		memo++
		p.op('(')
		p.op('(').str("storage").put(memo)
		memo++
		p.global("torch", "FloatStorage").put(memo)
		memo++
		p.str(string(rune('0' + i))).put(memo)
		memo++
		p.str("cpu").put(memo)
		memo++
		p.int1(6).op('t').put(memo).op('Q')
		memo++
		p.int1(0)
		p.int1(2).int1(3).op(0x86).put(memo)
		memo++
		p.int1(3).int1(1).op(0x86).put(memo)
		memo++
		p.op(0x89)
		p.global("collections", "OrderedDict").put(memo).op(')').op('R').put(memo + 1)
		memo += 2
		p.op('t').put(memo).op('R').put(memo + 1)
		memo += 2
	}
	p.op('u')
	// state: {'_metadata': OrderedDict([('', {'version': 1})])}
	p.op('}').put(memo).str("_metadata").put(memo + 1).get(0).op(')').op('R').put(memo + 2)
	p.str("").put(memo + 3).op('}').put(memo + 4).str("version").put(memo + 5).int1(1).op('s').op('s')
	p.op('s').op('b')
	return p.stop()
}

type zmember struct {
	name   string
	data   []byte
	method uint16
}

func buildZip(t testing.TB, members ...zmember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// torchZip lays a state_dict out as torch.save's zip format does.
func torchZip(t testing.TB, dataPkl []byte) []byte {
	return buildZip(t,
		zmember{name: "archive/data.pkl", data: dataPkl},
		zmember{name: "archive/byteorder", data: []byte("little")},
		zmember{name: "archive/data/0", data: make([]byte, 24)},
		zmember{name: "archive/version", data: []byte("3\n")},
		zmember{name: "archive/.data/serialization_id", data: []byte("1234567890")},
	)
}

func scanBytes(t testing.TB, name string, data []byte) Report {
	t.Helper()
	return Scan(context.Background(), name, bytes.NewReader(data), int64(len(data)), DefaultOptions())
}
