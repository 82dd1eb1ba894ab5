#!/usr/bin/env bash
# SHA-256 of large weight files: discover.HashFile (via hashcmp) against
# `openssl dgst -sha256`, both using the CPU's SHA instructions.
# Prints wall times and the ratio openssl_time / our_time (goal >= 0.9 for
# one file). Usage: bench/discover/hash.sh [SIZE_MIB=1024] [NFILES=4]
set -euo pipefail
SIZE_MIB=${1:-1024}
NFILES=${2:-4}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "building hashcmp"
(cd "$ROOT" && go build -o "$WORK/hashcmp" ./bench/discover/hashcmp)

echo "writing $NFILES x ${SIZE_MIB} MiB files in $WORK"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/w0.bin"
for i in $(seq 1 $((NFILES - 1))); do cp "$WORK/w0.bin" "$WORK/w$i.bin"; done
# Warm the page cache so both sides read from memory.
cat "$WORK"/w*.bin > /dev/null

best() { # best of 3 wall-clock seconds of "$@"
  local b=""
  for _ in 1 2 3; do
    local s e t
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || (( $(echo "$t < $b" | bc -l) )); then b=$t; fi
  done
  echo "$b"
}

par_openssl() { printf '%s\n' "$WORK"/w*.bin | xargs -P "$(nproc)" -n 1 openssl dgst -sha256; }

a=$(openssl dgst -sha256 "$WORK/w0.bin" | awk '{print $NF}')
b=$("$WORK/hashcmp" "$WORK/w0.bin" | awk '{print $1}')
[ "$a" = "$b" ] || { echo "digest mismatch: openssl $a ours $b"; exit 1; }

o1=$(best openssl dgst -sha256 "$WORK/w0.bin")
g1=$(best "$WORK/hashcmp" "$WORK/w0.bin")
oN=$(best par_openssl)
gN=$(best "$WORK/hashcmp" "$WORK"/w*.bin)

printf 'one %d MiB file:        openssl %.3fs  ours %.3fs  ratio openssl/ours %.2f  (ours %.0f MiB/s)\n' \
  "$SIZE_MIB" "$o1" "$g1" "$(echo "$o1 / $g1" | bc -l)" "$(echo "$SIZE_MIB / $g1" | bc -l)"
printf '%d files on %d cores: openssl %.3fs  ours %.3fs  ratio openssl/ours %.2f  (ours %.0f MiB/s)\n' \
  "$NFILES" "$(nproc)" "$oN" "$gN" "$(echo "$oN / $gN" | bc -l)" "$(echo "$SIZE_MIB * $NFILES / $gN" | bc -l)"
