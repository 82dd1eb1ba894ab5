package runtime

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// burst is a source that emits n open events as fast as it can.
type burst struct {
	n     int
	paths []string
}

func (s *burst) run(ctx context.Context, emit func(Event) bool) error {
	now := time.Now()
	for i := 0; i < s.n; i++ {
		emit(Event{Type: TypeOpen, PID: 1000 + i%64, Comm: "python3", Path: s.paths[i%len(s.paths)], Time: now,
			Fidelity: FidelityEBPF, Count: 1, ino: uint64(i % len(s.paths)), dev: 1, dirFD: -100, cgroupID: 1})
	}
	return nil
}
func (s *burst) kernelDropped() uint64 { return 0 }
func (s *burst) kernelFolded() uint64  { return 0 }
func (s *burst) close() error          { return nil }

type countSink struct{ n atomic.Int64 }

func (c *countSink) Send(_ context.Context, b Batch) error {
	for _, e := range b.Events {
		c.n.Add(int64(e.Count))
	}
	return nil
}

// BenchmarkPipeline: events per second the agent's user-space pipeline
// (queue, cgroup lookup, folding, batching) takes from its source, on one
// goroutine per stage; hashing is off (a model file is hashed once per
// content, not per open). Every event must come out counted: none dropped.
func BenchmarkPipeline(b *testing.B) {
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = fmt.Sprintf("/srv/data/shard-%04d.parquet", i)
	}
	a := &Agent{id: "bench", cgroups: newCgroups("/proc"), hashes: newHashCache()}
	a.cgroups.byID[1] = "/kubepods.slice/kubepods-pod1a2b3c4d_0000_4111_8222_abcdefabcdef.slice/cri-containerd-" + fmt.Sprintf("%064x", 7) + ".scope"
	a.opts = Options{Window: time.Second, NoHash: true, QueueSize: 1 << 20,
		Filters: Filters{ModelExtensions: []string{".safetensors"}, DatasetExtensions: []string{".parquet"}}}
	a.opts.defaults()
	a.src = &burst{n: b.N, paths: paths}
	a.endpoints = newEndpointTable(nil, a.opts.Log)
	sink := &countSink{}
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	if err := a.Run(context.Background(), sink); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if got := sink.n.Load(); got != int64(b.N) || a.queueDropped.Load() != 0 {
		b.Fatalf("counted %d of %d events, %d dropped", got, b.N, a.queueDropped.Load())
	}
	// Wall-clock rate depends on how much of the machine the benchmark
	// gets; the rate per CPU-second is what one core would sustain.
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
