package detect

import "context"

// Interrupt tells a detector's loops over tokens, lines or nodes when to
// stop: the scan was cancelled or the file's time budget (a deadline the
// walk puts on ctx) ran out. It asks ctx only every interruptEvery calls, so
// it is cheap enough to call once per token. What the detector reported
// before stopping is kept; the walk records the file as skipped.
type Interrupt struct {
	ctx context.Context
	n   uint32
	err error
}

const interruptEvery = 256

// NewInterrupt watches ctx.
func NewInterrupt(ctx context.Context) *Interrupt { return &Interrupt{ctx: ctx} }

// Stop reports whether the loop should end now.
func (in *Interrupt) Stop() bool {
	if in == nil {
		return false
	}
	if in.err != nil {
		return true
	}
	in.n++
	if in.n%interruptEvery == 0 {
		in.err = in.ctx.Err()
	}
	return in.err != nil
}
