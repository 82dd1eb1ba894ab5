//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mlbom runtime tracer: which model and dataset files processes open, which
 * ML runtimes they execute and which AI endpoints they connect to.
 *
 * Everything not on the configured lists is dropped here, in the kernel, so
 * that the common case (an open of a .so, .py or .json file) costs one
 * string copy and a bit test and never reaches user space. The lists live
 * in hash maps the agent fills at start (policies/data.json).
 *
 * Hooks. Only tracepoints are used: they are a stable interface, and they
 * are what a locked-down kernel still allows (this project's own CI kernel
 * refuses fentry/fexit and has no kprobes).
 *   tracepoint/syscalls/sys_exit_{openat,openat2,open,creat}
 *                           the path as the caller passed it (a Hugging
 *                           Face snapshot symlink keeps its .safetensors
 *                           name), read at exit from the arguments in the
 *                           task's saved registers, and only when the open
 *                           succeeded. One hook per open instead of an
 *                           entry and an exit hook with a map between them:
 *                           bench/tracer measured the entry hook plus the
 *                           map at about as much again as the exit hook.
 *   tp_btf/sched_process_exec
 *                           every successful execve/execveat, with the new
 *                           image's argv read from its own memory.
 *   tp_btf/inet_sock_set_state
 *                           CLOSE -> SYN_SENT: an outbound TCP connect, v4
 *                           or v6, in the connecting process.
 * The price of syscall tracepoints: while attached, every syscall of every
 * task takes the kernel's slower traced entry path (TIF_SYSCALL_TRACEPOINT),
 * and each open pays the tracepoint's perf glue. bench/tracer measures what
 * that costs, with empty programs as the floor.
 *
 * Repeats. With fold_ns set, a process opening the same file (device and
 * inode) again within fold_ns of the event that was sent is only counted in
 * the folds map, which the agent drains; this keeps a model server that
 * reopens its weights in a loop from flooding the ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define AT_FDCWD -100
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define TCP_SYN_SENT 2

#define EXT_LEN 16   /* extension without the dot, NUL padded */
#define NAME_LEN 32  /* program basename, NUL padded */
#define DATA_LEN 4096 /* PATH_MAX */
#define ARGV_LEN 256 /* head of argv kept for exec events */

enum event_type {
	EVENT_OPEN = 1,
	EVENT_EXEC = 2,
	EVENT_CONNECT = 3,
};

/* Indexes into the counters map; user space sums them over CPUs. */
enum counter {
	COUNTER_OPEN = 0,
	COUNTER_EXEC = 1,
	COUNTER_CONNECT = 2,
	COUNTER_DROP_OPEN = 3,
	COUNTER_DROP_EXEC = 4,
	COUNTER_DROP_CONNECT = 5,
	COUNTER_FOLD_OPEN = 6, /* repeats counted in folds, not sent */
	COUNTER_MAX = 7,
};

/*
 * One event. The fixed header is mirrored by rawHeader in events.go (a test
 * checks the two against this object's BTF); data holds the path (open), or
 * the program path, a NUL and the argv head (exec). Only header plus len
 * bytes of data go into the ring buffer.
 */
struct event {
	__u64 ts_boot_ns;
	__u64 cgroup_id;
	__u64 ino;
	__u32 dev;
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__s32 flags;
	__s32 dfd;
	__u16 type;
	__u16 family;
	__u16 port;
	__u16 len;
	__u16 argv_off;
	__u16 _pad;
	__u32 endpoint;
	__u8 addr[16];
	char comm[16];
	__u32 _reserved; /* keeps data 8-byte aligned, like Go's mirror */
	char data[DATA_LEN + ARGV_LEN];
};

struct ext_key {
	char ext[EXT_LEN];
};

struct name_key {
	char name[NAME_LEN];
};

struct endpoint_key {
	__u16 family;
	__u16 port; /* host order; 0 matches any port */
	__u8 addr[16];
};

/* Set by the loader before the programs are loaded. */
volatile const __u32 self_tgid = 0;
volatile const bool all_exec = false;
/*
 * A bit per pair of (lower-cased) last two characters of the configured
 * extensions with their dot (".h5" sets "h5", ".safetensors" sets "rs"):
 * most opens (.so, .py, .json, .h) fail this test and never reach the
 * extension loops and the hash lookup.
 */
