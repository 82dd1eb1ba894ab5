// Command scancmd writes large benign model files and scans them, for
// bench/modelscan/compare.sh. It is a benchmark harness, not the product CLI.
//
//	scancmd gen-pytorch FILE MIB      torch.save-style zip: data.pkl + stored storages
//	scancmd gen-safetensors FILE MIB  safetensors with one header and raw tensors
//	scancmd scan [-hash] FILE...      modelscan.ScanPath; prints verdict and time
package main

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/mlbom/autopilot/internal/modelscan"
)

const tensorMiB = 64

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "gen-pytorch", "gen-safetensors":
		if len(os.Args) != 4 {
			usage()
		}
		mib, perr := strconv.Atoi(os.Args[3])
		if perr != nil || mib < tensorMiB {
			fmt.Fprintf(os.Stderr, "size must be a number of MiB >= %d\n", tensorMiB)
			os.Exit(2)
		}
		if os.Args[1] == "gen-pytorch" {
			err = genPyTorch(os.Args[2], mib/tensorMiB)
		} else {
			err = genSafetensors(os.Args[2], mib/tensorMiB)
		}
	case "scan":
		err = scan(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: scancmd gen-pytorch|gen-safetensors FILE MIB | scancmd scan [-hash] FILE...")
	os.Exit(2)
}

func scan(args []string) error {
	fs := flag.NewFlagSet("scan", flag.ExitOnError)
	hash := fs.Bool("hash", false, "compute SHA-256 as part of the scan")
	fs.Parse(args)
	opts := modelscan.DefaultOptions()
	opts.Hash = *hash
	opts.TimeBudget = 10 * time.Minute
	for _, p := range fs.Args() {
		start := time.Now()
		r := modelscan.ScanPath(context.Background(), p, opts)
		fmt.Printf("%s\t%s\t%s\t%d findings\t%s\n", p, r.Format, r.Status, len(r.Findings), time.Since(start).Round(time.Millisecond))
		if r.Status != modelscan.StatusClean {
			return fmt.Errorf("%s: unexpected verdict %s: %+v", p, r.Status, r.Findings)
		}
	}
	return nil
}

// fill writes n MiB of a non-constant pattern.
func fill(w io.Writer, mib int, seed byte) error {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i*31) ^ seed
	}
	for i := 0; i < mib; i++ {
		buf[0] = byte(i)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// stateDict is the data.pkl torch.save (protocol 2) writes for n float tensors.
func stateDict(n, numel int) []byte {
	var b []byte
	op := func(x ...byte) { b = append(b, x...) }
	str := func(s string) { op('X'); b = binary.LittleEndian.AppendUint32(b, uint32(len(s))); b = append(b, s...) }
	glob := func(m, n string) { b = append(b, "c"+m+"\n"+n+"\n"...) }
	op(0x80, 2)
	glob("collections", "OrderedDict")
	op(')', 'R', '(')
	for i := 0; i < n; i++ {
		str(fmt.Sprintf("layers.%d.weight", i))
		glob("torch._utils", "_rebuild_tensor_v2")
		op('(', '(')
		str("storage")
		glob("torch", "FloatStorage")
		str(strconv.Itoa(i))
		str("cpu")
		op('J')
		b = binary.LittleEndian.AppendUint32(b, uint32(numel))
		op('t', 'Q', 'K', 0)
		op('J')
		b = binary.LittleEndian.AppendUint32(b, uint32(numel))
		op(0x85, 'K', 1, 0x85, 0x89)
		glob("collections", "OrderedDict")
		op(')', 'R', 't', 'R')
	}
	op('u', '.')
	return b
}

func genPyTorch(path string, tensors int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 4<<20)
	zw := zip.NewWriter(bw)
	put := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := put("archive/data.pkl", stateDict(tensors, tensorMiB<<20/4)); err != nil {
		return err
	}
	if err := put("archive/byteorder", []byte("little")); err != nil {
		return err
	}
	for i := 0; i < tensors; i++ {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("archive/data/%d", i), Method: zip.Store})
		if err != nil {
			return err
		}
		if err := fill(w, tensorMiB, byte(i)); err != nil {
			return err
		}
	}
	if err := put("archive/version", []byte("3\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func genSafetensors(path string, tensors int) error {
	type info struct {
		Dtype       string  `json:"dtype"`
		Shape       []int64 `json:"shape"`
		DataOffsets []int64 `json:"data_offsets"`
	}
	hdr := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	size := int64(tensorMiB << 20)
	for i := 0; i < tensors; i++ {
		hdr[fmt.Sprintf("layers.%d.weight", i)] = info{"F32", []int64{size / 4}, []int64{int64(i) * size, int64(i+1) * size}}
	}
	h, _ := json.Marshal(hdr)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 4<<20)
	binary.Write(bw, binary.LittleEndian, uint64(len(h)))
	bw.Write(h)
	for i := 0; i < tensors; i++ {
		if err := fill(bw, tensorMiB, byte(i)); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
