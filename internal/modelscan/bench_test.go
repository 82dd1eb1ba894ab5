package modelscan

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Benchmark files are MODELSCAN_BENCH_MIB MiB (default 256; compare.sh
// does 1 GiB whole-process against openssl). They are written once per
// process and removed by TestMain.
var (
	benchDir   string
	benchOnce  sync.Map
	benchMkdir sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchMiB() int {
	if v, err := strconv.Atoi(os.Getenv("MODELSCAN_BENCH_MIB")); err == nil && v >= 16 {
		return v
	}
	return 256
}

func benchFile(b *testing.B, kind string) string {
	benchMkdir.Do(func() {
		d, err := os.MkdirTemp("", "modelscan-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	})
	p := filepath.Join(benchDir, kind)
	once, _ := benchOnce.LoadOrStore(kind, &sync.Once{})
	once.(*sync.Once).Do(func() {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		w := bufio.NewWriterSize(f, 4<<20)
		const tensors = 16
		per := benchMiB() / tensors
		switch kind {
		case "model.pt":
			names := make([]string, tensors)
			for i := range names {
				names[i] = fmt.Sprintf("layers.%d.weight", i)
			}
			zw := zip.NewWriter(w)
			mw, _ := zw.CreateHeader(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Store})
			mw.Write(torchStateDict(names...))
			for i := 0; i < tensors; i++ {
				mw, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("archive/data/%d", i), Method: zip.Store})
				writePattern(mw, per)
			}
			mw, _ = zw.CreateHeader(&zip.FileHeader{Name: "archive/version", Method: zip.Store})
			mw.Write([]byte("3\n"))
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
		case "model.safetensors":
			hdr := map[string]any{}
			size := int64(per) << 20
			for i := 0; i < tensors; i++ {
				hdr[fmt.Sprintf("layers.%d.weight", i)] = map[string]any{"dtype": "F32", "shape": []int64{size / 4}, "data_offsets": []int64{int64(i) * size, int64(i+1) * size}}
			}
			h, _ := json.Marshal(hdr)
			binary.Write(w, binary.LittleEndian, uint64(len(h)))
			w.Write(h)
			for i := 0; i < tensors; i++ {
				writePattern(w, per)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	})
	return p
}

func writePattern(w io.Writer, mib int) {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	for i := 0; i < mib; i++ {
		w.Write(buf)
	}
}

func benchScan(b *testing.B, kind string, hash bool) {
	p := benchFile(b, kind)
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Hash = hash
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := ScanPath(context.Background(), p, opts)
		if r.Status != StatusClean {
			b.Fatalf("status %s: %+v", r.Status, r.Findings)
		}
	}
}

func BenchmarkScanPyTorchZip(b *testing.B) {
	b.Run("hash=off", func(b *testing.B) { benchScan(b, "model.pt", false) })
	b.Run("hash=on", func(b *testing.B) { benchScan(b, "model.pt", true) })
}

func BenchmarkScanSafetensors(b *testing.B) {
	b.Run("hash=off", func(b *testing.B) { benchScan(b, "model.safetensors", false) })
	b.Run("hash=on", func(b *testing.B) { benchScan(b, "model.safetensors", true) })
}

// BenchmarkDecodePickle measures the decoder alone on a large state dict.
func BenchmarkDecodePickle(b *testing.B) {
	names := make([]string, 2000)
	for i := range names {
		names[i] = fmt.Sprintf("l%d", i)
	}
	data := torchStateDict(names[:200]...)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if r := scanBytes(b, "sd.pkl", data); r.Status != StatusClean {
			b.Fatal(r.Findings)
		}
	}
}
