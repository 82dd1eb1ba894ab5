package license

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSPDXListIsGenerated runs the generator (go generate's command) and
// fails when the committed spdx.json differs from what it writes: edit
// gen_spdx.go or the schema, then run `go generate ./internal/license`.
func TestSPDXListIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	out := filepath.Join(t.TempDir(), "spdx.json")
	cmd := exec.Command(goBin, "run", "gen_spdx.go", filepath.Join("..", "bom", "schema", "spdx.schema.json"), out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_spdx.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("spdx.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("spdx.json is not what gen_spdx.go generates: run go generate ./internal/license")
	}
}
