/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types tracer.c reads, declared by hand instead of a
 * bpftool-generated vmlinux.h.
 *
 * Every struct is marked preserve_access_index, so clang records each field
 * access as a CO-RE relocation by name; at load time cilium/ebpf finds the
 * field in the running kernel's BTF (/sys/kernel/btf/vmlinux) wherever it
 * is, including inside anonymous structs and unions. The layouts below are
 * therefore not the kernel's: only the field names and types must match. A
 * field that a kernel lacks fails the load with an error naming it, which
 * the real-eBPF tests catch.
 *
 * Why not a generated vmlinux.h: it is ~2.8 MB of one kernel's types, would
 * differ on every machine that regenerates it (so the "regenerate and diff"
 * CI check would fail wherever the kernel differs) and nobody reviews it.
 * These ~80 lines are reviewable and kernel-independent.
 */
#ifndef MLBOM_VMLINUX_H
#define MLBOM_VMLINUX_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u32 dev_t;
typedef long long loff_t;
typedef int pid_t;
typedef _Bool bool;
#define true 1
#define false 0

enum { BPF_ANY = 0, BPF_NOEXIST = 1 };

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct super_block {
	dev_t s_dev;
};

struct inode {
	struct super_block *i_sb;
	unsigned long i_ino;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct qstr d_name;
};

struct path {
	struct dentry *dentry;
};

struct file {
	struct inode *f_inode;
	struct path f_path;
};

/* fs/internal.h: what getname() copied from user space. */
struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
};

struct fdtable {
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct files_struct *files;
};

struct open_how {
	__u64 flags;
};

struct linux_binprm {
	struct file *file;
	const char *filename;
	const char *interp;
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be16 skc_dport;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
};

struct sock {
	struct sock_common __sk_common;
};

/*
 * The task's saved user registers (bpf_task_pt_regs), where a syscall's
 * arguments still are when it returns. One flavor per architecture (CO-RE
 * ignores the ___suffix when it matches names); tracer.c asks which one
 * the running kernel has with bpf_core_field_exists.
 */
struct pt_regs___x86 {
	unsigned long di;
	unsigned long si;
	unsigned long dx;
	unsigned long r10;
};

struct pt_regs___arm64 {
	__u64 regs[31];
	__u64 orig_x0; /* regs[0] holds the return value by then */
};

#pragma clang attribute pop

/*
 * Context of the syscall exit tracepoints, as their format files in tracefs
 * (events/syscalls/sys_exit_openat/format) give it: a stable ABI, so no
 * CO-RE.
 */
struct sys_exit_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__s64 ret;
};

#endif /* MLBOM_VMLINUX_H */
