// Package runtime is the tracer agent behind `mlbom trace`: it watches what
// really runs on a host — model and dataset files opened, ML runtimes
// executed, AI endpoints contacted — and hands the facts on in batches.
//
// Entry points:
//   - Run: the agent loop. A Source (eBPF through package bpf, or polling
//     /proc when eBPF cannot load) feeds a bounded queue; events are made
//     useful (relative paths resolved through /proc/PID/cwd, cgroup IDs
//     mapped to container IDs and Kubernetes pod UIDs, secrets in argv
//     redacted, model files hashed once per device+inode+size+mtime),
//     folded within a window, and sent to a Sink in batches. With eBPF
//     the kernel already folds a process's repeated opens of a file within
//     the window and only counts them; the source drains the counts into
//     events every quarter window, so a model server reopening its weights
//     costs the ring buffer one event per window.
//   - Spool: a Sink that makes every accepted batch durable under
//     MLBOM_HOME before it is forwarded, so batches survive a dead server
//     and an agent restart.
//   - FiltersFromData: the kernel-side filters, from the same
//     policies/data.json lists the runtime policy reads.
//
// Assumptions, stated so they can be checked:
//   - Paths are the ones the process passed to open(2) (made absolute), as
//     seen in its own mount namespace: a container's /models/x.gguf is
//     reported as such, and hashed through /proc/PID/root.
//   - Endpoints are matched by address. A host name is resolved when the
//     agent starts and every few minutes; a CDN address shared by many
//     hosts is reported under the configured name.
//   - The agent never reads a file's contents except to hash a model file,
//     and never logs or sends argv values that look like secrets.
//
// Limits: repeat counts of a process-file pair the kernel's fold map
// (65536 pairs) evicts before a drain are lost, never its first open; opens
// through io_uring and mmap of an already open descriptor are
// not seen by the eBPF hooks (the /proc fallback sees mapped files); UDP
// (QUIC) connections are not traced; wildcard provider hosts
// (*.openai.azure.com) cannot be resolved to addresses and are only
// matched when listed explicitly.
//
// This package knows nothing of Temporal: workers/ sends batches as
// signals, `mlbom trace --stdout` prints them.
package runtime
