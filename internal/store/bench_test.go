package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSaveVersion measures BOM version inserts (one transaction each:
// version row, 200 component rows, ~60 KB of BOM JSON) and reports versions/s.
//
//	go test ./internal/store -run X -bench SaveVersion -benchtime 200x
func BenchmarkSaveVersion(b *testing.B) {
	bom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[` + strings.Repeat(`{"type":"machine-learning-model","name":"x"},`, 1400) + `{}]}`)
	for _, backend := range []string{"sqlite", "mysql"} {
		b.Run(backend, func(b *testing.B) {
			var loc string
			if backend == "sqlite" {
				loc = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
			} else {
				loc = freshMySQL(b, mysqlServer(b))
			}
			d, err := Open(context.Background(), loc)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			cs := comps(200, "pkg:huggingface/org/model")
			ctx := context.Background()
			i := 0
			b.ResetTimer()
			for b.Loop() {
				_, created, err := d.SaveVersion(ctx, NewVersion{Project: fmt.Sprintf("p%d", i%10), ScanID: fmt.Sprintf("scan-%d", i),
					BOM: bom, ContentHash: "h", Components: cs})
				if err != nil || !created {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "versions/s")
		})
	}
}
