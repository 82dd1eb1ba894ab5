#!/usr/bin/env bash
# Verify-before-use cost: `mlbom verify --bom ATT DIR` on a 1 GiB model
# directory (four 256 MiB safetensors shards) against `openssl dgst -sha256`
# of the same files, run side by side by hyperfine (warm page cache, so both
# measure hashing, not the disk). Prints the ratio mlbom / openssl.
#   bench/verify/run.sh [WORKDIR]     (needs hyperfine and openssl)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
model="$work/repo/models/big"
mkdir -p "$model"
mlbom="$work/mlbom"
(cd "$root" && go build -o "$mlbom" ./cmd/mlbom)

# A safetensors file: 8-byte little-endian header length, a JSON header, data.
shard() {
  local f=$1 i=$2
  local hdr='{"w'"$i"'":{"dtype":"F32","shape":[67108860],"data_offsets":[0,268435440]}}'
  while (( ${#hdr} % 8 )); do hdr+=" "; done
  python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<Q', len(sys.argv[1])) + sys.argv[1].encode())" "$hdr" > "$f"
  head -c $((268435456 - 8 - ${#hdr})) /dev/urandom >> "$f"
}
for i in 1 2 3 4; do
  [ -f "$model/model-0000$i-of-00004.safetensors" ] || shard "$model/model-0000$i-of-00004.safetensors" "$i"
done
export MLBOM_HOME="$work/home" MLBOM_HF_RESOLVE=false MLBOM_APPROVAL_TIMEOUT=0s
"$mlbom" scan "$work/repo" --local --project big -o "$work/bom.json" >/dev/null 2>&1
rm -f "$work/key" "$work/key.pub"
"$mlbom" keygen -o "$work/key" >/dev/null
"$mlbom" sign --key "$work/key" -o "$work/att.json" "$work/bom.json"
"$mlbom" verify --key "$work/key.pub" --bom "$work/att.json" "$model"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 1 --runs "${RUNS:-7}" --export-json "$work/hyperfine.json" \
  -n openssl "openssl dgst -sha256 $model/*.safetensors" \
  -n mlbom-verify "$mlbom verify --key $work/key.pub --bom $work/att.json $model" \
  -n mlbom-verify-1-worker "GOMAXPROCS=1 $mlbom verify --key $work/key.pub --bom $work/att.json $model"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["openssl"]["median"]
for name in ("mlbom-verify", "mlbom-verify-1-worker"):
    print(f"{name}: median {r[name]['median']:.3f}s vs openssl {base:.3f}s -> ratio {r[name]['median']/base:.2f}x")
PY
