#!/usr/bin/env bash
# Store and search figures for issue 5, side by side per backend, with the
# SQLite run as the baseline of each ratio.
#
#   bench/store/run.sh            # 10k documents only (about a minute)
#   SIZES=100k bench/store/run.sh # also 100k (indexing takes minutes)
#
# MariaDB/MySQL runs use MLBOM_TEST_MYSQL_DSN (default
# mysql://root@127.0.0.1:3306/test) and are skipped without a server.
# Figures: wall p50/p95 per search, CPU ms per search (steadier on a busy
# machine), versions/s, and the 10k-component diff time.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-10k}
N=${N:-200}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

load_start=$(uptime)

pattern="Search/(sqlite|mysql)/(10k)/"
[[ "$SIZES" == *100k* ]] && pattern="Search/(sqlite|mysql)/(10k|100k)/"
go test ./internal/search -run '^$' -bench "$pattern" -benchtime "${N}x" -timeout 60m | tee -a "$out" >/dev/null
go test ./internal/store -run '^$' -bench 'SaveVersion' -benchtime "${N}x" | tee -a "$out" >/dev/null
go test ./internal/bomdiff -run '^$' -bench 'Diff10k' -count 3 | tee -a "$out" >/dev/null

# Wall times on a shared machine move with its load: say what it was.
echo "== load at start: ${load_start##*load average: }, at end: $(uptime | sed 's/.*load average: //') ($(nproc) CPUs)"
echo "== search latency (ms), ratio = backend / sqlite"
printf '%-8s %-5s %-7s %9s %9s %9s %8s\n' backend size mode p50 p95 cpu/op ratio50
awk '/^BenchmarkSearch\//{
  split($1, p, "/"); sub(/-[0-9]+$/, "", p[4])
  for (i = 2; i <= NF; i++) { if ($(i+1) == "p50-ms") p50 = $i; if ($(i+1) == "p95-ms") p95 = $i; if ($(i+1) == "cpu-ms/op") cpu = $i }
  key = p[3] "/" p[4]; if (p[2] == "sqlite") base[key] = p50
  printf "%-8s %-5s %-7s %9.2f %9.2f %9.2f %8s\n", p[2], p[3], p[4], p50, p95, cpu, (key in base && base[key] > 0) ? sprintf("%.2fx", p50 / base[key]) : "-"
}' "$out"
echo "== BOM version inserts (200 components each)"
awk '/^BenchmarkSaveVersion\//{ for (i = 2; i <= NF; i++) if ($(i+1) == "versions/s") { sub(/-[0-9]+$/, "", $1); printf "%-40s %8.1f versions/s\n", $1, $i } }' "$out"
echo "== diff of two 10k-component BOMs"
awk '/^BenchmarkDiff10k/{ for (i = 2; i <= NF; i++) { if ($(i+1) == "ns/op") w = $i / 1e6; if ($(i+1) == "cpu-ms/op") c = $i } printf "wall %.1f ms  cpu %.1f ms\n", w, c }' "$out"