volatile const __u64 ext_tail[1024] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* the loader may resize */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct ext_key);
	__type(value, __u8);
} open_exts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct name_key);
	__type(value, __u8);
} exec_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, __u32);
} endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* One event under construction per CPU: too big for the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} scratch SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

/* fill sets the header fields every event has; data is left alone. */
static __always_inline void fill(struct event *e, __u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->type = type;
	e->ino = 0;
	e->dev = 0;
	e->ppid = 0;
	e->flags = 0;
	e->dfd = 0;
	e->family = 0;
	e->port = 0;
	e->len = 0;
	e->argv_off = 0;
	e->endpoint = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline struct event *new_event(__u16 type)
{
	__u32 zero = 0;
	struct event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (e)
		fill(e, type);
	return e;
}

static __always_inline void submit(struct event *e, __u32 n, __u32 drop_counter)
{
	if (n > sizeof(e->data))
		n = sizeof(e->data);
	if (bpf_ringbuf_output(&events, e, offsetof(struct event, data) + n, 0))
		count(drop_counter);
}

static __always_inline bool is_self(void)
{
	return self_tgid && (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/* Repeats of an open, per process and file (the agent's fold key). */
struct fold_key {
	__u32 tgid;
	__u32 dev;
	__u64 ino;
};

struct fold {
	__u64 until_ns; /* opens before this are repeats of the last event */
	__u64 born_ns;  /* when the entry was made: tells user space it was replaced */
	__u64 last_ns;  /* the last repeat */
	__u64 repeats;  /* only ever grows; user space reports the difference */
};

/* Set by the loader: the fold window in ns, 0 for none. */
volatile const __u64 fold_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fold_key);
	__type(value, struct fold);
} folds SEC(".maps");

/*
 * match_ext reports whether the NUL-terminated path in e->data (n bytes
 * with the NUL) ends in a configured extension.
 */
static __always_inline bool match_ext(struct event *e, long n)
{
	if (n <= 2)
		return false;
	/* The last character is at n-2. */
	__u32 last = (__u32)n - 2;
	__u32 c1 = (__u8)e->data[(last - 1) & (DATA_LEN - 1)];
	__u32 c2 = (__u8)e->data[last & (DATA_LEN - 1)];
	if (c1 >= 'A' && c1 <= 'Z')
		c1 += 'a' - 'A';
	if (c2 >= 'A' && c2 <= 'Z')
		c2 += 'a' - 'A';
	__u32 tail = (c1 << 8) | c2;
	if (!((ext_tail[(tail >> 6) & 1023] >> (tail & 63)) & 1))
		return false;
	/* Look back at most EXT_LEN characters for the dot of the extension. */
	__u32 dot = 0;
	bool found = false;
	for (__u32 i = 0; i < EXT_LEN; i++) {
		if (i > last)
			break;
		char c = e->data[(last - i) & (DATA_LEN - 1)];
		if (c == '/')
			break;
		if (c == '.') {
			dot = last - i;
			found = true;
			break;
		}
	}
	if (!found || dot == last)
		return false;
	struct ext_key key = {};
	for (__u32 i = 0; i < EXT_LEN - 1; i++) {
		__u32 j = dot + 1 + i;
		if (j > last)
			break;
		char c = e->data[j & (DATA_LEN - 1)];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		key.ext[i] = c;
	}
	return bpf_map_lookup_elem(&open_exts, &key) != 0;
}

/*
 * syscall_arg is argument n (0-3) of the syscall the task is in, from its
 * saved user registers.
 */
static __always_inline unsigned long syscall_arg(void *regs, int n)
{
	struct pt_regs___x86 *x = regs;
	struct pt_regs___arm64 *a = regs;
	if (bpf_core_field_exists(x->si)) {
		switch (n) {
		case 0:
			return x->di;
		case 1:
			return x->si;
		case 2:
			return x->dx;
		default:
			return x->r10;
		}
	}
	if (n == 0)
		return a->orig_x0;
	return a->regs[n & 3];
}

static __always_inline void *user_regs(void)
{
	return (void *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/*
 * match_open runs for every successful open on the machine: one copy of
 * the path from user memory and a bit test; a hash lookup only for paths
 * whose last two characters end a configured extension. It returns the
 * per-CPU event with the path in data, or 0.
 */
static __always_inline struct event *match_open(const char *filename, long *n)
{
	__u32 zero = 0;
	struct event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	*n = bpf_probe_read_user_str(e->data, DATA_LEN, filename);
	if (!match_ext(e, *n) || is_self())
		return 0;
	return e;
}

/*
 * folded reports whether this open repeats, within the window, the last
 * one sent for the same process and file; if not, it opens a new window.
 */
static __always_inline bool folded(__u32 tgid, __u32 dev, __u64 ino, __u64 now)
{
	if (!fold_ns || !ino)
		return false;
	struct fold_key k = {.tgid = tgid, .dev = dev, .ino = ino};
	struct fold *f = bpf_map_lookup_elem(&folds, &k);
	if (f && now < f->until_ns) {
		__sync_fetch_and_add(&f->repeats, 1);
		f->last_ns = now;
		return true;
	}
	if (f) {
		f->until_ns = now + fold_ns;
		return false;
	}
	struct fold nf = {.until_ns = now + fold_ns, .born_ns = now, .last_ns = now};
	bpf_map_update_elem(&folds, &k, &nf, BPF_NOEXIST);
	return false;
}

/* Linux >= 6.2; on older kernels file_id falls back to probe reads. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * file_id finds the opened file's device and inode,
 * current->files->fdt->fd[fd]->f_inode, with direct loads where the
 * verifier knows the types (a matched open pays this on every repeat).
 */
static __always_inline void file_id(long fd, __u32 *dev, __u64 *ino)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds = task->files->fdt->fd;
	struct file *f = 0;
	if (!fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]) || !f)
		return;
	if (!!bpf_rdonly_cast) {
		f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
		struct inode *inode = f->f_inode;
		if (!inode)
			return;
		*ino = inode->i_ino;
		*dev = inode->i_sb->s_dev;
		return;
	}
	*ino = BPF_CORE_READ(f, f_inode, i_ino);
	*dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
}

