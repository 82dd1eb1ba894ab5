#!/usr/bin/env bash
# Whole-process timing of the demo scan: through Temporal (dev server +
# worker) against the same steps in-process (`mlbom scan --local`) side by
# side, N runs each, medians. The difference is what durability costs.
#   bench/pipeline/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10}
make -s build temporal >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export MLBOM_HOME=$work MLBOM_TEMPORAL_ADDRESS=127.0.0.1:$port MLBOM_APPROVAL_TIMEOUT=0s
bin/temporal server start-dev --ip 127.0.0.1 --port "$port" --headless --log-level error \
  --db-filename "$work/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
  --dynamic-config-value system.enableActivityEagerExecution=true >/dev/null 2>&1 &
until bin/temporal operator cluster health --address "$MLBOM_TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 0.3; done
bin/mlbom worker >"$work/worker.log" 2>&1 &
scripts/make-demo.sh "$work/demo" >/dev/null
sleep 1
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
bin/mlbom scan "$work/demo" --project warm >/dev/null 2>&1   # warm up
remote=(); local_=()
for i in $(seq 1 "$n"); do
  remote+=("$(time_ms bin/mlbom scan "$work/demo" --project bench-remote)")
  local_+=("$(time_ms bin/mlbom scan "$work/demo" --project bench-local --local)")
done
r=$(printf '%s\n' "${remote[@]}" | median)
l=$(printf '%s\n' "${local_[@]}" | median)
echo "demo scan, median of $n (load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  through Temporal: ${r} ms"
echo "  --local:          ${l} ms"
awk -v r="$r" -v l="$l" 'BEGIN { printf "  orchestration overhead: %d ms for 7 steps (%.0f ms/step); ratio %.2f\n", r-l, (r-l)/7, r/l }'
