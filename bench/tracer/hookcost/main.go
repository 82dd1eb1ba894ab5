//go:build linux

// Command hookcost measures what the tracer's kernel side costs a workload,
// and what the hooks alone cost with empty programs (../floor.c): the workload
// runs untraced and with each variant attached, the order rotating every
// round, and the report gives per variant the median ratio of the
// workload's CPU time (user+system, from wait4) to the untraced run of the
// same round, with quartiles and extremes. The agent is not running: this
// is the in-kernel part only (run.py measures the whole agent).
//
//	clang -O2 -g -target bpf -c bench/tracer/floor.c -o /tmp/floor.o
//	go build -o /tmp/hookcost ./bench/tracer/hookcost
//	sudo /tmp/hookcost -floor /tmp/floor.o -rounds 12 -- /tmp/openloop 2000000 FILE...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"

	"github.com/mlbom/autopilot/bpf"
	"github.com/mlbom/autopilot/internal/runtime"
)

// A variant is a set of attachments made before a run and closed after.
type variant struct {
	name   string
	attach func() ([]func() error, error)
}

func main() {
	floor := flag.String("floor", "", "floor.c compiled (empty programs); without it only the tracer is measured")
	data := flag.String("data", "policies/data.json", "the policy data the tracer's filters come from")
	rounds := flag.Int("rounds", 12, "rounds (each runs every variant once)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: hookcost [-floor floor.o] [-rounds N] -- WORKLOAD...")
		os.Exit(2)
	}
	if err := run(*floor, *data, *rounds, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "hookcost:", err)
		os.Exit(1)
	}
}

func run(floorObj, dataPath string, rounds int, workload []string) error {
	if err := rlimit.RemoveMemlock(); err != nil {
		return err
	}
	filters, err := loadFilters(dataPath)
	if err != nil {
		return err
	}
	vars := []variant{{name: "untraced", attach: func() ([]func() error, error) { return nil, nil }}}
	if floorObj != "" {
		spec, err := ebpf.LoadCollectionSpec(floorObj)
		if err != nil {
			return fmt.Errorf("read %s: %w", floorObj, err)
		}
		coll, err := ebpf.NewCollection(spec)
		if err != nil {
			return fmt.Errorf("load %s: %w", floorObj, err)
		}
		defer coll.Close()
		for _, v := range []struct{ name, progs string }{
			{"traced syscall path only (empty, unrelated syscall)", "traced_path_only"},
			{"empty exit hook on openat", "exit_openat_empty"},
			{"empty entry+exit hooks on openat", "enter_openat_empty exit_openat_empty"},
			{"empty raw sys_exit (every syscall)", "raw_sys_exit_empty"},
		} {
			progs := strings.Fields(v.progs)
			vars = append(vars, variant{v.name, func() ([]func() error, error) { return attachAll(spec, coll, progs) }})
		}
	}
	vars = append(vars, variant{"tracer (bpf.Load, policy filters)", func() ([]func() error, error) {
		t, err := bpf.Load(bpf.Options{Extensions: filters.Extensions(), Programs: filters.Programs, FoldWindow: 10e9})
		if err != nil {
			return nil, err
		}
		return []func() error{t.Close}, nil
	}})

	ratios := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		cpu := map[string]float64{}
		for i := range vars {
			v := vars[(i+r)%len(vars)]
			closers, err := v.attach()
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			c, err := cpuOf(workload)
			for _, cl := range closers {
				cl()
			}
			if err != nil {
				return err
			}
			cpu[v.name] = c
		}
		fmt.Fprintf(os.Stderr, "round %d: untraced %.3fs CPU\n", r, cpu["untraced"])
		for _, v := range vars[1:] {
			ratios[v.name] = append(ratios[v.name], cpu[v.name]/cpu["untraced"])
		}
	}
	fmt.Printf("CPU time with / without, %d rounds: median (quartiles; min-max)\n", rounds)
	for _, v := range vars[1:] {
		s := append([]float64(nil), ratios[v.name]...)
		sort.Float64s(s)
		fmt.Printf("  %-52s %.3f (%.3f-%.3f; %.3f-%.3f)\n", v.name, median(s), s[len(s)/4], s[(3*len(s))/4], s[0], s[len(s)-1])
	}
	return nil
}

func loadFilters(path string) (runtime.Filters, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return runtime.Filters{}, err
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		return runtime.Filters{}, fmt.Errorf("%s: %w", path, err)
	}
	return runtime.FiltersFromData(data)
}

// attachAll attaches the named programs where their sections say.
func attachAll(spec *ebpf.CollectionSpec, coll *ebpf.Collection, names []string) ([]func() error, error) {
	var closers []func() error
	for _, n := range names {
		prog, ps := coll.Programs[n], spec.Programs[n]
		if prog == nil || ps == nil {
			return closers, fmt.Errorf("no program %s", n)
		}
		var (
			l   link.Link
			err error
		)
		switch kind, hook, _ := strings.Cut(ps.SectionName, "/"); kind {
		case "tracepoint":
			group, name, _ := strings.Cut(hook, "/")
			l, err = link.Tracepoint(group, name, prog, nil)
		case "raw_tracepoint":
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: hook, Program: prog})
		default:
			err = fmt.Errorf("program %s: section %s", n, ps.SectionName)
		}
		if err != nil {
			return closers, fmt.Errorf("attach %s: %w", n, err)
		}
		closers = append(closers, l.Close)
	}
	return closers, nil
}

// cpuOf runs the workload and returns its user+system CPU seconds.
func cpuOf(args []string) (float64, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("workload: %w", err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, nil
}

func median(s []float64) float64 {
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