/*
 * report_open sends a matched open whose descriptor is fd, unless it
 * repeats one already sent: then it only counts it, before paying for the
 * rest of the event.
 */
static __always_inline int report_open(struct event *e, long n, long fd, int dfd, int flags)
{
	__u32 dev = 0;
	__u64 ino = 0;
	file_id(fd, &dev, &ino);
	__u64 now = bpf_ktime_get_boot_ns();
	if (folded(bpf_get_current_pid_tgid() >> 32, dev, ino, now)) {
		count(COUNTER_FOLD_OPEN);
		return 0;
	}
	fill(e, EVENT_OPEN);
	e->ts_boot_ns = now;
	e->dev = dev;
	e->ino = ino;
	e->dfd = dfd;
	e->flags = flags;
	e->len = (__u16)(n - 1);
	count(COUNTER_OPEN);
	submit(e, (__u32)n - 1, COUNTER_DROP_OPEN);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct sys_exit_ctx *ctx)
{
	if (ctx->ret < 0)
		return 0; /* the open failed: nothing was loaded */
	void *regs = user_regs();
	long n;
	struct event *e = match_open((const char *)syscall_arg(regs, 1), &n);
	if (!e)
		return 0;
	return report_open(e, n, ctx->ret, (int)syscall_arg(regs, 0), (int)syscall_arg(regs, 2));
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct sys_exit_ctx *ctx)
{
	if (ctx->ret < 0)
		return 0;
	void *regs = user_regs();
	long n;
	struct event *e = match_open((const char *)syscall_arg(regs, 1), &n);
	if (!e)
		return 0;
	__u64 flags = 0;
	struct open_how *how = (struct open_how *)syscall_arg(regs, 2);
	bpf_probe_read_user(&flags, sizeof(flags), &how->flags);
	return report_open(e, n, ctx->ret, (int)syscall_arg(regs, 0), (int)flags);
}

/* open(2) and creat(2) exist on x86-64 only; the loader skips them where
 * the kernel has no such tracepoints. */
SEC("tracepoint/syscalls/sys_exit_open")
int exit_open_legacy(struct sys_exit_ctx *ctx)
{
	if (ctx->ret < 0)
		return 0;
	void *regs = user_regs();
	long n;
	struct event *e = match_open((const char *)syscall_arg(regs, 0), &n);
	if (!e)
		return 0;
	return report_open(e, n, ctx->ret, AT_FDCWD, (int)syscall_arg(regs, 1));
}

