package python

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/detect"
)

// BenchmarkManyUnresolvedModelArgs is a file of many from_pretrained calls
// on distinct unresolved names, each also checked against a set and a dict:
// choicesOf indexes the file once, so the cost grows with the file, not
// with calls times tokens. Compare -benchtime runs at n=1000 and n=4000.
func BenchmarkManyUnresolvedModelArgs(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "def f%d(m%d):\n    assert m%d in {'gpt2', 'gpt2-xl'}\n    c = {'gpt2': 1}[m%d]\n    return AutoModel.from_pretrained(m%d)\n", i, i, i, i, i)
		}
		data := []byte(sb.String())
		fsys := fstest.MapFS{"hubconf.py": {Data: data}}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f := detect.NewFile(fsys, "hubconf.py", int64(len(data)), data)
				Source{}.Detect(context.Background(), f, &detect.Report{})
			}
		})
	}
}
