// Command hashcmp hashes files with weights.HashFile, in parallel on all
// cores, and prints "sha256  path" lines like openssl/sha256sum; it is the
// "ours" side of bench/discover/hash.sh.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/mlbom/autopilot/internal/discover/weights"
)

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: hashcmp FILE...")
		os.Exit(2)
	}
	sums := make([]string, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, p := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			abs, err := filepath.Abs(p)
			if err != nil {
				errs[i] = err
				return
			}
			sums[i], _, errs[i] = weights.HashFile(context.Background(), os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
		}()
	}
	wg.Wait()
	for i, p := range files {
		if errs[i] != nil {
			fmt.Fprintln(os.Stderr, errs[i])
			os.Exit(1)
		}
		fmt.Printf("%s  %s\n", sums[i], p)
	}
}
