//go:build linux

package runtime

import (
	"errors"
	"testing"
	"time"

	"github.com/mlbom/autopilot/bpf"
)

// TestDrainKernelFolds: the kernel's repeat counts become events carrying
// only what is new since the last drain, a replaced entry starts over, an
// entry whose event was not read yet waits, and forgotten entries are
// dropped from memory.
func TestDrainKernelFolds(t *testing.T) {
	s := &ebpfSource{a: &Agent{}, folds: map[bpf.FoldKey]*kernelFold{}}
	s.a.opts.defaults()
	model := bpf.FoldKey{TGID: 42, Dev: 8, Ino: 7}
	unread := bpf.FoldKey{TGID: 43, Dev: 8, Ino: 9}
	first := Event{Type: TypeOpen, PID: 42, Path: "/srv/model.gguf", Count: 1}
	s.opened(&bpf.Event{Type: bpf.EventOpen, TGID: 42, Dev: 8, Ino: 7}, first)

	kernel := map[bpf.FoldKey]bpf.Fold{}
	read := func(fn func(bpf.FoldKey, bpf.Fold)) error {
		for k, f := range kernel {
			fn(k, f)
		}
		return nil
	}
	drain := func() (out []Event) {
		s.drain(read, func(e Event) bool { out = append(out, e); return true })
		return out
	}
	sec := uint64(time.Second)
	for _, step := range []struct {
		name   string
		kernel map[bpf.FoldKey]bpf.Fold
		want   []int // counts emitted for model
	}{
		{"no repeats yet", map[bpf.FoldKey]bpf.Fold{model: {BornNS: sec, LastNS: sec}}, nil},
		{"five repeats", map[bpf.FoldKey]bpf.Fold{model: {BornNS: sec, LastNS: 3 * sec, Repeats: 5}, unread: {BornNS: sec, Repeats: 4}}, []int{5}},
		{"nothing new", map[bpf.FoldKey]bpf.Fold{model: {BornNS: sec, LastNS: 3 * sec, Repeats: 5}}, nil},
		{"three more", map[bpf.FoldKey]bpf.Fold{model: {BornNS: sec, LastNS: 4 * sec, Repeats: 8}}, []int{3}},
		{"entry replaced", map[bpf.FoldKey]bpf.Fold{model: {BornNS: 9 * sec, LastNS: 10 * sec, Repeats: 2}}, []int{2}},
		{"entry gone", map[bpf.FoldKey]bpf.Fold{}, nil},
	} {
		kernel = step.kernel
		out := drain()
		var got []int
		for _, e := range out {
			if e.PID != 42 || e.Path != first.Path {
				t.Errorf("%s: event %+v, want the model's first event with a count", step.name, e)
			}
			got = append(got, e.Count)
			if want := time.Unix(0, int64(kernel[model].LastNS)).UTC(); !e.Time.Equal(want) {
				t.Errorf("%s: time %v, want the last repeat's %v", step.name, e.Time, want)
			}
		}
		if len(got) != len(step.want) || (len(got) == 1 && got[0] != step.want[0]) {
			t.Errorf("%s: counts %v, want %v", step.name, got, step.want)
		}
	}
	if len(s.folds) != 0 {
		t.Errorf("remembered %d entries the kernel no longer has", len(s.folds))
	}

	// A failed read emits nothing and forgets nothing.
	s.opened(&bpf.Event{Type: bpf.EventOpen, TGID: 42, Dev: 8, Ino: 7}, first)
	s.drain(func(func(bpf.FoldKey, bpf.Fold)) error { return errors.New("map gone") }, func(Event) bool {
		t.Error("emitted after a failed read")
		return true
	})
	if len(s.folds) != 1 {
		t.Errorf("a failed read dropped remembered entries")
	}
}
