// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Empty programs on the hooks the tracer uses: what attaching costs before
 * any filtering, the floor under bpf/tracer.c's overhead (see README.md).
 *   clang -O2 -g -target bpf -c bench/tracer/floor.c -o /tmp/floor.o
 */
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Attached alone, a syscall nobody calls: only the switch of every task
 * to the traced syscall path (TIF_SYSCALL_TRACEPOINT) is paid. */
SEC("tracepoint/syscalls/sys_enter_getpriority")
int traced_path_only(void *ctx) { return 0; }

/* The hook bpf/tracer.c uses for opens. */
SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat_empty(void *ctx) { return 0; }

/* With the exit hook: the entry-and-exit pair the tracer used before. */
SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat_empty(void *ctx) { return 0; }

/* Generic syscall hooks: they run for every syscall, not only opens. */
SEC("raw_tracepoint/sys_exit")
int raw_sys_exit_empty(void *ctx) { return 0; }
