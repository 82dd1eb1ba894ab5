#!/usr/bin/env bash
# Compares the model scanner with `openssl dgst -sha256` on the same files:
# a torch.save-style zip checkpoint and a safetensors file, SIZE_MB each
# (default 1024). The scanner runs with hashing off (discovery hashes);
# the ratio scan/hash says how much of a hash pass the scan costs (< 1 is
# cheaper). Best of RUNS (default 3) after a warm-up read, so both sides
# read from the page cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

go build -o "$DIR/scancmd" ./bench/modelscan/scancmd
"$DIR/scancmd" gen-pytorch "$DIR/model.pt" "$SIZE_MB"
"$DIR/scancmd" gen-safetensors "$DIR/model.safetensors" "$SIZE_MB"
sync

best() { # best wall time in seconds of RUNS runs of "$@"
	local b=""
	for _ in $(seq "$RUNS"); do
		local s e t
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.4f", e-s}')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN{exit !(t<b)}'; then b=$t; fi
	done
	echo "$b"
}

printf '%-20s %10s %12s %12s %8s\n' file size_MiB sha256_s scan_s ratio
for f in model.pt model.safetensors; do
	cat "$DIR/$f" >/dev/null
	"$DIR/scancmd" scan "$DIR/$f" >/dev/null # verdict must be clean, or this fails
	h=$(best openssl dgst -sha256 "$DIR/$f")
	s=$(best "$DIR/scancmd" scan "$DIR/$f")
	sh=$(best "$DIR/scancmd" scan -hash "$DIR/$f")
	size=$(( $(stat -c %s "$DIR/$f") / 1048576 ))
	printf '%-20s %10d %12s %12s %8s\n' "$f" "$size" "$h" "$s" "$(awk -v s="$s" -v h="$h" 'BEGIN{printf "%.4f", s/h}')"
	printf '%-20s %10s %12s %12s %8s\n' "$f (+hash)" "" "$h" "$sh" "$(awk -v s="$sh" -v h="$h" 'BEGIN{printf "%.4f", s/h}')"
done
