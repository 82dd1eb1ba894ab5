// Package bpf holds the eBPF programs of the runtime tracer (tracer.c,
// compiled by bpf2go into the committed tracer_bpfel.go and .o, so building
// mlbom needs no clang) and their loader.
//
// The loader is thin: Load checks what the kernel must offer (BTF, the
// right to load programs), fills the filter maps, loads and attaches the
// programs (opens at syscall exit, exec, connect); Read decodes one event
// from the ring buffer, Folds reports the repeats the kernel only counted.
// The programs need Linux >= 5.15 (bpf_task_pt_regs, tp_btf). Everything
// that makes an event useful (paths made absolute, containers, hashes,
// batching) is internal/runtime's job.
package bpf
