#!/usr/bin/env bash
# Regenerates the eBPF objects (bpf/tracer_bpfel.{go,o}) with bpf2go and fails
# when they differ from the committed ones: the committed object must be what
# bpf/tracer.c compiles to. clang's output differs between major versions, so
# the check runs with the major version the committed files were built with
# (bpf/CLANG_MAJOR); with another clang, or none, it says so and skips.
# MLBOM_REQUIRE_BPF_GEN=1 (CI) turns a skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(cat bpf/CLANG_MAJOR)"
skip() {
	if [[ "${MLBOM_REQUIRE_BPF_GEN:-}" == 1 ]]; then
		echo "bpf-check: $1 (MLBOM_REQUIRE_BPF_GEN=1)" >&2
		exit 1
	fi
	echo "bpf-check: skipped: $1" >&2
	exit 0
}
command -v clang >/dev/null || skip "no clang (apt-get install clang llvm libbpf-dev)"
[[ -f /usr/include/bpf/bpf_helpers.h ]] || skip "no libbpf headers (apt-get install libbpf-dev)"
have="$(clang -dumpversion | cut -d. -f1)"
[[ "$have" == "$want" ]] || skip "clang $have, the committed objects were built with clang $want"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp bpf/tracer_bpfel.go bpf/tracer_bpfel.o "$tmp/"
go generate ./bpf
if ! cmp -s bpf/tracer_bpfel.o "$tmp/tracer_bpfel.o" || ! cmp -s bpf/tracer_bpfel.go "$tmp/tracer_bpfel.go"; then
	echo "bpf-check: bpf/tracer_bpfel.{go,o} are stale: run 'go generate ./bpf' and commit the result" >&2
	git --no-pager diff --stat -- bpf/ >&2 || true
	exit 1
fi
echo "bpf-check: committed eBPF objects match bpf/tracer.c (clang $have)"
