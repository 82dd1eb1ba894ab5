//go:build !linux

package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
)

func newEBPFSource(context.Context, *Agent) (source, error) {
	return nil, fmt.Errorf("%w: eBPF tracing needs Linux, this is %s", ErrNoEBPF, goruntime.GOOS)
}
