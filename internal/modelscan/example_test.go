package modelscan_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/mlbom/autopilot/internal/modelscan"
)

func ExampleScan() {
	// os.system("id") as a protocol-2 pickle: GLOBAL, MARK, BINUNICODE, TUPLE, REDUCE, STOP
	evil := []byte("\x80\x02cos\nsystem\n(X\x02\x00\x00\x00idtR.")
	opts := modelscan.DefaultOptions()
	opts.Hash = false
	r := modelscan.Scan(context.Background(), "model.safetensors", bytes.NewReader(evil), int64(len(evil)), opts)
	fmt.Println(r.Format, r.Status)
	for _, f := range r.Findings {
		fmt.Println(f.Severity, f.Rule, f.Global, f.Opcode, f.Offset)
	}
	reports := []modelscan.Report{r}
	fmt.Println(modelscan.Worst(reports), modelscan.FailOn(reports, modelscan.SeverityHigh), modelscan.ExitCode(reports, modelscan.SeverityHigh))
	// Output:
	// pickle malicious
	// critical pickle.denylisted-global os.system REDUCE 22
	// high format.extension-mismatch pickle  0
	// critical true 1
}