SEC("tracepoint/syscalls/sys_exit_creat")
int exit_creat(struct sys_exit_ctx *ctx)
{
	if (ctx->ret < 0)
		return 0;
	long n;
	struct event *e = match_open((const char *)syscall_arg(user_regs(), 0), &n);
	if (!e)
		return 0;
	return report_open(e, n, ctx->ret, AT_FDCWD, O_CREAT | O_WRONLY | O_TRUNC);
}

/*
 * strip_version turns "python3.11" into "python": it cuts a trailing run of
 * digits and dots. One forward pass, so the verifier sees a simple loop.
 */
static __always_inline bool strip_version(struct name_key *key)
{
	int cut = -1;
	for (int i = 0; i < NAME_LEN; i++) {
		char c = key->name[i];
		if (c == 0)
			break;
		if ((c >= '0' && c <= '9') || c == '.') {
			if (cut < 0)
				cut = i;
		} else {
			cut = -1;
		}
	}
	if (cut <= 0)
		return false;
	for (int i = 1; i < NAME_LEN; i++) {
		if (i >= cut)
			key->name[i] = 0;
	}
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(trace_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (is_self())
		return 0;
	struct event *e = new_event(EVENT_EXEC);
	if (!e)
		return 0;
	/* A script's interpreter is what runs: report and match it. */
	const char *filename = BPF_CORE_READ(bprm, filename);
	const char *interp = BPF_CORE_READ(bprm, interp);
	const char *prog = interp ? interp : filename;
	long n = bpf_probe_read_kernel_str(e->data, DATA_LEN, prog);
	if (n <= 1)
		return 0;
	if (!all_exec) {
		/* Match the name of the file that runs (the dentry: a basename,
		 * after symlinks, so /usr/bin/python3 counts as python3.11). */
		struct name_key key = {};
		const unsigned char *base = BPF_CORE_READ(bprm, file, f_path.dentry, d_name.name);
		if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), base) <= 1)
			return 0;
		if (!bpf_map_lookup_elem(&exec_names, &key)) {
			if (!strip_version(&key) || !bpf_map_lookup_elem(&exec_names, &key))
				return 0;
		}
	}
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	__u32 off = (__u32)n; /* after the program path's NUL */
	e->argv_off = (__u16)off;
	__u32 total = off;
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	if (mm && end > start && off < DATA_LEN) {
		__u32 len = end - start;
		if (len > ARGV_LEN - 1)
			len = ARGV_LEN - 1;
		len &= ARGV_LEN - 1;
		if (bpf_probe_read_user(&e->data[off & (DATA_LEN - 1)], len, (void *)start) == 0)
			total = off + len;
	}
	e->len = (__u16)total;
	count(COUNTER_EXEC);
	submit(e, total, COUNTER_DROP_EXEC);
	return 0;
}

/*
 * A TCP socket going from CLOSE to SYN_SENT is an outbound connect, in the
 * context of the process that called connect(2).
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(trace_connect, const struct sock *sk, const int oldstate, const int newstate)
{
	if (newstate != TCP_SYN_SENT)
		return 0;
	struct endpoint_key key = {};
	key.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	key.port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (key.family == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(key.addr, &a, 4);
	} else if (key.family == AF_INET6) {
		BPF_CORE_READ_INTO(&key.addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		/* ::ffff:a.b.c.d is an IPv4 peer */
		__u64 hi;
		__u32 mid;
		__builtin_memcpy(&hi, key.addr, 8);
		__builtin_memcpy(&mid, key.addr + 8, 4);
		if (hi == 0 && mid == __builtin_bswap32(0x0000ffff)) {
			__u32 v4;
			__builtin_memcpy(&v4, key.addr + 12, 4);
			__builtin_memset(key.addr, 0, 16);
			__builtin_memcpy(key.addr, &v4, 4);
			key.family = AF_INET;
		}
	} else {
		return 0;
	}
	__u32 *id = bpf_map_lookup_elem(&endpoints, &key);
	if (!id) {
		__u16 port = key.port;
		key.port = 0;
		id = bpf_map_lookup_elem(&endpoints, &key);
		key.port = port;
		if (!id)
			return 0;
	}
	if (is_self())
		return 0;
	struct event *e = new_event(EVENT_CONNECT);
	if (!e)
		return 0;
	e->family = key.family;
	e->port = key.port;
	e->endpoint = *id;
	__builtin_memcpy(e->addr, key.addr, 16);
	count(COUNTER_CONNECT);
	submit(e, 0, COUNTER_DROP_CONNECT);
	return 0;
}
